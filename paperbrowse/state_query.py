"""Resolving the query fields that live in `state.db` (`tag:to-read`, `note:word`; parsed and
split out of a query by state_fields.py) into sets of paper ids, and the snapshot of flags, tags
and notes the browser hands to a search in its worker thread.

Notes are matched with the index's own analyzer (analysis.stemmed_terms, what abstracts are
indexed with): `note:benchmarks` finds a note saying "benchmark", `note:"held out"` the words
side by side. `tag:*` is every tagged paper, `tag:lab-*` a wildcard over tag names.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from whoosh import query

from paperbrowse.analysis import stemmed_terms
from paperbrowse.state_fields import StateClause, StateQueryError
from paperbrowse.tags import ids_with_tag, notes, tag_counts
from paperbrowse.triage import TriageStore
from paperbrowse.triage_view import TriageSnapshot


class StateSource(Protocol):
    """Where tag: and note: clauses read from: a StateSnapshot, or a TriageStore (read
    through the functions of tags.py)."""

    def tag_ids(self, tag: str) -> set[str]:
        """Ids of the papers carrying `tag` (lower case)."""

    def tag_names(self) -> list[str]:
        """Every tag in use."""

    def note_texts(self) -> dict[str, str]:
        """Every non-empty note by paper id."""


class _StoreSource:
    def __init__(self, store: TriageStore) -> None:
        self.store = store

    def tag_ids(self, tag: str) -> set[str]:
        return ids_with_tag(self.store, tag)

    def tag_names(self) -> list[str]:
        return [t for t, _ in tag_counts(self.store)]

    def note_texts(self) -> dict[str, str]:
        return notes(self.store)


class StateSnapshot(TriageSnapshot):
    """Flags (triage_view.TriageSnapshot), tags and notes read once from a TriageStore (in the
    thread that owns its connection), for a search in another thread: the browser's worker.
    A TriageView for Library.search and a StateSource for its tag: and note: clauses."""

    def __init__(self, store: TriageStore) -> None:
        super().__init__(store)
        self._tags: dict[str, set[str]] = {}
        for tag, _count in tag_counts(store):
            self._tags[tag] = ids_with_tag(store, tag)
        self._notes = notes(store)

    def tag_ids(self, tag: str) -> set[str]:
        """Ids of the papers carrying `tag`."""
        return set(self._tags.get(tag.lower(), ()))

    def tag_names(self) -> list[str]:
        """Every tag in use, sorted."""
        return sorted(self._tags)

    def note_texts(self) -> dict[str, str]:
        """Every non-empty note by paper id."""
        return dict(self._notes)


def clause_ids(source: StateSource, clause: query.Query) -> set[str]:
    """Ids of the papers a tag: or note: clause matches."""
    text = getattr(clause, "text", None)
    if clause.fieldname == "tag":
        if isinstance(clause, query.Term):
            return source.tag_ids(str(text))
        if isinstance(clause, (query.Wildcard, query.Prefix, query.Every)):
            pattern = "*" if isinstance(clause, query.Every) else str(text).lower()
            if isinstance(clause, query.Prefix):
                pattern += "*"
            found: set[str] = set()
            for tag in source.tag_names():
                if fnmatch.fnmatchcase(tag, pattern):
                    found |= source.tag_ids(tag)
            return found
        raise StateQueryError("tag: takes a tag name or a pattern (tag:to-read, tag:lab-*)")
    texts = source.note_texts()
    if isinstance(clause, query.Term):
        return _notes_where(texts, lambda terms: str(text) in terms)
    if isinstance(clause, query.Phrase):
        words = tuple(str(w) for w in clause.words)
        return _notes_where(texts, lambda terms: _holds_run(terms, words))
    if isinstance(clause, query.Every):
        return set(texts)
    if isinstance(clause, (query.Wildcard, query.Prefix)):
        pattern = str(text).lower() + ("*" if isinstance(clause, query.Prefix) else "")
        return {
            pid
            for pid, note in texts.items()
            if any(fnmatch.fnmatchcase(w.lower(), pattern) for w in note.split())
        }
    raise StateQueryError('note: takes a word, a "phrase" or a pattern (note:benchmark)')


def _notes_where(texts: dict[str, str], test: Callable[[tuple[str, ...]], bool]) -> set[str]:
    return {pid for pid, note in texts.items() if test(stemmed_terms(note)[1])}


def _holds_run(terms: tuple[str, ...], words: tuple[str, ...]) -> bool:
    n = len(words)
    return n == 0 or any(terms[i : i + n] == words for i in range(len(terms) - n + 1))


def state_ids(store: Any, clauses: Sequence[StateClause]) -> list[tuple[bool, set[str]]]:
    """[(negated, ids)] for each clause; with no store (no triage given) every clause matches
    nothing."""
    if store is None:
        return [(negated, set()) for negated, _ in clauses]
    if not clauses:
        return []
    source = _StoreSource(store) if isinstance(store, TriageStore) else store
    return [(negated, clause_ids(source, clause)) for negated, clause in clauses]
