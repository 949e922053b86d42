"""state.db on the real disk: readers leave every file as it was, and the browser starts on a
completely full disk with read-only triage.

- Every reading command (`search`, `show`, `stats`, `tags`, `state export`, `dumps`, and the
  triage read by `similar` and `new`) run as a subprocess on a library whose state.db has no
  `-wal`/`-shm`: the files next to state.db, their sizes and mtimes are unchanged (SQLite's
  read-only mode had left `state.db-wal` and `state.db-shm` behind, on a full disk a 3-byte
  `-shm`).
- With a browser running (Pilot) and starring, a `search --state starred` subprocess sees its
  stars.
- A real full disk (a tmpfs filled completely; skipped where mounting is not permitted): the
  browser opens with the notice `disk full: …`, `s` says the change was not saved, searching
  keeps working, and no file is left behind.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from paperbrowse.library import Library
from paperbrowse.models import Filters
from paperbrowse.tui.app import PaperBrowser, make_browser
from paperbrowse.tui.main_screen import MainScreen
from paperbrowse.tui.pilot import settle
from tests.functional.disk import fill_disk

REPO = Path(__file__).resolve().parents[2]
SAMPLE_DIR = REPO / "paperbrowse" / "sample"
SIZE = (120, 36)


def run(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "paperbrowse", "--data-dir", str(data_dir), *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        env=dict(os.environ, PYTHONDONTWRITEBYTECODE="1"),
        timeout=180,
        stdin=subprocess.DEVNULL,
    )


def state_files(data: Path) -> dict[str, tuple[int, int]]:
    """state.db and whatever SQLite keeps beside it: name -> (size, mtime in ns)."""
    return {
        p.name: (p.stat().st_size, p.stat().st_mtime_ns)
        for p in data.iterdir()
        if p.name.startswith("state.db")
    }


def tree(data: Path) -> dict[str, tuple[int, int]]:
    """Every file and folder of the data dir: relative path -> (size, mtime in ns)."""
    found = {".": (0, data.stat().st_mtime_ns)}
    for path in data.rglob("*"):
        info = path.stat()
        size = info.st_size if path.is_file() else 0
        found[str(path.relative_to(data))] = (size, info.st_mtime_ns)
    return found


def starred_ids(data: Path) -> list[str]:
    found = run(data, "search", "--state", "starred", "--format", "jsonl")
    assert found.returncode == 0, found.stderr
    return sorted(json.loads(line)["id"] for line in found.stdout.splitlines())


def triage_some(data: Path) -> list[str]:
    """Star and tag four papers with a store that is then closed (no -wal, no -shm left)."""
    library = Library(data)
    ids = sorted(library.search(Filters()).ids)[:4]
    library.close()
    assert run(data, "star", *ids).returncode == 0
    assert run(data, "tag", ids[0], "+to-read").returncode == 0
    assert sorted(p.name for p in data.iterdir() if p.name.startswith("state.db")) == ["state.db"]
    return ids


READERS = [
    ["search", "pose", "--format", "jsonl"],
    ["search", "--state", "starred"],
    ["show", "{id}"],
    ["stats"],
    ["tags"],
    ["state", "export"],
    ["dumps"],
]


@pytest.mark.parametrize("args", READERS, ids=lambda a: " ".join(a))
def test_a_reader_leaves_the_data_dir_as_it_was(data_dir: Path, args: list[str]) -> None:
    ids = triage_some(data_dir)
    before = tree(data_dir)
    proc = run(data_dir, *(a.replace("{id}", ids[0]) for a in args))
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    assert tree(data_dir) == before


@pytest.mark.parametrize("args", [["similar", "{id}"], ["new"]], ids=lambda a: a[0])
def test_readers_that_keep_caches_leave_state_db_as_it_was(data_dir: Path, args: list[str]) -> None:
    """`similar` keeps a feature cache and `new` the time of the last look (their own files):
    the triage they read is read without a write."""
    ids = triage_some(data_dir)
    before = state_files(data_dir)
    proc = run(data_dir, *(a.replace("{id}", ids[0]) for a in args))
    assert proc.returncode == 0, proc.stderr
    assert state_files(data_dir) == before


def main(app: PaperBrowser) -> MainScreen:
    screen = app.screen
    assert isinstance(screen, MainScreen)
    return screen


def said_by(app: PaperBrowser) -> list[str]:
    """Every message the app notifies from now on, kept: a toast leaves `app._notifications`
    when its timeout passes, which a loaded machine can outlast between two checks."""
    messages: list[str] = []
    notify = app.notify

    def kept(message: str, *args: Any, **kwargs: Any) -> None:
        messages.append(str(message))
        notify(message, *args, **kwargs)

    app.notify = kept  # type: ignore[method-assign]
    return messages


async def test_a_reader_sees_the_stars_of_a_running_browser(data_dir: Path) -> None:
    ids = triage_some(data_dir)
    app = make_browser(data_dir, cursor_blink=False, use_settings=False)
    messages = said_by(app)
    library, store = app.library, app.triage
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        current = main(app).current
        assert current is not None
        await pilot.press("s")
        await settle(pilot)
        assert messages[-1] == "paper starred"
        expected = sorted({*ids, current.id} if current.id not in ids else set(ids) - {current.id})
        assert starred_ids(data_dir) == expected  # the browser's store is still open
    library.close()
    store.close()


# -- a real, completely full disk ------------------------------------------------------------


async def test_the_browser_starts_on_a_completely_full_disk(small_tmpfs: Path) -> None:
    """It exited with `state.db: triage database error: disk I/O error` (WAL's -shm could not
    be made), leaving a 3-byte -shm."""
    data = small_tmpfs / "data"
    assert run(data, "index", str(SAMPLE_DIR)).returncode == 0
    starred = triage_some(data)
    filler = fill_disk(small_tmpfs)
    before = tree(data)
    for args in READERS:  # every reader works there and writes nothing
        proc = run(data, *(a.replace("{id}", starred[0]) for a in args))
        assert proc.returncode == 0 and proc.stderr == "", (args, proc.stderr)
    assert starred_ids(data) == starred
    assert tree(data) == before
    del before["."]  # the browser tries to write (each attempt made and removed a -shm)
    app = make_browser(data, cursor_blink=False, use_settings=False)
    messages = said_by(app)
    library, store = app.library, app.triage
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        opening = list(messages)
        assert any(m.startswith("disk full: triage ") for m in opening), opening
        inbox = main(app).paper_list.count
        assert inbox > 0
        await pilot.press("s")
        await settle(pilot)
        said = messages[-1]
        assert said.startswith("disk full: the change was not saved"), said
        assert len(said.splitlines()) == 1
        await pilot.press("slash", *"pose", "enter")  # searching goes on
        await settle(pilot)
        assert 0 < main(app).paper_list.count < inbox  # noqa: SIM300
    library.close()
    store.close()
    after = tree(data)
    del after["."]
    assert after == before  # no -shm, no -wal, no file changed
    assert starred_ids(data) == starred  # nothing lost
    filler.unlink()
    assert run(data, "star", *starred[:1]).returncode == 0  # room again: triage is saved
