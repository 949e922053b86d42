"""Generate the README screenshots (screenshots/*.svg) from the bundled sample library.

    python scripts/screenshots.py [OUTPUT_DIR]

Builds the sample library in a temporary directory, runs the browser headless (built by the
app's own factory, `make_browser`) and saves one SVG per view: at 120x36 in the default dark
theme, at 80x24 (the size most terminals open at), and in a light theme. Never edit the SVGs by
hand: change the app, then run this again.
"""

from __future__ import annotations

import asyncio
import shutil
import sys
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from textual.pilot import Pilot
from textual.widgets import Input

from paperbrowse.indexer import index_sources
from paperbrowse.models import Filters
from paperbrowse.paths import sample_dir
from paperbrowse.sources import collect_sources
from paperbrowse.tui.app import make_browser
from paperbrowse.tui.pilot import settle

SIZE = (120, 36)
SMALL = (80, 24)
LIGHT = "catppuccin-latte"
OUTPUT = Path(__file__).resolve().parents[1] / "screenshots"
Scenario = Callable[[Pilot[Any]], Awaitable[None]]


async def main_view(pilot: Pilot[Any]) -> None:
    """The list and the detail pane, a few rows down."""
    await pilot.press("j", "j")


async def filtered_view(pilot: Pilot[Any]) -> None:
    """A keyword query: fewer papers, query terms highlighted in the detail pane."""
    query = pilot.app.screen.query_one("#query", Input)
    query.focus()
    query.value = "efficient"
    await settle(pilot)
    await pilot.press("escape")


async def help_view(pilot: Pilot[Any]) -> None:
    """The help screen: every key."""
    await pilot.press("question_mark")


async def welcome_view(pilot: Pilot[Any]) -> None:
    """An empty library: the welcome view."""


async def triaged_view(pilot: Pilot[Any]) -> None:
    """Read, hidden, starred and marked rows, as the All view shows them."""
    await pilot.press("j", "r", "j", "x", "j", "s", "j", "space", "j")


# name -> (scenario, empty library, size, theme)
SHOTS: dict[str, tuple[Scenario, bool, tuple[int, int], str | None]] = {
    "main": (main_view, False, SIZE, None),
    "filtered": (filtered_view, False, SIZE, None),
    "help": (help_view, False, SIZE, None),
    "welcome": (welcome_view, True, SIZE, None),
    "small-80x24": (main_view, False, SMALL, None),
    "light": (triaged_view, False, SIZE, LIGHT),
}


def _no_browser(url: str) -> None:
    raise RuntimeError(f"a screenshot opened {url}")


async def shoot(
    name: str,
    scenario: Scenario,
    data_dir: Path,
    output: Path,
    filters: Filters,
    size: tuple[int, int] = SIZE,
    theme: str | None = None,
) -> Path:
    """Run the browser on `data_dir` at `size` in `theme`, play `scenario`, save
    `output/name.svg`."""
    app = make_browser(
        data_dir, filters, opener=_no_browser, cursor_blink=False, use_settings=False, theme=theme
    )
    library, triage = app.library, app.triage
    try:
        async with app.run_test(size=size) as pilot:
            await settle(pilot)
            await scenario(pilot)
            await settle(pilot)
            await pilot.wait_for_scheduled_animations()
            app.clear_notifications()  # toasts expire on a clock: keep the pictures stable
            await pilot.pause()
            path = output / f"{name}.svg"
            path.write_text(app.export_screenshot(title=f"paperbrowse: {name}"), "utf-8")
    finally:
        library.close()
        triage.close()
    return path


async def generate(output: Path) -> list[Path]:
    """Every screenshot, into `output`."""
    output.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="paperbrowse-shots-") as tmp:
        sample = Path(tmp) / "sample"
        sources, problems = collect_sources([str(sample_dir())])
        if problems:
            raise RuntimeError("; ".join(problems))
        report = index_sources(sample, sources)
        if report.failures:
            raise RuntimeError(f"indexing the sample failed: {report.failures}")
        paths = []
        for name, (scenario, empty, size, theme) in SHOTS.items():
            data_dir = Path(tmp) / ("empty" if empty else name)
            if not empty:  # each shot on its own copy: triage in one never shows in another
                shutil.copytree(sample, data_dir)
            filters = Filters(state="all")
            paths.append(await shoot(name, scenario, data_dir, output, filters, size, theme))
    return paths


def main(argv: list[str]) -> int:
    """Write the screenshots; print their paths."""
    output = Path(argv[0]) if argv else OUTPUT
    for path in asyncio.run(generate(output)):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
