"""A read-only library (a mounted snapshot, a shared library) and a state.db deleted while the
browser runs.

- A real read-only mount (root: a tmpfs remounted read-only), a real `chmod -R a-w` seen by a
  non-root user (setpriv drops to `nobody`), and an injected EROFS: `search`, `show`, `stats`
  work with one notice line; `index` says the library is read-only, in one line.
- The browser (Pilot): a notification at start, and the triage keys say "read-only library";
  a deleted state.db is recreated and the browser says so.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from paperbrowse import triage as triage_module
from paperbrowse.library import Library
from paperbrowse.models import Filters
from paperbrowse.triage import TriageStore
from paperbrowse.tui.app import PaperBrowser, make_browser
from paperbrowse.tui.main_screen import MainScreen
from paperbrowse.tui.pilot import settle
from tests.functional.pilot_helpers import record_notices

REPO = Path(__file__).resolve().parents[2]
SAMPLE_DIR = REPO / "paperbrowse" / "sample"
SIZE = (120, 36)


def run(data_dir: Path, *args: str, prefix: list[str] | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    return subprocess.run(
        [*(prefix or []), sys.executable, "-m", "paperbrowse", "--data-dir", str(data_dir), *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        env=env,
        timeout=180,
        stdin=subprocess.DEVNULL,
    )


def build(data: Path) -> list[str]:
    """The sample library with four stars; returns the starred ids."""
    assert run(data, "index", str(SAMPLE_DIR)).returncode == 0
    library = Library(data)
    ids = sorted(library.search(Filters()).ids)[:4]
    library.close()
    store = TriageStore(data / "state.db")
    store.set(ids, "starred", True)
    store.close()
    return ids


def snapshot(data: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(data)): p.read_bytes() for p in sorted(data.rglob("*")) if p.is_file()
    }


def check_reading_works(data: Path, starred: list[str], prefix: list[str] | None = None) -> None:
    found = run(data, "search", "--state", "starred", "--format", "jsonl", prefix=prefix)
    assert found.returncode == 0, found.stderr
    assert sorted(json.loads(line)["id"] for line in found.stdout.splitlines()) == starred
    lines = found.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("paperbrowse: read-only library: "), lines
    for args in (["search", "pose", "--format", "titles"], ["show", starred[0]], ["stats"]):
        proc = run(data, *args, prefix=prefix)
        assert proc.returncode == 0, (args, proc.stderr)
        assert "Traceback" not in proc.stderr
        assert proc.stderr.startswith("paperbrowse: read-only library: ")
        assert len(proc.stderr.splitlines()) == 1
    index = run(data, "index", str(SAMPLE_DIR), prefix=prefix)
    assert index.returncode == 1
    assert len(index.stderr.splitlines()) == 1 and "Traceback" not in index.stderr
    assert "is read-only" in index.stderr and str(data) in index.stderr, index.stderr


class Mount:
    """A tmpfs mount point that can be remounted read-only."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def freeze(self) -> None:
        subprocess.run(["mount", "-o", "remount,ro", str(self.path)], check=True)


@pytest.fixture
def tmpfs(tmp_path: Path) -> Iterator[Mount]:
    """A 64 MB tmpfs, unmounted afterwards. Needs root and mount rights."""
    mount = tmp_path / "mnt"
    mount.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting needs root (the chmod test covers a non-root user)")
    proc = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", str(mount)], capture_output=True
    )
    if proc.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {proc.stderr.decode().strip()}")
    try:
        yield Mount(mount)
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_a_read_only_mount_searches_with_read_only_triage(tmpfs: Mount) -> None:
    data = tmpfs.path / "data"
    starred = build(data)
    before = snapshot(data)
    tmpfs.freeze()
    check_reading_works(data, starred)
    assert snapshot(data) == before


def test_chmod_a_minus_w_as_a_user_searches_with_read_only_triage() -> None:
    """`chmod -R a-w` only stops a user who is not root: run paperbrowse as `nobody`."""
    setpriv = shutil.which("setpriv")
    if os.geteuid() != 0 or not setpriv:
        pytest.skip("dropping to another user needs root and setpriv")
    base = Path(tempfile.mkdtemp(prefix="paperbrowse-ro-", dir="/tmp"))
    try:
        os.chmod(base, 0o755)
        data = base / "data"
        starred = build(data)
        before = snapshot(data)
        for root, dirs, names in os.walk(base):
            for name in dirs + names:
                os.chown(Path(root) / name, 65534, 65534)
        os.chown(base, 65534, 65534)
        subprocess.run(["chmod", "-R", "a-w", str(data)], check=True)
        prefix = [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups"]
        probe = subprocess.run([*prefix, sys.executable, "-c", "import paperbrowse.cli"], cwd=REPO)
        if probe.returncode != 0:
            pytest.skip("the user nobody cannot run this Python")
        check_reading_works(data, starred, prefix=prefix)
        assert snapshot(data) == before
    finally:
        subprocess.run(["chmod", "-R", "u+w", str(base)], check=False)
        shutil.rmtree(base, ignore_errors=True)


EROFS = textwrap.dedent(
    """
    import errno, os, sys
    from paperbrowse.cli import main

    data = sys.argv[1]
    real_open = os.open

    def read_only_open(path, flags, *args, **kwargs):
        if str(path).startswith(data) and flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT):
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(path))
        return real_open(path, flags, *args, **kwargs)

    os.open = read_only_open
    sys.exit(main(["--data-dir", data, *sys.argv[2:]]))
    """
)


def test_index_on_an_injected_read_only_file_system_is_one_line(tmp_path: Path) -> None:
    data = tmp_path / "data"
    build(data)
    before = snapshot(data)
    proc = subprocess.run(
        [sys.executable, "-c", EROFS, str(data), "index", str(SAMPLE_DIR)],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
    )
    assert proc.returncode == 1
    lines = proc.stderr.splitlines()
    assert len(lines) == 1 and "is read-only (Read-only file system)" in lines[0], lines
    assert snapshot(data) == before


# -- the browser ----------------------------------------------------------------------------


def main(app: PaperBrowser) -> MainScreen:
    screen = app.screen
    assert isinstance(screen, MainScreen)
    return screen


async def test_browser_on_a_read_only_library_says_so_and_triage_keys_refuse(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(triage_module, "can_write", lambda path: False)
    before = (data_dir / "state.db").read_bytes() if (data_dir / "state.db").exists() else None
    app = make_browser(data_dir, cursor_blink=False, use_settings=False)
    # Every notice, kept: a toast leaves the screen when its timeout passes, which a loaded
    # machine can outlast between the first key and the check.
    notices = record_notices(app)
    library, store = app.library, app.triage
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert any(m.startswith("read-only library: ") for m in notices)
        count = len(notices)
        for key in ("s", "r", "x"):
            await pilot.press(key)
            await settle(pilot)
        new = notices[count:]
        assert len(new) == 3 and all(m.startswith("read-only library: ") for m in new), new
        assert main(app).paper_list.count == 262  # browsing goes on
    library.close()
    store.close()
    after = (data_dir / "state.db").read_bytes() if (data_dir / "state.db").exists() else None
    assert after == before


async def test_deleting_state_db_while_the_browser_runs_is_noticed(data_dir: Path) -> None:
    app = make_browser(data_dir, cursor_blink=False, use_settings=False)
    notices = record_notices(app)  # kept when the toasts time out
    library, store = app.library, app.triage
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        first = main(app).current
        assert first is not None
        for suffix in ("", "-wal", "-shm"):
            (data_dir / f"state.db{suffix}").unlink(missing_ok=True)
        await pilot.press("j", "s")
        await settle(pilot)
        second = main(app).current
        assert second is not None and second.id != first.id
        messages = notices
        assert any("was deleted while paperbrowse ran" in m for m in messages), messages
        assert messages[-1] == "paper starred"  # and the star is really saved
    library.close()
    store.close()
    fresh = TriageStore(data_dir / "state.db", writable=False)
    assert fresh.ids_with("starred") == {second.id}
    fresh.close()
