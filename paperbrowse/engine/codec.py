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
whoosh_writer.py; the reading side is side_files.py.

Segments written since the library was 82 MB at 10,000 papers (half of it postings written twice)
keep these fields' postings in the side file ONLY: Whoosh's .pst holds no blocks for them, their
term infos (.trm) keep Whoosh's statistics, and Whoosh's own readers (its searcher, the
fallbacks of matching.py and scoring.py, merges) get them from the side file through the codec's
terms reader (CapturingCodec.postings_in_side; older segments keep reading their own copy).

Side file layout, little-endian: the arrays of each term back to back (document numbers as
uint32, weights as float32, then for positional fields each posting's value length as uint32
and the values themselves; for the word fields of WORD_LISTS document numbers only), then per
word field its sorted words joined by newlines and an int64 pair (offset, postings) per word,
then a pickled table ({field NUL term: entry number}, the entries as int64 triples: offset,
postings, values length or -1, and {word field: (words offset, words length, word count,
pairs offset)}), then the table's offset as 8 bytes (TRAILER).
"""

from __future__ import annotations

import pickle
import struct
import sys
from array import array
from collections.abc import Callable
from typing import Any

from paperbrowse.engine.whoosh_writer import CapturingCodec, SidePostings, SideSink

SIDE_EXT = ".pbp"
CAPTURED = {"title": True, "abstract": True}  # field -> keep its position bytes
# Unstemmed word fields (what wildcards, prefixes and ranges match): each is written as a
# sorted word list with every word's document numbers, so a prefix is one binary search and
# its postings one contiguous read (see patterns.py).
WORD_LISTS = ("title_words", "abstract_words", "org_words")
TRAILER = struct.Struct("<Q")


class SideFileWriter:
    """Streams captured postings into one segment's side file (the layout above)."""

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
        if self._word_field is not None and len(weights) and (min(weights), max(weights)) != (1, 1):
            # A word list keeps no weights: Whoosh's reads of the field (whoosh_postings) give
            # every posting 1.0, as WordsText's Existence format does.
            raise ValueError(f"field {self._word_field!r}: a word list's postings weigh 1.0")
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
        self._table[term_key(*self._key)] = len(self._table)
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

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Segments written from now on keep the captured and word-list fields' postings in the
        # side file only (see CapturingCodec.postings_in_side).
        self.postings_in_side = True

    def side_postings(self, read: Callable[[int, int], bytes], length: int) -> SidePostings:
        """A `side_files.SideFile` reading the side file through `read(offset, size)`."""
        from paperbrowse.engine.side_files import SideFile  # side_files imports this module

        return SideFile(read, length)

    def captured(self, fieldname: str) -> bool | None:
        """Title and abstract keep their postings and positions."""
        return CAPTURED.get(fieldname)

    def word_list(self, fieldname: str) -> bool:
        """The unstemmed word fields keep a sorted word list."""
        return fieldname in WORD_LISTS

    def new_sink(self, dbfile: Any) -> SideSink:
        """A SideFileWriter on the segment's side file."""
        return SideFileWriter(dbfile)
