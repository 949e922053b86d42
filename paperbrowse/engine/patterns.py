"""Wildcards, prefixes and word ranges, matched against the unstemmed words of each field.

A pattern is matched against words, never stems: `title:diffusion*` must find "diffusion",
whose stem "diffus" the stemmed field holds. The query parser (query.py) points every pattern on
`title`, `abstract` or `org` at that field's word field (`title_words`, ...), which the postings
side files (codec.py) keep as a sorted word list with each word's document numbers. So:

- a prefix (`gen*`) or a range (`title:[a to c]`) is a run of consecutive words found by binary
  search, and its postings follow each other in the side file;
- a wildcard before a plain rest (`*ing`, `?ision`) compares the words' last bytes with the
  rest's; any other wildcard (`diff?sion`, `re*ment`) is a regular expression run over the word
  list (narrowed to the words that share its literal prefix);
- `*` alone (or `**`) is every paper with a word in the field, from the catalog's lengths.

The chosen words' postings are read through a memory map of the side file (no copy) and set a
flag per document, whose positions are the answer (word_lists.py: one segment's word list).

How broad is too broad: a pattern whose words occur in more than MAX_POSTINGS (document, word)
pairs is refused at once, before anything is read, with a one-line message. Reading and merging
that many postings is what fits in the 50 ms a search may take at 100,000 papers (measured in
benchmarks/run.py: "prefix" and "wildcard" rows); counting them costs nothing, because the word
list holds each word's postings count.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import numpy as np
from whoosh import query

from paperbrowse.engine.whoosh_internals import pattern_terms
from paperbrowse.engine.word_lists import WordList

if TYPE_CHECKING:
    from paperbrowse.engine.side_files import TermArrays

# Text field -> its unstemmed word field.
WORD_FIELDS = {"title": "title_words", "abstract": "abstract_words", "org": "org_words"}
TEXT_OF = {words: text for text, words in WORD_FIELDS.items()}
MAX_POSTINGS = 1_500_000
PATTERN_TYPES = (query.Prefix, query.Wildcard, query.TermRange, query.Every)


class PatternTooBroad(ValueError):
    """A pattern matches more postings than one search reads; the message says so."""


def is_pattern(q: query.Query) -> bool:
    """True for a wildcard, prefix, range or `*` on a word field."""
    return isinstance(q, PATTERN_TYPES) and getattr(q, "fieldname", None) in TEXT_OF


def has_pattern(q: query.Query) -> bool:
    """True when `q` holds a pattern anywhere."""
    return bool(pattern_nodes(q))


def pattern_nodes(q: query.Query) -> list[query.Query]:
    """Every pattern in `q`, in order."""
    if is_pattern(q):
        return [q]
    return [node for child in q.children() for node in pattern_nodes(child)]


def describe(q: query.Query) -> str:
    """The pattern as the user wrote it: `title:gen*`, `[a to c]`."""
    field = TEXT_OF.get(q.fieldname, q.fieldname)
    if isinstance(q, query.TermRange):
        start = "" if q.start is None else q.start
        end = "" if q.end is None else q.end
        text = f"{'{' if q.startexcl else '['}{start} to {end}{'}' if q.endexcl else ']'}"
    elif isinstance(q, query.Prefix):
        text = f"{q.text}*"
    elif isinstance(q, query.Every):
        text = "*"
    else:
        text = q.text
    return f"{field}:{text}"


def all_stars(q: query.Query) -> bool:
    """`*`, `**`, …: any word at all."""
    if isinstance(q, query.Every):
        return True
    return isinstance(q, query.Wildcard) and set(q.text) == {"*"}


# A pattern's parts: the word fields' tokens (analysis.WordsText: Whoosh's RegexTokenizer,
# `[\w*]+(\.?[\w*]+)*`), with `?` kept inside a part as the wildcard it is.
_PATTERN_PART = re.compile(r"[\w*?]+(?:\.?[\w*?]+)*")


def word_pattern(fieldname: str, text: str, termclass: Any, boost: float = 1.0) -> query.Query:
    """The query for a pattern `text` (lower-cased) on the word field `fieldname`.

    A word field holds words as its tokenizer splits them: "zero-shot" is the words "zero"
    and "shot", so the pattern `zero-shot*` as one word would match nothing. A pattern holding
    characters the tokenizer splits at is cut there, and a paper must hold every part: the
    leading parts as exact words, the last as the pattern (`zero-shot*` is the word "zero" and
    a word starting with "shot"; `self-*` is the word "self"). Word fields keep no positions,
    so the parts are not checked for adjacency: the answer may hold a few papers where they
    stand apart, and never misses one with a word starting with the pattern. A part that is
    only `*` says nothing and is left out. `termclass` is Whoosh's Prefix (`text` without its
    `*`) or Wildcard, used as it is when the text is one part.
    """
    pattern = text + "*" if termclass is query.Prefix else text
    parts = _PATTERN_PART.findall(pattern)
    if len(parts) <= 1:  # one word, perhaps with punctuation around it: as Whoosh has it
        return termclass(fieldname, text, boost=boost)
    kept = [part for part in parts if set(part) != {"*"}]
    if not kept:
        return query.Every(fieldname, boost=boost)
    queries = [_part_query(fieldname, part, boost) for part in kept]
    return queries[0] if len(queries) == 1 else query.And(queries, boost=boost)


def _part_query(fieldname: str, part: str, boost: float) -> query.Query:
    """One part of a cut pattern: a word, a prefix (`shot*`) or a wildcard (`d?ff*`)."""
    if "*" not in part and "?" not in part:
        return query.Term(fieldname, part, boost=boost)
    if part.endswith("*") and "*" not in part[:-1] and "?" not in part:
        return query.Prefix(fieldname, part[:-1], boost=boost)
    return query.Wildcard(fieldname, part, boost=boost)


class Selection:
    """The words a pattern matches in every segment, and how many postings they have."""

    def __init__(self, parts: list[tuple[WordList, int, Any]], postings: int) -> None:
        self.parts = parts  # (word list, the segment's first document number, words chosen)
        self.postings = postings

    def docs(self, size: int) -> np.ndarray:
        """Sorted document numbers (int64, of `size` in all) holding a chosen word: a flag per
        document set from every chosen word's postings, then the flags' positions (a union
        of ~780,000 postings, `*ing` at 100,000 papers, as a sort or merge cost more)."""
        flags = np.zeros(size, dtype=bool)
        for words, offset, chosen in self.parts:
            words.mark(chosen, flags[offset:])
        return np.flatnonzero(flags).astype(np.int64, copy=False)


def select(q: query.Query, arrays: TermArrays) -> Selection | None:
    """The words the pattern `q` matches (not `*`: see all_stars), found without reading any
    postings; None when a segment has no word list."""
    parts: list[tuple[WordList, int, Any]] = []
    total = 0
    for segment, offset in arrays.segments():
        words = WordList.of(segment, q.fieldname)
        if words is None:
            return None
        chosen = _select(words, q)
        if isinstance(chosen, tuple):
            total += words.postings(*chosen)
        else:
            total += int(words.counts[chosen].sum())
        parts.append((words, offset, chosen))
    return Selection(parts, total)


def check_breadth(selections: list[tuple[query.Query, Selection]]) -> None:
    """PatternTooBroad when the patterns of one query have more than MAX_POSTINGS postings."""
    total = sum(found.postings for _q, found in selections)
    if total > MAX_POSTINGS:
        widest = max(selections, key=lambda pair: pair[1].postings)[0]
        raise PatternTooBroad(too_broad(widest, total))


def too_broad(q: query.Query, postings: int) -> str:
    """The one-line refusal for a query whose patterns (the widest is `q`) have `postings`."""
    return (
        f"{describe(q)} is too broad: the words it matches occur {postings:,} times, and one "
        f"search reads at most {MAX_POSTINGS:,} (about 50 ms at 100,000 papers); make it "
        "longer or narrower"
    )


def _select(words: WordList, q: query.Query) -> tuple[int, int] | np.ndarray:
    """The words of one segment a pattern matches: a range (lo, hi) or word indexes."""
    if isinstance(q, query.Prefix):
        return words.prefix(q.text.encode("utf-8", "surrogateescape"))
    if isinstance(q, query.TermRange):
        start = None if q.start is None else str(q.start).encode("utf-8", "surrogateescape")
        end = None if q.end is None else str(q.end).encode("utf-8", "surrogateescape")
        return words.between(start, end, q.startexcl, q.endexcl)
    text = q.text
    literal = re.split(r"[*?]", text, maxsplit=1)[0]
    lo, hi = (
        words.prefix(literal.encode("utf-8", "surrogateescape")) if literal else (0, words.size)
    )
    if literal == text:  # no wildcard characters after all: one word
        key = text.encode("utf-8", "surrogateescape")
        return (lo, lo + 1) if lo < hi and words.word(lo) == key else (lo, lo)
    return words.matching(text, lo, hi)


def whoosh_pattern_docs(searcher: Any, q: query.Query) -> np.ndarray:
    """What pattern_docs finds, through Whoosh's own term index (segments without word lists);
    refused above MAX_POSTINGS alike."""
    reader = searcher.reader()
    if all_stars(q):
        q = query.Every(q.fieldname)
        texts = (
            list(reader.lexicon(q.fieldname)) if q.fieldname in reader.indexed_field_names() else []
        )
    else:
        texts = pattern_terms(q, reader)
    total = sum(reader.doc_frequency(q.fieldname, t) for t in texts)
    if total > MAX_POSTINGS:
        raise PatternTooBroad(too_broad(q, total))
    docs: set[int] = set()
    for text in texts:
        docs.update(searcher.postings(q.fieldname, text).all_ids())
    found = np.fromiter(docs, dtype=np.int64)
    found.sort()
    return found
