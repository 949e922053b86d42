"""Whoosh's multiprocess writer, made to fail instead of hang, its sub-writers writing through
`PaperSegmentWriter` (whoosh_segment_writer.py).

Whoosh internals used here (see whoosh_internals.py for the version they were read against):
`MpWriter`'s `_new_task`, `_enqueue`, `_commit`, `docbuffer`, `tasks`, `jobqueue`,
`resultqueue`, `subargs`, `multisegment`, and `SubWriterTask`'s `run` loop and
`_process_file`.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import pickle
import queue
import signal
import sys
import threading
import time
from typing import Any

from whoosh.multiproc import MpWriter, SubWriterTask
from whoosh.util import random_name

from paperbrowse.engine.whoosh_segment_writer import PaperSegmentWriter

# Postings a writer process holds before it closes its segment and starts another: about 27,000
# papers of ~290 postings. Measured at 100,000 papers: 12 million took a writer process to
# 380 MB before and 552 MB at the peak of writing the segment (about 28 bytes a posting held,
# 14 more while writing); 8 million keeps it under 400 MB, inside the 500 MB budget.
ROLL_POSTINGS = 8_000_000


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
        die_with_parent()
        threading.Thread(target=_exit_when_orphaned, args=(parent,), daemon=True).start()
        try:
            self._work()
        except BaseException as exc:
            if self.reasons is not None:
                with contextlib.suppress(Exception):
                    self.reasons.put(failure_reason(exc))
            raise SystemExit(1) from None

    def _work(self) -> None:
        # Whoosh's SubWriterTask.run, writing through PaperSegmentWriter (whoosh_segment_writer),
        # and closing its segment for a new one whenever the pool holds ROLL_POSTINGS postings: a
        # writer process's memory is bounded whatever the size of the run. The result is the
        # list of this process's segments (GuardedMpWriter._commit adds them all to the TOC).
        if not self.multisegment:
            raise ValueError("paperbrowse's sub-writers write whole segments (multisegment=True)")
        ix = self.storage.open_index(self.indexname)
        writer = self.writer = PaperSegmentWriter(ix, _lk=False, **self.kwargs)
        segments = []
        while self.running:
            jobinfo = self.jobqueue.get()
            if jobinfo is None:
                break
            self._process_file(*jobinfo)
            if len(writer.terms) >= ROLL_POSTINGS:
                segments.append(writer._finalize_segment())
                writer = self.writer = PaperSegmentWriter(ix, _lk=False, **self.kwargs)
        if not self.running:
            writer.cancel()
            return
        if writer.doc_count():
            segments.append(writer._finalize_segment())
        else:
            writer._close_segment()
        self.resultqueue.put((None, set(), segments), timeout=5)


def die_with_parent() -> None:
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
        # MpWriter._commit's multisegment path, for sub-writers that return a list of segments.
        if self.docbuffer:
            self._enqueue()
        if self.failed():
            raise SubWriterFailed(self.failed())
        for _task in self.tasks:
            self.jobqueue.put(None)
        finalsegments = self._merge_segments(mergetype, optimize, merge)
        for task in self.tasks:
            task.join()
        for _task in self.tasks:
            # No result from a dead sub-writer: the indexer reports `failed()` after the commit.
            with contextlib.suppress(queue.Empty):
                finalsegments += self.resultqueue.get(timeout=1)[2]
        if self._added:
            finalsegments.append(self._finalize_segment())
        else:
            self._close_segment()
        self._commit_toc(finalsegments)
        self._finish()

    def stop(self) -> None:
        """End the sub-writers (after a failure) so that the process can exit."""
        for task in self.tasks:
            if task.is_alive():
                task.terminate()
            task.join(5)
        for q in (self.jobqueue, self.resultqueue):
            q.cancel_join_thread()  # unread jobs must not keep the process from exiting
