"""More like this: the papers nearest to one paper, or to several together, and why.

The query is the mean of the chosen papers' tf-idf rows, cut to its `KEY_TERMS` heaviest features
(the key terms, as Whoosh's `more_like` and Lucene's MoreLikeThis pick them) whose postings
stay within `KEY_POSTINGS`, and scaled to unit length; every paper is scored by its cosine with
that query, read term by term from the postings, so the cost grows with the key terms' document
frequencies, not with the library. In a small library the budget never binds; in a large one it
drops the most common of the key terms first, the ones that weigh least.
Each neighbour names the shared key terms that contribute most to its score.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

import numpy as np

from paperbrowse.recommend.features import FeatureSpace
from paperbrowse.recommend.filler import telling_labels
from paperbrowse.recommend.sparse import top_k

KEY_TERMS = 150  # features kept in the query vector
KEY_POSTINGS = 250_000  # postings the key terms may have between them
EXPLAIN = 5  # shared terms named per neighbour


@dataclass(frozen=True)
class Neighbour:
    """One similar paper: its row and id in the FeatureSpace, its cosine with the query
    (0..1), and the labels of the shared features that contribute most, strongest first."""

    row: int
    id: str
    score: float
    shared: tuple[str, ...]


def query_vector(
    space: FeatureSpace,
    rows: Sequence[int],
    key_terms: int | None = KEY_TERMS,
    budget: int = KEY_POSTINGS,
) -> tuple[np.ndarray, np.ndarray]:
    """(feature columns ascending, unit-length weights) of the mean of `rows`' vectors.

    Only the `key_terms` heaviest features are kept, and of those, heaviest first, each that
    keeps their postings within `budget` (the heaviest always), which bounds the time of a
    query in a large library; `key_terms=None` keeps every feature. Empty arrays
    when the rows have no features at all.
    """
    picked = np.asarray(sorted(set(int(r) for r in rows)), dtype=np.int64)
    found, values = space.rows.gather(picked)
    if len(found) == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64)
    uniq, inverse = np.unique(found.astype(np.int64), return_inverse=True)
    weights = np.bincount(inverse.ravel(), weights=values, minlength=len(uniq))
    if key_terms is not None:
        best = top_k(weights, key_terms)  # heaviest first
        df = (space.postings.indptr[uniq[best] + 1] - space.postings.indptr[uniq[best]]).tolist()
        chosen: list[int] = []
        spent = 0
        for i, size in enumerate(df):
            if not chosen or spent + size <= budget:
                chosen.append(i)
                spent += size
        keep = np.sort(best[chosen])
        uniq, weights = uniq[keep], weights[keep]
    norm = float(np.sqrt(np.square(weights).sum()))
    return uniq, weights / norm if norm > 0 else weights


def cosine_scores(space: FeatureSpace, cols: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Every paper's dot product with the sparse query (`cols`, `weights`): float64 [papers]."""
    return space.postings.combine(cols, weights)


def shared_terms(
    space: FeatureSpace, row: int, cols: np.ndarray, weights: np.ndarray, n: int = EXPLAIN
) -> tuple[str, ...]:
    """Labels of the features both the query and `row` have, by contribution to the score
    (filler words left out: filler.py)."""
    row_cols, row_vals = space.rows.row(row)
    common, in_query, in_row = np.intersect1d(
        cols, row_cols, assume_unique=True, return_indices=True
    )
    if len(common) == 0:
        return ()
    contrib = weights[in_query] * row_vals[in_row]
    return telling_labels(space.labels, common, contrib, n)


def similar(
    space: FeatureSpace,
    rows: Sequence[int],
    *,
    limit: int = 20,
    exclude: Collection[int] = (),
    candidates: np.ndarray | None = None,
    key_terms: int | None = KEY_TERMS,
    explain: int = EXPLAIN,
) -> list[Neighbour]:
    """The `limit` papers most similar to `rows` together, best first.

    `rows` (one or several, e.g. the marked papers) are never returned, nor `exclude`d rows;
    `candidates` (row numbers) restricts where to look (e.g. only unread papers). Papers that
    share no key term are never returned, so fewer than `limit` may come back. Ties go to the
    lower row. Raises IndexError for a row outside the space.
    """
    if any(not 0 <= int(r) < space.n_papers for r in rows):
        raise IndexError("row outside the feature space")
    cols, weights = query_vector(space, rows, key_terms)
    scores = cosine_scores(space, cols, weights)
    allowed = (
        np.ones(space.n_papers, dtype=bool)
        if candidates is None
        else np.zeros(space.n_papers, dtype=bool)
    )
    if candidates is not None:
        allowed[np.asarray(candidates, dtype=np.int64)] = True
    allowed[np.asarray(list(rows), dtype=np.int64)] = False
    if exclude:
        allowed[np.asarray(list(exclude), dtype=np.int64)] = False
    allowed &= scores > 0
    best = top_k(scores, limit, np.flatnonzero(allowed))
    return [
        Neighbour(
            row=int(r),
            id=space.ids[int(r)],
            score=float(scores[r]),
            shared=shared_terms(space, int(r), cols, weights, explain) if explain else (),
        )
        for r in best
    ]
