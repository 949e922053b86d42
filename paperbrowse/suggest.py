"""More like this and For you over a library: the recommend core (`paperbrowse.recommend`) on
document numbers and triage, for the CLI (`similar`, `search --sort for-you`, `new`) and the
browser (`m`, the For-you view). No Textual here.

Papers in a result set are document numbers; the features are rows (feature_cache.py maps one
to the other). Orders are given newest first and stay newest first where the model cannot tell
papers apart (equal scores), and for papers the features do not cover (none, for the generation
they were built from).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from paperbrowse.errors import QueryError
from paperbrowse.feature_cache import LibraryFeatures
from paperbrowse.for_field import split_for, unknown_tag
from paperbrowse.library import Library
from paperbrowse.recommend.foryou import ForYouModel, Labels, TooFewLabels, train
from paperbrowse.recommend.similar import EXPLAIN, query_vector, shared_terms, similar
from paperbrowse.state_fields import split_state_clauses


class FlagSets(Protocol):
    """Triage flag sets: a TriageStore, or a snapshot of one taken in another thread."""

    def ids_with(self, flag: str) -> set[str]:
        """Paper ids with `flag` ("read", "starred", "hidden") set."""
        ...


@dataclass(frozen=True)
class SimilarPaper:
    """A paper like the chosen ones: its document number, id, cosine (0..1) and the shared key
    terms that weigh most in it, strongest first (feature labels: "video generation",
    "diffusion", an author's name)."""

    docnum: int
    id: str
    score: float
    shared: tuple[str, ...]


def _rows_of(features: LibraryFeatures, ids: Sequence[str]) -> list[int]:
    rows = []
    for pid in ids:
        row = features.space.row_of(pid)
        if row is None:
            raise KeyError(pid)
        rows.append(row)
    return rows


def similar_papers(
    features: LibraryFeatures, ids: Sequence[str], *, limit: int = 20, explain: bool = True
) -> list[SimilarPaper]:
    """The `limit` papers most like the papers `ids` together, best first (never one of them);
    without `explain` their `shared` terms are left empty (SharedTerms names them on demand).

    Raises KeyError naming the first id the features do not hold.
    """
    found = similar(
        features.space, _rows_of(features, ids), limit=limit, explain=EXPLAIN if explain else 0
    )
    return [SimilarPaper(features.doc_of_row(n.row), n.id, n.score, n.shared) for n in found]


class SharedTerms(Mapping[int, str]):
    """The shared key terms of each paper of a Similar list (document number -> "a, b, c"),
    worked out when first asked for and kept: a row and a few names read, well under a
    millisecond, where naming all fifty up front took half of `m`'s time at 100,000 papers.
    The same terms `similar_papers(..., explain=True)` gives. KeyError for a paper not in
    the list; "" when the features were closed meanwhile (a new library generation)."""

    def __init__(self, features: LibraryFeatures, ids: Sequence[str], docnums: Sequence[int]):
        self._features = features
        self._query = query_vector(features.space, _rows_of(features, ids))
        self._docs = [int(d) for d in docnums]
        self._wanted = set(self._docs)
        self._known: dict[int, str] = {}

    def __getitem__(self, docnum: int) -> str:
        if docnum not in self._wanted:
            raise KeyError(docnum)
        if docnum not in self._known:
            row = int(self._features.rows_of_docs([docnum])[0])
            try:
                terms = shared_terms(self._features.space, row, *self._query, EXPLAIN)
            except (ValueError, OSError):
                terms = ()
            self._known[docnum] = ", ".join(terms)
        return self._known[docnum]

    def __iter__(self) -> Iterator[int]:
        return iter(self._docs)

    def __len__(self) -> int:
        return len(self._docs)


def for_you_labels(
    flags: FlagSets, *, tag: str | None = None, tagged: Iterable[str] = ()
) -> Labels:
    """Labels from triage: starred (or `tagged` with `tag`) against hidden and read-not-starred."""
    return Labels.from_triage(
        flags.ids_with("starred"),
        flags.ids_with("read"),
        flags.ids_with("hidden"),
        tag=tag,
        tagged=tagged,
    )


def train_for_you(
    features: LibraryFeatures,
    flags: FlagSets,
    *,
    tag: str | None = None,
    tagged: Iterable[str] = (),
) -> ForYouModel | TooFewLabels:
    """The For-you model of this triage (about 0.2 s at 100,000 papers), or TooFewLabels whose
    `message` says how many stars are missing."""
    return train(features.space, for_you_labels(flags, tag=tag, tagged=tagged))


def for_you_scores(features: LibraryFeatures, model: ForYouModel) -> np.ndarray:
    """Every row's For-you score (float64 [papers]): a few hundred milliseconds at 100,000
    papers, so a caller that orders several result sets by one model computes it once."""
    return model.scores(features.space)


def for_you_order(
    features: LibraryFeatures,
    model: ForYouModel,
    docnums: Sequence[int],
    scores: np.ndarray | None = None,
) -> list[int]:
    """`docnums` (given newest first) best fit first; equal scores keep their order, and papers
    the features do not hold follow, in their order. `scores`: the model's `for_you_scores`,
    when the caller keeps them (the same order, without scoring every paper again)."""
    if not len(docnums):
        return []
    docs = np.asarray(docnums, dtype=np.int64)
    rows = features.rows_of_docs(docs)
    covered = rows >= 0
    if scores is None:
        ordered_rows = model.order(features.space, rows[covered])
    else:  # as ForYouModel.order does, on the kept scores
        candidates = rows[covered]
        ordered_rows = candidates[np.argsort(-scores[candidates], kind="stable")]
    ordered = features.docs[ordered_rows]
    return [*ordered.tolist(), *docs[~covered].tolist()]


def for_you_terms(features: LibraryFeatures, model: ForYouModel, docnum: int) -> tuple[str, ...]:
    """The features that raise this paper's For-you score most (labels, strongest first)."""
    row = features.rows_of_docs([docnum])[0]
    return () if row < 0 else model.explain(features.space, int(row))


def needs_more_stars(result: ForYouModel | TooFewLabels) -> str | None:
    """The too-few-labels message with how many more stars (or papers with the tag of a
    `for:<tag>` ranking) it needs, or None for a model."""
    if isinstance(result, ForYouModel):
        return None
    more = result.needed - result.n_stars
    if result.tag is not None:
        noun = "paper" if more == 1 else "papers"
        return (
            f"For you: {result.tag} learns from the papers tagged {result.tag}: {more} more "
            f"{noun} needed ({result.n_stars} of {result.needed}). Showing newest first."
        )
    noun = "star" if more == 1 else "stars"
    return (
        f"For you learns from your stars: {more} more {noun} needed "
        f"({result.n_stars} of {result.needed}). Showing newest first."
    )


def ranking_tag(library: Library, text: str) -> str | None:
    """The tag of the query's `for:<tag>` clause (for_field.py), or None. QueryError when the
    query is malformed."""
    return split_for(library.parse_query(text))[1]


def asks_for_positives(library: Library, text: str, state: str, tag: str | None) -> bool:
    """Whether a search asks for the ranking's positives, so they stay in its list: the
    Starred view for the stars, a `tag:` clause (not negated) for a tag's ranking."""
    if tag is None:
        return state == "starred"
    _rest, clauses = split_state_clauses(split_for(library.parse_query(text))[0])
    return any(not negated and clause.fieldname == "tag" for negated, clause in clauses)


def check_tagged(tag: str, tagged: set[str], names: Iterable[str]) -> set[str]:
    """`tagged` (the ids carrying `tag`) when there are any, else QueryError: one line naming
    the tags in use (`names`)."""
    if not tagged:
        raise QueryError(unknown_tag(tag, names))
    return tagged


def without(library: Library, docnums: Sequence[int], ids: Iterable[str]) -> list[int]:
    """`docnums` (in their order) without the papers `ids`: a ranking's positives (the stars,
    or the papers tagged for a `for:<tag>` ranking) leave its list, in the browser's For-you
    view and in `search --sort for-you` alike (ranked among the rest they would head it)."""
    dropped = library.catalog.flags_of(set(ids))
    docs = np.asarray(docnums, dtype=np.int64)
    kept: list[int] = docs[~dropped[docs]].tolist() if len(docs) else []
    return kept
