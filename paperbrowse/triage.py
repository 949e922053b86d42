"""Triage state (read, starred, hidden) per paper id, in SQLite apart from the search index.

Each change is one transaction that touches only the flag it changes, so two browsers on one
library never overwrite each other's triage with stale copies.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from paperbrowse.models import TriageState

FLAGS = ("read", "starred", "hidden")
_SCHEMA = """
CREATE TABLE IF NOT EXISTS state (
    id TEXT PRIMARY KEY,
    read INTEGER NOT NULL DEFAULT 0,
    starred INTEGER NOT NULL DEFAULT 0,
    hidden INTEGER NOT NULL DEFAULT 0,
    updated TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
)
"""


class TriageError(Exception):
    """The state database cannot be used; the message says why and what to do."""


@dataclass(frozen=True)
class Change:
    """One triage action, with what each paper had before, so it can be undone."""

    flag: str
    value: bool
    before: tuple[tuple[str, bool], ...]


class TriageStore:
    """Read/starred/hidden flags keyed by paper id, stored in `state.db`."""

    def __init__(self, path: Path) -> None:
        self.path = path
        new = not path.exists()
        try:
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            if new:
                # Create the file 0600 before SQLite opens it: triage is private.
                os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
            self._db = sqlite3.connect(path, timeout=5.0, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute(_SCHEMA)
            self._db.execute("PRAGMA quick_check").fetchone()
        except sqlite3.OperationalError as exc:
            raise self._error(exc) from None
        except sqlite3.DatabaseError as exc:
            raise TriageError(
                f"{path}: triage database is damaged ({exc}); it was left untouched: "
                "move it aside to start a new one"
            ) from None
        except OSError as exc:
            raise TriageError(f"{path}: cannot open triage database: {exc.strerror}") from None

    def _error(self, exc: sqlite3.Error) -> TriageError:
        if "locked" in str(exc) or "busy" in str(exc):
            return TriageError(
                f"{self.path}: triage database is locked by another program; try again"
            )
        return TriageError(f"{self.path}: triage database error: {exc}")

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
        try:
            for start in range(0, len(ids), 500):
                chunk = ids[start : start + 500]
                marks = ",".join("?" * len(chunk))
                rows = self._db.execute(
                    f"SELECT id, read, starred, hidden FROM state WHERE id IN ({marks})", chunk
                )
                for pid, read, starred, hidden in rows:
                    found[pid] = TriageState(bool(read), bool(starred), bool(hidden))
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
        with self._transaction():
            before = self._flags(ids, flag)
            self._db.executemany(
                f"INSERT INTO state (id, {flag}) VALUES (?, ?) "
                f"ON CONFLICT(id) DO UPDATE SET {flag} = excluded.{flag}, "
                "updated = strftime('%Y-%m-%dT%H:%M:%SZ', 'now')",
                [(pid, int(value)) for pid in ids],
            )
        return Change(flag, value, tuple(before.items()))

    def toggle(self, ids: Sequence[str], flag: str) -> Change:
        """Set `flag` on all ids unless all already have it, in which case clear it."""
        states = self.get_many(ids)
        all_set = bool(ids) and all(getattr(states.get(i, TriageState()), flag) for i in ids)
        return self.set(ids, flag, not all_set)

    def carry_over(self, renames: Mapping[str, Iterable[str]]) -> int:
        """Give each new id the flags set on any of its old ids (`{new id: old ids}`), in one
        transaction; a flag already set on the new id stays set, and the old rows are kept.

        Used when a paper's id changes (it gained an arXiv id) or two papers become one.
        Returns how many ids gained a flag; nothing is written when none does.
        """
        olds = {pid for ids in renames.values() for pid in ids}
        before = self.get_many(olds)
        if not before:
            return 0
        current = self.get_many(renames)
        rows: list[tuple[str, int, int, int]] = []
        for new, ids in renames.items():
            states = [before[i] for i in ids if i in before]
            now = current.get(new, TriageState())
            flags = [any(getattr(s, f) for s in [now, *states]) for f in FLAGS]
            if flags != [getattr(now, f) for f in FLAGS]:
                rows.append((new, *(int(v) for v in flags)))  # type: ignore[arg-type]
        if rows:
            with self._transaction():
                self._db.executemany(
                    "INSERT INTO state (id, read, starred, hidden) VALUES (?, ?, ?, ?) "
                    "ON CONFLICT(id) DO UPDATE SET read = max(read, excluded.read), "
                    "starred = max(starred, excluded.starred), "
                    "hidden = max(hidden, excluded.hidden), "
                    "updated = strftime('%Y-%m-%dT%H:%M:%SZ', 'now')",
                    rows,
                )
        return len(rows)

    def undo(self, change: Change) -> None:
        """Restore what each paper had before `change`, in one transaction."""
        _check_flag(change.flag)
        with self._transaction():
            self._db.executemany(
                f"UPDATE state SET {change.flag} = ? WHERE id = ?",
                [(int(old), pid) for pid, old in change.before],
            )

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[None]:
        """One write transaction: committed whole, or rolled back and reported in one line."""
        try:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        except sqlite3.Error as exc:
            raise self._error(exc) from None

    def _flags(self, ids: Sequence[str], flag: str) -> dict[str, bool]:
        states = self.get_many(ids)
        return {pid: getattr(states.get(pid, TriageState()), flag) for pid in ids}


def _check_flag(flag: str) -> None:
    if flag not in FLAGS:
        raise ValueError(f"unknown triage flag {flag!r}")
