"""The fast indexing path must produce exactly what Whoosh's StemmingAnalyzer would."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh import fields, formats
from whoosh.analysis import LowercaseFilter, RegexTokenizer, StemmingAnalyzer

from paperbrowse.analysis import CompactPositions, StemmedText, WordsText, kept_words, stem_word

SAMPLE = Path(__file__).parents[2] / "paperbrowse" / "sample"
FAST = StemmedText()
WHOOSH = fields.TEXT(analyzer=StemmingAnalyzer())  # Whoosh's own field and format
REFERENCE = fields.TEXT(analyzer=StemmingAnalyzer())  # Whoosh's token chain, compact values
REFERENCE.format = CompactPositions(field_boost=REFERENCE.format.field_boost)


def postings(field: fields.FieldType, text: str) -> list[tuple[bytes, int, float, bytes]]:
    return sorted(field.index(text))


def test_same_postings_on_every_sample_line() -> None:
    lines = [
        line for f in sorted(SAMPLE.glob("*.txt")) for line in f.read_text("utf-8").splitlines()
    ]
    assert len(lines) > 500
    for line in lines:
        assert postings(FAST, line) == postings(REFERENCE, line), line[:80]


def test_compact_values_hold_whooshs_positions() -> None:
    """Same terms, frequencies, weights and positions as Whoosh's Positions format."""
    text = "Efficient models of models: the model, modelling and efficient inference. " * 3
    fast = postings(FAST, text)
    whoosh = postings(WHOOSH, text)
    assert [p[:3] for p in fast] == [p[:3] for p in whoosh]
    for (_, _, _, mine), (_, _, _, theirs) in zip(fast, whoosh, strict=True):
        assert FAST.format.decode_positions(mine) == WHOOSH.format.decode_positions(theirs)
        assert FAST.format.decode_frequency(mine) == WHOOSH.format.decode_frequency(theirs)


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


# The word fields (what wildcards match): the fast path against Whoosh's own token chain.
WORDS_FAST = WordsText()
WORDS_REFERENCE = fields.TEXT(analyzer=RegexTokenizer() | LowercaseFilter(), phrase=False)
WORDS_REFERENCE.format = formats.Existence()


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab c.*-Ééİıßxyz0123 \n\tthe")), max_size=80))
def test_word_fields_index_what_whooshs_tokenizer_and_lowercase_filter_give(text: str) -> None:
    assert postings(WORDS_FAST, text) == postings(WORDS_REFERENCE, text)


def test_word_fields_keep_stopwords_short_words_and_whole_words() -> None:
    terms = {t for t, *_ in postings(WORDS_FAST, "The Diffusion of a 3.5x A* Model")}
    assert terms == {b"the", b"diffusion", b"of", b"a", b"3.5x", b"a*", b"model"}


def test_kept_words_stem_to_the_index_terms() -> None:
    """kept_words + stem_word give exactly the terms the index holds for the same text."""
    lines = [
        line for f in sorted(SAMPLE.glob("*.txt")) for line in f.read_text("utf-8").splitlines()
    ]
    analyzer = StemmingAnalyzer()
    for line in lines:
        words = kept_words(line)
        assert [stem_word(w) for w in words] == [t.text for t in analyzer(line)], line[:80]
    assert kept_words("The Diffusion models, of a GPT-4o!") == ["diffusion", "models", "gpt", "4o"]
