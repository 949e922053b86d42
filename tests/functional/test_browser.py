"""Pilot tests of the browser: press keys, assert on state (cursor, marks, triage, filters, opener
calls, the returned selection). Each runs the app headless at 120x36 on a copy of the sample."""

from __future__ import annotations

import asyncio
import io
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from rich.text import Text
from textual.binding import Binding
from textual.command import CommandList, CommandPalette
from textual.pilot import Pilot
from textual.widgets import Input, OptionList, Static, Tabs

from paperbrowse.dates import parse_bound
from paperbrowse.library import Library
from paperbrowse.links import LinkError, link_kind, lookup_urls
from paperbrowse.models import Filters, Paper
from paperbrowse.results import Results
from paperbrowse.triage import TriageStore
from paperbrowse.triage_view import TriageView
from paperbrowse.tui.app import PaperBrowser
from paperbrowse.tui.commands import ACTIONS
from paperbrowse.tui.help import HelpScreen
from paperbrowse.tui.link_picker import LinkPicker
from paperbrowse.tui.main_screen import MainScreen
from paperbrowse.tui.paper_detail import PaperDetail
from paperbrowse.tui.paper_list import PaperList
from paperbrowse.tui.pilot import settle
from paperbrowse.tui.welcome import WelcomeScreen
from tests.functional.pilot_helpers import MakeApp, ids, main, record_notices

SIZE = (120, 36)
SAMPLE_PAPERS = 262
IndexDumps = Callable[..., Library]

TINY_DUMP = """\
Daily Papers

Nov 13

Scripted Links Considered Harmful

We study links such as javascript:alert(document.cookie) and javascript://x%0Aalert(1) in
abstracts. Code: javascript:void(0).

  • 3 authors
·
May 2, 2022 7

A Paper With Odd Brackets In Its Link

Code at https://example.org/code[/]x[b]y and nowhere else.

  • 1 author
·
Jun 10, 2023
"""


def store(app: PaperBrowser) -> TriageStore:
    """A second connection to the app's triage database: sees only what was committed."""
    return TriageStore(app.triage.path)


def opened(app: PaperBrowser) -> list[str]:
    """URLs the app asked its fake opener to open."""
    urls = getattr(app.opener, "urls", None)  # the conftest's FakeOpener
    assert isinstance(urls, list)
    return urls


def status(app: PaperBrowser) -> str:
    """The message line (errors, given a line of their own) and the status line, as text."""
    screen = main(app)
    message = screen.query_one("#message", Static)
    shown = str(message.render()) if message.has_class("shown") else ""
    return f"{shown}\n{screen.query_one('#status', Static).render()}".strip()


async def type_query(
    pilot: Pilot[Any], text: str, field: str = "query", *, paste: bool = False
) -> None:
    """Focus an input of the filter bar and replace its text by typing `text` key by key (or,
    with `paste`, all at once, as a paste would), then settle."""
    screen = main(pilot.app)  # type: ignore[arg-type]
    box = screen.query_one(f"#{field}", Input)
    if pilot.app.focused is not box:
        if field == "query":
            await pilot.press("slash")
        else:
            box.focus()
            await pilot.pause()
    assert pilot.app.focused is not None and pilot.app.focused.id == field
    if paste:
        box.value = text
    else:
        await pilot.press("ctrl+a", "ctrl+k")  # select all, delete to the end
        if text:
            await pilot.press(*text)
    await settle(pilot)
    assert box.value == text


def oracle(data_dir: Path, filters: Filters) -> list[str]:
    """Ids the library itself returns for `filters` (state all: no triage)."""
    library = Library(data_dir)
    if filters.sort == "auto":
        filters = filters.with_sort("date")  # the browser's default, with or without a query
    try:
        return library.search(filters).ids
    finally:
        library.close()


def rendered(renderable: object, width: int = 100) -> str:
    """Plain text of a Rich renderable."""
    console = Console(width=width, file=io.StringIO(), color_system=None)
    console.print(renderable)
    return console.file.getvalue()  # type: ignore[attr-defined]


async def highlight_title(pilot: Pilot[Any], title: str) -> Paper:
    """Filter to the paper called `title` (query on its exact title) and return it."""
    await type_query(pilot, f'title:"{title}"', paste=True)
    await pilot.press("escape")
    paper = main(pilot.app).current  # type: ignore[arg-type]
    assert paper is not None and paper.title == title
    return paper


# -- start --------------------------------------------------------------------------------------


async def test_opens_with_list_focused_and_first_row_highlighted(make_app: MakeApp) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(app)
        assert isinstance(app.focused, PaperList)
        assert screen.paper_list.cursor == 0
        assert screen.paper_list.count == SAMPLE_PAPERS
        assert screen.filters.state == "inbox"
        first = screen.current
        assert first is not None
        assert screen.query_one(PaperDetail).paper == first
        assert "262 papers" in status(app) and "Inbox" in status(app)


async def test_every_action_has_a_binding_help_line_and_palette_entry(make_app: MakeApp) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        scopes = {"list": MainScreen.BINDINGS, "detail": PaperDetail.BINDINGS}
        commands = [c.title for c in app.get_system_commands(main(app))]
        for action in ACTIONS:
            bound = [b for b in scopes[action.scope] if isinstance(b, Binding)]
            keys = {key: b.action for b in bound for key in b.key.split(",")}
            for key in action.keys.split(","):
                if action.bound:
                    assert keys.get(key) == action.action, (action, key)
                else:  # Textual's own key: listed, never rebound
                    assert key not in keys
            if action.palette and action.group == "views":  # "(0)" would read as a count
                assert f"{action.name} · key {action.display_keys}" in commands
            elif action.palette:
                assert f"{action.name} ({action.display_keys})" in commands
        assert "For you · key 0" in commands
        # One help entry in the palette: ours. Textual's "Keys" panel is not offered.
        assert [c for c in commands if "Help" in c or c == "Keys"] == ["Help (?)"]
        await pilot.press("question_mark")
        help_text = "\n".join(rendered(s.content, 200) for s in app.screen.query(Static))
        for action in ACTIONS:
            if action.group in ("views", "saved"):
                continue
            assert action.help in " ".join(help_text.split()), action
        # The views are one row, 0 to 4 together, the saved views 5 to 9 another; the query
        # help names has_code:. (The help's two columns interleave a wrapped row's lines with
        # the other column's.)
        words = " ".join(help_text.split())
        assert "0 1 2 3 4  Views: For you (unread, not starred or hidden," in help_text
        assert "5 6 7 8 9 Your saved views, in the order saved" in words
        assert "has_code:true" in help_text
        assert "leaves the view as soon as it no longer belongs there" in " ".join(
            help_text.split()
        )


# -- movement -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("down", "up"), [("j", "k"), ("down", "up")])
async def test_down_and_up_move_the_cursor(make_app: MakeApp, down: str, up: str) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(app)
        await pilot.press(up)
        assert screen.paper_list.cursor == 0  # clamped at the top
        await pilot.press(down, down, down)
        assert screen.paper_list.cursor == 3
        await pilot.press(up)
        await pilot.pause()
        assert screen.paper_list.cursor == 2
        assert screen.query_one(PaperDetail).paper == screen.paper_at(2)


@pytest.mark.parametrize(("last", "first"), [("G", "g"), ("end", "home")])
async def test_last_and_first(make_app: MakeApp, last: str, first: str) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(app)
        await pilot.press(last)
        assert screen.paper_list.cursor == SAMPLE_PAPERS - 1
        await pilot.pause()
        assert screen.paper_list.cursor in screen.paper_list.visible_range()
        await pilot.press(first)
        assert screen.paper_list.cursor == 0


async def test_page_down_and_page_up(make_app: MakeApp) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(app)
        page = screen.paper_list.size.height - 1
        assert page > 10
        await pilot.press("pagedown")
        assert screen.paper_list.cursor == page
        await pilot.press("pagedown")
        assert screen.paper_list.cursor == 2 * page
        await pilot.press("pageup")
        assert screen.paper_list.cursor == page
        await pilot.press("pageup", "pageup")
        assert screen.paper_list.cursor == 0


# -- focus --------------------------------------------------------------------------------------


async def test_slash_focuses_the_query_and_escape_returns_to_the_list(make_app: MakeApp) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash")
        assert app.focused is not None and app.focused.id == "query"
        # Keys typed into the filter are text, not actions: nothing starred, hidden or quit.
        await pilot.press("s", "x", "q", "space", "A")
        await settle(pilot)
        assert main(app).query_one("#query", Input).value == "sxq A"
        assert app.is_running
        assert not main(app).marks
        assert not store(app).ids_with("starred") and not store(app).ids_with("hidden")
        await pilot.press("escape")
        assert isinstance(app.focused, PaperList)


async def test_tab_moves_between_panes(make_app: MakeApp) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        seen = []
        for _ in range(6):
            await pilot.press("tab")
            assert app.focused is not None
            seen.append(app.focused)
        assert isinstance(seen[0], PaperDetail)
        assert [w.id for w in seen[1:4]] == ["query", "since", "until"]
        assert isinstance(seen[4], Tabs)
        assert isinstance(seen[5], PaperList)  # round the loop
        await pilot.press("shift+tab")
        assert isinstance(app.focused, Tabs)


# -- marks --------------------------------------------------------------------------------------


async def test_space_toggles_the_mark_and_moves_down(make_app: MakeApp) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(app)
        first, second = ids(app)[:2]
        await pilot.press("space")
        assert list(screen.marks) == [first]
        assert screen.paper_list.cursor == 1
        await pilot.press("space")
        assert list(screen.marks) == [first, second]
        assert "2 marked" in status(app)
        await pilot.press("k", "space")  # unmark the second
        assert list(screen.marks) == [first]
        assert screen.paper_list.cursor == 2


async def test_mark_all_marks_every_visible_paper_then_unmarks(make_app: MakeApp) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(app)
        await type_query(pilot, "title:efficient", paste=True)
        await pilot.press("escape")
        visible = ids(app)
        assert 0 < len(visible) < SAMPLE_PAPERS
        await pilot.press("A")
        assert set(screen.marks) == set(visible)
        assert f"{len(visible)} marked" in status(app)
        await pilot.press("A")
        assert not screen.marks


# -- triage -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("key", "flag"), [("s", "starred"), ("r", "read"), ("x", "hidden")])
async def test_triage_keys_toggle_and_save_at_once(make_app: MakeApp, key: str, flag: str) -> None:
    """On the highlighted paper when nothing is marked, else on the marked papers only."""
    app = make_app(Filters(state="all"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        first, second, third, fourth = ids(app)[:4]
        await pilot.press("j")
        await pilot.press(key)
        assert store(app).ids_with(flag) == {second}  # committed: another connection sees it
        assert getattr(main(app).state_of(second), flag)
        await pilot.press(key)
        await settle(pilot)
        assert store(app).ids_with(flag) == set()
        await pilot.press("g", "space", "j", "space")  # mark the first and third
        assert main(app).current is not None and main(app).current.id == fourth  # type: ignore[union-attr]
        await pilot.press(key)
        await settle(pilot)
        assert store(app).ids_with(flag) == {first, third}
        await pilot.press(key)
        await settle(pilot)
        assert store(app).ids_with(flag) == set()


async def test_hide_takes_the_paper_out_of_the_inbox(make_app: MakeApp) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("j")
        hidden = ids(app)[1]
        await pilot.press("x")
        await settle(pilot)
        assert store(app).ids_with("hidden") == {hidden}
        assert hidden not in ids(app)
        assert len(ids(app)) == SAMPLE_PAPERS - 1
        assert main(app).paper_list.cursor == 1  # the cursor stays where it was


async def test_undo_reverts_the_last_triage_action(make_app: MakeApp) -> None:
    app = make_app(Filters(state="all"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        first, second = ids(app)[:2]
        await pilot.press("u")  # nothing to undo: no error
        await pilot.press("s", "j", "r")
        assert store(app).ids_with("starred") == {first}
        assert store(app).ids_with("read") == {second}
        await pilot.press("u")
        assert store(app).ids_with("read") == set()
        assert store(app).ids_with("starred") == {first}
        await pilot.press("u")
        assert store(app).ids_with("starred") == set()


async def test_undo_of_a_hide_brings_the_paper_back(make_app: MakeApp) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        first = ids(app)[0]
        await pilot.press("x")
        await settle(pilot)
        assert first not in ids(app)
        await pilot.press("u")
        await settle(pilot)
        assert first in ids(app)
        assert store(app).ids_with("hidden") == set()


# -- views and sorting --------------------------------------------------------------------------


async def test_number_keys_switch_views(make_app: MakeApp) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        before = ids(app)
        a, b, c, d = before[:4]
        await pilot.press("s", "j", "s", "j", "r")  # star a, b; read c
        await settle(pilot)
        # Read, c leaves the Inbox at once; the cursor keeps its row, now on d.
        assert c not in ids(app) and main(app).current.id == d  # type: ignore[union-attr]
        await pilot.press("x")  # hide d
        await settle(pilot)
        screen = main(app)
        expected = {
            "1": ("inbox", set(before) - {c, d}),
            "2": ("starred", {a, b}),
            "3": ("all", None),
            "4": ("hidden", {d}),
        }
        for key, (view, members) in expected.items():
            await pilot.press(key)
            await settle(pilot)
            assert screen.filters.state == view
            assert screen.query_one(Tabs).active == view
            if members is None:
                assert len(ids(app)) == SAMPLE_PAPERS
            else:
                assert set(ids(app)) == members
        await pilot.press("1")
        await settle(pilot)
        assert len(ids(app)) == SAMPLE_PAPERS - 2


async def test_sort_cycles_date_upvotes_title(make_app: MakeApp, data_dir: Path) -> None:
    app = make_app(Filters(state="all"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(app)
        assert screen.filters.effective_sort == "date"
        for sort in ("upvotes", "title", "date"):
            await pilot.press("S")
            await settle(pilot)
            assert screen.filters.effective_sort == sort
            assert f"sorted by {sort}" in status(app)
            assert ids(app) == oracle(data_dir, Filters(sort=sort))
        rows = [screen.results.row(i) for i in range(len(ids(app)))]  # type: ignore[union-attr]
        dated = [r.published for r in rows if r.published]
        assert dated == sorted(dated, reverse=True)


async def test_sort_with_a_query_includes_relevance(make_app: MakeApp, data_dir: Path) -> None:
    app = make_app(Filters(state="all"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(app)
        await type_query(pilot, "efficient", paste=True)
        await pilot.press("escape")
        # Newest first even with a query (triage order); relevance is one `S` away.
        assert screen.filters.effective_sort == "date"
        assert ids(app) == oracle(data_dir, Filters(query="efficient", sort="date"))
        seen = []
        for _ in range(4):
            await pilot.press("S")
            await settle(pilot)
            seen.append(screen.filters.effective_sort)
            assert ids(app) == oracle(data_dir, Filters(query="efficient", sort=seen[-1]))
        assert seen == ["upvotes", "title", "relevance", "date"]


# -- links --------------------------------------------------------------------------------------


async def test_o_opens_the_first_code_link(make_app: MakeApp) -> None:
    app = make_app(Filters(state="all"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        paper = await highlight_title(
            pilot,
            "Parallel Neural Computing for Scene Understanding from LiDAR Perception in "
            "Autonomous Racing",
        )
        assert paper.links[0].startswith("https://github.com/")
        await pilot.press("o")
        assert opened(app) == [paper.links[0]]
        assert not store(app).ids_with("read")  # `o` alone does not mark read


async def test_o_prefers_code_over_a_project_page(make_app: MakeApp) -> None:
    app = make_app(Filters(state="all"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        paper = await highlight_title(
            pilot, "MotionCrafter: One-Shot Motion Customization of Diffusion Models"
        )
        assert link_kind(paper.links[0]) == "project page"
        await pilot.press("o")
        assert opened(app) == ["https://github.com/zyxElsa/MotionCrafter"]


async def test_o_with_only_a_project_page_opens_an_arxiv_search(make_app: MakeApp) -> None:
    app = make_app(Filters(state="all"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        paper = await highlight_title(
            pilot, "Weight-Entanglement Meets Gradient-Based Neural Architecture Search"
        )
        assert paper.links and not paper.code_links
        await pilot.press("o")
        assert opened(app) == [lookup_urls(paper.title)[0][1]]


async def test_o_without_links_opens_an_arxiv_search(make_app: MakeApp) -> None:
    app = make_app(Filters(state="all"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        paper = await highlight_title(
            pilot,
            "DNN is not all you need: Parallelizing Non-Neural ML Algorithms on "
            "Ultra-Low-Power IoT Processors",
        )
        assert not paper.links
        await pilot.press("o")
        assert opened(app) == [lookup_urls(paper.title)[0][1]]
        assert opened(app)[0].startswith("https://arxiv.org/search/")


async def test_shift_o_opens_and_marks_read(make_app: MakeApp) -> None:
    app = make_app(Filters(state="all"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("space", "j")  # a mark elsewhere must not be marked read
        paper = main(app).current
        assert paper is not None
        await pilot.press("O")
        assert len(opened(app)) == 1
        assert store(app).ids_with("read") == {paper.id}
        assert len(main(app).marks) == 1  # marks are kept
        await pilot.press("u")
        assert store(app).ids_with("read") == set()


async def test_shift_o_does_not_mark_read_when_the_link_fails(make_app: MakeApp) -> None:
    def failing(url: str) -> None:
        raise LinkError("no graphical browser")

    app = make_app(Filters(state="all"), opener=failing)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("O")
        assert store(app).ids_with("read") == set()
        assert app.is_running


async def test_l_lists_the_links_and_enter_opens_one(make_app: MakeApp) -> None:
    app = make_app(Filters(state="all"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        paper = await highlight_title(
            pilot,
            "Parallel Neural Computing for Scene Understanding from LiDAR Perception in "
            "Autonomous Racing",
        )
        await pilot.press("l")
        picker = app.screen
        assert isinstance(picker, LinkPicker)
        options = picker.query_one(OptionList)
        prompts = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        labels = [p.split()[0] for p in prompts]
        assert labels[:2] == ["code", "model/dataset"]
        lookups = lookup_urls(paper.title)
        assert len(prompts) == 2 + len(lookups)
        for prompt, (label, url) in zip(prompts[2:], lookups, strict=True):
            assert prompt.startswith(label) and prompt.endswith(url)
        assert prompts[0].index("https://") == prompts[-1].index("https://")  # aligned
        await pilot.press("down", "enter")
        assert opened(app) == [paper.links[1]]
        assert isinstance(app.screen, MainScreen)
        await pilot.press("l", "escape")
        assert isinstance(app.screen, MainScreen)
        assert len(opened(app)) == 1


async def test_y_copies_title_and_link(make_app: MakeApp) -> None:
    app = make_app(Filters(state="all"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        paper = await highlight_title(
            pilot, "Lite Pose: Efficient Architecture Design for 2D Human Pose Estimation"
        )
        await pilot.press("y")
        assert app.clipboard == f"{paper.title} https://github.com/mit-han-lab/litepose"
        assert not opened(app)


async def test_only_http_links_reach_the_opener(
    make_app: MakeApp, tmp_path: Path, index_dumps: IndexDumps
) -> None:
    dump = tmp_path / "tiny.txt"
    dump.write_text(TINY_DUMP, "utf-8")
    data_dir = tmp_path / "tiny-data"
    index_dumps(data_dir, dump).close()
    app = make_app(Filters(state="all", sort="title"), data_dir=data_dir)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        titles = [main(app).results.row(i).title for i in range(2)]  # type: ignore[union-attr]
        assert titles[1] == "Scripted Links Considered Harmful"
        await pilot.press("j", "o", "O", "l")
        options = app.screen.query_one(OptionList)
        prompts = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        assert len(prompts) == 4 and all(" https://" in p for p in prompts)  # the look-ups only
        await pilot.press("enter")
        # A URL the opener must refuse, whoever builds the list of links.
        assert main(app).open_safely("javascript:alert(1)") is False
        assert len(opened(app)) == 3
        assert all(url.startswith("https://") for url in opened(app)), opened(app)
        assert not any("javascript" in url for url in opened(app))


async def test_a_link_with_brackets_opens_without_markup_errors(
    make_app: MakeApp, tmp_path: Path, index_dumps: IndexDumps
) -> None:
    dump = tmp_path / "tiny.txt"
    dump.write_text(TINY_DUMP, "utf-8")
    data_dir = tmp_path / "tiny-data"
    index_dumps(data_dir, dump).close()
    app = make_app(Filters(state="all", sort="title"), data_dir=data_dir)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        paper = main(app).current
        assert paper is not None and paper.links == ["https://example.org/code[/]x[b]y"]
        await pilot.press("o", "l")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        # `o` opens the arXiv search (no code link); `l` then Enter opens the odd link itself.
        assert opened(app) == [lookup_urls(paper.title)[0][1], paper.links[0]]
        assert app.is_running


# -- help and palette ---------------------------------------------------------------------------


async def test_question_mark_shows_help_and_escape_closes_it(make_app: MakeApp) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)


async def test_command_palette_runs_an_action_by_name(make_app: MakeApp) -> None:
    app = make_app(Filters(state="all"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        paper = main(app).current
        assert paper is not None
        await pilot.press("ctrl+p")
        assert isinstance(app.screen, CommandPalette)
        await pilot.press(*"Star")
        commands = app.screen.query_one(CommandList)
        for _ in range(50):  # the palette gathers its matches asynchronously
            await pilot.pause(0.02)
            if commands.option_count:
                break
        first = str(commands.get_option_at_index(0).prompt)
        assert first.startswith("Star (s)")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert store(app).ids_with("starred") == {paper.id}


# -- leaving ------------------------------------------------------------------------------------


async def test_enter_returns_the_highlighted_paper(make_app: MakeApp) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("j", "j")
        paper = main(app).current
        await pilot.press("enter")
    assert app.return_code == 0
    assert app.return_value == [paper]


async def test_enter_returns_the_marked_papers_in_marking_order(make_app: MakeApp) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        order = ids(app)
        await pilot.press("j", "j", "space", "g", "space")
        await pilot.press("enter")
    assert app.return_code == 0
    assert app.return_value is not None
    assert [p.id for p in app.return_value] == [order[2], order[0]]


async def test_enter_in_the_query_returns_to_the_list_without_quitting(make_app: MakeApp) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await type_query(pilot, "pose")
        await pilot.press("enter")
        assert isinstance(app.focused, PaperList)
        assert app.is_running


async def test_q_quits_without_a_selection(make_app: MakeApp) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("space", "q")
    assert app.return_code == 1
    assert app.return_value is None


async def test_ctrl_c_quits_with_130(make_app: MakeApp) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash")  # even from the query input
        await pilot.press("ctrl+c")
    assert app.return_code == 130
    assert app.return_value is None


async def test_shift_r_reloads_the_library(
    make_app: MakeApp, data_dir: Path, tmp_path: Path, index_dumps: IndexDumps
) -> None:
    app = make_app(Filters(state="all"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert len(ids(app)) == SAMPLE_PAPERS
        dump = tmp_path / "tiny.txt"
        dump.write_text(TINY_DUMP, "utf-8")
        index_dumps(data_dir, dump).close()  # another process adds papers
        await pilot.press("R")
        await settle(pilot)
        assert len(ids(app)) == SAMPLE_PAPERS + 2


# -- filter bar ---------------------------------------------------------------------------------


QUERIES = (
    "efficient",
    "title:efficient",
    "parallel AND NOT neural",
    "parallel OR pose",
    '"neural architecture search"',
    "date:2024",
    "date:2024-03",
    "authors:>10",  # a numeric field: the sample's pages show no upvote count
    "org:deepseek",
    "efficient date:>2023",
)


async def test_query_language_matches_search(make_app: MakeApp, data_dir: Path) -> None:
    """Fields, booleans, phrases, date: and numeric terms: what `search` finds, the list shows."""
    app = make_app(Filters(state="all"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for query in QUERIES:  # one app for all: each query replaces the last
            await type_query(pilot, query, paste=True)
            expected = oracle(data_dir, Filters(query=query))
            assert 0 < len(expected) < SAMPLE_PAPERS, query
            assert main(app).filters.query == query
            assert ids(app) == expected, query
            assert f"{len(expected)} paper" in status(app)


@pytest.mark.parametrize(
    ("since", "until", "typed"), [("2024", "2024-06", True), ("2023-05-01", "2024-05-31", False)]
)
async def test_date_inputs_filter(make_app: MakeApp, since: str, until: str, typed: bool) -> None:
    app = make_app(Filters(state="all"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await type_query(pilot, since, field="since", paste=not typed)
        lo = parse_bound(since, end=False)
        assert main(app).filters.since == lo
        assert ids(app) == oracle(data_dir=app.library.data_dir, filters=Filters(since=lo))
        await type_query(pilot, until, field="until", paste=True)
        screen = main(app)
        hi = parse_bound(until, end=True)
        assert (screen.filters.since, screen.filters.until) == (lo, hi)
        rows = [screen.results.row(i) for i in range(len(ids(app)))]  # type: ignore[union-attr]
        assert 0 < len(rows) < SAMPLE_PAPERS
        assert all(r.published is not None and lo <= r.published <= hi for r in rows)
        assert ids(app) == oracle(app.library.data_dir, Filters(since=lo, until=hi))


async def test_relative_dates(make_app: MakeApp) -> None:
    app = make_app(Filters(state="all"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for relative in ("7d", "4w", "6m", "1y", "10y"):
            await type_query(pilot, relative, field="since", paste=True)
            screen = main(app)
            assert screen.filters.since == parse_bound(relative, end=False), relative
            assert not screen.message
            assert ids(app) == oracle(app.library.data_dir, Filters(since=screen.filters.since))


async def test_invalid_query_shows_a_message_and_keeps_results(make_app: MakeApp) -> None:
    app = make_app(Filters(state="all"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(app)
        for bad in ("title:(foo", '"[/]unbalanced', "date:2024-13", "upvotes:>=abc"):
            await type_query(pilot, "pose", paste=True)
            good = ids(app)
            assert good and not screen.query_one("#status").has_class("error")
            await type_query(pilot, bad, paste=True)
            assert "invalid query" in status(app), bad
            assert screen.query_one("#status").has_class("error")
            assert ids(app) == good
            assert screen._good_filters.query == "pose"  # the results are still for "pose"


async def test_a_refused_query_claims_no_count_in_the_status_line(make_app: MakeApp) -> None:
    """The list keeps the last results, but the status line does not count them as the
    results of a query that did not run: it says the query did not run."""
    app = make_app(Filters(state="all"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(app)
        await type_query(pilot, "pose", paste=True)
        good = ids(app)
        line = str(screen.query_one("#status", Static).render())
        assert line.startswith(f"{len(good):,} paper"), line
        for bad in ("title:(", '"pose'):
            await type_query(pilot, bad, paste=True)
            line = str(screen.query_one("#status", Static).render())
            assert "paper" not in line.split("  ·  ")[0], (bad, line)
            assert line.startswith("query not run"), (bad, line)
            assert ids(app) == good
        await type_query(pilot, "pose", paste=True)
        line = str(screen.query_one("#status", Static).render())
        assert line.startswith(f"{len(good):,} paper"), line


async def test_typing_into_an_invalid_query_keeps_the_results(make_app: MakeApp) -> None:
    app = make_app(Filters(state="all"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await type_query(pilot, "pose")
        good = ids(app)
        await pilot.press("space", '"', "[", "/")  # markup-like text must not break the status
        await settle(pilot)
        assert app.is_running
        assert "unclosed quote" in status(app)
        assert '"[/' in status(app)
        assert ids(app) == good
        await pilot.press("backspace", "backspace", "backspace")
        await settle(pilot)
        assert "invalid" not in status(app)
        assert ids(app) == good


async def test_invalid_date_shows_a_message_and_keeps_results(make_app: MakeApp) -> None:
    app = make_app(Filters(state="all"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(app)
        cases = [
            ("2024-13", "", "2024-13"),
            ("yesterday", "", "yesterday"),
            ("2025", "2024", "after"),
        ]
        for since, until, message in cases:
            await type_query(pilot, "", field="since", paste=True)
            await type_query(pilot, until, field="until", paste=True)
            good = ids(app)
            await type_query(pilot, since, field="since", paste=True)
            assert message in status(app)
            assert screen.query_one("#status").has_class("error")
            assert ids(app) == good
            # Another view searches again: the bad date is still in its input, so is the message.
            await pilot.press("escape", "2")
            await settle(pilot)
            assert screen.filters.state == "starred"
            assert message in status(app)
            await pilot.press("3")
            await settle(pilot)
            assert ids(app) == good and message in status(app)
            await type_query(pilot, "", field="since", paste=True)
            assert not screen.message
            assert not screen.query_one("#status").has_class("error")
            assert ids(app) == good


async def test_no_results_says_so(make_app: MakeApp) -> None:
    app = make_app(Filters(state="all"))
    notices = record_notices(app)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await type_query(pilot, "zzzzqqq", paste=True)
        assert ids(app) == []
        assert "No papers match" in status(app)
        assert main(app).query_one(PaperDetail).paper is None
        await pilot.press("escape", "o", "s", "space", "enter")  # nothing to act on
        assert not opened(app)
        # Enter on an empty list says so and stays (it used to quit with exit 1, silently).
        assert app.is_running and isinstance(app.screen, MainScreen)
        assert "Nothing to select: the list is empty" in notices
        assert not store(app).ids_with("starred")
    assert app.return_value is None


async def test_stale_results_are_dropped(make_app: MakeApp, data_dir: Path) -> None:
    """Keys typed faster than searches finish: results of older queries never reach the list,
    and the list ends up matching the final query."""
    app = make_app(Filters(state="all"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(app)
        searched: list[str] = []
        shown: list[tuple[str, str]] = []
        search, show = app.library.search, screen.paper_list.show

        def slow_search(filters: Filters, triage: TriageView | None = None) -> Results:
            searched.append(filters.query)
            time.sleep(0.15)  # slower than typing: newer keys arrive while this one runs
            return search(filters, triage)

        def record_show(*args: Any, **kwargs: Any) -> None:
            shown.append((screen._good_filters.query, screen.filters.query))
            show(*args, **kwargs)

        app.library.search = slow_search  # type: ignore[method-assign]
        screen.paper_list.show = record_show  # type: ignore[method-assign]
        keys = "neural net"
        await pilot.press("slash")
        query = screen.query_one("#query", Input)
        query.insert_text_at_cursor(keys[0])
        for _ in range(100):  # until the first search runs in its thread
            await asyncio.sleep(0.01)
            if searched:
                break
        for key in keys[1:]:  # then a burst of keystrokes, as fast as a terminal sends them
            query.insert_text_at_cursor(key)
        await settle(pilot)
        assert screen.filters.query == keys
        assert searched[-1] == keys
        assert len(searched) < len(keys)  # requests made while a search ran were coalesced
        assert searched[0] == keys[0]
        assert shown and all(got == wanted for got, wanted in shown), shown
        assert ids(app) == oracle(data_dir, Filters(query=keys))


# -- detail pane --------------------------------------------------------------------------------


async def test_detail_pane_shows_the_paper(make_app: MakeApp) -> None:
    app = make_app(Filters(state="all"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        paper = await highlight_title(
            pilot, "Lite Pose: Efficient Architecture Design for 2D Human Pose Estimation"
        )
        body = main(app).query_one("#detail-body", Static)
        text = rendered(body.content)
        assert paper.published == date(2022, 5, 2)
        for part in (paper.title, "2022-05-02", "5 authors", paper.id, *paper.sources):
            assert part in text
        assert " ".join(paper.abstract.split()[:6]) in " ".join(text.split())
        await pilot.press("s")  # the triage flags show too
        assert "starred" in rendered(body.content)


async def test_detail_pane_labels_links_then_lookups(make_app: MakeApp) -> None:
    app = make_app(Filters(state="all"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await highlight_title(
            pilot,
            "Parallel Neural Computing for Scene Understanding from LiDAR Perception in "
            "Autonomous Racing",
        )
        text = rendered(main(app).query_one("#detail-body", Static).content, 300)
        lines = [line.strip() for line in text.splitlines()]
        at = next(i for i, line in enumerate(lines) if line.startswith("arXiv search"))
        assert lines[at - 2].split() == [
            "code",
            "https://github.com/suwesh/Parallel-Perception-Network",
        ]
        assert lines[at - 1].split() == [
            "model/dataset",
            "https://huggingface.co/suwesh/ParallelPerceptionNetwork",
        ]
        lookups = ["arXiv search", "Hugging Face papers", "Semantic Scholar", "Google Scholar"]
        assert [line.split(" https://")[0].strip() for line in lines[at : at + 4]] == lookups


async def test_detail_pane_shows_organisation_and_no_upvotes_it_does_not_have(
    make_app: MakeApp,
) -> None:
    app = make_app(Filters(state="all"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await type_query(pilot, "org:deepseek", paste=True)
        paper = main(app).current
        # Its card reads "May 14 5": 5 comments. The page shows no upvote count.
        assert paper is not None and paper.org and paper.upvotes is None
        assert paper.comments == 5
        text = rendered(main(app).query_one("#detail-body", Static).content, 300)
        assert paper.org in text
        assert "▲" not in text


async def test_detail_pane_says_date_unknown(make_app: MakeApp) -> None:
    app = make_app(Filters(state="all"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        paper = await highlight_title(
            pilot,
            "DNN is not all you need: Parallelizing Non-Neural ML Algorithms on "
            "Ultra-Low-Power IoT Processors",
        )
        assert paper.published is None
        body = main(app).query_one("#detail-body", Static)
        assert "date unknown" in rendered(body.content)


async def test_detail_pane_highlights_query_terms(make_app: MakeApp) -> None:
    app = make_app(Filters(state="all"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await type_query(pilot, "efficient", paste=True)
        await pilot.press("escape")
        detail = main(app).query_one(PaperDetail)
        mark = detail.paper_styles.highlight  # the theme's highlight, resolved
        body = detail.query_one("#detail-body", Static).content
        texts = [r for r in body.renderables if isinstance(r, Text)]  # type: ignore[union-attr]
        marked = [
            t.plain[s.start : s.end].lower() for t in texts for s in t.spans if s.style == mark
        ]
        assert marked and all(word.startswith("effici") for word in marked)
        await type_query(pilot, "", paste=True)
        await pilot.press("escape")
        body = main(app).query_one("#detail-body", Static).content
        texts = [r for r in body.renderables if isinstance(r, Text)]  # type: ignore[union-attr]
        assert not any(s.style == mark for t in texts for s in t.spans)


# -- an empty library ---------------------------------------------------------------------------


@pytest.mark.parametrize("how", ["key", "button"])
async def test_empty_library_welcome_loads_the_sample(
    make_app: MakeApp, tmp_path: Path, how: str
) -> None:
    app = make_app(data_dir=tmp_path / "empty")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, WelcomeScreen)
        text = str(app.screen.query_one("#welcome-text", Static).render())
        assert "paperbrowse index" in text
        if how == "key":
            await pilot.press("L")
        else:
            await pilot.click("#load-sample")
        for _ in range(200):
            await pilot.pause(0.02)
            if isinstance(app.screen, MainScreen):
                break
        await settle(pilot)
        assert main(app).filters.state == "all"
        assert len(ids(app)) == SAMPLE_PAPERS
        assert isinstance(app.focused, PaperList)
        assert main(app).query_one("#query", Input).cursor_blink is False


async def test_welcome_q_quits(make_app: MakeApp, tmp_path: Path) -> None:
    app = make_app(data_dir=tmp_path / "empty")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, WelcomeScreen)
        await pilot.press("q")
    assert app.return_code == 1


def test_copies_are_independent(browser_sample_dir: Path, data_dir: Path) -> None:
    """The fixture copies the session library: writing triage to a copy leaves the original."""
    TriageStore(data_dir / "state.db").set(["x"], "starred", True)
    assert not (browser_sample_dir / "state.db").exists()


async def test_hostile_filter_input_keeps_the_app_and_its_results(make_app: MakeApp) -> None:
    """The issue's list for the filter bar: huge and control-laden queries, impossible dates."""
    app = make_app(Filters(state="all"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await type_query(pilot, "pose", paste=True)
        good = ids(app)
        assert good
        for bad in ("(" + "model " * 1700, "pose \x1b]52;c;SGVsbG8=\x07 (", "title:(\x1b[2J"):
            await type_query(pilot, bad, paste=True)
            assert app.is_running
            assert "invalid query" in status(app)
            assert "\x1b" not in status(app) and len(status(app)) < 400
            assert ids(app) == good
        await type_query(pilot, "pose", paste=True)
        good = ids(app)
        for since in ("2024-02-30", "0000", "9999-99"):
            await type_query(pilot, since, field="since", paste=True)
            assert app.is_running
            assert "invalid date" in status(app), since
            assert ids(app) == good


async def test_the_browser_opens_on_a_library_whose_dumps_gave_no_papers(
    tmp_path: Path, make_app: Callable[..., PaperBrowser]
) -> None:
    """Whoosh's empty index (a first dump of 0 papers) has no columns: it read as damaged."""
    from paperbrowse.indexer import index_sources
    from paperbrowse.sources import collect_sources

    dump = tmp_path / "empty-day.txt"
    dump.write_text("Daily Papers\n\nby AK and the research community\n\nDec 3, 2025\n\n")
    data = tmp_path / "empty-data"
    sources, problems = collect_sources([str(dump)])
    assert not problems
    assert not index_sources(data, sources).failures
    app = make_app(data_dir=data)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        assert app.return_code is None  # still running: it did not exit on an error
        assert type(app.screen).__name__ == "MainScreen", app.screen
        assert not [n for n in app.screen.query("Toast").results()], "an error was shown"
