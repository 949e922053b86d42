"""Tags, notes and sync at their edges, as real subprocesses on a copy of the sample library:
`state export` on a stream that is not UTF-8, the one note-length limit, ids against query
words in `ID|QUERY` arguments."""

from __future__ import annotations

import json
import shutil
import sys
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
