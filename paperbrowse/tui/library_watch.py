"""What the browser's library watch looks at: the stat data of the files every `index` run
changes in the data dir (main_screen.py's `_watch_library` asks the library for an update only
when they changed)."""

from __future__ import annotations

import os
from pathlib import Path

from paperbrowse.paths import INDEX_PREFIX, MANIFEST

FileStamp = tuple[str, int, int, int]  # name, inode, size, modification time (ns)


def library_files(data_dir: Path) -> tuple[FileStamp, ...] | None:
    """The stat data of what every `index` run changes in `data_dir`: the manifest (replaced
    after each commit: a new inode) and the index directories (a commit adds its TOC and
    segment files to one, a rebuild makes a new one); None when the data dir cannot be
    listed (then the library is asked every time)."""
    found: list[FileStamp] = []
    try:
        with os.scandir(data_dir) as entries:
            for entry in entries:
                if entry.name == MANIFEST or entry.name.startswith(INDEX_PREFIX):
                    info = entry.stat()
                    found.append((entry.name, info.st_ino, info.st_size, info.st_mtime_ns))
    except OSError:
        return None
    return tuple(sorted(found))
