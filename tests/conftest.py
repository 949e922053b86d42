"""Shared fixtures: isolated data dirs, the bundled sample dumps, an indexed sample library."""

from __future__ import annotations

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
def sample_library_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data dir indexed once per session from the samples. Read it; never write to it."""
    data_dir = tmp_path_factory.mktemp("sample-library") / "data"
    index_samples(data_dir).close()
    return data_dir


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
