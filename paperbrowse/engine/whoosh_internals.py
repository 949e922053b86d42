"""Every use of Whoosh's internals, in one place: private attributes and methods, the codec's and
the multiprocess writer's hooks, and the layout of an index directory's files.

Whoosh documents none of these; they were read from, and tested against, whoosh-reloaded
WHOOSH_VERSION (pinned exactly in pyproject.toml; `tests/unit/test_engine_boundary.py` fails
with a clear message on any other version). Moving to another version means reading each use
below against its source again:

- postings blocks: `_read_ids`, `_ids`, `_read_weights`, `_weights`, `_read_values`, `_values`,
  `_next_block` of the W3 block matcher (`PostingsBlock`);
- the W3 codec's postings and field writers: `_write_block`, `_ids`, `_weights`, `_values`,
  `_inlinelimit`, `_create_file`, `_fieldname`, `_postwriter`, and the codec's `_blocklimit`,
  `_compression` (`CapturingCodec`);
- `MpWriter`'s `_new_task`, `_enqueue`, `_commit`, `docbuffer`, `tasks`, `jobqueue` and
  `SubWriterTask` (`GuardedMpWriter`);
- `FileStorage._fpath` (`PrivateStorage`), a pattern query's `_btexts` (`pattern_terms`);
- the files an index directory holds (`committed_files`) and a segment's compound file
  (`segment_file`).
"""

from __future__ import annotations

import contextlib
import importlib.metadata
import multiprocessing
import os
import pickle
import queue
import signal
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, Protocol

from whoosh import index
from whoosh.codec.whoosh3 import W3Codec, W3FieldWriter, W3PostingsWriter
from whoosh.fields import Schema
from whoosh.filedb.filestore import FileStorage
from whoosh.index import TOC
from whoosh.matching.wrappers import FilterMatcher
from whoosh.multiproc import MpWriter, SubWriterTask
from whoosh.query import Query
from whoosh.searching import Searcher
from whoosh.util import random_name
from whoosh.util.filelock import FcntlLock

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


_READERS = {"ids": "_read_ids", "weights": "_read_weights", "values": "_read_values"}


def postings_blocks(matcher: Any, *parts: str) -> Iterator[PostingsBlock] | None:
    """The blocks of a raw postings matcher, in order; None when it is not a block matcher
    that can read each of `parts` ("ids", "weights", "values"): then only its public
    interface (`all_ids`) can be used."""
    needed = ("_next_block", _READERS["ids"], *(_READERS[p] for p in parts))
    if not all(hasattr(matcher, name) for name in needed):
        return None

    def blocks() -> Iterator[PostingsBlock]:
        while matcher.is_active():
            yield PostingsBlock(matcher)
            matcher._next_block()

    return blocks()


def pattern_terms(q: Query, reader: Any) -> list[bytes]:
    """The terms of the index a pattern query (wildcard, prefix, range) matches."""
    return list(q._btexts(reader))


# ---------------------------------------------------------------------------------------------
# Writing: a codec that hands every postings block of chosen fields to a side file


class SideSink(Protocol):
    """What receives the postings of the captured fields as a segment is written."""

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


class CapturingCodec(W3Codec):  # type: ignore[misc]  # Whoosh ships no types: its classes are Any
    """Whoosh's W3 codec whose field writer also hands the postings of some fields, block by
    block, to a side sink writing a file of the same segment (extension `side_ext`).

    Subclasses say which fields (`captured`, `word_list`) and make the sink (`new_sink`).
    """

    side_ext = ".side"

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

    def postings_writer(self, dbfile: Any, byteids: bool = False) -> Any:
        """Whoosh's postings writer, passing each block to the field writer's sink."""
        return _CapturingPostingsWriter(
            dbfile,
            blocklimit=self._blocklimit,
            byteids=byteids,
            compression=self._compression,
            inlinelimit=self._inlinelimit,
        )


class _CapturingPostingsWriter(W3PostingsWriter):  # type: ignore[misc]  # Whoosh ships no types: its classes are Any
    side: SideSink | None = None

    def _write_block(self, last: bool = False) -> None:
        if self.side is not None:
            self.side.block(self._ids, self._weights, self._values)
        super()._write_block(last)

    def finish_postings(self) -> Any:
        if self.side is not None and not self.written() and len(self) < self._inlinelimit:
            self.side.block(self._ids, self._weights, self._values)  # inlined: no block write
        return super().finish_postings()


class _CapturingFieldWriter(W3FieldWriter):  # type: ignore[misc]  # Whoosh ships no types: its classes are Any
    def __init__(self, codec: CapturingCodec, storage: Any, segment: Any) -> None:
        super().__init__(codec, storage, segment)
        self._codec_policy = codec
        self._side = codec.new_sink(self._create_file(codec.side_ext))
        self._capture: bool | None = None
        self._word_list = False

    def start_field(self, fieldname: str, fieldobj: Any) -> None:
        super().start_field(fieldname, fieldobj)
        self._capture = self._codec_policy.captured(fieldname)
        self._word_list = self._codec_policy.word_list(fieldname)
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
        return int(self._reader.doc_field_length(docnum, fieldname, default))


# ---------------------------------------------------------------------------------------------
# Writing: the multiprocess writer, made to fail instead of hang


class SubWriterFailed(Exception):
    """A process of the multiprocess writer died; the message says why, in one line (the
    operating system's words for an OSError: "No space left on device")."""


def failure_reason(exc: BaseException) -> str:
    """One line saying why a write failed: an OSError's strerror ("No space left on device"),
    else the first line of the exception's message, else its type's name."""
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return (str(exc).splitlines() or [type(exc).__name__])[0]


class _QuietSubWriterTask(SubWriterTask):  # type: ignore[misc]  # Whoosh ships no types: its classes are Any
    """Whoosh's sub-writer process, exiting with status 1 instead of printing a traceback (the
    parent reports the failure in one line, with the reason this process sends it over
    `reasons`), and exiting when its parent is killed: it would otherwise wait for jobs for
    ever, an orphan holding its memory.

    Ctrl+C on a terminal sends SIGINT to the whole process group: the sub-writers ignore it and
    leave the interrupt to the parent, which stops them (no KeyboardInterrupt traceback from
    each of them).
    """

    reasons: Any = None  # a multiprocessing.SimpleQueue of strings, set by GuardedMpWriter

    def run(self) -> None:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        parent = os.getppid()
        _die_with_parent()
        threading.Thread(target=_exit_when_orphaned, args=(parent,), daemon=True).start()
        try:
            super().run()
        except BaseException as exc:
            if self.reasons is not None:
                with contextlib.suppress(Exception):
                    self.reasons.put(failure_reason(exc))
            raise SystemExit(1) from None


def _die_with_parent() -> None:
    """Ask Linux to SIGKILL this process when its parent dies (prctl PR_SET_PDEATHSIG).

    The watcher thread below cannot run while the process holds the GIL for seconds, as it does
    sorting a large postings pool; the kernel's signal needs no GIL. Elsewhere, a no-op.
    """
    if not sys.platform.startswith("linux"):
        return
    with contextlib.suppress(Exception):
        import ctypes
        import signal

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # 1 = PR_SET_PDEATHSIG


def _exit_when_orphaned(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(1)


class GuardedMpWriter(MpWriter):  # type: ignore[misc]  # Whoosh ships no types: its classes are Any
    """Whoosh's multiprocess writer, made to fail instead of hang when a sub-writer dies.

    Whoosh's own blocks for ever putting jobs on a queue nobody reads once its sub-processes are
    gone (a full disk kills them), commits without a dead one's documents, and its `cancel`
    never stops them (it sets a flag in the parent's copy of each process object).
    """

    _reasons: Any = None  # the sub-writers' reasons for failing (created with the first)
    _known: tuple[str, ...] = ()  # reasons read from it so far

    def _new_task(self) -> SubWriterTask:
        if self._reasons is None:
            # A pipe, not a file: on a full disk a status file could not be written either.
            self._reasons = multiprocessing.SimpleQueue()
        task = _QuietSubWriterTask(
            self.storage,
            self.indexname,
            self.jobqueue,
            self.resultqueue,
            self.subargs,
            self.multisegment,
        )
        task.reasons = self._reasons
        self.tasks.append(task)
        task.start()
        return task

    def failed(self) -> str:
        """'' while every sub-writer is alive or exited cleanly; else why they failed, in one
        line: the reasons the dead ones sent ("No space left on device"), distinct, joined by
        "; ", or their exit codes when they sent none (killed by a signal)."""
        codes = [t.exitcode for t in self.tasks if t.exitcode not in (None, 0)]
        if not codes:
            return ""
        with contextlib.suppress(Exception):
            while self._reasons is not None and not self._reasons.empty():
                reason = self._reasons.get()
                if reason not in self._known:
                    self._known = (*self._known, reason)
        if self._known:
            return "; ".join(self._known)
        exits = ", ".join(f"exit code {c}" for c in codes)
        return f"an index writer process failed ({exits})"

    def _enqueue(self) -> None:
        # Whoosh's _enqueue, except that waiting for room on the job queue notices dead workers.
        docbuffer: list[Any] = self.docbuffer
        self.docbuffer: list[Any] = []
        filename = f"{random_name()}.doclist"
        with self.temp_storage().create_file(filename).raw_file() as handle:
            for item in docbuffer:
                pickle.dump(item, handle, 2)
        if len(self.tasks) < self.procs:
            self._new_task()
        while True:
            if self.failed():
                raise SubWriterFailed(self.failed())
            try:
                self.jobqueue.put((filename, len(docbuffer)), timeout=0.5)
                return
            except queue.Full:
                continue

    def _commit(self, mergetype: Any, optimize: Any, merge: Any) -> None:
        if self.docbuffer:
            self._enqueue()
        if self.failed():
            raise SubWriterFailed(self.failed())
        super()._commit(mergetype, optimize, merge)

    def stop(self) -> None:
        """End the sub-writers (after a failure) so that the process can exit."""
        for task in self.tasks:
            if task.is_alive():
                task.terminate()
            task.join(5)
        for q in (self.jobqueue, self.resultqueue):
            q.cancel_join_thread()  # unread jobs must not keep the process from exiting
