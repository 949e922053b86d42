"""Where paperbrowse keeps its data, what a data dir holds, and how files in it are written.

The data dir is `PAPERBROWSE_DATA_DIR`, else the platform's user data dir (platformdirs). It holds::

    library.json    the manifest: schema version, current index directory, recorded dumps
                    (manifest.py)
    index-N/        the Whoosh index (one commit per `index` run), its catalog and side files
    state.db        triage flags in SQLite (triage.py), never touched by indexing
    write.lock      held by the one process that is indexing (manifest.write_lock)
    stdin/          private copies of the dumps piped to `index -` (housekeeping.py)

Everything in it is private: directories 0700, files 0600 (`private_umask`, `ensure_private_dir`,
`atomic_write`).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import platformdirs

APP_NAME = "paperbrowse"
ENV_DATA_DIR = "PAPERBROWSE_DATA_DIR"

# The names of a data dir's parts (see the module docstring).
MANIFEST = "library.json"
STATE_DB = "state.db"
WRITE_LOCK = "write.lock"
STDIN_DIR = "stdin"
INDEX_PREFIX = "index-"  # index directories are index-1, index-2, ...
RUN_RECORDS_PREFIX = ".run-records-"  # in the data dir: run_records.RunRecords' file
CATALOG_FILE = "paperbrowse-catalog.npz"  # in an index directory: catalog.Catalog


def default_data_dir() -> Path:
    """The user's library: $PAPERBROWSE_DATA_DIR if set, else platformdirs' user data dir."""
    override = os.environ.get(ENV_DATA_DIR)
    if override:
        return Path(override).expanduser()
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def demo_data_dir() -> Path:
    """The sample library used by `paperbrowse demo`, kept apart from the user's own library."""
    return Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False)) / "demo"


def state_db(data_dir: Path) -> Path:
    """The triage database of a data dir."""
    return data_dir / STATE_DB


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


def atomic_write(
    path: Path, data: bytes, *, prefix: str, suffix: str = "", durable: bool = False
) -> None:
    """Replace `path` with `data` in one step: readers see the old file or the new, never a
    part. The bytes go to a temp file (0600, named `prefix…suffix`, beside `path`), which then
    replaces `path`; with `durable` they are flushed to disk first (fsync), so a crash right
    after cannot leave an empty file. The temp file is removed when writing fails (OSError is
    raised, e.g. for a full disk); a killed process leaves it, for the next run's clean-up to
    find by its prefix.
    """
    fd, tmp = tempfile.mkstemp(prefix=prefix, suffix=suffix, dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def remove_tree(path: Path) -> None:
    """Delete a directory tree (an old index directory, debris of a killed run), ignoring
    errors: a reader may still hold its files, and what stays is cleared by a later run."""
    shutil.rmtree(path, ignore_errors=True)


def sample_dir() -> Path:
    """The bundled sample dumps shipped inside the package."""
    return Path(__file__).parent / "sample"
