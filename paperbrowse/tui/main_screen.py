"""The main screen: it owns the filters, the marks and undo, and mediates between the filter
bar, the list pane and the detail pane. Its parts are mixins, one module each: searching in a
worker thread (tui/search_runner.py), the status and message lines (tui/status_line.py), the
movement keys (tui/cursor_actions.py), saved views, discovery, links, triage and annotation,
the watch on the library (tui/library_watch.py)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace

from textual import events
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.dom import DOMNode
from textual.reactive import reactive
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Input, Static

from paperbrowse.dates import DateError
from paperbrowse.library import Library
from paperbrowse.links import open_target
from paperbrowse.models import SORTS, Filters, Paper
from paperbrowse.tags import TagChange
from paperbrowse.triage import Change, TriageStore
from paperbrowse.tui.annotate_actions import AnnotateActions
from paperbrowse.tui.commands import bindings
from paperbrowse.tui.cursor_actions import CursorActions
from paperbrowse.tui.discovery import DiscoveryActions
from paperbrowse.tui.filter_bar import FilterBar, FilterInput, parse_dates
from paperbrowse.tui.help import HelpScreen
from paperbrowse.tui.key_bar import KeyBar
from paperbrowse.tui.key_order import key_order_of
from paperbrowse.tui.library_watch import LibraryWatch
from paperbrowse.tui.link_actions import LinkActions
from paperbrowse.tui.paper_detail import DetailItem, PaperDetail
from paperbrowse.tui.paper_list import PaperList
from paperbrowse.tui.saved_views import SavedViewActions, tab_index
from paperbrowse.tui.search_runner import SearchRunner
from paperbrowse.tui.status_line import VIEW_NAMES, StatusLine
from paperbrowse.views import SavedView

# While the user types in the filter, the detail pane follows the list once results have
# stopped arriving for this long (or at once when the focus leaves the filter bar).
DETAIL_QUIET = 0.2
NARROW = 110  # columns below which the detail pane goes under the list and the dates hide
TINY = 70  # columns below which the view tabs hide too (the status line names the view)


class MainScreen(
    SearchRunner,
    StatusLine,
    CursorActions,
    SavedViewActions,
    DiscoveryActions,
    LinkActions,
    AnnotateActions,
    LibraryWatch,
    Screen[None],
):
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
        self.builtin_sort = filters.sort
        self.builtin_filter: tuple[tuple[str, str, str], Filters, str] | None = None
        self.library = library
        self.triage = triage
        self.filters = filters
        self.opener = opener
        self.marks: dict[str, None] = {}  # insertion-ordered set of marked paper ids
        self.undo_stack: list[Change | TagChange] = []
        self.init_search(filters)
        self.init_discovery()
        self.init_library_watch()
        self._detail_timer: Timer | None = None  # a detail held while typing (hold_detail)
        # The list pane, kept (a DOM query on each keystroke's several reads cost ~1 ms).
        self._papers = PaperList(id="papers")
        self._date_boxes: list[Input] | None = None  # see _fit_layout

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
            yield self._papers
            yield PaperDetail(id="detail").data_bind(MainScreen.item)
        yield Static("", id="status")
        yield KeyBar()

    def watch_focused(self) -> None:
        """The focus moved: by the key being handled, if any (key_order.py)."""
        order = key_order_of(self.app)
        if order is not None:
            order.focus_moved()

    def on_mount(self) -> None:
        self.app.theme_changed_signal.subscribe(
            self, lambda _theme: self.call_after_refresh(self.update_status)
        )
        self.query_one(PaperList).focus()
        self._fit_layout(self.size.width)
        self.search()
        # The tabs' counts and the new-papers notice (a 3 MB arrivals file at 100,000 papers)
        # wait until the first results are shown: they would compete with them for the lock
        # around the library and for the interpreter.
        view = self.filters.state
        self.after_first_results(lambda: self.new_papers_notice(view))
        self.after_first_results(self.count_views)
        self.start_library_watch()
        if self.triage.read_only:
            self.notify(self.triage.notice, severity="warning", timeout=10, markup=False)

    def on_resize(self, event: events.Resize) -> None:
        self._fit_layout(event.size.width)

    def _fit_layout(self, width: int) -> None:
        """Classes for the width: `-narrow` stacks the panes and hides empty date inputs
        (the query takes `date:`), `-tiny` hides the view tabs too."""
        self.set_class(width < NARROW, "-narrow")
        self.set_class(width < TINY, "-tiny")
        if self._date_boxes is None:
            self._date_boxes = list(self.query("#since, #until").results(Input))
        for box in self._date_boxes:
            box.set_class(not box.value, "-empty")

    # -- what the saved views (SavedViewActions) use ----------------------------------------------

    def show_saved_filters(self, view: SavedView) -> None:
        """A saved view's query and dates in the filter bar, as written, without a search."""
        self.date_error = ""
        self.query_one(FilterBar).set_texts(view.query, view.since, view.until)
        self._fit_layout(self.size.width)

    @property
    def paper_list(self) -> PaperList:
        """The list pane (NoMatches once the screen has lost it, as a query would)."""
        if not self.has_panes:
            return self.query_one(PaperList)
        return self._papers

    @property
    def has_panes(self) -> bool:
        """False once the screen has lost its panes (it was closed): then a late palette
        command, worker result or timer finds nothing to act on and does nothing."""
        node: DOMNode | None = self._papers
        while node is not None and node is not self:
            node = node.parent
        return node is self

    async def run_action(
        self, action: str, namespaces: Mapping[str, DOMNode] | None = None
    ) -> None:
        """Run `action` on this screen (the palette's route); nothing once it lost its panes."""
        if self.has_panes:
            await super().run_action(action, namespaces)

    # -- messages from the panes ---------------------------------------------------------------

    def on_filter_bar_changed(self, event: FilterBar.Changed) -> None:
        try:
            since, until = parse_dates(event.since, event.until)
        except DateError as exc:
            self.supersede()  # drop any search still running for older input
            self.message = self.date_error = str(exc)
            self.update_status()
            return
        self.date_error = ""
        self.filters = replace(self.filters, query=event.query, since=since, until=until)
        self._fit_layout(self.size.width)
        self.search()

    def on_filter_bar_view_changed(self, event: FilterBar.ViewChanged) -> None:
        index = tab_index(event.view)
        if index is not None:
            self.action_open_saved(index)
            return
        resorted = self.leave_saved()
        self._fit_layout(self.size.width)  # a date input given back may show or hide
        self.update_status()
        if event.view != self.filters.state or self.similar_mode is not None or resorted:
            self.cancel_similar()
            self.filters = self.filters.with_state(event.view)
            self.look(event.view)
            self.search_view()

    def on_paper_list_highlighted(self, event: PaperList.Highlighted) -> None:
        self.follow_detail(event.index)

    def follow_detail(self, index: int) -> None:
        """The detail pane follows the list to the paper at `index` (-1: none): at once, or,
        when new results moved it while the focus is in the filter bar, once typing pauses
        (`hold_detail`). A move of the user's own (↓ in the filter) shows at once."""
        if isinstance(self.focused, FilterInput) and not self.moved_since_results:
            self.hold_detail()
        else:
            self.show_detail(index)

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        if not isinstance(event.widget, FilterInput):
            self.flush_detail()

    def hold_detail(self) -> None:
        """Show the highlighted paper in the detail pane once results have stopped arriving
        for DETAIL_QUIET seconds, not now: the user is typing in the filter, and each result
        would relayout the screen (the pane's new text has a new height) in the time of the
        next keystroke. What the user sees at once is the list; the focus leaving the filter
        bar shows the paper at once (`flush_detail`)."""
        if self._detail_timer is not None:
            self._detail_timer.stop()
        self._detail_timer = self.set_timer(DETAIL_QUIET, self.flush_detail)

    @property
    def detail_held(self) -> bool:
        """True while the detail pane waits for typing to pause (`hold_detail`)."""
        return self._detail_timer is not None

    def flush_detail(self) -> None:
        """Show the paper under the cursor now if the detail pane was held (`hold_detail`)."""
        if self._detail_timer is not None and self.has_panes:
            self.show_detail(self.paper_list.cursor if self.paper_list.count else -1)

    def show_detail(self, index: int) -> None:
        """Point `item` (and so the detail pane) at the paper at `index`; a held detail
        (`hold_detail`) is dropped."""
        if self._detail_timer is not None:
            self._detail_timer.stop()
            self._detail_timer = None
        if index < 0 or self.results is None:
            self.item = None
            return
        paper = self.paper_at(index)
        if paper is None:
            self.item = None
        else:
            terms = tuple(self.results.terms)
            why = self.why_of(self.results.docnums[index])
            self.item = DetailItem(paper, self.state_of(paper.id), terms, why)

    # -- actions: marks and triage -------------------------------------------------------------

    def after_triage(self, ids: list[str], flag: str, follow: str | None = None) -> None:
        """Bring the list, the counts and the detail pane in line with a triage change.

        The one rule: a paper leaves the view as soon as it no longer belongs there, and comes
        back when it belongs again (an undo); the All view keeps every paper. Every view but
        All is searched again at once; the cursor keeps its row, or follows `follow` (the paper
        an undo brought back); when it arrives after keys typed meanwhile, the paper they left
        the cursor on."""
        self.forget_states(ids)
        refresh = self.filters.state != "all" and self.similar_mode is None
        if refresh:  # at once, so that the next key of a burst acts on the next paper
            self.drop_shown(self.left_view(ids))
        self.paper_list.refresh()
        self.show_detail(self.paper_list.cursor)
        self.count_views()
        self.warm_for_you()  # the stars' model of the new triage, before `0` asks for it
        if refresh:
            self.keep_cursor_on(follow)
            self.search(keep_cursor=True)

    # -- actions: views and sorting ------------------------------------------------------------

    def action_view(self, view: str) -> None:
        resorted = self.leave_saved()
        self._fit_layout(self.size.width)  # a date input given back may show or hide
        self.query_one(FilterBar).set_view(view)
        self.cancel_similar()
        if view != self.filters.state or self.similar_mode is not None or resorted:
            self.filters = self.filters.with_state(view)
            self.look(view)
            self.search_view()

    def action_cycle_sort(self) -> None:
        """`S`: the next sort (relevance only with a query); under a `for:TAG` query or in the
        For-you view the list is in a ranking's order, so one line says why S cannot sort it
        and the sort asked for before is kept (it applies again once the ranking is gone)."""
        why = self.unsortable()
        if why:
            self.notify(why, timeout=4, markup=False)
            return
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

    # -- actions: the rest ---------------------------------------------------------------------

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
            with self.library_lock:
                papers = [self.library.get(pid) for pid in self.marks]
            return [p for p in papers if p is not None]
        paper = self.current
        return [paper] if paper else []
