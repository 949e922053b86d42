"""Measure the browser on a library, headless (Textual's Pilot), in its own process.

    python benchmarks/browser_probe.py DATA_DIR START_EPOCH [--keys 40]

Prints one JSON object: `first_paint_s` is from START_EPOCH (the parent's clock just before it
spawned this process, so Python and Textual start-up count) until the list first shows results;
`filter_ms` holds, per keystroke typed into the filter input, the time from the key press until
the list shows the results for the text typed so far. `rss_mb` is this process's peak RSS.
`first_paint_cpu_s` and `filter_cpu_ms` are the same spans in this process's CPU time (all its
threads): on a machine shared with other work they vary far less than the wall-clock figures.
"""

from __future__ import annotations

import asyncio
import json
import resource
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

WORDS = ["efficient", "diffusion", "language model", "transformer", "reinforcement", "video"]


def peak_rss_mb() -> float:
    """This process's peak RSS since exec (VmHWM); ru_maxrss would include the pre-exec image
    of the parent it was forked from."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def probe(data_dir: Path, start: float, keys: int) -> dict[str, object]:
    """Launch the app, wait for first results, then type queries and time each keystroke.
    It starts the browser as `paperbrowse browse` does (cli._run_browser): the garbage
    collector paused before the browser's modules load."""
    from paperbrowse.tui import collector

    collector.pause()
    from paperbrowse.models import Filters
    from paperbrowse.tui.app import make_browser
    from paperbrowse.tui.main_screen import MainScreen

    shown: dict[int, float] = {}
    shown_cpu: dict[int, float] = {}
    original = MainScreen._show_results

    def record(self: MainScreen, generation: int, *args: object) -> None:
        original(self, generation, *args)  # type: ignore[arg-type]
        if generation == self._generation:
            shown[generation] = time.time()
            shown_cpu[generation] = time.process_time()

    MainScreen._show_results = record  # type: ignore[method-assign]
    app = make_browser(data_dir, Filters(state="all"), cursor_blink=False, use_settings=False)
    latencies: list[float] = []
    cpu: list[float] = []
    async with app.run_test(size=(120, 36)) as pilot:
        while not shown:
            await asyncio.sleep(0.002)
        first_paint = min(shown.values()) - start
        first_paint_cpu = min(shown_cpu.values())
        screen = app.screen
        assert isinstance(screen, MainScreen)
        await pilot.press("slash")
        typed = 0
        for word in WORDS:
            await pilot.press("ctrl+a", "ctrl+k")  # clear the input (an update of its own)
            await _until_shown(screen, shown)
            for ch in word:
                if typed >= keys:
                    break
                t0, c0 = time.time(), time.process_time()
                await pilot.press("space" if ch == " " else ch)
                generation = screen._generation
                await _until_shown(screen, shown, generation)
                latencies.append((shown.get(generation, time.time()) - t0) * 1000)
                cpu.append((shown_cpu.get(generation, time.process_time()) - c0) * 1000)
                typed += 1
        rss_mb = peak_rss_mb()
    return {
        "first_paint_s": first_paint,
        "filter_ms": latencies,
        "rss_mb": rss_mb,
        "first_paint_cpu_s": first_paint_cpu,
        "filter_cpu_ms": cpu,
    }


async def _until_shown(
    screen: object, shown: dict[int, float], generation: int | None = None, timeout: float = 10
) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        gen = generation if generation is not None else screen._generation  # type: ignore[attr-defined]
        if gen in shown or screen.message:  # type: ignore[attr-defined]
            return
        await asyncio.sleep(0.001)


def main() -> int:
    """Run the probe and print its JSON."""
    data_dir, start = Path(sys.argv[1]), float(sys.argv[2])
    keys = int(sys.argv[sys.argv.index("--keys") + 1]) if "--keys" in sys.argv else 40
    print(json.dumps(asyncio.run(probe(data_dir, start, keys))))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
