"""The commands `star|unstar|read|unread|hide|unhide`, `tag`, `note`, `tags` and `state
export|import` as typed functions, shaped like search_commands.py: the `*_command` functions print
what the command prints and return the exit status (0 done, even when nothing needed changing; 1
nothing to act on or the library cannot be written; 2 a usage mistake), raising
command_errors.CommandError with a one-line message; the functions under them return what they
did. cli_state.py only parses. Each write is one transaction in `state.db` through TriageStore (see
triage.py for the guarantees: read-only library refused, deleted state.db noticed, bounded
locks).
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from paperbrowse.command_errors import EXIT_NONE, EXIT_OK, EXIT_USAGE, CommandError
from paperbrowse.index_commands import ready_library
from paperbrowse.library import Library
from paperbrowse.models import Filters
from paperbrowse.paper_ids import unknown_id
from paperbrowse.paths import state_db
from paperbrowse.state_schema import FLAG_COMMANDS, FLAG_PAST
from paperbrowse.sync import ImportReport, SyncError, export_records, import_records, parse_records
from paperbrowse.tags import (
    NoteError,
    TagError,
    delete_tag,
    edit_tags,
    normalise_tag,
    parse_edits,
    rename_tag,
    set_note,
    tag_counts,
)
from paperbrowse.text import is_utf8_stream, json_line_safe
from paperbrowse.triage import TriageStore


@dataclass(frozen=True)
class Targets:
    """The papers a command acts on: ids given one by one, or a query (searched over every
    paper, hidden ones too)."""

    ids: tuple[str, ...] = ()
    query: str = ""


def resolve(library: Library, triage: TriageStore, targets: Targets) -> list[str]:
    """The paper ids of `targets`, in order, without repeats. CommandError: an id that names
    no paper (nothing is changed then), a query matching nothing, or neither given."""
    if targets.query:
        ids = library.search(Filters(query=targets.query, state="all"), triage).ids
        if not ids:
            raise CommandError(f"no papers match {targets.query!r}")
        return list(ids)
    if not targets.ids:
        raise CommandError(
            "give paper ids (or a unique prefix of 6 or more hex digits) or --query QUERY",
            EXIT_USAGE,
        )
    found: list[str] = []
    for given in targets.ids:
        paper = library.get(given)
        if paper is None:
            raise CommandError(f"{unknown_id(given)}; nothing was changed")
        if paper.id not in found:
            found.append(paper.id)
    return found


def set_flag(library: Library, triage: TriageStore, command: str, targets: Targets) -> int:
    """Run `star`/`unstar`/`read`/`unread`/`hide`/`unhide`: how many papers changed."""
    flag, value = FLAG_COMMANDS[command]
    ids = resolve(library, triage, targets)
    states = triage.get_many(ids)
    changing = [i for i in ids if (getattr(states[i], flag) if i in states else False) != value]
    if changing:
        triage.set(changing, flag, value)
    return len(changing)


def split_tag_words(words: Sequence[str]) -> tuple[list[str], list[str]]:
    """`tag` arguments as (targets, tag edits): `+name`/`-name` words are edits, the rest
    name papers."""
    edits = [w for w in words if len(w) > 1 and w[0] in "+-"]
    rest = [w for w in words if not (len(w) > 1 and w[0] in "+-")]
    return rest, edits


def tag(library: Library, triage: TriageStore, targets: Targets, edits: Sequence[str]) -> int:
    """Add/remove tags (`+name`, `-name`; each argument one tag) on the targets: how many
    papers' tags changed."""
    try:
        add, remove = parse_edits(edits, split=False)
    except TagError as exc:
        raise CommandError(str(exc), EXIT_USAGE) from None
    if not add and not remove:
        raise CommandError("give tags to add or remove: +name -name", EXIT_USAGE)
    ids = resolve(library, triage, targets)
    return edit_tags(triage, ids, add, remove).changed


def targets_from_words(library: Library, words: Sequence[str], query: str) -> Targets:
    """`ID...` when every word names a paper, else the words as one query (`tag` takes
    `ID|QUERY`); `query` (--query) wins."""
    if query:
        return Targets(query=query)
    if words and all(_names_paper(library, w) for w in words):
        return Targets(ids=tuple(words))
    return Targets(query=" ".join(words)) if words else Targets()


def _names_paper(library: Library, word: str) -> bool:
    try:
        return library.get(word) is not None
    except Exception:  # an ambiguous prefix: not one paper
        return False


def edit_in_editor(text: str, environ: dict[str, str] | None = None) -> str:
    """Open `text` in $VISUAL / $EDITOR (a command line, split like a shell) and return what
    was saved. CommandError when neither is set, the editor fails, or what it saved is not
    UTF-8 text (the note is kept as it was)."""
    env = os.environ if environ is None else environ
    editor = env.get("VISUAL") or env.get("EDITOR")
    if not editor:
        raise CommandError(
            "set $EDITOR to edit notes, or give the note with --set TEXT", EXIT_USAGE
        )
    with tempfile.TemporaryDirectory(prefix="paperbrowse-note-") as folder:
        path = Path(folder) / "note.txt"
        path.write_text(text, encoding="utf-8")
        try:
            done = subprocess.run([*shlex.split(editor), str(path)], check=False)
        except OSError as exc:
            raise CommandError(f"cannot run the editor {editor!r}: {exc.strerror}") from None
        if done.returncode != 0:
            raise CommandError(f"the editor {editor!r} failed (exit {done.returncode}); note kept")
        try:
            return path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            raise CommandError(
                "the editor saved text that is not UTF-8 (as --set refuses); note kept",
                EXIT_USAGE,
            ) from None


def note(library: Library, triage: TriageStore, paper_id: str, text: str | None) -> bool:
    """Set a paper's note to `text` (None: edit the current one in $EDITOR); whether it
    changed. An empty text clears the note."""
    paper = library.get(paper_id)
    if paper is None:
        raise CommandError(unknown_id(paper_id))
    if text is None:
        text = edit_in_editor(triage.get(paper.id).note)
    try:
        return set_note(triage, paper.id, text)
    except NoteError as exc:
        raise CommandError(str(exc), EXIT_USAGE) from None


def export_state(library: Library | None, triage: TriageStore, out: IO[str]) -> int:
    """Write every paper's state as JSON lines (sync.py); how many lines. On a stream that is
    not UTF-8 the lines are ASCII (`\\u` escapes), so nothing is replaced by `?`."""
    ascii_only = not is_utf8_stream(out)  # \\u escapes: exact JSON on any stream
    count = 0
    for record in export_records(triage, library):
        out.write(json_line_safe(json.dumps(record, ensure_ascii=ascii_only)) + "\n")
        count += 1
    return count


def import_state(library: Library | None, triage: TriageStore, path: str) -> ImportReport:
    """Merge an export file (`-`: stdin) into state.db; CommandError names a bad line."""
    try:
        if path == "-":
            records = parse_records(sys.stdin, "<stdin>")
        else:
            with open(path, encoding="utf-8") as handle:
                records = parse_records(handle, path)
    except SyncError as exc:
        raise CommandError(f"{exc}; nothing was imported") from None
    except UnicodeDecodeError:
        raise CommandError(f"{path}: not UTF-8 text; nothing was imported") from None
    return import_records(triage, library, records)


# ---------------------------------------------------------------------------------------------
# The commands: print, return the exit status


def _papers(n: int) -> str:
    return f"{n} paper{'' if n == 1 else 's'}"


def _store(data_dir: Path, *, writable: bool) -> TriageStore:
    return TriageStore(state_db(data_dir), writable=writable)


def _library(data_dir: Path) -> Library:
    library = ready_library(data_dir)
    if library.searcher is None:
        raise CommandError(
            f"the library in {data_dir} is empty: add dumps with `paperbrowse index PATH...`"
        )
    return library


def _library_if_any(data_dir: Path) -> Library | None:
    if not data_dir.is_dir():
        return None
    library = ready_library(data_dir)
    return library if library.searcher is not None else None


def flag_command(data_dir: Path, command: str, ids: Sequence[str], query: str) -> int:
    """`paperbrowse star|unstar|read|unread|hide|unhide ID...|--query QUERY`: prints how many
    papers changed."""
    targets = Targets(ids=tuple(ids), query=query)
    if targets.ids and targets.query:
        raise CommandError(f"{command}: give ids or --query, not both", EXIT_USAGE)
    library = _library(data_dir)
    count = set_flag(library, _store(data_dir, writable=True), command, targets)
    print(f"{FLAG_PAST[command]}: {_papers(count)} changed")
    return EXIT_OK


def tag_command(data_dir: Path, words: Sequence[str], query: str) -> int:
    """`paperbrowse tag ID|QUERY +name -name`: prints on how many papers the tags changed."""
    triage = _store(data_dir, writable=True)
    library = _library(data_dir)
    named, edits = split_tag_words(words)
    count = tag(library, triage, targets_from_words(library, named, query), edits)
    print(f"tags changed on {_papers(count)}")
    return EXIT_OK


def note_command(data_dir: Path, paper_id: str, text: str | None) -> int:
    """`paperbrowse note ID [--set TEXT]` (None: $EDITOR): prints whether the note was
    saved, cleared or left unchanged."""
    triage = _store(data_dir, writable=True)
    library = _library(data_dir)
    changed = note(library, triage, paper_id, text)
    paper = library.get(paper_id)
    now = triage.get(paper.id).note if paper is not None else ""
    print("note unchanged" if not changed else ("note saved" if now else "note cleared"))
    return EXIT_OK


def tags_command(
    data_dir: Path, *, rename: Sequence[str] | None = None, delete: str | None = None
) -> int:
    """`paperbrowse tags`: each tag and how many papers in the library carry it, tab-separated
    (exit 1 when there are none); `rename` (OLD, NEW) or `delete` NAME change a tag on every
    paper that has it in state.db (papers forgotten from the library included)."""
    triage = _store(data_dir, writable=bool(rename or delete))
    try:
        named = delete or (rename[0] if rename else "")
        if named and named.lower() not in dict(tag_counts(triage)):
            raise CommandError(f"no paper has the tag {named!r}; see `paperbrowse tags`")
        if rename:
            old, new = rename
            count = rename_tag(triage, old, new)
            print(f"{normalise_tag(old)} -> {normalise_tag(new)}: {_papers(count)} changed")
            return EXIT_OK
        if delete:
            count = delete_tag(triage, delete)
            print(f"{normalise_tag(delete)} removed from {_papers(count)}")
            return EXIT_OK
    except TagError as exc:
        raise CommandError(str(exc), EXIT_USAGE) from None
    library = _library_if_any(data_dir)
    counts = tag_counts(triage, library.catalog.docnum_of if library is not None else ())
    if not counts and tag_counts(triage):
        raise CommandError(
            "no paper in this library has a tag (the tags of papers not in it are kept in "
            "state.db for when they are indexed again)",
            EXIT_NONE,
        )
    if not counts:
        raise CommandError("no tags yet: add some with `paperbrowse tag ID +name`", EXIT_NONE)
    for name, count in counts:
        print(f"{name}\t{count}")
    return EXIT_OK


def state_export_command(data_dir: Path) -> int:
    """`paperbrowse state export`: every paper's triage, tags and note as JSON lines."""
    triage = _store(data_dir, writable=False)
    export_state(_library_if_any(data_dir), triage, sys.stdout)
    return EXIT_OK


def state_import_command(data_dir: Path, path: str | None) -> int:
    """`paperbrowse state import FILE` (`-`: stdin): merges an export; prints what changed."""
    if not path:
        raise CommandError("state import: give the FILE to import (- = stdin)", EXIT_USAGE)
    triage = _store(data_dir, writable=True)
    report = import_state(_library_if_any(data_dir), triage, path)
    records = f"{report.records} record{'' if report.records == 1 else 's'}"
    pending = f"{report.pending} record{'' if report.pending == 1 else 's'}"
    print(
        f"{records} read: {_papers(report.papers)} in this library changed "
        f"({report.fields} field{'' if report.fields == 1 else 's'}); {pending} kept for "
        "papers not in this library (they apply when those papers are indexed)"
    )
    return EXIT_OK
