"""A faster path through Whoosh's StemmingAnalyzer for indexing.

Whoosh analyses text through a chain of Python generators that build a Token object per word;
at 100,000 abstracts that chain is most of an index run. `StemmedText.index` produces exactly
the same terms, frequencies, weights and encoded positions in one regex pass with a cached
stemmer (tests/unit/test_analysis.py checks the equivalence). Queries still go through the
field's ordinary analyzer, so query parsing, phrases and highlighting are unchanged.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from array import array
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from whoosh import fields, formats
from whoosh.analysis import (
    STOP_WORDS,
    Filter,
    IDTokenizer,
    LowercaseFilter,
    RegexTokenizer,
    StemFilter,
    StemmingAnalyzer,
)
from whoosh.lang.porter import stem

from paperbrowse.engine.word_pairs import every_pair_term, pair_terms

# Whoosh's default tokenizer pattern (it keeps "*" inside words), without the capturing group.
_TOKEN = re.compile(r"[\w\*]+(?:\.?[\w\*]+)*", re.UNICODE)
_MIN_SIZE = 2


@lru_cache(maxsize=200_000)
def _stem(word: str) -> str:
    stemmed: str = stem(word)
    return stemmed


@lru_cache(maxsize=8)
def lower_tokens(value: str) -> list[str]:
    """Whoosh's default tokens of `value` (RegexTokenizer), each lower-cased (LowercaseFilter),
    in order: what both the stemmed and the unstemmed word fields start from. Cached briefly:
    a document's title and abstract are each analysed for both fields. Callers must not change
    the list."""
    if value.isascii():  # lowercasing ASCII first moves no token boundary: one C-level pass
        return _TOKEN.findall(value.lower())
    return [word.lower() for word in _TOKEN.findall(value)]


@lru_cache(maxsize=8)
def stemmed_terms(value: str) -> tuple[int, tuple[str, ...]]:
    """The terms StemmingAnalyzer keeps, in order, and the position of the first.

    StopFilter(renumber=True) lets the first kept word keep its position; the rest follow it.
    Cached briefly: a document's title and abstract are analysed for two fields each.
    """
    stops = STOP_WORDS
    first = -1
    terms: list[str] = []
    for original, word in enumerate(lower_tokens(value)):
        if len(word) < _MIN_SIZE or word in stops:
            continue
        if first < 0:
            first = original
        terms.append(_stem(word))
    return max(first, 0), tuple(terms)


def kept_words(value: str) -> list[str]:
    """The lowercased words StemmingAnalyzer keeps from `value`, in order, before stemming.

    Whoosh's default tokenizer, lowercased, words of two or more characters that are not in
    Whoosh's STOP_WORDS: `stem_word` of each gives exactly `stemmed_terms(value)[1]`. For code
    that needs the words a user typed next to the terms the index holds (recommendations name
    "diffusion", not its stem "diffus").
    """
    if value.isascii():  # lowercasing ASCII first moves no token boundary: one C-level pass
        drop = _ASCII_DROP
        return [word for word in _TOKEN.findall(value.lower()) if word not in drop]
    stops = STOP_WORDS
    found = (word.lower() for word in _TOKEN.findall(value))
    return [word for word in found if len(word) >= _MIN_SIZE and word not in stops]


# Stop words and every one-character ASCII token: what kept_words drops from ASCII text.
_ASCII_DROP = (
    frozenset(STOP_WORDS)
    | {chr(c).lower() for c in range(128) if chr(c).isalnum()}
    | {
        "_",
        "*",
    }
)


def stem_word(word: str) -> str:
    """The index's stem of one lowercased word (Whoosh's Porter stemmer, cached)."""
    return _stem(word)


class StemmedText(fields.TEXT):  # type: ignore[misc]  # Whoosh ships no types: its classes are Any
    """A TEXT field analysed like StemmingAnalyzer(), indexed through a fast path."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(analyzer=StemmingAnalyzer(), **kwargs)
        boost: float = kwargs.get("field_boost", 1.0)
        self.format = CompactPositions(field_boost=boost)

    def index(self, value: Any, **kwargs: Any) -> Iterator[tuple[bytes, int, float, bytes]]:
        """(term, frequency, weight, encoded positions) for each distinct stemmed word."""
        if not isinstance(value, str) or kwargs.get("mode", "index") != "index":
            yield from super().index(value, **kwargs)
            return
        positions: dict[str, list[int]] = {}
        first, terms = stemmed_terms(value)
        for pos, term in enumerate(terms, first):
            found = positions.get(term)
            if found is None:
                positions[term] = [pos]
            else:
                found.append(pos)
        boost = self.format.field_boost
        for term, poslist in positions.items():
            if len(poslist) == 1:
                yield term.encode("utf-8"), 1, boost, _single(poslist[0])
            else:
                count = len(poslist)
                yield term.encode("utf-8"), count, count * boost, encode_positions(poslist)


class CompactPositions(formats.Positions):  # type: ignore[misc]  # Whoosh ships no types: its classes are Any
    """Whoosh's Positions format with a compact value: a width byte (2 or 4), then each
    position as a little-endian uint16 (uint32 once any reaches 65,536).

    Whoosh's own value is a count and a pickled list of deltas: 13 bytes for one position
    instead of 3, and a `pickle.loads` per posting to read. Phrase queries, highlighting and
    merges all go through `encode`/`decode_positions`, so Whoosh works unchanged; the postings
    side files (engine/side_files.py) decode a whole term's values at once with numpy.
    """

    def encode(self, poslist: Any) -> bytes:
        return encode_positions(list(poslist))

    def decode_positions(self, valuestring: bytes) -> list[int]:
        width = valuestring[0]
        values = array("H" if width == 2 else "I")
        values.frombytes(valuestring[1:])
        if _BIG_ENDIAN:
            values.byteswap()
        return values.tolist()

    def decode_frequency(self, valuestring: bytes) -> int:
        return (len(valuestring) - 1) // valuestring[0]

    def combine(self, vs: Any) -> bytes:
        found: set[int] = set()
        for v in vs:
            found.update(self.decode_positions(v))
        return self.encode(sorted(found))


_BIG_ENDIAN = sys.byteorder == "big"


def encode_positions(poslist: list[int]) -> bytes:
    """CompactPositions' value for ascending positions."""
    wide = bool(poslist) and max(poslist) > 0xFFFF
    values = array("I" if wide else "H", poslist)
    if _BIG_ENDIAN:
        values.byteswap()
    return (b"\x04" if wide else b"\x02") + values.tobytes()


@lru_cache(maxsize=4096)
def _single(pos: int) -> bytes:
    return encode_positions([pos])


# --- author names and arXiv ids ---------------------------------------------------------------
# These classes are pickled into every index's schema: keep them importable under these names.

NAME_GAP = 100  # positions between two names, so a phrase never spans the end of one name


class NameListTokenizer(RegexTokenizer):  # type: ignore[misc]  # Whoosh ships no types: its classes are Any
    """Words of a list of names, one name a line, with a gap of NAME_GAP positions between
    names: `author:"Qizheng Zhang"` matches that name, never "… Qizheng" then "Zhang …"."""

    def __call__(self, value: str, **kwargs: Any) -> Iterator[Any]:
        start = kwargs.pop("start_pos", 0)
        for name in value.split("\n"):
            last = start - 1
            for token in super().__call__(name, start_pos=start, **kwargs):
                last = token.pos if kwargs.get("positions") else last + 1
                yield token
            start = last + 1 + NAME_GAP


class FoldFilter(Filter):  # type: ignore[misc]  # Whoosh ships no types: its classes are Any
    """Case- and accent-folded words (NFKD without combining marks, case-folded): `José`
    and `jose` are one term."""

    def __call__(self, tokens: Iterator[Any]) -> Iterator[Any]:
        for token in tokens:
            token.text = fold(token.text)
            yield token


def fold(text: str) -> str:
    """`text` without accents, case-folded (what FoldFilter does to each word)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def name_analyzer() -> Any:
    """The analyzer of the `author` field: words of each name, folded, never stemmed."""
    return NameListTokenizer() | FoldFilter()


def org_analyzer() -> Any:
    """The analyzer of the `org` field, whose value is the organisation's name and handle one a
    line (schema.document): Whoosh's default words, lower-cased and Porter-stemmed as
    StemmingAnalyzer's, every word kept (stopwords and one-letter words: `University of
    Tokyo`), and NAME_GAP positions between the lines, so `org:"Seed ByteDance"` does not match
    the name `ByteDance Seed` followed by the handle `ByteDance-Seed`."""
    return NameListTokenizer() | LowercaseFilter() | StemFilter()


class ArxivIdFilter(Filter):  # type: ignore[misc]  # Whoosh ships no types: its classes are Any
    """An arXiv id as the index holds it: `arXiv:2510.04618v2` -> `2510.04618` (see
    `links.bare_arxiv_id`), lower case."""

    def __call__(self, tokens: Iterator[Any]) -> Iterator[Any]:
        from paperbrowse.links import bare_arxiv_id

        for token in tokens:
            token.text = bare_arxiv_id(token.text).lower()
            yield token


def arxiv_analyzer() -> Any:
    """The analyzer of the `arxiv` field: the whole id as one term, without version."""
    return IDTokenizer() | ArxivIdFilter()


class WordsText(fields.TEXT):  # type: ignore[misc]  # Whoosh ships no types: its classes are Any
    """Every distinct word of a text, lower-cased and unstemmed, stopwords and one-letter
    words kept: what wildcards, prefixes and ranges match (`diffusion*` must find
    "diffusion", whose stem is "diffus").

    Words are Whoosh's default tokens (RegexTokenizer: `[\\w*]+(\\.?[\\w*]+)*`) lower-cased
    by LowercaseFilter; postings record presence only (Existence), and the field length is
    the number of distinct words.
    """

    def __init__(self) -> None:
        super().__init__(analyzer=RegexTokenizer() | LowercaseFilter(), phrase=False)
        self.format = formats.Existence()

    def index(self, value: Any, **kwargs: Any) -> Iterator[tuple[bytes, int, float, bytes]]:
        """(word, 1, 1.0, b"") for each distinct word, as the analyzer above produces them."""
        if not isinstance(value, str) or kwargs.get("mode", "index") != "index":
            yield from super().index(value, **kwargs)
            return
        for word in dict.fromkeys(lower_tokens(value)):
            yield word.encode("utf-8"), 1, 1.0, b""


def words_of(text: str) -> list[str]:
    """The distinct words WordsText indexes for `text`, in order of first appearance."""
    return list(dict.fromkeys(m.group().lower() for m in _TOKEN.finditer(text)))


class PairText(fields.TEXT):  # type: ignore[misc]  # Whoosh ships no types: its classes are Any
    """The adjacent pairs of common stems of a text (engine/word_pairs.py): what a phrase of two
    common words reads instead of their positions. Terms are `pair_terms` of
    `stemmed_terms(value)`, the same terms and order StemmedText indexes, so a paper holds a
    pair exactly when it holds the two-word phrase. Postings record presence only (Existence);
    not scorable (no field lengths: phrases are scored on their words), never queried by name.
    """

    def __init__(self) -> None:
        super().__init__(analyzer=StemmingAnalyzer(), phrase=False)
        self.format = formats.Existence()
        self.scorable = False

    def index(self, value: Any, **kwargs: Any) -> Iterator[tuple[bytes, int, float, bytes]]:
        """(pair term, 1, 1.0, b"") for each distinct pair of common stems, in order."""
        if not isinstance(value, str):
            return
        for term in pair_terms(stemmed_terms(value)[1]):
            yield term.encode("utf-8"), 1, 1.0, b""


def org_terms(value: str) -> list[list[str]]:
    """The org field's terms of `value` (`org_analyzer`), line by line (the name's, then the
    handle's): each line's Whoosh default tokens, lower-cased and Porter-stemmed, in order."""
    return [[_stem(word) for word in lower_tokens(line)] for line in value.split("\n")]


class OrgPairText(PairText):
    """Every adjacent pair of the org field's terms within a line (`org_terms`; engine/
    word_pairs.py EVERY_PAIR): a paper holds a pair exactly when its organisation's name or
    handle holds the two-word phrase. Presence only, like PairText."""

    def index(self, value: Any, **kwargs: Any) -> Iterator[tuple[bytes, int, float, bytes]]:
        """(pair term, 1, 1.0, b"") for each distinct adjacent pair of terms, in order."""
        if not isinstance(value, str):
            return
        found = (term for line in org_terms(value) for term in every_pair_term(line))
        for term in dict.fromkeys(found):
            yield term.encode("utf-8"), 1, 1.0, b""
