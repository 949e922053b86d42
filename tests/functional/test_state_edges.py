"""Tags, notes and sync at their edges, as real subprocesses on a copy of the sample library:
`state export` on a stream that is not UTF-8, the one note-length limit, ids against query
words in `ID|QUERY` arguments."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from paperbrowse.models import Paper
from tests.functional.test_cli import clean_env, jsonl, run

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
