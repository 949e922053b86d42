"""One segment's sorted word list of a word field (`title_words`, ...), as the postings side
file keeps it (codec.py): the words joined by newlines, each word's postings count and offset,
and its document numbers. Finding the words a pattern matches (binary search, the words' last
bytes, a regular expression over the list) and setting a flag for each document that holds one
of them; the query side (which pattern, how broad, which segments) is patterns.py.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from paperbrowse.engine.side_files import SegmentArrays

# A chosen word with at least this many postings is sliced from the side file's view on its
# own; the smaller ones are gathered by one index: `*ing` chooses 2,555 of a segment's 55,575
# abstract words (231,000 postings), 148 of them with 256 or more (179,000).
PER_WORD = 256
# A literal head's words, up to this many, are matched by a regular expression even when a
# plain rest follows (`diff?sion`: ~120 words a segment at 10^6 papers, 14 µs against the
# arrays' 34); beyond, comparing the words' last bytes as arrays wins (`re*ment`: 1,656 words,
# 160 µs against 47).
FEW_WORDS = 256


class WordList:
    """One segment's sorted words of one word field, with each word's postings in the side file.

    Shapes (int64 arrays): `counts[i]` postings of word i, stored as document numbers (uint16
    or uint32: SegmentArrays.word_id_width) at byte `offsets[i]`; `cum[i]` the postings before
    word i; `starts[i]`, `ends[i]` its bytes in `blob`.
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
        self._tails: np.ndarray | None = None  # each word's last four bytes (`_ending`)
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
        """Indexes (int64, ascending) of the words in [lo, hi) that match a wildcard (`*`,
        `?`: one UTF-8 character); every word in [lo, hi) must start with the pattern's
        literal head (the words `prefix` gives for it).

        With no literal head, or more than FEW_WORDS words starting with it, a plain rest
        after the wildcards is compared with the words' last bytes as arrays (`_ending`); else a
        regular expression runs over the UTF-8 word list itself, and each match's byte offset
        is found among the words' starts with one binary search for all of them: no decoding,
        no Python work per word passed over.
        """
        literal = re.split(r"[*?]", pattern, maxsplit=1)[0]
        if lo >= hi:
            return np.zeros(0, dtype=np.int64)
        begin, end = int(self.starts[lo]), int(self.ends[hi - 1])
        rest = pattern[len(literal) :]
        lead = len(rest) - len(rest.lstrip("*?"))
        head, tail = rest[:lead], rest[lead:]
        if head and tail and not set(tail) & {"*", "?"} and (not literal or hi - lo > FEW_WORDS):
            # `*former`, `?ision`, `re*ment`: the words ending with the plain rest, then (after
            # a literal, or for `?`) those with as many characters between the two as the
            # head asks (at least as many, with a `*`; never fewer than none: `ab*bc` is not
            # "abc").
            suffix = tail.encode("utf-8")
            at = self._ending(suffix, lo, hi)
            need = head.count("?")
            if (need or literal) and len(at):
                skip = len(literal.encode("utf-8", "surrogateescape"))
                between = self._characters(self.starts[at] + skip, self.ends[at] - len(suffix))
                at = at[between >= need if "*" in head else between == need]
            return at
        if not literal and head and tail and ("?" not in head or "*" not in tail):
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
                counted = self._characters(self.starts[at], found)
                at = at[counted >= need if "*" in head else counted == need]
            return at.astype(np.int64)
        regex = re.compile(b"^" + b"".join(map(_byte_pattern, pattern)) + b"$", re.MULTILINE)
        starts = [m.start() for m in regex.finditer(self.blob, begin, end)]
        return np.searchsorted(self.starts, np.array(starts, dtype=np.int64)).astype(np.int64)

    def _characters(self, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
        """How many UTF-8 characters, as `?` counts them, each stretch [start, end) of the word
        list holds (int64; negative when it ends before it starts): its bytes less its
        continuation bytes (0x80-0xbf), counted over the stretches' bytes alone."""
        counted: np.ndarray = ends - starts
        inside = np.flatnonzero(counted > 0)
        if not len(inside):
            return counted
        sizes = counted[inside]
        before = np.zeros(len(sizes), dtype=np.int64)  # stretch bytes before each stretch
        np.cumsum(sizes[:-1], out=before[1:])
        index = np.repeat(starts[inside] - before, sizes) + np.arange(int(sizes.sum()))
        data = np.frombuffer(self.blob, dtype=np.uint8)
        following = (data[index] & 0xC0) == 0x80
        counted[inside] -= np.add.reduceat(following, before, dtype=np.int64)
        return counted

    def _ending(self, suffix: bytes, lo: int, hi: int) -> np.ndarray:
        """Indexes of the words in [lo, hi) that end with `suffix` (`*ing`, `*former`): each
        word's last four bytes (kept with the word list, as one uint32: the last byte lowest;
        a shorter word's take bytes before it, which its length then rules out) compared with
        the suffix's at once, then the length and any earlier bytes of the few that pass. One
        pass over 4 bytes a word: at 10^6 papers a pattern runs over 34 segments of ~42,000
        abstract words, and comparing the last byte, then gathering the next from the word
        list, cost ~0.26 ms a segment (`?ision`)."""
        data = np.frombuffer(self.blob, dtype=np.uint8)
        if self._tails is None:
            self._tails = self._tails_of(data, self.ends)
        window = self._tails[lo:hi]
        last = suffix[-4:]
        key = sum(byte << (8 * k) for k, byte in enumerate(reversed(last)))
        if len(last) < 4:
            window = window & ((1 << (8 * len(last))) - 1)
        at = np.flatnonzero(window == key) + lo
        at = at[self.ends[at] - self.starts[at] >= len(suffix)]
        ends = self.ends[at]
        for k in range(len(suffix) - 5, -1, -1):
            same = data[ends - len(suffix) + k] == suffix[k]
            at, ends = at[same], ends[same]
        return at

    @staticmethod
    def _tails_of(data: np.ndarray, ends: np.ndarray) -> np.ndarray:
        """The four bytes before each end in `data` as one uint32, the last byte lowest."""
        tails = np.zeros(len(ends), dtype=np.uint32)
        for k in range(4):
            tails |= data[np.maximum(ends - 1 - k, 0)].astype(np.uint32) << (8 * k)
        return tails

    def postings(self, lo: int, hi: int) -> int:
        """How many postings the words [lo, hi) have."""
        return int(self.cum[hi] - self.cum[lo])

    def mark(self, chosen: np.ndarray | tuple[int, int], flags: np.ndarray) -> None:
        """Set `flags[d]` (bool, indexed from this segment's first document) for each document
        number d holding a chosen word: a word range (lo, hi) or ascending word indexes.

        On a mapped side file every word's postings are a view of it (no read, no copy): a
        range of words is one slice, a word with at least PER_WORD postings is sliced, the
        smaller ones are gathered by one index (a Python step each would cost more than their
        postings), and all of them set their flags at once. Unmapped, each run of consecutive
        words is read.
        """
        if isinstance(chosen, tuple):
            lo, hi = chosen
            if lo >= hi:
                return
            if self.contiguous:  # numpy converts any index to platform integers first
                flags[self._stored(lo, hi).astype(np.intp)] = True
                return
            chosen = np.arange(lo, hi, dtype=np.int64)
        if not len(chosen):
            return
        if not (self.contiguous and self._segment.mapped):
            self._mark_read(chosen, flags)
            return
        stored = self._stored(0, self.size)
        begins, sizes = self.cum[chosen], self.counts[chosen]
        big = sizes >= PER_WORD
        parts: list[np.ndarray] = []
        if big.any():
            ends = begins[big] + sizes[big]
            parts = [stored[b:e] for b, e in zip(begins[big].tolist(), ends.tolist(), strict=True)]
            begins, sizes = begins[~big], sizes[~big]
        if len(sizes):
            before = np.zeros(len(sizes), dtype=np.int64)  # gathered postings before each word
            np.cumsum(sizes[:-1], out=before[1:])
            total = int(before[-1] + sizes[-1])
            parts.append(stored[np.repeat(begins - before, sizes) + np.arange(total)])
        # One scatter, its index joined straight into platform integers (numpy converts any
        # other index to them first: the stored uint16 as the index cost ~1.7 times as much).
        flags[parts[0] if len(parts) == 1 else np.concatenate(parts, dtype=np.intp)] = True

    def _mark_read(self, chosen: np.ndarray, flags: np.ndarray) -> None:
        """`mark` by reading: one read per run of consecutive chosen words when their
        postings follow each other in the file, else one per word."""
        if not self.contiguous:
            for i in chosen.tolist():
                flags[self._stored(i, i + 1)] = True
            return
        cuts = np.flatnonzero(np.diff(chosen) != 1) + 1
        firsts = chosen[np.concatenate(([0], cuts))]
        lasts = chosen[np.concatenate((cuts - 1, [len(chosen) - 1]))] + 1
        for lo, hi in zip(firsts.tolist(), lasts.tolist(), strict=True):
            flags[self._stored(lo, hi)] = True

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
