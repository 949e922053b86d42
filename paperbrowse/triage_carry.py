"""Triage that follows a paper whose id changed (it gained an arXiv id, or two papers became
one): the old ids' flags, tags and note given to the new id, with the times they were set
(merging.py's `carry_triage` calls it before an index run commits), and the old ids' rows
dropped once that run has committed (`drop_carried`)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from paperbrowse.models import TriageState
from paperbrowse.state_schema import FIELDS, FLAGS, id_chunks, now_stamp
from paperbrowse.triage import TriageStore


def carry_over(store: TriageStore, renames: Mapping[str, Iterable[str]]) -> int:
    """Give each new id the flags, tags and note of its old ids (`{new id: old ids}`), in
    one transaction; a flag already set on the new id stays set, its tags are kept and
    joined by the old ones, its note is kept (else the first old note), and the old rows
    are kept (`drop_carried` drops them once the index run has committed). A flag, tags or
    note the new id gains keeps the time it was set on an old id (the earliest, for a flag;
    the latest tags change); others record this change's. A mark cleared on an old id and
    unset on the new one (no time there) takes the latest clearing's time (`state import`
    compares times: an older line must not set it again).

    Used when a paper's id changes (it gained an arXiv id) or two papers become one.
    Returns how many ids gained something; nothing is written when none does.
    """
    olds = {pid for ids in renames.values() for pid in ids}
    before = store.get_many(olds)
    if not before:
        return 0
    current = store.get_many(renames)
    flag_rows: list[tuple[Any, ...]] = []
    tag_rows: list[tuple[str, str]] = []
    note_rows: list[tuple[str, str]] = []
    # (field, new id, old ids it takes the time from, "min" or "max" of their times)
    times: list[tuple[str, str, list[str], str]] = []
    old_times = _times_of(store, before)
    new_times = _times_of(store, current)
    for new, ids in renames.items():
        held = sorted(i for i in ids if i in before)
        states = [before[i] for i in held]
        now = current.get(new, TriageState())
        flags = [any(getattr(s, f) for s in [now, *states]) for f in FLAGS]
        if flags != [getattr(now, f) for f in FLAGS]:
            flag_rows.append((new, *(int(v) for v in flags)))
            times += [
                (f, new, [i for i in held if getattr(before[i], f)], "min")
                for f in FLAGS
                if not getattr(now, f) and any(getattr(s, f) for s in states)
            ]
        tag_rows += [
            (new, t) for t in sorted({t for s in states for t in s.tags}) if t not in now.tags
        ]
        if not now.tags and any(s.tags for s in states):
            times.append(("tags", new, [i for i in held if before[i].tags], "max"))
        source = next((i for i in held if before[i].note), None)
        if source is not None and not now.note:
            note_rows.append((new, before[source].note))
            times.append(("note", new, [source], "min"))
        # A mark cleared on an old id (unstarred at T) and never set on the new one keeps
        # when it was cleared: `state import` of an older starred line must not star it again.
        for field in FIELDS:
            if _held(now, field) or any(_held(s, field) for s in states):
                continue
            cleared = [i for i in held if old_times[i].get(field)]
            if cleared and not new_times.get(new, {}).get(field):
                times.append((field, new, cleared, "max"))
    changed = {r[0] for r in flag_rows} | {r[0] for r in tag_rows} | {r[0] for r in note_rows}
    changed |= {new for _field, new, _held, _when in times}
    if not changed:
        return 0
    with store.writing() as db:
        stamp = now_stamp()
        db.executemany(
            "INSERT INTO state (id, read, starred, hidden) VALUES (?, ?, ?, ?) "
            "ON CONFLICT(id) DO UPDATE SET "
            + ", ".join(
                f"{f}_at = CASE WHEN excluded.{f} > {f} THEN '{stamp}' ELSE {f}_at END"
                for f in FLAGS
            )
            + ", read = max(read, excluded.read), "
            "starred = max(starred, excluded.starred), "
            "hidden = max(hidden, excluded.hidden), "
            "updated = strftime('%Y-%m-%dT%H:%M:%SZ', 'now')",
            flag_rows,
        )
        for new, *_flags in flag_rows:  # a new row: its set flags changed now
            db.execute(
                "UPDATE state SET "
                + ", ".join(f"{f}_at = coalesce({f}_at, CASE WHEN {f} THEN ? END)" for f in FLAGS)
                + " WHERE id = ?",
                (stamp, stamp, stamp, new),
            )
        db.executemany("INSERT OR IGNORE INTO state (id) VALUES (?)", [(i,) for i in changed])
        db.executemany("INSERT OR IGNORE INTO tags (id, tag) VALUES (?, ?)", tag_rows)
        db.executemany(
            "UPDATE state SET tags_at = ? WHERE id = ?",
            [(stamp, i) for i in {r[0] for r in tag_rows}],
        )
        db.executemany(
            "UPDATE state SET note = ?, note_at = ? WHERE id = ?",
            [(note, stamp, i) for i, note in note_rows],
        )
        for field, new, held, when in times:  # carried: the old ids' time, when they have one
            marks = ",".join("?" * len(held))
            db.execute(
                f"UPDATE state SET {field}_at = coalesce((SELECT {when}({field}_at) "
                f"FROM state WHERE id IN ({marks})), {field}_at) WHERE id = ?",
                (*held, new),
            )
    return len(changed)


def _held(state: TriageState, field: str) -> bool:
    """Whether `state` has `field` (a flag, "tags" or "note") set."""
    return bool(getattr(state, field))


def _times_of(store: TriageStore, ids: Iterable[str]) -> dict[str, dict[str, str | None]]:
    """{id: {field: the time it last changed}} of the ids with a row (fields: FLAGS, tags,
    note)."""
    columns = ", ".join(f"{f}_at" for f in FIELDS)
    found: dict[str, dict[str, str | None]] = {}
    with store.reading() as db:
        for chunk, marks in id_chunks(sorted(ids)):
            for pid, *at in db.execute(
                f"SELECT id, {columns} FROM state WHERE id IN ({marks})", chunk
            ):
                found[pid] = dict(zip(FIELDS, at, strict=True))
    return found


def drop_carried(store: TriageStore, ids: Iterable[str]) -> int:
    """Delete the rows (flags, tags, note) of `ids`, old ids whose marks `carry_over` gave to
    new ids, in one transaction. For after the index run that removed those ids has
    committed: a later change to the new id's marks (unstarring it) must not leave the old id
    starred in `state export`, where another machine that still has the old id would read
    it. Returns how many rows were deleted from `state`."""
    olds = sorted(set(ids))
    if not olds or not store.get_many(olds):
        return 0
    deleted = 0
    with store.writing() as db:
        for chunk, marks in id_chunks(olds):
            deleted += db.execute(f"DELETE FROM state WHERE id IN ({marks})", chunk).rowcount
            db.execute(f"DELETE FROM tags WHERE id IN ({marks})", chunk)
    return deleted
