"""The browser shows papers that an index run commits while it is open."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from textual.widgets import Tabs

from paperbrowse.library import Library
from paperbrowse.models import Filters
from paperbrowse.tui import library_watch
from paperbrowse.tui.app import make_browser
from paperbrowse.tui.main_screen import MainScreen
from tests.indexing import first_dump_library


async def test_new_papers_appear_without_a_key(
    tmp_path: Path, sample_dir: Path, monkeypatch
) -> None:
    monkeypatch.setattr(library_watch, "WATCH_SECONDS", 0.2)
    data, dumps, second = first_dump_library(tmp_path, sample_dir)
    app = make_browser(data, Filters(state="all"), cursor_blink=False, use_settings=False)
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
        # Another process indexes a second dump; the browser stays usable while it runs.
        shutil.copy(second, dumps)
        indexer = subprocess.Popen(
            [sys.executable, "-m", "paperbrowse", "--data-dir", str(data), "index", str(dumps)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        moves = 0
        while indexer.poll() is None and moves < 40:
            cursor, shown = screen.paper_list.cursor, len(screen.results or [])
            await pilot.press("j")
            await pilot.pause(0.02)
            reloaded = len(screen.results or []) != shown  # the commit landed: cursor follows
            assert reloaded or screen.paper_list.cursor == cursor + 1  # keys act at once
            moves += 1
        assert indexer.wait(60) == 0
        await pilot.press("g")
        for _ in range(100):
            await pilot.pause(0.05)
            if screen.results is not None and len(screen.results) > before:
                break
        assert screen.results is not None and len(screen.results) > before
        expected = len(Library(data).search(Filters()))
        assert len(screen.results) == expected
        assert moves > 0


async def test_triage_from_another_process_updates_the_tabs_and_list_without_a_key(
    tmp_path: Path, sample_dir: Path, monkeypatch
) -> None:
    """`paperbrowse star ID` in another terminal while the browser is open: within the
    library watch's period the Starred tab counts it and the Starred view lists it, no `R`."""
    monkeypatch.setattr(library_watch, "WATCH_SECONDS", 0.2)
    data, _dumps, _second = first_dump_library(tmp_path, sample_dir)
    app = make_browser(data, Filters(state="starred"), cursor_blink=False, use_settings=False)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = app.screen
        assert isinstance(screen, MainScreen)
        tabs = screen.query_one(Tabs)

        def starred_label() -> str:
            tab = tabs.get_tab("starred")
            return tab.label_text if tab is not None else ""

        for _ in range(100):
            await pilot.pause(0.05)
            if starred_label() == "2 Starred 0" and screen.results is not None:
                break
        assert starred_label() == "2 Starred 0" and len(screen.results or []) == 0
        paper = Library(data).search(Filters()).ids[0]
        star = subprocess.run(
            [sys.executable, "-m", "paperbrowse", "--data-dir", str(data), "star", paper],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert star.returncode == 0, star.stderr
        for _ in range(100):
            await pilot.pause(0.05)
            shown = screen.results.ids if screen.results is not None else []
            if starred_label() == "2 Starred 1" and shown == [paper]:
                break
        assert starred_label() == "2 Starred 1"
        assert screen.results is not None and screen.results.ids == [paper]
