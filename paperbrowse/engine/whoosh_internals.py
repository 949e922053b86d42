"""Whoosh's internals, read: index directories, segment files, postings blocks; and the version
every use of Whoosh's internals was written against.

Whoosh documents none of what the `engine/whoosh_*.py` modules use; they are the ONLY modules
that reach into it (tests/unit/test_engine_boundary.py checks), each read from, and tested
against, whoosh-reloaded WHOOSH_VERSION (pinned exactly in pyproject.toml; the boundary test
fails with a clear message on any other version). Moving to another version means reading each
use against its source again:

- here: a segment's length column (`field_lengths`: the W3 per-document reader's
  `_cached_reader`, a column reader's `_dbfile`, `_basepos`, `_count`, `_fixedlen`), postings
  blocks (`_read_ids`, `_ids`, `_read_weights`, `_weights`, `_read_values`,
  `_values`, `_next_block` of the W3 block matcher: `PostingsBlock`), `FileStorage._fpath`
  (`PrivateStorage`), a pattern query's `_btexts` (`pattern_terms`), the files an index
  directory holds (`committed_files`) and a segment's compound file (`segment_file`);
- whoosh_capture_codec.py: the codec's `_blocklimit`, `_compression`, `_inlinelimit`; the
  terms reader's `_codec`; ListMatcher's `_i`, `_ids`;
- whoosh_capture_writers.py: the W3 codec's postings and field writers (`_write_block`, `_ids`,
  `_weights`, `_values`, `_maxweight`, `_minlength`, `_maxlength`, `_inlinelimit`,
  `_terminfo`, `_blockcount`, `_new_block`, `_postfile`, `_create_file`, `_fieldname`,
  `_fieldid`, `_btext`, `_tindex`, `_segment`, `_postwriter`, `_codec`, the codec's
  `_blocklimit`), W3TermInfo's `_struct`;
- whoosh_segment_files.py: W3TermInfo's `_struct`; the W3 per-document reader's
  `_cached_reader` and a column reader's `_count`, `_dbfile`, `_basepos`, `_fixedlen`,
  `_default` (the length cache);
- whoosh_segment_writer.py: `SegmentWriter`'s `add_document`, `_flush_segment`, `_doc_boost`,
  `_field_boost`, `pool`;
- whoosh_procs.py: `MpWriter`'s `_new_task`, `_enqueue`, `_commit`, `docbuffer`, `tasks`,
  `jobqueue`, and `SubWriterTask`'s `run` and `_process_file`.
"""

from __future__ import annotations

import importlib.metadata
import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from whoosh import index
from whoosh.codec.whoosh3 import LENGTHS_COLUMN
from whoosh.fields import Schema
from whoosh.filedb.filestore import FileStorage
from whoosh.index import TOC
from whoosh.matching import ListMatcher
from whoosh.matching.wrappers import FilterMatcher
from whoosh.query import Query
from whoosh.searching import Searcher
from whoosh.util.filelock import FcntlLock
from whoosh.util.numeric import byte_to_length

WHOOSH_DISTRIBUTION = "whoosh-reloaded"
WHOOSH_VERSION = "2.7.5"  # the version every use below was written against


def installed_whoosh_version() -> str:
    """The version of whoosh-reloaded installed here ('' when it is not installed by pip)."""
    try:
        return importlib.metadata.version(WHOOSH_DISTRIBUTION)
    except importlib.metadata.PackageNotFoundError:
        return ""


def whoosh_version_problem() -> str | None:
    """None when the installed Whoosh is WHOOSH_VERSION, else what is wrong, in one line."""
    found = installed_whoosh_version()
    if found == WHOOSH_VERSION:
        return None
    return (
        f"paperbrowse's search engine reads Whoosh's internals as whoosh-reloaded "
        f"{WHOOSH_VERSION} has them, but {found or 'no whoosh-reloaded'} is installed: install "
        f"whoosh-reloaded=={WHOOSH_VERSION}, or read every use in "
        "paperbrowse/engine/whoosh_internals.py against the new version before changing the pin"
    )


# ---------------------------------------------------------------------------------------------
# Index directories


class _PrivateLock(FcntlLock):  # type: ignore[misc]  # Whoosh ships no types: its classes are Any
    """Whoosh's lock file (MAIN_WRITELOCK), created 0600 like every file of the library.

    Whoosh opens it with the default mode 0777, which the private umask makes 0700: a file
    that is executable for no reason.
    """

    def acquire(self, blocking: bool = False) -> bool:
        os.close(os.open(self.filename, os.O_CREAT | os.O_WRONLY, 0o600))
        return bool(super().acquire(blocking))


class PrivateStorage(FileStorage):  # type: ignore[misc]  # Whoosh ships no types: its classes are Any
    """Whoosh's FileStorage with a private lock file (see _PrivateLock)."""

    def lock(self, name: str) -> _PrivateLock:
        """The named lock, its file created 0600."""
        return _PrivateLock(self._fpath(name))


def open_index_dir(path: Path) -> index.Index:
    """Open the Whoosh index in `path` without memory-mapping it.

    Whoosh wraps a mapped compound segment in BytesIO, which copies the whole segment into
    memory (hundreds of MB at 100,000 papers); plain file reads keep memory flat.
    """
    return PrivateStorage(str(path), supports_mmap=False).open_index()


def create_index_dir(path: Path, schema: Schema) -> index.Index:
    """A new, empty index with `schema` in `path` (which must exist)."""
    return PrivateStorage(str(path), supports_mmap=False).create().create_index(schema)


def index_folder(ix: index.Index) -> Path:
    """The directory an open index reads."""
    return Path(ix.storage.folder)


def committed_files(folder: Path) -> tuple[set[str], tuple[str, ...]] | None:
    """The file names the latest commit of the index in `folder` uses (its TOC, the lock file)
    and the name prefixes of its segments' files; None when there is no readable index."""
    try:
        ix = open_index_dir(folder)
        toc = TOC.read(ix.storage, ix.indexname)
        segments = {segment.segment_id() for segment in toc.segments}
        names = {f"_{ix.indexname}_{toc.generation}.toc", f"{ix.indexname}_WRITELOCK"}
    except Exception:  # no index here yet, or a damaged one
        return None
    return names, tuple(f"{segment}." for segment in segments)  # Whoosh's list_files


def segment_file(folder: Path, leaf: Any, ext: str) -> tuple[Path, int, int] | None:
    """Where a segment's file with extension `ext` lies: (path, offset, length), inside the
    segment's compound file when it has one; None when the segment has no such file."""
    segment = getattr(leaf, "segment", lambda: None)()
    if segment is None:
        return None
    name = segment.make_filename(ext)
    if segment.is_compound():
        files = segment.open_compound_file(FileStorage(str(folder), supports_mmap=False))
        try:
            if not files.file_exists(name):
                return None
            base, length = files.range(name)
        finally:
            files.close()
        return folder / segment.make_filename(segment.COMPOUND_EXT), base, length
    path = folder / name
    if not path.exists():
        return None
    return path, 0, path.stat().st_size


# ---------------------------------------------------------------------------------------------
# Reading postings a block at a time


def leaf_postings(searcher: Searcher, fieldname: str, text: Any) -> Iterator[tuple[Any, int]]:
    """(raw postings matcher, document offset) of a term in each index segment holding it.

    Deleted documents are not filtered here: callers intersect with the live set once.
    """
    for leaf, offset in searcher.reader().leaf_readers():
        try:
            if (fieldname, text) not in leaf:
                continue
            matcher = leaf.postings(fieldname, text)
        except Exception:  # a field this segment never saw
            continue
        if isinstance(matcher, FilterMatcher):
            matcher = matcher.child
        yield matcher, offset


class PostingsBlock:
    """The block a W3 block matcher stands on: its document numbers, weights and values (each
    decoded on first use), this segment's numbers."""

    def __init__(self, matcher: Any) -> None:
        self._matcher = matcher

    @property
    def ids(self) -> Sequence[int]:
        """The block's document numbers, ascending."""
        if self._matcher._ids is None:
            self._matcher._read_ids()
        found: Sequence[int] = self._matcher._ids
        return found

    @property
    def weights(self) -> Sequence[float]:
        """Each posting's weight (the term's frequency times the field boost)."""
        if self._matcher._weights is None:
            self._matcher._read_weights()
        found: Sequence[float] = self._matcher._weights
        return found

    @property
    def values(self) -> Sequence[bytes]:
        """Each posting's encoded value (positions, for a positional field)."""
        if self._matcher._values is None:
            self._matcher._read_values()
        found: Sequence[bytes] = self._matcher._values
        return found


class ListBlock:
    """A ListMatcher's postings as one block (the same properties as PostingsBlock): a term
    inlined into its term info (fewer than codec.INLINE_LIMIT postings), or a side-only field
    read through the codec (whoosh_capture_codec.CapturingCodec.terms_reader)."""

    def __init__(self, matcher: Any) -> None:
        self._matcher = matcher

    @property
    def ids(self) -> Sequence[int]:
        """The postings' document numbers, ascending."""
        found: Sequence[int] = self._matcher._ids
        return found

    @property
    def weights(self) -> Sequence[float]:
        """Each posting's weight (1.0 each when the matcher holds none, as its `weight()`)."""
        weights = self._matcher._weights
        return [1.0] * len(self._matcher._ids) if weights is None else weights

    @property
    def values(self) -> Sequence[bytes]:
        """Each posting's value, as the matcher's `value()` gives it."""
        values = self._matcher._values
        return list(values) if values else [""] * len(self._matcher._ids)  # type: ignore[list-item]


_READERS = {"ids": "_read_ids", "weights": "_read_weights", "values": "_read_values"}


def postings_blocks(
    matcher: Any, *parts: str
) -> Iterator[PostingsBlock] | Iterator[ListBlock] | None:
    """The blocks of a raw postings matcher, in order (a ListMatcher's postings are one
    block); None when it is not a block matcher that can read each of `parts` ("ids",
    "weights", "values"): then only its public interface (`all_ids`) can be used."""
    if isinstance(matcher, ListMatcher) and not matcher._i:
        return iter([ListBlock(matcher)] if matcher.is_active() else [])
    needed = ("_next_block", _READERS["ids"], *(_READERS[p] for p in parts))
    if not all(hasattr(matcher, name) for name in needed):
        return None

    def blocks() -> Iterator[PostingsBlock]:
        while matcher.is_active():
            yield PostingsBlock(matcher)
            matcher._next_block()

    return blocks()


def field_lengths(reader: Any, fieldname: str) -> np.ndarray:
    """Each document's length in `fieldname` (int64, by document number, deleted documents
    included), as `doc_field_length(docnum, fieldname, 0)` gives it: Whoosh's one-byte
    approximation of the field's term count, 0 where the document has none.

    Reads each segment's length column (the W3 codec's `_<field>_len` column of one byte per
    document: `_cached_reader`, the column reader's `_dbfile`, `_basepos`, `_count`) with one
    read. A W3 segment without the column (no document there has the field: the older papers
    have no organisation) has 0 for every document, as `doc_field_length` gives, without
    asking it 30,000 times (each call looked for the column's file: 1.7 s of the first org
    search at 10^6 papers). Other segments are read a document at a time through
    `doc_field_length`.
    """
    table = np.array([byte_to_length(b) for b in range(256)], dtype=np.int64)
    table[0] = 0  # doc_field_length gives the default for a zero byte
    parts: list[np.ndarray] = []
    for leaf, _offset in reader.leaf_readers():
        count = leaf.doc_count_all()
        found = np.zeros(count, dtype=np.int64)
        perdoc = getattr(leaf, "_perdoc", None)
        column = None
        if perdoc is not None and hasattr(perdoc, "_cached_reader"):
            column = perdoc._cached_reader(f"_{fieldname}_len", LENGTHS_COLUMN)
            if column is None:  # no column: every length is the default, 0
                parts.append(found)
                continue
        if column is not None and all(
            hasattr(column, name) for name in ("_dbfile", "_basepos", "_count", "_fixedlen")
        ):
            if column._fixedlen != 1:
                raise ValueError(f"a length column of {column._fixedlen} bytes per document")
            stored = min(int(column._count), count)
            raw = column._dbfile.get(column._basepos, stored) if stored else b""
            found[:stored] = table[np.frombuffer(raw, dtype=np.uint8)]
        elif count:
            length = leaf.doc_field_length
            found[:] = [length(d, fieldname, 0) or 0 for d in range(count)]
        parts.append(found)
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)


def pattern_terms(q: Query, reader: Any) -> list[bytes]:
    """The terms of the index a pattern query (wildcard, prefix, range) matches."""
    return list(q._btexts(reader))
