"""The recommendation features of a library, built once per index generation and kept beside it.

`index-N/paperbrowse-features/` holds a `recommend.features.FeatureSpace` of the generation's live
papers in document-number order, keyed like the catalog (TOC generation, documents with and
without deletions), so a stale folder is never used: after an `index` run the next user builds
the new generation's features. Building reads every paper's stored record and runs the tf-idf
pass: about 4 s at 10,000 papers and 40 s (669 MB peak growth) at 100,000 (docs/recommendations.md),
so the browser builds it in a child process (`python -m paperbrowse.feature_cache DATA_DIR`) and
only loads the result lazily (offsets in memory, entries read on demand: a few tens of MB).

Row r of the space is the r-th live document number (`LibraryFeatures.docs[r]`), so search
results (document numbers) map to rows with one `np.searchsorted`.
"""

from __future__ import annotations

import contextlib
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from paperbrowse.errors import LibraryError
from paperbrowse.library import Library
from paperbrowse.recommend.features import FeatureError, FeatureSpace

FOLDER = "paperbrowse-features"


@dataclass
class LibraryFeatures:
    """A FeatureSpace and the document numbers of its rows (`docs`, int64 ascending: row r is
    document `docs[r]`)."""

    space: FeatureSpace
    docs: np.ndarray
    _row_of_doc: np.ndarray | None = None

    def rows_of_docs(self, docnums: np.ndarray | list[int]) -> np.ndarray:
        """Rows of these document numbers (int64, same order); -1 for a document not in the
        space (none, for the generation it was built from). One gather from a document ->
        row table made on first use (8 bytes per document: 0.8 MB at 100,000 papers), where
        a binary search per document cost tens of milliseconds per search at that size."""
        docnums = np.asarray(docnums, dtype=np.int64)
        table = self._row_of_doc
        if table is None:
            size = int(self.docs[-1]) + 1 if len(self.docs) else 0
            table = np.full(size, -1, dtype=np.int64)
            table[self.docs] = np.arange(len(self.docs), dtype=np.int64)
            self._row_of_doc = table
        inside = (docnums >= 0) & (docnums < len(table))
        rows = np.full(len(docnums), -1, dtype=np.int64)
        rows[inside] = table[docnums[inside]]
        return rows

    def doc_of_row(self, row: int) -> int:
        """The document number of row `row`."""
        return int(self.docs[row])

    def close(self) -> None:
        """Release the space's files."""
        self.space.close()


def features_key(library: Library) -> str:
    """The generation key the features of `library` are saved under (the catalog's key)."""
    return ":".join(str(part) for part in library.catalog.key)


def features_folder(library: Library) -> Path:
    """`index-N/paperbrowse-features` of the current generation. LibraryError when empty."""
    searcher = library.searcher
    if searcher is None:
        raise LibraryError("the library is empty")
    meta = library.manifest()
    return library.data_dir / str(meta["index"]) / FOLDER


def load_features(library: Library) -> LibraryFeatures | None:
    """The saved features of the current generation (read lazily), or None when missing,
    stale or damaged."""
    return read_features(
        features_folder(library), features_key(library), library.catalog.live_array
    )


def read_features(folder: Path, key: str, docs: np.ndarray) -> LibraryFeatures | None:
    """`load_features` without the library: the features saved in `folder` under `key`, rows
    for the live documents `docs` (what `features_folder`, `features_key` and the catalog's
    `live_array` give), or None when missing, stale or damaged. Reads no index, so a caller
    may run it without holding the lock around the library's readers (a tenth of a second or
    two at 100,000 papers: the paper ids and offsets)."""
    try:
        space = FeatureSpace.load(folder, key=key)
    except FeatureError:
        return None
    return LibraryFeatures(space, docs)


def build_features(library: Library, *, save: bool = True) -> LibraryFeatures:
    """Build the current generation's features from every live paper (document-number order)
    and save them beside the index when `save` (a read-only library just keeps them in
    memory). Seconds to tens of seconds: see the module docstring."""
    docs = library.catalog.live_array
    papers = [library.paper_at(int(d)) for d in docs]
    space = FeatureSpace.build(papers, key=features_key(library))
    if save:
        with contextlib.suppress(OSError):
            space.save(features_folder(library))
    return LibraryFeatures(space, docs)


def library_features(library: Library) -> LibraryFeatures:
    """The saved features of the current generation, built and saved first when missing."""
    return load_features(library) or build_features(library)


def build_in_child(data_dir: Path, timeout: float | None = None) -> bool:
    """Build and save the features of `data_dir`'s library in a child Python process (so the
    caller's memory never holds the build's peak); True when it succeeded."""
    try:
        done = subprocess.run(
            [sys.executable, "-m", "paperbrowse.feature_cache", str(data_dir)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=timeout,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return False
    return done.returncode == 0


def _main(argv: list[str]) -> int:
    """`python -m paperbrowse.feature_cache DATA_DIR`: build and save; exit 0, else 1."""
    if len(argv) != 1:
        print("usage: python -m paperbrowse.feature_cache DATA_DIR", file=sys.stderr)
        return 2
    from paperbrowse.paths import private_umask

    library = Library(Path(argv[0]))
    try:
        with private_umask():
            if load_features(library) is None:
                build_features(library).close()
    except (LibraryError, OSError, ValueError) as exc:
        print(f"paperbrowse: cannot build the recommendation features: {exc}", file=sys.stderr)
        return 1
    finally:
        library.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(_main(sys.argv[1:]))
