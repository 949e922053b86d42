"""Keeping the data dir tidy: private copies of what stdin delivered, and the debris of failed
or killed `index` runs.

A rebuild reads every recorded dump again; a dump that came from stdin has no file to read, so
the run that indexed it keeps a private copy (0600, in `stdin/` of the data dir) recorded in the
manifest. A run that fails removes what it wrote; one that is killed cannot, so every run (of any
kind: adding, unchanged, rebuilding) first clears what earlier runs left. Both need the write lock.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import time
from pathlib import Path
from typing import Any

from paperbrowse.manifest import Manifest
from paperbrowse.paths import (
    CATALOG_FILE,
    RUN_RECORDS_PREFIX,
    STDIN_DIR,
    atomic_write,
    ensure_private_dir,
    remove_tree,
)

_COPY_NAME = re.compile(r"stdin-[0-9a-f]{6,64}\.txt")
# The names Whoosh gives an index's files (whoosh/index.py `TOC._filename`, `_segment_pattern`;
# whoosh/codec/base.py `Segment.make_filename`; the lock of `FileStorage.lock`), index "MAIN".
_TOC_NAME = re.compile(r"_MAIN_[0-9]+\.toc")
_SEGMENT_NAME = re.compile(r"MAIN_([0-9a-z]{16})\.[A-Za-z0-9_.]+")
_LOCK_NAME = "MAIN_WRITELOCK"


def keep_piped(data_dir: Path, piped: dict[str, bytes], new: list[Path]) -> dict[str, str]:
    """Write a private copy (0600, in data_dir/stdin) of each dump stdin delivered, so that a
    rebuild can read it again; returns source key -> copy file name. Paths written are added
    to `new` (removed again if the run fails). OSError when the disk is full."""
    copies: dict[str, str] = {}
    if not piped:
        return copies
    folder = ensure_private_dir(data_dir / STDIN_DIR)
    for key, data in piped.items():
        name = f"stdin-{hashlib.sha256(data).hexdigest()[:16]}.txt"
        path = folder / name
        copies[key] = name
        if path.exists() and path.stat().st_size == len(data):
            continue
        atomic_write(path, data, prefix=f".{name}.", suffix=".tmp", durable=True)
        new.append(path)
    return copies


def read_copy(data_dir: Path, name: Any) -> bytes | None:
    """The bytes of a recorded stdin copy, or None (none recorded, gone, or not ours)."""
    if not isinstance(name, str) or not _COPY_NAME.fullmatch(name):
        return None
    try:
        return (data_dir / STDIN_DIR / name).read_bytes()
    except OSError:
        return None


def clear_debris(data_dir: Path, meta: Manifest) -> None:
    """Remove what killed or failed runs left (the caller holds the write lock): `index-N`
    directories other than the current one (a killed `--rebuild` leaves a half-built one),
    files of the current index that its last commit does not use, manifest temp files, a
    run's records file (run_records.py), and
    stdin copies no recorded source names."""
    current = meta.get("index")
    with contextlib.suppress(OSError):
        for entry in os.scandir(data_dir):
            if entry.name.startswith("index-") and entry.name != current and entry.is_dir():
                remove_tree(Path(entry.path))
            elif (entry.name.startswith(".library-") and entry.name.endswith(".json")) or (
                entry.name.startswith(RUN_RECORDS_PREFIX) and entry.name.endswith(".jsonl")
            ):
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)
    if current:
        clear_index_debris(data_dir / current)
    kept = {info.get("stdin_copy") for info in meta.get("sources", {}).values()}
    with contextlib.suppress(OSError):
        for entry in os.scandir(data_dir / STDIN_DIR):
            if entry.name not in kept:
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)
        if not kept - {None}:
            os.rmdir(data_dir / STDIN_DIR)  # only when empty


def clear_index_debris(folder: Path) -> None:
    """Remove every file and directory of an index that its latest commit does not use:
    partial segments, Whoosh's temp directories and job files of a failed or killed writer.
    The commit's TOC, its segments' files, the lock file and the catalog stay.

    When the names alone show nothing to remove (`may_hold_debris`), Whoosh is not imported
    and the TOC's schema not unpickled: the unchanged `index` run's largest cost once was."""
    if not may_hold_debris(folder):
        return
    from paperbrowse.engine.whoosh_internals import committed_files

    committed = committed_files(folder)
    if committed is None:  # no index here yet, or a damaged one: leave it to the error message
        return
    keep, keep_prefixes = committed
    keep.add(CATALOG_FILE)
    stale_before = time.time() - 60  # a reader may be saving a catalog right now
    with contextlib.suppress(OSError):
        for entry in os.scandir(folder):
            name = entry.name
            if name in keep or name.startswith(keep_prefixes):
                continue
            if name.startswith(".catalog-") and entry.stat().st_mtime > stale_before:
                continue
            if entry.is_dir(follow_symlinks=False):
                remove_tree(Path(entry.path))
            else:
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)


def may_hold_debris(folder: Path) -> bool:
    """False when every name in the index directory `folder` is one `clear_index_debris` keeps,
    told from the names and the TOC's bytes without unpickling it: exactly one TOC
    (`_MAIN_<generation>.toc`), the lock file, the catalog, and files of segments (`MAIN_<id>.*`)
    whose 16-character ids the TOC holds (Whoosh pickles each segment's id as a string). True
    otherwise (another TOC, a temp file or directory, a segment the TOC does not name, a
    catalog being saved, an unreadable directory): the caller then reads the TOC to decide."""
    try:
        names = os.listdir(folder)
    except OSError:
        return True
    tocs = [name for name in names if _TOC_NAME.fullmatch(name)]
    if len(tocs) != 1:
        return True
    try:
        toc = (folder / tocs[0]).read_bytes()
    except OSError:
        return True
    for name in names:
        if name in (tocs[0], _LOCK_NAME, CATALOG_FILE):
            continue
        segment = _SEGMENT_NAME.fullmatch(name)
        if segment is None or segment.group(1).encode("ascii") not in toc:
            return True
    return False
