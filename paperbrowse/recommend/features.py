"""tf-idf vectors of papers: what "more like this" and "For you" compare and learn from.

One row per paper, one column per feature. A word feature is an index term (the same Whoosh
StemmingAnalyzer words and Porter stems as the library's title and abstract fields, see
analysis.py), so "diffusion" and "diffusions" are one feature, named by the word the papers use
most. Two adjacent words of a title or abstract (stop words left out, as scikit-learn's
`ngram_range=(1, 2)` does) are a feature too: "video generation", "world models". Author names
and the organisation are features of their own (`author:…`, `org:…`). The keywords of the HF
API records are never used.

Weights follow the usual tf-idf recipe (Manning, Raghavan & Schütze, *Introduction to Information
Retrieval*, §6.2-6.4; scikit-learn's `TfidfVectorizer(sublinear_tf=True)` is the same):
`(1 + ln tf) * idf` with `idf = ln((1 + N) / (1 + df)) + 1`, each row scaled to unit length, so
the dot product of two rows is their cosine. A title word counts twice, as the index boosts the
title field. Words and names in fewer than 2 papers, and word pairs in fewer than 3, are
dropped: a feature only one paper has can never be shared (vectorize.Settings).

Built once per library generation; `save`/`load` keep it beside the index.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from paperbrowse.recommend.sparse import FileRows, SparseRows
from paperbrowse.recommend.storage import FileArray, Strings
from paperbrowse.recommend.vectorize import (
    AUTHOR_PREFIX,
    ORG_PREFIX,
    PaperText,
    Settings,
    vectorize,
)

FORMAT_VERSION = 2
__all__ = ["AUTHOR_PREFIX", "ORG_PREFIX", "FeatureError", "FeatureSpace", "PaperText", "Settings"]


class FeatureError(Exception):
    """Saved features cannot be read; the message names the folder and the reason."""


@dataclass
class FeatureSpace:
    """tf-idf rows of a list of papers, their postings, and the names of the features.

    - `ids[r]`: the paper id of row `r` (rows are in the order the papers were given).
    - `terms[c]`: feature `c`'s key: a stem (`diffus`), `author:<casefolded name>` or
      `org:<casefolded org>`; `labels[c]` is what a user reads ("diffusion", "Yann LeCun").
    - `idf[c]`: float32 inverse document frequency.
    - `rows`: papers x features, unit-length rows; `postings`: its transpose, features x
      papers, for scoring one query against every paper. SparseRows in memory when built,
      FileRows (read from the files as needed) when loaded lazily.
    - `key`: whatever identifies the library generation it was built from (opaque here).
    """

    ids: list[str]
    terms: Sequence[str]
    labels: Sequence[str]
    idf: np.ndarray
    rows: SparseRows | FileRows
    postings: SparseRows | FileRows
    key: str = ""
    _row_of: dict[str, int] | None = field(default=None, repr=False)

    @property
    def n_papers(self) -> int:
        """Number of rows."""
        return self.rows.n_rows

    @property
    def n_features(self) -> int:
        """Number of columns."""
        return self.rows.n_cols

    @property
    def nbytes(self) -> int:
        """Bytes of the numeric arrays (rows, postings, idf); the string lists come on top."""
        return self.rows.nbytes + self.postings.nbytes + int(self.idf.nbytes)

    def row_of(self, paper_id: str) -> int | None:
        """The row of a paper id, or None when the paper is not in this space."""
        if self._row_of is None:
            self._row_of = {pid: r for r, pid in enumerate(self.ids)}
        return self._row_of.get(paper_id)

    def rows_of(self, paper_ids: Iterable[str]) -> np.ndarray:
        """The rows of those ids that are in this space, ascending (int64)."""
        found = (self.row_of(pid) for pid in paper_ids)
        return np.array(sorted(r for r in found if r is not None), dtype=np.int64)

    # -- building --------------------------------------------------------------------------------

    @classmethod
    def build(
        cls, papers: Sequence[PaperText], *, key: str = "", settings: Settings | None = None
    ) -> FeatureSpace:
        """tf-idf rows for `papers` (title, abstract or else summary, author names, org).

        One pass of the index's word analysis over the text, then numpy passes over chunks of
        papers; docs/recommendations.md has time and memory at 10,000 and 100,000 papers.
        Raises ValueError beyond two million distinct words and names.
        """
        found = vectorize(papers, settings or Settings())
        return cls(
            ids=[p.id for p in papers],
            terms=Strings.of(found.terms),
            labels=Strings.of(found.labels),
            idf=found.idf,
            rows=found.rows,
            postings=found.rows.transpose(),
            key=key,
        )

    # -- saving ----------------------------------------------------------------------------------

    IN_MEMORY = ("idf", "rows.indptr", "postings.indptr")  # read whole even when lazy
    ARRAYS = (
        "idf",
        "rows.indptr",
        "rows.indices",
        "rows.data",
        "postings.indptr",
        "postings.indices",
        "postings.data",
        "terms.blob",
        "terms.offsets",
        "labels.blob",
        "labels.offsets",
    )

    def save(self, folder: Path) -> None:
        """Write the space into `folder` (created or replaced whole; files private, 0600).

        A directory of `.npy` arrays plus `meta.json` (format version, key, paper ids),
        so `load` can memory-map the arrays instead of reading them into memory.
        """
        folder = Path(folder)
        folder.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".features-", dir=folder.parent))
        try:
            arrays = self._arrays()
            for name in self.ARRAYS:
                fd = os.open(tmp / f"{name}.npy", os.O_CREAT | os.O_WRONLY | os.O_EXCL, 0o600)
                with os.fdopen(fd, "wb") as handle:
                    np.save(handle, arrays[name], allow_pickle=False)
            meta = {
                "version": FORMAT_VERSION,
                "key": self.key,
                "n_cols": [self.rows.n_cols, self.postings.n_cols],
                "ids": self.ids,
            }
            fd = os.open(tmp / "meta.json", os.O_CREAT | os.O_WRONLY | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(meta, handle, ensure_ascii=False)
            old = None
            if folder.exists():
                old = Path(tempfile.mkdtemp(prefix=".features-old-", dir=folder.parent))
                os.replace(folder, old / "x")
            os.replace(tmp, folder)
            if old is not None:
                shutil.rmtree(old, ignore_errors=True)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise

    @classmethod
    def load(cls, folder: Path, key: str | None = None, *, lazy: bool = True) -> FeatureSpace:
        """The space saved in `folder`.

        `lazy` (the default): the row offsets and idf are read now; the entries and names stay
        in their files and each operation reads only the rows it needs (storage.FileArray), so
        a browser holding a 100,000-paper space keeps a few tens of megabytes. `close` releases
        the files. `lazy=False` reads everything into memory.

        Raises FeatureError when the folder is missing, of another format version, of another
        `key` (a stale generation) or damaged.
        """
        folder = Path(folder)
        try:
            meta = json.loads((folder / "meta.json").read_text("utf-8"))
            if meta.get("version") != FORMAT_VERSION:
                raise FeatureError(f"{folder}: saved features of another format version")
            if key is not None and meta.get("key") != key:
                raise FeatureError(f"{folder}: saved features of another library generation")
            arrays: dict[str, Any] = {
                name: FileArray(folder / f"{name}.npy")
                if lazy and name not in cls.IN_MEMORY
                else np.load(folder / f"{name}.npy", allow_pickle=False)
                for name in cls.ARRAYS
            }
            n_cols, n_rows = meta["n_cols"]
            kind = FileRows if lazy else SparseRows
            space = cls(
                ids=list(meta["ids"]),
                terms=Strings(arrays["terms.blob"], arrays["terms.offsets"]),
                labels=Strings(arrays["labels.blob"], arrays["labels.offsets"]),
                idf=arrays["idf"],
                rows=kind(
                    arrays["rows.indptr"], arrays["rows.indices"], arrays["rows.data"], n_cols
                ),
                postings=kind(
                    arrays["postings.indptr"],
                    arrays["postings.indices"],
                    arrays["postings.data"],
                    n_rows,
                ),
                key=str(meta.get("key", "")),
            )
        except FeatureError:
            raise
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise FeatureError(f"{folder}: unreadable saved features ({exc})") from None
        if not (
            len(space.ids) == space.rows.n_rows == space.postings.n_cols
            and len(space.terms) == len(space.labels) == space.rows.n_cols == len(space.idf)
            and space.rows.nnz == space.postings.nnz == len(space.rows.data)
        ):
            raise FeatureError(f"{folder}: saved features are inconsistent (damaged)")
        return space

    def close(self) -> None:
        """Close the files of a lazily loaded space (nothing to do for one in memory)."""
        for rows in (self.rows, self.postings):
            if isinstance(rows, FileRows):
                rows.close()
        for names in (self.terms, self.labels):
            if isinstance(names, Strings):
                for part in (names.blob, names.offsets):
                    if isinstance(part, FileArray):
                        part.close()

    def _arrays(self) -> dict[str, np.ndarray]:
        """Every array to save, in memory (a lazily loaded space is read whole)."""
        terms = self.terms if isinstance(self.terms, Strings) else Strings.of(self.terms)
        labels = self.labels if isinstance(self.labels, Strings) else Strings.of(self.labels)
        found = {
            "idf": self.idf,
            "rows.indptr": self.rows.indptr,
            "rows.indices": self.rows.indices,
            "rows.data": self.rows.data,
            "postings.indptr": self.postings.indptr,
            "postings.indices": self.postings.indices,
            "postings.data": self.postings.data,
            "terms.blob": terms.blob,
            "terms.offsets": terms.offsets,
            "labels.blob": labels.blob,
            "labels.offsets": labels.offsets,
        }
        return {k: v[:] if isinstance(v, FileArray) else np.asarray(v) for k, v in found.items()}
