"""Shared fixtures: isolated data dirs, the bundled sample dumps, an indexed sample library; and
how a run is spread over processes (pytest-xdist, `-n auto --dist loadfile` in pyproject.toml)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from paperbrowse.library import Library
from paperbrowse.models import Paper, merge
from paperbrowse.pages import parse_file
from paperbrowse.sources import collect_sources
from tests.indexing import index_into

REPO = Path(__file__).resolve().parents[1]
SAMPLE_DIR = REPO / "paperbrowse" / "sample"
SAMPLE_FILES = sorted(SAMPLE_DIR.glob("*.txt"))

# The test files that take longest as a whole (module fixtures included), as measured by
# `pytest --durations=0` over the full suite (stop 20: test_faults 435 s of 3,096 s summed under
# load; the round trip's fixture runs two processes of its own, so it goes first). A run in
# processes hands each worker a whole file at a time (`--dist loadfile`), in collection order:
# these go out first, so that the last files handed out are short ones and the workers end
# together. Only the order changes; every test still runs.
SLOWEST_FILES = (
    "tests/unit/test_pages_roundtrip.py",
    "tests/functional/test_faults.py",
    "tests/functional/test_cli.py",
    "tests/functional/test_data_dir.py",
    "tests/functional/test_bad_input.py",
    "tests/functional/test_state_cli.py",
    "tests/functional/test_themes.py",
    "tests/functional/test_browser.py",
    "tests/functional/test_state_edges.py",
    "tests/unit/test_patterns.py",
    "tests/unit/test_corpus.py",
    "tests/snapshots/test_snapshots.py",
    "tests/functional/test_discovery_cli.py",
    "tests/functional/test_triage_disk.py",
)


def _files_named(config: pytest.Config) -> bool:
    """Whether the command line names test files (`pytest tests/unit/test_x.py`, a few of them,
    `…/test_x.py::test_y`) rather than the suite or a directory: such a run is quicker in this
    process alone than with workers that each start, import and collect first (~4 s each)."""
    files = [arg.split("::", 1)[0] for arg in config.args]
    return bool(files) and all(name.endswith(".py") for name in files)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """How many worker processes `-n auto` starts: one per CPU this process may run on (not the
    machine's count, which a container's CPU limit does not lower); none for a run of named
    files (`-n 2` still asks for two), or when `--snapshot-update` rewrites snapshots (syrupy
    removes unused snapshot files only in a run without workers).
    `PYTEST_XDIST_AUTO_NUM_WORKERS` overrides it, as pytest-xdist's own hook does."""
    override = os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS")
    if override and override.isdigit():
        return int(override)
    if _files_named(config) or config.getoption("--snapshot-update", default=False):
        return 0
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cpus = os.cpu_count() or 1
    return cpus if cpus > 1 else 0


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The files of SLOWEST_FILES first, slowest first; the others after them, in their order."""
    rank = {name: n for n, name in enumerate(SLOWEST_FILES)}

    def key(item: pytest.Item) -> int:
        path = Path(item.path).resolve().relative_to(REPO).as_posix()
        return rank.get(path, len(rank))

    items.sort(key=key)  # stable: the tests of a file keep their order


SHARED = REPO.parent / "shared"


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Say at the end of a run when ../shared (the real captures and the HF API archive) is
    not beside the checkout: the tests that read it skip, and a green run without it has not
    checked the parser against real pages (a fresh user's run passed with 168 such skips)."""
    if (SHARED / "fixtures").is_dir() and (SHARED / "data").is_dir():
        return
    skipped = [
        report
        for report in terminalreporter.stats.get("skipped", [])
        if "shared" in str(getattr(report, "longrepr", ""))
    ]
    terminalreporter.write_line(
        f"paperbrowse: {SHARED} is absent, so {len(skipped)} tests of the real captures and "
        "API records skipped (keep ../shared beside the checkout)",
        yellow=True,
    )


@pytest.fixture(autouse=True)
def isolated_dirs(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """Point the library, caches and user data at a temp dir: no test touches the real home."""
    base = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("PAPERBROWSE_DATA_DIR", str(base / "data"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(base / "cache"))
    monkeypatch.setenv("XDG_DATA_HOME", str(base / "share"))
    monkeypatch.setenv("XDG_STATE_HOME", str(base / "state"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(base / "config"))
    return base


@pytest.fixture(scope="session")
def sample_dir() -> Path:
    """The bundled sample dumps (paperbrowse/sample)."""
    return SAMPLE_DIR


@pytest.fixture(scope="session")
def sample_papers() -> dict[str, Paper]:
    """The sample dumps parsed directly (no index) and merged by id: the oracle for searches."""
    merged: dict[str, Paper] = {}
    for path in SAMPLE_FILES:
        for paper in parse_file(path).papers:
            merged[paper.id] = merge(merged[paper.id], paper) if paper.id in merged else paper
    return merged


def index_samples(data_dir: Path) -> Library:
    """A Library in `data_dir` with the sample dumps indexed."""
    library = Library(data_dir)
    sources, problems = collect_sources([str(SAMPLE_DIR)])
    assert not problems
    report = index_into(library, sources)
    assert not report.failures
    return library


@pytest.fixture(scope="session")
def sample_library_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A data dir indexed once per session from the samples. Read it; never write to it: a
    test that writes (a browser records its looks, a CLI `new` too) changes what later tests on
    the same worker read, so the session ends with an error naming the files written."""
    data_dir = tmp_path_factory.mktemp("sample-library") / "data"
    index_samples(data_dir).close()
    before = _files_of(data_dir)
    yield data_dir
    after = _files_of(data_dir)
    written = sorted(
        name for name in before.keys() | after.keys() if before.get(name) != after.get(name)
    )
    assert not written, f"tests wrote into the shared sample library: {written}"


def _files_of(data_dir: Path) -> dict[str, tuple[int, int]]:
    """{path relative to `data_dir`: (size in bytes, mtime in ns)} of every file under it."""
    return {
        str(path.relative_to(data_dir)): (path.stat().st_size, path.stat().st_mtime_ns)
        for path in data_dir.rglob("*")
        if path.is_file()
    }


@pytest.fixture
def indexed_library(sample_library_dir: Path) -> Iterator[Library]:
    """The shared sample library, for tests that only read."""
    library = Library(sample_library_dir)
    yield library
    library.close()


@pytest.fixture
def library_copy(sample_library_dir: Path, tmp_path: Path) -> Path:
    """A private copy of the sample library's data dir, for tests that write."""
    target = tmp_path / "data"
    shutil.copytree(sample_library_dir, target)
    return target


@pytest.fixture
def mutable_library(library_copy: Path) -> Iterator[Library]:
    """A Library on a private copy of the sample library, for tests that write."""
    library = Library(library_copy)
    yield library
    library.close()
