"""The reading half of an `index` run: every source read once, hashed, named (its source key),
skipped when unchanged, else parsed, its records spilled to the run's records file
(run_records.py). Nothing is written to the library here: a bad dump is a failure in the report
before any write.

Large runs parse in `PARSE_PROCS` forked processes while this process reads, hashes and spills
(parsing is most of the reading half's time); results are taken in source order, so the report,
the records file and the papers written are the same as when parsing in this process.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import signal
from collections import deque
from collections.abc import Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field

from paperbrowse.engine.whoosh_procs import die_with_parent, failure_reason
from paperbrowse.errors import LibraryError
from paperbrowse.manifest import RecordedDump
from paperbrowse.merging import IndexReport, Progress
from paperbrowse.pages import DumpError, NotAPageError
from paperbrowse.quick_check import DumpStamp, quick_check, restamp
from paperbrowse.run_records import EncodedDump, RunRecords, encode_dump
from paperbrowse.sources import Source, parse_source, read_source, source_key

PARSE_PROCS = 2  # parsing processes for a large run (the machines we measure have 2 cores)
PARSE_PROCS_FROM = 64  # sources in a run; below this, starting processes costs more than it saves
IN_FLIGHT = 4  # dumps handed to each parsing process ahead of the one being taken


@dataclass(frozen=True)
class Skipped:
    """A file of a walked directory that is no papers page (its one line): not a failure."""

    line: str


Outcome = EncodedDump | Skipped | str  # a parsed dump, a skipped file, or why it is no capture


@dataclass
class ParsedRun:
    """What the reading half found, by source key: `changed` (each parsed dump's manifest
        facts; its records are in the run's `RunRecords`), content `hashes`, resolved `paths`
        (None for stdin and records), the bytes stdin delivered (`piped`) and the stat data to
    record of each parsed dump (`stamps`, quick_check.py)."""

    changed: dict[str, EncodedDump] = field(default_factory=dict)
    hashes: dict[str, str] = field(default_factory=dict)
    paths: dict[str, str | None] = field(default_factory=dict)
    piped: dict[str, bytes] = field(default_factory=dict)
    stamps: dict[str, DumpStamp | None] = field(default_factory=dict)  # quick_check.py
    restamped: bool = False  # an unchanged dump's recorded stamp was renewed (in `recorded`)


def parse_sources(
    sources: Sequence[Source],
    recorded: dict[str, RecordedDump],
    records: RunRecords,
    report: IndexReport,
    *,
    year: int | None,
    max_bytes: int,
    progress: Progress | None,
) -> ParsedRun:
    """Read and parse `sources` (see the module docstring), adding their records to `records`
    and their counts, warnings and failures (one line each, in source order) to `report`."""
    run = ParsedRun()
    by_path = {where: key for key, info in recorded.items() if (where := info.get("path"))}
    taken: set[str] = set()  # source keys used in this run
    # Per source in order: its outcome (parsed, a failure's line, or a parsing process's
    # future), the source, its key, hash and bytes.
    pending: deque[tuple[Outcome | Future[Outcome], Source, str, str, bytes, DumpStamp | None]] = (
        deque()
    )
    parallel = _parallel(len(sources))
    pool: ProcessPoolExecutor | None = None  # started with the first dump to parse

    def take() -> None:
        item, source, key, digest, data, stamp = pending.popleft()
        try:
            outcome = item.result() if isinstance(item, Future) else item
        except BrokenProcessPool:  # a parsing process was killed (out of memory, a signal)
            raise LibraryError(
                "a parsing process of this run died; the library is as it was before this run"
            ) from None
        if isinstance(outcome, str):
            report.failures.append(outcome)
            return
        if isinstance(outcome, Skipped):
            report.skipped.append(outcome.line)
            return
        report.files_read += 1
        report.papers_parsed += outcome.papers
        report.warnings.extend(outcome.warnings)
        try:
            records.add(key, outcome)
        except OSError as exc:
            raise LibraryError(
                f"cannot write this run's records in {records.data_dir}: {failure_reason(exc)}; "
                "the library is as it was before this run"
            ) from None
        run.changed[key] = EncodedDump(outcome.kind, outcome.page_date, outcome.papers)
        run.hashes[key] = digest
        run.stamps[key] = stamp
        run.paths[key] = str(source.path.resolve()) if source.path else None
        if source.path is None:
            run.piped[key] = data

    try:
        for n, source in enumerate(sources, 1):
            if progress:
                progress("read", n, len(sources))
            known, stamp = quick_check(source.path, recorded, by_path, taken)
            if known is not None:  # recorded path, size and times unchanged: not read again
                taken.add(known)
                report.files_unchanged += 1
                report.files_read += 1
                continue
            try:
                data, mtime = read_source(source, max_bytes)
            except DumpError as exc:
                pending.append((str(exc), source, "", "", b"", None))
                continue
            digest = hashlib.sha256(data).hexdigest()
            key = source_key(source, digest, recorded, by_path, taken)
            if key in taken:  # the same stdin bytes twice
                continue
            taken.add(key)
            entry = recorded.get(key)
            if entry is not None and entry.get("sha256") == digest:
                run.restamped = restamp(recorded, key, stamp) or run.restamped
                report.files_unchanged += 1
                report.files_read += 1
                continue
            if not parallel or source.records is not None:
                outcome = _parse(source, data, mtime, year, key)
                pending.append((outcome, source, key, digest, data, stamp))
            else:
                if pool is None:
                    pool = ProcessPoolExecutor(
                        PARSE_PROCS,
                        mp_context=multiprocessing.get_context("fork"),
                        initializer=_quiet,
                    )
                bare = Source(source.name, source.path, walked=source.walked)  # bytes as `data`
                future = pool.submit(_parse, bare, data, mtime, year, key)
                pending.append((future, source, key, digest, data, stamp))
            while len(pending) > (IN_FLIGHT * PARSE_PROCS if pool else 0):
                take()
        while pending:
            take()
    finally:
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
    return run


def _parallel(sources: int) -> bool:
    """Whether a run of `sources` parses in processes: not a small run, not on one core, not
    where processes cannot be forked."""
    if sources < PARSE_PROCS_FROM or (os.cpu_count() or 1) < 2:
        return False
    return "fork" in multiprocessing.get_all_start_methods()


def _quiet() -> None:
    """In a parsing process: Ctrl+C (SIGINT to the process group) is the parent's to handle,
    and a killed parent takes this process with it (it would hold the write lock's file)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    die_with_parent()


def _parse(source: Source, data: bytes, mtime: float | None, year: int | None, key: str) -> Outcome:
    """One dump parsed and encoded under source key `key`; its DumpError's one line when the
    bytes are no capture; Skipped for a walked directory's file that is no papers page."""
    try:
        return encode_dump(parse_source(source, data, mtime, year), key)
    except NotAPageError as exc:
        return Skipped(str(exc)) if source.walked else str(exc)
    except DumpError as exc:
        return str(exc)
