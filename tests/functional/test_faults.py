"""Faults: `kill -9` during indexing, a damaged index, a damaged or locked `state.db`, a full or
read-only disk, and the privacy of what paperbrowse writes.

Each test breaks something for real (a SIGKILL, a truncated file, a held SQLite lock) or, where
the machine cannot (tests run as root, so a chmod stops nothing), injects the operating system's
error into a real `paperbrowse` process. Afterwards the library must open, hold exactly what the
last completed run put in it, and take a new run; every message must be one line.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from benchmarks.generate import generate
from paperbrowse.indexer import MULTIPROCESS_FROM
from paperbrowse.library import Library
from paperbrowse.manifest import write_lock
from paperbrowse.models import Filters, paper_id
from paperbrowse.pages import parse_file
from paperbrowse.sources import collect_sources
from paperbrowse.triage import TriageError, TriageStore
from tests.indexing import index_into

REPO = Path(__file__).resolve().parents[2]
SAMPLE_DIR = REPO / "paperbrowse" / "sample"
# 50,000 papers, as the hardening issue asks: a run this size uses the two-process writer
# (MULTIPROCESS_FROM) whose sub-processes a kill leaves behind, and its commit is reached in
# well under a minute.
BIG_RUN = 50_000
HEADER = (
    "new\n\nGet trending papers in your email inbox!\n\nSubscribe\n\n"
    "byAK and the research community\n\nNov 13\n\n"
)
ABSTRACT = "We study a problem in depth. Our method works well on many benchmarks and datasets."


def run(data_dir: Path, *args: str, timeout: float = 120, **kwargs) -> subprocess.CompletedProcess:
    """`python -m paperbrowse --data-dir D ARGS`, text output captured."""
    return subprocess.run(
        [sys.executable, "-m", "paperbrowse", "--data-dir", str(data_dir), *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
        **kwargs,
    )


def one_line_error(proc: subprocess.CompletedProcess, code: int = 1) -> str:
    """The single stderr line of a failed command (no traceback, no second line)."""
    assert proc.returncode == code, (proc.returncode, proc.stderr)
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("paperbrowse: ")
    return lines[0]


def ids_in(data_dir: Path) -> set[str]:
    """Every paper id the library in `data_dir` returns, read in this process."""
    library = Library(data_dir)
    try:
        return set(library.search(Filters()).ids)
    finally:
        library.close()


def write_dump(path: Path, titles: list[str]) -> Path:
    path.write_text(HEADER + "".join(f"{t}\n\n{ABSTRACT} ({t})\n\n" for t in titles), "utf-8")
    return path


def fingerprint(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def small_library(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, set[str]]:
    """Run A: the sample dumps indexed (completed). Copy it; never write to it."""
    data = tmp_path_factory.mktemp("run-a") / "data"
    library = Library(data)
    sources, problems = collect_sources([str(SAMPLE_DIR)])
    assert not problems and not index_into(library, sources).failures
    library.close()
    ids = ids_in(data)
    assert len(ids) == 262
    return data, ids


@pytest.fixture
def library_a(small_library: tuple[Path, set[str]], tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(small_library[0], target)
    return target


# ---------------------------------------------------------------------------------------------
# kill -9 during `paperbrowse index`


@pytest.fixture(scope="module")
def big_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Run B's dumps: BIG_RUN synthetic papers (generated once, about 10 s)."""
    out = tmp_path_factory.mktemp("corpus-b")
    summary = generate(out, BIG_RUN, seed=11)
    assert summary.distinct == BIG_RUN
    return out


def _entries(folder: Path) -> set[str]:
    try:
        return set(os.listdir(folder))
    except FileNotFoundError:
        return set()


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def _kill(proc: subprocess.Popen) -> None:
    """SIGKILL the `index` process alone, as `kill -9 PID` does. The writer processes it forked
    for a big run must notice and exit too, not wait for jobs for ever as orphans."""
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(30)
    deadline = time.monotonic() + 15
    while _group_alive(proc.pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    orphans = _group_alive(proc.pid)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)  # whatever is left, so that the test goes on alone
    assert not orphans, "writer processes outlived the killed `paperbrowse index`"


# When to kill: each waits for a sign of the phase the run is in, so the points hold on a slow
# machine as on a fast one. `new` is what appeared in the watched index dir since the start.
KILL_POINTS: dict[str, Callable[[float, set[str]], bool]] = {
    # Still reading and parsing dumps: nothing written to the index yet.
    "reading": lambda elapsed, new: elapsed > 0.7 or bool(new),
    # Papers are being handed to the writer processes (job files, postings files).
    "writing": lambda elapsed, new: len(new) >= 3 and elapsed > 2.5,
    # The commit: the segments' column files are being written.
    "committing": lambda elapsed, new: any(n.endswith((".col", ".seg", ".toc")) for n in new),
}


@pytest.mark.parametrize("point", list(KILL_POINTS))
def test_kill_9_during_index_keeps_the_last_completed_run(
    point: str,
    library_a: Path,
    small_library: tuple[Path, set[str]],
    big_corpus: Path,
    tmp_path: Path,
) -> None:
    ids_a = small_library[1]
    watched = library_a / "index-1"
    before = _entries(watched)
    proc = subprocess.Popen(
        [sys.executable, "-m", "paperbrowse", "--data-dir", str(library_a), "index"]
        + [str(SAMPLE_DIR), str(big_corpus)],
        cwd=REPO,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its own process group, to find its orphans
    )
    started = time.monotonic()
    ready = KILL_POINTS[point]
    try:
        while not ready(time.monotonic() - started, _entries(watched) - before):
            assert proc.poll() is None, f"the run ended before the {point!r} kill point"
            assert time.monotonic() - started < 300, f"no {point!r} phase after 300 s"
            time.sleep(0.02)
    finally:
        _kill(proc)

    # The library opens and holds exactly run A's papers; the lock died with the process.
    assert ids_in(library_a) == ids_a
    assert sorted(Library(library_a).manifest()["sources"]) == sorted(
        p.name for p in SAMPLE_DIR.glob("*.txt")
    )
    search = run(library_a, "search", "--format", "jsonl", "--limit", "0")
    assert search.returncode == 0, search.stderr
    assert len(search.stdout.splitlines()) == len(ids_a)

    # And a new run completes: the killed run's debris neither blocks nor leaks into it.
    extra = write_dump(tmp_path / "extra.txt", ["A Paper Added After The Kill"])
    again = run(library_a, "index", str(SAMPLE_DIR), str(extra))
    assert again.returncode == 0, again.stderr
    after = ids_in(library_a)
    assert after - ids_a == {paper_id("A Paper Added After The Kill")}
    assert ids_a <= after


def _group_size(pgid: int) -> int:
    """How many processes are in the process group `pgid` (Linux /proc)."""
    count = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[-1].split()
        if len(fields) > 2 and int(fields[2]) == pgid:
            count += 1
    return count


@pytest.mark.parametrize("point", ["reading", "writing"])
def test_ctrl_c_during_index_exits_130_without_a_traceback(
    point: str,
    library_a: Path,
    small_library: tuple[Path, set[str]],
    big_corpus: Path,
) -> None:
    """Ctrl+C on a terminal sends SIGINT to the whole foreground process group: the `index`
    process and the writer processes of a big run. Each writer printed a KeyboardInterrupt
    traceback (`Process _QuietSubWriterTask-2:` ... whoosh/multiproc.py)."""
    if not Path("/proc/self/stat").exists():
        pytest.skip("needs Linux /proc to see the writer processes")
    proc = subprocess.Popen(
        [sys.executable, "-m", "paperbrowse", "--data-dir", str(library_a), "index"]
        + [str(SAMPLE_DIR), str(big_corpus)],
        cwd=REPO,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group, as a terminal's foreground job
    )
    started = time.monotonic()
    try:
        if point == "reading":
            time.sleep(0.7)
        else:  # the writer processes are at work: the group holds more than `index` itself
            while _group_size(proc.pid) < 3 or time.monotonic() - started < 1:
                assert proc.poll() is None, "the run ended before its writers started"
                assert time.monotonic() - started < 300, "no writer processes after 300 s"
                time.sleep(0.05)
            time.sleep(1.0)
        assert proc.poll() is None, f"the run ended before the {point!r} point"
        os.killpg(proc.pid, signal.SIGINT)
        _, stderr = proc.communicate(timeout=60)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 130, stderr
    assert "Traceback" not in stderr and "KeyboardInterrupt" not in stderr, stderr
    assert "Process " not in stderr, stderr
    # One line says what the interrupted run left (the progress bar needs a terminal).
    assert stderr.strip().splitlines()[-1:] == [
        "paperbrowse: interrupted; the library is as it was before this run"
    ], stderr
    deadline = time.monotonic() + 15
    while _group_alive(proc.pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _group_alive(proc.pid), "writer processes outlived the interrupted run"
    assert ids_in(library_a) == small_library[1]


def test_kill_9_during_rebuild_keeps_the_previous_generation(
    library_a: Path, small_library: tuple[Path, set[str]], big_corpus: Path
) -> None:
    """A rebuild writes a new index-N beside the old one; killed, the old one stays current and
    the next run clears the half-written directory."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "paperbrowse", "--data-dir", str(library_a), "index", "--rebuild"]
        + [str(big_corpus)],
        cwd=REPO,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    started = time.monotonic()
    try:
        while len(_entries(library_a / "index-2")) < 4 or time.monotonic() - started < 2:
            assert proc.poll() is None, "the rebuild ended before it could be killed"
            assert time.monotonic() - started < 300
            time.sleep(0.02)
    finally:
        _kill(proc)
    assert Library(library_a).manifest()["index"] == "index-1"
    assert ids_in(library_a) == small_library[1]
    assert (library_a / "index-2").exists()  # the half-built generation the kill left
    # The next run of any kind clears it, not only the next rebuild: here one that finds every
    # dump unchanged.
    unchanged = run(library_a, "index", str(SAMPLE_DIR))
    assert unchanged.returncode == 0, unchanged.stderr
    assert [p.name for p in library_a.glob("index-*")] == ["index-1"]
    again = run(library_a, "index", "--rebuild")
    assert again.returncode == 0, again.stderr
    assert ids_in(library_a) == small_library[1]
    current = Library(library_a).manifest()["index"]
    assert [p.name for p in library_a.glob("index-*")] == [current]  # no debris left


# ---------------------------------------------------------------------------------------------
# a damaged index


def _star_some(data_dir: Path, ids: set[str]) -> list[str]:
    starred = sorted(ids)[:5]
    store = TriageStore(data_dir / "state.db")
    store.set(starred, "starred", True)
    store.set(starred[:2], "read", True)
    store.close()
    return starred


@pytest.mark.parametrize("damage", ["truncate segment", "delete segment", "delete index dir"])
def test_damaged_index_says_how_to_recover_and_rebuild_keeps_triage(
    damage: str, library_a: Path, small_library: tuple[Path, set[str]], tmp_path: Path
) -> None:
    ids_a = small_library[1]
    starred = _star_some(library_a, ids_a)
    state_before = fingerprint(library_a / "state.db")
    segments = sorted((library_a / "index-1").glob("*.seg"))
    assert segments
    if damage == "truncate segment":
        with open(segments[0], "r+b") as handle:
            handle.truncate(segments[0].stat().st_size // 2)
    elif damage == "delete segment":
        segments[0].unlink()
    else:
        shutil.rmtree(library_a / "index-1")

    for args in (["search", "pose"], ["search", "--format", "jsonl"], ["stats"]):
        line = one_line_error(run(library_a, *args))
        assert "damaged" in line and "paperbrowse index --rebuild" in line, line
    # Adding a dump to a damaged index says the same, rather than failing with a traceback or
    # (index dir gone) starting an empty index that silently drops the recorded dumps.
    extra = write_dump(tmp_path / "extra.txt", ["A New Paper"])
    line = one_line_error(run(library_a, "index", str(extra)))
    assert "paperbrowse index --rebuild" in line, line

    rebuilt = run(library_a, "index", "--rebuild")
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert ids_in(library_a) == ids_a
    assert fingerprint(library_a / "state.db") == state_before  # triage untouched
    stars = run(library_a, "search", "--state", "starred", "--format", "jsonl")
    assert stars.returncode == 0, stars.stderr
    rows = [json.loads(line) for line in stars.stdout.splitlines()]
    assert sorted(row["id"] for row in rows) == starred
    assert sum(row["state"]["read"] for row in rows) == 2


# ---------------------------------------------------------------------------------------------
# a damaged or locked state.db


@pytest.fixture
def with_triage(library_a: Path, small_library: tuple[Path, set[str]]) -> Path:
    """state.db with five stars; closed, so all of it is in the main file (no WAL)."""
    _star_some(library_a, small_library[1])
    assert not (library_a / "state.db-wal").exists()
    return library_a / "state.db"


@pytest.mark.parametrize(
    "damage",
    [
        lambda b: b"this is not a database, it is a text file\n" * 100,
        lambda b: b[: len(b) // 2],
        lambda b: b"X" * 16 + b[16:],  # the header's magic string
        lambda b: b[:4096] + b"\xff" * 4096 + b[8192:],  # a page of garbage
    ],
    ids=["garbage", "truncated", "bad header", "bad page"],
)
def test_damaged_state_db_is_reported_and_never_reset(
    damage: Callable[[bytes], bytes], with_triage: Path
) -> None:
    db = with_triage
    damaged = damage(db.read_bytes())
    db.write_bytes(damaged)
    some_id = sorted(ids_in(db.parent))[0]
    for args in (["search", "--state", "starred"], ["search", "pose"], ["show", some_id]):
        line = one_line_error(run(db.parent, *args))
        assert str(db) in line and "damaged" in line and "move it aside" in line, line
        assert db.read_bytes() == damaged  # never silently reset or "repaired"


# Holds state.db the way another program would, from another process: POSIX locks belong to a
# process, and this one reading the file (to fingerprint it) would silently drop its own.
HOLDER = textwrap.dedent(
    """
    import sqlite3, sys
    holder = sqlite3.connect(sys.argv[1], isolation_level=None)
    if sys.argv[2] == "exclusive-mode":
        holder.execute("PRAGMA locking_mode=EXCLUSIVE")
    holder.execute("BEGIN EXCLUSIVE")
    holder.execute("INSERT OR REPLACE INTO state (id, hidden) VALUES ('ffffffffffff', 1)")
    print("locked", flush=True)
    sys.stdin.read()  # until the test closes our stdin
    holder.execute("ROLLBACK")
    """
)


@contextlib.contextmanager
def lock_held(db: Path, mode: str) -> Iterator[None]:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(db), mode],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "locked\n"
        yield
    finally:
        assert holder.stdin is not None
        holder.stdin.close()
        holder.wait(30)


def test_locked_state_db_gives_a_one_line_error_in_bounded_time(with_triage: Path) -> None:
    """Another program holds state.db exclusively (SQLite's exclusive locking mode, which
    even WAL readers cannot pass) with a change not yet committed. A reader (`search`) answers
    at once from the last committed state without touching the files (it reads the main file
    as immutable: no log holds committed pages); a writer gives up in bounded time with one
    line naming the file."""
    db = with_triage
    with lock_held(db, "exclusive-mode"):
        before = fingerprint(db)
        started = time.monotonic()
        proc = run(db.parent, "search", "--state", "starred", "--format", "titles", timeout=60)
        assert proc.returncode == 0, proc.stderr
        assert len(proc.stdout.splitlines()) == 5
        assert time.monotonic() - started < 30
        assert fingerprint(db) == before
        started = time.monotonic()
        proc = run(db.parent, "star", "aaaaaaaaaaaa", timeout=60)
        elapsed = time.monotonic() - started
        line = one_line_error(proc)
        assert "locked" in line and str(db) in line, line
        assert elapsed < 30, f"took {elapsed:.1f} s to report the lock"
        assert fingerprint(db) == before
    # Released: the stars are all there, and the holder's rolled-back change is not.
    proc = run(db.parent, "search", "--state", "starred", "--format", "titles")
    assert proc.returncode == 0 and len(proc.stdout.splitlines()) == 5
    store = TriageStore(db)
    assert store.ids_with("hidden") == set()
    store.close()


def test_a_writer_holding_state_db_does_not_block_readers(with_triage: Path) -> None:
    """An exclusive *transaction* (the browser writing a flag) leaves WAL readers free: `search`
    answers at once from the last committed state."""
    with lock_held(with_triage, "transaction"):
        started = time.monotonic()
        proc = run(with_triage.parent, "search", "--state", "starred", "--format", "titles")
        assert proc.returncode == 0, proc.stderr
        assert len(proc.stdout.splitlines()) == 5
        assert time.monotonic() - started < 30


def test_triage_write_while_locked_raises_a_clear_error(with_triage: Path) -> None:
    store = TriageStore(with_triage)
    with lock_held(with_triage, "transaction"):
        started = time.monotonic()
        with pytest.raises(TriageError, match="locked by another program; try again"):
            store.set(["aaaaaaaaaaaa"], "starred", True)
        assert time.monotonic() - started < 30
    store.set(["aaaaaaaaaaaa"], "starred", True)  # works once the lock is gone
    assert "aaaaaaaaaaaa" in store.ids_with("starred")
    store.close()


# ---------------------------------------------------------------------------------------------
# full disk, read-only disk (injected: as root, chmod stops no write, and a tmpfs needs mount)

# Runs the real command line with Whoosh's file writes failing as the operating system fails
# them. WHO = "all" fails every process, "workers" only the sub-writer processes.
FAULT = textwrap.dedent(
    """
    import errno, os, sys
    from whoosh.filedb import filestore
    from paperbrowse.cli import main

    parent = os.getpid()
    code, who, after = sys.argv[1], sys.argv[2], int(sys.argv[3])
    written = [0]
    create_file = filestore.FileStorage.create_file

    def failing_create_file(self, name, *args, **kwargs):
        handle = create_file(self, name, *args, **kwargs)
        write = handle.file.write

        def failing_write(data):
            if who == "all" or os.getpid() != parent:
                written[0] += len(data)
                if written[0] > after:
                    raise OSError(getattr(errno, code), os.strerror(getattr(errno, code)))
            return write(data)

        handle.file.write = failing_write
        return handle

    filestore.FileStorage.create_file = failing_create_file
    sys.exit(main(sys.argv[4:]))
    """
)


def run_with_fault(
    data_dir: Path, code: str, who: str, after: int, *args: str
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", FAULT, code, who, str(after), "--data-dir", str(data_dir), *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=180,  # a hang fails the test instead of the whole run
        stdin=subprocess.DEVNULL,
    )


@pytest.mark.parametrize(
    ("code", "after", "reason"),
    [
        ("ENOSPC", 200_000, "No space left on device"),  # partway through the commit
        ("ENOSPC", 0, "No space left on device"),  # the first write
        ("EROFS", 0, "Read-only file system"),
        ("EIO", 50_000, "Input/output error"),
    ],
)
def test_disk_errors_while_indexing_keep_the_previous_library(
    code: str,
    after: int,
    reason: str,
    library_a: Path,
    small_library: tuple[Path, set[str]],
    tmp_path: Path,
) -> None:
    titles = [f"Written To A Full Disk, Part {n}" for n in range(300)]  # about 800 KB of index
    extra = write_dump(tmp_path / "extra.txt", titles)
    proc = run_with_fault(library_a, code, "all", after, "index", str(SAMPLE_DIR), str(extra))
    line = one_line_error(proc)
    assert reason in line and "as it was before this run" in line, line
    assert ids_in(library_a) == small_library[1]
    retry = run(library_a, "index", str(extra))
    assert retry.returncode == 0, retry.stderr
    assert ids_in(library_a) == small_library[1] | {paper_id(t) for t in titles}


def test_a_dying_writer_process_fails_the_run_instead_of_hanging(
    library_a: Path, small_library: tuple[Path, set[str]], big_corpus: Path
) -> None:
    """Big runs use two Whoosh writer processes. Whoosh's parent waited for ever on a queue its
    dead workers no longer read, and committed without their papers."""
    subset: list[str] = []
    papers = 0
    for dump in sorted(big_corpus.glob("*.txt")):  # just enough for the two-process writer
        subset.append(str(dump))
        papers += len(parse_file(dump).papers)
        if papers > MULTIPROCESS_FROM * 1.2:
            break
    started = time.monotonic()
    proc = run_with_fault(library_a, "ENOSPC", "workers", 500_000, "index", *subset)
    line = one_line_error(proc)
    # The writer processes say why they failed, in the README's words (they said only
    # "an index writer process failed (exit code 1, exit code 1)").
    assert "No space left on device" in line and "as it was before this run" in line, line
    assert "exit code" not in line, line
    assert time.monotonic() - started < 150
    assert ids_in(library_a) == small_library[1]


def test_data_dir_that_cannot_be_created_is_one_line(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    for args in (["index", str(SAMPLE_DIR)], ["search"], ["stats"]):
        proc = run(blocker / "data", *args)
        assert proc.returncode != 0
        assert "Traceback" not in proc.stderr
        assert len(proc.stderr.splitlines()) == 1, proc.stderr


# ---------------------------------------------------------------------------------------------
# privacy: the user's reading habits are the user's


def _modes(data_dir: Path) -> dict[str, int]:
    modes = {".": stat.S_IMODE(data_dir.stat().st_mode)}
    for root, dirs, files in os.walk(data_dir):
        for name in dirs + files:
            path = Path(root) / name
            modes[str(path.relative_to(data_dir))] = stat.S_IMODE(path.lstat().st_mode)
    return modes


@pytest.fixture
def umask_022() -> Iterator[None]:
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def test_cli_creates_everything_private_under_umask_022(tmp_path: Path, umask_022: None) -> None:
    data = tmp_path / "data"
    assert run(data, "index", str(SAMPLE_DIR)).returncode == 0
    assert run(data, "search", "--state", "starred").returncode == 1  # reads; creates nothing
    store = TriageStore(data / "state.db")  # WAL and shared-memory files while open
    store.set(["aaaaaaaaaaaa"], "read", True)
    assert run(data, "index", "--rebuild").returncode == 0
    modes = _modes(data)
    store.close()
    for name in ("state.db", "library.json", "write.lock", "index-2"):
        assert name in modes, sorted(modes)
    loose = {name: oct(mode) for name, mode in modes.items() if mode & 0o077}
    assert loose == {}
    assert modes["."] == 0o700 and modes["index-2"] == 0o700
    assert modes["state.db"] == modes["library.json"] == 0o600


def test_library_api_writes_a_private_index_under_umask_022(
    tmp_path: Path, umask_022: None
) -> None:
    data = tmp_path / "data"
    library = Library(data)
    sources, _ = collect_sources([str(SAMPLE_DIR)])
    index_into(library, sources)
    library.close()
    modes = _modes(data)
    index_files = {n: m for n, m in modes.items() if n.startswith("index-1")}
    assert len(index_files) > 2
    assert {n: oct(m) for n, m in index_files.items() if m & 0o077} == {}
    assert modes["library.json"] == 0o600 and modes["."] == 0o700
    assert os.umask(0o022) == 0o022  # the process umask is restored after the run


def test_library_api_write_lock_is_private(tmp_path: Path, umask_022: None) -> None:
    data = tmp_path / "data"
    with write_lock(data):
        pass
    assert stat.S_IMODE((data / "write.lock").stat().st_mode) & 0o077 == 0


def test_existing_loose_data_dir_is_tightened(tmp_path: Path, umask_022: None) -> None:
    data = tmp_path / "data"
    data.mkdir(mode=0o755)
    assert run(data, "index", str(SAMPLE_DIR)).returncode == 0
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
