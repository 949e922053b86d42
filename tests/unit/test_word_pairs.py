"""Word-pair postings (engine/word_pairs.py): the common stems come from the real papers, and a
phrase answered from pair postings matches exactly what Whoosh's own phrase matcher matches."""

from __future__ import annotations

import importlib.util
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from whoosh import query

from paperbrowse.analysis import NAME_GAP, org_terms, stemmed_terms
from paperbrowse.engine import matching
from paperbrowse.engine.matching import DocSets
from paperbrowse.engine.word_pairs import COMMON_STEMS, every_pair_term, pair_terms
from paperbrowse.library import Library
from paperbrowse.models import Filters
from paperbrowse.schema import make_schema
from paperbrowse.sources import Source
from tests.api_records import api_records, capture, one_line
from tests.indexing import index_into

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


def test_org_terms_are_the_org_fields_analyzer() -> None:
    """`org_terms` (what org_pairs pairs) is what the org field's own analyzer keeps, for every
    organisation name and handle in the HF API archive, one a line as the index holds them;
    the handle's first position is NAME_GAP after the name's last (no phrase spans the two)."""
    analyzer = make_schema()["org"].analyzer
    orgs = {(r["org"], r["org_handle"]) for r in api_records() if r["org"] and r["org_handle"]}
    assert len(orgs) > 300
    for name, handle in orgs:
        value = f"{name}\n{handle}"
        tokens = [(t.text, t.pos) for t in analyzer(value, positions=True)]
        lines = org_terms(value)
        assert [text for text, _ in tokens] == lines[0] + lines[1], value
        if lines[0] and lines[1]:
            last_of_name, first_of_handle = tokens[len(lines[0]) - 1][1], tokens[len(lines[0])][1]
            assert first_of_handle == last_of_name + 1 + NAME_GAP, value


def test_every_pair_keeps_stopwords_and_short_words() -> None:
    # an organisation's "of" and one-letter words are terms of the org field: pairs span them
    assert every_pair_term(org_terms("University of Tokyo")[0]) == ["univers of", "of tokyo"]
    assert every_pair_term(org_terms("A B A B")[0]) == ["a b", "b a"]
    assert every_pair_term(["nvidia"]) == []


@pytest.fixture(scope="module")
def org_library(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Library]:
    """Every third archive record with an organisation, captured as a daily card (which shows
    the organisation's name and handle)."""
    records = [r for r in api_records() if r["org"]][::3]
    papers = [capture(rec, "daily", "daily.txt") for rec in records]
    lib = Library(tmp_path_factory.mktemp("org-pairs") / "data")
    report = index_into(lib, [Source("daily.txt", None, records=papers)])
    assert report.new == len(papers) and not report.failures
    yield lib
    lib.close()


def _org_phrases(library: Library) -> list[list[str]]:
    """Two- and three-word phrases read off each organisation's name and handle in the
    library, each name's first two terms reversed (mostly held by no paper), and the phrases
    that span a name's end and its handle's start (held by none: `seed bytedance`)."""
    searcher = library.searcher
    assert searcher is not None
    records = [json.loads(fields["record"]) for fields in searcher.all_stored_fields()]
    names = {(r["org"] or "", r["org_handle"] or "") for r in records} - {("", "")}
    phrases: list[list[str]] = []
    for name, handle in sorted(names):
        name_terms, handle_terms = org_terms(f"{name}\n{handle}")
        for terms in (name_terms, handle_terms):
            phrases += [terms[i : i + 2] for i in range(len(terms) - 1)]
            phrases += [terms[i : i + 3] for i in range(len(terms) - 2)]
        if len(name_terms) > 1:
            phrases.append(name_terms[1::-1])
        if name_terms and handle_terms:
            phrases.append([name_terms[-1], handle_terms[0]])
    return phrases


def test_org_phrases_match_as_whoosh(org_library: Library) -> None:
    """Org phrases, answered by org_pairs' postings, find what Whoosh's phrase matcher finds."""
    searcher = org_library.searcher
    assert searcher is not None
    sets = DocSets(searcher, org_library.catalog.live_array, org_library.term_arrays)
    phrases = _org_phrases(org_library)
    held = 0
    for words in phrases:
        q = query.Phrase("org", words)
        expected = sorted(set(q.docs(searcher)))
        assert sets.docs(q).tolist() == expected, words
        held += bool(expected)
    assert held > 300 and held < len(phrases)


def test_org_phrase_search_finds_the_records_organisation(org_library: Library) -> None:
    """`org:"…"` finds exactly the papers whose archive record's organisation name, or its
    handle, holds the words in order, apart only by non-word characters (`Tencent-Hunyuan-…`):
    never words that span the name's end and the handle's start (`Seed ByteDance`: the name
    `ByteDance Seed`, the handle `ByteDance-Seed`)."""
    records = [r for r in api_records() if r["org"]][::3]
    held = ("Peking University", "ByteDance Seed", "Tencent Hunyuan", "University of Singapore")
    spanning = ("Seed ByteDance", "Hunyuan Tencent", "University PekingUniversity")
    for name in (*held, "AI at Meta", *spanning):
        apart = name.replace(" ", r"\W+")  # words apart by any non-word run (Tencent-Hunyuan)
        expected = {
            one_line(r["title"])
            for r in records
            if any(
                re.search(rf"\b{apart}\b", part or "", re.IGNORECASE)
                for part in (r["org"], r["org_handle"])
            )
        }
        assert bool(expected) == (name not in spanning), name
        results = org_library.search(Filters(query=f'org:"{name}"'))
        assert {results.row(i).title for i in range(len(results))} == expected, name


def test_two_word_org_phrase_reads_no_positions(
    org_library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A two-word organisation phrase is its pair's postings: no positions are read."""
    searcher = org_library.searcher
    assert searcher is not None

    def refuse(*args: object) -> None:
        raise AssertionError("positions read")

    monkeypatch.setattr(matching, "term_keys_in", refuse)
    sets = DocSets(searcher, org_library.catalog.live_array, org_library.term_arrays)
    two = [w for w in _org_phrases(org_library) if len(w) == 2]
    assert sum(bool(len(sets.docs(query.Phrase("org", w)))) for w in two) > 300
