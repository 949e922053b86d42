"""Triage state (read, starred, hidden) per paper id, in SQLite apart from the search index.

Each change is one transaction that touches only the flag it changes, so two browsers on one
library never overwrite each other's triage with stale copies. How `state.db` is opened, and the
one-line wording of its errors, is state_files.py; what a search reads of triage (`TriageView`,
`TriageSnapshot`) is triage_view.py.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from paperbrowse.models import TriageState
from paperbrowse.state_files import (
    JOURNALS,
    can_write,
    cannot_write_notice,
    is_write_failure,
    open_for_reading,
    open_for_writing,
    read_only_notice,
    sqlite_error_line,
    write_error_line,
)
from paperbrowse.state_schema import FLAGS, id_chunks, now_stamp, version

__all__ = [
    "FLAGS",
    "Change",
    "TriageError",
    "TriageStore",
    "can_write",
    "read_only_notice",
]


class TriageError(Exception):
    """The state database cannot be used; the message says why and what to do."""


@dataclass(frozen=True)
class Change:
    """One triage action, with what each paper had before, so it can be undone."""

    flag: str
    value: bool
    before: tuple[tuple[str, bool], ...]


class TriageStore:
    """Read/starred/hidden flags keyed by paper id, stored in `state.db`.

    `writable=False` (search, show): never writes, not even SQLite's journal files, so reading
    triage works on a full disk or a read-only library; a missing `state.db` reads as empty.
    `writable=True` (the browser): where the library cannot be written (a read-only mount, a
    directory or file without write permission) the store opens read-only instead, sets
    `read_only` and `notice`, and every change raises TriageError("read-only library: …").
    Where the disk takes no write (full: SQLite cannot make WAL's `-shm` or migrate) it opens
    for reading too, with the notice `disk full: triage … cannot be saved …`, and leaves no file
    behind; each later change tries to open for writing again and, while it cannot, raises
    TriageError("disk full: the change was not saved; …").
    Before each change it checks that `state.db` is still the file it opened (device and inode):
    deleted or replaced while the browser ran, the database is created anew, the change goes
    there, and `take_notice()` returns the one line saying so.
    """

    def __init__(self, path: Path, *, writable: bool = True) -> None:
        self.path = path
        self.read_only = not writable
        self.notice = ""  # why triage is read-only, for the user
        self._notices: list[str] = []
        self._identity: tuple[int, int] | None = None
        self._retry = False  # read-only because the disk took no write: try again on a change
        self._retry_error = ""  # what a change says then
        if writable and not can_write(path):
            self.read_only = True
            self.notice = read_only_notice(path.parent)
        try:
            if self.read_only:
                self._db = open_for_reading(path)
            else:
                self._db = self._open_or_fall_back()
            self._db.execute("PRAGMA quick_check").fetchone()
            self.version = version(self._db)  # 0: a state.db from before tags, read-only
        except sqlite3.OperationalError as exc:
            raise self._error(exc) from None
        except sqlite3.DatabaseError as exc:
            raise TriageError(
                f"{path}: triage database is damaged ({exc}); it was left untouched: "
                "move it aside to start a new one"
            ) from None
        except OSError as exc:
            raise TriageError(f"{path}: cannot open triage database: {exc.strerror}") from None

    def _open_or_fall_back(self) -> sqlite3.Connection:
        """The write connection; when the disk takes no write (full: WAL's `-shm` cannot be
        made, the migration cannot write), a reading one, with `read_only` and `notice` set
        (`disk full: triage … cannot be saved …`); each later change tries again."""
        try:
            return self._open_for_writing()
        except (sqlite3.Error, OSError) as exc:
            if not is_write_failure(exc):
                raise
            self.read_only = True
            self._retry = True
            self.notice = cannot_write_notice(self.path, exc)
            self._retry_error = cannot_write_notice(self.path, exc, change=True)
            return open_for_reading(self.path)

    def _open_for_writing(self) -> sqlite3.Connection:
        db, self._identity = open_for_writing(self.path)
        return db

    def take_notice(self) -> str:
        """The oldest notice not yet shown (state.db recreated), or ''."""
        return self._notices.pop(0) if self._notices else ""

    def _check_file(self) -> None:
        """Reopen when state.db is no longer the file this store opened (deleted, replaced)."""
        if self.read_only or self._identity is None:
            return
        try:
            info = self.path.stat()
            identity: tuple[int, int] | None = (info.st_dev, info.st_ino)
        except FileNotFoundError:
            identity = None
        if identity == self._identity:
            return
        with contextlib.suppress(sqlite3.Error):
            self._db.close()  # the last connection to the old file checkpoints into it
        if identity is None:
            for suffix in JOURNALS:  # stale journals must never meet a new database
                with contextlib.suppress(OSError):
                    os.unlink(self.path.with_name(self.path.name + suffix))
        try:
            self._db = self._open_for_writing()
        except sqlite3.Error as exc:
            raise self._error(exc) from None
        except OSError as exc:
            raise TriageError(
                f"{self.path}: cannot create triage database: {exc.strerror}"
            ) from None
        what = "deleted" if identity is None else "replaced"
        self._notices.append(
            f"{self.path} was {what} while paperbrowse ran: a new triage database was created "
            "there; triage from now on is saved in it"
        )

    def _error(self, exc: sqlite3.Error, *, writing: bool = False) -> TriageError:
        """One line in our words for a SQLite error (`sqlite_error_line`; `writing`: it ended a
        change, which the line says was not saved); one that says the file or its directory is
        read-only makes the store read-only, with its notice."""
        line = sqlite_error_line(self.path, exc, writing=writing)
        if line is None:
            self.read_only = True
            self.notice = read_only_notice(self.path.parent)
            line = self.notice
        return TriageError(line)

    def close(self) -> None:
        """Close the database."""
        self._db.close()

    def get(self, paper_id: str) -> TriageState:
        """The flags of one paper (all false when never triaged)."""
        return self.get_many([paper_id]).get(paper_id, TriageState())

    def get_many(self, ids: Iterable[str]) -> dict[str, TriageState]:
        """Flags for the given ids that have any row; absent ids are untriaged."""
        ids = list(ids)
        found: dict[str, TriageState] = {}
        full = self.version >= 1
        columns = "id, read, starred, hidden" + (", note" if full else "")
        try:
            for chunk, marks in id_chunks(ids):
                tags: dict[str, list[str]] = {}
                if full:
                    for pid, tag in self._db.execute(
                        f"SELECT id, tag FROM tags WHERE id IN ({marks}) ORDER BY tag", chunk
                    ):
                        tags.setdefault(pid, []).append(tag)
                rows = self._db.execute(f"SELECT {columns} FROM state WHERE id IN ({marks})", chunk)
                for pid, read, starred, hidden, *rest in rows:
                    found[pid] = TriageState(
                        bool(read),
                        bool(starred),
                        bool(hidden),
                        tuple(tags.get(pid, ())),
                        rest[0] if rest else "",
                    )
        except sqlite3.Error as exc:
            raise self._error(exc) from None
        return found

    def ids_with(self, flag: str) -> set[str]:
        """Ids of every paper whose `flag` is set."""
        _check_flag(flag)
        try:
            return {r[0] for r in self._db.execute(f"SELECT id FROM state WHERE {flag} = 1")}
        except sqlite3.Error as exc:
            raise self._error(exc) from None

    def set(self, ids: Sequence[str], flag: str, value: bool) -> Change:
        """Set `flag` to `value` on every id, in one transaction; returns the undo record."""
        _check_flag(flag)
        self._check_writable()
        with self._transaction():
            before = self._flags(ids, flag)
            stamp = now_stamp()
            self._db.executemany(
                f"INSERT INTO state (id, {flag}, {flag}_at) VALUES (?, ?, ?) "
                f"ON CONFLICT(id) DO UPDATE SET {flag} = excluded.{flag}, "
                f"{flag}_at = excluded.{flag}_at, "
                "updated = strftime('%Y-%m-%dT%H:%M:%SZ', 'now')",
                [(pid, int(value), stamp) for pid in ids],
            )
        return Change(flag, value, tuple(before.items()))

    def toggle(self, ids: Sequence[str], flag: str) -> Change:
        """Set `flag` on all ids unless all already have it, in which case clear it."""
        self._check_writable()
        states = self.get_many(ids)
        all_set = bool(ids) and all(getattr(states.get(i, TriageState()), flag) for i in ids)
        return self.set(ids, flag, not all_set)

    def undo(self, change: Change) -> None:
        """Restore what each paper had before `change`, in one transaction."""
        _check_flag(change.flag)
        self._check_writable()
        with self._transaction():
            stamp = now_stamp()
            self._db.executemany(
                f"UPDATE state SET {change.flag} = ?, {change.flag}_at = ? WHERE id = ?",
                [(int(old), stamp, pid) for pid, old in change.before],
            )

    @contextlib.contextmanager
    def reading(self) -> Iterator[sqlite3.Connection]:
        """The connection, for queries (see state_schema.py for the tables; check `version`
        first: 0 has no tags or notes); a sqlite3 error becomes one TriageError line."""
        try:
            yield self._db
        except sqlite3.Error as exc:
            raise self._error(exc) from None

    @contextlib.contextmanager
    def writing(self) -> Iterator[sqlite3.Connection]:
        """One write transaction on the connection, with the guarantees of `set`: TriageError
        in a read-only library, state.db recreated (with a notice) when it was deleted,
        committed whole or rolled back, locks waited for at most 5 s."""
        self._check_writable()
        with self._transaction():
            yield self._db

    def _check_writable(self) -> None:
        """TriageError for a read-only library; reopen a deleted or replaced state.db. Read-only
        because the disk took no write: try to open for writing again (room made since)."""
        if self.read_only and self._retry:
            self._reopen_for_writing()
            if self.read_only:
                raise TriageError(self._retry_error)
        if self.read_only:
            raise TriageError(self.notice or read_only_notice(self.path.parent))
        self._check_file()

    def _reopen_for_writing(self) -> None:
        try:
            db = self._open_for_writing()
        except (sqlite3.Error, OSError) as exc:
            if not is_write_failure(exc):
                raise TriageError(f"{self.path}: cannot open triage database: {exc}") from None
            self.notice = cannot_write_notice(self.path, exc)
            self._retry_error = cannot_write_notice(self.path, exc, change=True)
            return
        with contextlib.suppress(sqlite3.Error):
            self._db.close()
        self._db = db
        self.version = version(db)
        self.read_only = self._retry = False
        self.notice = ""
        self._notices.append(f"triage is saved again in {self.path}")

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[None]:
        """One write transaction: committed whole, or rolled back and reported in one line that
        says the change was not saved (TriageError).

        SQLite rolls a transaction back by itself after some errors (a full disk, an I/O error):
        ROLLBACK is only sent while one is still open, and a failing ROLLBACK never hides the
        error that caused it.
        """
        try:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield
                self._db.execute("COMMIT")
            except BaseException:
                if self._db.in_transaction:
                    with contextlib.suppress(sqlite3.Error):
                        self._db.execute("ROLLBACK")
                raise
        except sqlite3.Error as exc:
            raise self._error(exc, writing=True) from None
        except OSError as exc:
            raise TriageError(write_error_line(self.path, exc)) from None

    def _flags(self, ids: Sequence[str], flag: str) -> dict[str, bool]:
        states = self.get_many(ids)
        return {pid: getattr(states.get(pid, TriageState()), flag) for pid in ids}


def _check_flag(flag: str) -> None:
    if flag not in FLAGS:
        raise ValueError(f"unknown triage flag {flag!r}")
