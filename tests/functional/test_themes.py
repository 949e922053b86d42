"""Every built-in theme: each text role of the list reads at WCAG AA (4.5:1) against its own
background, measured on the colours the screen actually composes; the theme persists."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from rich.color import Color as RichColor
from textual.command import CommandList, CommandPalette
from textual.geometry import Region
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import Input

from paperbrowse.models import Filters
from paperbrowse.tui.app import PaperBrowser
from paperbrowse.tui.list_cells import Columns
from paperbrowse.tui.main_screen import MainScreen
from paperbrowse.tui.paper_list import PaperList
from paperbrowse.tui.pilot import settle

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

MakeApp = Callable[..., PaperBrowser]
SIZE = (120, 36)
AA = 4.5


def luminance(rgb: tuple[int, int, int]) -> float:
    """WCAG 2.1 relative luminance (https://www.w3.org/TR/WCAG21/#dfn-relative-luminance)."""

    def channel(v: int) -> float:
        c = v / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def ratio(fg: RichColor, bg: RichColor) -> float:
    a, b = luminance(fg.get_truecolor()), luminance(bg.get_truecolor())
    return (max(a, b) + 0.05) / (min(a, b) + 0.05)


def role_spans(cols: Columns) -> dict[str, range]:
    """Cell ranges of each text role in a list row (see PaperList.segments)."""
    spans: dict[str, range] = {"mark": range(0, 1), "star": range(1, 2), "flag": range(2, 3)}
    x = 4
    spans["date"] = range(x, x + 10)
    x += 11
    if cols.upvotes:
        spans["upvotes"] = range(x, x + cols.upvotes)
        x += cols.upvotes + 1
    if cols.comments:
        spans["comments"] = range(x, x + cols.comments)
        x += cols.comments + 1
    spans["title"] = range(x, x + cols.title)
    x += cols.title
    if cols.byline:
        spans["byline"] = range(x + 1, x + 1 + cols.byline)
    return spans


# A list page whose cards show upvote counts (the line before each title) and comment counts
# (after the date): the sample's pages show comments only, and every role must be on screen.
VOTED_PAGE = "Daily Papers\n\nMay 30, 2022\n\n" + "".join(
    f"{9 - i}\nVoted Paper {i}\n\nAn abstract about counting votes, number {i}.\n\n"
    f"  \u2022 3 authors\n\u00b7\nMay {i + 1}, 2022 {i + 1}\n\n"
    for i in range(8)
)


async def test_every_theme_keeps_every_list_role_readable(
    make_app: MakeApp, data_dir: Path, index_dumps: Callable[..., object], tmp_path: Path
) -> None:
    page = tmp_path / "voted.txt"
    page.write_text(VOTED_PAGE, encoding="utf-8")
    index_dumps(data_dir, page)
    app = make_app(Filters(state="all", sort="upvotes"))  # papers with upvotes first
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, MainScreen)
        # Row 0: the cursor; 1 read; 2 hidden; 3 starred and read; 4 marked; 5 plain.
        await pilot.press("j", "r", "j", "x", "j", "s", "r", "j", "space", "g")
        await settle(pilot)
        papers = screen.query_one(PaperList)
        kinds = ["cursor", "read", "hidden", "starred", "marked", "plain"]
        region = papers.content_region
        failures: list[str] = []
        checked: set[tuple[str, str]] = set()
        themes = sorted(app.available_themes)
        assert len(themes) >= 15  # Textual's built-in themes, light and dark
        for theme in themes:
            app.theme = theme
            for focus in ("list", "detail"):
                screen.set_focus(papers if focus == "list" else screen.query_one("#detail"))
                await pilot.pause()
                await pilot.pause()
                spans = role_spans(papers.columns)
                for y, kind in enumerate(kinds):
                    if focus == "detail" and kind != "cursor":
                        continue  # the blurred cursor is the only row that changes
                    text = papers.render_line(y).text
                    label = f"{kind}{'' if focus == 'list' else ' (blurred)'}"
                    for role, cells in spans.items():
                        for x in cells:
                            if x >= len(text) or text[x] in " \u00a0":
                                continue
                            style = screen.get_style_at(region.x + x, region.y + y)
                            assert style.color is not None and style.bgcolor is not None
                            value = ratio(style.color, style.bgcolor)
                            checked.add((kind, role))
                            if value < AA:
                                failures.append(f"{theme}: {label} {role} {value:.2f}")
                            break  # one cell per role: a role is one colour
            # The rest of the screen's text: the detail pane, the status line and the footer.
            for name in ("#detail-body", "#status", "KeyBar"):
                failures += _unreadable_cells(screen, screen.query_one(name), theme)
        assert not failures, "\n".join(failures)
        # Every role was seen on some row: the test looked at what it claims to.
        for role in ("date", "upvotes", "comments", "title", "byline", "flag", "star", "mark"):
            assert any(r == role for _, r in checked), role
        for kind in kinds:
            assert any(k == kind for k, _ in checked), kind


def _text(cells: str) -> str:
    """The text of `cells` without spaces and without the box-drawing and block characters that
    draw borders and bars (decoration, not text: WCAG's text contrast does not apply)."""
    return "".join(c for c in cells if not c.isspace() and not "\u2500" <= c <= "\u259f")


def _unreadable_cells(screen: MainScreen, widget: Widget, theme: str) -> list[str]:
    """Segments of `widget`'s rendered lines that hold visible text in colours below AA."""
    failures = []
    width, height = widget.size
    for y, strip in enumerate(widget.render_lines(Region(0, 0, width, height))):
        for segment in strip:
            style = segment.style
            if not _text(segment.text) or style is None:
                continue
            assert style.color is not None and style.bgcolor is not None, (widget, segment)
            if style.color.is_default or style.bgcolor.is_default:
                continue  # an ANSI theme's terminal colours: the terminal's own readable pair
            value = ratio(style.color, style.bgcolor)
            if value < AA:
                failures.append(f"{theme}: {widget} line {y} {_text(segment.text)!r}: {value:.2f}")
    return failures


async def test_the_theme_is_saved_and_restored(make_app: MakeApp, isolated_dirs: Path) -> None:
    config = isolated_dirs / "config" / "paperbrowse" / "config.toml"
    app = make_app(settings=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.theme == "textual-dark"
        app.theme = "catppuccin-latte"
        await pilot.pause()
    assert tomllib.loads(config.read_text("utf-8")) == {"browser": {"theme": "catppuccin-latte"}}
    again = make_app(settings=True)
    async with again.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert again.theme == "catppuccin-latte"


async def test_a_broken_settings_file_warns_once_and_uses_the_defaults(
    make_app: MakeApp, isolated_dirs: Path
) -> None:
    config = isolated_dirs / "config" / "paperbrowse" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text('[browser\ntheme = "nord"\n', "utf-8")
    app = make_app(settings=True)
    seen: list[str] = []
    notify = app.notify

    def record(message: str, **kwargs: object) -> None:
        seen.append(message)
        notify(message, **kwargs)  # type: ignore[arg-type]

    app.notify = record  # type: ignore[method-assign]
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.theme == "textual-dark" and app.is_running
    warnings = [m for m in seen if "cannot read the settings" in m]
    assert len(warnings) == 1 and "\n" not in warnings[0] and str(config) in warnings[0]


async def test_an_unknown_saved_theme_warns_and_uses_the_default(
    make_app: MakeApp, isolated_dirs: Path
) -> None:
    config = isolated_dirs / "config" / "paperbrowse" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text('[browser]\ntheme = "no-such-theme"\n', "utf-8")
    app = make_app(settings=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.theme == "textual-dark"


async def test_the_theme_picker_marks_the_current_theme(make_app: MakeApp) -> None:
    app = make_app(theme="nord")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.action_change_theme()
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)
        commands = app.screen.query_one(CommandList)
        for _ in range(50):
            await pilot.pause(0.02)
            if commands.option_count:
                break
        prompts = [
            str(commands.get_option_at_index(i).prompt) for i in range(commands.option_count)
        ]
        assert prompts[0] == "nord (current)"
        assert sum("(current)" in p for p in prompts) == 1
        assert len(prompts) == len(app.available_themes)


@asynccontextmanager
async def _all_papers(
    make_app: MakeApp,
) -> AsyncIterator[tuple[PaperBrowser, Pilot[Any], MainScreen]]:
    """The browser on every paper at SIZE, settled: the app, its pilot and the main screen."""
    app = make_app(Filters(state="all"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, MainScreen)
        yield app, pilot, screen


async def test_every_theme_keeps_the_filter_bar_key_bar_and_detail_readable(
    make_app: MakeApp,
) -> None:
    """The view tabs (active and not), the inputs and their placeholders, the key bar (list,
    detail and filter focus) and the detail pane: visible text at WCAG AA in every theme."""
    async with _all_papers(make_app) as (app, pilot, screen):
        failures: list[str] = []
        for theme, typed in [(t, typed) for typed in ("", "pose") for t in app.available_themes]:
            if typed and not screen.query_one("#query", Input).value:  # placeholder, then text
                await pilot.press("slash", *typed, "escape")
                await settle(pilot)
            app.theme = theme
            for focus in ("#papers", "#detail", "#since"):
                screen.set_focus(screen.query_one(focus))
                await pilot.pause()
                await pilot.pause()
                names = ["#query", "#since", "#until", "KeyBar", "#detail-body", "#status"]
                widgets = [screen.query_one(name) for name in names]
                widgets += list(screen.query("#views Tab"))
                for widget in widgets:
                    failures += _unreadable_cells(screen, widget, f"{theme} ({focus} focused)")
        assert not failures, "\n".join(failures)


async def test_every_theme_keeps_the_tag_and_note_dialogs_readable(make_app: MakeApp) -> None:
    """The tag and note dialogs' border lines (what `t` tags, the note's paper, their keys) and
    their text at WCAG AA in every theme: the accent-coloured titles were 1.27:1 in
    textual-light (a fresh user measured them)."""
    async with _all_papers(make_app) as (app, pilot, screen):
        failures: list[str] = []
        for key, box in (("t", "#tag-box"), ("n", "#note-box")):
            await pilot.press(key)
            await pilot.pause()
            dialog = app.screen
            assert dialog is not screen
            for theme in app.available_themes:
                app.theme = theme
                await pilot.pause()
                await pilot.pause()
                failures += _unreadable_cells(screen, dialog.query_one(box), f"{theme} {box}")
            await pilot.press("escape")
            await pilot.pause()
        assert not failures, "\n".join(failures)
