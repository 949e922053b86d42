"""The set-based matcher must agree with Whoosh's own matcher on every query shape."""

from __future__ import annotations

from pathlib import Path

import pytest

from paperbrowse.library import Library
from paperbrowse.matching import DocSets

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
