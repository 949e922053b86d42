"""Indexing from tests: the indexer's entry point for a Library a test already holds."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from paperbrowse.indexer import index_sources
from paperbrowse.library import Library
from paperbrowse.merging import IndexReport
from paperbrowse.sources import Source


def index_into(library: Library, sources: Sequence[Source], **options: Any) -> IndexReport:
    """`indexer.index_sources` into the library's data dir (`options`: rebuild, year,
    progress, max_bytes), then close the library, so that it reads the new generation."""
    report = index_sources(library.data_dir, sources, **options)
    library.close()
    return report


def index_dir(library: Library) -> Path:
    """The directory of the library's current generation (`index-N`, named by the manifest's
    `index`); fails the test when the library has none."""
    name = library.manifest()["index"]
    assert name is not None, f"{library.data_dir} has no index"
    return library.data_dir / name


def titles_sharing_an_id_prefix(digits: int = 6) -> tuple[str, str]:
    """Two titles whose paper ids (models.paper_id, the SHA-1 of the normalised title) share
    their first `digits` hex digits: an ambiguous id prefix of that length. Found by trying
    `Probe paper number N` (a birthday search: about 4,500 titles for 6 digits)."""
    from paperbrowse.models import paper_id

    seen: dict[str, str] = {}
    n = 0
    while True:
        title = f"Probe paper number {n}"
        key = paper_id(title)[:digits]
        if key in seen:
            return seen[key], title
        seen[key] = title
        n += 1


def first_dump_library(tmp_path: Path, sample_dir: Path) -> tuple[Path, Path, Path]:
    """A library of the first sample dump alone: (its data dir, the dumps folder indexed, the
    second sample dump, for a test to copy in and index later)."""
    import shutil

    from paperbrowse.sources import collect_sources

    first, second = sorted(sample_dir.glob("*.txt"))[:2]
    dumps = tmp_path / "dumps"
    dumps.mkdir()
    shutil.copy(first, dumps)
    data = tmp_path / "lib"
    index_sources(data, collect_sources([str(dumps)])[0])
    return data, dumps, second


def sample_with_deletions(data_dir: Path) -> Library:
    """A Library in `data_dir` with the bundled sample's dumps indexed one at a time: papers
    in two dumps are updated (deleted, written again), so its segments hold deleted
    documents (checked)."""
    from paperbrowse.sources import collect_sources

    sample = Path(__file__).resolve().parents[1] / "paperbrowse" / "sample"
    library = Library(data_dir)
    for dump in sorted(sample.glob("*.txt")):
        sources, _ = collect_sources([str(dump)])
        index_into(library, sources)
    library.close()
    library = Library(data_dir)
    searcher = library.searcher
    assert searcher is not None and searcher.reader().has_deletions()
    return library
