"""For you: a linear model of what you star, learned from your triage, and the order it gives.

Labels come from triage: positives are the starred papers (for a tag's ranking, `for:<tag>`, the
papers with that tag), negatives the hidden ones and the ones read but not starred. As in
arxiv-sanity (which trains a linear SVM on a user's tags against every other paper), a seeded
random sample of the remaining papers joins as weak negatives (`BACKGROUND` of them, weighted
`BACKGROUND_WEIGHT` each): it tells the model which words are merely common. The model is
L2-regularised logistic regression over the tf-idf rows (logistic.py); each class weighs as
much in total as the other. docs/recommendations.md has the measured choice of these settings.

A paper's score is `w . x + b`; its explanation is the features with the largest positive
contribution `w_t * x_t`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from paperbrowse.recommend.features import FeatureSpace
from paperbrowse.recommend.filler import telling_labels
from paperbrowse.recommend.logistic import fit_logistic
from paperbrowse.recommend.sparse import SparseRows, top_k

MIN_POSITIVES = 5  # fewer starred papers than this: no model, newest first instead
BACKGROUND = 2000  # unlabeled papers sampled as weak negatives
BACKGROUND_WEIGHT = 0.1  # each one's weight, against 1 for a hidden or read-not-starred paper
C = 10.0  # inverse L2 strength (scikit-learn's C)
MIN_SHARED = 3  # a feature gets a weight only if at least this many positives have it
EXPLAIN = 5


@dataclass(frozen=True)
class Labels:
    """Paper ids to learn from: `positives` (starred, or tagged) and `negatives`."""

    positives: frozenset[str]
    negatives: frozenset[str]
    tag: str | None = None

    @classmethod
    def from_triage(
        cls,
        starred: Iterable[str],
        read: Iterable[str],
        hidden: Iterable[str],
        *,
        tag: str | None = None,
        tagged: Iterable[str] = (),
    ) -> Labels:
        """Labels from triage id sets (TriageStore.ids_with("starred"), …).

        Without `tag`: positives = starred; negatives = hidden, and read but not starred.
        With `tag`: positives = the papers `tagged` with it; negatives as above. A paper that
        is a positive is never also a negative.
        """
        stars = frozenset(starred)
        positives = frozenset(tagged) if tag is not None else stars
        negatives = (frozenset(hidden) | (frozenset(read) - stars)) - positives
        return cls(positives, negatives, tag)


@dataclass(frozen=True)
class TooFewLabels:
    """No model: fewer than `needed` positives in the library (`n_stars` found). The caller
    shows `message` and falls back to newest first."""

    n_stars: int
    needed: int = MIN_POSITIVES
    tag: str | None = None

    @property
    def message(self) -> str:
        """One line for the user."""
        what = f"papers tagged {self.tag}" if self.tag is not None else "starred papers"
        return (
            f"For you learns from at least {self.needed} {what}; there are {self.n_stars}. "
            "Showing newest first."
        )


@dataclass(frozen=True)
class Pick:
    """A ranked paper: row and id in the FeatureSpace, model score (higher is a better fit,
    0 is the decision boundary), and the labels of its top contributing features."""

    row: int
    id: str
    score: float
    terms: tuple[str, ...]


@dataclass(frozen=True)
class ForYouModel:
    """A trained linear model over one FeatureSpace's features.

    `weights` float64 [n_features], `bias`; `n_positives`/`n_negatives` explicit labels used;
    `key` the FeatureSpace key it was trained on (a model is only valid for that space).
    """

    weights: np.ndarray
    bias: float
    n_positives: int
    n_negatives: int
    key: str
    tag: str | None = None

    def scores(self, space: FeatureSpace, rows: np.ndarray | None = None) -> np.ndarray:
        """Scores of `rows` (every paper when None), float64 in that order.

        Read through the postings of the features with a weight (those several positives
        share), so the cost follows their document frequencies, not the library's size.
        """
        used = np.flatnonzero(self.weights)
        every = space.postings.combine(used, self.weights[used]) + self.bias
        return every if rows is None else every[np.asarray(rows, dtype=np.int64)]

    def order(self, space: FeatureSpace, candidates: np.ndarray) -> np.ndarray:
        """`candidates` (rows) best first; ties keep the candidates' own order (give them newest
        first and equal scores stay newest first)."""
        candidates = np.asarray(candidates, dtype=np.int64)
        scores = self.scores(space, candidates)
        return candidates[np.argsort(-scores, kind="stable")]

    def explain(self, space: FeatureSpace, row: int, n: int = EXPLAIN) -> tuple[str, ...]:
        """Labels of the `n` features of `row` with the largest positive weight x value
        (filler words left out: filler.py)."""
        cols, vals = space.rows.row(row)
        contrib = self.weights[cols] * vals
        return telling_labels(space.labels, cols, contrib, n)

    def rank(
        self, space: FeatureSpace, candidates: np.ndarray, limit: int = 50, explain: int = EXPLAIN
    ) -> list[Pick]:
        """The `limit` best candidates with scores and explanations (ties as in `order`)."""
        candidates = np.asarray(candidates, dtype=np.int64)
        scores = self.scores(space, candidates)
        best = top_k(scores, limit)
        return [
            Pick(
                int(candidates[i]),
                space.ids[int(candidates[i])],
                float(scores[i]),
                self.explain(space, int(candidates[i]), explain),
            )
            for i in best
        ]


@dataclass(frozen=True)
class TrainingSet:
    """What the model is fitted on: rows `x` (positives, then negatives, then the background
    sample; only features at least `min_shared` positives have), labels `y` (+1/-1) and
    `weight` per row (the classes balanced), and how many explicit labels were used."""

    x: SparseRows
    y: np.ndarray
    weight: np.ndarray
    n_positives: int
    n_negatives: int


def training_set(
    space: FeatureSpace,
    labels: Labels,
    *,
    min_positives: int = MIN_POSITIVES,
    background: int = BACKGROUND,
    background_weight: float = BACKGROUND_WEIGHT,
    min_shared: int = MIN_SHARED,
    seed: int = 0,
) -> TrainingSet | TooFewLabels:
    """The rows, labels and weights `train` fits (ids outside the space are ignored).

    TooFewLabels when fewer than `min_positives` positives are in the space. The background
    sample is drawn with `seed` from the unlabeled papers, so the same triage on the same space
    gives the same set.
    """
    pos = space.rows_of(labels.positives)
    if len(pos) < min_positives:
        return TooFewLabels(n_stars=len(pos), needed=min_positives, tag=labels.tag)
    neg = np.setdiff1d(space.rows_of(labels.negatives), pos)
    labelled = np.zeros(space.n_papers, dtype=bool)
    labelled[pos] = labelled[neg] = True
    pool = np.flatnonzero(~labelled)
    rng = np.random.default_rng(seed)
    back = np.sort(rng.choice(pool, size=min(background, len(pool)), replace=False))
    rows = np.concatenate([pos, neg, back])
    y = np.concatenate([np.ones(len(pos)), -np.ones(len(neg) + len(back))])
    weight = np.concatenate(
        [np.ones(len(pos)), np.ones(len(neg)), np.full(len(back), background_weight)]
    )
    negative_total = float(weight[len(pos) :].sum())
    if negative_total > 0:  # balanced classes: the positives weigh as much as all negatives
        weight[: len(pos)] = negative_total / len(pos)
    x = space.rows.take(rows)
    if min_shared > 1:  # only features that several positives share may get a weight
        shared = np.bincount(x.indices[: x.indptr[len(pos)]], minlength=space.n_features)
        keep = shared[x.indices] >= min_shared
        kept = np.zeros(len(keep) + 1, dtype=np.int64)
        np.cumsum(keep, out=kept[1:])
        x = SparseRows(kept[x.indptr], x.indices[keep], x.data[keep], x.n_cols)
    return TrainingSet(x, y, weight, len(pos), len(neg))


def train(
    space: FeatureSpace,
    labels: Labels,
    *,
    c: float = C,
    **settings: Any,
) -> ForYouModel | TooFewLabels:
    """Fit the For-you model on `labels`: L2 logistic regression (logistic.py) with inverse
    strength `c` on `training_set(space, labels, **settings)`. TooFewLabels when there are
    fewer than MIN_POSITIVES positives; deterministic for the same triage and space."""
    found = training_set(space, labels, **settings)
    if isinstance(found, TooFewLabels):
        return found
    fit = fit_logistic(found.x, found.y, found.weight, c=c)
    return ForYouModel(
        fit.weights, fit.bias, found.n_positives, found.n_negatives, space.key, labels.tag
    )
