"""The browser's kept For-you models (rankings.py) and the Similar list's shared terms named on
demand (suggest.SharedTerms), on the three-topic library of test_for_field.py: each must give
exactly what the uncached core gives."""

from __future__ import annotations

import threading

import numpy as np

from paperbrowse.feature_cache import library_features
from paperbrowse.library import Library
from paperbrowse.models import Filters
from paperbrowse.rankings import Rankings
from paperbrowse.recommend.foryou import ForYouModel, TooFewLabels
from paperbrowse.suggest import SharedTerms, for_you_order, similar_papers, train_for_you
from paperbrowse.tags import edit_tags
from paperbrowse.triage import TriageStore
from paperbrowse.triage_view import TriageSnapshot
from tests.unit.test_for_field import topics  # noqa: F401 - the fixture

Topics = tuple[Library, TriageStore, dict[str, list[str]]]


def test_a_ranking_is_kept_until_its_labels_change_and_orders_as_the_core(topics: Topics) -> None:  # noqa: F811
    library, triage, ids = topics
    triage.set(ids["robot"][:5], "starred", True)
    features = library_features(library)
    rankings = Rankings(features)
    first = rankings.ranking(TriageSnapshot(triage))
    assert isinstance(first.model, ForYouModel) and first.scores is not None
    assert rankings.ranking(TriageSnapshot(triage)) is first  # nothing changed: kept
    newest = library.search(Filters(sort="date")).docnums
    model = train_for_you(features, triage)
    assert isinstance(model, ForYouModel)
    expected = for_you_order(features, model, newest)
    assert rankings.order(first, newest) == expected  # the kept scores order as the core does
    assert rankings.latest(None) is first.model and rankings.latest("x") is None
    triage.set(ids["robot"][5:6], "starred", True)  # a new star: trained again
    second = rankings.ranking(TriageSnapshot(triage))
    assert second is not first
    assert not np.array_equal(second.model.weights, first.model.weights)  # type: ignore[union-attr]
    # A tag's ranking is kept beside the stars' one, not instead of it.
    edit_tags(triage, ids["speech"][:2], ["speech"], [])
    tagged = rankings.ranking(TriageSnapshot(triage), "speech", ids["speech"][:2])
    assert isinstance(tagged.model, TooFewLabels) and tagged.scores is None
    assert rankings.order(tagged, newest) == list(newest)  # no model: newest first
    assert rankings.ranking(TriageSnapshot(triage)) is second
    features.close()


def test_threads_asking_at_once_train_one_model(topics: Topics) -> None:  # noqa: F811
    library, triage, ids = topics
    triage.set(ids["speech"][:5], "starred", True)
    features = library_features(library)
    rankings = Rankings(features)
    snapshot = TriageSnapshot(triage)
    found: list[object] = []
    threads = [
        threading.Thread(target=lambda: found.append(rankings.ranking(snapshot))) for _ in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(found) == 4 and all(f is found[0] for f in found)
    features.close()


def test_shared_terms_on_demand_are_those_named_up_front(topics: Topics) -> None:  # noqa: F811
    library, _triage, ids = topics
    features = library_features(library)
    query = [ids["protein"][0], ids["protein"][1]]
    named = similar_papers(features, query, limit=10)
    bare = similar_papers(features, query, limit=10, explain=False)
    assert [p.docnum for p in bare] == [p.docnum for p in named]
    assert all(p.shared == () for p in bare) and all(p.shared for p in named)
    why = SharedTerms(features, query, [p.docnum for p in bare])
    assert list(why) == [p.docnum for p in named] and len(why) == 10
    for paper in reversed(named):  # any order of asking
        assert why[paper.docnum] == ", ".join(paper.shared)
    assert why.get(-1, "none") == "none"
    features.close()
