"""The main screen's searches: the current filters are searched in a worker thread, a newer
request supersedes an older one (stale results are never shown), and the newest results are
shown. Reading them (rows, triage states, the highlighted paper) under the one lock around the
library's Whoosh readers is `shown_results.ShownResults`, this mixin's base.

A mixin for `MainScreen`, which provides the attributes and methods declared under
`TYPE_CHECKING` below and in `ShownResults` (the filters, the library and triage store, the
list pane, the status line, the detail pane's `show_detail`, and the discovery mixin's `m`
queue)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from textual import work

from paperbrowse.dates import DateError
from paperbrowse.discovery_commands import FOR_YOU as FOR_YOU_SORT
from paperbrowse.errors import QueryError
from paperbrowse.models import Filters, Paper, TriageState
from paperbrowse.results import Results
from paperbrowse.state_query import StateSnapshot
from paperbrowse.triage import TriageError
from paperbrowse.tui import collector
from paperbrowse.tui.for_tag_actions import VIEW as FOR_YOU_VIEW
from paperbrowse.tui.shown_results import ShownResults

if TYPE_CHECKING:
    from paperbrowse.suggest import FlagSets
    from paperbrowse.tui.discovery import SimilarMode

# Rows read in the worker thread, so the first page never waits for Whoosh: as many as the list
# shows (its height when the search was asked for), at least MIN_PAGE (~0.1 ms a row at 10^5).
MIN_PAGE = 10
RELEASE_IDLE = 2.0  # seconds without new results before mapped pages are handed back


class SearchRunner(ShownResults):
    """Searching the current filters off the UI thread and showing the newest results."""

    filters: Filters
    similar_mode: SimilarMode | None

    if TYPE_CHECKING:  # the main screen's (and its other mixins'); none exists at run time here

        def update_status(self) -> None: ...

        def show_detail(self, index: int) -> None: ...

        def follow_detail(self, index: int) -> None: ...

        def cancel_similar(self) -> bool: ...

        def run_queued_similar(self) -> None: ...

        def needs_snapshot(self, filters: Filters) -> bool: ...

        def ranking_of(self, filters: Filters) -> tuple[bool, str | None]: ...

        def warm_for_you(self, *, first: bool = False) -> None: ...

        def run_search(
            self, filters: Filters, snapshot: FlagSets | None
        ) -> tuple[Results, str]: ...

    def init_search(self, filters: Filters) -> None:
        """Set up the search state (called from MainScreen.__init__); `filters` are the first
        ones searched."""
        self.init_shown()
        self.message = ""
        self.date_error = ""  # the message for a date in the filter bar that does not parse
        self._pending: tuple[int, Filters, int, StateSnapshot | None] | None = None
        self._generation = 0
        # Generations of the last search that asked for a new view or filter (not a refresh
        # after triage) and of the last one shown: between the two an `m` waits for the view.
        self._view_asked = 0
        self._view_shown = 0
        self._searching = False
        self._good_filters = filters
        self._keep_id: str | None = None  # after a reload, keep the cursor on this paper
        self._moved = False  # the cursor moved since the rows shown now arrived
        self._moved_in_flight = False  # ... since the search on its way was asked for
        # The newest search refreshes the shown view (after triage, a reload): when its results
        # arrive the cursor stays on the paper highlighted then (by id), wherever it moved.
        self._refreshing = False
        # The newest search opens a view (a view key, a tab): refused, it shows an empty list
        # under that view's name with the reason, never the previous view's papers.
        self._opening_view = False
        self._asked = filters
        # The highlighted paper a triage key just took out of the list (`drop_shown`), until
        # the cursor moves or the refresh arrives: an `m` typed right after is about it.
        self._left: Paper | None = None
        self.refused = ""  # why the current filters' search was refused ("": it was not)
        # Rows moved (j/k, pages) while a new query's results were on their way: applied to
        # them when they arrive, so `/pose Esc jj` typed in one go ends on the third match.
        self._early_moves: int | None = None
        # Work that waits for the first results (or the first refusal) to be shown.
        self._after_first: list[Callable[[], object]] | None = []
        self._page_rows = MIN_PAGE
        self._shown_at = 0.0  # when results were last shown (time.monotonic)
        self._pages_held = False  # mapped pages the searches touched may be held since

    def after_first_results(self, callback: Callable[[], object]) -> None:
        """Call `callback` once the first results (or the reason they were refused) are on the
        screen, after that frame is drawn; at once (after the next refresh) when they already
        are. For start-up work the first screen does not show."""
        if self._after_first is None:
            self.call_after_refresh(callback)
        else:
            self._after_first.append(callback)

    def _first_shown(self) -> None:
        callbacks, self._after_first = self._after_first, None
        for callback in callbacks or ():
            self.call_after_refresh(callback)

    @property
    def idle(self) -> bool:
        """True when no search is running or waiting."""
        return not (self._searching or self._pending)

    @property
    def view_pending(self) -> bool:
        """True while the last view or filter the user asked for (not a refresh after triage)
        has not been shown yet: what a key about the highlighted paper (`m`) waits for."""
        return self._view_asked > self._view_shown

    @property
    def shown_filters(self) -> Filters:
        """The filters of the results shown (the last search that succeeded)."""
        return self._good_filters

    def supersede(self) -> None:
        """Drop any search still on its way: its results will not be shown."""
        self._generation += 1

    def keep_cursor_on(self, paper_id: str | None) -> None:
        """After the next search, put the cursor on `paper_id` (None: keep its row)."""
        self._keep_id = paper_id

    def note_move(self, delta: int) -> None:
        """Count a cursor move made while a new query's results are on their way; during a
        refresh the moved-to paper wins over the one asked for before (`keep_cursor_on`)."""
        if self._early_moves is not None:
            self._early_moves += delta
        if self._refreshing:
            self._keep_id = None
        self._moved = True
        self._moved_in_flight = True
        self._left = None

    @property
    def moved_since_results(self) -> bool:
        """True when the user moved the cursor since the rows shown now arrived."""
        return self._moved

    def drop_early_moves(self) -> None:
        """A jump to the first or last row: the moves made so far no longer count."""
        self._early_moves = None
        if self._refreshing:
            self._keep_id = None
        self._moved = True
        self._moved_in_flight = True
        self._left = None

    def left_paper(self) -> Paper | None:
        """The highlighted paper that the last triage key took out of the list, while the
        cursor has not moved and the view's refresh has not arrived (else None)."""
        return self._left

    def left_view(self, ids: list[str]) -> set[str]:
        """Which of `ids` no longer belong in the shown view after a triage change, by their
        flags as the store now has them (the rule `Library.search` and `run_search` apply:
        the Inbox is unread and not hidden, For you the Inbox without the stars, a view sorted
        for-you without the stars but in Starred); tags and queries wait for the refresh."""
        view, sort = self.filters.state, self.filters.sort
        try:
            states = self.triage.get_many(ids)
            tag = self.ranking_of(self.filters)[1]
        except (TriageError, QueryError):
            return set()
        drop_stars = view == FOR_YOU_VIEW or (
            sort == FOR_YOU_SORT and tag is None and view != "starred"
        )
        gone: set[str] = set()
        for pid in ids:
            state = states.get(pid) or TriageState()
            if view in ("read", "starred", "hidden"):
                out = not getattr(state, view)
            else:
                out = (view in ("inbox", "unread", FOR_YOU_VIEW) and state.read) or (
                    view in ("inbox", FOR_YOU_VIEW) and state.hidden
                )
            if out or (drop_stars and state.starred):
                gone.add(pid)
        return gone

    def drop_shown(self, ids: set[str]) -> None:
        """Take the papers `ids` out of the shown list at once (they left the view after a
        triage key), before the view's refresh arrives: the cursor keeps its row, so it is on
        the next paper, and the next key acts on that paper, as the user sees it."""
        self._left = None
        results = self.results
        if results is None or not ids or not self.has_panes:
            return
        with self.library_lock:
            gone = {self.library.catalog.docnum_of.get(pid) for pid in ids}
        kept = [d for d in results.docnums if d not in gone]
        if len(kept) == len(results.docnums):
            return
        cursor = self.paper_list.cursor
        current = self.current
        self._left = current if current is not None and current.id in ids else None
        cursor -= sum(1 for d in results.docnums[:cursor] if d in gone)
        self.results = Results(results.library, kept, results.sort, results.terms)
        self.paper_list.show(len(kept), self.row_at, self.state_of, self.is_marked, cursor)
        if not kept:
            self.show_detail(-1)

    # -- searching -----------------------------------------------------------------------------

    def search(self, keep_cursor: bool = False) -> None:
        """Run the current filters in the worker; the newest request wins. A new view or
        filter (not `keep_cursor`: a triage change, a reload) cancels an `m` on its way."""
        if not keep_cursor:
            self.cancel_similar()
        self._generation += 1
        if not keep_cursor:
            self._view_asked = self._generation
        cursor = self.paper_list.cursor if keep_cursor else 0
        self._early_moves = None if keep_cursor else 0
        self._moved_in_flight = False
        self._refreshing = keep_cursor
        self._opening_view = False
        self._asked = self.filters
        self.refused = ""
        try:
            # SQLite connections belong to the thread that made them: read the flags (and the
            # tags and notes a tag:/note: clause needs) here.
            needed = self.needs_snapshot(self.filters)
            snapshot = StateSnapshot(self.triage) if needed else None
        except TriageError as exc:
            self._search_failed(self._generation, str(exc))
            return
        self._page_rows = max(MIN_PAGE, self.paper_list.size.height)
        with self.library_lock:
            self._pending = (self._generation, self.filters, cursor, snapshot)
            if self._searching:
                return
            self._searching = True
        self._search_worker()

    def search_view(self) -> None:
        """Search the filters of a view just opened (`search`); when they are refused the list
        is emptied, so the view's name never stands over another view's papers."""
        self.search()
        self._opening_view = True

    @work(thread=True, group="search")
    def _search_worker(self) -> None:
        while True:
            with self.library_lock:
                pending, self._pending = self._pending, None
                if pending is None:
                    self._searching = False
                    return
            generation, filters, cursor, snapshot = pending
            try:
                results, note = self.run_search(filters, snapshot)
                with self.library_lock:
                    for i in range(min(len(results), self._page_rows)):  # off the UI thread
                        results.row(i)
            except (QueryError, DateError, TriageError) as exc:
                self.app.call_from_thread(self._search_failed, generation, str(exc))
            except Exception as exc:  # a damaged index: say so, keep the last results
                self.app.call_from_thread(self._search_failed, generation, f"error: {exc}")
            else:
                self.app.call_from_thread(
                    self._show_results, generation, filters, results, cursor, note
                )

    def _show_results(
        self, generation: int, filters: Filters, results: Results, cursor: int, note: str = ""
    ) -> None:
        if generation != self._generation or not self.has_panes:
            return  # a newer search is on its way, or the screen was closed
        # The paper the user is on now, read before the new results replace the old ones
        # (read after, it would be whichever paper the new results put on the same row).
        # Only when the user moved since these rows were shown: an untouched cursor keeps its
        # row (the top of a For-you ranking retrained in the background stays the top).
        moved = self._moved
        # Moves typed while these results were on their way are applied to them (early moves):
        # the paper they lead to is the user's own choice, shown at once (`follow_detail`), not
        # held like the rows of a keystroke.
        self._moved, self._moved_in_flight = self._moved_in_flight, False
        here = self.current if self._refreshing and self._keep_id is None and moved else None
        self._view_shown = generation
        self.similar_mode = None
        self.refused = ""
        self._left = None
        self.results = results
        self._good_filters = filters
        if here is not None:
            # Triage keys and moves typed while it was on its way: the paper the user is on now.
            cursor = self.position_of(results, here.id, self.paper_list.cursor)
        elif self._keep_id is not None:
            cursor = self.position_of(results, self._keep_id, cursor)
        elif self._early_moves:
            cursor = max(0, cursor + self._early_moves)
        self._keep_id = None
        self._early_moves = None
        self._refreshing = False
        self.forget_all_states()
        # Results under the last good dates, still a bad date; else what For you says.
        self.message = self.date_error or note
        self.paper_list.show(len(results), self.row_at, self.state_of, self.is_marked, cursor)
        self.update_status()
        if not len(results):
            self.follow_detail(-1)
        self.run_queued_similar()  # an `m` typed before these results: it acts on them
        self.warm_for_you(first=True)
        collector.settle()  # the first results are up: see tui/collector.py
        self._first_shown()
        self._shown_at = time.monotonic()
        self._pages_held = True

    def release_when_idle(self) -> None:
        """Called on the library watch's tick: once no results have come for RELEASE_IDLE
        seconds, hand the kernel back the mapped pages the searches touched, once
        (Library.release_memory): a burst of keystrokes keeps them, a browser left open does
        not hold them in its RSS."""
        if not self._pages_held or time.monotonic() - self._shown_at < RELEASE_IDLE:
            return
        if not self.library_lock.acquire(blocking=False):
            return  # a search is running: not idle
        try:
            self.library.release_memory()
            self._pages_held = False
        finally:
            self.library_lock.release()

    def _search_failed(self, generation: int, message: str) -> None:
        if generation != self._generation or not self.has_panes:
            return
        self._view_shown = generation
        self._refreshing = False
        self.message = self.refused = message
        if self._opening_view:
            self._opening_view = False
            self.similar_mode = None
            self._good_filters = self._asked
            self.results = Results(self.library, [], self._asked.effective_sort)
            self.paper_list.show(0, self.row_at, self.state_of, self.is_marked)
            self.show_detail(-1)
        self.update_status()
        self.run_queued_similar()
        collector.settle()
        self._first_shown()

    def show_similar_results(self, results: Results, mode: SimilarMode) -> None:
        """Show a "Similar to …" list (from the more-like-this worker); Esc returns."""
        self._generation += 1  # a search still on its way must not replace it
        self.similar_mode = mode
        self.results = results
        self.forget_all_states()
        self.message = "" if len(results) else f"No paper shares a key term with {mode.label}."
        self.paper_list.show(len(results), self.row_at, self.state_of, self.is_marked, 0)
        self.show_detail(0)  # at once, not when the list's Highlighted arrives
        self.set_focus(self.paper_list)
        self.update_status()
