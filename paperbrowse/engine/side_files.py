"""Reading the postings side files that SideFileCodec writes (codec.py): a term of every segment
with one `pread` per array into numpy arrays, so matching is set algebra on sorted arrays and
BM25 is vectorised (matching.py, scoring.py). A segment without a side file (written by another
codec) makes `TermArrays.for_searcher` return None, and the caller falls back to Whoosh's matchers.

The word fields' postings (what wildcards read: patterns.py, word_lists.py) are views of the
side file mapped into memory instead: `*ing` at 100,000 papers reads ~780,000 postings spread
over ~20 MB, and a `pread` of that copied it into fresh memory on every search (~5.6 ms of
the query's 16). The table at the end of the file, and SideFile (Whoosh's own readers' way
in), are in side_table.py.
"""

from __future__ import annotations

import contextlib
import mmap
import os
import pickle
import struct
from pathlib import Path
from typing import Any

import numpy as np

from paperbrowse.engine import mapped_pages
from paperbrowse.engine.codec import SIDE_EXT, term_key
from paperbrowse.engine.side_table import SideFile as SideFile  # re-exported: codec.py's reader
from paperbrowse.engine.side_table import entry_dtypes, read_table, widened
from paperbrowse.engine.whoosh_internals import segment_file

LOOKED_UP_TERMS = 512  # term entries a segment keeps from its last lookups (~100 bytes each)


class SegmentArrays:
    """The side file of one segment, read with pread, its word postings through a read-only
    memory map (both safe from any thread)."""

    def __init__(self, path: Path, base: int, length: int) -> None:
        self._fd = os.open(path, os.O_RDONLY)
        try:
            self._base = base
            found = read_table(self._pread, length)
            self._table, self._entries, self.word_sections, self._word_widths = found[:4]
            # term key -> its entry: the words of the last searches (a binary search of the
            # term table costs ~20 us in Python, a query's word x 34 segments at 10^6 papers,
            # and each keystroke of a query looks its words up again)
            self._looked_up: dict[bytes, tuple[int, int, int, int] | None] = {}
            self.captured: frozenset[str] = found[4]  # the fields whose terms it holds
            self.word_lists: dict[str, Any] = {}  # field -> its WordList, read on first use
            self._map, self._map_at = mapped_range(self._fd, base, length)
            if self._map is not None:
                mapped_pages.PAGES.register(self._map)
        except BaseException:
            os.close(self._fd)
            raise

    @classmethod
    def open(cls, folder: Path, leaf: Any) -> SegmentArrays | None:
        """The side file of a segment (a leaf reader of a searcher), or None when it has none
        (or it cannot be read)."""
        try:
            found = segment_file(folder, leaf, SIDE_EXT)
            return None if found is None else cls(*found)
        except (OSError, EOFError, ValueError, pickle.UnpicklingError, struct.error):
            return None

    def _pread(self, offset: int, size: int) -> bytes:
        data = os.pread(self._fd, size, self._base + offset)
        if len(data) != size:
            raise OSError("short read from a postings side file")
        return data

    def read(self, offset: int, size: int) -> bytes:
        """`size` bytes at `offset` of the side file (OSError when it is shorter)."""
        return self._pread(offset, size)

    def _entry(self, fieldname: str, btext: bytes) -> tuple[int, int, int, int] | None:
        key = term_key(fieldname, btext)
        looked_up = self._looked_up
        if key in looked_up:
            return looked_up[key]
        index = self._table.get(key)
        found: tuple[int, int, int, int] | None = None
        if index is not None:
            offset, count, size, flags = self._entries[index].tolist()
            found = (offset, count, size, flags)
        if len(looked_up) >= LOOKED_UP_TERMS:
            looked_up.clear()
        looked_up[key] = found
        return found

    def postings(self, fieldname: str, btext: bytes) -> tuple[np.ndarray, np.ndarray]:
        """(document numbers as uint32, weights as float32) of a term in this segment (empty
        when absent)."""
        ids, weights = self.stored_postings(fieldname, btext)
        return widened(ids, np.uint32), widened(weights, np.float32)

    def stored_postings(self, fieldname: str, btext: bytes) -> tuple[np.ndarray, np.ndarray]:
        """`postings` as the file stores them: document numbers as uint16 or uint32, weights
        as float16 or float32 (entry_dtypes), read-only views of the mapped side file (or of
        one read, when it is not mapped)."""
        entry = self._entry(fieldname, btext)
        if entry is None:
            return _NO_IDS, _NO_WEIGHTS
        offset, count, _size, flags = entry
        ids_dtype, weights_dtype, _ = entry_dtypes(flags)
        ids_size = ids_dtype.itemsize * count
        raw, at = self._buffer(offset, ids_size + weights_dtype.itemsize * count)
        return (
            np.frombuffer(raw, dtype=ids_dtype, count=count, offset=at),
            np.frombuffer(raw, dtype=weights_dtype, count=count, offset=at + ids_size),
        )

    def _buffer(self, offset: int, size: int) -> tuple[Any, int]:
        """(a buffer holding the side file's `size` bytes at `offset`, where they start in it):
        the map, no copy (its pages are read by the OS as they are touched; a common word's
        postings at 10^6 papers are ~5 MB, a pread's copy ~1 ms), or one pread when the file
        is not mapped. OSError when the side file is shorter."""
        mapped = self._map
        if mapped is None:
            return self._pread(offset, size), 0
        at = self._map_at + offset
        if offset < 0 or at + size > len(mapped):
            raise OSError("short read from a postings side file")
        # bounds the RSS the views' pages hold (mapped_pages.py)
        mapped_pages.PAGES.viewed_bytes(size)
        return mapped, at

    def positional(
        self, fieldname: str, btext: bytes
    ) -> tuple[np.ndarray, np.ndarray, bytes] | None:
        """(document numbers as uint32, value length per posting as uint32, value bytes) of a
        term, in one read; empty when absent, None when the field keeps no values."""
        entry = self._entry(fieldname, btext)
        if entry is None:
            return _NO_IDS, _NO_IDS, b""
        offset, count, size, flags = entry
        if size < 0:
            return None
        ids_dtype, weights_dtype, lengths_dtype = entry_dtypes(flags)
        lengths_at = (ids_dtype.itemsize + weights_dtype.itemsize) * count
        values_at = lengths_at + lengths_dtype.itemsize * count
        raw = self._pread(offset, values_at + size)
        return (
            widened(np.frombuffer(raw, dtype=ids_dtype, count=count), np.uint32),
            widened(
                np.frombuffer(raw, dtype=lengths_dtype, count=count, offset=lengths_at),
                np.uint32,
            ),
            raw[values_at:],
        )

    def word_id_width(self, fieldname: str) -> int:
        """Bytes per document number in a word field's postings (2 or 4)."""
        return self._word_widths.get(fieldname, 4)

    @property
    def mapped(self) -> bool:
        """Whether the side file is mapped (else `stored_word_ids` reads, and copies)."""
        return self._map is not None

    def stored_word_ids(self, fieldname: str, offset: int, count: int) -> np.ndarray:
        """`count` document numbers of a word field's postings at byte `offset`, as stored
        (uint16 or uint32: word_id_width): a read-only view of the mapped side file, no copy
        (pages are read by the OS as they are touched), or one pread when it is not mapped.
        OSError when the side file is shorter."""
        dtype = np.dtype("<u2" if self.word_id_width(fieldname) == 2 else "<u4")
        raw, at = self._buffer(offset, dtype.itemsize * count)
        return np.frombuffer(raw, dtype=dtype, count=count, offset=at)

    def close(self) -> None:
        """Close the file; the map goes once no array views it any more."""
        fd, self._fd = self._fd, -1
        if fd >= 0:
            with contextlib.suppress(OSError):
                os.close(fd)
        mapped, self._map = self._map, None
        if mapped is not None:
            with contextlib.suppress(BufferError):  # views of it remain: closed when they go
                mapped.close()

    def __del__(self) -> None:
        self.close()


def mapped_range(fd: int, base: int, length: int) -> tuple[mmap.mmap | None, int]:
    """A read-only map of the file `fd` from `base` (a page boundary or before) through `base +
    length`, and where `base` lies in it; (None, 0) when the file cannot be mapped (the reads
    fall back to pread)."""
    start = base - base % mmap.ALLOCATIONGRANULARITY
    try:
        return mmap.mmap(fd, base + length - start, offset=start, access=mmap.ACCESS_READ), (
            base - start
        )
    except (OSError, ValueError, OverflowError):
        return None, 0


_NO_IDS = np.zeros(0, dtype=np.uint32)
_NO_WEIGHTS = np.zeros(0, dtype=np.float32)


class TermArrays:
    """The side files of every segment of one searcher, with each segment's document offset."""

    def __init__(
        self, segments: list[tuple[SegmentArrays, int]], cache: dict[Any, Any] | None = None
    ) -> None:
        self._segments = segments
        self._cache = cache

    def scoped(self) -> TermArrays:
        """The same arrays, remembering each term read until this view is dropped (one search
        reads a term for matching, then again for scoring)."""
        return TermArrays(self._segments, {})

    @classmethod
    def for_searcher(cls, folder: Path, searcher: Any) -> TermArrays | None:
        """Arrays for the searcher's segments; None if any segment lacks its side file."""
        segments: list[tuple[SegmentArrays, int]] = []
        for leaf, offset in searcher.reader().leaf_readers():
            found = SegmentArrays.open(folder, leaf)
            if found is None:
                for opened, _ in segments:
                    opened.close()
                return None
            segments.append((found, offset))
        return cls(segments)

    def segments(self) -> list[tuple[SegmentArrays, int]]:
        """Each segment's side file with the segment's first document number."""
        return list(self._segments)

    def captures(self, fieldname: str) -> bool:
        """Whether every segment's side file holds the field's terms (with their weights and,
        for these fields, positions). org is captured by segments written since its postings
        moved to the side files; a library with older segments reads it from Whoosh's."""
        return all(fieldname in segment.captured for segment, _ in self._segments)

    def postings(self, fieldname: str, btext: bytes) -> tuple[np.ndarray, np.ndarray]:
        """(sorted document numbers as int64, weights as float64) of a term in all segments.

        Deleted documents are included: callers intersect with the live documents.
        """
        cache = self._cache
        if cache is not None:
            found = cache.get((fieldname, btext))
            if found is None:
                found = cache[(fieldname, btext)] = self._read(fieldname, btext)
            return found
        return self._read(fieldname, btext)

    def _read(self, fieldname: str, btext: bytes) -> tuple[np.ndarray, np.ndarray]:
        # Each segment's stored arrays are converted straight into the results (no widened
        # copies, no concatenation): float16 and float32 weights convert to float64 exactly.
        parts: list[tuple[np.ndarray, np.ndarray, int]] = []
        for segment, offset in self._segments:
            ids, weights = segment.stored_postings(fieldname, btext)
            if len(ids):
                parts.append((ids, weights, offset))
        total = sum(len(ids) for ids, _, _ in parts)
        all_ids = np.empty(total, dtype=np.int64)
        all_weights = np.empty(total, dtype=np.float64)
        at = 0
        for ids, weights, offset in parts:
            end = at + len(ids)
            all_ids[at:end] = ids
            if offset:
                all_ids[at:end] += offset
            all_weights[at:end] = weights
            at = end
        return all_ids, all_weights

    def docs(self, fieldname: str, btext: bytes) -> np.ndarray:
        """Sorted document numbers holding a term (deleted ones included)."""
        return self.postings(fieldname, btext)[0]


def decode_positions(
    blob: bytes, starts: np.ndarray, lengths: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Decode the CompactPositions values at `starts` in `blob` (see analysis.py), all at once.

    Returns (index of the value each position came from, position), grouped by value. A value
    that is not well formed (another format) is decoded by pickle as Whoosh's Positions would,
    or yields nothing.
    """
    n = len(starts)
    if n == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    data = np.frombuffer(blob, dtype=np.uint8)
    width = data[starts].astype(np.int64)
    ok = ((width == 2) | (width == 4)) & (lengths >= 1)
    width = np.where(ok, width, 2)
    ok &= (lengths - 1) % width == 0
    counts = np.where(ok, (lengths - 1) // width, 0)
    owner = np.repeat(np.arange(n, dtype=np.int64), counts)
    first = np.zeros(n, dtype=np.int64)
    np.cumsum(counts[:-1], out=first[1:])
    step = width[owner]
    at = starts[owner] + 1 + (np.arange(len(owner), dtype=np.int64) - first[owner]) * step
    positions = data[at].astype(np.int64) | (data[at + 1].astype(np.int64) << 8)
    wide = np.flatnonzero(step == 4)
    if len(wide):
        at = at[wide]
        positions[wide] |= (data[at + 2].astype(np.int64) << 16) | (
            data[at + 3].astype(np.int64) << 24
        )
    bad = np.flatnonzero(~ok)
    if len(bad):
        owner, positions = _decode_slowly(blob, starts, lengths, bad, owner, positions)
    return owner, positions


def _decode_slowly(
    blob: bytes,
    starts: np.ndarray,
    lengths: np.ndarray,
    bad: np.ndarray,
    owner: np.ndarray,
    positions: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Values in Whoosh's own Positions format (a count, then pickled deltas), via pickle,
    once per distinct value: org's values are few (its 8,100 postings of `univers` at 100,000
    papers hold 13 distinct values), and a pickle call per posting cost a phrase ~4 ms."""
    bad_starts, bad_lengths = starts[bad], lengths[bad]
    first, inverse = _distinct_values(blob, bad_starts, bad_lengths)
    decoded = [
        _whoosh_positions(blob[start : start + length])
        for start, length in zip(
            bad_starts[first].tolist(), bad_lengths[first].tolist(), strict=True
        )
    ]
    distinct_counts = np.array([len(found) for found in decoded], dtype=np.int64)
    flat = np.array([p for found in decoded for p in found], dtype=np.int64)
    distinct_at = np.zeros(len(decoded), dtype=np.int64)
    np.cumsum(distinct_counts[:-1], out=distinct_at[1:])
    counts = distinct_counts[inverse]
    before = np.zeros(len(bad), dtype=np.int64)
    np.cumsum(counts[:-1], out=before[1:])
    total = int(counts.sum())
    index = np.repeat(distinct_at[inverse] - before, counts) + np.arange(total, dtype=np.int64)
    owner = np.concatenate([owner, np.repeat(bad.astype(np.int64), counts)])
    positions = np.concatenate([positions, flat[index]])
    order = np.argsort(owner, kind="stable")
    return owner[order], positions[order]


_KEY_BYTES = 32  # a value's key: its length (2 bytes), then up to 30 of its bytes


def _distinct_values(
    blob: bytes, starts: np.ndarray, lengths: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(index of one value of each distinct byte string, the distinct one of each value) for
    the values at `starts` in `blob`. Values of up to 30 bytes are compared whole as 32-byte
    keys (one lexsort); each longer value counts as distinct from every other."""
    n = len(starts)
    short = np.flatnonzero(lengths <= _KEY_BYTES - 2)
    inverse = np.empty(n, dtype=np.int64)
    firsts: list[np.ndarray] = []
    groups = 0
    if len(short):
        data = np.frombuffer(blob, dtype=np.uint8)
        columns = np.arange(_KEY_BYTES - 2, dtype=np.int64)
        inside = columns < lengths[short, None]
        at = np.where(inside, starts[short, None] + columns, 0)
        keys = np.zeros((len(short), _KEY_BYTES), dtype=np.uint8)
        keys[:, 0] = lengths[short] & 0xFF
        keys[:, 1] = lengths[short] >> 8
        keys[:, 2:] = np.where(inside, data[at], 0)
        words = keys.view("<u8")  # (values, 4)
        order = np.lexsort(words.T[::-1])
        ranked = words[order]
        new = np.ones(len(order), dtype=bool)
        new[1:] = np.any(ranked[1:] != ranked[:-1], axis=1)
        inverse[short[order]] = np.cumsum(new) - 1
        firsts.append(short[order[new]])
        groups = int(np.count_nonzero(new))
    long = np.flatnonzero(lengths > _KEY_BYTES - 2)
    inverse[long] = groups + np.arange(len(long), dtype=np.int64)
    firsts.append(long)
    return np.concatenate(firsts), inverse


def _whoosh_positions(value: bytes) -> list[int]:
    """The positions of one value of Whoosh's Positions format; none when it is not one."""
    try:
        deltas = pickle.loads(value[4:] if value.endswith(b".") else value[4:] + b".")
        position = 0
        found = []
        for delta in deltas:
            position += int(delta)
            found.append(position)
    except Exception:
        return []
    return found
