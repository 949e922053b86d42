"""Tags, notes and their change times in state.db (tags.py, state_schema.py), the `tag:` and
`note:` query fields (state_query.py), and sync (sync.py)."""

from __future__ import annotations

import json
import multiprocessing
import os
import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from paperbrowse.library import Library, QueryError
from paperbrowse.models import Filters, Paper, TriageState
from paperbrowse.state_schema import STATE_VERSION
from paperbrowse.sync import SyncError, export_records, import_records, parse_records
from paperbrowse.tags import (
    TagError,
    delete_tag,
    edit_tags,
    normalise_tag,
    parse_edits,
    rename_tag,
    set_note,
    tag_counts,
    undo_tags,
)
from paperbrowse.triage import TriageError, TriageStore
from paperbrowse.triage_carry import carry_over

# The first layout of state.db, exactly as paperbrowse wrote it before tags and notes.
V0_SCHEMA = """
CREATE TABLE IF NOT EXISTS state (
    id TEXT PRIMARY KEY,
    read INTEGER NOT NULL DEFAULT 0,
    starred INTEGER NOT NULL DEFAULT 0,
    hidden INTEGER NOT NULL DEFAULT 0,
    updated TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
)
"""


@pytest.fixture
def store(tmp_path: Path) -> Iterator[TriageStore]:
    triage = TriageStore(tmp_path / "data" / "state.db")
    yield triage
    triage.close()


def make_v0(path: Path, rows: list[tuple[str, int, int, int, str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(path)
    db.execute(V0_SCHEMA)
    db.executemany("INSERT INTO state VALUES (?, ?, ?, ?, ?)", rows)
    db.commit()
    db.close()


# -- migration ---------------------------------------------------------------------------------


def test_migration_keeps_every_row_and_stamps_its_flags(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    rows = [
        ("aaaaaaaaaaaa", 1, 0, 0, "2025-01-02T03:04:05Z"),
        ("bbbbbbbbbbbb", 0, 1, 1, "2025-02-03T04:05:06Z"),
        ("cccccccccccc", 0, 0, 0, "2025-03-04T05:06:07Z"),
    ]
    make_v0(path, rows)
    store = TriageStore(path)
    assert store.version == STATE_VERSION
    assert store.get("aaaaaaaaaaaa") == TriageState(read=True)
    assert store.get("bbbbbbbbbbbb") == TriageState(starred=True, hidden=True)
    assert store.ids_with("read") == {"aaaaaaaaaaaa"}
    records = {r["id"]: r for r in export_records(store, None)}
    assert records["bbbbbbbbbbbb"]["starred_at"] == "2025-02-03T04:05:06.000Z"
    assert records["aaaaaaaaaaaa"]["read"] is True
    assert "tags" not in records["aaaaaaaaaaaa"]  # never changed: not exported
    store.close()
    # Opening again does not migrate twice or lose anything.
    again = TriageStore(path)
    assert again.get("bbbbbbbbbbbb") == TriageState(starred=True, hidden=True)
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT count(*) FROM state").fetchone()[0] == 3
    again.close()


def test_read_only_store_reads_an_unmigrated_database(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    make_v0(path, [("aaaaaaaaaaaa", 0, 1, 0, "2025-01-02T03:04:05Z")])
    before = path.read_bytes()
    store = TriageStore(path, writable=False)
    assert store.version == 0
    assert store.get("aaaaaaaaaaaa") == TriageState(starred=True)
    assert tag_counts(store) == []
    store.close()
    assert path.read_bytes() == before  # reading never migrates


def _open_store(path: str) -> int:
    store = TriageStore(Path(path))
    store.close()
    return 0


def test_two_processes_migrating_at_once_both_succeed(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    make_v0(path, [(f"{i:012x}", 1, 0, 0, "2025-01-02T03:04:05Z") for i in range(200)])
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        assert pool.map(_open_store, [str(path)] * 4) == [0] * 4
    store = TriageStore(path)
    assert len(store.ids_with("read")) == 200
    store.close()


# -- tags and notes ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "tag"),
    [
        ("To-Read", "to-read"),
        ("lab_meeting", "lab_meeting"),
        ("CVPR2026", "cvpr2026"),
        # Python's str.lower: "İ" (U+0130) is "i" + combining dot above (U+0307), a mark
        ("İstanbul", "i\u0307stanbul"),
        ("हिन्दी", "हिन्दी"),  # Devanagari vowel signs and virama are combining marks
    ],
)
def test_tags_are_case_insensitive_words(text: str, tag: str) -> None:
    assert normalise_tag(text) == tag


@pytest.mark.parametrize(
    "text", ["", "two words", "-x", "tag:", "a" * 65, "x\x1b[2J", "\u0301x", "\u0301"]
)
def test_not_a_tag(text: str) -> None:
    with pytest.raises(TagError):
        normalise_tag(text)


def test_parse_edits() -> None:
    assert parse_edits(["+A", "-b", "c", "+a"]) == (["a", "c"], ["b"])
    with pytest.raises(TagError, match="both added and removed"):
        parse_edits(["+x", "-X"])


def test_parse_edits_splits_the_browser_line_but_not_command_line_words() -> None:
    assert parse_edits(["+bad tag, -old"]) == (["bad", "tag"], ["old"])  # the `t` line
    assert parse_edits(["+bad", "-old"], split=False) == (["bad"], ["old"])
    for word in ("+bad tag", "+a,b", "-x y", "+ lead"):
        with pytest.raises(TagError, match="one argument is one tag"):
            parse_edits(["+fine", word], split=False)


def test_edit_tags_and_undo(store: TriageStore) -> None:
    change = edit_tags(store, ["p1", "p2"], ["to-read", "survey"], [])
    assert change.changed == 2
    assert store.get("p1").tags == ("survey", "to-read")
    again = edit_tags(store, ["p1", "p2", "p3"], ["to-read"], ["survey"])
    assert again.changed == 3
    assert store.get("p3").tags == ("to-read",)
    assert dict(tag_counts(store)) == {"to-read": 3}
    undo_tags(store, again)
    assert store.get("p1").tags == ("survey", "to-read")
    assert store.get("p3").tags == ()


def test_tag_edit_keeps_flags_and_one_transaction(store: TriageStore) -> None:
    store.set(["p1"], "starred", True)
    seen: list[str] = []
    store._db.set_trace_callback(seen.append)
    edit_tags(store, ["p1", "p2"], ["x"], [])
    assert [s for s in seen if s.startswith(("BEGIN", "COMMIT"))] == ["BEGIN IMMEDIATE", "COMMIT"]
    assert store.get("p1") == TriageState(starred=True, tags=("x",))


def test_rename_and_delete_everywhere(store: TriageStore) -> None:
    edit_tags(store, ["p1", "p2"], ["survey"], [])
    edit_tags(store, ["p2"], ["surveys"], [])
    assert rename_tag(store, "Survey", "surveys") == 2
    assert dict(tag_counts(store)) == {"surveys": 2}
    assert store.get("p2").tags == ("surveys",)  # joined, not doubled
    assert delete_tag(store, "SURVEYS") == 2
    assert tag_counts(store) == []


def test_note_set_clear(store: TriageStore) -> None:
    assert set_note(store, "p1", "Check the ablations\nand the held-out set  \n")
    assert store.get("p1").note == "Check the ablations\nand the held-out set"
    assert not set_note(store, "p1", "Check the ablations\nand the held-out set")
    assert set_note(store, "p1", "  \n")
    assert store.get("p1").note == ""


def test_a_note_is_stored_without_terminal_controls(store: TriageStore) -> None:
    """A tester's note `a ESC]52;c;aGk= BEL b` showed as `ab` but `note:ab` missed it: the note
    is stored as shown (an OSC 52 clipboard write is an escape sequence, not text)."""
    assert set_note(store, "p1", "a\x1b]52;c;aGk=\x07b and\x1b[31m red\x1b[0m\ttab")
    assert store.get("p1").note == "ab and red\ttab"


def test_read_only_library_refuses_tags_and_notes(tmp_path: Path) -> None:
    folder = tmp_path / "lib"
    folder.mkdir()
    TriageStore(folder / "state.db").close()
    folder.chmod(stat.S_IRUSR | stat.S_IXUSR)
    (folder / "state.db").chmod(stat.S_IRUSR)
    try:
        if os.access(folder / "state.db", os.W_OK):
            pytest.skip("running as root: permissions do not stop writes")
        store = TriageStore(folder / "state.db")
        assert store.read_only
        with pytest.raises(TriageError, match="read-only library"):
            edit_tags(store, ["p1"], ["x"], [])
        with pytest.raises(TriageError, match="read-only library"):
            set_note(store, "p1", "text")
        store.close()
    finally:
        folder.chmod(stat.S_IRWXU)
        (folder / "state.db").chmod(stat.S_IRUSR | stat.S_IWUSR)


def test_deleted_state_db_is_noticed_on_a_tag_change(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    store = TriageStore(path)
    edit_tags(store, ["p1"], ["x"], [])
    path.unlink()
    edit_tags(store, ["p2"], ["y"], [])
    assert "was deleted" in store.take_notice()
    assert store.get("p2").tags == ("y",)
    store.close()


def _tag_many(args: tuple[str, str]) -> int:
    path, tag = args
    store = TriageStore(Path(path))
    for i in range(30):
        edit_tags(store, [f"p{i}"], [tag], [])
    store.close()
    return 0


def test_concurrent_writers_lose_no_tag(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    TriageStore(path).close()
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        pool.map(_tag_many, [(str(path), "a"), (str(path), "b")])
    store = TriageStore(path)
    assert dict(tag_counts(store)) == {"a": 30, "b": 30}
    assert store.get("p7").tags == ("a", "b")
    store.close()


def test_carry_over_moves_tags_and_note(store: TriageStore) -> None:
    edit_tags(store, ["old"], ["x"], [])
    set_note(store, "old", "kept")
    assert carry_over(store, {"new": ["old"]}) == 1
    assert store.get("new") == TriageState(tags=("x",), note="kept")


# -- query fields ------------------------------------------------------------------------------


def search_ids(library: Library, text: str, store: TriageStore) -> set[str]:
    return set(library.search(Filters(query=text), store).ids)


def test_tag_and_note_fields(
    mutable_library: Library, library_copy: Path, sample_papers: dict[str, Paper]
) -> None:
    store = TriageStore(library_copy / "state.db")
    diffusion = {p.id for p in sample_papers.values() if "diffusion" in p.title.lower()}
    video = {p.id for p in sample_papers.values() if "video" in p.title.lower()}
    tagged = sorted(diffusion)[:4] + sorted(video)[:3]
    edit_tags(store, tagged, ["to-read"], [])
    edit_tags(store, sorted(video)[:1], ["lab-meeting"], [])
    # A note in words that stem like the abstract's analyzer: "benchmarks" -> "benchmark".
    set_note(store, tagged[0], "The held-out benchmarks look weak.")
    assert search_ids(mutable_library, "tag:to-read", store) == set(tagged)
    assert search_ids(mutable_library, "tag:TO-READ", store) == set(tagged)
    assert search_ids(mutable_library, "tag:lab-*", store) == set(sorted(video)[:1])
    assert search_ids(mutable_library, "tag:*", store) == set(tagged)
    everything = search_ids(mutable_library, "", store)
    assert search_ids(mutable_library, "-tag:to-read", store) == everything - set(tagged)
    title_video = search_ids(mutable_library, "title:video", store)
    assert search_ids(mutable_library, "title:video tag:to-read", store) == title_video & set(
        tagged
    )
    for query in ("note:benchmark", "note:BENCHMARKING", 'note:"held out"', "note:weak"):
        assert search_ids(mutable_library, query, store) == {tagged[0]}, query
    assert search_ids(mutable_library, 'note:"out held"', store) == set()
    with pytest.raises(QueryError, match="by AND only"):
        search_ids(mutable_library, "tag:x OR video", store)
    with pytest.raises(QueryError, match="tag: needs a value"):
        search_ids(mutable_library, "tag: x", store)
    store.close()


# -- sync --------------------------------------------------------------------------------------


def test_an_imported_note_is_cleaned_as_set_note_cleans_it(tmp_path: Path) -> None:
    hostile = "see \x1b]8;;https://evil.example\x1b\\this\x1b]8;;\x1b\\ \x1b[2Jlater\x00  "
    [record] = parse_records(
        [json.dumps({"id": "a" * 12, "note": hostile, "note_at": "2026-01-01T00:00:00.000Z"})],
        "state.jsonl",
    )
    store = TriageStore(tmp_path / "state.db")
    import_records(store, None, [record])
    set_note(store, "b" * 12, hostile)
    assert store.get("a" * 12).note == store.get("b" * 12).note == "see this later"
    store.close()


def test_import_twice_changes_nothing_and_later_change_wins(tmp_path: Path) -> None:
    a = TriageStore(tmp_path / "a" / "state.db")
    a.set(["aaaaaaaaaaaa"], "starred", True)
    edit_tags(a, ["aaaaaaaaaaaa"], ["x"], [])
    exported = list(export_records(a, None))
    b = TriageStore(tmp_path / "b" / "state.db")
    first = import_records(b, None, exported)
    # No library: the paper is not in it, its record is kept (both fields changed).
    assert (first.papers, first.pending, first.pending_fields) == (0, 1, 2)
    second = import_records(b, None, exported)
    assert (second.papers, second.fields, second.pending_fields) == (0, 0, 0)
    assert b.get("aaaaaaaaaaaa") == TriageState(starred=True, tags=("x",))
    # An older change does not overwrite a newer one.
    old = [{**exported[0], "starred": False, "starred_at": "2000-01-01T00:00:00.000Z"}]
    assert import_records(b, None, old).pending_fields == 0
    assert b.get("aaaaaaaaaaaa").starred


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each change one second after the last: conflicting changes have distinct times."""
    ticks = iter(range(1, 10_000))

    def stamp() -> str:
        tick = next(ticks)
        return f"2026-01-01T{tick // 3600:02d}:{tick // 60 % 60:02d}:{tick % 60:02d}.000Z"

    import paperbrowse.tags
    import paperbrowse.triage

    monkeypatch.setattr(paperbrowse.triage, "now_stamp", stamp)
    monkeypatch.setattr(paperbrowse.tags, "now_stamp", stamp)


@pytest.mark.usefixtures("clock")
def test_conflicting_exports_merged_both_ways_agree(tmp_path: Path) -> None:
    a = TriageStore(tmp_path / "a" / "state.db")
    b = TriageStore(tmp_path / "b" / "state.db")
    p = "aaaaaaaaaaaa"
    q = "bbbbbbbbbbbb"
    a.set([p], "starred", True)
    b.set([p], "starred", False)  # later: B's unstar wins
    edit_tags(b, [p], ["b-tag"], [])
    set_note(a, p, "from a")  # later than B's tags, a different field: both survive
    b.set([q], "read", True)
    a.set([q], "read", False)  # later: A's unread wins
    set_note(b, q, "from b")
    ea, eb = list(export_records(a, None)), list(export_records(b, None))
    import_records(a, None, eb)
    import_records(b, None, ea)
    merged_a = list(export_records(a, None))
    assert merged_a == list(export_records(b, None))
    state = a.get(p)
    assert state == TriageState(starred=False, tags=("b-tag",), note="from a")
    assert a.get(q) == TriageState(read=False, note="from b")


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{not json", "not a JSON line"),
        ("[1]", "not a state record"),
        ('{"id": "x"}', "12-hex-digit id"),
        ('{"id": "aaaaaaaaaaaa", "starred": true}', "starred_at must be a time"),
        (
            '{"id": "aaaaaaaaaaaa", "starred": 1, "starred_at": "2026-01-01T00:00:00.000Z"}',
            "starred must be true or false",
        ),
        (
            '{"id": "aaaaaaaaaaaa", "tags": ["a b"], "tags_at": "2026-01-01T00:00:00.000Z"}',
            "invalid tag",
        ),
        (  # which "id" wins differs between JSON readers: refused, not guessed
            '{"id": "aaaaaaaaaaaa", "starred": true, "id": "bbbbbbbbbbbb", '
            '"starred_at": "2026-01-01T00:00:00.000Z"}',
            "the name 'id' appears twice in one record",
        ),
        (
            '{"id": "aaaaaaaaaaaa", "note": "a", "note_at": "2026-01-01T00:00:00.000Z", '
            '"meta": {"x": 1, "x": 2}}',
            "the name 'x' appears twice",
        ),
    ],
)
def test_bad_export_lines_are_named(line: str, message: str) -> None:
    with pytest.raises(SyncError, match=message) as caught:
        parse_records(["", line], "state.jsonl")
    assert str(caught.value).startswith("state.jsonl:2: ")


def test_export_is_json_lines_sorted_by_key(store: TriageStore) -> None:
    store.set(["bbbbbbbbbbbb", "aaaaaaaaaaaa"], "hidden", True)
    lines = [json.dumps(r) for r in export_records(store, None)]
    assert [json.loads(x)["id"] for x in lines] == ["aaaaaaaaaaaa", "bbbbbbbbbbbb"]


def test_an_export_with_a_byte_order_mark_is_read() -> None:
    """Windows tools write a UTF-8 byte-order mark before the text: the first record is read
    as if it were not there (it was refused as 'not a JSON line')."""
    from paperbrowse.sync import parse_records

    line = '{"id": "26ffbeba0f3b", "starred": true, "starred_at": "2026-01-01T00:00:00.000Z"}\n'
    assert parse_records(["\ufeff" + line, line], "x.jsonl") == parse_records([line, line], "x")
