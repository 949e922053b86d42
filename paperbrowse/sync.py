"""`state export` / `state import`: a library's triage, tags and notes as JSON lines, merged
per field by the time of each change, so two machines can sync through any file-sync tool.

One line per paper that has any recorded change, sorted by key, keys in this order:
`arxiv_id` (the arXiv key, `2401.12345`, or null when unknown), `id` (the paper id on the
exporting machine), `title` (when the library holds the paper; for people reading a diff, not
used by import), then for each field that was ever changed its value and time:
`read`/`starred`/`hidden` (bool), `tags` (sorted list of lower-case words), `note` (string,
'' = none), each followed by `<field>_at` (`2026-11-30T20:54:27.123Z`, UTC).

Import finds the paper by its arXiv id, else by its id; a paper not in this library keeps its
record under the id it will have (arXiv papers' ids come from their arXiv id, see
models.arxiv_paper_id), so the state applies when the paper is indexed. Per field the later
change wins; at the same instant the larger value (compared as JSON text) wins, so merging A
into B and B into A give the same state, and importing a file twice changes nothing.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Protocol

from paperbrowse.models import Paper, arxiv_key, arxiv_paper_id, is_arxiv_id
from paperbrowse.state_schema import FIELDS, FLAGS
from paperbrowse.tags import NoteError, TagError, check_note_length, clean_note, normalise_tag
from paperbrowse.text import is_text
from paperbrowse.triage import TriageStore

_STAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
_PAPER_ID = re.compile(r"^[0-9a-f]{12}$")


def later_than_now(days: float = 1) -> str:
    """The change time (state.db's form, state_schema.now_stamp) `days` after now, UTC: an
    imported change later than this is refused. Such stamps compare as text in time order."""
    moment = datetime.now(timezone.utc) + timedelta(days=days)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _real_time(stamp: str) -> bool:
    try:
        datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%S.%fZ")
    except ValueError:  # 2026-13-45T…
        return False
    return True


class SyncError(ValueError):
    """A line of an export that cannot be imported; the message names the file and line."""


class PaperLookup(Protocol):
    """What sync needs of a library: a paper by id or arXiv id (Library.get)."""

    def get(self, paper_id: str) -> Paper | None:
        """The paper with this id or arXiv id, or None."""


@dataclass
class ImportReport:
    """What an import did: `papers` in this library whose state changed and `fields` changed
    on them (`changed_ids`: those papers), `pending` records for papers not in this library
    (kept in state.db until they arrive, whether or not this import changed them) and
    `pending_fields` changed on those, and `records` read."""

    papers: int = 0
    fields: int = 0
    pending: int = 0
    pending_fields: int = 0
    records: int = 0
    changed_ids: list[str] = field(default_factory=list)


def export_records(store: TriageStore, library: PaperLookup | None) -> Iterator[dict[str, Any]]:
    """Every paper's recorded state as export objects (see the module docstring), by key."""
    if store.version < 1:
        return iter(())
    with store.reading() as db:
        rows = db.execute(
            "SELECT id, arxiv, read, read_at, starred, starred_at, hidden, hidden_at, "
            "tags_at, note, note_at FROM state"
        ).fetchall()
        tags: dict[str, list[str]] = {}
        for pid, tag in db.execute("SELECT id, tag FROM tags ORDER BY tag"):
            tags.setdefault(pid, []).append(tag)
    records = []
    for (
        pid,
        arxiv,
        read,
        read_at,
        starred,
        starred_at,
        hidden,
        hidden_at,
        tags_at,
        note,
        note_at,
    ) in rows:
        stamps = {"read": read_at, "starred": starred_at, "hidden": hidden_at}
        stamps |= {"tags": tags_at, "note": note_at}
        if not any(stamps.values()):
            continue
        paper = _lookup(library, pid)
        if paper is not None and paper.arxiv_id:
            arxiv = arxiv_key(paper.arxiv_id)
        record: dict[str, Any] = {"arxiv_id": arxiv or None, "id": pid}
        if paper is not None:
            record["title"] = paper.title
        values: dict[str, Any] = {
            "read": bool(read),
            "starred": bool(starred),
            "hidden": bool(hidden),
        }
        values |= {"tags": tags.get(pid, []), "note": note}
        for name in FIELDS:
            if stamps[name]:
                record[name] = values[name]
                record[f"{name}_at"] = stamps[name]
        records.append(record)
    return iter(sorted(records, key=lambda r: (r["arxiv_id"] or "~", r["id"])))


def _lookup(library: PaperLookup | None, key: str) -> Paper | None:
    if library is None:
        return None
    try:
        return library.get(key)
    except Exception:  # an ambiguous prefix or an empty library: not this paper
        return None


class _RepeatedName(Exception):
    """A JSON object names a member twice (args: the name)."""


def _one_value_per_name(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object's members as a dict, refusing a name given twice: RFC 8259 §4 says the
    names SHOULD be unique and readers differ on which value wins, so an import that picked
    one (`{"id": A, …, "id": B}`) could change another paper than the writer meant."""
    record = dict(pairs)
    if len(record) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _RepeatedName(key)
            seen.add(key)
    return record


def parse_records(lines: Iterable[str], name: str) -> list[dict[str, Any]]:
    """The records of an export file, checked; SyncError naming `name:line` for the first bad
    line (nothing is imported from a file with one), a record that names a member twice
    included. A UTF-8 byte-order mark before the first line is skipped."""
    records = []
    for number, line in enumerate(lines, 1):
        if number == 1:  # a byte-order mark, as Windows tools write one before UTF-8 text
            line = line.removeprefix("\ufeff")
        if not line.strip():
            continue
        where = f"{name}:{number}"
        try:
            record = json.loads(line, object_pairs_hook=_one_value_per_name)
        except json.JSONDecodeError as exc:
            raise SyncError(f"{where}: not a JSON line ({exc.msg})") from None
        except _RepeatedName as exc:
            raise SyncError(
                f"{where}: the name {exc.args[0]!r} appears twice in one record"
            ) from None
        if not isinstance(record, dict):
            raise SyncError(f"{where}: not a state record (a JSON object)")
        bad = _not_text(record)
        if bad:  # a lone surrogate (`\\ud800`): JSON allows it, no text holds it
            raise SyncError(f"{where}: {bad} holds a lone surrogate escape, not text")
        records.append(_checked(record, where))
    return records


def _not_text(value: Any, key: str = "") -> str:
    """The key of the first string in a JSON value (keys included) that is not valid text,
    else ''."""
    if isinstance(value, str):
        return "" if is_text(value) else key or "a value"
    if isinstance(value, list):
        return next((k for k in (_not_text(v, key) for v in value) if k), "")
    if isinstance(value, dict):
        for name, item in value.items():
            found = _not_text(name, "a key") or _not_text(item, name)
            if found:
                return found
    return ""


def _checked(record: dict[str, Any], where: str) -> dict[str, Any]:
    arxiv, pid = record.get("arxiv_id"), record.get("id")
    if arxiv is not None and (not isinstance(arxiv, str) or not is_arxiv_id(arxiv)):
        raise SyncError(
            f"{where}: arxiv_id must be an arXiv id like 2510.04618 or null, not {arxiv!r}"
        )
    latest = later_than_now()
    if not arxiv and not (isinstance(pid, str) and _PAPER_ID.match(pid)):
        raise SyncError(f"{where}: needs an arxiv_id or a 12-hex-digit id")
    for name in FIELDS:
        if name not in record:
            continue
        stamp = record.get(f"{name}_at")
        if not isinstance(stamp, str) or not _STAMP.match(stamp) or not _real_time(stamp):
            raise SyncError(f"{where}: {name}_at must be a time like 2026-11-30T20:54:27.123Z")
        if stamp > latest:  # a clock ahead would win every later sync
            raise SyncError(
                f"{where}: {name}_at {stamp} is more than a day after now; refused (is the "
                "clock of the machine that exported it ahead?)"
            )
        value = record[name]
        if name in FLAGS and not isinstance(value, bool):
            raise SyncError(f"{where}: {name} must be true or false")
        if name == "note":
            if not isinstance(value, str):
                raise SyncError(f"{where}: note must be a string")
            record["note"] = clean_note(value)  # what set_note stores: no control sequences
            try:  # the limit of `note --set` and the browser's `n`, on the note as stored
                check_note_length(record["note"])
            except NoteError as exc:
                raise SyncError(f"{where}: {exc}") from None
        if name == "tags":
            if not isinstance(value, list) or not all(isinstance(t, str) for t in value):
                raise SyncError(f"{where}: tags must be a list of words")
            try:
                record["tags"] = sorted({normalise_tag(t) for t in value})
            except TagError as exc:
                raise SyncError(f"{where}: {exc}") from None
    return record


def import_records(
    store: TriageStore, library: PaperLookup | None, records: list[dict[str, Any]]
) -> ImportReport:
    """Merge export records into `store`, in one transaction (all or nothing): per field, the
    later change wins (see the module docstring)."""
    report = ImportReport(records=len(records))
    targets: list[tuple[str, str | None, dict[str, Any], bool]] = []
    for record in records:
        arxiv = arxiv_key(record["arxiv_id"]) if record.get("arxiv_id") else None
        paper = _lookup(library, arxiv) if arxiv else None
        if paper is None and record.get("id"):
            paper = _lookup(library, record["id"])
        if paper is None:
            report.pending += 1
        local = paper.id if paper else (arxiv_paper_id(arxiv) if arxiv else record["id"])
        targets.append((local, arxiv, record, paper is not None))
    with store.writing() as db:
        for local, arxiv, record, present in targets:
            changed = _merge(db, local, arxiv, record)
            if not present:
                report.pending_fields += changed
            elif changed:
                report.papers += 1
                report.fields += changed
                report.changed_ids.append(local)
    return report


def _merge(db: Any, pid: str, arxiv: str | None, record: dict[str, Any]) -> int:
    """Merge one record into the row of `pid`; how many fields it changed."""
    db.execute("INSERT OR IGNORE INTO state (id) VALUES (?)", (pid,))
    if arxiv:
        db.execute("UPDATE state SET arxiv = coalesce(arxiv, ?) WHERE id = ?", (arxiv, pid))
    row = db.execute(
        "SELECT read, read_at, starred, starred_at, hidden, hidden_at, tags_at, note, note_at "
        "FROM state WHERE id = ?",
        (pid,),
    ).fetchone()
    tags = [r[0] for r in db.execute("SELECT tag FROM tags WHERE id = ? ORDER BY tag", (pid,))]
    mine = {
        "read": (bool(row[0]), row[1]),
        "starred": (bool(row[2]), row[3]),
        "hidden": (bool(row[4]), row[5]),
        "tags": (tags, row[6]),
        "note": (row[7], row[8]),
    }
    changed = 0
    for name in FIELDS:
        if name not in record:
            continue
        value, stamp = record[name], record[f"{name}_at"]
        old_value, old_stamp = mine[name]
        theirs = (stamp, json.dumps(value, ensure_ascii=False))
        ours = (old_stamp or "", json.dumps(old_value, ensure_ascii=False))
        if theirs <= ours:
            continue
        changed += 1
        if name in FLAGS:
            db.execute(
                f"UPDATE state SET {name} = ?, {name}_at = ? WHERE id = ?", (int(value), stamp, pid)
            )
        elif name == "note":
            db.execute("UPDATE state SET note = ?, note_at = ? WHERE id = ?", (value, stamp, pid))
        else:
            db.execute("UPDATE state SET tags_at = ? WHERE id = ?", (stamp, pid))
            db.execute("DELETE FROM tags WHERE id = ?", (pid,))
            db.executemany("INSERT INTO tags (id, tag) VALUES (?, ?)", [(pid, t) for t in value])
    return changed
