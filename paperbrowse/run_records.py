"""The capture records of one `index` run, kept in a private temporary file of the data dir
instead of in memory (issue 15: a 10^6-paper run parses about 1.5 million records).

Each record is a line of JSON (a `schema.paper_record` dict) in `.run-records-*.jsonl`; the
process keeps only, per record, its offset in the file, its source, the stored document it was
read back from (if any) and its identity keys as integers (`identity.KeyCodes`): about 50 bytes
a record. The file is removed when the run ends, whether it succeeded or failed;
`housekeeping.clear_debris` removes one a killed run left.

`encode_dump` turns one parsed capture into the bytes and keys `RunRecords.add` takes; it runs in
the parsing processes (indexer.py), so the records never travel as Python objects.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from array import array
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from paperbrowse.identity import Key, KeyCodes, encode_keys, key_codes, key_of
from paperbrowse.pages import ParseResult
from paperbrowse.paths import RUN_RECORDS_PREFIX
from paperbrowse.schema import paper_record

PREFIX = RUN_RECORDS_PREFIX  # the temporary file's name starts with this (housekeeping clears it)


@dataclass
class EncodedDump:
    """One parsed capture, ready for `RunRecords.add`: its records as JSON lines (`blob`, the
    length of each line in `lengths`, bytes), their identity keys as `identity.key_codes`
    columns, and what the manifest records of the dump (`kind`, `page_date` ISO or None,
    `papers`) plus its parse warnings (one line each)."""

    kind: str
    page_date: str | None
    papers: int
    warnings: list[str] = field(default_factory=list)
    blob: bytes = b""
    lengths: list[int] = field(default_factory=list)
    arxiv: list[bytes] = field(default_factory=list)
    title: list[int] = field(default_factory=list)
    abstract: list[int] = field(default_factory=list)


def encode_dump(result: ParseResult, name: str) -> EncodedDump:
    """A parsed capture's records as stored under source key `name` (the parser names them by
    the file name; `sources` and `page_kinds` are re-keyed to `name`), encoded for `add`."""
    lines: list[bytes] = []
    out = EncodedDump(
        kind=result.kind,
        page_date=result.page_date.isoformat() if result.page_date else None,
        papers=len(result.papers),
        warnings=[str(w) for w in result.warnings],
    )
    for paper in result.papers:
        rec = paper_record(paper)
        rec["sources"] = [name]
        kinds = list(rec["page_kinds"].values())
        rec["page_kinds"] = {name: kinds[0]} if kinds else {}
        lines.append(json.dumps(rec).encode("ascii") + b"\n")
        arxiv, title, abstract = key_codes(key_of(paper))
        out.arxiv.append(arxiv)
        out.title.append(title)
        out.abstract.append(abstract)
    out.blob = b"".join(lines)
    out.lengths = [len(line) for line in lines]
    return out


def encode_records(records: Sequence[dict[str, Any]], keys: Sequence[Key]) -> EncodedDump:
    """Stored records (read back from the index) with their keys, encoded for `add`."""
    lines = [json.dumps(rec).encode("ascii") + b"\n" for rec in records]
    cols = [key_codes(k) for k in keys]
    return EncodedDump(
        kind="",
        page_date=None,
        papers=len(records),
        blob=b"".join(lines),
        lengths=[len(line) for line in lines],
        arxiv=[c[0] for c in cols],
        title=[c[1] for c in cols],
        abstract=[c[2] for c in cols],
    )


class RunRecords:
    """The records of a run, in order of `add`; record `i` is `record(i)`, from source
    `source(i)`, read back from stored document `origin(i)` (None: parsed in this run).

    Opens its file in `data_dir` with the first record added (OSError when it cannot: a run
    with nothing to parse writes nothing); `close` removes it. Use as a context manager."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.path: Path | None = None
        self._fd = -1
        self._size = 0
        self._offsets = array("q", [0])
        self._source = array("i")
        self._origin = array("i")
        self._names: list[str] = []
        self._name_ids: dict[str, int] = {}
        self._origins: list[str] = []
        self._chunks: list[tuple[Any, Any, Any]] = []

    def __enter__(self) -> RunRecords:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __len__(self) -> int:
        return len(self._source)

    def add(self, name: str, dump: EncodedDump, origin: str | None = None) -> None:
        """Append a dump's encoded records under source `name` (OSError when the disk is
        full)."""
        if not dump.lengths:
            return
        if self.path is None:
            fd, file = tempfile.mkstemp(prefix=PREFIX, suffix=".jsonl", dir=self.data_dir)
            self.path, self._fd = Path(file), fd
        view = memoryview(dump.blob)
        while view:
            written = os.write(self._fd, view)
            view = view[written:]
        sid = self._name_ids.setdefault(name, len(self._names))
        if sid == len(self._names):
            self._names.append(name)
        oid = -1
        if origin is not None:
            oid = len(self._origins)
            self._origins.append(origin)
        ends = np.cumsum(np.asarray(dump.lengths, dtype=np.int64)) + self._size
        self._offsets.extend(ends.tolist())
        self._size = int(ends[-1])
        self._source.extend([sid] * len(dump.lengths))
        self._origin.extend([oid] * len(dump.lengths))
        self._chunks.append(
            (
                np.array(dump.arxiv, dtype=bytes),
                np.asarray(dump.title, dtype=np.int64),
                np.asarray(dump.abstract, dtype=np.int64),
            )
        )

    def codes(self) -> KeyCodes:
        """The identity keys of every record so far (`identity.KeyCodes`, in record order)."""
        return encode_keys(self._chunks)

    def record(self, i: int) -> dict[str, Any]:
        """Record `i` (a `schema.paper_record` dict)."""
        start, end = self._offsets[i], self._offsets[i + 1]
        data: dict[str, Any] = json.loads(os.pread(self._fd, end - start, start))
        return data

    def source(self, i: int) -> str:
        """The source key record `i` was parsed from (or stored under)."""
        return self._names[self._source[i]]

    def origin(self, i: int) -> str | None:
        """The id of the stored document record `i` was read back from; None when parsed in
        this run."""
        oid = self._origin[i]
        return self._origins[oid] if oid >= 0 else None

    def close(self) -> None:
        """Close and remove the file (idempotent)."""
        if self._fd >= 0:
            with contextlib.suppress(OSError):
                os.close(self._fd)
            self._fd = -1
        if self.path is not None:
            with contextlib.suppress(OSError):
                self.path.unlink()
