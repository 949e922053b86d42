"""Tags, notes and sync at their edges, as real subprocesses on a copy of the sample library:
`state export` on a stream that is not UTF-8, the one note-length limit, ids against query
words in `ID|QUERY` arguments."""

from __future__ import annotations

import json
import shutil
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from paperbrowse.models import Paper
from paperbrowse.tags import MAX_NOTE
from tests.functional.test_cli import assert_one_line_error, clean_env, jsonl, run

NOTE = "Strömung → 中文 𝒳 🚀 naïve"


@pytest.fixture
def lib(library_copy: Path) -> Path:
    return library_copy


def a_paper(sample_papers: dict[str, Paper]) -> str:
    return sorted(sample_papers)[0]


@pytest.mark.parametrize("encoding", ["cp1252", "latin-1"])
def test_state_export_on_a_narrow_stream_is_exact_and_imports(
    tmp_path: Path, lib: Path, sample_papers: dict[str, Paper], encoding: str
) -> None:
    pid = a_paper(sample_papers)
    other = tmp_path / "other"  # a second machine, before the note and tag
    shutil.copytree(lib, other)
    assert run(lib, "note", pid, "--set", NOTE).returncode == 0
    assert run(lib, "tag", pid, "+straße").returncode == 0
    wide = run(lib, "state", "export")
    narrow = run(lib, "state", "export", env=clean_env(PYTHONIOENCODING=encoding))
    assert narrow.returncode == 0, narrow.stderr
    assert narrow.stdout.isascii() and "?" not in narrow.stdout
    assert [json.loads(x) for x in narrow.stdout.splitlines()] == jsonl(wide)
    assert wide.stdout.count("🚀") == 1  # a UTF-8 stream keeps the characters themselves
    export = tmp_path / "state.jsonl"
    export.write_text(narrow.stdout, encoding=encoding)
    proc = run(other, "state", "import", str(export))
    assert proc.returncode == 0, proc.stderr
    [record] = jsonl(run(other, "show", pid, "--format", "jsonl"))
    assert (record["note"], record["tags"]) == (NOTE, ["straße"])


def test_state_export_escapes_line_separators_in_a_note(
    lib: Path, sample_papers: dict[str, Paper]
) -> None:
    # A note may hold U+2028/U+2029; each exported record must still be one line for
    # `str.splitlines` and every JSON-lines reader, with the note's value unchanged.
    pid = a_paper(sample_papers)
    note = "first\u2028second\u2029third"
    assert run(lib, "note", pid, "--set", note).returncode == 0
    proc = run(lib, "state", "export")
    assert proc.returncode == 0, proc.stderr
    assert "\u2028" not in proc.stdout and "\u2029" not in proc.stdout
    records = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [r.get("note") for r in records if r["id"] == pid] == [note]


def test_one_note_limit_for_set_editor_and_import(
    tmp_path: Path, lib: Path, sample_papers: dict[str, Paper]
) -> None:
    pid = a_paper(sample_papers)
    assert run(lib, "note", pid, "--set", "kept").returncode == 0
    before = run(lib, "state", "export").stdout
    longest = "y" * MAX_NOTE
    message = assert_one_line_error(run(lib, "note", pid, "--set", longest + "z"), 2)
    assert f"at most {MAX_NOTE:,} characters" in message and "nothing was changed" in message
    editor = f'{sys.executable} -c "import sys,pathlib; pathlib.Path(sys.argv[1]).write_text'
    editor += f"('z' * {MAX_NOTE + 1})\""
    message = assert_one_line_error(run(lib, "note", pid, env=clean_env(EDITOR=editor)), 2)
    assert f"at most {MAX_NOTE:,} characters" in message
    assert run(lib, "state", "export").stdout == before  # nothing changed
    # The longest note allowed is saved, exported and imported again.
    assert run(lib, "note", pid, "--set", longest).stdout == "note saved\n"
    export = tmp_path / "state.jsonl"
    export.write_text(run(lib, "state", "export").stdout)
    other = tmp_path / "other"
    shutil.copytree(lib, other)
    assert run(other, "note", pid, "--set", "").returncode == 0
    record = json.loads(export.read_text())
    record["note_at"] = "2026-01-01T00:00:00.000Z"  # older than other's clearing: no change
    export.write_text(json.dumps(record) + "\n")
    assert run(other, "state", "import", str(export)).returncode == 0
    record["note"] = longest + "z"
    export.write_text(json.dumps(record) + "\n")
    message = assert_one_line_error(run(other, "state", "import", str(export)), 1)
    assert f"{export}:1:" in message and f"at most {MAX_NOTE:,} characters" in message


def ids_starting(lib: Path, prefix: str) -> list[str]:
    return [
        r["id"]
        for r in jsonl(run(lib, "search", "--format", "jsonl"))
        if r["id"].startswith(prefix)
    ]


@pytest.mark.parametrize("word", ["50", "000", "5c", "26ff"])
def test_a_short_hex_word_is_a_query_word_not_an_id(lib: Path, word: str) -> None:
    """`tag 50 +probe` searches `50`, as `search 50` does: it never tags the paper whose id
    starts with 50 for not matching; ID commands refuse the word naming the id rule."""
    found = run(lib, "search", word, "--format", "jsonl")
    matching = {r["id"] for r in jsonl(found)} if found.returncode == 0 else set()
    proc = run(lib, "tag", word, "+probe")
    assert proc.returncode == (0 if matching else 1), proc.stderr
    tagged = run(lib, "search", "tag:probe", "--format", "jsonl")
    assert ({r["id"] for r in jsonl(tagged)} if tagged.returncode == 0 else set()) == matching
    for args in (["star", word], ["show", word], ["similar", word], ["note", word, "--set", "x"]):
        message = assert_one_line_error(run(lib, *args), 1)
        assert f"no paper with id {word!r}" in message and "at least the first 6" in message
    assert run(lib, "search", "--state", "starred").returncode == 1  # nothing starred


def test_the_word_50_with_a_paper_id_starting_50(lib: Path) -> None:
    """The sample has a paper whose id starts 50 and one starting 000 (the tester's case)."""
    assert ids_starting(lib, "50") and ids_starting(lib, "000")
    full = ids_starting(lib, "50")[0]
    assert run(lib, "star", full[:6]).stdout == "starred: 1 paper changed\n"  # 6 digits: an id
    assert run(lib, "star", full[:5]).returncode == 1


def stamp_in(hours: float) -> str:
    moment = datetime.now(timezone.utc) + timedelta(hours=hours)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


@pytest.mark.parametrize(
    ("change", "said"),
    [
        ({"arxiv_id": "../../etc"}, "arxiv_id must be an arXiv id"),
        ({"arxiv_id": "2510"}, "arxiv_id must be an arXiv id"),
        ({"starred_at": "9999-12-31T23:59:59.999Z"}, "starred_at 9999-12-31T23:59:59.999Z is more"),
        ({"starred_at": stamp_in(26)}, "starred_at 20"),
        ({"starred_at": "2026-13-45T00:00:00.000Z"}, "starred_at must be a time like"),
    ],
)
def test_import_refuses_a_bad_arxiv_id_or_a_change_time_from_the_future(
    tmp_path: Path, lib: Path, sample_papers: dict[str, Paper], change: dict[str, str], said: str
) -> None:
    pid = a_paper(sample_papers)
    good = {"arxiv_id": None, "id": pid, "read": True, "read_at": stamp_in(-1)}
    bad = {"arxiv_id": None, "id": pid, "starred": True, "starred_at": stamp_in(-1), **change}
    export = tmp_path / "state.jsonl"
    export.write_text(json.dumps(good) + "\n" + json.dumps(bad) + "\n")
    before = run(lib, "state", "export").stdout
    message = assert_one_line_error(run(lib, "state", "import", str(export)), 1)
    assert f"{export}:2: {said}" in message and "nothing was imported" in message
    assert "_at" not in said or "must be a time" in said or "more than a day after now" in message
    assert run(lib, "state", "export").stdout == before


def test_import_takes_a_change_time_within_a_day_and_a_real_arxiv_id(
    tmp_path: Path, lib: Path
) -> None:
    export = tmp_path / "state.jsonl"
    record = {"arxiv_id": "2510.04618", "starred": True, "starred_at": stamp_in(20)}
    export.write_text(json.dumps(record) + "\n")
    proc = run(lib, "state", "import", str(export))
    assert proc.returncode == 0, proc.stderr
    assert "1 record kept for papers not in this library" in proc.stdout


def test_an_editor_that_saves_bytes_that_are_not_utf8_keeps_the_note(
    lib: Path, sample_papers: dict[str, Paper]
) -> None:
    """An editor saving cp1252 text (`caf\\xe9`) is refused in one line, as `--set` refuses
    such bytes: the note is kept, not silently changed to U+FFFD."""
    pid = a_paper(sample_papers)
    assert run(lib, "note", pid, "--set", "kept").returncode == 0
    editor = f'{sys.executable} -c "import sys,pathlib; pathlib.Path(sys.argv[1]).write_bytes'
    editor += "(b'caf' + bytes([233]) + b' ok')\""
    message = assert_one_line_error(run(lib, "note", pid, env=clean_env(EDITOR=editor)), 2)
    assert "not UTF-8" in message and "note kept" in message
    [record] = jsonl(run(lib, "show", pid, "--format", "jsonl"))
    assert record["note"] == "kept"
