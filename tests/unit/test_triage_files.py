"""The triage store and its file: reading never writes, a deleted state.db is noticed and
recreated, a read-only library makes triage read-only with one clear line."""

from __future__ import annotations

import errno
import os
import sqlite3
import stat
from pathlib import Path
from typing import Any

import pytest

from paperbrowse import triage as triage_module
from paperbrowse.triage import TriageError, TriageStore


def files(folder: Path) -> set[str]:
    return set(os.listdir(folder))


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "state.db"
    store = TriageStore(path)
    store.set(["aaaaaaaaaaaa", "bbbbbbbbbbbb"], "starred", True)
    store.close()  # the last connection: everything is in the main file, no -wal left
    assert files(tmp_path) == {"state.db"}
    return path


# -- deleting state.db while a store is open ------------------------------------------------


@pytest.mark.parametrize("with_journals", [False, True])
def test_a_deleted_state_db_is_recreated_and_said(db: Path, with_journals: bool) -> None:
    store = TriageStore(db)
    store.set(["cccccccccccc"], "read", True)
    assert store.take_notice() == ""
    db.unlink()
    if with_journals:
        for suffix in ("-wal", "-shm"):
            db.with_name(db.name + suffix).unlink(missing_ok=True)
    store.set(["dddddddddddd"], "starred", True)
    notice = store.take_notice()
    assert "was deleted" in notice and str(db) in notice and "new triage database" in notice
    assert "\n" not in notice
    assert store.take_notice() == ""  # said once
    assert db.exists() and stat.S_IMODE(db.stat().st_mode) == 0o600
    store.close()
    fresh = TriageStore(db, writable=False)
    assert fresh.ids_with("starred") == {"dddddddddddd"}  # the change is saved, in the new file
    fresh.close()


def test_a_replaced_state_db_is_noticed(db: Path, tmp_path: Path) -> None:
    store = TriageStore(db)
    other = tmp_path / "other.db"
    TriageStore(other).close()
    os.replace(other, db)
    store.toggle(["eeeeeeeeeeee"], "hidden")
    assert "was replaced" in store.take_notice()
    store.close()
    assert TriageStore(db, writable=False).ids_with("hidden") == {"eeeeeeeeeeee"}


def test_toggle_after_deletion_reads_the_new_database(db: Path) -> None:
    """A toggle decides from the flags it will change: the new, empty database's."""
    store = TriageStore(db)
    db.unlink()
    change = store.toggle(["aaaaaaaaaaaa"], "starred")  # starred in the deleted file
    assert change.value is True
    store.close()


# -- reading never writes -------------------------------------------------------------------


def test_reading_creates_no_file(tmp_path: Path) -> None:
    store = TriageStore(tmp_path / "state.db", writable=False)
    assert store.ids_with("starred") == set()
    store.close()
    assert files(tmp_path) == set()


def listing(folder: Path) -> dict[str, tuple[int, int]]:
    """Each file's (size, mtime in ns): what a reader must leave as it was."""
    return {p.name: (p.stat().st_size, p.stat().st_mtime_ns) for p in folder.iterdir()}


def test_reading_an_existing_database_writes_nothing(db: Path) -> None:
    """With no -wal (no writer open) a reader creates no -wal/-shm and changes no mtime:
    SQLite's read-only mode had left both behind after every search."""
    before, bytes_before = listing(db.parent), db.read_bytes()
    store = TriageStore(db, writable=False)
    assert store.ids_with("starred") == {"aaaaaaaaaaaa", "bbbbbbbbbbbb"}
    assert store.get("aaaaaaaaaaaa").starred
    store.close()
    assert listing(db.parent) == before
    assert db.read_bytes() == bytes_before


def test_a_reader_sees_what_an_open_writer_committed(db: Path) -> None:
    """A writer still open (a browser) keeps its changes in the -wal: the reader reads it."""
    writer = TriageStore(db)
    writer.set(["cccccccccccc"], "starred", True)
    writer.set(["aaaaaaaaaaaa"], "starred", False)
    assert db.with_name("state.db-wal").stat().st_size > 0
    reader = TriageStore(db, writable=False)
    assert reader.ids_with("starred") == {"bbbbbbbbbbbb", "cccccccccccc"}
    reader.close()
    writer.close()


def test_an_empty_state_db_reads_as_no_triage(tmp_path: Path) -> None:
    """A 0-byte state.db (a writer killed right after creating it) reads as empty, not as
    `no such table: state`."""
    path = tmp_path / "state.db"
    path.touch()
    store = TriageStore(path, writable=False)
    assert store.ids_with("starred") == set() and store.get("aaaaaaaaaaaa").tags == ()
    store.close()
    assert files(tmp_path) == {"state.db"} and path.stat().st_size == 0


def test_a_reading_store_refuses_changes(db: Path) -> None:
    store = TriageStore(db, writable=False)
    with pytest.raises(TriageError, match="read-only library"):
        store.set(["aaaaaaaaaaaa"], "read", True)


def test_reading_falls_back_to_immutable_when_sqlite_cannot_open_read_only(
    db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On a full disk SQLite's read-only mode fails making its shared-memory file; with no
    pending log the main file is read as immutable."""
    real_connect = sqlite3.connect
    seen: list[str] = []

    def connect(target: str, *args: Any, **kwargs: Any) -> sqlite3.Connection:
        seen.append(str(target))
        if "mode=ro" in str(target):
            raise sqlite3.OperationalError("disk I/O error")
        return real_connect(target, *args, **kwargs)

    monkeypatch.setattr(triage_module.sqlite3, "connect", connect)
    store = TriageStore(db, writable=False)
    assert store.ids_with("starred") == {"aaaaaaaaaaaa", "bbbbbbbbbbbb"}
    store.close()
    assert any("immutable=1" in target for target in seen)


# -- a read-only library --------------------------------------------------------------------


def test_an_unwritable_library_opens_triage_read_only_with_a_notice(
    db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(triage_module, "can_write", lambda path: False)
    before = db.read_bytes()
    store = TriageStore(db)
    assert store.read_only
    assert store.notice.startswith("read-only library: ") and "\n" not in store.notice
    assert store.ids_with("starred") == {"aaaaaaaaaaaa", "bbbbbbbbbbbb"}
    for action in (
        lambda: store.set(["x"], "starred", True),
        lambda: store.toggle(["x"], "read"),
    ):
        with pytest.raises(TriageError, match="^read-only library: "):
            action()
    store.close()
    assert db.read_bytes() == before


def test_a_write_refused_by_sqlite_says_read_only_library(db: Path) -> None:
    """EROFS under the database: SQLite opens it read-only and refuses the first write."""
    store = TriageStore(db)
    store._db.close()
    store._db = sqlite3.connect(f"file:{db}?mode=ro", uri=True, isolation_level=None)
    with pytest.raises(TriageError, match="^read-only library: "):
        store.set(["ffffffffffff"], "starred", True)
    assert store.read_only


def test_can_write_sees_a_read_only_mount(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    class ReadOnly:
        f_flag = os.ST_RDONLY

    monkeypatch.setattr(triage_module.os, "statvfs", lambda path: ReadOnly())
    assert not triage_module.can_write(tmp_path / "state.db")


# -- a disk that takes no write: the store opens for reading ---------------------------------


class FailingConnection(sqlite3.Connection):
    """A connection whose switch to WAL fails as on a full disk (SQLite cannot make -shm)."""

    message = "disk I/O error"

    def execute(self, sql: str, *args: object) -> sqlite3.Cursor:
        if sql.startswith("PRAGMA journal_mode"):
            # SQLite had made -shm when it failed to grow it (3 bytes were left)
            Path(f"{self.db_path}-shm").write_bytes(b"\0\0\0")  # type: ignore[attr-defined]
            raise sqlite3.OperationalError(self.message)
        return super().execute(sql, *args)  # type: ignore[arg-type]


@pytest.fixture
def full_disk(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Opening state.db for writing fails with SQLite's "disk I/O error" and statvfs reports
    no free block, while `full_disk[0]` is True; set it False to make room."""
    from paperbrowse import state_files

    full = [True]
    real_connect, real_statvfs = sqlite3.connect, os.statvfs

    def connect(target: object, *args: object, **kwargs: object) -> sqlite3.Connection:
        if full[0] and isinstance(target, Path) and not kwargs.get("uri"):
            db = real_connect(target, *args, factory=FailingConnection, **kwargs)  # type: ignore[call-overload]
            db.db_path = target
            return db
        return real_connect(target, *args, **kwargs)  # type: ignore[call-overload]

    class NoRoom:
        f_flag, f_bavail, f_frsize = 0, 0, 4096

    monkeypatch.setattr(state_files.sqlite3, "connect", connect)
    monkeypatch.setattr(
        state_files.os, "statvfs", lambda path: NoRoom() if full[0] else real_statvfs(path)
    )
    return full


def test_a_full_disk_opens_triage_for_reading_with_a_notice(
    db: Path, full_disk: list[bool]
) -> None:
    before = listing(db.parent)
    store = TriageStore(db)  # what the browser opens: it failed with "disk I/O error"
    assert store.read_only
    assert store.notice.startswith("disk full: triage ") and "cannot be saved" in store.notice
    assert "searching and reading work" in store.notice and "\n" not in store.notice
    assert store.ids_with("starred") == {"aaaaaaaaaaaa", "bbbbbbbbbbbb"}  # reading works
    with pytest.raises(TriageError, match="^disk full: the change was not saved"):
        store.set(["cccccccccccc"], "starred", True)
    assert listing(db.parent) == before  # no -shm left behind, nothing changed
    full_disk[0] = False  # room again: the next change opens for writing and is saved
    store.set(["cccccccccccc"], "starred", True)
    assert store.take_notice() == f"triage is saved again in {db}"
    assert not store.read_only
    store.close()
    reader = TriageStore(db, writable=False)
    assert reader.ids_with("starred") == {"aaaaaaaaaaaa", "bbbbbbbbbbbb", "cccccccccccc"}
    reader.close()


def test_a_full_disk_without_state_db_leaves_no_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ENOSPC creating state.db itself: reading an empty store, no file made."""
    from paperbrowse import state_files

    real_open = os.open

    def no_space(path: object, *args: object) -> int:
        if str(path).endswith("state.db"):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
        return real_open(path, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(state_files.os, "open", no_space)
    store = TriageStore(tmp_path / "state.db")
    assert store.read_only and store.notice.startswith("disk full: ")
    assert store.ids_with("starred") == set()
    with pytest.raises(TriageError, match="^disk full: the change was not saved"):
        store.toggle(["aaaaaaaaaaaa"], "read")
    store.close()
    assert files(tmp_path) == set()


def test_a_locked_or_damaged_state_db_is_no_full_disk(tmp_path: Path) -> None:
    """Only a disk that takes no write falls back: a damaged file still says so."""
    path = tmp_path / "state.db"
    path.write_bytes(b"not a database" * 100)
    with pytest.raises(TriageError, match="damaged|not a database"):
        TriageStore(path)
