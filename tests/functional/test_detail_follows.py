"""While the user types in the filter, the list shows each keystroke's results at once and the
detail pane follows once typing pauses (or the focus leaves the filter bar); the list's
scrollbar follows its row count without a layout of the screen. Pilot tests on the sample
library; the expected papers come from the library itself (`Library.search`), not from the
browser."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from textual import events
from textual.pilot import Pilot

from paperbrowse.library import Library
from paperbrowse.models import Filters
from paperbrowse.tui import main_screen
from paperbrowse.tui.app import PaperBrowser
from paperbrowse.tui.main_screen import MainScreen
from paperbrowse.tui.paper_detail import PaperDetail
from paperbrowse.tui.paper_list import PaperList
from paperbrowse.tui.pilot import settle
from tests.functional.pilot_helpers import ids, main

MakeApp = Callable[..., PaperBrowser]


def library_ids(data_dir: Path, query: str) -> list[str]:
    """What the library returns for `query` in the All view, newest first (the browser's
    order for a typed query)."""
    library = Library(data_dir)
    try:
        return library.search(Filters(query=query, sort="date")).ids
    finally:
        library.close()


async def results_in(pilot: Pilot[Any]) -> None:
    """Wait until the searches finished and their results are listed, without `settle`
    (which shows a held detail pane, as a pause in typing would)."""
    app = pilot.app
    for _ in range(200):
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        if main(app).idle and not app.workers:  # type: ignore[arg-type]
            return
    raise AssertionError("the searches did not finish")


@asynccontextmanager
async def browsing(app: PaperBrowser) -> AsyncIterator[tuple[Pilot[Any], MainScreen, PaperDetail]]:
    """`app` running at 120x36, settled on its first results: (pilot, main screen, detail pane)."""
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        screen = main(app)
        yield pilot, screen, screen.query_one(PaperDetail)


def shown_id(detail: PaperDetail) -> str | None:
    return detail.paper.id if detail.paper else None


async def test_typing_holds_the_detail_and_leaving_the_filter_shows_it_at_once(
    make_app: MakeApp, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(main_screen, "DETAIL_QUIET", 60.0)  # typing never pauses here
    expected = library_ids(data_dir, "speech")
    app = make_app(Filters(state="all"))
    async with browsing(app) as (pilot, screen, detail):
        first = shown_id(detail)
        assert first is not None and first == screen.current.id  # type: ignore[union-attr]
        assert expected and expected[0] != first
        await pilot.press("slash", *"speech")
        await results_in(pilot)
        assert ids(app) == expected  # the list has each keystroke's results at once
        assert screen.detail_held and shown_id(detail) == first  # the pane waits
        await pilot.press("escape")  # the focus goes to the list: the pane follows now
        await pilot.pause()
        assert not screen.detail_held
        assert shown_id(detail) == expected[0]


async def test_a_move_of_the_users_own_from_the_filter_shows_at_once(
    make_app: MakeApp, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(main_screen, "DETAIL_QUIET", 60.0)
    expected = library_ids(data_dir, "speech")
    app = make_app(Filters(state="all"))
    async with browsing(app) as (pilot, screen, detail):
        await pilot.press("slash", *"speech")
        await results_in(pilot)
        assert screen.detail_held
        await pilot.press("down")  # the list's cursor, from the filter: no waiting for a pause
        await pilot.pause()
        assert not screen.detail_held and shown_id(detail) == expected[1]
        assert app.focused is not None and app.focused.id == "query"
        await pilot.press("q")  # typing again: "speechq" matches nothing, the pane waits
        await results_in(pilot)
        assert ids(app) == library_ids(data_dir, "speechq") == []
        assert screen.detail_held and shown_id(detail) == expected[1]


async def test_the_detail_follows_once_typing_pauses(
    make_app: MakeApp, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(main_screen, "DETAIL_QUIET", 0.05)
    expected = library_ids(data_dir, "speech")
    app = make_app(Filters(state="all"))
    async with browsing(app) as (pilot, _, detail):
        assert expected and shown_id(detail) != expected[0]
        await pilot.press("slash", *"speech")
        await results_in(pilot)
        for _ in range(100):  # the quiet period, on the app's clock (not settle's flush)
            if shown_id(detail) == expected[0]:
                break
            await pilot.pause(0.05)
        assert shown_id(detail) == expected[0]
        assert app.focused is not None and app.focused.id == "query"  # still typing


async def test_a_filter_without_results_empties_the_detail_when_typing_pauses(
    make_app: MakeApp, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(main_screen, "DETAIL_QUIET", 60.0)
    assert library_ids(data_dir, "zzzzqqq") == []
    app = make_app(Filters(state="all"))
    async with browsing(app) as (pilot, screen, detail):
        first = shown_id(detail)
        await pilot.press("slash", *"zzzzqqq")
        await results_in(pilot)
        assert ids(app) == [] and shown_id(detail) == first
        await settle(pilot)  # the test hook: what a pause in typing shows
        assert shown_id(detail) is None


def thumb_rows(papers: PaperList) -> list[int]:
    """The lines on which the list draws its scrollbar's thumb (a bar glyph, or a reversed
    cell, in its last column); fails unless every line has that column."""
    rows = []
    for y in range(papers.scrollable_content_region.height):
        strip = papers.render_line(y)
        assert strip.cell_length == papers.rows_width + 1
        cell = list(strip.crop(papers.rows_width))
        assert len(cell) == 1
        if cell[0].text != " " or (cell[0].style and cell[0].style.reverse):
            rows.append(y)
    return rows


async def test_the_list_scrollbar_follows_the_row_count(make_app: MakeApp, data_dir: Path) -> None:
    everything = library_ids(data_dir, "")
    few = library_ids(data_dir, "speech")
    app = make_app(Filters(state="all"))
    async with app.run_test(size=(120, 20)) as pilot:
        await settle(pilot)
        papers = main(app).query_one(PaperList)
        height = papers.scrollable_content_region.height
        full = papers.scrollable_content_region.width
        assert len(few) < height < len(everything)
        assert papers.bar_shown and papers.rows_width == full - 1
        top = thumb_rows(papers)
        assert top and max(top) < height // 2
        await pilot.press("G")  # the last paper: the thumb goes to the bottom
        await settle(pilot)
        assert papers.scroll_offset.y == len(everything) - height
        bottom = thumb_rows(papers)
        assert bottom and min(bottom) >= height // 2
        await pilot.press("slash", *"speech")
        await settle(pilot)
        assert papers.count == len(few) and papers.scroll_offset.y == 0
        assert not papers.bar_shown and papers.rows_width == full  # the rows take its column
        assert all(papers.render_line(y).cell_length == full for y in range(height))
        await pilot.press("ctrl+u")  # the filter emptied: every paper again
        await settle(pilot)
        assert papers.count == len(everything) and papers.bar_shown
        assert thumb_rows(papers) == top


async def test_a_move_typed_before_the_results_arrive_shows_where_it_led_at_once(
    make_app: MakeApp, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`speech` then ↓ in one burst, the last keystroke's search still on its way when ↓ is
    pressed: the move is applied to the new results (their second paper), the user's own
    choice, so the detail pane shows it as soon as they are listed rather than after a pause
    (it showed the old list's second paper, or nothing, for the quiet period)."""
    monkeypatch.setattr(main_screen, "DETAIL_QUIET", 60.0)
    expected = library_ids(data_dir, "speech")
    app = make_app(Filters(state="all"))
    async with browsing(app) as (pilot, screen, detail):
        await pilot.press("slash", *"speec")
        await results_in(pilot)
        gate = threading.Event()
        search = screen.library.search

        def held_search(*args: Any, **kwargs: Any) -> Any:
            gate.wait(10)  # on its way until the test opens the gate
            return search(*args, **kwargs)

        monkeypatch.setattr(screen.library, "search", held_search)
        # The keys as a terminal sends them, without Pilot's wait for the app to be idle.
        app.post_message(events.Key("h", "h"))
        app.post_message(events.Key("down", None))
        for _ in range(100):
            await asyncio.sleep(0.01)
            if screen.moved_since_results:
                break
        assert not screen.idle and screen.moved_since_results  # ↓ came before the results
        gate.set()
        await results_in(pilot)
        assert ids(app) == expected
        assert screen.paper_list.cursor == 1
        assert not screen.detail_held and shown_id(detail) == expected[1]
        assert app.focused is not None and app.focused.id == "query"
