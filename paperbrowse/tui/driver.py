"""A terminal driver that takes its size from the terminal it draws on (stderr), and reads
pastes as text.

Textual's Linux driver draws on stderr but asks `shutil.get_terminal_size()`, which looks at
stdout; with stdout piped (`paperbrowse browse | tool`) that falls back to 80x24. Here the size
comes from whichever standard stream is a terminal, and follows resizes as before. Its input
goes through paste_guard.py (escape characters inside a paste are not keys).
"""

from __future__ import annotations

import os
import sys

from textual.drivers.linux_driver import LinuxDriver

from paperbrowse.tui import paste_guard


def terminal_size() -> tuple[int, int]:
    """(width, height) of the first of stderr, stdin, stdout that is a terminal."""
    for stream in (sys.__stderr__, sys.__stdin__, sys.__stdout__):
        try:
            if stream is not None and os.isatty(stream.fileno()):
                size = os.get_terminal_size(stream.fileno())
                return size.columns or 80, size.lines or 25
        except (OSError, ValueError):
            continue
    return 80, 25


class StderrSizedDriver(LinuxDriver):
    """LinuxDriver sized from the terminal it draws on, its input read through a PasteGuard."""

    def run_input_thread(self) -> None:
        """Textual's input loop, with the paste guard's parser."""
        paste_guard.install()
        super().run_input_thread()

    def _get_terminal_size(self) -> tuple[int, int]:
        return terminal_size()
