"""The main screen: it owns the filters, the result set, marks and undo, and mediates between
the filter bar, the list pane and the detail pane. Searches run in a worker thread; a newer
request supersedes an older one, so stale results are never shown."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import replace

from textual import events, work
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.dom import DOMNode
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Input, Static

from paperbrowse.dates import DateError
from paperbrowse.errors import QueryError
from paperbrowse.library import Library
from paperbrowse.links import open_target
from paperbrowse.models import SORTS, Filters, Paper, TriageState
from paperbrowse.results import Results, Row
from paperbrowse.state_fields import mentions_state_fields
from paperbrowse.state_query import StateSnapshot
from paperbrowse.tags import TagChange
from paperbrowse.triage import Change, TriageError, TriageStore
from paperbrowse.tui.annotate_actions import AnnotateActions
from paperbrowse.tui.colours import readable_colour
from paperbrowse.tui.commands import bindings
from paperbrowse.tui.discovery import DiscoveryActions, SimilarMode
from paperbrowse.tui.filter_bar import VIEWS, FilterBar, parse_dates
from paperbrowse.tui.help import HelpScreen
from paperbrowse.tui.key_bar import KeyBar
from paperbrowse.tui.link_actions import LinkActions
from paperbrowse.tui.paper_detail import DetailItem, PaperDetail
from paperbrowse.tui.paper_list import PaperList
from paperbrowse.tui.saved_views import SavedViewActions, tab_index
from paperbrowse.views import SavedView

VIEW_NAMES = dict(VIEWS)
WATCH_SECONDS = 2.0  # how often the browser looks for a newer library generation
NARROW = 110  # columns below which the detail pane goes under the list and the dates hide
TINY = 70  # columns below which the view tabs hide too (the status line names the view)


class MainScreen(SavedViewActions, DiscoveryActions, LinkActions, AnnotateActions, Screen[None]):
    """Filter bar on top, list and detail side by side (below NARROW columns: the detail under
    the list), room for a message, the status line and the keys below.

    The screen is the only mediator: the list posts `Highlighted`, the screen sets `item`,
    and the detail pane is bound to it (`data_bind`)."""

    BINDINGS = bindings()

    item: reactive[DetailItem | None] = reactive(None, always_update=True)

    def __init__(
        self,
        library: Library,
        triage: TriageStore,
        filters: Filters,
        opener: Callable[[str], None],
        views: list[SavedView] | None = None,
    ) -> None:
        super().__init__()
        self.views = list(views or [])  # saved views (settings file), keys 5-9 for the first
        self.view_counts: dict[str, int | None] = {}
        self.active_view: str | None = None
        self.library = library
        self.triage = triage
        self.filters = filters
        self.opener = opener
        self.results: Results | None = None
        self.marks: dict[str, None] = {}  # insertion-ordered set of marked paper ids
        self.undo_stack: list[Change | TagChange] = []
        self.message = ""
        self._date_error = ""  # the message for a date in the filter bar that does not parse
        self._states: dict[str, TriageState] = {}
        self._lock = threading.RLock()  # Whoosh readers are not shared across threads unguarded
        self._pending: tuple[int, Filters, int, StateSnapshot | None] | None = None
        self._generation = 0
        self._searching = False
        self._good_filters = filters
        self._keep_id: str | None = None  # after a reload, keep the cursor on this paper
        # Rows moved (j/k, pages) while a new query's results were on their way: applied to
        # them when they arrive, so `/pose Esc jj` typed in one go ends on the third match.
        self._early_moves: int | None = None
        self.init_discovery()

    # -- layout --------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        f = self.filters
        yield FilterBar(
            f.query,
            f.since.isoformat() if f.since else "",
            f.until.isoformat() if f.until else "",
            f.state if f.state in VIEW_NAMES else "all",
            saved=self.saved_view_labels(),
        )
        yield Static("", id="message", markup=False)
        with Horizontal(id="panes"):
            yield PaperList(id="papers")
            yield PaperDetail(id="detail").data_bind(MainScreen.item)
        yield Static("", id="status")
        yield KeyBar()

    def on_mount(self) -> None:
        self.app.theme_changed_signal.subscribe(
            self, lambda _theme: self.call_after_refresh(self.update_status)
        )
        self.query_one(PaperList).focus()
        self._fit_layout(self.size.width)
        self.search()
        self.new_papers_notice(self.filters.state)
        self.count_views()
        self.set_interval(WATCH_SECONDS, self._watch_library)
        if self.triage.read_only:
            self.notify(self.triage.notice, severity="warning", timeout=10, markup=False)

    def on_resize(self, event: events.Resize) -> None:
        self._fit_layout(event.size.width)

    def _fit_layout(self, width: int) -> None:
        """Classes for the width: `-narrow` stacks the panes and hides empty date inputs
        (the query takes `date:`), `-tiny` hides the view tabs too."""
        self.set_class(width < NARROW, "-narrow")
        self.set_class(width < TINY, "-tiny")
        for box in self.query("#since, #until").results(Input):
            box.set_class(not box.value, "-empty")

    def _watch_library(self) -> None:
        """Show papers that an `index` run committed while the browser is open."""
        if not self._lock.acquire(blocking=False):
            return  # a search is running; look again next time
        try:
            if not self.library.has_update():
                return
            before = len(self.library)
            self.library.refresh()
            after = len(self.library)
        except Exception:
            return  # a damaged index shows itself on the next search
        finally:
            self._lock.release()
        current = self.current
        self._keep_id = current.id if current else None
        self.search(keep_cursor=True)
        self.count_views()
        change = after - before
        what = f"{change:+,} papers" if change else "papers updated"
        self.notify(f"library updated: {what}", timeout=3)

    # -- what the saved views (SavedViewActions) use ----------------------------------------------

    @property
    def library_lock(self) -> threading.RLock:
        """The lock around the library's Whoosh readers, shared by the worker threads."""
        return self._lock

    def show_saved_filters(self, view: SavedView) -> None:
        """A saved view's query and dates in the filter bar, as written, without a search."""
        self._date_error = ""
        self.query_one(FilterBar).set_texts(view.query, view.since, view.until)
        self._fit_layout(self.size.width)

    @property
    def idle(self) -> bool:
        """True when no search is running or waiting."""
        return not (self._searching or self._pending)

    @property
    def paper_list(self) -> PaperList:
        """The list pane."""
        return self.query_one(PaperList)

    @property
    def has_panes(self) -> bool:
        """False once the screen has lost its panes (it was closed): then a late palette
        command, worker result or timer finds nothing to act on and does nothing."""
        return bool(self.query(PaperList))

    async def run_action(
        self, action: str, namespaces: Mapping[str, DOMNode] | None = None
    ) -> None:
        """Run `action` on this screen (the palette's route); nothing once it lost its panes."""
        if self.has_panes:
            await super().run_action(action, namespaces)

    # -- searching -----------------------------------------------------------------------------

    def search(self, keep_cursor: bool = False) -> None:
        """Run the current filters in the worker; the newest request wins. A new view or
        filter (not `keep_cursor`: a triage change, a reload) cancels an `m` on its way."""
        if not keep_cursor:
            self.cancel_similar()
        self._generation += 1
        cursor = self.paper_list.cursor if keep_cursor else 0
        self._early_moves = None if keep_cursor else 0
        try:
            # SQLite connections belong to the thread that made them: read the flags (and the
            # tags and notes a tag:/note: clause needs) here.
            needed = self.filters.state != "all" or mentions_state_fields(self.filters.query)
            snapshot = StateSnapshot(self.triage) if needed else None
        except TriageError as exc:
            self._search_failed(self._generation, str(exc))
            return
        with self._lock:
            self._pending = (self._generation, self.filters, cursor, snapshot)
            if self._searching:
                return
            self._searching = True
        self._search_worker()

    @work(thread=True, group="search")
    def _search_worker(self) -> None:
        while True:
            with self._lock:
                pending, self._pending = self._pending, None
                if pending is None:
                    self._searching = False
                    return
            generation, filters, cursor, snapshot = pending
            try:
                results, note = self.run_search(filters, snapshot)
                with self._lock:
                    for i in range(min(len(results), 60)):  # the first page, read off the UI thread
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
        self.similar_mode = None
        self.results = results
        self._good_filters = filters
        if self._keep_id is not None:
            cursor = self._position_of(results, self._keep_id, cursor)
            self._keep_id = None
        elif self._early_moves:
            cursor = max(0, cursor + self._early_moves)
        self._early_moves = None
        self._states = {}
        # Results under the last good dates, still a bad date; else what For you says.
        self.message = self._date_error or note
        self.paper_list.show(len(results), self._row_at, self._state_of, self._is_marked, cursor)
        self.update_status()
        if not len(results):
            self.item = None
        self.run_queued_similar()  # an `m` typed before these results: it acts on them

    def _position_of(self, results: Results, paper_id: str, default: int) -> int:
        """Where `paper_id` now stands in `results` (after a reload), else `default`."""
        with self._lock:
            doc = self.library.catalog.docnum_of.get(paper_id)
            if doc is None:
                return default
            try:
                return results.docnums.index(doc)
            except ValueError:
                return default

    def _search_failed(self, generation: int, message: str) -> None:
        if generation != self._generation or not self.has_panes:
            return
        self.message = message
        self.update_status()
        self.run_queued_similar()

    def _row_at(self, index: int) -> Row:
        assert self.results is not None
        with self._lock:
            return self.results.row(index)

    def result_ids(self) -> list[str]:
        """The paper ids of the shown results, in order (none before the first search)."""
        if self.results is None:
            return []
        with self._lock:
            return self.results.ids

    def _state_of(self, paper_id: str) -> TriageState:
        state = self._states.get(paper_id)
        if state is None:
            state = self._states[paper_id] = self.triage.get(paper_id)
        return state

    def _is_marked(self, paper_id: str) -> bool:
        return paper_id in self.marks

    def update_status(self) -> None:
        status = self.query_one("#status", Static)
        count = len(self.results) if self.results is not None else 0
        good = self._good_filters
        noun = "paper" if count == 1 else "papers"
        view = VIEW_NAMES.get(good.state, "3 All")[2:]
        if self.similar_mode is None and self.active_view:
            view = f"{self.active_view} ({view})"
        parts = [f"{count:,} {noun}", view]
        if self.similar_mode is not None:
            # Fits 80 columns: the order (similarity) goes without saying here.
            parts = [f"{count:,} {noun}", f"Similar to {self.similar_mode.label}", "Esc: back"]
        if good.since or good.until:
            since = good.since.isoformat() if good.since else "…"
            until = good.until.isoformat() if good.until else "…"
            parts.append(f"{since} to {until}")
        if self.similar_mode is not None:
            pass
        elif self.results is not None and self.results.sort == "for-you":
            parts.append(f"sorted by {self.results.sort}")
        else:
            parts.append(f"sorted by {good.effective_sort}")
        if self.marks:
            parts.append(f"{len(self.marks)} marked")
        text = "  ·  ".join(parts)
        if not count:
            searched = good.query.strip() or good.since or good.until
            text = f"{'No papers match.' if searched else 'No papers in this view.'}  ·  {text}"
        status.update(Content.styled(text, readable_colour(status).hex))
        # The message has a line (or four) of its own, in plain text: it quotes what the user
        # typed ("[/" and all).
        message = self.query_one("#message", Static)
        message.update(self.message)
        message.set_class(bool(self.message), "shown")
        status.set_class(bool(self.message), "error")

    # -- messages from the panes ---------------------------------------------------------------

    def on_filter_bar_changed(self, event: FilterBar.Changed) -> None:
        try:
            since, until = parse_dates(event.since, event.until)
        except DateError as exc:
            self._generation += 1  # drop any search still running for older input
            self.message = self._date_error = str(exc)
            self.update_status()
            return
        self._date_error = ""
        self.filters = replace(self.filters, query=event.query, since=since, until=until)
        self._fit_layout(self.size.width)
        self.search()

    def on_filter_bar_view_changed(self, event: FilterBar.ViewChanged) -> None:
        index = tab_index(event.view)
        if index is not None:
            self.action_open_saved(index)
            return
        if self.active_view:
            self.active_view = None
            self.update_status()
        if event.view != self.filters.state or self.similar_mode is not None:
            self.cancel_similar()
            self.filters = self.filters.with_state(event.view)
            self.look(event.view)
            self.search()

    def on_paper_list_highlighted(self, event: PaperList.Highlighted) -> None:
        self._show_detail(event.index)

    def _show_detail(self, index: int) -> None:
        """Point `item` (and so the detail pane) at the paper at `index`."""
        if index < 0 or self.results is None:
            self.item = None
            return
        paper = self._paper(index)
        if paper is None:
            self.item = None
        else:
            terms = tuple(self.results.terms)
            why = self.why_of(self.results.docnums[index])
            self.item = DetailItem(paper, self._state_of(paper.id), terms, why)

    def _paper(self, index: int) -> Paper | None:
        if self.results is None or not 0 <= index < len(self.results):
            return None
        with self._lock:
            return self.results.paper(index)

    @property
    def current(self) -> Paper | None:
        """The highlighted paper (None: none, or the screen was closed)."""
        if not self.has_panes:
            return None
        return self._paper(self.paper_list.cursor)

    # -- actions: movement ---------------------------------------------------------------------

    def _move(self, delta: int) -> None:
        if self._early_moves is not None:
            self._early_moves += delta
        self.paper_list.move(delta)

    def action_cursor_down(self) -> None:
        self._move(1)

    def action_cursor_up(self) -> None:
        self._move(-1)

    def action_cursor_first(self) -> None:
        self._early_moves = None
        self.paper_list.move_to(0)

    def action_cursor_last(self) -> None:
        self._early_moves = None
        self.paper_list.move_to(self.paper_list.count - 1)

    def action_page_down(self) -> None:
        self._move(max(1, self.paper_list.size.height - 1))

    def action_page_up(self) -> None:
        self._move(-max(1, self.paper_list.size.height - 1))

    # Focus moves at once (not after a refresh, as `widget.focus()` does): keys typed right
    # after `/` belong to the filter, not to the list (`/pose` must never star a paper).

    def action_focus_query(self) -> None:
        if isinstance(self.focused, Input):
            raise SkipAction()  # `/` typed in an input is text
        self.set_focus(self.query_one("#query", Input))

    def action_focus_list(self) -> None:
        if self.cancel_similar():  # Esc while `m` is on its way: it never arrives
            self.set_focus(self.paper_list)
            return
        if self.focused is self.paper_list and self.similar_mode is not None:
            self.search()  # Esc on a Similar list: back to the view
            return
        self.set_focus(self.paper_list)

    # -- actions: marks and triage -------------------------------------------------------------

    def after_triage(self, ids: list[str], flag: str, follow: str | None = None) -> None:
        """Bring the list, the counts and the detail pane in line with a triage change.

        The one rule: a paper leaves the view as soon as it no longer belongs there, and comes
        back when it belongs again (an undo); the All view keeps every paper. Every view but
        All is searched again at once; the cursor keeps its row, or follows `follow` (the paper
        an undo brought back)."""
        for pid in ids:
            self._states.pop(pid, None)
        self.paper_list.refresh()
        self._show_detail(self.paper_list.cursor)
        self.count_views()
        if self.filters.state != "all" and self.similar_mode is None:
            self._keep_id = follow
            self.search(keep_cursor=True)

    # -- actions: views and sorting ------------------------------------------------------------

    def action_view(self, view: str) -> None:
        self.active_view = None
        self.query_one(FilterBar).set_view(view)
        self.cancel_similar()
        if view != self.filters.state or self.similar_mode is not None:
            self.filters = self.filters.with_state(view)
            self.look(view)
            self.search()

    def action_cycle_sort(self) -> None:
        choices = [s for s in SORTS if s != "relevance" or self.filters.query.strip()]
        current = self.filters.effective_sort
        nxt = choices[(choices.index(current) + 1) % len(choices)] if current in choices else "date"
        self.filters = self.filters.with_sort(nxt)
        self.search()

    # -- actions: links (the rest are in LinkActions) ---------------------------------------

    def action_open_link_read(self) -> None:
        paper = self.current
        if paper and self.open_safely(open_target(paper)):
            saved = self.marks
            self.marks = {}
            try:
                self.change_flag("read", True)
            finally:
                self.marks = saved

    def show_similar_results(self, results: Results, mode: SimilarMode) -> None:
        """Show a "Similar to …" list (from the more-like-this worker); Esc returns."""
        self._generation += 1  # a search still on its way must not replace it
        self.similar_mode = mode
        self.results = results
        self._states = {}
        self.message = "" if len(results) else f"No paper shares a key term with {mode.label}."
        self.paper_list.show(len(results), self._row_at, self._state_of, self._is_marked, 0)
        self._show_detail(0)  # at once, not when the list's Highlighted arrives
        self.set_focus(self.paper_list)
        self.update_status()

    # -- actions: the rest ---------------------------------------------------------------------

    def action_reload(self) -> None:
        with self._lock:
            self.library.refresh()
        current = self.current
        self._keep_id = current.id if current else None
        self.search(keep_cursor=True)
        self.count_views()
        self.notify("library reloaded", timeout=1.5)

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen())

    leaving = False  # set once Enter or q ended the browser: later keys in the burst do nothing

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """No action once the browser is leaving (a key burst like `Enter n` must not open an
        editor on an app that is shutting down, nor lose the accepted papers)."""
        return not self.leaving

    def action_accept(self) -> None:
        selection = self.selection()
        if not selection:
            self.notify("Nothing to select: the list is empty", severity="warning", timeout=3)
            return
        self.leaving = True
        self.app.exit(selection)

    def action_quit_browser(self) -> None:
        self.leaving = True
        self.app.exit(None, return_code=1)

    def selection(self) -> list[Paper]:
        """The marked papers (in marking order), else the highlighted one."""
        if self.marks:
            with self._lock:
                papers = [self.library.get(pid) for pid in self.marks]
            return [p for p in papers if p is not None]
        paper = self.current
        return [paper] if paper else []
