"""What the browser does to start fast and stay fast (tui/collector.py, the library watch in
tui/main_screen.py): the garbage collector is paused until the first results and frozen then,
and left as it was when the app stops; the 2-second library watch reads stat data, and asks
the library (which parses the manifest) only after an index run changed the data dir."""

from __future__ import annotations

import gc
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from paperbrowse.indexer import index_sources
from paperbrowse.library import Library
from paperbrowse.models import Filters
from paperbrowse.sources import collect_sources
from paperbrowse.tui import library_watch
from paperbrowse.tui.app import PaperBrowser, make_browser
from paperbrowse.tui.library_watch import library_files
from paperbrowse.tui.main_screen import MainScreen
from paperbrowse.tui.pilot import settle
from tests.indexing import first_dump_library


async def test_collection_is_paused_until_the_first_results_then_restored(
    make_app: Callable[..., PaperBrowser], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert gc.isenabled() and gc.get_freeze_count() == 0
    during: list[bool] = []  # the collector's state as each search runs
    search = Library.search

    def recording(self: Library, *args: object, **kwargs: object) -> object:
        during.append(gc.isenabled())
        return search(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Library, "search", recording)
    app = make_app(Filters(state="all"))
    async with app.run_test(size=(120, 36)) as pilot:
        screen = app.screen
        assert isinstance(screen, MainScreen)
        await settle(pilot)
        assert screen.results is not None and len(screen.results) > 0
        assert gc.isenabled()
        assert gc.get_freeze_count() > 0  # what was alive at the first results
        await pilot.press("slash", "p")
        await settle(pilot)
    assert during[0] is False  # the first search: no collection
    assert during[-1] is True  # the query typed after the first results
    assert gc.isenabled() and gc.get_freeze_count() == 0


async def test_a_collector_disabled_by_the_caller_stays_disabled(
    make_app: Callable[..., PaperBrowser],
) -> None:
    gc.disable()
    try:
        app = make_app(Filters(state="all"))
        async with app.run_test(size=(120, 36)) as pilot:
            await settle(pilot)
            assert not gc.isenabled() and gc.get_freeze_count() == 0
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_library_files_change_with_an_index_run_that_writes_and_not_otherwise(
    tmp_path: Path, sample_dir: Path
) -> None:
    data, dumps, second = first_dump_library(tmp_path, sample_dir)
    before = library_files(data)
    assert before is not None
    assert [name for name, *_ in before] == ["index-1", "library.json"]
    assert library_files(data) == before
    shutil.copy(second, dumps)
    index_sources(data, collect_sources([str(dumps)])[0])
    assert library_files(data) != before
    assert library_files(tmp_path / "missing") is None


async def test_the_library_watch_parses_the_manifest_only_after_a_change(
    tmp_path: Path, sample_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(library_watch, "WATCH_SECONDS", 0.05)
    data, dumps, second = first_dump_library(tmp_path, sample_dir)
    asked: list[bool] = []
    has_update = Library.has_update

    def counting(self: Library) -> bool:
        found = has_update(self)
        asked.append(found)
        return found

    monkeypatch.setattr(Library, "has_update", counting)
    app = make_browser(data, Filters(state="all"), cursor_blink=False, use_settings=False)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = app.screen
        assert isinstance(screen, MainScreen)
        await settle(pilot)
        before = len(screen.results or [])
        await pilot.pause(0.6)  # about twelve watches
        assert asked == [False]  # once; then the data dir's stat data said "unchanged"
        shutil.copy(second, dumps)
        index_sources(data, collect_sources([str(dumps)])[0])
        for _ in range(100):
            await pilot.pause(0.05)
            if screen.results is not None and len(screen.results) > before:
                break
        assert screen.results is not None and len(screen.results) > before
        assert True in asked
