"""The set-based matcher must agree with Whoosh's own matcher on every query shape."""

from __future__ import annotations

from pathlib import Path

import pytest

from paperbrowse.library import Library
from paperbrowse.matching import DocSets, bm25f_scores

QUERIES = [
    "model",
    "efficient",
    "efficient inference",
    "efficient OR diffusion",
    "efficient AND NOT diffusion",
    "NOT model",
    "title:pose",
    "abstract:transformer",
    '"language model"',
    '"large language models"',
    '"state of the art"',
    '"neural architecture search"',
    'title:"pose estimation"',
    "pos*",
    "arch*tecture",
    "(video OR image) AND generation",
    "org:deepseek",
    "efficient ANDMAYBE pruning",
    "has_code:true",
    '"model" OR "no such phrase here at all"',
    "zzzznotaword",
]


@pytest.fixture(scope="module")
def library(sample_library_dir: Path) -> Library:
    return Library(sample_library_dir)


@pytest.mark.parametrize("text", QUERIES)
def test_docsets_agree_with_whoosh(library: Library, text: str) -> None:
    searcher = library.searcher
    assert searcher is not None
    q = library.parse_query(text)
    assert q is not None
    expected = set(q.docs(searcher))
    got = DocSets(searcher, library.catalog.live_set).docs(q)
    assert got == expected


def test_phrase_is_narrower_than_its_words(library: Library) -> None:
    searcher = library.searcher
    assert searcher is not None
    sets = DocSets(searcher, library.catalog.live_set)
    words = sets.docs(library.parse_query("language model"))
    phrase = sets.docs(library.parse_query('"language model"'))
    assert phrase and phrase < words


@pytest.mark.parametrize(
    "text",
    ["model", "efficient inference", "efficient OR diffusion", "title:pose", "video NOT image"],
)
def test_bm25f_scores_match_whoosh(library: Library, text: str) -> None:
    searcher = library.searcher
    assert searcher is not None
    q = library.parse_query(text)
    assert q is not None
    expected = {hit.docnum: hit.score for hit in searcher.search(q, limit=None)}
    allowed = set(expected)
    got = bm25f_scores(searcher, q, allowed, library.catalog.lengths)
    assert got is not None and expected
    assert set(got) == set(expected)
    # Whoosh scores a NOT clause as a constant 1.0 for every document: same order either way.
    shift = 1.0 if " NOT " in text else 0.0
    for doc, score in expected.items():
        assert got[doc] + shift == pytest.approx(score, rel=1e-4)


def test_relevance_order_is_whooshs_for_the_top(library: Library) -> None:
    from paperbrowse.models import Filters

    searcher = library.searcher
    assert searcher is not None
    q = library.parse_query("efficient architecture")
    hits = searcher.search(q, limit=None)
    expected = [hit.score for hit in hits][:20]
    results = library.search(Filters(query="efficient architecture"))
    scores = {hit.docnum: hit.score for hit in hits}
    assert [round(scores[d], 4) for d in results.docnums[:20]] == [round(s, 4) for s in expected]
