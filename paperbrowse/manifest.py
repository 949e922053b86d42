"""The manifest (`library.json`): which index directory is current, under which schema version,
and every dump recorded in it with its content hash; and the write lock that makes one process
at a time the library's writer.

The manifest is replaced atomically after each `index` run's commit (`write_manifest`); readers
read it whole (`read_manifest`). Its shape is checked on every read: it names a directory that a
rebuild deletes, so a hand-edited `../x` must never be followed.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TypedDict, cast

from paperbrowse.errors import LibraryBusy, LibraryError, LibraryOutdated
from paperbrowse.paths import MANIFEST, WRITE_LOCK, atomic_write, ensure_private_dir
from paperbrowse.schema_history import SCHEMA_VERSION

_INDEX_NAME = re.compile(r"index-[0-9]+")


class _RecordedPath(TypedDict):
    path: str | None  # the dump's absolute path when indexed; None for stdin and records
    sha256: str  # hex digest of the bytes indexed


class RecordedDump(_RecordedPath, total=False):
    """One dump recorded in the manifest, under its source key."""

    papers: int  # papers parsed from it
    indexed: str  # when, UTC, `YYYY-MM-DDTHH:MM:SSZ`
    stdin_copy: str  # the name of its private copy in `stdin/` (dumps piped to `index -`)
    kind: str  # its page kind (models.PAGE_KINDS), as the parser read it
    page_date: str | None  # the page's date, ISO `YYYY-MM-DD`, when it shows one
    forgotten: str  # in `forgotten` only: when `forget` removed it, UTC like `indexed`
    # Its stat data when read (quick_check.DumpStamp): a dump with the same is not read again.
    size: int  # bytes
    mtime_ns: int  # modification time, ns since the epoch
    ctime_ns: int  # status change time, ns since the epoch


class _ManifestRequired(TypedDict):
    schema: int
    index: str | None
    sources: dict[str, RecordedDump]


class Manifest(_ManifestRequired, total=False):
    """`library.json`: {"schema": int, "index": "index-N" or null, "sources": {key: dump},
    "forgotten": {key: dump}}. `forgotten` (optional): the dumps `paperbrowse forget` removed,
    which `--rebuild` never reads; an `index` of one brings it back into `sources`."""

    forgotten: dict[str, RecordedDump]


def empty_manifest() -> Manifest:
    """The manifest of a library with no index and no dumps, at this schema version."""
    return {"schema": SCHEMA_VERSION, "index": None, "sources": {}}


def read_manifest(data_dir: Path) -> Manifest:
    """The manifest of `data_dir` (`empty_manifest()` when there is none).

    Raises LibraryError (one line, naming the file) when it cannot be read or is not of the
    manifest's shape (`manifest_problem`)."""
    path = data_dir / MANIFEST
    try:
        data = json.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        return empty_manifest()
    except (OSError, ValueError) as exc:
        raise LibraryError(
            f"{path}: unreadable library manifest ({exc}); "
            "run `paperbrowse index --rebuild PATH...`"
        ) from None
    problem = manifest_problem(data)
    if problem:
        raise LibraryError(
            f"{path}: not a paperbrowse library manifest ({problem}); "
            "run `paperbrowse index --rebuild PATH...`"
        )
    return cast(Manifest, data)


def write_manifest(data_dir: Path, manifest: Manifest) -> None:
    """Replace the manifest of `data_dir` atomically and durably (OSError when it cannot be
    written; the old one is then still in place)."""
    ensure_private_dir(data_dir)
    text = json.dumps(manifest, indent=1, sort_keys=True)
    atomic_write(
        data_dir / MANIFEST, text.encode("utf-8"), prefix=".library-", suffix=".json", durable=True
    )


def manifest_problem(data: Any) -> str | None:
    """What is wrong with the shape of a parsed `library.json`, or None.

    The shape: {"schema": int, "index": "index-N" or null, "sources": {name: {"sha256": str,
    "path": str or null, ...}}, "forgotten": {name: {...}}} (`forgotten`, optional: the dumps
    `forget` removed, which a rebuild never reads). The index name must be a plain `index-N`:
    the manifest names a directory that a rebuild deletes, so a hand-edited `../x` must never
    be followed.
    """
    if not isinstance(data, dict):
        return f"a JSON {type(data).__name__} instead of an object"
    if not isinstance(data.get("schema"), int):
        return "no schema version"
    name = data.get("index")
    if name is not None and not (isinstance(name, str) and _INDEX_NAME.fullmatch(name)):
        return f"index {name!r} is not index-N"
    sources = data.get("sources", {})
    if not isinstance(sources, dict):
        return "sources is not an object"
    forgotten = data.get("forgotten", {})
    if not isinstance(forgotten, dict) or not all(isinstance(v, dict) for v in forgotten.values()):
        return "forgotten is not an object of dumps"
    for key, info in sources.items():
        if not isinstance(info, dict) or not isinstance(info.get("sha256"), str):
            return f"source {key!r} has no content hash"
        if not isinstance(info.get("path"), (str, type(None))):
            return f"source {key!r} has a path that is not text"
    return None


def check_version(data_dir: Path, manifest: Manifest | None = None) -> None:
    """Raise LibraryOutdated when the library was built by an earlier schema version, and
    LibraryError when by a later one (a newer paperbrowse); an empty library passes."""
    meta = read_manifest(data_dir) if manifest is None else manifest
    version = meta.get("schema")
    if not meta.get("index") or version == SCHEMA_VERSION:
        return
    if not isinstance(version, int) or version < SCHEMA_VERSION:
        raise LibraryOutdated(
            f"the library in {data_dir} was built by an earlier version of paperbrowse "
            f"(schema {version}, now {SCHEMA_VERSION})",
            version if isinstance(version, int) else 0,
        )
    raise LibraryError(
        f"the library in {data_dir} was built by a newer version of paperbrowse "
        f"(schema {version}, this one reads {SCHEMA_VERSION}); upgrade paperbrowse, or "
        "run `paperbrowse index --rebuild` to rebuild it from its recorded dumps"
    )


@contextlib.contextmanager
def write_lock(data_dir: Path) -> Iterator[None]:
    """Hold the library's write lock (`write.lock`, an flock) for the block, or raise
    LibraryBusy at once when another process holds it; LibraryError when the library is
    read-only."""
    try:
        ensure_private_dir(data_dir)
        fd = os.open(data_dir / WRITE_LOCK, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as exc:
        if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
            raise LibraryError(
                f"the library in {data_dir} is read-only ({exc.strerror}): it cannot "
                "be updated (searching and reading it work)"
            ) from None
        raise
    handle = os.fdopen(fd, "a+")  # held for the block
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise LibraryBusy(
                f"the library in {data_dir} is being updated by another paperbrowse; "
                "try again when it finishes"
            ) from None
        yield
    finally:
        handle.close()


def now_iso() -> str:
    """The current UTC time as the manifest records it: `YYYY-MM-DDTHH:MM:SSZ`."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
