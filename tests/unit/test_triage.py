"""Tests for paperbrowse.triage.TriageStore: flags, toggling, undo, privacy, damage."""

from __future__ import annotations

import json
import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from paperbrowse.models import TriageState
from paperbrowse.sync import import_records, parse_records
from paperbrowse.tags import edit_tags, set_note
from paperbrowse.triage import TriageError, TriageStore
from paperbrowse.triage_carry import carry_over


@pytest.fixture
def store(tmp_path: Path) -> Iterator[TriageStore]:
    triage = TriageStore(tmp_path / "data" / "state.db")
    yield triage
    triage.close()


def statements(store: TriageStore) -> list[str]:
    """Record every SQL statement the store runs from now on."""
    seen: list[str] = []
    store._db.set_trace_callback(seen.append)
    return seen


def test_new_store_is_empty(store: TriageStore) -> None:
    assert store.get("abc") == TriageState()
    assert store.get_many(["a", "b"]) == {}
    for flag in ("read", "starred", "hidden"):
        assert store.ids_with(flag) == set()


def test_set_and_ids_with(store: TriageStore) -> None:
    store.set(["a", "b"], "starred", True)
    store.set(["b", "c"], "read", True)
    store.set(["c"], "hidden", True)
    assert store.ids_with("starred") == {"a", "b"}
    assert store.ids_with("read") == {"b", "c"}
    assert store.ids_with("hidden") == {"c"}
    assert store.get("b") == TriageState(read=True, starred=True, hidden=False)
    store.set(["a"], "starred", False)
    assert store.ids_with("starred") == {"b"}


def test_toggle_sets_unless_all_set_then_clears(store: TriageStore) -> None:
    store.toggle(["a"], "starred")
    assert store.ids_with("starred") == {"a"}
    # Mixed selection: set on all.
    store.toggle(["a", "b"], "starred")
    assert store.ids_with("starred") == {"a", "b"}
    # All set: clear on all.
    store.toggle(["a", "b"], "starred")
    assert store.ids_with("starred") == set()
    # A toggle touches only its own flag.
    store.set(["a"], "read", True)
    store.toggle(["a"], "hidden")
    assert store.get("a") == TriageState(read=True, starred=False, hidden=True)


def test_undo_restores_each_paper_as_it_was(store: TriageStore) -> None:
    store.set(["a"], "starred", True)
    change = store.toggle(["a", "b", "c"], "starred")
    assert store.ids_with("starred") == {"a", "b", "c"}
    assert dict(change.before) == {"a": True, "b": False, "c": False}
    store.undo(change)
    assert store.ids_with("starred") == {"a"}
    # Undo of a clear brings the flags back.
    change = store.set(["a"], "starred", False)
    store.undo(change)
    assert store.ids_with("starred") == {"a"}


def test_undo_does_not_touch_other_flags(store: TriageStore) -> None:
    change = store.set(["a"], "read", True)
    store.set(["a"], "starred", True)
    store.undo(change)
    assert store.get("a") == TriageState(read=False, starred=True, hidden=False)


def test_state_survives_reopening(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    first = TriageStore(path)
    first.set(["a"], "starred", True)
    first.close()
    second = TriageStore(path)
    assert second.ids_with("starred") == {"a"}
    second.close()


def test_two_stores_see_each_others_changes(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    one, two = TriageStore(path), TriageStore(path)
    one.set(["a"], "starred", True)
    two.set(["a"], "read", True)
    # Neither overwrote the other's flag with a stale copy.
    assert one.get("a") == two.get("a") == TriageState(read=True, starred=True)
    one.close()
    two.close()


def test_file_is_private(tmp_path: Path) -> None:
    path = tmp_path / "fresh" / "state.db"
    store = TriageStore(path)
    store.set(["a"], "read", True)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) & 0o077 == 0
    store.close()


def test_each_change_is_one_transaction(store: TriageStore) -> None:
    ids = [f"id{n}" for n in range(1200)]  # more than one get_many chunk
    seen = statements(store)
    change = store.set(ids, "starred", True)
    assert [s for s in seen if s.startswith(("BEGIN", "COMMIT", "ROLLBACK"))] == [
        "BEGIN IMMEDIATE",
        "COMMIT",
    ]
    seen.clear()
    store.toggle(ids[:10], "read")
    assert [s for s in seen if s.startswith(("BEGIN", "COMMIT"))] == ["BEGIN IMMEDIATE", "COMMIT"]
    seen.clear()
    store.undo(change)
    assert [s for s in seen if s.startswith(("BEGIN", "COMMIT"))] == ["BEGIN IMMEDIATE", "COMMIT"]
    assert store.ids_with("starred") == set()


def test_a_failed_change_is_rolled_back_whole(store: TriageStore) -> None:
    store.set(["a"], "starred", True)
    store._db.execute(
        "CREATE TRIGGER fail BEFORE INSERT ON state WHEN NEW.id = 'boom' "
        "BEGIN SELECT RAISE(ABORT, 'refused'); END"
    )
    with pytest.raises(TriageError):
        store.set(["b", "boom", "c"], "starred", True)
    assert store.ids_with("starred") == {"a"}
    # The connection is usable afterwards (no transaction left open).
    store.set(["d"], "starred", True)
    assert store.ids_with("starred") == {"a", "d"}


def test_a_failed_undo_is_rolled_back_and_leaves_the_store_usable(store: TriageStore) -> None:
    change = store.set(["a", "b"], "starred", True)
    store._db.execute(
        "CREATE TRIGGER fail BEFORE UPDATE ON state WHEN OLD.id = 'b' "
        "BEGIN SELECT RAISE(ABORT, 'refused'); END"
    )
    with pytest.raises(TriageError):
        store.undo(change)
    assert store.ids_with("starred") == {"a", "b"}
    store._db.execute("DROP TRIGGER fail")
    store.set(["c"], "read", True)
    assert store.ids_with("read") == {"c"}


def test_unknown_flag_is_refused(store: TriageStore) -> None:
    with pytest.raises(ValueError):
        store.set(["a"], "deleted", True)
    with pytest.raises(ValueError):
        store.ids_with("read = 1 OR 1")


@pytest.mark.parametrize(
    "garbage",
    [
        b"this is not a database\x00\x01\x02" * 200,
        bytes(range(256)) * 8,
        b"SQLite format 3\x00" + b"\xff" * 4080,  # right magic, damaged header
    ],
)
def test_damaged_database_raises_and_is_left_byte_identical(tmp_path: Path, garbage: bytes) -> None:
    path = tmp_path / "state.db"
    path.write_bytes(garbage)
    with pytest.raises(TriageError) as info:
        TriageStore(path)
    message = str(info.value)
    assert str(path) in message
    assert "\n" not in message
    assert path.read_bytes() == garbage


def test_database_is_a_directory(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    path.mkdir()
    with pytest.raises(TriageError):
        TriageStore(path)


def test_sqlite_error_becomes_triage_error(store: TriageStore) -> None:
    store._db.close()
    store._db = sqlite3.connect(":memory:")  # no table: every query fails
    with pytest.raises(TriageError):
        store.ids_with("read")
    with pytest.raises(TriageError):
        store.get_many(["a"])


def test_carry_over_gives_new_ids_every_flag_of_their_old_ids(store: TriageStore) -> None:
    store.set(["old-a"], "starred", True)
    store.set(["old-b"], "read", True)
    store.set(["old-b", "kept"], "hidden", True)
    store.set(["merged-into"], "read", True)
    changed = carry_over(
        store, {"new-a": ["old-a"], "merged-into": ["old-b"], "kept": ["never-triaged"]}
    )
    assert changed == 2
    assert store.get("new-a") == TriageState(starred=True)
    # Flags already set on the new id stay set; the old id's are added.
    assert store.get("merged-into") == TriageState(read=True, hidden=True)
    assert store.get("kept") == TriageState(hidden=True)
    # Old rows are kept as they were.
    assert store.get("old-a") == TriageState(starred=True)
    assert store.get("old-b") == TriageState(read=True, hidden=True)


def _times(store: TriageStore, pid: str) -> dict[str, str | None]:
    with store.reading() as db:
        row = db.execute(
            "SELECT read_at, starred_at, hidden_at, tags_at, note_at FROM state WHERE id = ?",
            (pid,),
        ).fetchone()
    return dict(zip(("read", "starred", "hidden", "tags", "note"), row, strict=True))


def _backdate(store: TriageStore, pid: str, **times: str) -> None:
    with store.writing() as db:
        for field, when in times.items():
            db.execute(f"UPDATE state SET {field}_at = ? WHERE id = ?", (when, pid))


def test_carried_marks_keep_the_time_they_were_made(store: TriageStore) -> None:
    """A star carried to a paper's new id was made when the user starred the old id (the
    earliest, when two old ids hold it), not at the index run; a mark the new id already had
    keeps its own time; tags and note keep theirs too."""
    store.set(["old-a", "old-b"], "starred", True)
    store.set(["old-b"], "read", True)
    edit_tags(store, ["old-b"], ["robots"], [])
    set_note(store, "old-a", "kept")
    store.set(["new"], "read", True)
    _backdate(store, "old-a", starred="2025-03-04T05:06:07.000Z", note="2025-03-05T00:00:00.000Z")
    _backdate(store, "old-b", starred="2025-01-02T03:04:05.000Z", read="2024-12-31T00:00:00.000Z")
    _backdate(store, "old-b", tags="2025-02-01T00:00:00.000Z")
    own_read = _times(store, "new")["read"]
    assert carry_over(store, {"new": ["old-a", "old-b"]}) == 1
    assert store.get("new") == TriageState(read=True, starred=True, tags=("robots",), note="kept")
    assert _times(store, "new") == {
        "read": own_read,
        "starred": "2025-01-02T03:04:05.000Z",
        "hidden": None,
        "tags": "2025-02-01T00:00:00.000Z",
        "note": "2025-03-05T00:00:00.000Z",
    }


OLD, NEW = "0123456789ab", "ba9876543210"  # paper ids: 12 hex digits


def test_a_carried_cleared_mark_keeps_when_it_was_cleared(store: TriageStore) -> None:
    """Unstarred (and a note cleared) on the old id, never set on the new one: the new id
    records when they were cleared, so an older starred line in `state import` loses."""
    store.set([OLD], "starred", True)
    store.set([OLD], "starred", False)
    set_note(store, OLD, "draft")
    set_note(store, OLD, "")
    store.set([OLD], "read", True)  # something to carry as well
    _backdate(store, OLD, starred="2025-06-01T00:00:00.000Z", note="2025-06-02T00:00:00.000Z")
    assert carry_over(store, {NEW: [OLD]}) == 1
    assert store.get(NEW) == TriageState(read=True)
    times = _times(store, NEW)
    assert times["starred"] == "2025-06-01T00:00:00.000Z"
    assert times["note"] == "2025-06-02T00:00:00.000Z"
    assert times["hidden"] is None  # never set anywhere: no time
    older = json.dumps({"id": NEW, "starred": True, "starred_at": "2025-05-01T00:00:00.000Z"})
    import_records(store, None, parse_records([older], "older.jsonl"))
    assert not store.get(NEW).starred  # the clearing is later: it wins


def test_carry_over_writes_nothing_when_nothing_changes(store: TriageStore) -> None:
    store.set(["old"], "starred", True)
    store.set(["new"], "starred", True)
    seen = statements(store)
    assert carry_over(store, {"new": ["old"], "other": ["untriaged"]}) == 0
    assert not any(s.startswith(("BEGIN", "INSERT", "UPDATE")) for s in seen), seen
