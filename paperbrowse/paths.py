"""Where paperbrowse keeps its data: PAPERBROWSE_DATA_DIR, else the platform's user data dir."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

import platformdirs

APP_NAME = "paperbrowse"
ENV_DATA_DIR = "PAPERBROWSE_DATA_DIR"


def default_data_dir() -> Path:
    """The user's library: $PAPERBROWSE_DATA_DIR if set, else platformdirs' user data dir."""
    override = os.environ.get(ENV_DATA_DIR)
    if override:
        return Path(override).expanduser()
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def demo_data_dir() -> Path:
    """The sample library used by `paperbrowse demo`, kept apart from the user's own library."""
    return Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False)) / "demo"


@contextlib.contextmanager
def private_umask() -> Iterator[None]:
    """Create files and directories readable by the user only (umask 077) inside the block.

    For writers whose files we do not create ourselves (Whoosh's segments, SQLite's journals).
    The umask is per process, so the block should not run beside threads that create files.
    """
    previous = os.umask(0o077)
    try:
        yield
    finally:
        os.umask(previous)


def ensure_private_dir(path: Path) -> Path:
    """Create `path` (and parents) readable by the user only (0700) and return it."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        if path.stat().st_mode & 0o077:
            path.chmod(0o700)
    except OSError:
        pass  # not ours to fix (e.g. a shared mount); the files inside are still 0600
    return path


def sample_dir() -> Path:
    """The bundled sample dumps shipped inside the package."""
    return Path(__file__).parent / "sample"
