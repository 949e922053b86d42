"""Measure the browser's discovery on a library, headless (Textual's Pilot), in its own process.

    python benchmarks/discovery_probe.py DATA_DIR [--stars 30] [--similar 10] [--settle 0.5]

Before the browser starts, the probe stars `--stars` papers matching "diffusion" and hides 40
others (in DATA_DIR's state.db: use a scratch library). The features must already be saved
(`python -m paperbrowse.feature_cache DATA_DIR`, timed by the caller). Then, in the browser:

- `open_for_you_s`: `0` pressed on the Inbox `--settle` seconds after it was shown, until the
  For-you list is shown (features loaded lazily, the model trained and every paper scored
  unless the browser's warm-up did it during those seconds, the Inbox ordered, the first page
  read);
- `retrain_s`: `s` on the For-you view's first paper until the view is shown again (the search,
  the retrain on the new triage, the order), per star;
- `similar_ms`: `m` until the "Similar to …" list is in the list pane (the paint follows on the
  next frame), then Esc, per paper; `similar_idle_ms`: until the Pilot's `press` returned
  (it also waits for the whole process to go idle: an upper bound);
- `rss_mb`: the process's peak RSS; `rss_before_mb`: its RSS on the Inbox, before `0`.

Prints one JSON object.
"""

from __future__ import annotations

import asyncio
import json
import random
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from benchmarks.browser_probe import peak_rss_mb  # noqa: E402


def current_rss_mb() -> float:
    """This process's RSS now (VmRSS)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def prepare(data_dir: Path, stars: int) -> None:
    """Star `stars` papers about diffusion and hide 40 random others."""
    from paperbrowse.library import Library
    from paperbrowse.models import Filters
    from paperbrowse.triage import TriageStore

    library = Library(data_dir)
    ids = library.search(Filters(query="diffusion", limit=stars)).ids
    rng = random.Random(0)
    others = [library.catalog.ids[d] for d in rng.sample(library.catalog.live, 40)]
    library.close()
    triage = TriageStore(data_dir / "state.db")
    triage.set(ids, "starred", True)
    triage.set([i for i in others if i not in ids], "hidden", True)
    triage.close()


async def probe(
    data_dir: Path, similar: int, retrains: int, settle: float = 0.5
) -> dict[str, object]:
    """Open the browser, time `0`, `s` in For you, and `m`."""
    from paperbrowse.models import Filters
    from paperbrowse.tui.app import make_browser
    from paperbrowse.tui.main_screen import MainScreen

    shown: dict[int, float] = {}
    similar_shown: list[float] = []
    original = MainScreen._show_results
    original_similar = MainScreen.show_similar_results

    def record_similar(self: MainScreen, *args: object) -> None:
        original_similar(self, *args)  # type: ignore[arg-type]
        similar_shown.append(time.time())

    def record(self: MainScreen, generation: int, *args: object) -> None:
        original(self, generation, *args)  # type: ignore[arg-type]
        if generation == self._generation:
            shown[generation] = time.time()

    MainScreen._show_results = record  # type: ignore[method-assign]
    MainScreen.show_similar_results = record_similar  # type: ignore[method-assign]
    app = make_browser(data_dir, Filters(state="inbox"), cursor_blink=False, use_settings=False)
    out: dict[str, object] = {}
    async with app.run_test(size=(120, 36)) as pilot:
        while not shown:
            await asyncio.sleep(0.002)
        screen = app.screen
        assert isinstance(screen, MainScreen)
        await asyncio.sleep(settle)
        out["rss_before_mb"] = current_rss_mb()
        t0 = time.time()
        await pilot.press("0")
        out["open_for_you_s"] = await _shown_after(screen, shown, t0)
        out["message"] = screen.message
        times = []
        for _ in range(retrains):
            t0 = time.time()
            await pilot.press("s")
            times.append(await _shown_after(screen, shown, t0))
        out["retrain_s"] = times
        lat = []
        idle = []
        for _ in range(similar):
            await pilot.press("j")
            similar_shown.clear()
            t0 = time.time()
            await pilot.press("m")
            idle.append((time.time() - t0) * 1000)
            while not similar_shown and time.time() - t0 < 30:
                await asyncio.sleep(0.001)
            lat.append((similar_shown[0] - t0) * 1000 if similar_shown else float("nan"))
            await pilot.press("escape")
            while screen.similar_mode is not None:
                await asyncio.sleep(0.001)
            await asyncio.sleep(0.05)
        out["similar_ms"] = lat
        out["similar_idle_ms"] = idle
        out["rss_mb"] = peak_rss_mb()
    return out


async def _shown_after(screen: object, shown: dict[int, float], t0: float) -> float:
    """Seconds from t0 until the current generation's results are shown."""
    deadline = t0 + 60
    while time.time() < deadline:
        gen = screen._generation  # type: ignore[attr-defined]
        if gen in shown and shown[gen] >= t0 and screen.idle:  # type: ignore[attr-defined]
            return shown[gen] - t0
        await asyncio.sleep(0.001)
    return float("nan")


def main() -> int:
    """Prepare the triage, run the probe, print its JSON."""
    data_dir = Path(sys.argv[1])
    stars = int(sys.argv[sys.argv.index("--stars") + 1]) if "--stars" in sys.argv else 30
    similar = int(sys.argv[sys.argv.index("--similar") + 1]) if "--similar" in sys.argv else 10
    settle = float(sys.argv[sys.argv.index("--settle") + 1]) if "--settle" in sys.argv else 0.5
    prepare(data_dir, stars)
    print(json.dumps(asyncio.run(probe(data_dir, similar, retrains=5, settle=settle))))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
