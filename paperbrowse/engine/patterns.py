"""Wildcards, prefixes and word ranges, matched against the unstemmed words of each field.

A pattern is matched against words, never stems: `title:diffusion*` must find "diffusion",
whose stem "diffus" the stemmed field holds. The query parser (query.py) points every pattern on
`title`, `abstract` or `org` at that field's word field (`title_words`, ...), which the postings
side files (codec.py) keep as a sorted word list with each word's document numbers. So:

- a prefix (`gen*`) or a range (`title:[a to c]`) is a run of consecutive words found by binary
  search, and its postings are one contiguous read;
- any other wildcard (`*ing`, `diff?sion`) is a regular expression run over the word list
  (narrowed to the words that share its literal prefix), then the matching words are read;
- `*` alone (or `**`) is every paper with a word in the field, from the catalog's lengths.

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

if TYPE_CHECKING:
    from paperbrowse.engine.side_files import SegmentArrays, TermArrays

# Text field -> its unstemmed word field.
WORD_FIELDS = {"title": "title_words", "abstract": "abstract_words", "org": "org_words"}
TEXT_OF = {words: text for text, words in WORD_FIELDS.items()}
MAX_POSTINGS = 1_500_000
# A run of consecutive chosen words with at least this many postings is sliced from the side
# file's view on its own; smaller runs are gathered by one index: `*ing` chooses 2,555 of a
# segment's 55,575 abstract words (231,000 postings), 148 of them with 256 or more (179,000).
PER_WORD = 256
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


class WordList:
    """One segment's sorted words of one word field, with each word's postings in the side file.

    Shapes: `counts[i]` postings of word i, stored as document numbers (uint16 or uint32, read as
    uint32: SegmentArrays.word_ids) at byte `offsets[i]`;
    `cum[i]` the postings before word i.
    """

    def __init__(self, segment: SegmentArrays, fieldname: str) -> None:
        blob_at, blob_len, count, entries_at = segment.word_sections[fieldname]
        self._segment = segment
        self.blob = segment.read(blob_at, blob_len)
        pairs = np.frombuffer(segment.read(entries_at, 16 * count), dtype="<i8").reshape(-1, 2)
        self.offsets = pairs[:, 0].astype(np.int64)
        self.counts = pairs[:, 1].astype(np.int64)
        self.size = count
        breaks = np.flatnonzero(np.frombuffer(self.blob, dtype=np.uint8) == 10)
        self.starts = np.concatenate(([0], breaks + 1)).astype(np.int64)[:count]
        self.ends = np.concatenate((breaks, [len(self.blob)])).astype(np.int64)[:count]
        self.cum = np.concatenate(([0], np.cumsum(self.counts))).astype(np.int64)
        self._last_bytes: np.ndarray | None = None  # each word's last byte (`_ending`)
        self._plain: np.ndarray | None = None  # whether each word is ASCII (`_characters`)
        # Whoosh writes a field's words in order, so their postings follow each other.
        self.fieldname = fieldname
        width = segment.word_id_width(fieldname)  # bytes per document number (2 or 4)
        self.contiguous = bool(
            np.all(self.offsets[1:] == self.offsets[:-1] + width * self.counts[:-1])
        )

    @classmethod
    def of(cls, segment: SegmentArrays, fieldname: str) -> WordList | None:
        """The segment's word list (read once, then kept with the segment); None if it has none."""
        if fieldname not in segment.word_sections:
            return None
        found = segment.word_lists.get(fieldname)
        if found is None:
            found = segment.word_lists[fieldname] = cls(segment, fieldname)
        return found

    def word(self, i: int) -> bytes:
        """The i-th word, as UTF-8 bytes."""
        return self.blob[self.starts[i] : self.ends[i]]

    def first_at_least(self, key: bytes) -> int:
        """Index of the first word >= key (binary search)."""
        lo, hi = 0, self.size
        while lo < hi:
            mid = (lo + hi) // 2
            if self.word(mid) < key:
                lo = mid + 1
            else:
                hi = mid
        return lo

    def prefix(self, prefix: bytes) -> tuple[int, int]:
        """[lo, hi) of the words that start with `prefix`."""
        return self.first_at_least(prefix), self.first_at_least(prefix + b"\xff")

    def between(
        self, start: bytes | None, end: bytes | None, startexcl: bool, endexcl: bool
    ) -> tuple[int, int]:
        """[lo, hi) of the words in a range (None: open at that end)."""
        lo = 0 if start is None else self.first_at_least(start + (b"\x00" if startexcl else b""))
        hi = self.size if end is None else self.first_at_least(end + (b"" if endexcl else b"\x00"))
        return lo, max(lo, hi)

    def matching(self, pattern: str, lo: int, hi: int) -> np.ndarray:
        """Indexes of the words in [lo, hi) that match a wildcard (`*`, `?`).

        The regular expression runs over the UTF-8 word list itself (`?` is one UTF-8
        character), and each match's byte offset is found among the words' starts with one
        binary search for all of them: no decoding, no Python work per word passed over.
        """
        if lo >= hi:
            return np.zeros(0, dtype=np.int64)
        begin, end = int(self.starts[lo]), int(self.ends[hi - 1])
        lead = len(pattern) - len(pattern.lstrip("*?"))
        head, tail = pattern[:lead], pattern[lead:]
        if head and tail and not set(tail) & {"*", "?"}:
            # `*former`, `?ision`: the words ending with the rest, then (for `?`) those with
            # as many characters before it as the head asks (at least as many, with a `*`).
            suffix = tail.encode("utf-8")
            at = self._ending(suffix, lo, hi)
            need = head.count("?")
            if need and len(at):
                before = self._characters(at, self.starts[at], self.ends[at] - len(suffix))
                at = at[before >= need if "*" in head else before == need]
            return at
        if head and tail and ("?" not in head or "*" not in tail):
            # `*form?r`, `?is*on`: search for the rest (starting with a literal, which the
            # regular expression engine scans for at C speed) anchored at a word's end, then
            # check the characters before it; `^[^\n]*former$` would back-track through every
            # word. A match runs to its word's end, so each word matches at most once; the
            # word is the last one starting at or before the match. A rest without `*` has one
            # place it can match in a word, so its characters before are exact.
            regex = re.compile(b"".join(map(_byte_pattern, tail)) + b"$", re.MULTILINE)
            found = np.array(
                [m.start() for m in regex.finditer(self.blob, begin, end)], dtype=np.int64
            )
            at = np.searchsorted(self.starts, found, side="right") - 1
            need = head.count("?")
            if need and len(at):
                counted = self._characters(at, self.starts[at], found)
                at = at[counted >= need if "*" in head else counted == need]
            return at.astype(np.int64)
        regex = re.compile(b"^" + b"".join(map(_byte_pattern, pattern)) + b"$", re.MULTILINE)
        starts = [m.start() for m in regex.finditer(self.blob, begin, end)]
        return np.searchsorted(self.starts, np.array(starts, dtype=np.int64)).astype(np.int64)

    def _characters(self, at: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
        """How many UTF-8 characters (as `?` counts them) the stretches [start, end) of the
        words `at` hold: their bytes for an ASCII word (each word checked once, kept), the
        others decoded."""
        if self._plain is None:
            data = np.frombuffer(self.blob, dtype=np.uint8)
            self._plain = np.maximum.reduceat(data, self.starts) < 0x80
        counted: np.ndarray = ends - starts
        for i in np.flatnonzero(~self._plain[at]).tolist():
            counted[i] = len(self.blob[starts[i] : ends[i]].decode("utf-8", "surrogateescape"))
        return counted

    def _ending(self, suffix: bytes, lo: int, hi: int) -> np.ndarray:
        """Indexes of the words in [lo, hi) that end with `suffix` (`*ing`, `*former`): the
        words' last bytes compared as arrays, the suffix's last byte first (it rules out most
        words), instead of a regular expression's match object per matching word (`*ing`
        matches 2,565 of a segment's 55,816 abstract words: 1.9 ms)."""
        data = np.frombuffer(self.blob, dtype=np.uint8)
        if self._last_bytes is None:  # each word's last byte, kept with the word list
            self._last_bytes = data[np.maximum(self.ends - 1, 0)]
        at = np.flatnonzero(self._last_bytes[lo:hi] == suffix[-1]) + lo
        at = at[self.ends[at] - self.starts[at] >= len(suffix)]
        ends = self.ends[at]
        for k in range(len(suffix) - 2, -1, -1):
            same = data[ends - len(suffix) + k] == suffix[k]
            at, ends = at[same], ends[same]
        return at

    def postings(self, lo: int, hi: int) -> int:
        """How many postings the words [lo, hi) have."""
        return int(self.cum[hi] - self.cum[lo])

    def mark(self, chosen: np.ndarray | tuple[int, int], flags: np.ndarray) -> None:
        """Set `flags[d]` (bool, indexed from this segment's first document) for each document
        number d holding a chosen word: a word range (lo, hi) or ascending word indexes.

        Consecutive chosen words are runs whose postings follow each other. On a mapped side
        file every run is a view of it (no read, no copy): a run of at least PER_WORD postings
        is sliced, the smaller ones are gathered by one index (a Python step each would cost
        more than their postings), and all of them set their flags at once. Unmapped, each run
        is read.
        """
        if isinstance(chosen, tuple):
            if chosen[0] >= chosen[1]:
                return
            firsts, lasts = np.array(chosen[:1], dtype=np.int64), np.array(chosen[1:], np.int64)
        elif len(chosen):
            cuts = np.flatnonzero(np.diff(chosen) != 1) + 1
            firsts = chosen[np.concatenate(([0], cuts))]
            lasts = chosen[np.concatenate((cuts - 1, [len(chosen) - 1]))] + 1
        else:
            return
        if not (self.contiguous and self._segment.mapped):
            for lo, hi in zip(firsts.tolist(), lasts.tolist(), strict=True):
                if self.contiguous:
                    flags[self._stored(lo, hi)] = True
                    continue
                for i in range(lo, hi):
                    flags[self._stored(i, i + 1)] = True
            return
        stored = self._stored(0, self.size)
        begins, ends = self.cum[firsts], self.cum[lasts]
        sizes = ends - begins
        big = sizes >= PER_WORD
        parts = [stored[b:e] for b, e in zip(begins[big].tolist(), ends[big].tolist(), strict=True)]
        if not big.all():
            begins, sizes = begins[~big], sizes[~big]
            before = np.zeros(len(sizes), dtype=np.int64)  # gathered postings before each run
            np.cumsum(sizes[:-1], out=before[1:])
            total = int(before[-1] + sizes[-1])
            parts.append(stored[np.repeat(begins - before, sizes) + np.arange(total)])
        # One scatter, its index joined straight into platform integers (numpy converts any
        # other index to them first: the stored uint16 as the index cost ~1.7 times as much).
        flags[np.concatenate(parts, dtype=np.intp)] = True

    def _stored(self, lo: int, hi: int) -> np.ndarray:
        """The postings of the words [lo, hi) as stored (uint16 or uint32); the words must
        follow each other in the file (`contiguous`, or one word)."""
        return self._segment.stored_word_ids(
            self.fieldname, int(self.offsets[lo]), self.postings(lo, hi)
        )


def _byte_pattern(ch: str) -> bytes:
    """One character of a wildcard as a regular expression over UTF-8 bytes (no line breaks:
    the word list is one word a line)."""
    if ch == "*":
        return rb"[^\n]*"
    if ch == "?":  # one character: an ASCII byte, or a lead byte and its continuation bytes
        return rb"(?:[\x00-\x09\x0b-\x7f]|[\xc0-\xff][\x80-\xbf]*)"
    return re.escape(ch.encode("utf-8"))


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
