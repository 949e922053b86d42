"""The fast indexing path must produce exactly what Whoosh's StemmingAnalyzer would."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh import fields
from whoosh.analysis import StemmingAnalyzer

from paperbrowse.analysis import StemmedText

SAMPLE = Path(__file__).parents[2] / "paperbrowse" / "sample"
REFERENCE = fields.TEXT(analyzer=StemmingAnalyzer())
FAST = StemmedText()


def postings(field: fields.FieldType, text: str) -> list[tuple[bytes, int, float, bytes]]:
    return sorted(field.index(text))


def test_same_postings_on_every_sample_line() -> None:
    lines = [
        line for f in sorted(SAMPLE.glob("*.txt")) for line in f.read_text("utf-8").splitlines()
    ]
    assert len(lines) > 500
    for line in lines:
        assert postings(FAST, line) == postings(REFERENCE, line), line[:80]


def test_stopwords_renumber_positions_like_whoosh() -> None:
    text = "the of a model and the model of models x y"
    assert postings(FAST, text) == postings(REFERENCE, text)
    terms = {t for t, *_ in postings(FAST, text)}
    assert b"model" in terms and b"the" not in terms and b"x" not in terms


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab c.*-Ééİıßxyz0123 \n\tthe")), max_size=80))
def test_same_postings_on_random_text(text: str) -> None:
    assert postings(FAST, text) == postings(REFERENCE, text)


def test_query_side_is_whooshs_own_analyzer() -> None:
    assert [t.text for t in FAST.analyzer("Testing models")] == ["test", "model"]
