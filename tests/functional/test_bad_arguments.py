"""Arguments that are not valid text (bytes that are not UTF-8, as a shell's `$'\\xff'` gives)
get one line naming them, exit 2, for every command; file names may be any bytes. Real
subprocesses on a copy of the sample library."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from paperbrowse.cli import build_parser
from tests.functional.test_cli import assert_one_line_error, run

BAD = "\udcff"  # the byte 0xff in an argument, as Python holds it (PEP 383)
PAPER = "26ffbeba0f3b"  # a sample paper (Lite Pose)

# Each command with a text argument that is not text; the word named in the error after it.
CASES: list[tuple[list[str], str]] = [
    (["search", f"tag:x{BAD}"], "QUERY"),
    (["search", "pose", "--since", f"7d{BAD}"], "SINCE"),
    (["search", "pose", "--key", f"{{year}}{BAD}"], "KEY"),
    (["search", "--view", f"v{BAD}"], "VIEW"),
    (["browse", f"pose{BAD}"], "QUERY"),
    (["show", f"26ff{BAD}"], "ID"),
    (["similar", f"26ff{BAD}"], "ID"),
    (["similar", PAPER, "--key", f"{{year}}{BAD}"], "KEY"),
    (["new", "--since", f"3d{BAD}"], "SINCE"),
    (["note", PAPER, "--set", f"ok{BAD}"], "--set TEXT"),
    (["note", f"{PAPER}{BAD}", "--set", "ok"], "ID"),
    (["tag", PAPER, f"+x{BAD}"], "ID|QUERY|+TAG|-TAG"),
    (["tag", "--query", f"pose{BAD}", "+x"], "QUERY"),
    (["tags", "--rename", f"a{BAD}", "b"], "RENAME"),
    (["tags", "--delete", f"a{BAD}"], "DELETE"),
    (["views", "add", f"v{BAD}", "pose"], "NAME"),
    (["views", "add", "v1", f"pose{BAD}"], "QUERY"),
    (["views", "rm", f"v{BAD}"], "NAME"),
    *[([flag, f"{PAPER[:8]}{BAD}"], "ID") for flag in ("star", "unstar", "read")],
    *[([flag, "--query", f"pose{BAD}"], "QUERY") for flag in ("unread", "hide", "unhide")],
]
# Commands with no text argument (only file names, choices or nothing), checked apart.
NO_TEXT = {"stats", "dumps", "demo", "index", "forget", "state"}


def test_every_command_is_covered() -> None:
    parser = build_parser()
    [commands] = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    assert set(commands.choices) == {c[0][0] for c in CASES} | NO_TEXT


@pytest.mark.parametrize(
    ("args", "named"), CASES, ids=[" ".join(a).replace(BAD, "?") for a, _ in CASES]
)
def test_an_argument_that_is_not_text_is_one_line(
    library_copy: Path, args: list[str], named: str
) -> None:
    before = run(library_copy, "state", "export").stdout
    message = assert_one_line_error(run(library_copy, *args), 2)
    assert f"paperbrowse: {named} '" in message and "is not valid text" in message
    assert "\ufffd" in message  # shown with U+FFFD, as file names are
    assert run(library_copy, "state", "export").stdout == before  # nothing changed


def test_file_names_may_be_any_bytes(library_copy: Path, tmp_path: Path) -> None:
    """A file name argument is not refused as text: it is looked for, and named in one line."""
    missing = str(tmp_path / f"no{BAD}.txt")
    for args in (["index", missing], ["state", "import", missing], ["forget", missing]):
        proc = run(library_copy, *args)
        assert "Traceback" not in proc.stderr and "not valid text" not in proc.stderr, args
        assert proc.returncode in (1, 2), (args, proc.stderr)


def test_an_import_line_with_a_lone_surrogate_is_refused(
    library_copy: Path, tmp_path: Path
) -> None:
    export = tmp_path / "state.jsonl"
    stamp = '"2026-01-01T00:00:00.000Z"'
    ok = f'{{"arxiv_id":null,"id":"{PAPER}","starred":true,"starred_at":{stamp}}}'
    bad = f'{{"arxiv_id":null,"id":"{PAPER}","note":"eps \\ud800 zz","note_at":{stamp}}}'
    export.write_text(f"{ok}\n{bad}\n")
    before = run(library_copy, "state", "export").stdout
    message = assert_one_line_error(run(library_copy, "state", "import", str(export)), 1)
    assert f"{export}:2: note holds a lone surrogate" in message
    assert "nothing was imported" in message
    assert run(library_copy, "state", "export").stdout == before


CHOICES = [
    ["search", "pose", "--format", f"js{BAD}"],
    ["search", "pose", "--sort", f"date{BAD}"],
    ["search", "pose", "--state", f"{BAD}"],
    ["similar", PAPER, "--format", f"{BAD}"],
    ["new", "--format", f"md{BAD}"],
    ["views", "add", "v", "pose", "--sort", f"{BAD}"],
    ["state", f"export{BAD}"],
]


@pytest.mark.parametrize("args", CHOICES, ids=[" ".join(a).replace(BAD, "?") for a in CHOICES])
def test_a_choice_that_is_not_text_is_echoed_with_u_fffd(
    library_copy: Path, args: list[str]
) -> None:
    # argparse echoes a refused choice with repr(): the byte must show as U+FFFD, as every
    # other argument and file name does, not as a "\udcff" escape.
    message = assert_one_line_error(run(library_copy, *args), 2)
    assert "invalid choice" in message and "\ufffd" in message
    assert "\\udc" not in message
