"""A term's documents, weights and positions where matching needs more than a whole array of
the side files: fields without side files (org, author, …) read from Whoosh's postings blocks,
each term once per search (`BlockPostings`), and the positions of a phrase's words in the
documents it can still match, from the side files (`term_keys_in`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from whoosh.searching import Searcher

from paperbrowse.engine.doc_arrays import EMPTY
from paperbrowse.engine.side_files import decode_positions
from paperbrowse.engine.whoosh_internals import leaf_postings, postings_blocks

if TYPE_CHECKING:
    from paperbrowse.engine.side_files import TermArrays


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


def term_positions_in(
    arrays: TermArrays, fieldname: str, btext: bytes, within: np.ndarray
) -> tuple[np.ndarray, np.ndarray] | None:
    """(document, position) pairs of a term in the documents `within` (sorted, unique), as
    int64 arrays grouped by document; None when the field keeps no positions here.

    Few passes over the positions: in a
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
    keeps no positions here.

    The wanted postings are picked by their indices (one `flatnonzero`, then gathers):
    boolean masks of a common word's postings, about half kept, cost several times more
    (branch mispredictions)."""
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
        below = int(np.searchsorted(ids, last - offset, side="right")) if last >= offset else 0
        picked = np.flatnonzero(wanted[ids[:below].astype(np.int64) + offset])
        if not len(picked):
            continue
        ends = np.cumsum(value_lengths, dtype=np.int64)  # each value's end in the blob
        if len(picked) == len(ids):  # every posting wanted (the rarest word): no gathers
            docs = ids.astype(np.int64) + offset
            lengths = value_lengths.astype(np.int64)
            starts = ends - lengths
        else:
            docs = ids[picked].astype(np.int64) + offset
            lengths = value_lengths[picked].astype(np.int64)
            starts = ends[picked] - lengths
        data = np.frombuffer(blob, dtype=np.uint8)
        if int(ends[-1]) == len(data) and _all_narrow(data, starts, lengths):
            found_parts.append((docs, (lengths - 1) >> 1, _narrow_positions(blob, starts, lengths)))
            continue
        owner, decoded = decode_positions(blob, starts, lengths)
        found_parts.append((docs, np.bincount(owner, minlength=len(picked)), decoded))
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
    """Whether each value at `starts` (in `data`, whose values lie back to back) is a width
    byte 2 then whole uint16s (CompactPositions with every position below 65,536)."""
    if not len(starts) or int(lengths.min()) < 1 or bool(np.any((lengths - 1) & 1)):
        return False
    return bool(np.all(data[starts] == 2))
