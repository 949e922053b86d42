"""The files a segment writer reads and writes, and the term index's records: each field's
length column read once (`LengthCache`), a written file whose position is counted in Python
(`CountedFile`), the term index's hash (`term_hash`) and a term info's bytes
(`term_info_bytes`). Used by the capturing field writer (whoosh_capture_writers.py).

Whoosh internals used here (see whoosh_internals.py for the version they were read against):
W3TermInfo's `_struct`, the W3 per-document reader's `_cached_reader`, a column reader's
`_count`, `_dbfile`, `_basepos`, `_fixedlen` and `_default`.
"""

from __future__ import annotations

import hashlib
import io
import pickle
import struct
from typing import Any

from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3TermInfo
from whoosh.util.numeric import byte_to_length

# A term index entry's key and value lengths (whoosh.filedb.filetables `_lengths`): big-endian
# int32 pair, packed before each entry's key and value bytes.
KEY_VALUE_LENGTHS = struct.Struct("!ii")


def term_hash(key: bytes) -> int:
    """whoosh.filedb.filetables.md5_hash (the term index's hash): the low 32 bits of the key's
    MD5 digest read as one big-endian number, taken from the digest's last four bytes."""
    return int.from_bytes(hashlib.md5(key, usedforsecurity=False).digest()[12:], "big")


def term_info_bytes(terminfo: Any) -> bytes:
    """W3TermInfo.to_bytes, with inlined postings pickled by protocol 3 without a memo:
    W3TermInfo.from_bytes reads them with `pickle.loads`, which takes any protocol."""
    if not terminfo.is_inlined():
        return bytes(terminfo.to_bytes())
    head = terminfo.to_bytes()[: W3TermInfo._struct.size]
    out = io.BytesIO()
    pickler = pickle.Pickler(out, protocol=3)
    pickler.fast = True  # no memo: nothing in the postings repeats an object
    pickler.dump(terminfo.inlined_postings())
    return bytes(head) + out.getvalue()


# Field length by length byte (whoosh.util.numeric.byte_to_length; a zero byte: no length).
_BYTE_LENGTHS = [0] + [byte_to_length(b) for b in range(1, 256)]


class LengthCache:
    """`doc_field_length` of a per-document reader, one column read per field.

    `reader`: Whoosh's per-document reader of the segment being written (W3's, or any reader
    with `doc_count_all` and `doc_field_length`).
    """

    def __init__(self, reader: Any) -> None:
        self._reader = reader
        self._columns: dict[str, list[int]] = {}
        self._count = reader.doc_count_all()

    def column(self, fieldname: str) -> list[int]:
        """The field's length for every document number of the segment (0: none)."""
        column = self._columns.get(fieldname)
        if column is None:
            column = self._columns[fieldname] = self._read(fieldname)
        return column

    def _read(self, fieldname: str) -> list[int]:
        """The field's length column in one read: the W3 per-document reader's
        `doc_field_length` asks the file system whether the column exists and reads one byte
        for every document (a fifteenth of writing a segment's postings)."""
        reader, count = self._reader, self._count
        cached = getattr(reader, "_cached_reader", None)
        creader = cached(f"_{fieldname}_len", LENGTHS_COLUMN) if cached is not None else None
        if cached is not None and creader is None:
            return [0] * count  # no length column: doc_field_length gives the default
        if creader is None or getattr(creader, "_fixedlen", None) != 1:
            length = reader.doc_field_length
            return [length(d, fieldname, 0) or 0 for d in range(count)]
        stored = min(int(creader._count), count)
        raw = creader._dbfile.get(creader._basepos, stored) if stored else b""
        column = [_BYTE_LENGTHS[b] for b in raw]
        column.extend([_BYTE_LENGTHS[creader._default]] * (count - len(column)))
        return column

    def doc_field_length(self, docnum: int, fieldname: str, default: int = 0) -> int:
        """The field's length in document `docnum` (tokens; `default` where it has none), as
        the wrapped reader's `doc_field_length` gives it."""
        column = self.column(fieldname)
        if 0 <= docnum < len(column) and (column[docnum] or not default):
            return column[docnum]
        return int(self._reader.doc_field_length(docnum, fieldname, default))


class CountedFile:
    """A file being written whose position is counted here: `BufferedWriter.tell` asks the
    operating system (an lseek) on every call, and Whoosh's term index and postings writers
    ask about four times a term. Everything else is the wrapped file's."""

    def __init__(self, raw: Any) -> None:
        self._raw = raw
        self._pos = int(raw.tell())

    def write(self, data: Any) -> int:
        """Write `data` to the wrapped file; the number of bytes written."""
        written = self._raw.write(data)
        self._pos += written
        return int(written)

    def tell(self) -> int:
        """The position in bytes, counted here (no system call)."""
        return self._pos

    def seek(self, offset: int, whence: int = 0) -> int:
        """The wrapped file's seek; the new position in bytes."""
        self._pos = int(self._raw.seek(offset, whence))
        return self._pos

    def __getattr__(self, name: str) -> Any:
        return getattr(self._raw, name)
