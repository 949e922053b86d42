"""Which documents match a Whoosh query, and how well: sorted numpy arrays of document numbers.

Whoosh's matchers yield one posting at a time through several Python calls each; for a common
word in 100,000 abstracts that alone takes a few hundred milliseconds. Here a term of the title
or abstract is read whole from the segments' postings side files (side_files.py) and boolean
queries become array set operations. Phrases narrow to the documents holding every word, then
intersect (document, position - offset) keys of each word. Other terms (org, wildcards,
ranges) are read from Whoosh's postings blocks, and any query kind not handled here falls back
to Whoosh's own matcher, so results are always Whoosh's; tests compare both on many queries.

Scoring is in scoring.py.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from whoosh import query
from whoosh.searching import Searcher

from paperbrowse.engine.patterns import (
    Selection,
    all_stars,
    check_breadth,
    is_pattern,
    pattern_nodes,
    select,
    whoosh_pattern_docs,
)
from paperbrowse.engine.side_files import decode_positions
from paperbrowse.engine.whoosh_internals import leaf_postings, postings_blocks

if TYPE_CHECKING:
    from paperbrowse.engine.side_files import TermArrays

# An unfielded word means "in the title or the abstract", and scores as one field holding both
# (BM25F): "words" names that merged field in scoring.positive_terms and scoring.bm25f.
WORDS_FIELD = "words"
MERGED_FIELDS = ("title", "abstract")


def term_docs(searcher: Searcher, fieldname: str, text: Any) -> set[int]:
    """Document numbers holding a term (deleted ones included: callers intersect with live)."""
    docs: set[int] = set()
    for matcher, offset in leaf_postings(searcher, fieldname, text):
        blocks = postings_blocks(matcher)
        if blocks is None:
            docs.update(i + offset for i in matcher.all_ids())
            continue
        for block in blocks:
            ids = block.ids
            docs.update(ids if not offset else (i + offset for i in ids))
    return docs


def term_positions(
    searcher: Searcher, fieldname: str, text: Any, docs: set[int]
) -> dict[int, list[int]] | None:
    """Positions of a term in each of `docs` that holds it (None: not a positional field).

    Reads the term's postings a block at a time and decodes positions only for `docs`.
    """
    field_obj = searcher.schema[fieldname]
    decode = getattr(field_obj.format, "decode_positions", None)
    if decode is None:
        return None
    found: dict[int, list[int]] = {}
    for matcher, offset in leaf_postings(searcher, fieldname, text):
        blocks = postings_blocks(matcher, "values")
        if blocks is None:
            return None
        for block in blocks:
            ids = [i + offset for i in block.ids] if offset else block.ids
            if not docs.isdisjoint(ids):
                values = block.values
                for i, doc in enumerate(ids):
                    if doc in docs:
                        found[doc] = decode(values[i])
    return found


def phrase_docs(
    searcher: Searcher, fieldname: str, words: list[Any], candidates: set[int]
) -> set[int] | None:
    """The candidates where `words` stand at consecutive positions (None: cannot tell)."""
    per_word: list[dict[int, list[int]]] = []
    docs = set(candidates)
    for word in words:
        positions = term_positions(searcher, fieldname, word, docs)
        if positions is None:
            return None
        per_word.append(positions)
        docs &= positions.keys()
        if not docs:
            return set()
    return consecutive(per_word, docs)


def consecutive(per_word: list[dict[int, list[int]]], docs: Any) -> set[int]:
    """The documents of `docs` where each word's positions (`per_word`: a word's positions by
    document, in phrase order) follow the previous word's."""
    matched: set[int] = set()
    for doc in docs:
        starts = set(per_word[0][doc])
        for offset, positions in enumerate(per_word[1:], 1):
            starts &= {p - offset for p in positions[doc]}
            if not starts:
                break
        if starts:
            matched.add(doc)
    return matched


class BlockPostings:
    """Terms of the fields without side files (org, author, …) read from Whoosh's postings
    blocks, each term once per search: matching reads its documents, a phrase its positions,
    scoring its weights."""

    def __init__(self, searcher: Searcher) -> None:
        self.searcher = searcher
        self._found: dict[tuple[str, Any], tuple[np.ndarray, np.ndarray, list[bytes] | None]] = {}

    def read(
        self, fieldname: str, text: Any, values: bool = False
    ) -> tuple[np.ndarray, np.ndarray, list[bytes] | None] | None:
        """(sorted document numbers as int64, weights as float64, each posting's value bytes
        when `values`, else None) of a term in every segment, deleted documents included;
        None when a segment's postings cannot be read a block at a time."""
        found = self._found.get((fieldname, text))
        if found is not None and (not values or found[2] is not None):
            return found
        ids: list[int] = []
        weights: list[float] = []
        kept: list[bytes] | None = [] if values else None
        parts = ("weights", "values") if values else ("weights",)
        for matcher, offset in leaf_postings(self.searcher, fieldname, text):
            blocks = postings_blocks(matcher, *parts)
            if blocks is None:
                return None
            for block in blocks:
                block_ids = block.ids
                ids.extend(block_ids if not offset else [i + offset for i in block_ids])
                weights.extend(block.weights)
                if kept is not None:
                    kept.extend(block.values)
        found = (np.array(ids, dtype=np.int64), np.array(weights, dtype=np.float64), kept)
        self._found[(fieldname, text)] = found
        return found


def as_array(docs: Any) -> np.ndarray:
    """Document numbers (any iterable of ints) as a sorted, unique int64 array."""
    found = np.fromiter(docs, dtype=np.int64)
    found.sort()
    return found


class DocSets:
    """Evaluates queries to sorted arrays of document numbers against one searcher.

    With `arrays` (the segments' postings side files, see side_files.py) terms of the text fields
    are read as whole arrays; other terms, and any segment without a side file, go through
    Whoosh's postings blocks.
    """

    def __init__(
        self,
        searcher: Searcher,
        live: np.ndarray,
        arrays: TermArrays | None = None,
        nonempty: dict[str, np.ndarray] | None = None,
        blocks: BlockPostings | None = None,
    ) -> None:
        self.searcher = searcher
        self.live = live
        self.arrays = arrays
        self.blocks = blocks  # other fields' terms, read once per search
        self.nonempty = nonempty  # word field -> flags of documents with a word (for `*`)
        self._selections: dict[int, Selection] = {}  # pattern node id -> its words

    def docs(self, q: query.Query) -> np.ndarray:
        """The live documents matching `q`, sorted.

        Patterns are counted first: a query whose patterns are too broad raises
        PatternTooBroad before any postings are read.
        """
        self._selections = {}
        if self.arrays is not None:
            counted: list[tuple[query.Query, Selection]] = []
            for node in pattern_nodes(q):
                if all_stars(node):
                    continue
                found_words = select(node, self.arrays)
                if found_words is None:
                    break
                self._selections[id(node)] = found_words
                counted.append((node, found_words))
            check_breadth(counted)
        found = self._eval(q)
        if len(self.live) == self.size:
            return found
        return intersect(found, self.live, self.size)

    @property
    def size(self) -> int:
        """Document numbers in all (deleted ones included)."""
        size: int = self.searcher.reader().doc_count_all()
        return size

    def term(self, fieldname: str, text: Any) -> np.ndarray:
        """Sorted document numbers holding a term (deleted ones included)."""
        if self.arrays is not None and self.arrays.captures(fieldname):
            return self.arrays.docs(fieldname, term_bytes(self.searcher, fieldname, text))
        found = self.blocks.read(fieldname, text) if self.blocks is not None else None
        if found is not None:
            return found[0]
        return as_array(term_docs(self.searcher, fieldname, text))

    def _eval(self, q: query.Query) -> np.ndarray:
        if isinstance(q, query.Term):
            return self.term(q.fieldname, q.text)
        if isinstance(q, query.And):
            parts = sorted((self._eval(c) for c in q.subqueries), key=len)
            if not parts:
                return EMPTY
            result = parts[0]
            for part in parts[1:]:
                if not len(result):
                    break
                result = intersect(result, part, self.size)
            return result
        if isinstance(q, query.Or) and not isinstance(q, query.DisjunctionMax):
            if q.minmatch and q.minmatch > 1:
                return self._whoosh(q)
            return self._union(q.subqueries)
        if isinstance(q, query.DisjunctionMax):
            return self._union(q.subqueries)
        if isinstance(q, query.Not):
            return difference(self.live, self._eval(q.query), self.size)
        if isinstance(q, query.AndNot):
            return difference(self._eval(q.a), self._eval(q.b), self.size)
        if isinstance(q, query.AndMaybe):
            return self._eval(q.a)
        if isinstance(q, query.Phrase):
            return self._phrase(q)
        if is_pattern(q):
            return self._pattern(q)
        if isinstance(q, query.Every) and (not q.fieldname or q.fieldname == "has_code"):
            every: np.ndarray = self.live.copy()  # every document has has_code, true or false
            return every
        if isinstance(q, query.NullQuery.__class__):
            return EMPTY
        return self._whoosh(q)

    def _pattern(self, q: query.Query) -> np.ndarray:
        """A wildcard, prefix, range or `*` over a word field (see patterns.py)."""
        if all_stars(q) and self.nonempty and q.fieldname in self.nonempty:
            return np.flatnonzero(self.nonempty[q.fieldname])
        chosen = self._selections.get(id(q))
        if chosen is not None:
            return chosen.docs(self.size)
        return whoosh_pattern_docs(self.searcher, q)

    def _union(self, children: list[query.Query]) -> np.ndarray:
        parts = [self._eval(c) for c in children]
        parts = [p for p in parts if len(p)]
        if not parts:
            return EMPTY
        if len(parts) == 1:
            return parts[0]
        return union(parts, self.size)

    def _phrase(self, q: query.Phrase) -> np.ndarray:
        words = list(q.words)
        if not words:
            return EMPTY
        # Only documents holding every word can hold the phrase: narrow with the words' sets,
        # then check positions on those alone.
        if q.slop == 1 and self.blocks is not None and not self._side(q.fieldname):
            for word in words:  # read with positions once, for both steps
                self.blocks.read(q.fieldname, word, values=True)
        candidates: np.ndarray | None = None
        for word in sorted(words, key=lambda w: self.searcher.doc_frequency(q.fieldname, w)):
            found = self.term(q.fieldname, word)
            candidates = found if candidates is None else intersect(candidates, found, self.size)
            if not len(candidates):
                return EMPTY
        assert candidates is not None
        if len(self.live) != self.size:
            candidates = intersect(candidates, self.live, self.size)
        if len(words) == 1 or not len(candidates):
            return candidates
        if q.slop == 1 and self.arrays is not None and self.arrays.captures(q.fieldname):
            checked = self._phrase_arrays(q.fieldname, words, candidates)
            if checked is not None:
                return checked
        if q.slop == 1:
            from_blocks = self._phrase_blocks(q.fieldname, words, candidates)
            if from_blocks is not None:
                return from_blocks
        within = set(candidates.tolist())
        if q.slop != 1:
            return self._whoosh(q, within)
        slow = phrase_docs(self.searcher, q.fieldname, words, within)
        return self._whoosh(q, within) if slow is None else as_array(slow)

    def _phrase_arrays(
        self, fieldname: str, words: list[Any], candidates: np.ndarray
    ) -> np.ndarray | None:
        """Candidates where the words stand at consecutive positions, from the side files."""
        assert self.arrays is not None
        starts: np.ndarray | None = None
        # The rarest word first: each word's positions are decoded only in the documents where
        # the phrase can still start (the candidates narrow as the words are checked).
        frequency = {w: self.searcher.frequency(fieldname, w) for w in set(words)}
        checked = sorted(enumerate(words), key=lambda ow: frequency[ow[1]])
        for n, (offset, word) in enumerate(checked):
            # (document, position of the phrase's first word), packed in one int64 key
            found = term_keys_in(
                self.arrays,
                fieldname,
                term_bytes(self.searcher, fieldname, word),
                candidates,
                offset,
            )
            if found is None:
                return None
            keys = sorted_unique(found)
            starts = keys if starts is None else intersect_keys(starts, keys)
            if not len(starts):
                return EMPTY
            if n + 1 < len(checked):
                candidates = sorted_unique(starts >> 32)
        assert starts is not None
        return sorted_unique(starts >> 32)

    def _side(self, fieldname: str) -> bool:
        """Whether the field's terms are read from the side files."""
        return self.arrays is not None and self.arrays.captures(fieldname)

    def _phrase_blocks(
        self, fieldname: str, words: list[Any], candidates: np.ndarray
    ) -> np.ndarray | None:
        """Candidates where the words stand at consecutive positions, from Whoosh's postings
        blocks read once per search (None: not a positional field, or not readable so)."""
        decode = getattr(self.searcher.schema[fieldname].format, "decode_positions", None)
        if decode is None or self.blocks is None:
            return None
        docs = candidates.tolist()
        per_word: list[dict[int, list[int]]] = []
        for word in words:
            found = self.blocks.read(fieldname, word, values=True)
            values = found[2] if found is not None else None
            if found is None or values is None:
                return None
            at = np.searchsorted(found[0], candidates).tolist()  # each candidate has each word
            per_word.append({doc: decode(values[i]) for doc, i in zip(docs, at, strict=True)})
        return as_array(consecutive(per_word, docs))

    def _whoosh(self, q: query.Query, within: set[int] | None = None) -> np.ndarray:
        if within is not None:
            if not within:
                return EMPTY
            hits = self.searcher.search(q, limit=None, filter=within, scored=False)
            return as_array(hit.docnum for hit in hits)
        return as_array(set(q.docs(self.searcher)))


EMPTY = np.zeros(0, dtype=np.int64)


def term_positions_in(
    arrays: TermArrays, fieldname: str, btext: bytes, within: np.ndarray
) -> tuple[np.ndarray, np.ndarray] | None:
    """(document, position) pairs of a term in the documents `within` (sorted, unique), as
    int64 arrays grouped by document; None when the field keeps no positions here.

    The same pairs as `TermArrays.positions`, with fewer passes over the positions: in a
    segment whose CompactPositions values all hold 2-byte positions (every position below
    65,536: all but the longest texts) the wanted values' positions are one gather from the
    segment's bytes read as little-endian uint16s (`_narrow_positions`); other segments are
    decoded by side_files.decode_positions.
    """
    doc_parts: list[np.ndarray] = []
    pos_parts: list[np.ndarray] = []
    segments = _segment_positions(arrays, fieldname, btext, within)
    if segments is None:
        return None
    for docs, counts, positions in segments:
        doc_parts.append(np.repeat(docs, counts))
        pos_parts.append(positions.astype(np.int64))
    if not doc_parts:
        return EMPTY, EMPTY
    return np.concatenate(doc_parts), np.concatenate(pos_parts)


def term_keys_in(
    arrays: TermArrays, fieldname: str, btext: bytes, within: np.ndarray, offset: int
) -> np.ndarray | None:
    """`term_positions_in`'s pairs as int64 keys `document << 32 | position - offset`
    (ascending: positions ascend within a document); None when the field keeps no
    positions here. What a phrase intersects, made without the pairs in between."""
    parts: list[np.ndarray] = []
    segments = _segment_positions(arrays, fieldname, btext, within)
    if segments is None:
        return None
    for docs, counts, positions in segments:
        parts.append(np.repeat((docs << 32) - offset, counts) + positions)
    return np.concatenate(parts) if parts else EMPTY


def _segment_positions(
    arrays: TermArrays, fieldname: str, btext: bytes, within: np.ndarray
) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]] | None:
    """Per segment holding the term in `within`: (its documents there, as int64; how many
    positions each has; their positions, in order, as uint16 or int64). None when the field
    keeps no positions here."""
    last = int(within[-1]) if len(within) else -1
    wanted = np.zeros(last + 1, dtype=bool)  # a flag per document (np.isin sorts both sides)
    wanted[within] = True
    found_parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    for segment, offset in arrays.segments():
        found = segment.positional(fieldname, btext)
        if found is None:
            return None
        ids, value_lengths, blob = found
        if not len(ids):
            continue
        docs = ids.astype(np.int64) + offset
        keep = np.zeros(len(docs), dtype=bool)
        below = int(np.searchsorted(docs, last, side="right"))
        keep[:below] = wanted[docs[:below]]
        kept = int(np.count_nonzero(keep))
        if not kept:
            continue
        lengths = value_lengths.astype(np.int64)
        starts = np.zeros(len(lengths), dtype=np.int64)
        np.cumsum(lengths[:-1], out=starts[1:])
        data = np.frombuffer(blob, dtype=np.uint8)
        if _all_narrow(data, starts, lengths):
            if kept < len(docs):
                docs, starts, lengths = docs[keep], starts[keep], lengths[keep]
            found_parts.append((docs, (lengths - 1) >> 1, _narrow_positions(blob, starts, lengths)))
            continue
        owner, decoded = decode_positions(blob, starts[keep], lengths[keep])
        found_parts.append((docs[keep], np.bincount(owner, minlength=kept), decoded))
    return found_parts


def _narrow_positions(blob: bytes, starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """The positions of the CompactPositions values at `starts` (each a width byte 2, then
    `(length - 1) / 2` little-endian uint16s), in order, as uint16: one gather from the blob
    read as uint16s at both byte parities (a value's positions share its parity)."""
    counts = (lengths - 1) >> 1
    total = int(counts.sum())
    if not total:
        return np.zeros(0, dtype=np.uint16)
    even = np.frombuffer(blob, dtype="<u2", count=len(blob) // 2)
    odd = np.frombuffer(blob, dtype="<u2", count=(len(blob) - 1) // 2, offset=1)
    words = np.concatenate([even, odd])
    at = starts + 1  # each value's first position's byte
    first = (at >> 1) + (at & 1) * len(even)  # ... as an index into `words`
    before = np.zeros(len(counts), dtype=np.int64)
    np.cumsum(counts[:-1], out=before[1:])
    index = np.repeat(first - before, counts) + np.arange(total, dtype=np.int64)
    found: np.ndarray = words[index]
    return found


def _all_narrow(data: np.ndarray, starts: np.ndarray, lengths: np.ndarray) -> bool:
    """Whether the values at `starts` fill `data` and each is a width byte 2 then whole uint16s
    (CompactPositions with every position below 65,536)."""
    if not len(starts) or int(starts[-1] + lengths[-1]) != len(data):
        return False
    if int(lengths.min()) < 1 or bool(np.any((lengths - 1) & 1)):
        return False
    return bool(np.all(data[starts] == 2))


def union(parts: list[np.ndarray], size: int) -> np.ndarray:
    """The sorted union of document number arrays (documents below `size`)."""
    if sum(len(p) for p in parts) < size // 64:
        return sorted_unique(np.concatenate(parts))
    flags = np.zeros(size, dtype=bool)
    for part in parts:
        flags[part] = True
    return np.flatnonzero(flags)


def intersect(a: np.ndarray, b: np.ndarray, size: int) -> np.ndarray:
    """The sorted intersection of two sorted, unique arrays of document numbers below `size`.

    One flag per document number (a scatter and a gather: no sort), or, when one side is
    much shorter, a binary search of its numbers in the other.
    """
    if len(a) > len(b):
        a, b = b, a
    if not len(a):
        return EMPTY
    if len(a) * 16 < len(b):
        return intersect_keys(a, b)
    flags = np.zeros(size, dtype=bool)
    flags[b] = True
    found: np.ndarray = a[flags[a]]
    return found


def intersect_keys(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The sorted intersection of two sorted, unique int64 arrays (any values): a binary
    search of the shorter in the longer, or, for sides of similar length, one merge of the
    two sorted runs (a stable sort of their concatenation) and its repeated values."""
    if len(a) > len(b):
        a, b = b, a
    if not len(a) or not len(b):
        return EMPTY
    if len(a) * 16 >= len(b):
        both = np.concatenate([a, b])
        both.sort(kind="stable")
        repeated: np.ndarray = both[:-1][both[1:] == both[:-1]]
        return repeated
    at = np.searchsorted(b, a)
    at[at == len(b)] = len(b) - 1
    found: np.ndarray = a[b[at] == a]
    return found


def difference(a: np.ndarray, b: np.ndarray, size: int) -> np.ndarray:
    """The sorted document numbers of `a` not in `b` (both sorted and unique, below `size`)."""
    if not len(a) or not len(b):
        copied: np.ndarray = a.copy()
        return copied
    flags = np.zeros(size, dtype=bool)
    flags[b] = True
    found: np.ndarray = a[~flags[a]]
    return found


def sorted_unique(values: np.ndarray) -> np.ndarray:
    """`values` sorted without repeats (cheap when they already are)."""
    if len(values) > 1 and not bool(np.all(values[1:] > values[:-1])):
        values = np.sort(values)
        values = values[np.concatenate(([True], values[1:] != values[:-1]))]
    return values


def term_bytes(searcher: Searcher, fieldname: str, text: Any) -> bytes:
    """A term's text as the index stores it."""
    if isinstance(text, bytes):
        return text
    try:
        stored: bytes = searcher.schema[fieldname].to_bytes(text)
        return stored
    except Exception:
        return str(text).encode("utf-8")
