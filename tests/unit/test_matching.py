"""The set-based matcher must agree with Whoosh's own matcher on every query shape."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from whoosh import query

from paperbrowse.library import Library
from paperbrowse.matching import DocSets, bm25f, unfielded_word

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
    got = DocSets(searcher, library.catalog.live_array, library.term_arrays).docs(q)
    assert set(got.tolist()) == expected
    assert got.tolist() == sorted(expected)


def test_phrase_is_narrower_than_its_words(library: Library) -> None:
    searcher = library.searcher
    assert searcher is not None
    sets = DocSets(searcher, library.catalog.live_array, library.term_arrays)
    words = set(sets.docs(library.parse_query("language model")).tolist())
    phrase = set(sets.docs(library.parse_query('"language model"')).tolist())
    assert phrase and phrase < words


def on_words_field(q: query.Query) -> query.Query:
    """The query with each unfielded word (title:w OR abstract:w) as one words-field term."""
    word = unfielded_word(q)
    if word is not None:
        return query.Term("words", word)
    if isinstance(q, query.Not):
        return query.Not(on_words_field(q.query))
    if isinstance(q, (query.And, query.Or)):
        return type(q)([on_words_field(c) for c in q.subqueries])
    return q


@pytest.mark.parametrize(
    "text",
    ["model", "efficient inference", "efficient OR diffusion", "title:pose", "video NOT image"],
)
def test_bm25_scores_are_whooshs_on_the_same_terms(library: Library, text: str) -> None:
    """Fielded terms score as Whoosh scores them; unfielded words as Whoosh scores the words
    field (title x2 plus abstract frequencies, one BM25 saturation)."""
    searcher = library.searcher
    assert searcher is not None
    q = library.parse_query(text)
    assert q is not None
    expected = {hit.docnum: hit.score for hit in searcher.search(on_words_field(q), limit=None)}
    allowed = np.array(sorted(expected), dtype=np.int64)
    scored = bm25f(searcher, q, allowed, library.catalog.length_arrays, library.term_arrays)
    assert scored is not None and expected
    got = dict(zip(scored[0].tolist(), scored[1].tolist(), strict=True))
    assert set(got) == set(expected)
    # Whoosh scores a NOT clause as a constant 1.0 for every document: same order either way.
    shift = 1.0 if " NOT " in text else 0.0
    for doc, score in expected.items():
        assert got[doc] + shift == pytest.approx(score, rel=1e-4)


def test_unfielded_words_match_title_or_abstract(library: Library) -> None:
    searcher = library.searcher
    assert searcher is not None
    q = library.parse_query("efficient")
    assert q is not None
    assert set(q.docs(searcher)) == set(on_words_field(q).docs(searcher))


def test_relevance_order_follows_the_scores(library: Library) -> None:
    from paperbrowse.models import Filters

    searcher = library.searcher
    assert searcher is not None
    q = library.parse_query("efficient architecture")
    assert q is not None
    hits = searcher.search(on_words_field(q), limit=None)
    scores = {hit.docnum: hit.score for hit in hits}
    results = library.search(Filters(query="efficient architecture"))
    got = [round(scores[d], 4) for d in results.docnums[:20]]
    assert got == [round(hit.score, 4) for hit in hits][:20]
