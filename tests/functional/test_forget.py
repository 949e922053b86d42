"""`paperbrowse forget` and `paperbrowse dumps`, on the bundled sample dumps.

The oracle is the dumps parsed directly (`parse_file`), never the index: which papers a dump
holds, how many, and what the dumps left after a forget say about a paper.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from paperbrowse.library import Library
from paperbrowse.models import Filters, Paper, merge
from paperbrowse.pages import parse_file
from paperbrowse.sources import collect_sources
from paperbrowse.triage import TriageStore
from tests.indexing import index_into

REPO = Path(__file__).resolve().parents[2]
SAMPLE_DIR = REPO / "paperbrowse" / "sample"
DUMPS = sorted(SAMPLE_DIR.glob("*.txt"))
GONE = DUMPS[1]  # 001_….txt: shares papers with the other two dumps


def run(data_dir: Path, *args: str) -> subprocess.CompletedProcess:
    """`python -m paperbrowse --data-dir D ARGS`, text output captured."""
    return subprocess.run(
        [sys.executable, "-m", "paperbrowse", "--data-dir", str(data_dir), *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )


def parsed(paths: list[Path]) -> dict[str, Paper]:
    """The papers of `paths`, parsed and merged by id (models.merge)."""
    found: dict[str, Paper] = {}
    for path in paths:
        for paper in parse_file(path).papers:
            found[paper.id] = merge(found[paper.id], paper) if paper.id in found else paper
    return found


def papers_in(data_dir: Path) -> dict[str, Paper]:
    library = Library(data_dir)
    try:
        results = library.search(Filters())
        return {p.id: p for p in results.papers()}
    finally:
        library.close()


@pytest.fixture(scope="module")
def sample_library(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("forget") / "data"
    library = Library(data)
    sources, problems = collect_sources([str(SAMPLE_DIR)])
    assert not problems and not index_into(library, sources).failures
    return data


@pytest.fixture
def data_dir(sample_library: Path, tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(sample_library, target)
    return target


def test_forget_removes_only_what_the_dump_alone_supplied(data_dir: Path) -> None:
    rest = [d for d in DUMPS if d != GONE]
    kept = parsed(rest)
    alone = parsed([GONE]).keys() - kept.keys()
    shared = parsed([GONE]).keys() & kept.keys()
    assert alone and shared  # the sample has both kinds

    proc = run(data_dir, "forget", GONE.name)
    assert proc.returncode == 0, proc.stderr
    assert f"{len(alone)} papers removed, {len(shared)} kept from other dumps" in proc.stderr

    after = papers_in(data_dir)
    assert after.keys() == kept.keys()
    for pid in shared:  # what the remaining dumps say, nothing from the forgotten one
        assert after[pid].title == kept[pid].title
        assert after[pid].comments == kept[pid].comments
        assert after[pid].upvotes == kept[pid].upvotes
        assert GONE.name not in after[pid].sources


def test_forget_by_path_and_the_dumps_listing(data_dir: Path) -> None:
    listing = run(data_dir, "dumps")
    assert listing.returncode == 0, listing.stderr
    rows = listing.stdout.splitlines()[1:]
    assert len(rows) == len(DUMPS)
    for dump in DUMPS:
        result = parse_file(dump)
        [row] = [r for r in rows if r.startswith(dump.name)]
        cells = row.split()
        assert cells[1] == str(len(result.papers))
        assert cells[2] == result.kind
        assert cells[3] == (result.page_date.isoformat() if result.page_date else "-")
        assert cells[4] == str(dump.resolve())

    proc = run(data_dir, "forget", str(GONE))  # by its path
    assert proc.returncode == 0, proc.stderr
    listing = run(data_dir, "dumps").stdout.splitlines()
    at = listing.index("forgotten (`paperbrowse index PATH` brings one back):")
    assert sorted(r.split()[0] for r in listing[1:at]) == [d.name for d in DUMPS if d != GONE]
    assert listing[at + 1].split()[0] == GONE.name


def test_dumps_names_a_dump_that_is_gone_from_disk(data_dir: Path, tmp_path: Path) -> None:
    moved = tmp_path / "moved.txt"
    shutil.copy(GONE, moved)
    assert run(data_dir, "index", str(moved)).returncode == 0
    moved.unlink()
    rows = run(data_dir, "dumps").stdout.splitlines()
    [row] = [r for r in rows if r.startswith("moved.txt")]
    assert row.endswith(f"{moved.resolve()}  (gone)")
    # A gone dump can still be forgotten by its name or its old path.
    proc = run(data_dir, "forget", str(moved))
    assert proc.returncode == 0, proc.stderr


def test_triage_survives_and_returns_with_the_dump(data_dir: Path) -> None:
    rest = [d for d in DUMPS if d != GONE]
    kept = parsed(rest)
    alone = sorted(parsed([GONE]).keys() - kept.keys())
    shared = sorted(parsed([GONE]).keys() & kept.keys())
    store = TriageStore(data_dir / "state.db")
    store.set([alone[0], shared[0]], "starred", True)
    store.set([alone[1]], "hidden", True)
    store.close()

    assert run(data_dir, "forget", GONE.name).returncode == 0
    starred = run(data_dir, "search", "--state", "starred", "--format", "jsonl")
    assert [json.loads(line)["id"] for line in starred.stdout.splitlines()] == [shared[0]]

    assert run(data_dir, "index", str(GONE)).returncode == 0
    starred = run(data_dir, "search", "--state", "starred", "--format", "jsonl")
    assert sorted(json.loads(line)["id"] for line in starred.stdout.splitlines()) == sorted(
        [alone[0], shared[0]]
    )
    hidden = run(data_dir, "search", "--state", "hidden", "--format", "jsonl")
    assert [json.loads(line)["id"] for line in hidden.stdout.splitlines()] == [alone[1]]
    assert papers_in(data_dir).keys() == parsed(DUMPS).keys()
    assert "forgotten" not in run(data_dir, "dumps").stdout


def test_rebuild_never_brings_back_a_forgotten_dump(data_dir: Path) -> None:
    assert run(data_dir, "forget", GONE.name).returncode == 0
    proc = run(data_dir, "index", "--rebuild")
    assert proc.returncode == 0, proc.stderr
    assert papers_in(data_dir).keys() == parsed([d for d in DUMPS if d != GONE]).keys()
    assert GONE.name in run(data_dir, "dumps").stdout.split("forgotten")[1]
    # An explicit index of the file does.
    assert run(data_dir, "index", str(GONE)).returncode == 0
    assert papers_in(data_dir).keys() == parsed(DUMPS).keys()


def test_forget_sample_removes_the_bundled_sample(data_dir: Path, tmp_path: Path) -> None:
    own = tmp_path / "own.txt"
    shutil.copy(GONE, own)
    assert run(data_dir, "index", str(own)).returncode == 0
    proc = run(data_dir, "forget", "--sample")
    assert proc.returncode == 0, proc.stderr
    assert papers_in(data_dir).keys() == parsed([GONE]).keys()  # own.txt's papers stay
    again = run(data_dir, "forget", "--sample")
    assert again.returncode == 1
    assert "the bundled sample papers are not in this library" in again.stderr


def test_an_unknown_dump_forgets_nothing(data_dir: Path) -> None:
    before = (data_dir / "library.json").read_bytes()
    proc = run(data_dir, "forget", GONE.name, "no-such-dump.txt")
    assert proc.returncode == 1
    assert proc.stderr.splitlines() == [
        "paperbrowse: no-such-dump.txt: not a recorded dump of this library "
        "(`paperbrowse dumps` lists them)",
        "paperbrowse: nothing forgotten",
    ]
    assert (data_dir / "library.json").read_bytes() == before
    assert run(data_dir, "forget").returncode == 2


# Whoosh's file writes fail as a full disk fails them, in a real `paperbrowse forget`.
FULL_DISK = textwrap.dedent(
    """
    import errno, os, sys
    from whoosh.filedb import filestore
    from paperbrowse.cli import main

    create_file = filestore.FileStorage.create_file

    def failing_create_file(self, name, *args, **kwargs):
        handle = create_file(self, name, *args, **kwargs)

        def failing_write(data):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

        handle.file.write = failing_write
        return handle

    filestore.FileStorage.create_file = failing_create_file
    sys.exit(main(sys.argv[1:]))
    """
)


def test_a_failed_forget_leaves_the_library_as_it_was(data_dir: Path) -> None:
    before = papers_in(data_dir)
    manifest = (data_dir / "library.json").read_bytes()
    proc = subprocess.run(
        [sys.executable, "-c", FULL_DISK, "--data-dir", str(data_dir), "forget", GONE.name],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
    )
    assert proc.returncode == 1
    [line] = proc.stderr.splitlines()
    assert "No space left on device" in line and "as it was before this run" in line
    assert (data_dir / "library.json").read_bytes() == manifest
    assert papers_in(data_dir) == before
    assert run(data_dir, "forget", GONE.name).returncode == 0  # and it works afterwards


# -- names as `dumps` shows them, and `tags` after a forget ----------------------------------

EVIL = "evil\x1b[31mname\tx.txt"  # an escape sequence and a tab in a file name


def test_forget_takes_a_name_as_dumps_shows_it(data_dir: Path, tmp_path: Path) -> None:
    """`dumps` shows `evilname x.txt` (the escape stripped, the tab a space); `forget` wanted the
    exact bytes. It takes the shown form, the exact name and the path."""
    evil = tmp_path / EVIL
    shutil.copy(GONE, evil)
    assert run(data_dir, "index", str(evil)).returncode == 0
    rows = run(data_dir, "dumps").stdout.splitlines()
    [row] = [r for r in rows if r.startswith("evilname x.txt")]
    assert "\x1b" not in row
    proc = run(data_dir, "forget", "evilname x.txt")
    assert proc.returncode == 0, proc.stderr
    assert "1 dump forgotten" in proc.stderr
    listing = run(data_dir, "dumps").stdout
    assert listing.split("forgotten (")[1].splitlines()[1].startswith("evilname x.txt")


def test_a_shown_name_of_two_dumps_is_refused_in_one_line(data_dir: Path, tmp_path: Path) -> None:
    one, two = tmp_path / "a", tmp_path / "b"
    one.mkdir()
    two.mkdir()
    shutil.copy(GONE, one / EVIL)
    shutil.copy(GONE, two / "evil\x1b[32mname\tx.txt")  # another colour: shown the same
    assert run(data_dir, "index", str(one / EVIL), str(two)).returncode == 0
    before = (data_dir / "library.json").read_bytes()
    proc = run(data_dir, "forget", "evilname x.txt")
    assert proc.returncode == 1
    [problem, nothing] = proc.stderr.splitlines()
    assert problem.startswith("paperbrowse: evilname x.txt: shown so for 2 dumps ("), problem
    assert "give the path" in problem and "\x1b" not in problem
    assert nothing == "paperbrowse: nothing forgotten"
    assert (data_dir / "library.json").read_bytes() == before
    # Its path picks one of them.
    assert run(data_dir, "forget", str(one / EVIL)).returncode == 0
    rows = run(data_dir, "dumps").stdout.split("forgotten (")
    assert sum(r.startswith("evilname x.txt") for r in rows[0].splitlines()) == 1
    assert sum(r.startswith("evilname x.txt") for r in rows[1].splitlines()) == 1


def test_tags_counts_only_the_papers_in_the_library(data_dir: Path) -> None:
    """After a forget `tags` said `to-read 13` while `search tag:to-read` found 3."""
    rest = [d for d in DUMPS if d != GONE]
    kept = parsed(rest)
    alone = sorted(parsed([GONE]).keys() - kept.keys())
    staying = sorted(kept.keys())[:3]
    assert run(data_dir, "tag", *alone[:10], *staying, "+to-read").returncode == 0
    assert run(data_dir, "tag", *alone[:2], "+gone-only").returncode == 0
    tags = run(data_dir, "tags").stdout.splitlines()
    assert tags == ["to-read\t13", "gone-only\t2"]
    assert run(data_dir, "forget", GONE.name).returncode == 0
    assert run(data_dir, "tags").stdout.splitlines() == ["to-read\t3"]
    found = run(data_dir, "search", "tag:to-read", "--format", "jsonl").stdout.splitlines()
    assert sorted(json.loads(line)["id"] for line in found) == staying
    # The rows stay in state.db: indexing the dump again brings the counts back.
    assert run(data_dir, "index", str(GONE)).returncode == 0
    assert run(data_dir, "tags").stdout.splitlines() == tags


def test_dumps_shows_a_name_that_is_not_utf8_with_fffd_and_forget_takes_it(
    data_dir: Path, tmp_path: Path
) -> None:
    """A file name with bytes that are not UTF-8 (`bad\\xff\\xfeutf8.txt`): `dumps` prints valid
    UTF-8, U+FFFD in both DUMP and PATH; `forget` takes the path as shown."""
    odd = tmp_path / os.fsdecode(b"bad\xff\xfeutf8.txt")  # surrogate escapes: the raw bytes
    shutil.copy(GONE, odd)
    assert run(data_dir, "index", str(odd)).returncode == 0
    listing = subprocess.run(
        [sys.executable, "-m", "paperbrowse", "--data-dir", str(data_dir), "dumps"],
        capture_output=True,
        cwd=REPO,
        timeout=120,
    )
    assert listing.returncode == 0, listing.stderr
    text = listing.stdout.decode("utf-8")  # strictly: raw bytes would fail here
    [row] = [r for r in text.splitlines() if r.startswith("bad")]
    shown_path = f"{tmp_path}/bad\ufffd\ufffdutf8.txt"
    assert row.startswith("bad\ufffd\ufffdutf8.txt") and row.endswith(shown_path), row
    proc = run(data_dir, "forget", shown_path)
    assert proc.returncode == 0, proc.stderr
    assert "1 dump forgotten" in proc.stderr
