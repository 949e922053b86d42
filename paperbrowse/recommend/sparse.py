"""Compressed sparse rows in plain numpy: the few operations recommendations need.

A papers x features matrix of tf-idf weights at 100,000 papers holds tens of millions of
non-zero entries; scipy.sparse would store and multiply them the same way (CSR: `indptr`,
`indices`, `data`), but every operation here is one or two vectorised numpy calls, so the
package keeps numpy as its only numeric dependency (docs/recommendations.md has the comparison).

`SparseRows` holds its entries in memory; `FileRows` reads them from saved `.npy` files, only
the rows an operation asks for. Both answer `row`, `gather`, `take` and `combine`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from paperbrowse.recommend.storage import FileArray

INDEX = np.int32  # column numbers: vocabularies stay far below 2**31 terms
VALUE = np.float32  # tf-idf weights: 7 significant digits are plenty for a ranking
_CHUNK = 1 << 21  # stored entries per step of `dot` and `combine`: temporaries of ~32 MB


class _Rows:
    """What both kinds of compressed rows share; subclasses provide `_part` and `gather`."""

    indptr: np.ndarray
    n_cols: int

    @property
    def n_rows(self) -> int:
        """Number of rows."""
        return len(self.indptr) - 1

    @property
    def nnz(self) -> int:
        """Number of stored entries."""
        return int(self.indptr[-1])

    def lengths(self) -> np.ndarray:
        """Stored entries per row, int64 `[n_rows]`."""
        return np.diff(self.indptr)

    def _part(self, start: int, end: int) -> tuple[np.ndarray, np.ndarray]:
        raise NotImplementedError

    def row(self, i: int) -> tuple[np.ndarray, np.ndarray]:
        """(columns, values) of row `i`; columns ascending."""
        return self._part(int(self.indptr[i]), int(self.indptr[i + 1]))

    def gather(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(columns, values) of every entry of `rows`, row after row, in memory."""
        found = [self.row(int(r)) for r in np.asarray(rows, dtype=np.int64)]
        if not found:
            return np.zeros(0, dtype=INDEX), np.zeros(0, dtype=VALUE)
        return np.concatenate([c for c, _ in found]), np.concatenate([v for _, v in found])

    def take(self, rows: np.ndarray) -> SparseRows:
        """The matrix of `rows` (in that order), in memory."""
        rows = np.asarray(rows, dtype=np.int64)
        indices, data = self.gather(rows)
        indptr = np.zeros(len(rows) + 1, dtype=np.int64)
        np.cumsum(self.indptr[rows + 1] - self.indptr[rows], out=indptr[1:])
        return SparseRows(indptr, indices, data, self.n_cols)

    def combine(self, rows: np.ndarray, weights: np.ndarray) -> np.ndarray:
        """`sum_i weights[i] * row(rows[i])` as a dense float64 `[n_cols]`.

        On postings (features x papers) this scores every paper against a sparse query, reading
        only the query's features. Works through `rows` in groups of about two million entries.
        Each output sums its terms in the order of `rows`.
        """
        rows = np.asarray(rows, dtype=np.int64)
        weights = np.asarray(weights, dtype=np.float64)
        out = np.zeros(self.n_cols, dtype=np.float64)
        sizes = self.indptr[rows + 1] - self.indptr[rows]
        bounds = np.searchsorted(np.cumsum(sizes), np.arange(_CHUNK, int(sizes.sum()), _CHUNK))
        for group in np.split(np.arange(len(rows)), np.unique(bounds)):
            if len(group) == 0:
                continue
            cols, vals = self.gather(rows[group])
            per_entry = np.repeat(weights[group], sizes[group])
            out += np.bincount(cols, weights=vals * per_entry, minlength=self.n_cols)
        return out


@dataclass(frozen=True)
class SparseRows(_Rows):
    """A sparse matrix as compressed rows (CSR), in memory.

    Row `i` holds the columns `indices[indptr[i]:indptr[i + 1]]` (ascending within the row) with
    the values `data[...]` at the same positions. Shapes: `indptr` int64 `[n_rows + 1]`,
    `indices` int32 `[nnz]`, `data` float32 `[nnz]`. Read-only by convention.
    """

    indptr: np.ndarray
    indices: np.ndarray
    data: np.ndarray
    n_cols: int

    @property
    def nbytes(self) -> int:
        """Bytes held by the three arrays."""
        return int(self.indptr.nbytes + self.indices.nbytes + self.data.nbytes)

    def _part(self, start: int, end: int) -> tuple[np.ndarray, np.ndarray]:
        return self.indices[start:end], self.data[start:end]

    def positions(self, rows: np.ndarray) -> np.ndarray:
        """Positions in `indices`/`data` of every entry of `rows`, row after row (int64)."""
        rows = np.asarray(rows, dtype=np.int64)
        starts = self.indptr[rows]
        counts = self.indptr[rows + 1] - starts
        total = int(counts.sum())
        if total == 0:
            return np.zeros(0, dtype=np.int64)
        before = np.cumsum(counts) - counts
        found: np.ndarray = np.arange(total, dtype=np.int64) + np.repeat(starts - before, counts)
        return found

    def gather(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(columns, values) of every entry of `rows`, row after row (one vectorised gather)."""
        where = self.positions(rows)
        return self.indices[where], self.data[where]

    def dot(self, w: np.ndarray) -> np.ndarray:
        """Matrix times a dense vector `w` `[n_cols]`: float64 `[n_rows]`.

        Each row's products are summed in stored order, so equal rows get equal scores however
        they are taken. Works through the rows in chunks of about two million entries.
        """
        out = np.zeros(self.n_rows, dtype=np.float64)
        row = 0
        while row < self.n_rows:
            limit = self.indptr[row] + _CHUNK
            end = max(row + 1, int(np.searchsorted(self.indptr, limit, side="right")) - 1)
            end = min(end, self.n_rows)
            lo, hi = int(self.indptr[row]), int(self.indptr[end])
            starts = self.indptr[row:end]
            filled = starts < self.indptr[row + 1 : end + 1]
            if hi > lo:
                contrib = self.data[lo:hi] * w[self.indices[lo:hi]]
                out[row:end][filled] = np.add.reduceat(contrib, starts[filled] - lo)
            row = end
        return out

    def tdot(self, r: np.ndarray) -> np.ndarray:
        """Transpose times a dense vector `r` `[n_rows]`: float64 `[n_cols]`."""
        row_of = np.repeat(np.arange(self.n_rows, dtype=np.int64), self.lengths())
        weights = self.data.astype(np.float64) * r[row_of]
        return np.bincount(self.indices, weights=weights, minlength=self.n_cols)

    def transpose(self) -> SparseRows:
        """The transposed matrix, also as compressed rows (rows of terms: postings lists).

        Built a group of columns at a time (about `_CHUNK` entries each), so the memory it
        needs beyond its result stays bounded however large the matrix.
        """
        counts = np.bincount(self.indices, minlength=self.n_cols)
        indptr = np.zeros(self.n_cols + 1, dtype=np.int64)
        np.cumsum(counts, out=indptr[1:])
        rows = np.empty(self.nnz, dtype=INDEX)
        values = np.empty(self.nnz, dtype=VALUE)
        cuts = np.searchsorted(indptr, np.arange(0, self.nnz, _CHUNK), side="right") - 1
        first = 0
        for last in [*sorted(set(cuts.tolist()) - {0}), self.n_cols]:
            if last <= first:
                continue
            picked = np.flatnonzero((self.indices >= first) & (self.indices < last))
            picked = picked[np.argsort(self.indices[picked], kind="stable")]  # rows ascending
            span = slice(int(indptr[first]), int(indptr[last]))
            rows[span] = np.searchsorted(self.indptr, picked, side="right") - 1
            values[span] = self.data[picked]
            first = last
        return SparseRows(indptr, rows, values, self.n_rows)


class FileRows(_Rows):
    """Compressed rows whose `indptr` is in memory and whose entries stay in their saved files
    (storage.FileArray): each operation reads only the rows it needs."""

    def __init__(self, indptr: np.ndarray, indices: FileArray, data: FileArray, n_cols: int):
        self.indptr = indptr
        self.indices = indices
        self.data = data
        self.n_cols = n_cols

    @property
    def nbytes(self) -> int:
        """Bytes of the offsets in memory plus the entries on disk."""
        return int(self.indptr.nbytes + self.indices.nbytes + self.data.nbytes)

    def _part(self, start: int, end: int) -> tuple[np.ndarray, np.ndarray]:
        return self.indices[start:end], self.data[start:end]

    def gather(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(columns, values) of every entry of `rows`, row after row: one read per row and
        file, joined into one array each (storage.FileArray.ranges)."""
        rows = np.asarray(rows, dtype=np.int64)
        starts, ends = self.indptr[rows], self.indptr[rows + 1]
        return self.indices.ranges(starts, ends), self.data.ranges(starts, ends)

    def close(self) -> None:
        """Close the files; later reads raise ValueError."""
        self.indices.close()
        self.data.close()


def top_k(scores: np.ndarray, k: int, candidates: np.ndarray | None = None) -> np.ndarray:
    """The `k` highest-scoring positions (of `candidates` if given), best first.

    Ties go to the earlier position in `candidates` (or the lower index), so a ranking is the
    same on every run. Returns int64 positions into `scores`.
    """
    idx = np.arange(len(scores), dtype=np.int64) if candidates is None else candidates
    idx = np.asarray(idx, dtype=np.int64)
    if k <= 0 or len(idx) == 0:
        return np.zeros(0, dtype=np.int64)
    values = scores[idx]
    if k < len(idx):
        # Everything scoring at least the k-th best value, then a stable sort of those.
        kth = np.partition(values, len(values) - k)[len(values) - k]
        keep = np.flatnonzero(values >= kth)
        idx, values = idx[keep], values[keep]
    order = np.argsort(-values, kind="stable")[:k]
    return idx[order]
