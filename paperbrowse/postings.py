"""Postings of the text fields as flat arrays, written beside Whoosh's own as a segment is built.

Whoosh stores a term's postings in blocks of 128, each pickled and compressed, and decodes the
document numbers of a block one posting at a time in Python: reading the 98,000 postings of a
common word at 100,000 papers takes ~60 ms before any scoring, and a phrase's positions several
hundred. `PaperCodec` is Whoosh's own W3 codec with one addition: as each postings block of the
title and abstract fields is written, its document numbers, weights and position bytes are
appended to a side file of the same segment (`<segment>.pbp`). Whoosh packs that file into the
segment's compound file and deletes it with the segment, so it lives and dies with the postings
it copies; merges write it again, because they go through the same field writer. Appending a
block's arrays costs a few microseconds per 128 postings.

`TermArrays` reads a term of every segment with one `pread` per array into numpy arrays, so
matching is set algebra on sorted arrays and BM25 is vectorised (see matching.py). A segment
without a side file (written by another codec) makes `TermArrays.for_searcher` return None,
and the caller falls back to Whoosh's matchers.

Side file layout, little-endian: the arrays of each term back to back (document numbers as
uint32, weights as float32, then for positional fields each posting's value length as uint32
and the values themselves; for the word fields of WORD_LISTS document numbers only), then per
word field its sorted words joined by newlines and an int64 pair (offset, postings) per word,
then a pickled table ({field NUL term: entry number}, the entries as int64 triples: offset,
postings, values length or -1, and {word field: (words offset, words length, word count,
pairs offset)}), then the table's offset as 8 bytes.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import struct
import sys
from array import array
from pathlib import Path
from typing import Any

import numpy as np
from whoosh.codec.whoosh3 import W3Codec, W3FieldWriter, W3PostingsWriter
from whoosh.filedb.filestore import FileStorage

SIDE_EXT = ".pbp"
CAPTURED = {"title": True, "abstract": True}  # field -> keep its position bytes
# Unstemmed word fields (what wildcards, prefixes and ranges match): each is written as a
# sorted word list with every word's document numbers, so a prefix is one binary search and
# its postings one contiguous read (see patterns.py).
WORD_LISTS = ("title_words", "abstract_words", "org_words")
_TRAILER = struct.Struct("<Q")


class _SideWriter:
    """Streams captured postings into one segment's side file."""

    def __init__(self, dbfile: Any) -> None:
        self._file = dbfile
        self._words: dict[str, tuple[list[bytes], array[int]]] = {}  # field -> words, entries
        self._word_field: str | None = None
        self._table: dict[bytes, int] = {}
        self._entries = array("q")
        self._key: tuple[str, bytes] | None = None
        self._positions = False
        self._ids = array("I")
        self._weights = array("f")
        self._lengths = array("I")
        self._values: list[bytes] = []

    def start(self, fieldname: str, btext: bytes, positions: bool) -> None:
        self._key = (fieldname, btext)
        self._positions = positions
        self._word_field = None

    def start_word(self, fieldname: str, btext: bytes) -> None:
        """A word of an unstemmed word field: only its document numbers are kept."""
        self._key = (fieldname, btext)
        self._positions = False
        self._word_field = fieldname
        self._words.setdefault(fieldname, ([], array("q")))[0].append(btext)

    def block(self, ids: Any, weights: Any, values: list[bytes]) -> None:
        self._ids.extend(ids)
        self._weights.extend(weights)
        if self._positions:
            self._lengths.extend(map(len, values))
            self._values.extend(values)

    def finish(self) -> None:
        assert self._key is not None
        handle = self._file
        offset = handle.tell()
        handle.write(_little(self._ids))
        if self._word_field is not None:
            self._words[self._word_field][1].extend((offset, len(self._ids)))
            self._key = None
            self._ids = array("I")
            self._weights = array("f")
            return
        handle.write(_little(self._weights))
        size = -1
        if self._positions and len(self._lengths) == len(self._ids):
            blob = b"".join(self._values)
            handle.write(_little(self._lengths))
            handle.write(blob)
            size = len(blob)
        self._table[_key(*self._key)] = len(self._table)
        self._entries.extend((offset, len(self._ids), size))
        self._key = None
        self._ids = array("I")
        self._weights = array("f")
        self._lengths = array("I")
        self._values = []

    def close(self) -> None:
        handle = self._file
        sections: dict[str, tuple[int, int, int, int]] = {}
        for fieldname, (words, entries) in self._words.items():
            if any(
                a >= b for a, b in zip(words, words[1:], strict=False)
            ):  # Whoosh writes them sorted
                order = sorted(range(len(words)), key=words.__getitem__)
                words = [words[i] for i in order]
                entries = array("q", (entries[2 * i + k] for i in order for k in (0, 1)))
            blob = b"\n".join(words)
            blob_at = handle.tell()
            handle.write(blob)
            entries_at = handle.tell()
            handle.write(_little(entries))
            sections[fieldname] = (blob_at, len(blob), len(words), entries_at)
        offset = handle.tell()
        table = (self._table, _little(self._entries), sections)
        handle.write(pickle.dumps(table, protocol=5))
        handle.write(_TRAILER.pack(offset))
        handle.close()


def _little(values: array[Any]) -> bytes:
    """An array's bytes in little-endian order (the side files' order on every machine)."""
    if sys.byteorder == "big":
        values = array(values.typecode, values)
        values.byteswap()
    return values.tobytes()


def _key(fieldname: str, btext: bytes) -> bytes:
    return fieldname.encode("utf-8") + b"\x00" + btext


class _CapturingPostingsWriter(W3PostingsWriter):
    side: _SideWriter | None = None

    def _write_block(self, last: bool = False) -> None:
        if self.side is not None:
            self.side.block(self._ids, self._weights, self._values)
        super()._write_block(last)

    def finish_postings(self) -> Any:
        if self.side is not None and not self.written() and len(self) < self._inlinelimit:
            self.side.block(self._ids, self._weights, self._values)  # inlined: no block write
        return super().finish_postings()


class _FieldWriter(W3FieldWriter):
    def __init__(self, codec: Any, storage: Any, segment: Any) -> None:
        super().__init__(codec, storage, segment)
        self._side = _SideWriter(self._create_file(SIDE_EXT))
        self._capture: bool | None = None
        self._word_list = False

    def start_field(self, fieldname: str, fieldobj: Any) -> None:
        super().start_field(fieldname, fieldobj)
        self._capture = CAPTURED.get(fieldname)
        self._word_list = fieldname in WORD_LISTS
        captured = self._capture is not None or self._word_list
        self._postwriter.side = self._side if captured else None

    def start_term(self, btext: bytes) -> None:
        super().start_term(btext)
        if self._capture is not None:
            self._side.start(self._fieldname, btext, self._capture)
        elif self._word_list:
            self._side.start_word(self._fieldname, btext)

    def finish_term(self) -> None:
        super().finish_term()
        if self._capture is not None or self._word_list:
            self._side.finish()

    def add_postings(self, schema: Any, lengths: Any, items: Any) -> None:
        # Whoosh looks up each posting's field length in the new segment's length column
        # (a seek and a read per posting: a fifth of an index run); read each field's
        # column once instead.
        super().add_postings(schema, _LengthCache(lengths) if lengths else lengths, items)

    def close(self) -> None:
        self._side.close()
        super().close()


class _LengthCache:
    """`doc_field_length` of a per-document reader, one column read per field."""

    def __init__(self, reader: Any) -> None:
        self._reader = reader
        self._columns: dict[str, list[int]] = {}
        self._count = reader.doc_count_all()

    def doc_field_length(self, docnum: int, fieldname: str, default: int = 0) -> int:
        column = self._columns.get(fieldname)
        if column is None:
            length = self._reader.doc_field_length
            column = [length(d, fieldname, default) for d in range(self._count)]
            self._columns[fieldname] = column
        if 0 <= docnum < len(column):
            return column[docnum]
        return self._reader.doc_field_length(docnum, fieldname, default)


class PaperCodec(W3Codec):
    """Whoosh's W3 codec, also writing the text fields' postings as flat arrays (see above)."""

    def field_writer(self, storage: Any, segment: Any) -> Any:
        return _FieldWriter(self, storage, segment)

    def postings_writer(self, dbfile: Any, byteids: bool = False) -> Any:
        return _CapturingPostingsWriter(
            dbfile,
            blocklimit=self._blocklimit,
            byteids=byteids,
            compression=self._compression,
            inlinelimit=self._inlinelimit,
        )


# ---------------------------------------------------------------------------------------------
# Reading


class SegmentArrays:
    """The side file of one segment, read with pread (safe from any thread)."""

    def __init__(self, path: Path, base: int, length: int) -> None:
        self._fd = os.open(path, os.O_RDONLY)
        try:
            self._base = base
            (table_at,) = _TRAILER.unpack(self._pread(length - _TRAILER.size, _TRAILER.size))
            raw = self._pread(table_at, length - _TRAILER.size - table_at)
            table, entries, sections = pickle.loads(raw)
            self._table: dict[bytes, int] = table
            self.word_sections: dict[str, tuple[int, int, int, int]] = sections
            self.word_lists: dict[str, Any] = {}  # field -> its WordList, read on first use
            self._entries = np.frombuffer(entries, dtype="<i8").reshape(-1, 3)
        except BaseException:
            os.close(self._fd)
            raise

    @classmethod
    def open(cls, folder: Path, segment: Any) -> SegmentArrays | None:
        """The segment's side file, or None when it has none (or it cannot be read)."""
        name = segment.make_filename(SIDE_EXT)
        try:
            if segment.is_compound():
                files = segment.open_compound_file(FileStorage(str(folder), supports_mmap=False))
                try:
                    if not files.file_exists(name):
                        return None
                    base, length = files.range(name)
                finally:
                    files.close()
                path = folder / segment.make_filename(segment.COMPOUND_EXT)
            else:
                path = folder / name
                if not path.exists():
                    return None
                base, length = 0, path.stat().st_size
            return cls(path, base, length)
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

    def _entry(self, fieldname: str, btext: bytes) -> tuple[int, int, int] | None:
        index = self._table.get(_key(fieldname, btext))
        if index is None:
            return None
        offset, count, size = self._entries[index].tolist()
        return offset, count, size

    def postings(self, fieldname: str, btext: bytes) -> tuple[np.ndarray, np.ndarray]:
        """(document numbers, weights) of a term in this segment (empty when absent)."""
        entry = self._entry(fieldname, btext)
        if entry is None:
            return _NO_IDS, _NO_WEIGHTS
        offset, count, _size = entry
        raw = self._pread(offset, 8 * count)
        return (
            np.frombuffer(raw, dtype="<u4", count=count),
            np.frombuffer(raw, dtype="<f4", count=count, offset=4 * count),
        )

    def positional(
        self, fieldname: str, btext: bytes
    ) -> tuple[np.ndarray, np.ndarray, bytes] | None:
        """(document numbers, value length per posting, value bytes) of a term, in one read;
        empty when absent, None when the field keeps no values."""
        entry = self._entry(fieldname, btext)
        if entry is None:
            return _NO_IDS, _NO_IDS, b""
        offset, count, size = entry
        if size < 0:
            return None
        raw = self._pread(offset, 12 * count + size)
        return (
            np.frombuffer(raw, dtype="<u4", count=count),
            np.frombuffer(raw, dtype="<u4", count=count, offset=8 * count),
            raw[12 * count :],
        )

    def close(self) -> None:
        fd, self._fd = self._fd, -1
        if fd >= 0:
            with contextlib.suppress(OSError):
                os.close(fd)

    def __del__(self) -> None:
        self.close()


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
            segment = getattr(leaf, "segment", lambda: None)()
            found = SegmentArrays.open(folder, segment) if segment is not None else None
            if found is None:
                for opened, _ in segments:
                    opened.close()
                return None
            segments.append((found, offset))
        return cls(segments)

    def segments(self) -> list[tuple[SegmentArrays, int]]:
        """Each segment's side file with the segment's first document number."""
        return list(self._segments)

    @staticmethod
    def captures(fieldname: str) -> bool:
        return fieldname in CAPTURED

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
        ids_parts: list[np.ndarray] = []
        weight_parts: list[np.ndarray] = []
        for segment, offset in self._segments:
            ids, weights = segment.postings(fieldname, btext)
            if len(ids):
                ids_parts.append(ids.astype(np.int64) + offset)
                weight_parts.append(weights)
        if not ids_parts:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64)
        return np.concatenate(ids_parts), np.concatenate(weight_parts).astype(np.float64)

    def docs(self, fieldname: str, btext: bytes) -> np.ndarray:
        """Sorted document numbers holding a term (deleted ones included)."""
        return self.postings(fieldname, btext)[0]

    def positions(
        self, fieldname: str, btext: bytes, within: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray] | None:
        """(document, position) pairs of a term in the documents `within` (sorted).

        None when the field keeps no positions here.
        """
        doc_parts: list[np.ndarray] = []
        pos_parts: list[np.ndarray] = []
        for segment, offset in self._segments:
            found = segment.positional(fieldname, btext)
            if found is None:
                return None
            ids, lengths, blob = found
            if not len(ids):
                continue
            docs = ids.astype(np.int64) + offset
            keep = np.isin(docs, within, assume_unique=True)
            if not keep.any():
                continue
            starts = np.zeros(len(lengths), dtype=np.int64)
            np.cumsum(lengths[:-1], out=starts[1:])
            owner, positions = decode_positions(blob, starts[keep], lengths[keep].astype(np.int64))
            doc_parts.append(docs[keep][owner])
            pos_parts.append(positions)
        if not doc_parts:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        return np.concatenate(doc_parts), np.concatenate(pos_parts)


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
    """Values in Whoosh's own Positions format (a count, then pickled deltas), via pickle."""
    extra_owner: list[int] = []
    extra_pos: list[int] = []
    for i in bad.tolist():
        start, length = int(starts[i]), int(lengths[i])
        value = blob[start : start + length]
        try:
            deltas = pickle.loads(value[4:] if value.endswith(b".") else value[4:] + b".")
            position = 0
            found = []
            for delta in deltas:
                position += int(delta)
                found.append(position)
        except Exception:
            continue
        extra_owner.extend([i] * len(found))
        extra_pos.extend(found)
    owner = np.concatenate([owner, np.array(extra_owner, dtype=np.int64)])
    positions = np.concatenate([positions, np.array(extra_pos, dtype=np.int64)])
    order = np.argsort(owner, kind="stable")
    return owner[order], positions[order]
