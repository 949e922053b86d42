"""Clipboard routes, run against fake tools on PATH that record what they receive."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from paperbrowse.clipboard import copy_text, routes

pytestmark = pytest.mark.skipif(os.name == "nt", reason="fake tools are shell scripts")

TEXT = "Lite Pose: Efficient Architecture Design — 日本語 https://github.com/mit-han-lab/litepose"


def fake_tool(bin_dir: Path, name: str, log: Path, exit_code: int = 0) -> None:
    """A script called `name` that saves its arguments and stdin under `log`, then exits."""
    script = bin_dir / name
    script.write_text(
        "#!/bin/sh\n"
        f'printf "%s\\n" "$*" > "{log}/{name}.args"\n'
        f'/bin/cat > "{log}/{name}.stdin"\n'
        + (f'echo "{name}: cannot open display" >&2\n' if exit_code else "")
        + f"exit {exit_code}\n",
        "utf-8",
    )
    script.chmod(script.stat().st_mode | stat.S_IXUSR)


@pytest.fixture
def bin_dir(tmp_path: Path) -> Path:
    path = tmp_path / "bin"
    path.mkdir()
    return path


@pytest.fixture
def log(tmp_path: Path) -> Path:
    path = tmp_path / "log"
    path.mkdir()
    return path


def received(log: Path, name: str) -> tuple[str, str] | None:
    args = log / f"{name}.args"
    if not args.exists():
        return None
    return args.read_text("utf-8").strip(), (log / f"{name}.stdin").read_text("utf-8")


def test_inside_tmux_under_wayland_both_the_buffer_and_wl_copy_get_the_text(
    bin_dir: Path, log: Path
) -> None:
    for name in ("tmux", "wl-copy", "xclip"):
        fake_tool(bin_dir, name, log)
    env = {"PATH": str(bin_dir), "TMUX": "/tmp/tmux-0/default,1,0", "WAYLAND_DISPLAY": "w-0"}
    sent: list[str] = []
    report = copy_text(TEXT, osc52=sent.append, env=env, platform="linux")
    assert received(log, "tmux") == ("load-buffer -w -", TEXT)
    assert received(log, "wl-copy") == ("", TEXT)
    assert received(log, "xclip") is None  # one system tool is enough
    assert sent == [TEXT]
    assert report.ok and report.copied == ["the tmux buffer", "wl-copy"]
    assert report.message("title and link") == (
        "copied title and link to the tmux buffer and wl-copy (and sent it to the terminal)"
    )


def test_x11_uses_xclip_else_xsel(bin_dir: Path, log: Path) -> None:
    fake_tool(bin_dir, "xsel", log)
    env = {"PATH": str(bin_dir), "DISPLAY": ":0"}
    report = copy_text(TEXT, env=env, platform="linux")
    assert received(log, "xsel") == ("--clipboard --input", TEXT)
    assert report.copied == ["xsel"]
    fake_tool(bin_dir, "xclip", log)
    report = copy_text(TEXT, env=env, platform="linux")
    assert received(log, "xclip") == ("-selection clipboard -in", TEXT)
    assert report.copied == ["xclip"]


def test_macos_and_wsl_tools(bin_dir: Path, log: Path) -> None:
    fake_tool(bin_dir, "pbcopy", log)
    fake_tool(bin_dir, "clip.exe", log)
    assert copy_text(TEXT, env={"PATH": str(bin_dir)}, platform="darwin").copied == ["pbcopy"]
    assert received(log, "pbcopy") == ("", TEXT)
    assert copy_text(TEXT, env={"PATH": str(bin_dir)}, platform="linux").copied == ["clip.exe"]
    assert received(log, "clip.exe") == ("", TEXT)


def test_tmux_without_a_server_is_reported_and_osc52_still_goes(bin_dir: Path, log: Path) -> None:
    """Inside tmux with no tool at all: say what failed, and that OSC 52 was only sent."""
    fake_tool(bin_dir, "tmux", log, exit_code=1)
    env = {"PATH": str(bin_dir), "TMUX": "/tmp/tmux-0/default,1,0"}
    sent: list[str] = []
    report = copy_text(TEXT, osc52=sent.append, env=env, platform="linux")
    assert not report.ok and report.osc52 and sent == [TEXT]
    message = report.message("title and link")
    assert message.startswith("sent title and link to the terminal's clipboard (OSC 52)")
    assert "failed: the tmux buffer (exit 1: tmux: cannot open display)" in message
    assert "copied" not in message


def test_nothing_at_all_says_so(bin_dir: Path) -> None:
    report = copy_text(TEXT, env={"PATH": str(bin_dir)}, platform="linux")
    assert not report.ok and not report.osc52
    assert report.message() == "could not copy text: no clipboard route"


def test_without_tmux_the_tmux_route_is_not_tried(bin_dir: Path, log: Path) -> None:
    fake_tool(bin_dir, "tmux", log)
    assert routes({"PATH": str(bin_dir)}, "linux") == []
    assert received(log, "tmux") is None


def test_a_tool_that_leaves_a_child_serving_the_selection_does_not_hang(
    bin_dir: Path, log: Path
) -> None:
    """xclip forks a child that keeps running; the copy must not wait for it."""
    script = bin_dir / "xclip"
    script.write_text(
        f'#!/bin/sh\n/bin/cat > "{log}/xclip.stdin"\n(/bin/sleep 30 &) \nexit 0\n', "utf-8"
    )
    script.chmod(0o755)
    import time

    start = time.monotonic()
    report = copy_text(TEXT, env={"PATH": str(bin_dir), "DISPLAY": ":0"}, platform="linux")
    assert report.copied == ["xclip"]
    assert time.monotonic() - start < 2.5
    assert (log / "xclip.stdin").read_text("utf-8") == TEXT
