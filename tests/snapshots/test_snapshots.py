"""Snapshot tests (pytest-textual-snapshot): the browser on the sample library at 120x36, and
the main screens at the sizes people have (80x24, 100x30, 120x36, 200x50), in a light theme,
and with CJK and combining-accent titles.

Deterministic: fixed data, no cursor blink, no relative dates (they depend on today).
Update with `pytest tests/snapshots --snapshot-update` and look at every changed SVG.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from paperbrowse.models import Filters
from paperbrowse.tui.app import PaperBrowser
from paperbrowse.tui.main_screen import MainScreen
from paperbrowse.tui.pilot import settle
from paperbrowse.tui.welcome import WelcomeScreen

SIZE = (120, 36)
SIZES = [(80, 24), (100, 30), (120, 36), (200, 50)]
MakeApp = Callable[..., PaperBrowser]
SnapCompare = Callable[..., bool]


def with_input(field: str, text: str, *keys: str) -> Callable[[Pilot[Any]], Awaitable[None]]:
    """A `run_before` that fills a filter-bar input (as a paste would), then presses `keys`."""

    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, MainScreen)
        box = screen.query_one(f"#{field}", Input)
        box.focus()
        box.value = text
        await settle(pilot)
        if keys:
            await pilot.press(*keys)
            await settle(pilot)

    return run_before


def pressing(*keys: str) -> Callable[[Pilot[Any]], Awaitable[None]]:
    """A `run_before` that waits for the first results, then presses `keys`."""

    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        if keys:
            await pilot.press(*keys)
            await settle(pilot)
        pilot.app.clear_notifications()  # toasts expire on a clock: not part of a snapshot

    return run_before


class TestMainScreen:
    def test_list_and_detail(self, snap_compare: SnapCompare, make_app: MakeApp) -> None:
        assert snap_compare(make_app(), terminal_size=SIZE, run_before=pressing())

    def test_cursor_moved_and_marks(self, snap_compare: SnapCompare, make_app: MakeApp) -> None:
        app = make_app(Filters(state="all"))
        assert snap_compare(app, terminal_size=SIZE, run_before=pressing("space", "space", "j"))


class TestFilterBar:
    def test_filtered_with_highlighted_terms(
        self, snap_compare: SnapCompare, make_app: MakeApp
    ) -> None:
        app = make_app(Filters(state="all"))
        run_before = with_input("query", "efficient architecture", "escape")
        assert snap_compare(app, terminal_size=SIZE, run_before=run_before)

    def test_no_results(self, snap_compare: SnapCompare, make_app: MakeApp) -> None:
        app = make_app(Filters(state="all"))
        assert snap_compare(app, terminal_size=SIZE, run_before=with_input("query", "zzzzqqq"))

    def test_invalid_date_message(self, snap_compare: SnapCompare, make_app: MakeApp) -> None:
        app = make_app(Filters(state="all"))
        assert snap_compare(app, terminal_size=SIZE, run_before=with_input("since", "2024-13"))


class TestModals:
    def test_help_screen(self, snap_compare: SnapCompare, make_app: MakeApp) -> None:
        assert snap_compare(make_app(), terminal_size=SIZE, run_before=pressing("question_mark"))

    def test_link_picker(self, snap_compare: SnapCompare, make_app: MakeApp) -> None:
        app = make_app(Filters(state="all"))
        title = "Parallel Neural Computing for Scene Understanding"
        run_before = with_input("query", f'title:"{title}"', "escape", "l")
        assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


SAVED_VIEWS = """\
[views.diffusion]
query = "diffusion"
since = "2024"
sort = "date"

[views."pose estimation"]
query = "title:pose"

[views.starred-2025]
since = "2025"
state = "starred"
"""


class TestSavedViews:
    def test_view_tabs_with_saved_views_and_counts(
        self, snap_compare: SnapCompare, make_app: MakeApp
    ) -> None:
        # 200 columns: at 120 the five built-in tabs (0 For you … 4 Hidden) leave the saved
        # ones only part of the half of the bar that tabs may take (they scroll into view).
        app = make_app(settings=SAVED_VIEWS)
        assert snap_compare(app, terminal_size=(200, 50), run_before=pressing())

    def test_a_saved_view_opened_at_80x24(
        self, snap_compare: SnapCompare, make_app: MakeApp
    ) -> None:
        app = make_app(settings=SAVED_VIEWS)
        assert snap_compare(app, terminal_size=(80, 24), run_before=pressing("5"))


class TestWelcome:
    def test_welcome_view(self, snap_compare: SnapCompare, make_app: MakeApp) -> None:
        app = make_app(empty=True)

        async def run_before(pilot: Pilot[Any]) -> None:
            await pilot.pause()
            assert isinstance(pilot.app.screen, WelcomeScreen)

        assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
class TestSizes:
    """The three main screens at each size: list and detail, a query typed, help."""

    def test_list_and_detail(
        self, snap_compare: SnapCompare, make_app: MakeApp, size: tuple[int, int]
    ) -> None:
        assert snap_compare(make_app(), terminal_size=size, run_before=pressing("j"))

    def test_filter_typed(
        self, snap_compare: SnapCompare, make_app: MakeApp, size: tuple[int, int]
    ) -> None:
        app = make_app(Filters(state="all"))
        run_before = with_input("query", "efficient architecture")  # the filter keeps focus
        assert snap_compare(app, terminal_size=size, run_before=run_before)

    def test_help(
        self, snap_compare: SnapCompare, make_app: MakeApp, size: tuple[int, int]
    ) -> None:
        assert snap_compare(make_app(), terminal_size=size, run_before=pressing("question_mark"))


class TestWideText:
    """CJK titles take two cells a character, combining accents none: columns stay aligned."""

    @pytest.mark.parametrize("size", [(80, 24), (120, 36)], ids=["80x24", "120x36"])
    def test_cjk_and_accented_titles(
        self, snap_compare: SnapCompare, make_app: MakeApp, size: tuple[int, int]
    ) -> None:
        app = make_app(Filters(state="all"), wide=True)
        assert snap_compare(app, terminal_size=size, run_before=pressing("j", "space"))


class TestThemes:
    @pytest.mark.parametrize("theme", ["textual-light", "catppuccin-latte"])
    def test_light_theme(self, snap_compare: SnapCompare, make_app: MakeApp, theme: str) -> None:
        app = make_app(Filters(state="all"), theme=theme)
        run_before = pressing("j", "r", "j", "x", "j", "s", "j", "space")
        assert snap_compare(app, terminal_size=SIZE, run_before=run_before)

    def test_detail_focused(self, snap_compare: SnapCompare, make_app: MakeApp) -> None:
        app = make_app(Filters(state="all"))
        assert snap_compare(app, terminal_size=(80, 24), run_before=pressing("tab", "j", "j"))


def tagged(*keys: str) -> Callable[[Pilot[Any]], Awaitable[None]]:
    """A `run_before` that tags the first papers and writes a note on the first, then
    presses `keys`."""

    async def run_before(pilot: Pilot[Any]) -> None:
        from paperbrowse.tags import edit_tags, set_note

        await settle(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, MainScreen) and screen.results is not None
        ids = screen.results.ids
        edit_tags(screen.triage, ids[:3], ["to-read"], [])
        edit_tags(screen.triage, ids[1:2], ["lab-meeting"], [])
        set_note(screen.triage, ids[0], "Compare with our baseline; the held-out split is small.")
        screen.search(keep_cursor=True)
        await settle(pilot)
        await pilot.press(*keys)
        await settle(pilot)
        pilot.app.clear_notifications()

    return run_before


class TestTagsAndNotes:
    def test_list_with_tags_and_detail_with_note(
        self, snap_compare: SnapCompare, make_app: MakeApp
    ) -> None:
        app = make_app(Filters(state="all"))
        assert snap_compare(app, terminal_size=(160, 36), run_before=tagged("g"))

    def test_tag_editor(self, snap_compare: SnapCompare, make_app: MakeApp) -> None:
        app = make_app(Filters(state="all"))
        assert snap_compare(app, terminal_size=(80, 24), run_before=tagged("t", *"+lab"))

    def test_note_editor(self, snap_compare: SnapCompare, make_app: MakeApp) -> None:
        app = make_app(Filters(state="all"))
        assert snap_compare(app, terminal_size=(80, 24), run_before=tagged("n"))
