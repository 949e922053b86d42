"""The data dir under hostile conditions: odd file names, stdin and `--rebuild`, debris of killed
runs, and a full disk (injected ENOSPC and a real, small tmpfs).

Real `paperbrowse` processes; the expected papers come from the dumps the tests write (their
titles' ids), never from running our own search first.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from paperbrowse.library import Library
from paperbrowse.models import Filters, paper_id
from paperbrowse.sources import collect_sources
from tests.functional.disk import fill_disk
from tests.indexing import index_into

REPO = Path(__file__).resolve().parents[2]
SAMPLE_DIR = REPO / "paperbrowse" / "sample"
HEADER = (
    "new\n\nGet trending papers in your email inbox!\n\nSubscribe\n\n"
    "byAK and the research community\n\nNov 13\n\n"
)
ABSTRACT = "We study a problem in depth. Our method works well on many benchmarks and datasets."


def run(
    data_dir: Path, *args: str, stdin: bytes | None = None, timeout: float = 180
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "paperbrowse", "--data-dir", str(data_dir), *args],
        capture_output=True,
        cwd=REPO,
        input=stdin if stdin is not None else b"",
        timeout=timeout,
    )


def err(proc: subprocess.CompletedProcess) -> str:
    return proc.stderr.decode("utf-8", "replace")


def dump_bytes(titles: list[str]) -> bytes:
    return (HEADER + "".join(f"{t}\n\n{ABSTRACT} ({t})\n\n" for t in titles)).encode("utf-8")


def titles_of(tag: str, n: int) -> list[str]:
    return [f"Paper {tag} Number {i} On Odd Names" for i in range(n)]


def ids(titles: list[str]) -> set[str]:
    return {paper_id(t) for t in titles}


def library_ids(data_dir: Path) -> set[str]:
    library = Library(data_dir)
    try:
        return set(library.search(Filters()).ids)
    finally:
        library.close()


def tree(data_dir: Path) -> set[str]:
    """Every file and directory under the data dir, relative (what a run may leave behind)."""
    found = set()
    for root, dirs, files in os.walk(data_dir):
        for name in dirs + files:
            found.add(str((Path(root) / name).relative_to(data_dir)))
    return found


# ---------------------------------------------------------------------------------------------
# Any file name a file system allows is a source key

ODD_NAMES: list[bytes] = [
    b" a,b.txt",  # a leading space and a comma: the old papers stayed beside the new ones
    b"a, b ,c.txt",
    b"caf\xe9.txt",  # Latin-1, not UTF-8: a UnicodeEncodeError traceback lost the whole run
    b"\xff\xfe odd.txt",
    b"tab\tname.txt",
    b"new\nline.txt",
    b"quote\"'`$(x).txt",
    b"-dash.txt",
    b"*.txt",
]


@pytest.mark.parametrize("name", ODD_NAMES, ids=lambda n: repr(n)[2:-1])
def test_any_file_name_is_a_source_key(tmp_path: Path, name: bytes) -> None:
    folder = tmp_path / "dumps"
    folder.mkdir()
    good = []
    for n in range(12):  # twelve good dumps beside the odd one, all in one run
        titles = titles_of(f"good{n}", 3)
        (folder / f"good{n:02d}.txt").write_bytes(dump_bytes(titles))
        good += titles
    odd = os.path.join(os.fsencode(folder), name)
    first = titles_of("first", 8)
    with open(odd, "wb") as handle:
        handle.write(dump_bytes(first))
    data = tmp_path / "data"
    proc = run(data, "index", str(folder))
    assert proc.returncode == 0, err(proc)
    assert b"Traceback" not in proc.stderr
    assert library_ids(data) == ids(good) | ids(first)
    # Shown with replacement characters where the name is not UTF-8, exact where it is.
    rows = [
        json.loads(line)
        for line in run(data, "search", "first", "--format", "jsonl").stdout.splitlines()
    ]
    shown = name.decode("utf-8", "replace")
    assert len(rows) == len(first)
    assert {tuple(r["sources"]) for r in rows} == {(shown,)}

    # A changed dump replaces its old papers, not sits beside them.
    second = titles_of("second", 5)
    with open(odd, "wb") as handle:
        handle.write(dump_bytes(second))
    proc = run(data, "index", str(folder))
    assert proc.returncode == 0, err(proc)
    assert library_ids(data) == ids(good) | ids(second)
    # And the same, naming the file itself.
    third = titles_of("third", 2)
    with open(odd, "wb") as handle:
        handle.write(dump_bytes(third))
    proc = subprocess.run(
        [sys.executable, "-m", "paperbrowse", "--data-dir", str(data), "index", "--", odd],
        capture_output=True,
        cwd=REPO,
        timeout=180,
    )
    assert proc.returncode == 0, err(proc)
    assert library_ids(data) == ids(good) | ids(third)


FILE_NAME_BYTES = st.binary(min_size=1, max_size=30).filter(
    lambda b: b"/" not in b and b"\x00" not in b
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(stem=FILE_NAME_BYTES)
def test_a_changed_dump_replaces_its_papers_whatever_its_name(
    tmp_path_factory: pytest.TempPathFactory, stem: bytes
) -> None:
    base = tmp_path_factory.mktemp("names")
    path = os.path.join(os.fsencode(base), stem + b".txt")
    with open(path, "wb") as handle:
        handle.write(dump_bytes(titles_of("old", 4)))
    library = Library(base / "data")
    sources, problems = collect_sources([os.fsdecode(path)])
    assert not problems
    assert not index_into(library, sources).failures
    with open(path, "wb") as handle:
        handle.write(dump_bytes(titles_of("new", 3)))
    sources, _ = collect_sources([os.fsdecode(path)])
    assert not index_into(library, sources).failures
    library.close()
    assert library_ids(base / "data") == ids(titles_of("new", 3))
    shutil.rmtree(base)


# ---------------------------------------------------------------------------------------------
# --rebuild keeps what came from stdin


def test_rebuild_keeps_what_came_from_stdin(tmp_path: Path) -> None:
    data = tmp_path / "data"
    piped = titles_of("piped", 6)
    assert run(data, "index", str(SAMPLE_DIR)).returncode == 0
    proc = run(data, "index", "-", stdin=dump_bytes(piped))
    assert proc.returncode == 0, err(proc)
    before = library_ids(data)
    assert ids(piped) <= before

    manifest = json.loads((data / "library.json").read_text("utf-8"))
    [entry] = [info for name, info in manifest["sources"].items() if name.startswith("stdin-")]
    copy = data / "stdin" / entry["stdin_copy"]
    assert copy.read_bytes() == dump_bytes(piped)
    assert stat.S_IMODE(copy.stat().st_mode) == 0o600
    assert stat.S_IMODE((data / "stdin").stat().st_mode) == 0o700

    for _ in range(2):  # and again: the rebuilt manifest records the copy too
        proc = run(data, "index", "--rebuild")
        assert proc.returncode == 0, err(proc)
        assert "gone" not in err(proc), err(proc)
        assert library_ids(data) == before
    assert copy.exists()


def test_rebuild_without_the_stdin_copy_says_so(tmp_path: Path) -> None:
    data = tmp_path / "data"
    assert run(data, "index", "-", stdin=dump_bytes(titles_of("piped", 2))).returncode == 0
    shutil.rmtree(data / "stdin")
    proc = run(data, "index", "--rebuild")
    assert "recorded dump is gone" in err(proc)


# ---------------------------------------------------------------------------------------------
# A killed rebuild's half-built index-N is cleared by the next run of any kind


@pytest.fixture
def sample_data(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    assert run(data, "index", str(SAMPLE_DIR)).returncode == 0
    return data


def plant_debris(data: Path) -> set[str]:
    """What a killed rebuild and a killed run leave: a half-built index-2, partial segment
    files and a Whoosh temp dir in the current index, a manifest temp file, a stray copy."""
    clean = tree(data)
    (data / "index-2").mkdir(mode=0o700)
    (data / "index-2" / "MAIN_half.seg").write_bytes(b"x" * 200_000)
    (data / "index-1" / "MAIN_partial0123456.seg").write_bytes(b"x" * 100_000)
    (data / "index-1" / "abcdef.tmp").mkdir()
    (data / "index-1" / "abcdef.tmp" / "job.doclist").write_bytes(b"x")
    (data / ".library-123.json").write_text("{", "utf-8")
    (data / "stdin").mkdir(mode=0o700, exist_ok=True)
    (data / "stdin" / "stdin-00000000000000aa.txt").write_bytes(b"x")
    return clean


@pytest.mark.parametrize("kind", ["unchanged", "adding", "rebuild"])
def test_the_next_run_of_any_kind_clears_debris(
    sample_data: Path, tmp_path: Path, kind: str
) -> None:
    papers = library_ids(sample_data)
    clean = plant_debris(sample_data)
    extra = tmp_path / "extra.txt"
    extra.write_bytes(dump_bytes(titles_of("extra", 2)))
    args = {
        "unchanged": ["index", str(SAMPLE_DIR)],
        "adding": ["index", str(extra)],
        "rebuild": ["index", "--rebuild"],
    }[kind]
    proc = run(sample_data, *args)
    assert proc.returncode == 0, err(proc)
    left = tree(sample_data)
    assert not any(
        p.startswith(("index-2", ".library-", "stdin")) for p in left if kind != "rebuild"
    ), left
    assert not any("partial" in p or ".tmp" in p for p in left), left
    if kind == "unchanged":
        assert left == clean
    expected = papers | (ids(titles_of("extra", 2)) if kind == "adding" else set())
    assert library_ids(sample_data) == expected


# ---------------------------------------------------------------------------------------------
# A full disk: injected ENOSPC, and a real small tmpfs

FAULT = textwrap.dedent(
    """
    import errno, os, sys
    from whoosh.filedb import filestore
    from paperbrowse.cli import main

    after = int(sys.argv[1])
    written = [0]
    create_file = filestore.FileStorage.create_file

    def failing_create_file(self, name, *args, **kwargs):
        handle = create_file(self, name, *args, **kwargs)
        write = handle.file.write

        def failing_write(data):
            written[0] += len(data)
            if written[0] > after:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            return write(data)

        handle.file.write = failing_write
        return handle

    filestore.FileStorage.create_file = failing_create_file
    sys.exit(main(sys.argv[2:]))
    """
)


def star_some(data: Path) -> list[str]:
    from paperbrowse.triage import TriageStore

    starred = sorted(library_ids(data))[:4]
    store = TriageStore(data / "state.db")
    store.set(starred, "starred", True)
    store.close()
    return starred


@pytest.mark.parametrize("after", [0, 150_000, 600_000])
@pytest.mark.parametrize("rebuild", [False, True], ids=["adding", "rebuild"])
def test_a_failed_run_on_a_full_disk_removes_what_it_wrote(
    sample_data: Path, tmp_path: Path, after: int, rebuild: bool
) -> None:
    papers = library_ids(sample_data)
    starred = star_some(sample_data)
    before = tree(sample_data)
    extra = tmp_path / "extra.txt"
    extra.write_bytes(dump_bytes(titles_of("full", 400)))
    args = ["index", str(extra)] + (["--rebuild"] if rebuild else [])
    proc = subprocess.run(
        [sys.executable, "-c", FAULT, str(after), "--data-dir", str(sample_data), *args],
        capture_output=True,
        cwd=REPO,
        timeout=180,
    )
    assert proc.returncode == 1, err(proc)
    assert "No space left on device" in err(proc) and len(err(proc).splitlines()) == 1
    assert tree(sample_data) == before  # every file it wrote is gone
    # Searches work on the last good library, triage included.
    assert library_ids(sample_data) == papers
    found = run(sample_data, "search", "--state", "starred", "--format", "jsonl")
    assert found.returncode == 0, err(found)
    assert sorted(json.loads(line)["id"] for line in found.stdout.splitlines()) == starred
    assert run(sample_data, "stats").returncode == 0
    retry = run(sample_data, "index", str(extra))
    assert retry.returncode == 0, err(retry)


def free_bytes(path: Path) -> int:
    info = os.statvfs(path)
    return info.f_bavail * info.f_frsize


def test_a_real_full_disk_frees_what_the_run_wrote_and_searches_go_on(
    small_tmpfs: Path, tmp_path: Path
) -> None:
    data = small_tmpfs / "data"
    assert run(data, "index", str(SAMPLE_DIR)).returncode == 0
    papers = library_ids(data)
    starred = star_some(data)
    before_files = tree(data)
    before_free = free_bytes(small_tmpfs)
    big = tmp_path / "big.txt"  # on the real disk; its index does not fit in what is left
    big.write_bytes(dump_bytes([f"A Paper That Fills The Disk Number {i}" for i in range(30000)]))
    proc = run(data, "index", str(big))
    assert proc.returncode == 1, err(proc)
    assert "No space left on device" in err(proc) and len(err(proc).splitlines()) == 1, err(proc)
    assert tree(data) == before_files
    assert free_bytes(small_tmpfs) >= before_free - 64 * 1024  # the disk is freed
    assert library_ids(data) == papers
    # And with the disk completely full, reading triage needs no write.
    fill_disk(small_tmpfs)
    assert free_bytes(small_tmpfs) < 65536
    found = run(data, "search", "--state", "starred", "--format", "jsonl")
    assert found.returncode == 0, err(found)
    assert sorted(json.loads(line)["id"] for line in found.stdout.splitlines()) == starred
    shown = run(data, "show", starred[0])
    assert shown.returncode == 0, err(shown)
    assert run(data, "stats").returncode == 0


def test_triage_on_a_full_disk_says_the_change_was_not_saved(small_tmpfs: Path) -> None:
    """Pressing `s` on a full disk said `triage database error: cannot rollback - no transaction
    is active`: SQLite had already rolled back, and the message was SQLite's."""
    from paperbrowse.triage import TriageError, TriageStore

    data = small_tmpfs / "data"
    data.mkdir()
    store = TriageStore(data / "state.db")
    store.set(["aaaaaaaaaaaa"], "starred", True)
    filler = fill_disk(small_tmpfs)
    many = [f"{n:012x}" for n in range(20000)]  # more than any page the WAL has spare
    with pytest.raises(TriageError) as caught:
        for _ in range(20):
            store.set(many, "read", True)
    message = str(caught.value)
    assert "disk is full" in message and "not saved" in message, message
    assert "rollback" not in message and "transaction" not in message, message
    assert len(message.splitlines()) == 1
    filler.unlink()
    # With room again the same store works, and nothing half-done was kept.
    store.set(["bbbbbbbbbbbb"], "starred", True)
    assert store.ids_with("starred") == {"aaaaaaaaaaaa", "bbbbbbbbbbbb"}
    store.close()


def test_triage_error_after_sqlite_rolled_back_says_the_change_was_not_saved(
    tmp_path: Path,
) -> None:
    """Without a tmpfs: a trigger makes SQLite fail the write with "database or disk is full"
    and roll the transaction back itself (RAISE(ROLLBACK)), as it does on a full disk."""
    import sqlite3

    from paperbrowse.triage import TriageError, TriageStore

    path = tmp_path / "state.db"
    store = TriageStore(path)
    store.set(["aaaaaaaaaaaa"], "starred", True)
    db = sqlite3.connect(path)
    db.execute(
        "CREATE TRIGGER full BEFORE UPDATE ON state "
        "BEGIN SELECT RAISE(ROLLBACK, 'database or disk is full'); END"
    )
    db.commit()
    db.close()
    with pytest.raises(TriageError) as caught:
        store.set(["aaaaaaaaaaaa"], "read", True)
    message = str(caught.value)
    assert "disk is full" in message and "not saved" in message, message
    assert "rollback" not in message, message
    assert store.get("aaaaaaaaaaaa").starred and not store.get("aaaaaaaaaaaa").read
    store.close()
