"""The table at the end of a postings side file (layout in codec.py), and reading it through any
`read(offset, size)`: the term table, the entries' widths, and `SideFile`, the reader Whoosh's
own matchers go through (whoosh_capture_codec.CapturingCodec.terms_reader). The per-segment
arrays the fast paths read (SegmentArrays, TermArrays) are in side_files.py.
"""

from __future__ import annotations

import pickle
from collections.abc import Callable
from typing import Any

import numpy as np

from paperbrowse.engine.codec import (
    ENTRY,
    ENTRY_FIELDS,
    FIRST_CAPTURED,
    NARROW_IDS,
    NARROW_LENGTHS,
    NARROW_WEIGHTS,
    TRAILER,
    term_key,
)
from paperbrowse.engine.term_table import TermTable


def read_table(
    read: Callable[[int, int], bytes], length: int
) -> tuple[
    TermTable,
    np.ndarray,
    dict[str, tuple[int, int, int, int]],
    dict[str, int],
    frozenset[str],
]:
    """The table at the end of a side file of `length` bytes (layout in codec.py): {field NUL
    term: entry number} as a TermTable (sorted arrays: the pickled dict is dropped once read),
    the entries as ENTRY records (offset, postings, values length or -1, NARROW_* flags),
    {word field: (words offset, words length, word count, pairs offset)}, {word field: bytes
    per document number} and the captured fields whose terms it holds. A version 1 file reads
    as entries with no flags and every width 4; a file whose meta names no captured fields
    holds codec.FIRST_CAPTURED's (title and abstract).

    Raises OSError, EOFError, ValueError, pickle.UnpicklingError or struct.error when the file
    is not a side file."""
    (table_at,) = TRAILER.unpack(read(length - TRAILER.size, TRAILER.size))
    found = pickle.loads(read(table_at, length - TRAILER.size - table_at))
    if len(found) == 3:  # version 1
        table, entries, sections = found
        triples = np.frombuffer(entries, dtype="<i8").reshape(-1, 3)
        records = np.zeros(len(triples), dtype=ENTRY)
        for column, name in enumerate(ENTRY_FIELDS[:3]):
            records[name] = triples[:, column]
        return TermTable.of(table), records, sections, {}, frozenset(FIRST_CAPTURED)
    table, entries, sections, meta = found
    if meta.get("version") != 2:
        raise ValueError(f"postings side file of an unknown version {meta.get('version')!r}")
    widths = dict(meta["word_id_width"])
    records = np.frombuffer(entries, dtype=ENTRY)
    captured = frozenset(meta.get("captured", FIRST_CAPTURED))
    return TermTable.of(table), records, sections, widths, captured


_U2, _U4 = np.dtype("<u2"), np.dtype("<u4")
_F2, _F4 = np.dtype("<f2"), np.dtype("<f4")


def entry_dtypes(flags: int) -> tuple[np.dtype[Any], np.dtype[Any], np.dtype[Any]]:
    """The dtypes of a term's document numbers, weights and value lengths (entry flags)."""
    return (
        _U2 if flags & NARROW_IDS else _U4,
        _F2 if flags & NARROW_WEIGHTS else _F4,
        _U2 if flags & NARROW_LENGTHS else _U4,
    )


def widened(values: np.ndarray, dtype: Any) -> np.ndarray:
    """`values` as `dtype` (what callers have always been given; a copy only when narrow):
    uint16 document numbers as uint32, float16 weights as float32."""
    return values if values.dtype == dtype else values.astype(dtype)


def read_word_ids(
    read: Callable[[int, int], bytes], width: int, offset: int, count: int
) -> np.ndarray:
    """`count` document numbers (uint32) of `width` bytes each at byte `offset`."""
    raw = read(offset, width * count)
    return widened(np.frombuffer(raw, dtype=_U2 if width == 2 else _U4, count=count), np.uint32)


class SideFile:
    """One segment's side file read through any `read(offset, size)` (a Whoosh storage file's
    `get`): the postings of the side-only fields as Whoosh's matchers take them
    (whoosh_capture_codec.CapturingCodec.terms_reader). Whoosh's readers come here only for what the
    fast paths (TermArrays) do not do, so this favours simplicity: Python lists per term.
    """

    def __init__(self, read: Callable[[int, int], bytes], length: int) -> None:
        self._read = read
        self._table, self._entries, self._sections, self._widths, _ = read_table(read, length)
        self._words: dict[str, dict[bytes, int]] = {}  # word field -> word -> its number

    def whoosh_postings(
        self, fieldname: str, btext: bytes
    ) -> tuple[list[int], list[float] | None, list[bytes | None] | None]:
        """(document numbers, weights, values) of a term; weights and values are None for a
        word-list field (presence only: every weight 1.0, and each value None as W3's blocks
        give it). Empty when absent."""
        section = self._sections.get(fieldname)
        if section is not None:
            docs = self._word_docs(fieldname, section, btext)
            return docs, None, [None] * len(docs)
        index = self._table.get(term_key(fieldname, btext))
        if index is None:
            return [], [], []
        offset, count, size, flags = self._entries[index].tolist()
        ids_dtype, weights_dtype, lengths_dtype = entry_dtypes(flags)
        lengths_at = (ids_dtype.itemsize + weights_dtype.itemsize) * count
        values_at = lengths_at + (lengths_dtype.itemsize * count if size >= 0 else 0)
        raw = self._read(offset, values_at + max(size, 0))
        ids = np.frombuffer(raw, dtype=ids_dtype, count=count).tolist()
        weights = (
            np.frombuffer(raw, dtype=weights_dtype, count=count, offset=ids_dtype.itemsize * count)
            .astype(np.float32)
            .tolist()
        )
        if size < 0:  # a field keeping no values (the word pairs): None each, as W3 gives
            return ids, weights, [None] * count
        lengths = np.frombuffer(raw, dtype=lengths_dtype, count=count, offset=lengths_at).tolist()
        values: list[bytes | None] = []
        at = values_at
        for n in lengths:
            values.append(raw[at : at + n])
            at += n
        return ids, weights, values

    def _word_docs(
        self, fieldname: str, section: tuple[int, int, int, int], btext: bytes
    ) -> list[int]:
        blob_at, blob_length, count, pairs_at = section
        words = self._words.get(fieldname)
        if words is None:
            listed = self._read(blob_at, blob_length).split(b"\n") if count else []
            words = self._words[fieldname] = {w: i for i, w in enumerate(listed)}
        number = words.get(btext)
        if number is None:
            return []
        offset, postings = np.frombuffer(
            self._read(pairs_at + 16 * number, 16), dtype="<i8"
        ).tolist()
        width = self._widths.get(fieldname, 4)
        docs: list[int] = read_word_ids(self._read, width, offset, postings).tolist()
        return docs
