"""The inputs of an `index` run: dump files and directories, stdin, or records already parsed;
the name each is recorded under (its source key); and reading and parsing each one once.

A dump is read once: the bytes that are hashed (for the manifest) are the bytes that are parsed.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TextIO

from paperbrowse.limits import DEFAULT_MAX_BYTES
from paperbrowse.manifest import RecordedDump
from paperbrowse.models import Paper
from paperbrowse.pages import DumpError, ParseResult, parse_capture, read_capture
from paperbrowse.pages.decoding import html_error, is_html_name
from paperbrowse.pages.reading import file_type, not_regular, read_limited


@dataclass
class Source:
    """One input to index: a file, stdin's bytes under a name, or papers already parsed
    (`records`, e.g. from an importer; a rebuild cannot read them again, as for stdin)."""

    name: str
    path: Path | None
    data: bytes | None = None
    records: list[Paper] | None = None
    walked: bool = False  # found in a directory `index DIR` walked, not named by the user


# What `index DIR` reads: select-all copies (.txt) and Markdown clips (.md, .markdown).
CAPTURE_SUFFIXES = (".txt", ".md", ".markdown")


def collect_sources(
    paths: Sequence[str], stdin: TextIO | None = None, *, max_bytes: int = DEFAULT_MAX_BYTES
) -> tuple[list[Source], list[str]]:
    """Expand CLI paths into sources: files, directories (recursively: *.txt, *.md, *.markdown),
    and `-` for stdin (read here, at most `max_bytes`).

    Returns the sources and one-line problems: missing paths, broken or looping links,
    unreadable directories, saved HTML pages in a directory (with how to save them as text),
    anything in a directory that is not a regular file (a FIFO, socket or device: never opened),
    and a stdin over the size limit.
    """
    sources: list[Source] = []
    problems: list[str] = []
    seen: set[str] = set()

    def add(path: Path, real: str | None = None, walked: bool = False) -> None:
        key = os.path.realpath(path) if real is None else real
        if key in seen:
            return
        seen.add(key)
        sources.append(Source(name=path.name, path=path, walked=walked))

    for raw in paths:
        if raw == "-":
            try:
                data = read_limited(stdin.buffer, "stdin", max_bytes) if stdin is not None else b""
            except DumpError as exc:
                problems.append(str(exc))
                continue
            except OSError as exc:
                problems.append(f"stdin: cannot read: {exc.strerror}")
                continue
            # Named by content: a second, different pipe adds its papers instead of replacing
            # the first pipe's, and piping the same dump again changes nothing.
            digest = hashlib.sha256(data).hexdigest()[:12]
            sources.append(Source(name=f"stdin-{digest}", path=None, data=data))
            continue
        path = Path(raw)
        if path.is_dir():
            _walk(path, partial(add, walked=True), problems)
        elif path.exists():
            add(path)  # whatever it is: reading names what cannot be read (a FIFO, HTML)
        elif path.is_symlink():
            problems.append(f"{path}: broken or looping symbolic link")
        else:
            problems.append(f"{path}: no such file or directory")
    return sources, problems


def _walk(root: Path, add: Callable[[Path, str], None], problems: list[str]) -> None:
    """The captures under a directory, in name order (of their paths' parts), each with its
    real path; problems named in `problems`. A file that is no symbolic link is stat'ed once
    and its real path is its directory's (resolved once per directory) plus its name."""
    errors: list[OSError] = []
    found: list[tuple[tuple[str, ...], str, str]] = []  # (the path's parts, directory, name)
    for base, dirs, files in os.walk(root, onerror=errors.append, followlinks=False):
        dirs.sort()
        parts = Path(base).parts
        found.extend(((*parts, name), base, name) for name in files)
    for err in errors:
        problems.append(f"{err.filename}: cannot read directory: {err.strerror}")
    real_dirs: dict[str, str] = {}
    for _, base, filename in sorted(found):
        file = Path(base, filename)
        name = filename.lower()
        try:
            info = os.lstat(file)
            link = stat.S_ISLNK(info.st_mode)
            kind = file_type(os.stat(file).st_mode if link else info.st_mode)
        except OSError:
            if file.is_symlink() and name.endswith(CAPTURE_SUFFIXES):
                problems.append(f"{file}: broken or looping symbolic link")
            continue
        if kind == "a directory":
            continue  # a link to a directory: not followed
        if kind is not None:
            problems.append(str(not_regular(str(file), kind)))
        elif name.endswith(CAPTURE_SUFFIXES):
            if link:
                add(file, os.path.realpath(file))
                continue
            if base not in real_dirs:
                real_dirs[base] = os.path.realpath(base)
            add(file, os.path.join(real_dirs[base], filename))
        elif is_html_name(name):
            problems.append(str(html_error(str(file))))


def source_key(
    source: Source,
    digest: str,
    recorded: Mapping[str, RecordedDump],
    by_path: Mapping[str, str],
    taken: set[str],
) -> str:
    """The name a dump's papers are recorded under in the manifest (and in their `sources`).

    Its file name (with U+FFFD for bytes that are not UTF-8), unless that name already
    belongs to another dump (a different `x.txt` in
    another directory that still exists) or to another file of this run: then the name plus a
    short hash of the dump's full path, so neither replaces the other's papers. A dump indexed
    before keeps its name, and so does one that moved or was copied (its recorded path is gone,
    or the recorded content is the same).
    """
    if source.path is None:
        return source.name
    real = str(source.path.resolve())
    known = by_path.get(real)
    if known is not None and known not in taken:
        return known
    name = display_name(source.name)
    entry = recorded.get(name)
    recorded_path = entry.get("path") if entry else None
    if name not in taken and (
        name not in recorded
        or (entry is not None and entry.get("sha256") == digest)
        or not recorded_path
        or not Path(recorded_path).exists()
    ):
        return name
    stem, dot, suffix = name.rpartition(".")
    tag = hashlib.sha256(real.encode("utf-8", "surrogateescape")).hexdigest()[:8]
    return f"{stem}~{tag}.{suffix}" if dot and stem else f"{name}~{tag}"


def display_name(name: str) -> str:
    """A file name as text: bytes that are not UTF-8 (kept by Python as surrogate escapes)
    become U+FFFD, so the name can be stored, indexed and printed like any other."""
    return os.fsencode(name).decode("utf-8", "replace")


def read_source(source: Source, max_bytes: int) -> tuple[bytes, float | None]:
    """A source's bytes, read once (the bytes that are hashed are the bytes that are parsed),
    and its modification time (None for stdin and records). DumpError (one line, naming the
    file) when it cannot be read or is over `max_bytes`."""
    if source.records is not None:
        return records_bytes(source.records), None
    if source.data is not None:
        return source.data, None
    assert source.path is not None
    return read_capture(source.path, str(source.path), max_bytes)


def parse_source(source: Source, data: bytes, mtime: float | None, year: int | None) -> ParseResult:
    """The papers of a source (its `records` as they are, else its bytes parsed as a capture;
    `mtime` and `year` date pages that show no year, see pages.years). DumpError when the
    bytes are no capture (binary, HTML)."""
    if source.records is not None:
        return ParseResult(source.name, list(source.records))
    label = str(source.path) if source.path else source.name
    return parse_capture(data, source.name, label=label, mtime=mtime, year=year)


def records_bytes(records: Sequence[Paper]) -> bytes:
    """What identifies a source of already-parsed records (for its recorded hash)."""
    from paperbrowse.schema import paper_record  # imports Whoosh: not for an unchanged run

    return json.dumps([paper_record(p) for p in records], sort_keys=True).encode("utf-8")
