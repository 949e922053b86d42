"""The rankings compared in recommend_eval.py, each `(context, user) -> candidate ids best first`.

- For you: paperbrowse.recommend as shipped (logistic regression, background negatives).
- For you, labels only: the same model trained on the stars and hides alone.
- Rocchio: the centroid of the starred papers minus the centroid of the hidden ones.
- Ablations of For you (`--arms ablation`): every feature instead of those three stars share,
  those four stars share, and features without word pairs.
- scikit-learn arms (need `pip install scikit-learn`; `--arms all`): For you's own training set
  (rows, weights, features) fitted by its LogisticRegression (the same objective: the same
  order if both solvers converge) and by its LinearSVC (squared hinge loss instead), and
  arxiv-sanity-lite's whole recipe (karpathy/arxiv-sanity-lite at 13a1d5ff: compute.py's
  TfidfVectorizer settings, serve.py's `LinearSVC(C=0.1, class_weight="balanced")` trained on
  the stars against every other paper).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from benchmarks.recommend_data import User
from paperbrowse.models import Paper
from paperbrowse.recommend.features import FeatureSpace, Settings
from paperbrowse.recommend.foryou import (
    C,
    ForYouModel,
    Labels,
    TooFewLabels,
    train,
    training_set,
)


@dataclass
class Context:
    """What every arm may use: the feature space over all papers, the papers, the seed."""

    space: FeatureSpace
    papers: list[Paper]
    seed: int
    cache: dict[str, Any] = field(default_factory=dict)

    def rows(self, ids: Sequence[str]) -> np.ndarray:
        """Rows of ids, in their order."""
        found = [self.space.row_of(i) for i in ids]
        return np.array([r for r in found if r is not None], dtype=np.int64)


def _by_scores(ctx: Context, user: User, scores: np.ndarray) -> list[str]:
    """Candidates by descending score, ties newest first; `scores` per candidate."""
    order = np.argsort(-np.asarray(scores, dtype=np.float64), kind="stable")
    return [user.candidates[i] for i in order]


def _model(ctx: Context, user: User, **kwargs: Any) -> list[str]:
    labels = Labels(frozenset(user.starred), frozenset(user.hidden))
    model = train(ctx.space, labels, seed=ctx.seed, **kwargs)
    if isinstance(model, TooFewLabels):
        return list(user.candidates)
    assert isinstance(model, ForYouModel)
    rows = model.order(ctx.space, ctx.rows(user.candidates))
    return [ctx.space.ids[r] for r in rows]


def for_you(ctx: Context, user: User) -> list[str]:
    """paperbrowse's For you, default settings."""
    return _model(ctx, user)


def labels_only(ctx: Context, user: User) -> list[str]:
    """For you without background negatives."""
    return _model(ctx, user, background=0)


def every_feature(ctx: Context, user: User) -> list[str]:
    """For you with every feature of the training rows (no `min_shared` selection)."""
    return _model(ctx, user, min_shared=1)


def shared_by_four(ctx: Context, user: User) -> list[str]:
    """For you with features at least four positives share."""
    return _model(ctx, user, min_shared=4)


def no_pairs(ctx: Context, user: User) -> list[str]:
    """For you on features without word pairs."""
    if "words" not in ctx.cache:
        ctx.cache["words"] = FeatureSpace.build(ctx.papers, settings=Settings(phrases=False))
    space = ctx.cache["words"]
    model = train(space, Labels(frozenset(user.starred), frozenset(user.hidden)), seed=ctx.seed)
    if isinstance(model, TooFewLabels):
        return list(user.candidates)
    rows = model.order(space, np.array([space.row_of(i) for i in user.candidates]))
    return [space.ids[r] for r in rows]


def rocchio(ctx: Context, user: User) -> list[str]:
    """Score = x . (mean starred row - mean hidden row)."""
    rows = ctx.space.rows
    pos = rows.take(ctx.rows(user.starred))
    neg = rows.take(ctx.rows(user.hidden))
    w = pos.tdot(np.full(pos.n_rows, 1 / pos.n_rows))
    if neg.n_rows:
        w -= neg.tdot(np.full(neg.n_rows, 1 / neg.n_rows))
    return _by_scores(ctx, user, rows.take(ctx.rows(user.candidates)).dot(w))


def _sklearn_fit(ctx: Context, user: User, make: Callable[[], Any]) -> list[str]:
    """For you's own training set (same rows, weights and features), fitted by scikit-learn."""
    from scipy.sparse import csr_matrix

    labels = Labels(frozenset(user.starred), frozenset(user.hidden))
    found = training_set(ctx.space, labels, seed=ctx.seed)
    if isinstance(found, TooFewLabels):
        return list(user.candidates)
    x = found.x
    matrix = csr_matrix((x.data, x.indices, x.indptr), shape=(x.n_rows, x.n_cols))
    clf = make().fit(matrix, found.y > 0, sample_weight=found.weight)
    model = ForYouModel(
        np.asarray(clf.coef_[0], dtype=np.float64), float(clf.intercept_[0]), 0, 0, ""
    )
    rows = model.order(ctx.space, ctx.rows(user.candidates))
    return [ctx.space.ids[r] for r in rows]


def sk_logistic(ctx: Context, user: User) -> list[str]:
    """scikit-learn LogisticRegression(C=10) on For you's training set."""
    from sklearn.linear_model import LogisticRegression

    return _sklearn_fit(ctx, user, lambda: LogisticRegression(C=C, max_iter=1000, tol=1e-6))


def sk_linear_svc(ctx: Context, user: User) -> list[str]:
    """scikit-learn LinearSVC(C=10) (squared hinge loss) on For you's training set."""
    from sklearn.svm import LinearSVC

    return _sklearn_fit(ctx, user, lambda: LinearSVC(C=C, max_iter=100_000))


def arxiv_sanity(ctx: Context, user: User) -> list[str]:
    """arxiv-sanity-lite: its tf-idf (compute.py: title, abstract and author names, words and
    word pairs, the 10,000 most frequent with min_df 5 and max_df 0.5) and its LinearSVC
    (serve.py: C=0.1, balanced classes) on the stars against every other paper."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.svm import LinearSVC

    if "sanity" not in ctx.cache:
        vectorizer = TfidfVectorizer(
            input="content",
            encoding="utf-8",
            decode_error="replace",
            strip_accents="unicode",
            lowercase=True,
            analyzer="word",
            stop_words="english",
            token_pattern=r"(?u)\b[a-zA-Z_][a-zA-Z0-9_]+\b",
            ngram_range=(1, 2),
            max_features=10000,
            norm="l2",
            use_idf=True,
            smooth_idf=True,
            sublinear_tf=True,
            max_df=0.5,
            min_df=5,
        )
        texts = [" ".join([p.title, p.abstract, *(p.author_names or [])]) for p in ctx.papers]
        ctx.cache["sanity"] = vectorizer.fit_transform(texts)
    x = ctx.cache["sanity"]
    y = np.zeros(x.shape[0])
    y[ctx.rows(user.starred)] = 1
    clf = LinearSVC(class_weight="balanced", max_iter=10_000, tol=1e-6, C=0.1)
    clf.fit(x, y)
    return _by_scores(ctx, user, clf.decision_function(x[ctx.rows(user.candidates)]))


ARMS: dict[str, Callable[[Context, User], list[str]]] = {
    "For you": for_you,
    "For you, labels only": labels_only,
    "Rocchio": rocchio,
    "For you, every feature": every_feature,
    "For you, features 4 stars share": shared_by_four,
    "For you, no word pairs": no_pairs,
    "For you, fitted by sklearn LogisticRegression": sk_logistic,
    "For you's features, sklearn LinearSVC": sk_linear_svc,
    "arxiv-sanity recipe (sklearn)": arxiv_sanity,
}
DEFAULT = ("For you", "For you, labels only", "Rocchio")
SKLEARN = (
    "For you, fitted by sklearn LogisticRegression",
    "For you's features, sklearn LinearSVC",
    "arxiv-sanity recipe (sklearn)",
)
ABLATION = (
    "For you",
    "For you, labels only",
    "For you, every feature",
    "For you, features 4 stars share",
    "For you, no word pairs",
)


def select(spec: str) -> list[str]:
    """Arm names from `default`, `ablation`, `compare` (default and scikit-learn), `all`, or
    names separated by `;`. Raises SystemExit naming an unknown arm, or when a scikit-learn arm
    is asked for and scikit-learn is not installed."""
    sets = {
        "default": list(DEFAULT),
        "ablation": list(ABLATION),
        "compare": [*DEFAULT, *SKLEARN],
        "all": [*ARMS],
    }
    names = sets.get(spec) or [s.strip() for s in spec.split(";") if s.strip()]
    unknown = [n for n in names if n not in ARMS]
    if unknown:
        raise SystemExit(f"recommend_eval: unknown arm {unknown[0]!r}; known: {'; '.join(ARMS)}")
    if any("sklearn" in n for n in names):
        try:
            import sklearn  # noqa: F401
        except ImportError:
            raise SystemExit("recommend_eval: the scikit-learn arms need scikit-learn") from None
    return names
