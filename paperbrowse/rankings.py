"""The For-you models of one library generation, kept between searches: the browser's cache.

A model is trained once per change of the labels it learns from (about half a second at
100,000 papers), and the scores it gives every paper are computed once per model (another few
hundred milliseconds: every posting of the features it weighs), so a search that only filters,
pages or comes back from a Similar list orders its results by indexing the kept scores. Several
threads may ask (the browser's search worker and its warm-up worker): one trains, the others
wait for its result instead of training the same model again. No Textual here.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from paperbrowse.feature_cache import LibraryFeatures
from paperbrowse.recommend.foryou import ForYouModel, TooFewLabels
from paperbrowse.suggest import FlagSets, for_you_order, for_you_scores, train_for_you

Seen = tuple[frozenset[str], frozenset[str], frozenset[str]]  # positives, read, hidden ids


@dataclass(frozen=True)
class Ranking:
    """A trained (or refused) model, the labels it learnt from, and its scores of every row
    (float64 [papers]; None for TooFewLabels)."""

    seen: Seen
    model: ForYouModel | TooFewLabels
    scores: np.ndarray | None


class Rankings:
    """The rankings of one `LibraryFeatures` (keyed by None for the stars, else the `for:` tag);
    thread-safe."""

    def __init__(self, features: LibraryFeatures) -> None:
        self.features = features
        self._lock = threading.Lock()
        self._kept: dict[str | None, Ranking] = {}

    def ranking(
        self, flags: FlagSets, tag: str | None = None, tagged: Iterable[str] = ()
    ) -> Ranking:
        """The ranking of the stars (`tag` None) or of the papers `tagged` with `tag`, under
        this triage: the kept one when its labels are unchanged, else trained now."""
        tagged = frozenset(tagged)
        positives = tagged if tag is not None else frozenset(flags.ids_with("starred"))
        seen = (positives, frozenset(flags.ids_with("read")), frozenset(flags.ids_with("hidden")))
        with self._lock:
            kept = self._kept.get(tag)
            if kept is not None and kept.seen == seen:
                return kept
            model = train_for_you(self.features, flags, tag=tag, tagged=tagged)
            scores = (
                for_you_scores(self.features, model) if isinstance(model, ForYouModel) else None
            )
            found = Ranking(seen, model, scores)
            self._kept[tag] = found
            return found

    def order(self, ranking: Ranking, docnums: Sequence[int]) -> list[int]:
        """`docnums` (newest first) in the ranking's order (as suggest.for_you_order); newest
        first for a ranking without a model."""
        if not isinstance(ranking.model, ForYouModel):
            return list(docnums)
        return for_you_order(self.features, ranking.model, docnums, ranking.scores)

    def latest(self, tag: str | None) -> ForYouModel | None:
        """The last model trained for `tag` (None: the stars), if any: what the detail pane
        explains a shown order with."""
        kept = self._kept.get(tag)
        return kept.model if kept is not None and isinstance(kept.model, ForYouModel) else None
