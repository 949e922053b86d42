"""The results the main screen shows, read under the one lock around the library's Whoosh
readers: their rows (for the list pane), their papers, the highlighted paper, and the rows'
triage states, each read once per shown result set.

A mixin for `MainScreen` (through `search_runner.SearchRunner`, which fills `results`); the
screen provides the attributes and methods declared under `TYPE_CHECKING` below (the library
and triage store, the marks, the list pane)."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from textual.screen import Screen

from paperbrowse.models import Paper, TriageState
from paperbrowse.results import Results, Row

# A row of results whose library moved to a newer generation, until the new results arrive.
PENDING_ROW = Row(-1, "", "…", None, None, None, None, False)

if TYPE_CHECKING:
    from paperbrowse.library import Library
    from paperbrowse.triage import TriageStore
    from paperbrowse.tui.paper_list import PaperList


class ShownResults(Screen[None]):
    """The shown results and their rows, papers and triage states, read under the library
    lock."""

    library: Library
    triage: TriageStore
    marks: dict[str, None]

    if TYPE_CHECKING:  # the main screen's; none exists at run time here

        @property
        def paper_list(self) -> PaperList: ...

        @property
        def has_panes(self) -> bool: ...

    def init_shown(self) -> None:
        """Set up the shown results' state (called from `SearchRunner.init_search`): no
        results yet, no triage state read, a new library lock."""
        self.results: Results | None = None
        self._states: dict[str, TriageState] = {}
        self._lock = threading.RLock()  # Whoosh readers are not shared across threads unguarded

    @property
    def library_lock(self) -> threading.RLock:
        """The lock around the library's Whoosh readers, shared by the worker threads."""
        return self._lock

    def forget_states(self, ids: list[str]) -> None:
        """Read these papers' triage states again when their rows are drawn next."""
        for pid in ids:
            self._states.pop(pid, None)

    def forget_all_states(self) -> None:
        """Read every paper's triage state again when its row is drawn next (a new result
        set is shown)."""
        self._states = {}

    def position_of(self, results: Results, paper_id: str, default: int) -> int:
        """Where `paper_id` now stands in `results` (after a reload), else `default`."""
        with self._lock:
            doc = self.library.catalog.docnum_of.get(paper_id)
            if doc is None:
                return default
            try:
                return results.docnums.index(doc)
            except ValueError:
                return default

    # -- reading the results -------------------------------------------------------------------

    def row_at(self, index: int) -> Row:
        """The list row of the shown result at `index` (results must be shown; IndexError
        out of range). Once the library has moved to a newer generation (`Results.stale`:
        the watch refreshed it, the new results are on their way) a row not read yet is
        PENDING_ROW: its document number is no longer the paper's."""
        assert self.results is not None
        with self._lock:
            if self.results.stale:
                return self.results.kept_row(index) or PENDING_ROW
            return self.results.row(index)

    def result_ids(self) -> list[str]:
        """The paper ids of the shown results, in order (none before the first search, nor
        once they are stale)."""
        if self.results is None:
            return []
        with self._lock:
            return [] if self.results.stale else self.results.ids

    def state_of(self, paper_id: str) -> TriageState:
        """The triage state of a paper, read once per shown result set (`forget_states`)."""
        state = self._states.get(paper_id)
        if state is None:
            state = self._states[paper_id] = self.triage.get(paper_id)
        return state

    def is_marked(self, paper_id: str) -> bool:
        """True when the paper is marked (for a bulk action)."""
        return paper_id in self.marks

    def paper_at(self, index: int) -> Paper | None:
        """The shown paper at `index` (None: out of range, no results yet, or results of a
        generation the library has left: `Results.stale`)."""
        if self.results is None or not 0 <= index < len(self.results):
            return None
        with self._lock:
            return None if self.results.stale else self.results.paper(index)

    @property
    def current(self) -> Paper | None:
        """The highlighted paper (None: none, or the screen was closed)."""
        if not self.has_panes:
            return None
        return self.paper_at(self.paper_list.cursor)
