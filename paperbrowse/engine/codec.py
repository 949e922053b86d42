"""Postings of the text fields as flat arrays, written beside Whoosh's own as a segment is built.

Whoosh stores a term's postings in blocks of 128, each pickled and compressed, and decodes the
document numbers of a block one posting at a time in Python: reading the 98,000 postings of a
common word at 100,000 papers takes ~60 ms before any scoring, and a phrase's positions several
hundred. `SideFileCodec` is Whoosh's own W3 codec with one addition: as each postings block of the
title and abstract fields is written, its document numbers, weights and position bytes are
appended to a side file of the same segment (`<segment>.pbp`). Whoosh packs that file into the
segment's compound file and deletes it with the segment, so it lives and dies with the postings
it copies; merges write it again, because they go through the same field writer. Appending a
block's arrays costs a few microseconds per 128 postings. The hooks into Whoosh's writers are in
whoosh_capture_codec.py and whoosh_capture_writers.py; the reading side is side_files.py.

Segments written since the library was 82 MB at 10,000 papers (half of it postings written twice)
keep these fields' postings in the side file ONLY: Whoosh's .pst holds no blocks for them, their
term infos (.trm) keep Whoosh's statistics, and Whoosh's own readers (its searcher, the
fallbacks of matching.py and scoring.py, merges) get them from the side file through the codec's
terms reader (CapturingCodec.postings_in_side; older segments keep reading their own copy).

Side file layout, little-endian: the arrays of each term back to back (document numbers,
weights, then for positional fields each posting's value length and the values themselves; for
the word fields of WORD_LISTS document numbers only), then per word field its sorted words
joined by newlines and an int64 pair (offset, postings) per word, then a pickled table, then
the table's offset as 8 bytes (TRAILER). The table is ({field NUL term: entry number}, the
entries packed as ENTRY records: offset, postings, values length or -1, NARROW_* flags;
{word field: (words offset, words length, word count, pairs offset)}, {"version": 2,
"word_id_width": {word field: 2 or 4}}).

Widths (version 2): document numbers are uint16 in a segment of at most 65,536 documents
(NARROW_IDS; a word field's width is the same for all its words), else uint32; a term's weights
are float16 when every one of them is exactly a float16 (term frequencies times a field boost
are), else float32 (NARROW_WEIGHTS); its value lengths uint16 when all are below 65,536, else
uint32 (NARROW_LENGTHS). Version 1 (segments written before; a table of three items, entries
as triples) is version 2 with every width 4. At 10,000 papers the narrow arrays take the side
files from 27.5 MB to ~18 MB.
"""

from __future__ import annotations

import pickle
import struct
import sys
from array import array
from collections.abc import Callable
from typing import Any

import numpy as np

from paperbrowse.engine.whoosh_capture_codec import CapturingCodec, SidePostings
from paperbrowse.engine.whoosh_capture_writers import SideSink

SIDE_EXT = ".pbp"
# field -> keep its position bytes. `org` joined in the side files' table "captured" entry
# (a side file without it, and a codec pickled before, captured FIRST_CAPTURED only): an org
# phrase read its 8,100 postings of `univers` from Whoosh's blocks, one pickle per block.
# The word-pair fields (word_pairs.py) keep their document numbers only.
CAPTURED = {
    "title": True,
    "abstract": True,
    "org": True,
    "title_pairs": False,
    "abstract_pairs": False,
    "org_pairs": False,
}
FIRST_CAPTURED = {"title": True, "abstract": True}
# Unstemmed word fields (what wildcards, prefixes and ranges match): each is written as a
# sorted word list with every word's document numbers, so a prefix is one binary search and
# its postings one contiguous read (see patterns.py).
WORD_LISTS = ("title_words", "abstract_words", "org_words")
TRAILER = struct.Struct("<Q")
SIDE_VERSION = 2
# Entry flags (version 2): which arrays of a term are 2 bytes wide (see the layout above).
NARROW_IDS, NARROW_WEIGHTS, NARROW_LENGTHS = 1, 2, 4
NARROW_LIMIT = 1 << 16  # document numbers and value lengths below this fit in uint16
ENTRY_FIELDS = ("offset", "count", "size", "flags")
ENTRY = np.dtype(list(zip(ENTRY_FIELDS, ("<i8", "<u4", "<i4", "u1"), strict=True)))
INLINE_LIMIT = 2  # Whoosh's inlinelimit: terms with fewer postings live in their term info


_SMALL = 16  # a term's arrays up to this long are packed by struct, longer ones by numpy
_NUMPY_TYPE = {"H": "<u2", "I": "<u4", "f": "<f4"}


def packed(values: Any, code: str) -> bytes:
    """`values` (an array of unsigned ints or floats) little-endian, each as the struct `code`
    H (uint16), I (uint32) or f (float32): numpy's `astype(...).tobytes()`, which costs a few
    microseconds a call even for the one or two postings most terms have."""
    if len(values) <= _SMALL:
        return struct.pack(f"<{len(values)}{code}", *values)
    return np.asarray(values).astype(_NUMPY_TYPE[code]).tobytes()


def half_floats(weights: Any) -> bytes | None:
    """The float32 `weights` as little-endian float16 when every one converts exactly (a
    round trip gives it back), else None."""
    if len(weights) > _SMALL:
        full = np.frombuffer(weights, dtype=np.float32)
        half = full.astype("<f2")
        return half.tobytes() if np.array_equal(half.astype(np.float32), full) else None
    try:
        packed = struct.pack(f"<{len(weights)}e", *weights)
    except OverflowError:  # beyond float16's range: numpy's inf, which compares unequal
        return None
    if list(struct.unpack(f"<{len(weights)}e", packed)) != list(weights):
        return None
    return packed


class SideFileWriter:
    """Streams captured postings into one segment's side file (the layout above)."""

    def __init__(self, dbfile: Any, captured: Any = FIRST_CAPTURED) -> None:
        self._file = dbfile
        self._captured = sorted(captured)  # the fields whose terms this file holds
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
        self._narrow_ids = False
        self._id_widths: dict[str, int] = {}  # word field -> width of its document numbers

    def segment_size(self, doc_count: int) -> None:
        """The segment's document count, known before its postings are written: at most
        NARROW_LIMIT, and the fields written next keep their document numbers as uint16."""
        self._narrow_ids = 0 < doc_count <= NARROW_LIMIT

    def start(self, fieldname: str, btext: bytes, positions: bool) -> None:
        self._key = (fieldname, btext)
        self._positions = positions
        self._word_field = None

    def start_word(self, fieldname: str, btext: bytes) -> None:
        """A word of an unstemmed word field: only its document numbers are kept."""
        self._key = (fieldname, btext)
        self._positions = False
        self._word_field = fieldname
        self._id_widths.setdefault(fieldname, 2 if self._narrow_ids else 4)
        self._words.setdefault(fieldname, ([], array("q")))[0].append(btext)

    def block(self, ids: Any, weights: Any, values: list[bytes]) -> None:
        if self._word_field is not None and len(weights) and (min(weights), max(weights)) != (1, 1):
            # A word list keeps no weights: Whoosh's reads of the field (whoosh_postings) give
            # every posting 1.0, as WordsText's Existence format does.
            raise ValueError(f"field {self._word_field!r}: a word list's postings weigh 1.0")
        if self._narrow_ids and len(ids) and ids[-1] >= NARROW_LIMIT:
            raise ValueError(
                f"document number {ids[-1]} beyond the segment's size: the side file was told "
                f"the segment holds at most {NARROW_LIMIT} documents"
            )
        self._ids.extend(ids)
        self._weights.extend(weights)
        if self._positions:
            self._lengths.extend(map(len, values))
            self._values.extend(values)

    def finish(self) -> None:
        assert self._key is not None
        handle = self._file
        offset = handle.tell()
        count = len(self._ids)
        if self._word_field is not None:
            width = self._id_widths[self._word_field]
            handle.write(packed(self._ids, "H" if width == 2 else "I"))
            self._words[self._word_field][1].extend((offset, count))
            self._key = None
            self._ids = array("I")
            self._weights = array("f")
            return
        flags = 0
        if self._narrow_ids:
            flags |= NARROW_IDS
        handle.write(packed(self._ids, "H" if self._narrow_ids else "I"))
        half = half_floats(self._weights)
        if half is not None:
            flags |= NARROW_WEIGHTS
            handle.write(half)
        else:
            handle.write(packed(self._weights, "f"))
        size = -1
        if self._positions and len(self._lengths) == count:
            blob = b"".join(self._values)
            if not count or max(self._lengths) < NARROW_LIMIT:
                flags |= NARROW_LENGTHS
                handle.write(packed(self._lengths, "H"))
            else:
                handle.write(packed(self._lengths, "I"))
            handle.write(blob)
            size = len(blob)
        self._table[term_key(*self._key)] = len(self._table)
        self._entries.extend((offset, count, size, flags))
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
        meta = {
            "version": SIDE_VERSION,
            "word_id_width": dict(self._id_widths),
            "captured": self._captured,
        }
        quads = np.frombuffer(self._entries, dtype=np.int64).reshape(-1, 4)
        packed = np.zeros(len(quads), dtype=ENTRY)
        for column, name in enumerate(ENTRY_FIELDS):
            packed[name] = quads[:, column]
        table = (self._table, packed.tobytes(), sections, meta)
        handle.write(pickle.dumps(table, protocol=5))
        handle.write(TRAILER.pack(offset))
        handle.close()


def _little(values: array[Any]) -> bytes:
    """An array's bytes in little-endian order (the side files' order on every machine)."""
    if sys.byteorder == "big":
        values = array(values.typecode, values)
        values.byteswap()
    return values.tobytes()


def term_key(fieldname: str, btext: bytes) -> bytes:
    return fieldname.encode("utf-8") + b"\x00" + btext


class SideFileCodec(CapturingCodec):
    """Whoosh's W3 codec, also writing the text fields' postings as flat arrays (see above)."""

    side_ext = SIDE_EXT
    # The captured fields of the segments this codec writes. Whoosh pickles each segment's
    # codec into the index's TOC; one pickled before this attribute existed reads the class's
    # value, the fields those segments did capture.
    captured_fields: dict[str, bool] = FIRST_CAPTURED

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # A term with one posting (an id, a title key, an arXiv id: most terms of the fields
        # Whoosh keeps) is inlined into its term info: its own postings block in .pst cost ~48
        # bytes, the inlined posting ~20. Side-only fields never inline (whoosh_capture_writers).
        kwargs.setdefault("inlinelimit", INLINE_LIMIT)
        super().__init__(*args, **kwargs)
        # Segments written from now on keep the captured and word-list fields' postings in the
        # side file only (see CapturingCodec.postings_in_side).
        self.postings_in_side = True
        self.captured_fields = dict(CAPTURED)

    def side_postings(self, read: Callable[[int, int], bytes], length: int) -> SidePostings:
        """A `side_files.SideFile` reading the side file through `read(offset, size)`."""
        from paperbrowse.engine.side_files import SideFile  # side_files imports this module

        return SideFile(read, length)

    def captured(self, fieldname: str) -> bool | None:
        """Title, abstract and org keep their postings and positions (title and abstract
        only in segments written before org was captured: `captured_fields`)."""
        return self.captured_fields.get(fieldname)

    def word_list(self, fieldname: str) -> bool:
        """The unstemmed word fields keep a sorted word list."""
        return fieldname in WORD_LISTS

    def new_sink(self, dbfile: Any) -> SideSink:
        """A SideFileWriter on the segment's side file."""
        return SideFileWriter(dbfile, self.captured_fields)
