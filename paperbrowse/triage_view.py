"""Views of triage: what a search reads of the read/starred/hidden flags (`TriageView`, which a
TriageStore is), and a snapshot of them taken in one thread for a search in another
(`TriageSnapshot`). The store itself, in SQLite, is triage.py.
"""

from __future__ import annotations

from typing import Protocol

from paperbrowse.state_schema import FLAGS


class TriageView(Protocol):
    """What a search reads of triage: the ids with a flag set (a TriageStore, or a snapshot
    of one taken in another thread)."""

    def ids_with(self, flag: str) -> set[str]:
        """The paper ids whose `flag` (read, starred, hidden) is set."""
        ...


class TriageSnapshot:
    """The flag sets of a TriageStore read at one moment (in the browser's UI thread), for a
    search in another thread: SQLite connections stay in the thread that opened them."""

    def __init__(self, triage: TriageView) -> None:
        self._sets = {flag: triage.ids_with(flag) for flag in FLAGS}

    def ids_with(self, flag: str) -> set[str]:
        """Ids with `flag` set, as when the snapshot was taken."""
        return set(self._sets[flag])
