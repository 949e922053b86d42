"""Concurrency: two `paperbrowse index` runs at once, readers during a run, and two writers of
triage state at once. Real processes throughout: the guarantees are about processes."""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from benchmarks.generate import generate
from paperbrowse.indexer import MULTIPROCESS_FROM, index_sources
from paperbrowse.library import Library
from paperbrowse.models import Filters, TriageState, paper_id
from paperbrowse.pages import parse_file
from paperbrowse.sources import collect_sources
from paperbrowse.triage import TriageStore

REPO = Path(__file__).resolve().parents[2]
SAMPLE_DIR = REPO / "paperbrowse" / "sample"
HEADER = (
    "new\n\nGet trending papers in your email inbox!\n\nSubscribe\n\n"
    "byAK and the research community\n\nNov 13\n\n"
)
# Big enough that a run holds the write lock for a few seconds, small enough for the
# one-process writer (the two-process one is exercised in test_faults.py).
RUN_PAPERS = 3000
assert RUN_PAPERS < MULTIPROCESS_FROM


def run(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "paperbrowse", "--data-dir", str(data_dir), *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=180,
        stdin=subprocess.DEVNULL,
    )


def ids_in(data_dir: Path) -> set[str]:
    library = Library(data_dir)
    try:
        return set(library.search(Filters()).ids)
    finally:
        library.close()


def ids_of(*dumps: Path) -> set[str]:
    """The ids the parser finds in the dumps: what an index run of them must add."""
    return {p.id for dump in dumps for p in parse_file(dump).papers}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("corpus")
    generate(out, RUN_PAPERS, seed=5)
    return out


@pytest.fixture(scope="module")
def library_a(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("library-a") / "data"
    sources, _ = collect_sources([str(SAMPLE_DIR)])
    index_sources(data, sources)
    return data


def test_two_index_runs_at_once(library_a: Path, corpus: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(library_a, data)
    ids_a = ids_in(data)
    second = tmp_path / "second.txt"
    body = "".join(f"Second Run Paper {n}\n\nAn abstract about {n} things.\n\n" for n in range(20))
    second.write_text(HEADER + body, "utf-8")

    first = subprocess.Popen(
        [sys.executable, "-m", "paperbrowse", "--data-dir", str(data), "index", str(corpus)],
        cwd=REPO,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        # The first run writes into index-1 only while it holds the write lock.
        before = set((data / "index-1").iterdir())
        started = time.monotonic()
        while not set((data / "index-1").iterdir()) - before:
            assert first.poll() is None, "the first run ended before the second could start"
            assert time.monotonic() - started < 120
            time.sleep(0.02)

        # A second writer is told at once, in one line, and changes nothing.
        busy_started = time.monotonic()
        busy = run(data, "index", str(second))
        assert busy.returncode == 1, busy.stderr
        assert busy.stderr.splitlines() == [
            f"paperbrowse: the library in {data} is being updated by another paperbrowse; "
            "try again when it finishes"
        ]
        assert time.monotonic() - busy_started < 30
        # Readers are not blocked: they see the last completed run.
        assert first.poll() is None, "the first run ended too soon to test a reader during it"
        reader = run(data, "search", "--format", "titles", "--limit", "0")
        assert reader.returncode == 0, reader.stderr
        assert len(reader.stdout.splitlines()) == len(ids_a)
    finally:
        out, err = first.communicate(timeout=300)
    assert first.returncode == 0, err

    expected = ids_a | ids_of(*sorted(corpus.glob("*.txt")))
    assert ids_in(data) == expected  # the first run's papers, none of the second's
    retry = run(data, "index", str(second))
    assert retry.returncode == 0, retry.stderr
    assert ids_in(data) == expected | ids_of(second)
    titles = run(data, "search", "--format", "titles", "--limit", "0").stdout.splitlines()
    assert "Second Run Paper 7" in titles


# ---------------------------------------------------------------------------------------------
# triage: two writers at once

# One writer process: waits for "go", then toggles `flag` on each of its ids `rounds` times,
# one transaction per toggle, interleaving ids so both writers hit the same rows constantly.
WRITER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from paperbrowse.triage import TriageStore

    db, flag, rounds, *ids = sys.argv[1:]
    store = TriageStore(Path(db))
    print("ready", flush=True)
    sys.stdin.readline()
    for _ in range(int(rounds)):
        for pid in ids:
            store.toggle([pid], flag)
    store.close()
    print("done", flush=True)
    """
)


def test_two_processes_writing_triage_lose_nothing(tmp_path: Path) -> None:
    db = tmp_path / "state.db"
    TriageStore(db).close()
    shared = [paper_id(f"shared {n}") for n in range(10)]  # both writers, different flags
    own = [paper_id(f"own {n}") for n in range(10)]  # the second writer only
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(db), flag, str(rounds), *ids],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=REPO,
        )
        for flag, rounds, ids in (("starred", 41, shared), ("read", 40, shared + own))
    ]
    for writer in writers:
        assert writer.stdout is not None and writer.stdout.readline() == "ready\n"
    for writer in writers:  # start both at once
        assert writer.stdin is not None
        writer.stdin.write("go\n")
        writer.stdin.flush()
    for writer in writers:
        out, err = writer.communicate(timeout=120)
        assert writer.returncode == 0 and out == "done\n", err

    store = TriageStore(db)
    states = store.get_many(shared + own)
    store.close()
    # 41 toggles of starred (odd: set), 40 of read (even: clear), on the same rows at once.
    assert {pid: states[pid] for pid in shared} == {
        pid: TriageState(read=False, starred=True, hidden=False) for pid in shared
    }
    assert {pid: states[pid] for pid in own} == {pid: TriageState() for pid in own}


def test_two_stores_interleaved_never_overwrite_each_other(tmp_path: Path) -> None:
    """Two browsers on one library: each change touches only its own flag, and undo restores
    only what that change altered."""
    db = tmp_path / "state.db"
    one, two = TriageStore(db), TriageStore(db)
    ids = [paper_id(f"paper {n}") for n in range(30)]
    for n, pid in enumerate(ids):
        one.set([pid], "starred", True)
        two.set([pid], "read", n % 2 == 0)
        if n % 3 == 0:
            two.toggle([pid], "hidden")
    change = one.set(ids[:10], "hidden", True)  # a bulk action...
    two.set(ids[:5], "read", True)  # ...another store's edit on the same rows...
    one.undo(change)  # ...then the first undoes its bulk action
    states = two.get_many(ids)
    for n, pid in enumerate(ids):
        assert states[pid].starred
        assert states[pid].read == (n % 2 == 0 or n < 5)
        assert states[pid].hidden == (n % 3 == 0)
    one.close()
    two.close()
