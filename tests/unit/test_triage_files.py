"""The triage store and its file: reading never writes, a deleted state.db is noticed and
recreated, a read-only library makes triage read-only with one clear line."""

from __future__ import annotations

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


def test_reading_an_existing_database_writes_nothing(db: Path) -> None:
    before = db.read_bytes()
    store = TriageStore(db, writable=False)
    assert store.ids_with("starred") == {"aaaaaaaaaaaa", "bbbbbbbbbbbb"}
    store.close()
    assert db.read_bytes() == before
    assert files(db.parent) <= {"state.db", "state.db-shm", "state.db-wal"}


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
