"""Word-pair postings (engine/word_pairs.py): the common stems come from the real papers, and a
phrase answered from pair postings matches exactly what Whoosh's own phrase matcher matches."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest
from whoosh import query

from paperbrowse.analysis import stemmed_terms
from paperbrowse.engine.matching import DocSets
from paperbrowse.engine.word_pairs import COMMON_STEMS, pair_terms
from paperbrowse.library import Library
from tests.api_records import api_records

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "common_stems.py"


def test_common_stems_are_those_of_the_real_papers() -> None:
    """The module's list is what scripts/common_stems.py finds in the HF API archive."""
    records = api_records()
    spec = importlib.util.spec_from_file_location("common_stems", SCRIPT)
    assert spec is not None and spec.loader is not None
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    found = script.common_stems(json.dumps(r) for r in records)
    assert set(found) == COMMON_STEMS
    # the words of the phrases users type most (read off the archive: each in >1/8 of papers)
    for word in ("languag", "model", "larg", "reinforc", "learn", "state", "art", "video"):
        assert word in COMMON_STEMS


def test_pairs_are_adjacent_common_stems_after_stopwords() -> None:
    # "of" and "the" are stopwords: "state" and "art" stand together once they are dropped
    assert pair_terms(stemmed_terms("State-of-the-art large language models")[1]) == [
        "state art",
        "art larg",
        "larg languag",
        "languag model",
    ]
    # "quantum" is not common: no pair spans it
    assert pair_terms(stemmed_terms("large quantum language model")[1]) == ["languag model"]
    assert pair_terms(stemmed_terms("model model model")[1]) == ["model model"]


@pytest.fixture(scope="module")
def library(sample_library_dir: Path) -> Library:
    return Library(sample_library_dir)


def _phrases(library: Library, fieldname: str, limit: int) -> list[list[str]]:
    """Two-word phrases of the field's pair terms, and three-word phrases chaining two."""
    searcher = library.searcher
    assert searcher is not None
    pairs = [t.decode().split(" ") for t in searcher.lexicon(f"{fieldname}_pairs")]
    assert len(pairs) > 20  # the sample holds many pairs of common stems
    step = max(1, len(pairs) // limit)
    two = pairs[::step]
    three = [[a, b, d] for a, b in two[:40] for c, d in pairs if c == b][:limit]
    return two + three


@pytest.mark.parametrize("fieldname", ["title", "abstract"])
def test_phrases_of_common_words_match_as_whoosh(library: Library, fieldname: str) -> None:
    """Whoosh's phrase matcher (positions, one posting at a time) is the truth."""
    searcher = library.searcher
    assert searcher is not None
    sets = DocSets(searcher, library.catalog.live_array, library.term_arrays)
    checked = 0
    for words in _phrases(library, fieldname, 60):
        q = query.Phrase(fieldname, words)
        expected = sorted(set(q.docs(searcher)))
        assert sets.docs(q).tolist() == expected, words
        checked += bool(expected)
    assert checked > 20


def test_pair_postings_are_the_phrase_documents(library: Library) -> None:
    """A pair term's documents are the two-word phrase's (checked on the side file itself)."""
    searcher = library.searcher
    arrays = library.term_arrays
    assert searcher is not None and arrays is not None
    for fieldname, words in (("abstract", ["languag", "model"]), ("abstract", ["state", "art"])):
        expected = sorted(set(query.Phrase(fieldname, words).docs(searcher)))
        assert expected
        got = arrays.docs(f"{fieldname}_pairs", " ".join(words).encode())
        assert got.tolist() == expected
