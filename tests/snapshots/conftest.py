"""Fixtures for the snapshot tests: fixed data (the sample library, indexed once per session and
copied per test), no cursor blink, no real browser."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from paperbrowse.indexer import collect_sources
from paperbrowse.library import Library
from paperbrowse.models import Filters
from paperbrowse.paths import sample_dir
from paperbrowse.triage import TriageStore
from paperbrowse.tui.app import PaperBrowser


@pytest.fixture(scope="session")
def snapshot_sample_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample dumps indexed once per session. Never written to: tests use copies."""
    data_dir = tmp_path_factory.mktemp("snapshot-sample") / "data"
    sources, problems = collect_sources([str(sample_dir())])
    assert not problems
    library = Library(data_dir)
    assert not library.index(sources).failures
    library.close()
    return data_dir


@pytest.fixture
def make_app(snapshot_sample_dir: Path, tmp_path: Path) -> Iterator[Callable[..., PaperBrowser]]:
    """Build a deterministic browser: `make_app(filters=None, empty=False)`."""
    opened: list[tuple[Library, TriageStore]] = []

    def build(filters: Filters | None = None, *, empty: bool = False) -> PaperBrowser:
        data_dir = tmp_path / f"data{len(opened)}"
        if not empty:
            shutil.copytree(snapshot_sample_dir, data_dir)
        library = Library(data_dir)
        triage = TriageStore(data_dir / "state.db")
        opened.append((library, triage))

        def no_browser(url: str) -> None:
            raise AssertionError(f"a snapshot test opened {url}")

        return PaperBrowser(library, triage, filters, opener=no_browser, cursor_blink=False)

    yield build
    for library, triage in opened:
        library.close()
        triage.close()
