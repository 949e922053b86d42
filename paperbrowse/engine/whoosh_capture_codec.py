"""Whoosh's W3 codec handing the postings of chosen fields to a side file as a segment is
written (`CapturingCodec`, its writers in whoosh_capture_writers.py), and reading a side-only
field's postings back from that file through Whoosh's own terms reader and matchers.

Whoosh internals used here (see whoosh_internals.py for the version they were read against): the
codec's `_blocklimit`, `_compression` and `_inlinelimit`, the W3 terms reader's `_codec`, and
ListMatcher's `_i` and `_ids`.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable
from typing import Any, Protocol

from whoosh.codec.whoosh3 import W3Codec, W3TermsReader
from whoosh.matching import ListMatcher

from paperbrowse.engine.whoosh_capture_writers import (
    CapturingFieldWriter,
    CapturingPostingsWriter,
    SideSink,
)


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
        return CapturingFieldWriter(self, storage, segment)

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
        return CapturingPostingsWriter(
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
