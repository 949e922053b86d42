"""The real browser in a real pseudo-terminal: the UI draws on stderr (the pty), keys come from
stdin (the pty), and the selection goes to stdout (a file), as in `paperbrowse browse | tool`."""

from __future__ import annotations

import fcntl
import json
import os
import pty
import re
import select
import struct
import subprocess
import sys
import termios
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pty")

COLUMNS, ROWS = 120, 36
TIMEOUT = 30.0


class Terminal:
    """A child process with stdin and stderr on a pty, stdout to a file; the master is drained
    by a thread so the child never blocks writing the screen."""

    def __init__(self, data_dir: Path, out: Path, *args: str) -> None:
        self.master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLUMNS, 0, 0))
        env = dict(os.environ, TERM="xterm-256color", COLUMNS="", LINES="")
        env.pop("TEXTUAL", None)  # no devtools
        self.out = out
        with out.open("wb") as stdout:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "paperbrowse", "--data-dir", str(data_dir), *args],
                stdin=slave,
                stdout=stdout,
                stderr=slave,
                env=env,
                start_new_session=True,  # its own session: Ctrl+C in the test run stays ours
            )
        os.close(slave)
        self._screen = bytearray()
        self._lock = threading.Lock()
        self._reader = threading.Thread(target=self._drain, daemon=True)
        self._reader.start()

    def _drain(self) -> None:
        while True:
            try:
                ready, _, _ = select.select([self.master], [], [], 0.1)
                if not ready:
                    if self.proc.poll() is not None:
                        return
                    continue
                chunk = os.read(self.master, 65536)
            except OSError:  # EIO: the child closed the terminal
                return
            if not chunk:
                return
            with self._lock:
                self._screen += chunk

    def output(self) -> bytes:
        """Everything the child wrote to the terminal so far."""
        with self._lock:
            return bytes(self._screen)

    def wait_for(self, text: bytes) -> None:
        """Wait until `text` was drawn (fails after the timeout, or if the child exits)."""
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            if text in self.output():
                return
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        tail = self.output()[-2000:].decode("utf-8", "replace")
        raise AssertionError(f"{text!r} never appeared (exit {self.proc.poll()}): {tail!r}")

    def send(self, keys: str) -> None:
        """Type `keys`, one at a time, as a person would."""
        for key in keys:
            os.write(self.master, key.encode())
            time.sleep(0.05)

    def wait(self) -> int:
        """The exit status (fails after the timeout)."""
        try:
            return self.proc.wait(TIMEOUT)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError("the browser did not exit") from None

    def close(self) -> None:
        """Kill the child if it is still running and release the pty."""
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self._reader.join(5)
        os.close(self.master)


@pytest.fixture
def jsonl_browser(data_dir: Path, tmp_path: Path) -> Iterator[Terminal]:
    """`paperbrowse browse --state all --format jsonl` on a copy of the sample library."""
    args = ("browse", "--state", "all", "--format", "jsonl")
    term = Terminal(data_dir, tmp_path / "out.jsonl", *args)
    try:
        term.wait_for(b"262 papers")  # the status line: the first results are on screen
        yield term
    finally:
        term.close()


def test_draws_at_the_terminal_size_of_stderr(jsonl_browser: Terminal) -> None:
    """stdout is a file, so the size must come from the terminal the UI draws on."""
    rows = {int(row) for row in re.findall(rb"\x1b\[(\d+);\d+H", jsonl_browser.output())}
    assert max(rows) == ROWS
    jsonl_browser.send("q")
    assert jsonl_browser.wait() == 1


def test_marks_and_enter_print_the_selection(jsonl_browser: Terminal) -> None:
    jsonl_browser.send("  \r")  # mark two papers, accept
    assert jsonl_browser.wait() == 0
    lines = jsonl_browser.out.read_text("utf-8").splitlines()
    assert len(lines) == 2
    papers = [json.loads(line) for line in lines]
    assert len({p["id"] for p in papers}) == 2
    assert all(p["title"] for p in papers)


def test_q_quits_with_1_and_prints_nothing(jsonl_browser: Terminal) -> None:
    jsonl_browser.send("q")
    assert jsonl_browser.wait() == 1
    assert jsonl_browser.out.read_bytes() == b""


def test_ctrl_c_quits_with_130(jsonl_browser: Terminal) -> None:
    jsonl_browser.send(" \x03")
    assert jsonl_browser.wait() == 130
    assert jsonl_browser.out.read_bytes() == b""


def _ids_in(data_dir: Path, state: str = "starred") -> list[str]:
    """The ids `search --state STATE` prints (starred by default)."""
    proc = subprocess.run(
        [sys.executable, "-m", "paperbrowse", "--data-dir", str(data_dir), "search"]
        + ["--state", state, "--format", "jsonl"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    return [json.loads(line)["id"] for line in proc.stdout.splitlines()]


def test_triage_survives_quit_kill_and_rebuild(data_dir: Path, tmp_path: Path) -> None:
    """Stars made in the browser are saved at once: after `q`, after `kill -9`, and after
    `index --rebuild`."""
    assert _ids_in(data_dir) == []
    first = Terminal(data_dir, tmp_path / "a.out", "browse", "--state", "all")
    try:
        first.wait_for(b"262 papers")
        first.send("s")
        first.wait_for(b"starred")
        first.send("q")
        assert first.wait() == 1
    finally:
        first.close()
    after_quit = _ids_in(data_dir)
    assert len(after_quit) == 1

    second = Terminal(data_dir, tmp_path / "b.out", "browse", "--state", "all")
    try:
        second.wait_for(b"262 papers")
        second.send("js")  # star the second paper too, then die without any goodbye
        deadline = time.monotonic() + TIMEOUT
        while len(_ids_in(data_dir)) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        second.proc.kill()  # SIGKILL
        second.proc.wait()
    finally:
        second.close()
    after_kill = _ids_in(data_dir)
    assert len(after_kill) == 2 and set(after_quit) < set(after_kill)

    rebuild = subprocess.run(
        [sys.executable, "-m", "paperbrowse", "--data-dir", str(data_dir), "index", "--rebuild"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert rebuild.returncode == 0, rebuild.stderr
    assert sorted(_ids_in(data_dir)) == sorted(after_kill)


def test_escape_then_keys_in_one_burst_leave_the_filter_and_move(
    data_dir: Path, tmp_path: Path
) -> None:
    """tmux's escape-time joins Esc and the next key into Alt+key: `/ pose Esc j j` typed in
    one burst must leave `pose` in the filter and move the list two rows."""
    expected = _pose_matches(data_dir)
    chosen = _burst_then_select(
        Terminal(data_dir, tmp_path / "out.jsonl", "browse", "--state", "all", "--format", "jsonl"),
        ready=b"262 papers",
        burst=b"/pose\x1bjj",
        shown=f"{len(expected)} papers".encode(),
        then=["\r"],
    )
    assert chosen == [expected[2]]


def test_a_view_key_then_slash_in_one_burst_open_the_view_then_the_filter(
    data_dir: Path, tmp_path: Path
) -> None:
    """`3/pose` read at once (a macro, ssh, `tmux send-keys`): `3` was typed in the list and
    opens All although `/` moved the focus to the filter before the list handled it; `pose`
    is the filter's text."""
    expected = _pose_matches(data_dir)
    chosen = _burst_then_select(
        Terminal(data_dir, tmp_path / "out.jsonl", "browse", "--format", "jsonl"),
        ready="262 papers  ·  Inbox".encode(),
        burst=b"3/pose",
        shown=f"{len(expected)} papers  ·  All".encode(),
        then=["\x1b", "\r"],
    )
    assert chosen == [expected[0]]


def _pose_matches(data_dir: Path) -> list[str]:
    """The ids `pose` finds among all papers, newest first (more than three)."""
    from paperbrowse.library import Library
    from paperbrowse.models import Filters

    library = Library(data_dir)
    expected = library.search(Filters(query="pose", sort="date")).ids
    library.close()
    assert len(expected) > 3
    return expected


def _burst_then_select(
    term: Terminal, ready: bytes, burst: bytes, shown: bytes, then: list[str]
) -> list[str]:
    """Once `ready` is on the screen, write `burst` in one write (the terminal reads it at
    once), wait for `shown`, send the keys of `then` half a second apart; the ids the browser
    printed when it ended (exit 0)."""
    try:
        term.wait_for(ready)
        os.write(term.master, burst)
        term.wait_for(shown)
        for key in then:
            time.sleep(0.5)
            term.send(key)
        assert term.wait() == 0
    finally:
        term.close()
    return [json.loads(line)["id"] for line in term.out.read_text("utf-8").splitlines()]


def test_demo_opens_on_the_inbox(isolated_dirs: Path, tmp_path: Path) -> None:
    """`demo` (its library in the user cache dir, which the autouse fixture points at a temp
    dir) opens on the Inbox."""
    term = Terminal(tmp_path / "unused", tmp_path / "out", "demo")
    try:
        term.wait_for("262 papers  ·  Inbox  ·".encode())
        term.send("q")
        assert term.wait() == 1
    finally:
        term.close()
    assert (isolated_dirs / "cache" / "paperbrowse" / "demo" / "state.db").exists()


def test_a_paste_with_escape_characters_is_text_not_keys(data_dir: Path, tmp_path: Path) -> None:
    """Text copied from a coloured terminal dump holds ESC sequences; pasted into the filter
    (bracketed, as a terminal sends it) it must stay text: before, what followed an ESC was
    read as keys, and the paste's Tab and `r` moved to the list and marked a paper read."""
    term = Terminal(data_dir, tmp_path / "out.jsonl", "browse", "--state", "all")
    try:
        term.wait_for(b"262 papers")
        term.send("/")
        os.write(term.master, b"\x1b[200~pose\x1b[31m\tr\x1b[0m\x1b[201~")
        term.wait_for(b"pose[31m")  # the paste is the filter's text, ESC left out
        time.sleep(1.0)  # time for any key the paste turned into to act
    finally:
        term.close()
    assert _ids_in(data_dir, "read") == []  # nothing marked read
