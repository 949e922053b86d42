"""The tables of `state.db` (triage flags, tags, notes, the time of each change) and their
migration from the first layout.

Version 0 (paperbrowse before tags): one table `state (id, read, starred, hidden, updated)`.
Version 1 adds, without touching any existing row's flags:
- `state.read_at`, `starred_at`, `hidden_at`, `tags_at`, `note_at`: when that field last
  changed (ISO 8601 UTC with milliseconds, `2026-11-30T20:54:27.123Z`; NULL: never), which is
  what `state import` compares (per field, the later change wins). A migrated row gets its
  `updated` time for each flag: the only time the old layout recorded.
- `state.note`: the paper's free-text note ('' = none).
- `state.arxiv`: the arXiv key a row was imported under, so that a row for a paper not in the
  library exports under the same key it came with.
- `tags (id, tag)`: one row per tag of a paper (tags are lower-case words).

The version is SQLite's `PRAGMA user_version`. The migration runs in one write transaction and
checks the version inside it, so two processes opening an old `state.db` at once migrate it once.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from datetime import datetime, timezone

STATE_VERSION = 1
FLAGS = ("read", "starred", "hidden")
FIELDS = (*FLAGS, "tags", "note")  # what carries its own change time
# `paperbrowse star` etc.: the flag each command sets, and to what.
FLAG_COMMANDS = {
    "star": ("starred", True),
    "unstar": ("starred", False),
    "read": ("read", True),
    "unread": ("read", False),
    "hide": ("hidden", True),
    "unhide": ("hidden", False),
}
# What each of those commands did, as its summary line says it (`starred: 3 papers changed`).
FLAG_PAST = {
    "star": "starred",
    "unstar": "unstarred",
    "read": "marked read",
    "unread": "marked unread",
    "hide": "hidden",
    "unhide": "unhidden",
}

STATE_TABLE = """
CREATE TABLE IF NOT EXISTS state (
    id TEXT PRIMARY KEY,
    read INTEGER NOT NULL DEFAULT 0,
    starred INTEGER NOT NULL DEFAULT 0,
    hidden INTEGER NOT NULL DEFAULT 0,
    updated TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
)
"""
_ADDED_COLUMNS = (
    "read_at TEXT",
    "starred_at TEXT",
    "hidden_at TEXT",
    "tags_at TEXT",
    "note TEXT NOT NULL DEFAULT ''",
    "note_at TEXT",
    "arxiv TEXT",
)
TAGS_TABLE = """
CREATE TABLE IF NOT EXISTS tags (
    id TEXT NOT NULL,
    tag TEXT NOT NULL,
    PRIMARY KEY (id, tag)
) WITHOUT ROWID
"""
TAGS_INDEX = "CREATE INDEX IF NOT EXISTS tags_by_name ON tags (tag)"


ID_CHUNK = 500  # ids one statement binds (`id IN (?, …)`), well below SQLite's variable limit


def id_chunks(ids: Sequence[str]) -> Iterator[tuple[Sequence[str], str]]:
    """`ids` ID_CHUNK at a time, each chunk with its placeholders for `IN (…)`: `?,?,?`."""
    for start in range(0, len(ids), ID_CHUNK):
        chunk = ids[start : start + ID_CHUNK]
        yield chunk, ",".join("?" * len(chunk))


def now_stamp() -> str:
    """The current UTC time as state.db records a change: `2026-11-30T20:54:27.123Z`."""
    now = datetime.now(timezone.utc)
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"


def version(db: sqlite3.Connection) -> int:
    """The layout version of an open state.db (0: before tags and notes)."""
    return int(db.execute("PRAGMA user_version").fetchone()[0])


def create_current(db: sqlite3.Connection) -> None:
    """The current layout in an empty database (an in-memory store for reading)."""
    db.execute(STATE_TABLE)
    migrate(db, in_transaction=True)


def migrate(db: sqlite3.Connection, *, in_transaction: bool = False) -> bool:
    """Bring `db` (autocommit connection, `state` table present) to STATE_VERSION in one
    transaction, keeping every row; True when it changed anything. sqlite3.Error propagates
    (locked, read-only) and leaves the database as it was."""
    if version(db) >= STATE_VERSION:
        return False
    if not in_transaction:
        db.execute("BEGIN IMMEDIATE")
    try:
        if version(db) < 1:  # re-checked under the write lock: another process may have won
            have = {row[1] for row in db.execute("PRAGMA table_info(state)")}
            for column in _ADDED_COLUMNS:
                if column.split()[0] not in have:
                    db.execute(f"ALTER TABLE state ADD COLUMN {column}")
            # The old layout kept one time per row: it becomes each flag's change time.
            stamp = "substr(updated, 1, 19) || '.000Z'"
            db.execute(
                f"UPDATE state SET read_at = coalesce(read_at, {stamp}), "
                f"starred_at = coalesce(starred_at, {stamp}), "
                f"hidden_at = coalesce(hidden_at, {stamp})"
            )
            db.execute(TAGS_TABLE)
            db.execute(TAGS_INDEX)
            db.execute(f"PRAGMA user_version = {STATE_VERSION}")
        if not in_transaction:
            db.execute("COMMIT")
    except BaseException:
        if not in_transaction:
            db.execute("ROLLBACK")
        raise
    return True
