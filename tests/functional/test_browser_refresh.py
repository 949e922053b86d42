"""The browser shows papers that an index run commits while it is open."""

from __future__ import annotations

import shutil
from pathlib import Path

from paperbrowse.indexer import collect_sources
from paperbrowse.library import Library
from paperbrowse.models import Filters
from paperbrowse.triage import TriageStore
from paperbrowse.tui import main_screen
from paperbrowse.tui.app import PaperBrowser
from paperbrowse.tui.main_screen import MainScreen


async def test_new_papers_appear_without_a_key(
    tmp_path: Path, sample_dir: Path, monkeypatch
) -> None:
    monkeypatch.setattr(main_screen, "WATCH_SECONDS", 0.2)
    first, second = sorted(sample_dir.glob("*.txt"))[:2]
    dumps = tmp_path / "dumps"
    dumps.mkdir()
    shutil.copy(first, dumps)
    data = tmp_path / "lib"
    Library(data).index(collect_sources([str(dumps)])[0])
    app = PaperBrowser(
        Library(data), TriageStore(data / "state.db"), Filters(state="all"), cursor_blink=False
    )
    async with app.run_test(size=(120, 36)) as pilot:
        screen = app.screen
        assert isinstance(screen, MainScreen)
        for _ in range(100):
            await pilot.pause(0.05)
            if screen.results is not None:
                break
        assert screen.results is not None
        before = len(screen.results)
        highlighted = screen.current
        assert highlighted is not None
        # Another process (here: another Library on the same data dir) indexes a second dump.
        shutil.copy(second, dumps)
        Library(data).index(collect_sources([str(dumps)])[0])
        for _ in range(100):
            await pilot.pause(0.05)
            if screen.results is not None and len(screen.results) > before:
                break
        assert screen.results is not None and len(screen.results) > before
        expected = len(Library(data).search(Filters()))
        assert len(screen.results) == expected
        assert screen.current is not None and screen.current.id == highlighted.id
