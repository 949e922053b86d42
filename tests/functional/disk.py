"""A full disk for tests: `fill_disk` writes a file until the file system refuses (the
`small_tmpfs` fixture of conftest.py gives a small one to fill)."""

from __future__ import annotations

import os
from pathlib import Path


def fill_disk(folder: Path) -> Path:
    """Write `folder/filler` 4 KB at a time until the disk is full (ENOSPC); return its path
    (remove it to make room again)."""
    filler = folder / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        while True:
            os.write(fd, b"\0" * 4096)
    except OSError:
        pass
    finally:
        os.close(fd)
    return filler
