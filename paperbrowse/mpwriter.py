"""Whoosh's multiprocess writer, made to fail instead of hang when a writer process dies."""

from __future__ import annotations

import contextlib
import os
import pickle
import queue
import sys
import threading
import time
from typing import Any

from whoosh.multiproc import MpWriter, SubWriterTask
from whoosh.util import random_name


class SubWriterFailed(Exception):
    """A process of the multiprocess writer died."""


class _QuietSubWriterTask(SubWriterTask):
    """Whoosh's sub-writer process, exiting with status 1 instead of printing a traceback (the
    parent reports the failure in one line), and exiting when its parent is killed: it would
    otherwise wait for jobs for ever, an orphan holding its memory."""

    def run(self) -> None:
        parent = os.getppid()
        _die_with_parent()
        threading.Thread(target=_exit_when_orphaned, args=(parent,), daemon=True).start()
        try:
            super().run()
        except Exception:
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


class GuardedMpWriter(MpWriter):
    """Whoosh's multiprocess writer, made to fail instead of hang when a sub-writer dies.

    Whoosh's own blocks for ever putting jobs on a queue nobody reads once its sub-processes are
    gone (a full disk kills them), commits without a dead one's documents, and its `cancel`
    never stops them (it sets a flag in the parent's copy of each process object).
    """

    def _new_task(self) -> SubWriterTask:
        task = _QuietSubWriterTask(
            self.storage,
            self.indexname,
            self.jobqueue,
            self.resultqueue,
            self.subargs,
            self.multisegment,
        )
        self.tasks.append(task)
        task.start()
        return task

    def failed(self) -> str:
        """'' while every sub-writer is alive or exited cleanly, else their exit codes."""
        codes = [t.exitcode for t in self.tasks if t.exitcode not in (None, 0)]
        return ", ".join(f"exit code {c}" for c in codes)

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
                raise SubWriterFailed(f"an index writer process failed ({self.failed()})")
            try:
                self.jobqueue.put((filename, len(docbuffer)), timeout=0.5)
                return
            except queue.Full:
                continue

    def _commit(self, mergetype: Any, optimize: Any, merge: Any) -> None:
        if self.docbuffer:
            self._enqueue()
        if self.failed():
            raise SubWriterFailed(f"an index writer process failed ({self.failed()})")
        super()._commit(mergetype, optimize, merge)

    def stop(self) -> None:
        """End the sub-writers (after a failure) so that the process can exit."""
        for task in self.tasks:
            if task.is_alive():
                task.terminate()
            task.join(5)
        for q in (self.jobqueue, self.resultqueue):
            q.cancel_join_thread()  # unread jobs must not keep the process from exiting
