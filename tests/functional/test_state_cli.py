"""`star|unstar|read|unread|hide|unhide`, `tag`, `note`, `tags`, `state export|import`, and the
`tags`/`note` keys of jsonl, run as real subprocesses on a copy of the sample library."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from paperbrowse.models import Paper
from tests.functional.test_cli import assert_one_line_error, clean_env, jsonl, run

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared"
PAPER_PAGE = SHARED / "fixtures" / "pages" / "paper-page-select-all.txt"


@pytest.fixture
def lib(library_copy: Path) -> Path:
    return library_copy


def titled(sample_papers: dict[str, Paper], word: str) -> list[str]:
    """Ids of sample papers with `word` in the title (the parsed dumps are the oracle)."""
    return sorted(p.id for p in sample_papers.values() if word in p.title.lower())


def search(lib: Path, *query: str) -> set[str]:
    proc = run(lib, "search", *query, "--format", "jsonl")
    return {r["id"] for r in jsonl(proc)} if proc.returncode == 0 else set()


def test_star_and_friends_by_id_and_query(lib: Path, sample_papers: dict[str, Paper]) -> None:
    video = titled(sample_papers, "video")
    proc = run(lib, "star", video[0], video[1][:8])  # a unique prefix works too
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "starred: 2 papers changed\n"
    assert run(lib, "star", video[0]).stdout == "starred: 0 papers changed\n"
    assert search(lib, "--state", "starred") == set(video[:2])
    proc = run(lib, "star", "--query", "title:video")
    assert proc.stdout == f"starred: {len(video) - 2} papers changed\n"
    assert search(lib, "--state", "starred") == set(video)
    for command, flag, value in [
        ("read", "read", True),
        ("hide", "hidden", True),
        ("unread", "read", False),
        ("unhide", "hidden", False),
        ("unstar", "starred", False),
    ]:
        proc = run(lib, command, "--query", "title:video")
        assert proc.returncode == 0, proc.stderr
        records = jsonl(run(lib, "search", "title:video", "--format", "jsonl"))
        assert {r["state"][flag] for r in records} == {value}, command


def test_star_errors(lib: Path) -> None:
    assert "no paper with id 'nosuchid'" in assert_one_line_error(run(lib, "star", "nosuchid"), 1)
    assert "no papers match" in assert_one_line_error(run(lib, "hide", "--query", "zzqqy"), 1)
    assert "give paper ids" in assert_one_line_error(run(lib, "read"), 2)
    assert "invalid query" in assert_one_line_error(run(lib, "read", "--query", "(x"), 2)
    # Nothing changed when one id of several is unknown.
    assert run(lib, "search", "--state", "starred").returncode == 1


def test_tag_tags_rename_delete(lib: Path, sample_papers: dict[str, Paper]) -> None:
    diffusion = titled(sample_papers, "diffusion")
    video = titled(sample_papers, "video")
    proc = run(lib, "tag", diffusion[0], diffusion[1], "+To-Read", "+lab-meeting")
    assert proc.stdout == "tags changed on 2 papers\n", proc.stderr
    proc = run(lib, "tag", "title:video", "+video", "+to-read")  # not ids: a query
    assert proc.stdout == f"tags changed on {len(video)} papers\n", proc.stderr
    proc = run(lib, "tag", diffusion[0], "-lab-meeting")
    assert proc.stdout == "tags changed on 1 paper\n"
    both = set(diffusion[:2]) | set(video)
    assert run(lib, "tags").stdout.splitlines() == sorted(
        [f"to-read\t{len(both)}", f"video\t{len(video)}", "lab-meeting\t1"],
        key=lambda line: (-int(line.split("\t")[1]), line),
    )
    assert search(lib, "tag:to-read") == both
    assert search(lib, "title:video", "-tag:video") == set()
    records = jsonl(run(lib, "search", "tag:lab-meeting", "--format", "jsonl"))
    assert [r["tags"] for r in records] == [["lab-meeting", "to-read"]]
    assert run(lib, "tags", "--rename", "to-read", "queue").stdout.startswith("to-read -> queue")
    assert search(lib, "tag:queue") == both and search(lib, "tag:to-read") == set()
    assert (
        run(lib, "tags", "--delete", "Video").stdout == f"video removed from {len(video)} papers\n"
    )
    assert search(lib, "tag:video") == set()
    assert "no paper has the tag" in assert_one_line_error(run(lib, "tags", "--delete", "nope"), 1)
    assert "invalid tag" in assert_one_line_error(run(lib, "tag", diffusion[0], "+a:b"), 2)
    assert "+name -name" in assert_one_line_error(run(lib, "tag", diffusion[0]), 2)


def test_note_set_editor_and_search(lib: Path, sample_papers: dict[str, Paper]) -> None:
    pid = titled(sample_papers, "diffusion")[0]
    proc = run(lib, "note", pid, "--set", "- benchmarks look weak")
    assert proc.stdout == "note saved\n", proc.stderr
    assert search(lib, "note:benchmark") == {pid}
    editor = f'{sys.executable} -c "import sys,pathlib; p=pathlib.Path(sys.argv[1]); '
    editor += "p.write_text(p.read_text().replace('weak', 'strong'))\""
    proc = run(lib, "note", pid, env=clean_env(EDITOR=editor))
    assert proc.stdout == "note saved\n", proc.stderr
    [record] = jsonl(run(lib, "show", pid, "--format", "jsonl"))
    assert record["note"] == "- benchmarks look strong"
    assert record["tags"] == []
    assert run(lib, "note", pid, "--set", "").stdout == "note cleared\n"
    assert search(lib, "note:benchmark") == set()
    env = {k: v for k, v in clean_env().items() if k not in ("EDITOR", "VISUAL")}
    assert "set $EDITOR" in assert_one_line_error(run(lib, "note", pid, env=env), 2)
    assert "no paper with id" in assert_one_line_error(run(lib, "note", "zz", "--set", "x"), 1)


def test_state_export_import_between_two_data_dirs(
    tmp_path: Path, lib: Path, sample_papers: dict[str, Paper]
) -> None:
    other = tmp_path / "other"
    shutil.copytree(lib, other)
    pid = titled(sample_papers, "diffusion")[0]
    run(lib, "star", pid)
    run(lib, "tag", pid, "+a")
    run(other, "note", pid, "--set", "from other")
    run(other, "tag", pid, "+b")  # later than +a on lib: the tags field of other wins
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    a.write_text(run(lib, "state", "export").stdout)
    b.write_text(run(other, "state", "export").stdout)
    [line] = a.read_text().splitlines()
    assert json.loads(line)["id"] == pid and json.loads(line)["starred"] is True
    proc = run(lib, "state", "import", str(b))
    assert proc.returncode == 0, proc.stderr
    # other's tags (later) and note (lib has none) win; other's never-changed star is absent.
    assert proc.stdout.startswith(
        "1 record read: 1 paper in this library changed (2 fields); 0 records kept for papers "
        "not in this library"
    )
    run(other, "state", "import", str(a))
    again = run(lib, "state", "import", str(b))
    assert "0 papers in this library changed" in again.stdout
    assert run(lib, "state", "export").stdout == run(other, "state", "export").stdout
    [record] = jsonl(run(lib, "show", pid, "--format", "jsonl"))
    assert (record["state"]["starred"], record["tags"], record["note"]) == (
        True,
        ["b"],
        "from other",
    )
    bad = tmp_path / "bad.jsonl"
    bad.write_text(a.read_text() + "{oops\n")
    message = assert_one_line_error(run(lib, "state", "import", str(bad)), 1)
    assert f"{bad}:2: not a JSON line" in message and "nothing was imported" in message


def test_import_for_a_paper_not_yet_indexed_applies_when_it_arrives(lib: Path) -> None:
    if not PAPER_PAGE.exists():
        pytest.skip(f"{PAPER_PAGE} is absent (../shared not available)")
    [truth] = json.loads(PAPER_PAGE.with_name(PAPER_PAGE.name + ".truth.json").read_text())
    record = {
        "arxiv_id": truth["arxiv_id"],
        "id": "000000000000",
        "starred": True,
        "starred_at": "2026-01-01T00:00:00.000Z",
        "tags": ["agents"],
        "tags_at": "2026-01-01T00:00:00.000Z",
        "note": "read before the lab meeting",
        "note_at": "2026-01-01T00:00:00.000Z",
    }
    proc = run(lib, "state", "import", "-", stdin=(json.dumps(record) + "\n").encode())
    assert proc.returncode == 0, proc.stderr
    assert "0 papers in this library changed (0 fields); 1 record kept for papers" in proc.stdout
    assert run(lib, "index", str(PAPER_PAGE)).returncode == 0
    [paper] = jsonl(run(lib, "search", "tag:agents", "--format", "jsonl"))
    assert paper["arxiv_id"] == truth["arxiv_id"] and paper["title"] == truth["title"]
    assert paper["state"]["starred"] and paper["note"] == record["note"]
    [exported] = [json.loads(x) for x in run(lib, "state", "export").stdout.splitlines()]
    assert exported["arxiv_id"] == truth["arxiv_id"] and exported["title"] == truth["title"]


def test_a_v0_state_db_is_migrated_keeping_its_stars(
    lib: Path, sample_papers: dict[str, Paper]
) -> None:
    """A state.db made by paperbrowse before tags (the v0 layout, written here with SQLite)."""
    import sqlite3

    from tests.unit.test_tags_notes import V0_SCHEMA

    (lib / "state.db").unlink(missing_ok=True)
    video = titled(sample_papers, "video")
    db = sqlite3.connect(lib / "state.db")
    db.execute(V0_SCHEMA)
    db.executemany("INSERT INTO state (id, starred) VALUES (?, 1)", [(v,) for v in video])
    db.commit()
    db.close()
    assert search(lib, "--state", "starred") == set(video)  # read-only: no migration needed
    assert run(lib, "tag", video[0], "+x").returncode == 0  # migrates
    assert search(lib, "--state", "starred") == set(video)
    assert search(lib, "tag:x") == {video[0]}


@pytest.fixture
def frozen_copy(lib: Path, tmp_path: Path) -> Iterator[Path]:
    """The library on a tmpfs remounted read-only (root only)."""
    if os.geteuid() != 0:
        pytest.skip("mounting needs root")
    mount = tmp_path / "mnt"
    mount.mkdir()
    proc = subprocess.run(["mount", "-t", "tmpfs", "tmpfs", str(mount)], capture_output=True)
    if proc.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {proc.stderr.decode().strip()}")
    try:
        shutil.copytree(lib, mount / "data")
        run(mount / "data", "tag", "--query", "title:video", "+v")
        subprocess.run(["mount", "-o", "remount,ro", str(mount)], check=True)
        yield mount / "data"
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_read_only_library_refuses_every_change_in_one_line(frozen_copy: Path) -> None:
    for args in (
        ("star", "--query", "title:video"),
        ("tag", "--query", "title:video", "+x"),
        ("tags", "--rename", "v", "w"),
        ("note", "26ffbeba0f3b", "--set", "x"),
        ("state", "import", "/dev/null"),
    ):
        message = assert_one_line_error(run(frozen_copy, *args), 1)
        assert "read-only library: triage (read, starred, hidden, tags, notes)" in message, args
    assert run(frozen_copy, "tags").stdout.startswith("v\t")
    assert run(frozen_copy, "state", "export").returncode == 0


# -- the command line's tag arguments, imports into a smaller library, imported notes --------


@pytest.mark.parametrize("word", ["+bad tag", "-bad tag", "+a,b", "+a, b", "+tab\there"])
def test_a_tag_argument_is_one_tag(lib: Path, sample_papers: dict[str, Paper], word: str) -> None:
    """`tag ID '+bad tag'` added two tags, `bad` and `tag`."""
    pid = titled(sample_papers, "diffusion")[0]
    message = assert_one_line_error(run(lib, "tag", pid, "+good", word), 2)
    assert f"invalid tag {word!r}" in message and "one argument is one tag" in message
    assert run(lib, "tags").returncode == 1  # nothing changed, not even +good
    proc = run(lib, "tag", pid, "+bad", "+tag")  # two arguments: two tags
    assert proc.returncode == 0, proc.stderr
    assert sorted(run(lib, "tags").stdout.splitlines()) == ["bad\t1", "tag\t1"]


def test_import_into_a_smaller_library_counts_papers_and_kept_records(
    tmp_path: Path, lib: Path
) -> None:
    """It said `21 papers changed … 16 not in this library` when 5 were changed in it."""
    from paperbrowse.pages import parse_file

    dump = sorted((REPO / "paperbrowse" / "sample").glob("*.txt"))[0]
    inside = sorted({p.id for p in parse_file(dump).papers})
    small = tmp_path / "small"
    assert run(small, "index", str(dump)).returncode == 0
    everything = {r["id"] for r in jsonl(run(lib, "search", "--format", "jsonl"))}
    outside = sorted(everything - set(inside))
    assert run(lib, "star", *inside[:5], *outside[:16]).returncode == 0
    assert run(lib, "tag", inside[0], "+to-read").returncode == 0
    export = tmp_path / "state.jsonl"
    export.write_text(run(lib, "state", "export").stdout)
    proc = run(small, "state", "import", str(export))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == (
        "21 records read: 5 papers in this library changed (6 fields); 16 records kept for "
        "papers not in this library (they apply when those papers are indexed)\n"
    )
    again = run(small, "state", "import", str(export))
    assert again.stdout.startswith("21 records read: 0 papers in this library changed (0 fields)")
    assert "; 16 records kept" in again.stdout
    starred = {
        r["id"] for r in jsonl(run(small, "search", "--state", "starred", "--format", "jsonl"))
    }
    assert starred == set(inside[:5])


def test_an_imported_note_loses_its_control_sequences(
    tmp_path: Path, lib: Path, sample_papers: dict[str, Paper]
) -> None:
    """A note arriving by `state import` is cleaned as `note --set` cleans it: an OSC 52
    clipboard write and a colour change are removed, the words stay."""
    pid = titled(sample_papers, "diffusion")[0]
    hostile = "good \x1b]52;c;ZXZpbA==\x07paper \x1b[31mred\x1b[0m\x07\x08 \n\n"
    record = {"id": pid, "note": hostile, "note_at": "2026-01-01T00:00:00.000Z"}
    proc = run(lib, "state", "import", "-", stdin=(json.dumps(record) + "\n").encode())
    assert proc.returncode == 0, proc.stderr
    [shown] = jsonl(run(lib, "show", pid, "--format", "jsonl"))
    assert shown["note"] == "good paper red"
    assert search(lib, "note:red") == {pid}
    other = titled(sample_papers, "diffusion")[1]  # the same text through `note --set`
    assert run(lib, "note", other, "--set", hostile).returncode == 0
    [typed] = jsonl(run(lib, "show", other, "--format", "jsonl"))
    assert typed["note"] == shown["note"]
    exported = [json.loads(x) for x in run(lib, "state", "export").stdout.splitlines()]
    assert [r["note"] for r in exported if r["id"] == pid] == ["good paper red"]
