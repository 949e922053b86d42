"""The errors the library raises, each with a one-line message for the user.

The command line turns each into `paperbrowse: MESSAGE` and an exit code (QueryError: 2, the
others: 1); the browser shows the message in its message line or a notification.
"""

from __future__ import annotations

from pathlib import Path


class LibraryError(Exception):
    """The library cannot be used as asked; the message is one line for the user."""


class LibraryBusy(LibraryError):
    """Another process holds the write lock."""


class LibraryOutdated(LibraryError):
    """The library was built by an earlier schema version: rebuild it from its recorded dumps
    (`migration.upgrade`) before reading it. `version` is its schema version (0 if unknown)."""

    def __init__(self, message: str, version: int) -> None:
        super().__init__(message)
        self.version = version


class QueryError(ValueError):
    """A query or date the user typed cannot be understood; the message names it."""


def damaged_index(path: Path, exc: BaseException) -> str:
    """The one line for an index that cannot be read (a truncated or missing segment file, a
    missing `index-N` directory): what failed, and that a rebuild from the recorded dumps
    recovers it."""
    detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return (
        f"the library index in {path} is damaged ({detail}); "
        "run `paperbrowse index --rebuild` to rebuild it from its recorded dumps"
    )
