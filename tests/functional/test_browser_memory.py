"""The browser hands the side files' mapped pages back to the kernel once its searches pause
(tui/search_runner.py `RELEASE_IDLE`, on the library watch's tick; engine/mapped_pages.py)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from paperbrowse.engine import mapped_pages
from paperbrowse.engine.mapped_pages import MappedPages
from paperbrowse.library import Library
from paperbrowse.models import Filters
from paperbrowse.triage import TriageStore
from paperbrowse.tui import library_watch, search_runner
from paperbrowse.tui.app import PaperBrowser
from paperbrowse.tui.pilot import settle
from tests.functional.pilot_helpers import ids


def test_pages_are_released_once_the_searches_pause(
    library_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pages = MappedPages()
    monkeypatch.setattr(mapped_pages, "PAGES", pages)
    monkeypatch.setattr(search_runner, "RELEASE_IDLE", 0.2)
    monkeypatch.setattr(library_watch, "WATCH_SECONDS", 0.1)  # the tick that releases
    library = Library(library_copy)  # a copy: the browser records its looks in the data dir
    expected = library.search(Filters(query="*ing", state="all", sort="date")).ids
    triage = TriageStore(tmp_path / "state.db")
    app = PaperBrowser(library, triage, Filters(state="all"), cursor_blink=False)

    async def run() -> None:
        async with app.run_test(size=(120, 36)) as pilot:
            await settle(pilot)
            await asyncio.sleep(0.3)  # the first results' pause has come and gone
            await pilot.pause()
            before = pages.releases
            await pilot.press("slash", *"*ing")
            await settle(pilot)
            assert ids(app) == expected  # results as without releases
            await asyncio.sleep(0.3)  # the searches paused
            await pilot.pause()
            assert pages.releases > before
            assert len(pages) > 0  # the library's maps were registered, and released

    try:
        asyncio.run(run())
    finally:
        triage.close()
        library.close()
