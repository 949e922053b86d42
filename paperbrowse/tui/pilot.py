"""Driving the browser headless with Textual's Pilot: tests, screenshots, benchmarks."""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot

from paperbrowse.tui.main_screen import MainScreen


async def settle(pilot: Pilot[Any], attempts: int = 100) -> None:
    """Wait until searches (thread workers) finished and their results are on screen, with
    the detail pane showing the highlighted paper (held while typing in the filter,
    `MainScreen.hold_detail`: shown here as a pause in typing would show it)."""
    app = pilot.app
    for _ in range(attempts):
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen = app.screen
        busy = isinstance(screen, MainScreen) and not screen.idle
        if not busy and not app.workers:
            if isinstance(screen, MainScreen) and screen.detail_held:
                screen.flush_detail()
                continue
            return
    raise AssertionError("the browser did not settle")
