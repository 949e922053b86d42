"""Generate the README screenshots (screenshots/*.svg) from the bundled sample library.

    python scripts/screenshots.py [OUTPUT_DIR]

Builds the sample library in a temporary directory, runs the browser headless at 120x36 and
saves one SVG per view. Never edit the SVGs by hand: change the app, then run this again.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from textual.pilot import Pilot
from textual.widgets import Input

from paperbrowse.indexer import collect_sources
from paperbrowse.library import Library
from paperbrowse.models import Filters
from paperbrowse.paths import sample_dir
from paperbrowse.triage import TriageStore
from paperbrowse.tui.app import PaperBrowser
from paperbrowse.tui.pilot import settle

SIZE = (120, 36)
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


SHOTS: dict[str, tuple[Scenario, bool]] = {  # name -> (scenario, empty library)
    "main": (main_view, False),
    "filtered": (filtered_view, False),
    "help": (help_view, False),
    "welcome": (welcome_view, True),
}


def _no_browser(url: str) -> None:
    raise RuntimeError(f"a screenshot opened {url}")


async def shoot(
    name: str, scenario: Scenario, data_dir: Path, output: Path, filters: Filters
) -> Path:
    """Run the browser on `data_dir`, play `scenario`, save `output/name.svg`."""
    library = Library(data_dir)
    triage = TriageStore(data_dir / "state.db")
    app = PaperBrowser(library, triage, filters, opener=_no_browser, cursor_blink=False)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await scenario(pilot)
            await settle(pilot)
            await pilot.wait_for_scheduled_animations()
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
        library = Library(sample)
        report = library.index(sources)
        library.close()
        if report.failures:
            raise RuntimeError(f"indexing the sample failed: {report.failures}")
        paths = []
        for name, (scenario, empty) in SHOTS.items():
            data_dir = Path(tmp) / "empty" if empty else sample
            filters = Filters(state="all")
            paths.append(await shoot(name, scenario, data_dir, output, filters))
    return paths


def main(argv: list[str]) -> int:
    """Write the screenshots; print their paths."""
    output = Path(argv[0]) if argv else OUTPUT
    for path in asyncio.run(generate(output)):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
