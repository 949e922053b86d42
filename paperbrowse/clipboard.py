"""Copying text to the clipboard through every route that can work, and saying which did.

Routes, tried in this order (each one that applies is tried; none stops the others):

- tmux's own paste buffer, when `$TMUX` is set: `tmux load-buffer -w -` (`-w` also hands the
  text to the outer terminal's clipboard through tmux, which works with tmux's default
  `set-clipboard external`, where an application's own OSC 52 is dropped; tmux(1), "load-buffer").
- a system clipboard tool, the first one present on `PATH` for this session: `wl-copy` under
  Wayland (`$WAYLAND_DISPLAY`), `xclip -selection clipboard` or `xsel --clipboard --input` under
  X11 (`$DISPLAY`), `pbcopy` on macOS, `clip.exe` on Windows and WSL.
- OSC 52 to the terminal: the caller's `osc52` function (the browser passes Textual's
  `App.copy_to_clipboard`). Whether the terminal accepts it cannot be known, so the report says
  it was *sent*, not that it arrived.

Each tool gets the text on stdin as UTF-8 and must exit 0 within `TIMEOUT` seconds to count.
This module must not import Textual.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from paperbrowse.text import strip_controls

TIMEOUT = 3.0  # seconds a clipboard tool may take


@dataclass(frozen=True)
class Route:
    """One way to the clipboard: a name for messages and the command that takes stdin."""

    name: str
    command: tuple[str, ...]


@dataclass
class CopyReport:
    """What one copy did: routes that took the text, routes that failed (name, reason), and
    whether OSC 52 was sent to the terminal."""

    copied: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    osc52: bool = False

    @property
    def ok(self) -> bool:
        """True when at least one tool confirmed the copy (OSC 52 alone cannot confirm)."""
        return bool(self.copied)

    def message(self, what: str = "text") -> str:
        """One line for the user, e.g. `copied title and link to the tmux buffer and wl-copy`,
        or `sent … to the terminal (OSC 52); no clipboard tool found (install wl-copy, …)`."""
        if self.copied:
            line = f"copied {what} to {_join(self.copied)}"
            if self.osc52:
                line += " (and sent it to the terminal)"
        elif self.osc52:
            line = (
                f"sent {what} to the terminal's clipboard (OSC 52), which not every terminal "
                "accepts; no clipboard tool worked"
            )
            if not self.failed:
                line += " (install wl-copy, xclip or xsel)"
        else:
            line = f"could not copy {what}: no clipboard route"
        if self.failed:
            line += "; failed: " + ", ".join(f"{name} ({why})" for name, why in self.failed)
        return line


def _join(names: Sequence[str]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def _which(name: str, env: Mapping[str, str]) -> str | None:
    return shutil.which(name, path=env.get("PATH", os.defpath))


def system_tool(env: Mapping[str, str] | None = None, platform: str | None = None) -> Route | None:
    """The system clipboard tool for this session (see the module doc), or None."""
    env = os.environ if env is None else env
    platform = platform or sys.platform
    candidates: list[Route] = []
    if env.get("WAYLAND_DISPLAY"):
        candidates.append(Route("wl-copy", ("wl-copy",)))
    if env.get("DISPLAY"):
        candidates.append(Route("xclip", ("xclip", "-selection", "clipboard", "-in")))
        candidates.append(Route("xsel", ("xsel", "--clipboard", "--input")))
    if platform == "darwin":
        candidates.append(Route("pbcopy", ("pbcopy",)))
    # Windows, and WSL (a Linux with Windows' clip.exe on PATH).
    candidates.append(Route("clip.exe", ("clip.exe",)))
    for route in candidates:
        path = _which(route.command[0], env)
        if path:
            return Route(route.name, (path, *route.command[1:]))
    return None


def routes(env: Mapping[str, str] | None = None, platform: str | None = None) -> list[Route]:
    """Every tool route that applies here, in the order they are tried."""
    env = os.environ if env is None else env
    found: list[Route] = []
    if env.get("TMUX"):
        tmux = _which("tmux", env)
        if tmux:
            found.append(Route("the tmux buffer", (tmux, "load-buffer", "-w", "-")))
    tool = system_tool(env, platform)
    if tool:
        found.append(tool)
    return found


def _run(route: Route, text: str, env: Mapping[str, str]) -> str | None:
    """Feed `text` to the route's command; None on success, else a short reason."""
    # stderr goes to a file, not a pipe: xclip and wl-copy leave a child behind to serve the
    # selection, and it would hold a pipe open until the timeout.
    with tempfile.TemporaryFile() as err_file:
        try:
            proc = subprocess.run(
                route.command,
                input=text.encode("utf-8"),
                stdout=subprocess.DEVNULL,
                stderr=err_file,
                timeout=TIMEOUT,
                env=dict(env),
                check=False,
                start_new_session=True,  # never tied to the browser's terminal
            )
        except subprocess.TimeoutExpired:
            return f"no answer in {TIMEOUT:g} s"
        except OSError as exc:
            return exc.strerror or str(exc)
        if not proc.returncode:
            return None
        err_file.seek(0)
        lines = err_file.read(4096).decode("utf-8", "replace").strip().splitlines()
    detail = f": {strip_controls(lines[0])[:80]}" if lines else ""
    return f"exit {proc.returncode}{detail}"


def copy_text(
    text: str,
    *,
    osc52: Callable[[str], None] | None = None,
    env: Mapping[str, str] | None = None,
    platform: str | None = None,
) -> CopyReport:
    """Copy `text` through every route that applies (see the module doc); what happened."""
    env = os.environ if env is None else env
    report = CopyReport()
    for route in routes(env, platform):
        reason = _run(route, text, env)
        if reason is None:
            report.copied.append(route.name)
        else:
            report.failed.append((route.name, reason))
    if osc52 is not None:
        osc52(text)
        report.osc52 = True
    return report
