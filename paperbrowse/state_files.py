"""How `state.db` is opened: for reading without creating or changing any file, and for writing
with a way back to reading when the disk cannot take a write (full, or failing).

SQLite keeps a database in write-ahead-log mode (which the writer sets) in three files:
`state.db`, `state.db-wal` (committed changes not yet copied into the main file) and
`state.db-shm` (the log's index, shared memory). Its read-only mode still creates `-wal` and
`-shm` when they are missing; a reader here does not go through it then (see `open_for_reading`).
Facts from sqlite.org/wal.html and sqlite.org/uri.html (`mode=ro`, `immutable=1`).
"""

from __future__ import annotations

import contextlib
import errno
import os
import sqlite3
import urllib.parse
from pathlib import Path

from paperbrowse.state_schema import STATE_TABLE, create_current, migrate

__all__ = [
    "JOURNALS",
    "can_write",
    "cannot_write_notice",
    "is_write_failure",
    "open_for_reading",
    "open_for_writing",
    "read_only_notice",
    "sqlite_error_line",
    "write_error_line",
]

JOURNALS = ("-wal", "-shm")  # SQLite's files beside a WAL database
_SQLITE_FULL = 13  # "database or disk is full" (sqlite.org/rescode.html)
_SQLITE_IOERR = 10  # "disk I/O error"; extended codes keep it in their low byte
_LOW_SPACE = 1 << 20  # bytes: below this free a failing write is taken for a full disk


def read_only_notice(folder: Path) -> str:
    """The one line that says triage cannot be saved in a read-only library."""
    return (
        "read-only library: triage (read, starred, hidden, tags, notes) cannot be saved in "
        f"{folder}; searching and reading work"
    )


def cannot_write_notice(path: Path, exc: BaseException, *, change: bool = False) -> str:
    """The one line that says triage cannot be saved because the disk under `path` took no
    write: `disk full: …` when it is (ENOSPC, SQLite's SQLITE_FULL, or less than 1 MiB free),
    else the error in a few words; `change`: said for a change, which was not saved."""
    folder = path.parent
    if _is_full(exc, folder):
        reason = "disk full"
    elif isinstance(exc, OSError):
        reason = f"cannot write {folder} ({exc.strerror or exc})"
    else:
        reason = f"cannot write {folder} ({exc})"
    if change:
        return f"{reason}: the change was not saved; triage cannot be saved in {folder}"
    return (
        f"{reason}: triage (read, starred, hidden, tags, notes) cannot be saved in {folder}; "
        "searching and reading work"
    )


def sqlite_error_line(path: Path, exc: sqlite3.Error, *, writing: bool = False) -> str | None:
    """The one line in our words for a SQLite error on the triage database `path`: locked by
    another program, the disk full (SQLITE_FULL), or the error as SQLite words it; `writing`:
    it ended a change, which the line says was not saved. None when the error says the file or
    its directory is read-only: the caller says so with `read_only_notice`."""
    unsaved = "; the change was not saved" if writing else ""
    if "locked" in str(exc) or "busy" in str(exc):
        return f"{path}: triage database is locked by another program; try again"
    if "readonly" in str(exc) or "read-only" in str(exc):
        return None
    if getattr(exc, "sqlite_errorcode", None) == _SQLITE_FULL or "disk is full" in str(exc):
        return f"{path}: the disk is full{unsaved or '; nothing was saved'}"
    return f"{path}: triage database error: {exc}{unsaved}"


def write_error_line(path: Path, exc: OSError) -> str:
    """The one line for an OSError during a change to the triage database `path` (ENOSPC: the
    disk is full); the change was not saved."""
    if exc.errno == errno.ENOSPC:
        return f"{path}: the disk is full; the change was not saved"
    return f"{path}: cannot write triage database: {exc.strerror}; the change was not saved"


def _is_full(exc: BaseException, folder: Path) -> bool:
    if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
        return True
    if getattr(exc, "sqlite_errorcode", None) == _SQLITE_FULL or "disk is full" in str(exc):
        return True
    try:
        info = os.statvfs(folder)
    except OSError:
        return False
    return info.f_bavail * info.f_frsize < _LOW_SPACE


def is_write_failure(exc: BaseException) -> bool:
    """Whether `exc`, raised while opening state.db for writing, means the disk takes no write
    (ENOSPC, EIO, EDQUOT; SQLite's full-disk and I/O errors) rather than a lock or damage."""
    if isinstance(exc, OSError):
        return exc.errno in (errno.ENOSPC, errno.EIO, errno.EDQUOT)
    if not isinstance(exc, sqlite3.OperationalError):
        return False
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None and (code == _SQLITE_FULL or code & 0xFF == _SQLITE_IOERR):
        return True
    return "disk I/O error" in str(exc) or "disk is full" in str(exc)


def can_write(path: Path) -> bool:
    """Whether `path` (a file, existing or not) can be written: its file system is not mounted
    read-only and the user may write the file, or create it in its (nearest existing)
    directory. Root passes permission checks, as the kernel lets it."""
    target = path if path.exists() else _existing_parent(path)
    try:
        if os.statvfs(target).f_flag & os.ST_RDONLY:
            return False
    except OSError:
        return True  # cannot tell: let the write itself say
    return os.access(target, os.W_OK)


def _existing_parent(path: Path) -> Path:
    for parent in path.parents:
        if parent.exists():
            return parent
    return Path("/")


def _empty() -> sqlite3.Connection:
    empty = sqlite3.connect(":memory:", isolation_level=None)
    create_current(empty)
    return empty


def open_for_reading(path: Path) -> sqlite3.Connection:
    """A connection to `path` that creates and changes no file.

    - No `state.db`, or one without the `state` table (a 0-byte file a writer has just
      created): an empty in-memory store of the current layout.
    - No `-wal` with content: no writer holds uncommitted-to-the-main-file pages, the main file
      holds every committed change, and it is opened `immutable=1` (no lock, no journal file).
    - A `-wal` with content (a browser is running, or one was killed): SQLite's read-only mode,
      which reads the log too; its files already exist. sqlite3.OperationalError propagates
      (locked, or the log cannot be read).

    A writer that starts while an immutable reader reads is not seen by it; a CLI read is one
    short moment, and the next one sees the change.
    """
    if not path.exists():
        return _empty()
    uri = "file:" + urllib.parse.quote(str(path))
    wal = path.with_name(path.name + "-wal")
    try:
        pending = wal.stat().st_size > 0
    except FileNotFoundError:
        pending = False
    mode = "mode=ro" if pending else "immutable=1"
    db = sqlite3.connect(f"{uri}?{mode}", uri=True, timeout=5.0, isolation_level=None)
    try:
        has_state = db.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'state'"
        ).fetchone()
    except BaseException:
        db.close()
        raise
    if has_state is None:
        db.close()
        return _empty()
    return db


def open_for_writing(path: Path) -> tuple[sqlite3.Connection, tuple[int, int]]:
    """A write connection to `path` in WAL mode with the current layout (migrated, every row
    kept), and the file's (device, inode). The folder is created 0700 and `state.db` 0600.

    On failure (sqlite3.Error or OSError, raised as is) the files this call created are removed
    again: a `state.db` it created and left empty, and SQLite's `-wal`/`-shm` when they did not
    exist before (a full disk once kept a 3-byte `-shm`). Files that existed are left alone.
    """
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    existed = {suffix: path.with_name(path.name + suffix).exists() for suffix in ("", *JOURNALS)}
    db: sqlite3.Connection | None = None
    try:
        if not existed[""]:
            # Create the file 0600 before SQLite opens it: triage is private.
            os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
        db = sqlite3.connect(path, timeout=5.0, isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.execute(STATE_TABLE)
        migrate(db)  # tags, notes and change times; every existing row kept
        info = path.stat()
    except BaseException:
        if db is not None:
            with contextlib.suppress(sqlite3.Error):
                db.close()
        _remove_created(path, existed)
        raise
    return db, (info.st_dev, info.st_ino)


def _remove_created(path: Path, existed: dict[str, bool]) -> None:
    for suffix in JOURNALS:
        if not existed[suffix]:
            with contextlib.suppress(OSError):
                os.unlink(path.with_name(path.name + suffix))
    if not existed[""]:
        with contextlib.suppress(OSError):
            if path.stat().st_size == 0:
                os.unlink(path)
