"""Reading a capture's bytes once, safely: only regular files are opened, and a size limit is
checked while reading so memory stays bounded whatever the input (`/dev/zero`, a FIFO, a
multi-gigabyte pipe)."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import BinaryIO

from paperbrowse.limits import DEFAULT_MAX_BYTES, MB
from paperbrowse.pages.results import DumpError

_CHUNK = MB


def file_type(mode: int) -> str | None:
    """What a non-regular file is ("a FIFO", "a socket", ...); None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    return "not a file"


def not_regular(label: str, kind: str) -> DumpError:
    """The one-line refusal of something that is not a regular file."""
    if kind == "a directory":
        return DumpError(f"{label}: Is a directory")  # as the system says it
    return DumpError(f"{label}: not a regular file ({kind}); skipped")


def too_big(label: str, max_bytes: int) -> DumpError:
    """The one-line refusal of a capture over the size limit."""
    limit = max_bytes / MB
    shown = f"{limit:g} MB" if limit >= 1 else f"{max_bytes} bytes"
    return DumpError(
        f"{label}: larger than {shown}; skipped (a saved page is a few hundred KB; "
        "`paperbrowse index --max-size MB` raises the limit)"
    )


def read_limited(stream: BinaryIO, label: str, max_bytes: int) -> bytes:
    """Read a stream to its end, refusing (DumpError) once it exceeds `max_bytes`; at most
    `max_bytes` + one chunk is ever held."""
    chunks: list[bytes] = []
    total = 0
    while True:
        chunk = stream.read(min(_CHUNK, max_bytes + 1 - total))
        if not chunk:
            return b"".join(chunks)
        total += len(chunk)
        if total > max_bytes:
            raise too_big(label, max_bytes)
        chunks.append(chunk)


def read_capture(path: Path, label: str, max_bytes: int = DEFAULT_MAX_BYTES) -> tuple[bytes, float]:
    """A capture file's bytes and modification time, read once.

    Only a regular file is opened: a FIFO, socket or device is refused by its `stat` (opening a
    FIFO would wait for a writer for ever), and the open file is checked again (`fstat`) so a
    file swapped in between is refused too. Raises `DumpError` naming `label` for those, for a
    file over `max_bytes`, and for read errors.
    """
    try:
        kind = file_type(os.stat(path).st_mode)
        if kind is not None:
            raise not_regular(label, kind)
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise DumpError(f"{label}: No such file or directory") from None
    except OSError as exc:
        raise DumpError(f"{label}: cannot read: {exc.strerror or exc.__class__.__name__}") from None
    with os.fdopen(fd, "rb", buffering=0) as handle:
        try:
            info = os.fstat(fd)
            kind = file_type(info.st_mode)
            if kind is not None:
                raise not_regular(label, kind)
            if info.st_size > max_bytes:
                raise too_big(label, max_bytes)
            return read_limited(handle, label, max_bytes), info.st_mtime
        except OSError as exc:
            raise DumpError(f"{label}: cannot read: {exc.strerror}") from None
