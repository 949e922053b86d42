"""The bundled sample dumps (paperbrowse/sample) indexed into a library: the demo library
(`paperbrowse demo`) and the browser's welcome screen use them. Beside indexer.py, whose
`index_sources` does the work."""

from __future__ import annotations

from pathlib import Path

from paperbrowse.indexer import index_sources
from paperbrowse.merging import IndexReport
from paperbrowse.paths import sample_dir
from paperbrowse.sources import collect_sources


def index_sample(data_dir: Path) -> IndexReport:
    """Index the bundled sample dumps into `data_dir` (a no-op when they are indexed and
    unchanged); raises what `indexer.index_sources` raises (`LibraryBusy`, `LibraryError`)."""
    sources, _ = collect_sources([str(sample_dir())])
    return index_sources(data_dir, sources)
