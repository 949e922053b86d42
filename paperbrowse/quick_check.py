"""The quick check of `paperbrowse index`: a dump file whose size, modification time and change
time are what the manifest recorded when it was last read is not read again.

It is the check git (the index's stat data) and rsync (size and modification time) make before
they read a file. A dump's manifest entry (`manifest.RecordedDump`) records its stamp
(`DumpStamp`: `size` in bytes, `mtime_ns` and `ctime_ns` in nanoseconds since the epoch, from
`os.stat` taken just BEFORE the bytes were read). On the next run a file found at the recorded
path (resolved) with the same stamp counts as unchanged without being read; any other file is
read and hashed as before, and a file whose bytes still hash the same gets its new stamp.

What it assumes (docs/guarantees.md says it for users):
- A write to a file moves its modification time. A tool that writes new bytes and then sets
  the old time back (`touch -r`, `cp -p`, `rsync -t`) still moves its change time, which no
  tool can set; only a change of the system clock could defeat both.
- Racy stamps (git's "racily clean" entries): a file modified in the same clock tick as the
  stat would keep its time through a second write of the same size. A stamp is therefore
  recorded only for a file whose modification and change times are at least `RACY_NS` older
  than the clock at the stat; a newer file is simply hashed on the next run (and stamped then).
- Manifests written before stamps were recorded hold none: every dump is hashed, as before,
  and stamped by that run.
"""

from __future__ import annotations

import functools
import os
import stat
import time
from collections.abc import Mapping, MutableMapping, Sequence
from pathlib import Path
from typing import TypedDict, cast

from paperbrowse.errors import LibraryError
from paperbrowse.manifest import Manifest, RecordedDump, read_manifest, write_lock
from paperbrowse.paths import MANIFEST, private_umask
from paperbrowse.schema_history import SCHEMA_VERSION

# Two seconds: the coarsest timestamp of a common file system (FAT), and well over the clock
# tick by which Linux file systems advance their nanosecond times.
RACY_NS = 2_000_000_000
STAMP_FIELDS = ("size", "mtime_ns", "ctime_ns")


class DumpStamp(TypedDict):
    """A dump file's stat data as the manifest records it: `size` (bytes), `mtime_ns` and
    `ctime_ns` (modification and status change times, ns since the epoch; `os.stat_result`)."""

    size: int
    mtime_ns: int
    ctime_ns: int


def file_stamp(path: Path) -> DumpStamp | None:
    """The stamp of the regular file at `path` now, or None when it cannot be stat'ed, is not
    a regular file, or is racily new (modified or changed less than `RACY_NS` before now, or
    in the future): such a file is hashed on every run until its times are old enough."""
    return _stamp(path, follow=True)[0]


def _stamp(path: Path, *, follow: bool) -> tuple[DumpStamp | None, bool]:
    """(file_stamp, whether `path` is a symbolic link); with `follow` False a link is not
    followed (its stamp is then None)."""
    now = time.time_ns()
    try:
        info = os.stat(path, follow_symlinks=follow)
    except (OSError, ValueError):
        return None, False
    if stat.S_ISLNK(info.st_mode):
        return None, True
    if not stat.S_ISREG(info.st_mode) or max(info.st_mtime_ns, info.st_ctime_ns) > now - RACY_NS:
        return None, False
    stamp: DumpStamp = {
        "size": info.st_size,
        "mtime_ns": info.st_mtime_ns,
        "ctime_ns": info.st_ctime_ns,
    }
    return stamp, False


@functools.lru_cache(maxsize=64)
def _real_dir(folder: str) -> str:
    """os.path.realpath of a directory, once per directory of a run's dumps."""
    return os.path.realpath(folder)


def real_path(path: Path, is_link: bool) -> str:
    """`str(path.resolve())` (what the manifest records as a dump's path), resolving each
    directory once: a file that is no symbolic link is its directory's real path plus its
    name. Directories are resolved anew by each `index` process (the cache lives as long)."""
    if is_link:
        return str(path.resolve())
    return os.path.join(_real_dir(str(path.parent)), path.name)


def recorded_stamp(entry: Mapping[str, object] | None) -> DumpStamp | None:
    """The stamp a manifest entry records, or None (an entry from before stamps, or one whose
    fields are not integers)."""
    if entry is None:
        return None
    size, mtime_ns, ctime_ns = (entry.get(name) for name in STAMP_FIELDS)
    if not all(type(v) is int for v in (size, mtime_ns, ctime_ns)):
        return None
    return {
        "size": cast(int, size),
        "mtime_ns": cast(int, mtime_ns),
        "ctime_ns": cast(int, ctime_ns),
    }


def quick_check(
    path: Path | None,
    recorded: Mapping[str, RecordedDump],
    by_path: Mapping[str, str],
    taken: set[str],
) -> tuple[str | None, DumpStamp | None]:
    """(key, stamp) for a dump file about to be read: `key` is the name the manifest records
    it under when the quick check passes (the file at its recorded path, with the recorded
    stamp; the caller need not read it), else None; `stamp` is its stamp now (None for stdin,
    records, or a file `file_stamp` will not stamp), to record once its bytes are read.
    `by_path` maps recorded absolute paths to their keys; `taken`: keys this run has used."""
    if path is None:
        return None, None
    stamp, is_link = _stamp(path, follow=False)
    if is_link:
        stamp = file_stamp(path)
    if stamp is None:
        return None, None
    try:
        key = by_path.get(real_path(path, is_link))
    except (OSError, RuntimeError):
        return None, stamp
    if key is not None and key not in taken and recorded_stamp(recorded.get(key)) == stamp:
        return key, stamp
    return None, stamp


def with_stamp(entry: RecordedDump, stamp: DumpStamp | None) -> RecordedDump:
    """`entry` with `stamp` recorded in it (with no stamp at all when None)."""
    out: RecordedDump = entry.copy()
    for name in STAMP_FIELDS:
        out.pop(name, None)  # type: ignore[misc]
    if stamp is not None:
        out["size"], out["mtime_ns"] = stamp["size"], stamp["mtime_ns"]
        out["ctime_ns"] = stamp["ctime_ns"]
    return out


def restamp(recorded: MutableMapping[str, RecordedDump], key: str, stamp: DumpStamp | None) -> bool:
    """Record `stamp` for the unchanged dump `key` (its bytes hashed the same) when it differs
    from the recorded one; True when the entry changed (the manifest needs writing)."""
    entry = recorded.get(key)
    if entry is None or recorded_stamp(entry) == stamp:
        return False
    recorded[key] = with_stamp(entry, stamp)
    return True


def unchanged_run(data_dir: Path, paths: Sequence[Path | None]) -> int | None:
    """The `index` run of `paths` (None: stdin or records) into `data_dir` when every one
    passes the quick check: under the write lock, with the debris of killed runs cleared as
    every run does (housekeeping.clear_debris), nothing read and nothing written; returns how
    many dumps (all unchanged). None, having done nothing, when any path fails the check or
    the library has no index of this schema version: the caller runs the indexer, which
    reads them. LibraryError (LibraryBusy) when the library cannot be locked.

    It spares the unchanged run everything the indexer and the arrival scan would load (the
    index, the catalog, numpy): 4,711 unchanged dumps take a few tenths of a second."""
    if not paths or not (data_dir / MANIFEST).is_file():
        return None
    from paperbrowse.housekeeping import clear_debris

    with write_lock(data_dir), private_umask():
        try:
            manifest: Manifest = read_manifest(data_dir)
        except LibraryError:
            return None
        if not manifest.get("index") or manifest.get("schema") != SCHEMA_VERSION:
            return None
        recorded = manifest.get("sources", {})
        by_path = {where: key for key, info in recorded.items() if (where := info.get("path"))}
        taken: set[str] = set()
        for path in paths:
            key, _ = quick_check(path, recorded, by_path, taken)
            if key is None:
                return None
            taken.add(key)
        clear_debris(data_dir, manifest)
    return len(paths)
