"""Tags and notes of papers, kept in `state.db` beside the triage flags (see state_schema.py).

A tag is a case-insensitive word: stored lower-case, letters, digits and `-`, `_`, `.`, `+`
inside (`to-read`, `lab-meeting`, `cvpr2026`), at most MAX_TAG characters. A note is free text,
one per paper; '' is no note. Every change is one transaction through TriageStore.writing(), so
it has the flags' guarantees (read-only library refused, a deleted state.db noticed, bounded
locks, concurrent writers each keep their change), and records the time of the change in
`tags_at` / `note_at` for `state import` (sync.py).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Container, Iterable, Sequence
from dataclasses import dataclass

from paperbrowse.state_schema import now_stamp
from paperbrowse.text import strip_controls
from paperbrowse.triage import TriageStore

MAX_TAG = 64
# Characters in a note (after cleaning): the one limit of `note --set`, the editor, the
# browser's `n` and `state import`, so every note saved can be exported and imported again.
MAX_NOTE = 100_000
_TAG = re.compile(r"^\w(?:[\w.+-]*\w)?$")  # checked on the tag without its combining marks
_SEPARATOR = re.compile(r"[\s,]")  # what splits the browser's `t` line into tags


class TagError(ValueError):
    """A tag name that is not a tag; the message names it and says what a tag is."""


class NoteError(ValueError):
    """A note longer than MAX_NOTE characters; nothing was changed."""


def check_note_length(note: str) -> None:
    """NoteError (one line) when `note` is longer than MAX_NOTE characters."""
    if len(note) > MAX_NOTE:
        raise NoteError(
            f"a note holds at most {MAX_NOTE:,} characters; this one has {len(note):,}: "
            "nothing was changed"
        )


def normalise_tag(text: str) -> str:
    """`text` as a stored tag (NFC, lower case); TagError when it is not one word."""
    tag = unicodedata.normalize("NFC", text.strip()).lower()
    # A combining mark (Unicode category M) belongs to the letter before it: "İ" lower-cases
    # to "i" + U+0307, and scripts such as Devanagari write vowels as marks; `\w` has none.
    base = "".join(c for c in tag if not unicodedata.category(c).startswith("M"))
    marks_follow_letters = not tag or not unicodedata.category(tag[0]).startswith("M")
    if not base or len(tag) > MAX_TAG or not marks_follow_letters or not _TAG.match(base):
        raise TagError(
            f"invalid tag {text!r}: a tag is one word of letters and digits, with -, _, . or + "
            f"inside (at most {MAX_TAG} characters)"
        )
    return tag


def parse_edits(words: Iterable[str], *, split: bool = True) -> tuple[list[str], list[str]]:
    """`+name` (or a bare `name`) adds, `-name` removes: (tags to add, tags to remove), each
    normalised, in order, without repeats. `split` (the browser's `t` line): each word is
    split at spaces and commas; else (the command line) each word is one tag, and one with a
    space or comma in it is refused. TagError for a bad name or one both added and removed."""
    add: list[str] = []
    remove: list[str] = []
    for word in words:
        if split:
            parts = word.replace(",", " ").split()
        elif _SEPARATOR.search(word):
            raise TagError(
                f"invalid tag {word!r}: one argument is one tag, without spaces or commas "
                "(give each tag as its own +name or -name)"
            )
        else:
            parts = [word] if word else []
        for part in parts:
            target = remove if part.startswith("-") else add
            tag = normalise_tag(part[1:] if part[0] in "+-" else part)
            if tag not in target:
                target.append(tag)
    both = set(add) & set(remove)
    if both:
        raise TagError(f"tag {sorted(both)[0]!r} is both added and removed")
    return add, remove


@dataclass(frozen=True)
class TagChange:
    """One tag edit, with each paper's tags before it (for undo); `changed`: how many papers'
    tags it changed."""

    before: tuple[tuple[str, tuple[str, ...]], ...]
    changed: int


def tags_of(store: TriageStore, ids: Sequence[str]) -> dict[str, tuple[str, ...]]:
    """The sorted tags of each of `ids` (every id present, () when untagged)."""
    states = store.get_many(ids)
    return {pid: states[pid].tags if pid in states else () for pid in ids}


def edit_tags(
    store: TriageStore, ids: Sequence[str], add: Sequence[str], remove: Sequence[str]
) -> TagChange:
    """Add and remove tags (already normalised) on every id, in one transaction."""
    with store.writing() as db:
        before = tags_of(store, ids)
        after = {pid: (set(tags) | set(add)) - set(remove) for pid, tags in before.items()}
        changed = [pid for pid in ids if after[pid] != set(before[pid])]
        _write_tags(db, {pid: after[pid] for pid in changed})
    return TagChange(tuple(before.items()), len(changed))


def undo_tags(store: TriageStore, change: TagChange) -> None:
    """Give every paper of `change` the tags it had before, in one transaction."""
    with store.writing() as db:
        _write_tags(db, {pid: set(tags) for pid, tags in change.before})


def _write_tags(db: object, tags: dict[str, set[str]], stamp: str | None = None) -> None:
    stamp = stamp or now_stamp()
    execute = db.execute  # type: ignore[attr-defined]
    for pid, names in tags.items():
        execute("INSERT OR IGNORE INTO state (id) VALUES (?)", (pid,))
        execute("UPDATE state SET tags_at = ?, updated = ? WHERE id = ?", (stamp, stamp, pid))
        execute("DELETE FROM tags WHERE id = ?", (pid,))
        for name in sorted(names):
            execute("INSERT INTO tags (id, tag) VALUES (?, ?)", (pid, name))


def clean_note(text: str) -> str:
    """A note as stored: terminal escape sequences and control characters removed
    (text.strip_controls), trailing blanks dropped, '' when only blanks are left. Every way a
    note arrives goes through it (the browser's `n`, `note`, `state import`)."""
    note = strip_controls(text).rstrip()
    return note if note.strip() else ""


def set_note(store: TriageStore, paper_id: str, text: str) -> bool:
    """Set a paper's note ('' or blank clears it; trailing blanks dropped; terminal escape
    sequences and control characters removed, so what `note:` searches is what is shown), in one
    transaction; whether it changed. NoteError when the cleaned note is longer than MAX_NOTE
    (nothing changed)."""
    note = clean_note(text)
    check_note_length(note)
    with store.writing() as db:
        row = db.execute("SELECT note FROM state WHERE id = ?", (paper_id,)).fetchone()
        if (row[0] if row else "") == note:
            return False
        stamp = now_stamp()
        db.execute("INSERT OR IGNORE INTO state (id) VALUES (?)", (paper_id,))
        db.execute(
            "UPDATE state SET note = ?, note_at = ?, updated = ? WHERE id = ?",
            (note, stamp, stamp, paper_id),
        )
    return True


def tag_counts(store: TriageStore, among: Container[str] | None = None) -> list[tuple[str, int]]:
    """Every tag in use with how many papers carry it, most used first, then by name.
    `among` (the ids of the papers in the library): count only those papers, and leave out a
    tag none of them carries (its rows stay in state.db for when the papers come back)."""
    if store.version < 1:
        return []
    with store.reading() as db:
        if among is None:
            rows = db.execute("SELECT tag, count(*) FROM tags GROUP BY tag").fetchall()
        else:
            counted: dict[str, int] = {}
            for pid, tag in db.execute("SELECT id, tag FROM tags"):
                if pid in among:
                    counted[tag] = counted.get(tag, 0) + 1
            rows = list(counted.items())
    return sorted(((t, int(n)) for t, n in rows), key=lambda r: (-r[1], r[0]))


def ids_with_tag(store: TriageStore, tag: str) -> set[str]:
    """Ids of the papers carrying `tag` (any case)."""
    if store.version < 1:
        return set()
    with store.reading() as db:
        rows = db.execute("SELECT id FROM tags WHERE tag = ?", (tag.lower(),))
        return {r[0] for r in rows}


def all_tags(store: TriageStore) -> list[str]:
    """Every tag in use, sorted (for completion)."""
    return sorted(t for t, _ in tag_counts(store))


def notes(store: TriageStore) -> dict[str, str]:
    """Every non-empty note by paper id."""
    if store.version < 1:
        return {}
    with store.reading() as db:
        return dict(db.execute("SELECT id, note FROM state WHERE note != ''").fetchall())


def rename_tag(store: TriageStore, old: str, new: str) -> int:
    """Rename tag `old` to `new` on every paper (joining `new` where a paper has both), in
    one transaction; how many papers changed. TagError for a bad name."""
    old, new = normalise_tag(old), normalise_tag(new)
    with store.writing() as db:
        ids = [r[0] for r in db.execute("SELECT id FROM tags WHERE tag = ?", (old,))]
        if old == new or not ids:
            return 0
        current = tags_of(store, ids)
        _write_tags(db, {pid: (set(current[pid]) - {old}) | {new} for pid in ids})
    return len(ids)


def delete_tag(store: TriageStore, name: str) -> int:
    """Remove tag `name` from every paper, in one transaction; how many papers changed."""
    tag = normalise_tag(name)
    with store.writing() as db:
        ids = [r[0] for r in db.execute("SELECT id FROM tags WHERE tag = ?", (tag,))]
        if not ids:
            return 0
        current = tags_of(store, ids)
        _write_tags(db, {pid: set(current[pid]) - {tag} for pid in ids})
    return len(ids)
