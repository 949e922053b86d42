"""Fixtures for the Pilot tests: the sample library indexed once, copied per test, and a factory
that builds a `PaperBrowser` on a copy with a fake opener (no real browser is ever started)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from paperbrowse.library import Library
from paperbrowse.models import Filters
from paperbrowse.paths import sample_dir
from paperbrowse.sources import collect_sources
from paperbrowse.triage import TriageStore
from paperbrowse.tui.app import PaperBrowser, make_browser
from tests.indexing import index_into

REPO = Path(__file__).resolve().parents[2]
RunBenchmark = Callable[..., "subprocess.CompletedProcess[str]"]


class FakeOpener:
    """Records the URLs the browser asks to open."""

    def __init__(self) -> None:
        self.urls: list[str] = []

    def __call__(self, url: str) -> None:
        self.urls.append(url)


def index_dumps(data_dir: Path, *paths: Path) -> Library:
    """A library in `data_dir` with the dumps at `paths` indexed."""
    sources, problems = collect_sources([str(p) for p in paths])
    assert not problems
    library = Library(data_dir)
    report = index_into(library, sources)
    assert not report.failures
    return library


@pytest.fixture(name="index_dumps", scope="session")
def index_dumps_fixture() -> Callable[..., Library]:
    """`index_dumps(data_dir, *paths)`: a library with those dumps indexed."""
    return index_dumps


@pytest.fixture(scope="session")
def browser_sample_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample dumps indexed once per session. Never written to: tests use copies."""
    data_dir = tmp_path_factory.mktemp("browser-sample") / "data"
    index_dumps(data_dir, sample_dir()).close()
    return data_dir


@pytest.fixture
def data_dir(browser_sample_dir: Path, tmp_path: Path) -> Path:
    """A private copy of the indexed sample library (triage may be written to it)."""
    target = tmp_path / "data"
    shutil.copytree(browser_sample_dir, target)
    return target


@pytest.fixture
def make_app(
    data_dir: Path,
) -> Iterator[Callable[..., PaperBrowser]]:
    """Build a browser with the app's own factory: `make_app(filters=None, data_dir=None,
    opener=None, settings=False, theme=None)`.

    The app's opener is a `FakeOpener` unless one is given; `cursor_blink` is off; the settings
    file is neither read nor written unless `settings` (it is in the test's temp config dir)."""
    opened: list[tuple[Library, TriageStore]] = []

    def build(
        filters: Filters | None = None,
        data_dir: Path = data_dir,
        opener: Callable[[str], None] | None = None,
        settings: bool = False,
        theme: str | None = None,
    ) -> PaperBrowser:
        app = make_browser(
            data_dir,
            filters,
            opener=opener or FakeOpener(),
            cursor_blink=False,
            use_settings=settings,
            theme=theme,
        )
        opened.append((app.library, app.triage))
        return app

    yield build
    for library, triage in opened:
        library.close()
        triage.close()


def run_benchmark(script: str, *args: str, timeout: float) -> subprocess.CompletedProcess[str]:
    """Run `benchmarks/SCRIPT ARGS…` from the repo root with this Python, its output captured
    as text; fails the test when it runs past `timeout` seconds."""
    return subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / script), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=REPO,
    )


@pytest.fixture(name="run_benchmark", scope="session")
def run_benchmark_fixture() -> RunBenchmark:
    """`run_benchmark(script, *args, timeout=seconds)`: a benchmark harness run end to end."""
    return run_benchmark


@pytest.fixture
def small_tmpfs(tmp_path: Path) -> Iterator[Path]:
    """A 24 MB tmpfs (the sample library takes about 4 MB). Needs root and mount rights."""
    mount = tmp_path / "tmpfs"
    mount.mkdir()
    if os.geteuid() != 0 or not shutil.which("mount"):
        pytest.skip("mounting a tmpfs needs root")
    proc = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=24m,mode=0700", "tmpfs", str(mount)],
        capture_output=True,
    )
    if proc.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {proc.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)
