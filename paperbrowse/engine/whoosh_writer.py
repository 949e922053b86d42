"""Writing a segment: Whoosh's W3 codec handing the postings of chosen fields to a side file
block by block (`CapturingCodec`), and a segment writer that keeps its postings grouped by term
(`PaperSegmentWriter`, `TermPool`) and writes each term's blocks whole.

Whoosh internals used here (see whoosh_internals.py for the version they were read against): the
W3 postings writer's block buffer (`_ids`, `_weights`, `_values`, `_maxweight`, `_minlength`,
`_maxlength`, `_write_block`, `_inlinelimit`, `_terminfo`, `_blockcount`, `_new_block`,
`_postfile`), the W3 field writer's `_create_file`, `_fieldname`, `_fieldid`, `_btext`,
`_tindex`, `_segment`, `_postwriter`, the codec's `_blocklimit` and `_compression`, the W3
terms reader's `_codec` and W3TermInfo's `_struct`, ListMatcher's `_i` and `_ids`, and
`SegmentWriter`'s `add_document`, `_flush_segment`, `_doc_boost`, `_field_boost` and `pool`.
"""

from __future__ import annotations

import bisect
import hashlib
import io
import pickle
import struct
import zlib
from collections.abc import Callable, Iterator
from typing import Any, Protocol

from whoosh.codec.whoosh3 import (
    LENGTHS_COLUMN,
    WHOOSH3_HEADER_MAGIC,
    W3Codec,
    W3FieldWriter,
    W3PostingsWriter,
    W3TermInfo,
    W3TermsReader,
)
from whoosh.filedb.filetables import md5_hash
from whoosh.matching import ListMatcher
from whoosh.system import pack_int, pack_long, pack_ushort
from whoosh.util.numeric import byte_to_length, length_to_byte
from whoosh.writing import SegmentWriter

from paperbrowse.engine.term_pool import TermPool, TermPostings

# A postings block whose pickle is shorter than this is stored uncompressed (see
# _CapturingPostingsWriter._write_block).
COMPRESS_FROM = 64
# A term index entry's key and value lengths (whoosh.filedb.filetables `_lengths`).
_KEY_VALUE_LENGTHS = struct.Struct("!ii")


class SideSink(Protocol):
    """What receives the postings of the captured fields as a segment is written."""

    def segment_size(self, doc_count: int) -> None:
        """How many documents the segment whose postings follow holds (0: not known)."""

    def start(self, fieldname: str, btext: bytes, positions: bool) -> None:
        """A term of a captured field begins (`positions`: keep its values)."""

    def start_word(self, fieldname: str, btext: bytes) -> None:
        """A word of a word-list field begins (document numbers only)."""

    def block(self, ids: Any, weights: Any, values: list[bytes]) -> None:
        """A block of the current term's postings: document numbers, weights, values."""

    def finish(self) -> None:
        """The current term ends."""

    def close(self) -> None:
        """The segment is written."""


class SidePostings(Protocol):
    """The postings of one segment's side-only fields, as Whoosh's matchers take them."""

    def whoosh_postings(
        self, fieldname: str, btext: bytes
    ) -> tuple[list[int], list[float] | None, list[bytes | None] | None]:
        """(document numbers, weights or None for all 1.0, values or None) of a term: the
        arguments of Whoosh's ListMatcher, so that it reads as Whoosh's W3 blocks would."""


class CapturingCodec(W3Codec):  # type: ignore[misc]  # Whoosh ships no types: its classes are Any
    """Whoosh's W3 codec whose field writer also hands the postings of some fields, block by
    block, to a side sink writing a file of the same segment (extension `side_ext`).

    Subclasses say which fields (`captured`, `word_list`) and make the sink (`new_sink`).
    """

    side_ext = ".side"
    # Whether the side-only fields' postings are left out of Whoosh's postings file (.pst) and
    # read from the side file instead (`side_only`). Whoosh pickles each segment's codec into
    # the index's TOC, so this is recorded per segment: a codec unpickled from a segment written
    # before this existed has no instance value, reads the class's False and keeps reading
    # Whoosh's copy. Subclasses set it in __init__ for the segments they write.
    postings_in_side = False

    def side_only(self, fieldname: str) -> bool:
        """Whether the field's postings are in the side file only (not in Whoosh's .pst)."""
        return self.postings_in_side and (
            self.captured(fieldname) is not None or self.word_list(fieldname)
        )

    def side_postings(self, read: Callable[[int, int], bytes], length: int) -> SidePostings:
        """The reader of a segment's side file of `length` bytes (`read(offset, size)`)."""
        raise NotImplementedError

    def captured(self, fieldname: str) -> bool | None:
        """None: not captured; else whether the field's values (positions) are kept too."""
        return None

    def word_list(self, fieldname: str) -> bool:
        """True for a field whose words are kept as a sorted list with document numbers."""
        return False

    def new_sink(self, dbfile: Any) -> SideSink:
        """The sink writing one segment's side file to `dbfile`."""
        raise NotImplementedError

    def field_writer(self, storage: Any, segment: Any) -> Any:
        """Whoosh's field writer, capturing (see the class docstring)."""
        return _CapturingFieldWriter(self, storage, segment)

    def terms_reader(self, storage: Any, segment: Any) -> Any:
        """Whoosh's terms reader; a side-only field's matchers read the side file."""
        if not self.postings_in_side:
            return super().terms_reader(storage, segment)
        tiname = segment.make_filename(self.TERMS_EXT)
        tifile = storage.open_file(tiname)
        postfile = segment.open_file(storage, self.POSTS_EXT)
        side_name = segment.make_filename(self.side_ext)

        def open_side() -> SidePostings:
            handle = storage.open_file(side_name)
            return self.side_postings(handle.get, storage.file_length(side_name))

        return _SideTermsReader(self, tifile, storage.file_length(tiname), postfile, open_side)

    def postings_writer(self, dbfile: Any, byteids: bool = False) -> Any:
        """Whoosh's postings writer, passing each block to the field writer's sink."""
        return _CapturingPostingsWriter(
            dbfile,
            blocklimit=self._blocklimit,
            byteids=byteids,
            compression=self._compression,
            inlinelimit=self._inlinelimit,
        )


class _SideTermsReader(W3TermsReader):  # type: ignore[misc]  # Whoosh ships no types: its classes are Any
    """W3's terms reader whose matchers of side-only fields read the segment's side file
    (opened on first use: the fast paths read it through side_files.TermArrays)."""

    def __init__(
        self,
        codec: CapturingCodec,
        dbfile: Any,
        length: int,
        postfile: Any,
        open_side: Callable[[], SidePostings],
    ) -> None:
        super().__init__(codec, dbfile, length, postfile)
        self._open_side = open_side
        self._side: SidePostings | None = None

    def matcher(self, fieldname: str, tbytes: bytes, format_: Any, scorer: Any = None) -> Any:
        if not self._codec.side_only(fieldname):
            return super().matcher(fieldname, tbytes, format_, scorer)
        terminfo = self.term_info(fieldname, tbytes)
        if self._side is None:
            self._side = self._open_side()
        ids, weights, values = self._side.whoosh_postings(fieldname, tbytes)
        return _SortedListMatcher(
            ids,
            weights,
            values,
            format_,
            scorer=scorer,
            term=(fieldname, tbytes),
            terminfo=terminfo,
        )


class _SortedListMatcher(ListMatcher):  # type: ignore[misc]  # Whoosh ships no types: its classes are Any
    """Whoosh's ListMatcher (what it uses for inlined postings) skipping by binary search."""

    _i: int  # ListMatcher's position in its lists

    def skip_to(self, id: int) -> None:  # noqa: A002  # Whoosh's parameter name
        if not self.is_active():
            super().skip_to(id)  # raises ReadTooFar
        if id > self.id():
            self._i = bisect.bisect_left(self._ids, id, self._i)


class _CapturingPostingsWriter(W3PostingsWriter):  # type: ignore[misc]  # Whoosh ships no types: its classes are Any
    _terminfo: Any  # Whoosh's W3TermInfo of the term being written (None between terms)
    side: SideSink | None = None
    whoosh_copy = True  # False: the postings go to the side sink only (CapturingCodec.side_only)

    def set_block(self, ids: Any, weights: Any, values: list[bytes], lengths: Any) -> None:
        """Buffer a whole block at once: what `add_posting` for each posting leaves buffered
        (the same statistics: maximum weight, shortest and longest non-zero field length).
        `lengths`: field length by document number, or None (all 0)."""
        self._ids = ids
        self._weights = weights
        self._values = values
        top = max(weights)
        self._maxweight = top if top > 0 else 0
        if lengths is None:
            self._minlength, self._maxlength = None, 0
            return
        found = [length for length in map(lengths.__getitem__, ids) if length]
        self._minlength = min(found) if found else None
        self._maxlength = max(found) if found else 0

    def _write_block(self, last: bool = False) -> None:
        # Whoosh's W3PostingsWriter._write_block, except that a block whose pickle is shorter
        # than COMPRESS_FROM bytes is stored uncompressed: Whoosh means to ("if the pickle is
        # less than 20 bytes, don't bother compressing") but overwrites the level on the next
        # line, so every one-posting term pays a zlib call and grows by zlib's framing. Each
        # block records its compression level, which the reader honours.
        if self.side is not None:
            self.side.block(self._ids, self._weights, self._values)
        if not self.whoosh_copy:
            # The term's statistics stay in its term info (.trm); its postings are the side
            # file's, and its extent in .pst is empty.
            self._terminfo.add_block(self)
            self._blockcount += 1
            self._new_block()
            return
        postfile = self._postfile
        if not self._blockcount:
            postfile.write(WHOOSH3_HEADER_MAGIC)
        self._terminfo.add_block(self)
        data = (self._mini_ids(), self._mini_weights(), self._mini_values())
        databytes = pickle.dumps(data, 2)
        comp = self._compression if len(databytes) >= COMPRESS_FROM else 0
        if comp:
            databytes = zlib.compress(databytes, comp)
        ids = self._ids
        info = (
            len(ids),
            ids[-1],
            self._maxweight,
            comp,
            length_to_byte(self._minlength),
            length_to_byte(self._maxlength),
        )
        infobytes = pickle.dumps(info, 2)
        blocklength = len(infobytes) + len(databytes)
        # Whoosh's write_int, then the two pickles: one write.
        postfile.write(pack_int(-blocklength if last else blocklength) + infobytes + databytes)
        self._blockcount += 1
        self._new_block()

    def finish_postings(self) -> Any:
        if not self.written() and len(self) < self._inlinelimit:
            # Whoosh's W3PostingsWriter.finish_postings calls `terminfo.set_inline`, which
            # W3TermInfo does not have (its method is `set_inlined`): any inlinelimit above 1
            # fails there. This is its inlining, with the right name.
            if self.side is not None:
                self.side.block(self._ids, self._weights, self._values)  # no block write
            terminfo: Any = self._terminfo
            terminfo.add_block(self)
            # A format without values: None per posting, as W3's blocks read (ListMatcher
            # reads an empty tuple as '').
            values: list[Any] = self._values or [None] * len(self._ids)
            terminfo.set_inlined(self._ids, self._weights, values)
            self._terminfo = None
            return terminfo
        return super().finish_postings()


class _CapturingFieldWriter(W3FieldWriter):  # type: ignore[misc]  # Whoosh ships no types: its classes are Any
    def __init__(self, codec: CapturingCodec, storage: Any, segment: Any) -> None:
        super().__init__(codec, storage, segment)
        self._codec_policy = codec
        self._side = codec.new_sink(self._create_file(codec.side_ext))
        self._capture: bool | None = None
        self._word_list = False

    def _create_file(self, ext: str) -> Any:
        structfile = super()._create_file(ext)
        structfile.file = _CountedFile(structfile.file)
        return structfile

    def start_field(self, fieldname: str, fieldobj: Any) -> None:
        super().start_field(fieldname, fieldobj)
        self._capture = self._codec_policy.captured(fieldname)
        self._word_list = self._codec_policy.word_list(fieldname)
        captured = self._capture is not None or self._word_list
        self._postwriter.side = self._side if captured else None
        self._postwriter.whoosh_copy = not self._codec_policy.side_only(fieldname)
        if not self._postwriter.whoosh_copy:
            self._postwriter._inlinelimit = 1  # nothing in .trm either: inlining would add it
        if captured:
            # Whoosh sets the new segment's document count before its postings are written
            # (SegmentWriter.per_document_reader); a writer that does not leaves it 0.
            self._side.segment_size(self._segment.doc_count_all())

    def start_term(self, btext: bytes) -> None:
        super().start_term(btext)
        if self._capture is not None:
            self._side.start(self._fieldname, btext, self._capture)
        elif self._word_list:
            self._side.start_word(self._fieldname, btext)

    def finish_term(self) -> None:
        # W3FieldWriter.finish_term, except that an inlined term info is written by
        # `term_info_bytes` (Whoosh's pickle protocol 2 spells each bytes value as a call to
        # _codecs.encode: 98 bytes for one posting of `keys`, 40 this way).
        terminfo = self._postwriter.finish_postings()
        keybytes = pack_ushort(self._fieldid) + self._btext
        self._add_term_info(keybytes, term_info_bytes(terminfo))
        if self._capture is not None or self._word_list:
            self._side.finish()

    def _add_term_info(self, keybytes: bytes, valbytes: bytes) -> None:
        """OrderedHashWriter.add (the term index), inlined: one write instead of three, the
        position counted once, and md5_hash's value without its hex round trip."""
        tindex = self._tindex
        if keybytes <= tindex.lastkey:
            raise ValueError(f"Keys must increase: {tindex.lastkey!r}..{keybytes!r}")
        dbfile = tindex.dbfile
        pos = dbfile.tell()
        tindex.index.append(pos)
        dbfile.write(_KEY_VALUE_LENGTHS.pack(len(keybytes), len(valbytes)) + keybytes + valbytes)
        h = term_hash(keybytes) if tindex.hashfn is md5_hash else tindex.hashfn(keybytes)
        tindex.buckets[h & 255].append((h, pos))
        tindex.lastkey = keybytes

    def add_postings(self, schema: Any, lengths: Any, items: Any) -> None:
        # Whoosh looks up each posting's field length in the new segment's length column
        # (a seek and a read per posting: a fifth of an index run); read each field's
        # column once instead.
        super().add_postings(schema, _LengthCache(lengths) if lengths else lengths, items)

    def add_terms(self, schema: Any, lengths: Any, pool: TermPool) -> None:
        """Write every term of `pool` (fields and terms in order), each term's postings a
        whole block at a time: the same blocks, term infos and side file as Whoosh's
        `add_postings` fed the same postings one at a time, without its Python work per
        posting."""
        cache = _LengthCache(lengths) if lengths else None
        limit = self._codec._blocklimit
        for fieldname, terms in pool.terms():
            self.start_field(fieldname, schema[fieldname])
            column = cache.column(fieldname) if cache is not None else None
            postwriter = self._postwriter
            if not postwriter.whoosh_copy:
                self._add_side_only_terms(terms, column, limit)
                self.finish_field()
                continue
            for btext, ids, weights, values in terms:
                self.start_term(btext)
                count = len(ids)
                if values and len(values) != count:
                    # Whoosh's blocks keep only non-empty values, so its format cannot hold
                    # this either; every format of the schema gives all postings a value or
                    # none.
                    raise ValueError(f"field {fieldname!r}: some postings have no value")
                for start in range(0, count, limit):
                    end = min(count, start + limit)
                    postwriter.set_block(
                        ids[start:end], weights[start:end], values[start:end], column
                    )
                    if end < count:
                        postwriter._write_block()
                self.finish_term()
            self.finish_field()

    def _add_side_only_terms(
        self, terms: Iterator[TermPostings], column: list[int] | None, limit: int
    ) -> None:
        """The terms of a side-only field (CapturingCodec.side_only): each block goes to the
        side sink, and the term info is the one Whoosh's postings writer would make of the same
        blocks (W3TermInfo.add_block per block, then `to_bytes` with an empty extent in .pst),
        computed here without a postings writer, a term info object or a call per block."""
        side = self._side
        fieldname = self._fieldname
        capture = self._capture
        prefix = pack_ushort(self._fieldid)
        extent = pack_long(self._postfile.tell()) + pack_int(0)  # nothing written to .pst
        pack_head = W3TermInfo._struct.pack
        lengths = column.__getitem__ if column is not None else None
        for btext, ids, weights, values in terms:
            if capture is not None:
                side.start(fieldname, btext, capture)
            else:
                side.start_word(fieldname, btext)
            count = len(ids)
            if values and len(values) != count:
                raise ValueError(f"field {fieldname!r}: some postings have no value")
            total: float = 0
            minlength: int | None = None
            maxlength = 0
            maxweight: float = 0
            for start in range(0, count, limit):
                end = min(count, start + limit)
                block_weights = weights[start:end]
                block_ids = ids[start:end]
                side.block(block_ids, block_weights, values[start:end])
                top = max(block_weights)
                block_min, block_max = None, 0
                if lengths is not None:
                    found = [length for length in map(lengths, block_ids) if length]
                    if found:
                        block_min, block_max = min(found), max(found)
                # W3TermInfo.add_block, in its order
                total += sum(block_weights)
                if minlength is None:
                    minlength = block_min
                elif block_min is not None:  # (Whoosh's min() would fail on None)
                    minlength = min(minlength, block_min)
                maxlength = max(maxlength, block_max)
                maxweight = max(maxweight, top if top > 0 else 0)
            head = pack_head(
                False,
                total,
                count,
                0 if minlength is None else length_to_byte(minlength),
                length_to_byte(maxlength),
                maxweight,
                ids[0],
                ids[-1],
            )
            self._add_term_info(prefix + btext, head + extent)
            side.finish()

    def close(self) -> None:
        self._side.close()
        super().close()


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


class _LengthCache:
    """`doc_field_length` of a per-document reader, one column read per field."""

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
        column = self.column(fieldname)
        if 0 <= docnum < len(column) and (column[docnum] or not default):
            return column[docnum]
        return int(self._reader.doc_field_length(docnum, fieldname, default))


class _CountedFile:
    """A file being written whose position is counted here: `BufferedWriter.tell` asks the
    operating system (an lseek) on every call, and Whoosh's term index and postings writers
    ask about four times a term. Everything else is the wrapped file's."""

    def __init__(self, raw: Any) -> None:
        self._raw = raw
        self._pos = int(raw.tell())

    def write(self, data: Any) -> int:
        written = self._raw.write(data)
        self._pos += written
        return int(written)

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = 0) -> int:
        self._pos = int(self._raw.seek(offset, whence))
        return self._pos

    def __getattr__(self, name: str) -> Any:
        return getattr(self._raw, name)


# ---------------------------------------------------------------------------------------------
# A segment writer whose postings are grouped by term as they arrive


class PaperSegmentWriter(SegmentWriter):  # type: ignore[misc]  # Whoosh ships no types: its classes are Any
    """Whoosh's SegmentWriter with a TermPool: the same segment, written with less Python work
    per posting and a fraction of the memory (no `limitmb` pool to fill, no runs on disk).

    `add_document` is Whoosh's, except that postings go straight into the term pool; a codec
    whose field writer has `add_terms` (CapturingCodec's) writes each term's blocks whole, any
    other codec gets the postings one at a time as from Whoosh's own pool.
    """

    def __init__(self, ix: Any, **kwargs: Any) -> None:
        super().__init__(ix, **kwargs)
        # Replaces Whoosh's PostingPool, which holds nothing yet (its runs are files only
        # once it spills).
        self.terms = TermPool()
        self.pool = self.terms  # the name Whoosh's writers use

    def add_document(self, **fields: Any) -> None:
        """Add one document (Whoosh's `add_document`, postings into the term pool)."""
        self._check_state()
        perdocwriter = self.perdocwriter
        schema = self.schema
        docnum = self.docnum
        pool = self.terms
        docboost = self._doc_boost(fields)
        fieldnames = sorted(name for name in fields if not name.startswith("_"))
        self._check_fields(schema, fieldnames)
        perdocwriter.start_doc(docnum)
        try:
            for fieldname in fieldnames:
                value = fields.get(fieldname)
                if value is None:
                    continue
                field = schema[fieldname]
                length = 0
                if field.indexed:
                    fieldboost = self._field_boost(fields, fieldname, docboost)
                    scorable = field.scorable
                    into = pool.field(fieldname)  # FieldPostings.add, inlined: the hot loop
                    terms, numbers, docs, weights = (
                        into.terms,
                        into.term_ids,
                        into.docs,
                        into.weights,
                    )
                    values = into.values
                    for btext, freq, weight, vbytes in field.index(value):
                        if scorable:
                            length += freq
                        number = terms.get(btext)
                        if number is None:
                            number = terms[btext] = len(terms)
                        numbers.append(number)
                        docs.append(docnum)
                        weights.append(weight * fieldboost)
                        if vbytes:
                            values.append(vbytes)
                if field.separate_spelling() or field.vector:
                    raise ValueError(f"field {fieldname!r}: spelling and vectors are not written")
                stored = fields.get(f"_stored_{fieldname}", value)
                perdocwriter.add_field(fieldname, field, stored if field.stored else None, length)
                column = field.column_type
                if column and stored is not None:
                    perdocwriter.add_column_value(fieldname, column, field.to_column_value(stored))
        except Exception:
            perdocwriter.cancel_doc()
            raise
        perdocwriter.finish_doc()
        self._added = True
        self.docnum += 1

    def _flush_segment(self) -> None:
        self.perdocwriter.close()
        lengths = self.per_document_reader() if self.codec.length_stats else None
        fieldwriter = self.fieldwriter
        if isinstance(fieldwriter, _CapturingFieldWriter):
            fieldwriter.add_terms(self.schema, lengths, self.terms)
        else:
            fieldwriter.add_postings(self.schema, lengths, self.terms.iter_postings())
        fieldwriter.close()
        if lengths is not None:
            lengths.close()
