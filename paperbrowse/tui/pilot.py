"""Driving the browser headless with Textual's Pilot: tests, screenshots, benchmarks."""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot

from paperbrowse.tui.main_screen import MainScreen


async def settle(pilot: Pilot[Any], attempts: int = 100) -> None:
    """Wait until searches (thread workers) finished and their results are on screen."""
    app = pilot.app
    for _ in range(attempts):
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen = app.screen
        busy = isinstance(screen, MainScreen) and not screen.idle
        if not busy and not app.workers:
            return
    raise AssertionError("the browser did not settle")
