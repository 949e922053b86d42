"""The browser while an `index` run changes the document numbers under it: the highlighted
paper is read before the library moves to the new generation, and rows and papers of the
results shown until the new ones arrive are never read by their old document numbers (that
read another paper, or crashed with an IndexError past the new generation's end)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

from textual.pilot import Pilot

from paperbrowse.indexer import index_sources
from paperbrowse.library import Library
from paperbrowse.models import Filters
from paperbrowse.sources import Source
from paperbrowse.tui.app import make_browser
from paperbrowse.tui.main_screen import MainScreen
from paperbrowse.tui.shown_results import PENDING_ROW
from tests.api_records import api_records, capture
from tests.indexing import index_into


async def _results(pilot: Pilot[Any], screen: MainScreen, generation: int) -> None:
    """Wait for results of the library's `generation`."""
    for _ in range(200):
        await pilot.pause(0.05)
        results = screen.results
        if results is not None and not results.stale and screen.library.generation == generation:
            return
    raise AssertionError("no results")


@asynccontextmanager
async def _browser(data: Path) -> AsyncIterator[tuple[Pilot[Any], MainScreen]]:
    """The browser on the library at `data` (all papers, 120x36), once its first results are
    shown; the app is still running when the block ends."""
    app = make_browser(data, Filters(state="all"), cursor_blink=False, use_settings=False)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = app.screen
        assert isinstance(screen, MainScreen)
        await _results(pilot, screen, screen.library.generation)
        yield pilot, screen
        assert app.is_running


async def test_a_rebuild_that_renumbers_the_highlighted_paper(tmp_path: Path) -> None:
    records = api_records()[:30]
    # a.txt: the 10 newest papers, listed above b.txt's (date order), numbered first
    first = [capture(r, "daily", "a.txt") for r in records[20:]]
    second = [capture(r, "daily", "b.txt") for r in records[:20]]
    data = tmp_path / "data"
    index_into(Library(data), [Source("a.txt", None, records=first)])
    index_into(Library(data), [Source("b.txt", None, records=second)])
    async with _browser(data) as (pilot, screen):
        assert screen.results is not None
        docnums = screen.results.docnums
        last = docnums.index(max(docnums))  # b.txt's last paper: past a 20-paper generation
        screen.paper_list.move_to(last)
        await pilot.pause(0.1)
        highlighted = screen.current
        assert highlighted is not None and highlighted.id in {p.id for p in second}
        above = set(screen.result_ids()[:last]) & {p.id for p in first}
        assert above  # a.txt's papers stand above it: the rebuild moves it up the list
        # Another process rebuilds the library without a.txt: 20 papers, numbered anew.
        index_sources(data, [Source("b.txt", None, records=second)], rebuild=True, forget=["a.txt"])
        generation = screen.library.generation
        screen.watch_library()  # what the timer calls
        assert screen.library.generation != generation
        # Until the new results arrive the old ones are stale: no paper, no row read anew.
        if screen.results is not None and screen.results.stale:
            assert screen.current is None
            assert screen.result_ids() == []
            unread = [i for i in range(len(screen.results)) if screen.results.kept_row(i) is None]
            if unread:
                assert screen.row_at(unread[0]) is PENDING_ROW
        await _results(pilot, screen, screen.library.generation)
        assert screen.results is not None and len(screen.results) == 20
        now = screen.current
        assert now is not None and now.id == highlighted.id  # the cursor followed the paper


async def test_undo_after_an_index_run_renamed_the_paper(tmp_path: Path) -> None:
    """`s`, then an index run re-words the paper's title (its id follows the title: the star
    moves to the new id), then `u`: the star is taken off the paper under its new id."""
    records = api_records()[:5]
    papers = [capture(r, "daily", "a.txt") for r in records]
    data = tmp_path / "data"
    index_into(Library(data), [Source("a.txt", None, records=papers)])
    async with _browser(data) as (pilot, screen):
        starred = screen.current
        assert starred is not None and starred.arxiv_id is None
        await pilot.press("s")
        await pilot.pause(0.1)
        assert screen.triage.get(starred.id).starred
        reworded = [
            replace(p, title=f"{p.title} (revised)") if p.id == starred.id else p for p in papers
        ]
        index_sources(data, [Source("a.txt", None, records=reworded)])
        screen.watch_library()
        await _results(pilot, screen, screen.library.generation)
        now = screen.library.get(starred.id)  # the old id finds the paper under its new one
        assert now is not None and now.id != starred.id
        assert screen.triage.get(now.id).starred  # the star moved with it
        await pilot.press("u")
        await pilot.pause(0.1)
        assert not screen.triage.get(now.id).starred
        assert not screen.triage.get(starred.id).starred
