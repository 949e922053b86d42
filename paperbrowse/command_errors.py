"""What every command of `paperbrowse` shares: its exit statuses and its one-line errors.

Exit statuses: 0 done, 1 nothing found or a failure (CommandError's default), 2 a usage error
(a bad query, date or option), 130 interrupted. Messages on stderr are one line each,
`paperbrowse: …`, without terminal controls (`error`). The commands themselves are plain typed
functions in index_commands.py, search_commands.py and their siblings (`*_commands.py`); the
command line (cli.py) only reads the arguments and calls them.
"""

from __future__ import annotations

import sys

EXIT_OK, EXIT_NONE, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130
MAX_MESSAGE = 400  # characters of an error line; longer ones lose their middle


class CommandError(Exception):
    """A one-line error for stderr, with its exit status."""

    def __init__(self, message: str, code: int = EXIT_NONE) -> None:
        super().__init__(message)
        self.code = code


def error(message: str) -> None:
    """Print `paperbrowse: MESSAGE` on stderr, on one line (see `one_line`)."""
    print(f"paperbrowse: {one_line(message) or 'error'}", file=sys.stderr)


def one_line(message: str) -> str:
    """The first line of a message, without terminal controls (paths and names come from
    the user's files and may hold escape sequences), at most about MAX_MESSAGE characters."""
    from paperbrowse.text import strip_controls

    lines = strip_controls(message).splitlines()
    line = lines[0] if lines else ""
    if len(line) > MAX_MESSAGE:  # e.g. a 10,000-character query quoted back: keep both ends
        line = f"{line[: MAX_MESSAGE * 2 // 3]} … {line[-MAX_MESSAGE // 3 :]}"
    return line
