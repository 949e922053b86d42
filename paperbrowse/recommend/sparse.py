"""Compressed sparse rows in plain numpy: the few operations recommendations need.

A documents x terms matrix of tf-idf weights at 100,000 papers holds about ten million non-zero
entries; scipy.sparse would store and multiply them the same way (CSR: `indptr`, `indices`,
`data`), but every operation here is one or two vectorised numpy calls, so the package keeps
numpy as its only numeric dependency (docs/recommendations.md has the comparison).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

INDEX = np.int32  # column numbers: vocabularies stay far below 2**31 terms
VALUE = np.float32  # tf-idf weights: 7 significant digits are plenty for a ranking
_CHUNK = 1 << 21  # stored entries per step of `dot`: bounds its temporaries to ~32 MB


@dataclass(frozen=True)
class SparseRows:
    """A sparse matrix as compressed rows (CSR).

    Row `i` holds the columns `indices[indptr[i]:indptr[i + 1]]` (ascending within the row) with
    the values `data[...]` at the same positions. Shapes: `indptr` int64 `[n_rows + 1]`,
    `indices` int32 `[nnz]`, `data` float32 `[nnz]`. Read-only by convention: arrays may be
    memory-mapped from disk.
    """

    indptr: np.ndarray
    indices: np.ndarray
    data: np.ndarray
    n_cols: int

    @classmethod
    def empty(cls, n_rows: int, n_cols: int) -> SparseRows:
        """An all-zero matrix of the given shape."""
        return cls(
            np.zeros(n_rows + 1, dtype=np.int64),
            np.zeros(0, dtype=INDEX),
            np.zeros(0, dtype=VALUE),
            n_cols,
        )

    @property
    def n_rows(self) -> int:
        """Number of rows."""
        return len(self.indptr) - 1

    @property
    def nnz(self) -> int:
        """Number of stored entries."""
        return int(self.indptr[-1])

    @property
    def nbytes(self) -> int:
        """Bytes held by the three arrays."""
        return int(self.indptr.nbytes + self.indices.nbytes + self.data.nbytes)

    def row(self, i: int) -> tuple[np.ndarray, np.ndarray]:
        """(columns, values) of row `i`, as views; columns ascending."""
        start, end = int(self.indptr[i]), int(self.indptr[i + 1])
        return self.indices[start:end], self.data[start:end]

    def lengths(self) -> np.ndarray:
        """Stored entries per row, int64 `[n_rows]`."""
        return np.diff(self.indptr)

    def positions(self, rows: np.ndarray) -> np.ndarray:
        """Positions in `indices`/`data` of every entry of `rows`, row after row (int64)."""
        rows = np.asarray(rows, dtype=np.int64)
        starts = self.indptr[rows]
        counts = self.indptr[rows + 1] - starts
        total = int(counts.sum())
        if total == 0:
            return np.zeros(0, dtype=np.int64)
        before = np.cumsum(counts) - counts
        return np.arange(total, dtype=np.int64) + np.repeat(starts - before, counts)

    def take(self, rows: np.ndarray) -> SparseRows:
        """The matrix of `rows` (in that order)."""
        rows = np.asarray(rows, dtype=np.int64)
        where = self.positions(rows)
        indptr = np.zeros(len(rows) + 1, dtype=np.int64)
        np.cumsum(self.indptr[rows + 1] - self.indptr[rows], out=indptr[1:])
        return SparseRows(indptr, self.indices[where], self.data[where], self.n_cols)

    def dot(self, w: np.ndarray) -> np.ndarray:
        """Matrix times a dense vector `w` `[n_cols]`: float64 `[n_rows]`.

        Each row's products are summed in stored order, so equal rows get equal scores however
        they are taken. Works through the rows in chunks of about two million entries, so a
        library-wide score never allocates more than a few tens of megabytes at once.
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
        """The transposed matrix, also as compressed rows (rows of terms: postings lists)."""
        order = np.argsort(self.indices, kind="stable")  # stable: row numbers stay ascending
        row_of = np.repeat(np.arange(self.n_rows, dtype=INDEX), self.lengths())
        counts = np.bincount(self.indices, minlength=self.n_cols)
        indptr = np.zeros(self.n_cols + 1, dtype=np.int64)
        np.cumsum(counts, out=indptr[1:])
        return SparseRows(indptr, row_of[order], self.data[order], self.n_rows)


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
