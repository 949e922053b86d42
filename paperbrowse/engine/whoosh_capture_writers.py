"""Whoosh's W3 postings and field writers, handing the postings of chosen fields to a side
file block by block as a segment is written (`CapturingPostingsWriter`, `CapturingFieldWriter`,
made by CapturingCodec in whoosh_capture_codec.py), and writing a term pool's terms a whole block
at a time (`CapturingFieldWriter.add_terms`).

Whoosh internals used here (see whoosh_internals.py for the version they were read against): the
W3 postings writer's block buffer (`_ids`, `_weights`, `_values`, `_maxweight`, `_minlength`,
`_maxlength`, `_write_block`, `_inlinelimit`, `_terminfo`, `_blockcount`, `_new_block`,
`_postfile`), the W3 field writer's `_create_file`, `_fieldname`, `_fieldid`, `_btext`,
`_tindex`, `_segment`, `_postwriter`, `_codec`, the codec's `_blocklimit` and W3TermInfo's
`_struct`.
"""

from __future__ import annotations

import pickle
import zlib
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, Protocol

from whoosh.codec.whoosh3 import (
    WHOOSH3_HEADER_MAGIC,
    W3FieldWriter,
    W3PostingsWriter,
    W3TermInfo,
)
from whoosh.filedb.filetables import md5_hash
from whoosh.system import pack_int, pack_long, pack_ushort
from whoosh.util.numeric import length_to_byte

from paperbrowse.engine.term_pool import TermPool, TermPostings
from paperbrowse.engine.whoosh_segment_files import (
    KEY_VALUE_LENGTHS,
    CountedFile,
    LengthCache,
    term_hash,
    term_info_bytes,
)

if TYPE_CHECKING:
    from paperbrowse.engine.whoosh_capture_codec import CapturingCodec

# A postings block whose pickle is shorter than this is stored uncompressed (see
# CapturingPostingsWriter._write_block).
COMPRESS_FROM = 64


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


class CapturingPostingsWriter(W3PostingsWriter):  # type: ignore[misc]  # Whoosh ships no types: its classes are Any
    """Whoosh's W3 postings writer, also handing each block to the field's side sink (`side`),
    and writing no block to .pst for a side-only field (`whoosh_copy` False); small blocks are
    stored uncompressed and inlining works (see `_write_block`, `finish_postings`).
    Made by CapturingCodec.postings_writer."""

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
        """The term's W3TermInfo, its postings inlined when they are fewer than the inline
        limit and none was written as a block."""
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


class CapturingFieldWriter(W3FieldWriter):  # type: ignore[misc]  # Whoosh ships no types: its classes are Any
    """Whoosh's W3 field writer whose captured fields' postings also go, block by block, to the
    codec's side sink (a file of the same segment, extension `codec.side_ext`). Made by
    CapturingCodec.field_writer."""

    def __init__(self, codec: CapturingCodec, storage: Any, segment: Any) -> None:
        super().__init__(codec, storage, segment)
        self._codec_policy = codec
        self._side = codec.new_sink(self._create_file(codec.side_ext))
        self._capture: bool | None = None
        self._word_list = False

    def _create_file(self, ext: str) -> Any:
        structfile = super()._create_file(ext)
        structfile.file = CountedFile(structfile.file)
        return structfile

    def start_field(self, fieldname: str, fieldobj: Any) -> None:
        """Begin a field (Whoosh's), and tell the postings writer whether it is captured."""
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
        """Begin a term (Whoosh's), and tell the side sink when its field is captured."""
        super().start_term(btext)
        if self._capture is not None:
            self._side.start(self._fieldname, btext, self._capture)
        elif self._word_list:
            self._side.start_word(self._fieldname, btext)

    def finish_term(self) -> None:
        """End a term: its term info to the term index (see the comment), the side sink told."""
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
        dbfile.write(KEY_VALUE_LENGTHS.pack(len(keybytes), len(valbytes)) + keybytes + valbytes)
        h = term_hash(keybytes) if tindex.hashfn is md5_hash else tindex.hashfn(keybytes)
        tindex.buckets[h & 255].append((h, pos))
        tindex.lastkey = keybytes

    def add_postings(self, schema: Any, lengths: Any, items: Any) -> None:
        """Whoosh's `add_postings` (postings one at a time), its field lengths cached."""
        # Whoosh looks up each posting's field length in the new segment's length column
        # (a seek and a read per posting: a fifth of an index run); read each field's
        # column once instead.
        super().add_postings(schema, LengthCache(lengths) if lengths else lengths, items)

    def add_terms(self, schema: Any, lengths: Any, pool: TermPool) -> None:
        """Write every term of `pool` (fields and terms in order), each term's postings a
        whole block at a time: the same blocks, term infos and side file as Whoosh's
        `add_postings` fed the same postings one at a time, without its Python work per
        posting."""
        cache = LengthCache(lengths) if lengths else None
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
        """Close the side sink, then Whoosh's files."""
        self._side.close()
        super().close()
