"""Saved views in the browser: tabs beside Inbox, Starred, All and Hidden, all with their counts,
keys 5-9 for the first five, `ctrl+s` to save the current filter under a name, and palette
entries (app.py).

A mixin for `MainScreen`, which provides `filters`, `library`, `triage`, `search()`,
`update_status()`, `show_saved_filters()` and the lock its worker threads share
(`library_lock`); the counts' worker searches with a `state_query.StateSnapshot` (flags, tags
and notes, so tag:/note: views are counted too) taken in the UI thread. Counts are searched in
a worker thread (never on the UI thread) and searched again after triage, a reload and a save.
The views themselves (core: paperbrowse/views.py) are stored in the settings file by the app.
"""

from __future__ import annotations

import threading
from dataclasses import replace
from typing import TYPE_CHECKING

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import Input, Static

from paperbrowse.dates import DateError
from paperbrowse.discovery_commands import FOR_YOU
from paperbrowse.state_query import StateSnapshot
from paperbrowse.triage import TriageError
from paperbrowse.tui.filter_bar import COUNTED, FilterBar
from paperbrowse.tui.for_tag_actions import VIEW as FOR_YOU_VIEW
from paperbrowse.views import MAX_NAME, SavedView, ViewError, check_name, check_view

if TYPE_CHECKING:
    from paperbrowse.library import Library
    from paperbrowse.models import Filters
    from paperbrowse.triage import TriageStore

SAVED_PREFIX = "saved-"  # tab ids: saved-0, saved-1, … in the order of the settings file
KEYED = 5  # keys 5-9 open the first five


def tab_id(index: int) -> str:
    """The tab id of the saved view at `index`."""
    return f"{SAVED_PREFIX}{index}"


def tab_index(tab: str) -> int | None:
    """The saved view index of a tab id, None for a built-in view."""
    if tab.startswith(SAVED_PREFIX) and tab[len(SAVED_PREFIX) :].isdigit():
        return int(tab[len(SAVED_PREFIX) :])
    return None


REFUSED = -1  # a view's count when its search is refused (`views` shows "-" too)


def tab_label(index: int, view: SavedView, count: int | None) -> str:
    """`5 diffusion 13`: its key (for the first five), name and count (`…` while counting,
    `-` when its search is refused: REFUSED)."""
    key = f"{KEYED + index} " if index < KEYED else ""
    shown = "…" if count is None else "-" if count == REFUSED else f"{count:,}"
    return f"{key}{view.name} {shown}"


class SaveViewScreen(ModalScreen[str | None]):
    """Asks for the name of the view to save; returns it, or None (Esc)."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", show=False)]
    DEFAULT_CSS = """
    SaveViewScreen { align: center middle; }
    SaveViewScreen > Vertical {
        width: 60; max-width: 100%; height: auto; border: thick $accent; padding: 0 1;
        background: $surface;
    }
    SaveViewScreen #save-view-what { color: $text-muted; }
    """

    def __init__(self, what: str) -> None:
        super().__init__()
        self._what = what

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("Save the filter as a view named (Enter saves, Esc cancels):")
            yield Input(placeholder="name", max_length=MAX_NAME, id="save-view-name")
            yield Static(self._what, id="save-view-what", markup=False)

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)


def describe(view: SavedView) -> str:
    """One line saying what a view searches."""
    what = [f"query {view.query!r}" if view.query.strip() else "every paper"]
    if view.since or view.until:
        what.append(f"{view.since or '…'} to {view.until or '…'}")
    what.append(view.state)
    if view.sort != "auto":
        what.append(f"by {view.sort}")
    return ", ".join(what)


class SavedViewActions(Screen[None]):
    """Opening, saving and counting saved views."""

    library: Library
    triage: TriageStore
    filters: Filters
    views: list[SavedView]
    view_counts: dict[str, int | None]
    active_view: str | None  # the name of the saved view opened last (None: a built-in view)
    builtin_sort: str  # the built-in views' sort, given back to them when a saved view is left
    # The built-in views' filter as the user left it for a saved view (the texts as typed and
    # the query and dates searched), given back to them when the saved view is left.
    builtin_filter: tuple[tuple[str, str, str], Filters, str] | None
    date_error: str  # a date in the filter bar that does not parse (the search runner's)

    @property
    def library_lock(self) -> threading.RLock:
        """The lock around the library's Whoosh readers (the main screen's)."""
        raise NotImplementedError

    def search(self, keep_cursor: bool = False) -> None:
        """Search with the current filters (the main screen's)."""
        raise NotImplementedError

    def search_view(self) -> None:
        """Search the filters of a view just opened (the main screen's)."""
        raise NotImplementedError

    refused: str  # why the current filters' search was refused (the search runner's)
    message: str  # the message line (the search runner's)

    def show_saved_filters(self, view: SavedView) -> None:
        """Put a view's texts in the filter bar without searching (the main screen's)."""
        raise NotImplementedError

    def saved_view_labels(self) -> list[tuple[str, str]]:
        """(tab id, label) of every saved view, with the counts known so far."""
        return [
            (tab_id(i), tab_label(i, v, self.view_counts.get(v.name)))
            for i, v in enumerate(self.views)
        ]

    # -- opening -------------------------------------------------------------------------------

    def action_open_saved(self, index: int) -> None:
        """Open the saved view at `index` (keys 5-9, its tab, the palette)."""
        if not 0 <= index < len(self.views):
            self.notify(
                f"no saved view {KEYED + index}: ctrl+s saves the filter as a view", timeout=3
            )
            return
        view = self.views[index]
        try:
            filters = view.filters()
        except DateError as exc:  # e.g. a relative date that no longer makes sense
            self.notify(f"view {view.name!r}: {exc}", severity="error", markup=False)
            return
        self.enter_saved(view.name)
        self.show_saved_filters(view)
        self.select_tab(tab_id(index))
        self.filters = filters
        self.search_view()  # also when the filters are the same: it leaves a "Similar to" list

    def enter_saved(self, name: str) -> None:
        """The saved view `name` is the one shown now; coming from a built-in view, its sort is
        kept for when a built-in view is opened again (a view's `for-you` stays its own), and
        so are its filter's texts, query and dates."""
        if self.active_view is None:
            self.builtin_sort = self.filters.sort
            texts = self.query_one(FilterBar).values()
            self.builtin_filter = (texts, self.filters, self.date_error)
        self.active_view = name

    def leave_saved(self) -> bool:
        """A built-in view is opened: no saved view is active and the built-in views' own
        sort, query and dates are back (the filter bar shows them as the user left them).
        True when that changed the filters (the view must be searched again)."""
        if self.active_view is None:
            return False
        self.active_view = None
        before = self.filters
        if self.builtin_filter is not None:
            texts, left, date_error = self.builtin_filter
            self.builtin_filter = None
            self.query_one(FilterBar).set_texts(*texts)
            self.date_error = date_error
            self.message = date_error
            self.filters = replace(
                self.filters, query=left.query, since=left.since, until=left.until
            )
        self.filters = self.filters.with_sort(self.builtin_sort)
        return self.filters != before

    def select_tab(self, tab: str) -> None:
        """Select a tab of the filter bar (a view, built-in or saved)."""
        self.query_one(FilterBar).set_view(tab)

    def update_status(self) -> None:
        """Redraw the status line (the main screen's)."""
        raise NotImplementedError

    # -- saving --------------------------------------------------------------------------------

    def current_view(self, name: str) -> SavedView:
        """The filter as it stands, as a view called `name` (dates as typed)."""

        query, since, until = self.query_one(FilterBar).values()
        state, sort = self.filters.state, self.filters.sort
        if state == FOR_YOU_VIEW:  # the For-you view: the Inbox in For you's order
            state, sort = "inbox", FOR_YOU
        return SavedView(check_name(name), query, since.strip(), until.strip(), state, sort)

    def action_save_view(self) -> None:
        """`ctrl+s`: ask for a name, then save the filter as a view (never a filter whose
        search was refused: its reason, and nothing saved)."""
        if self.refused:
            self.notify(f"{self.refused} (not saved)", severity="error", markup=False)
            return
        try:
            what = describe(self.current_view("x"))
        except ViewError:
            what = ""
        self.app.push_screen(SaveViewScreen(what), self._save_named)

    def _save_named(self, name: str | None) -> None:
        if name is None or not name.strip():
            return
        if self.refused:  # refused while the name was typed
            self.notify(f"{self.refused} (not saved)", severity="error", markup=False)
            return
        try:
            with self.library_lock:
                view = check_view(self.current_view(name), self.library.parse_query)
        except (ViewError, ValueError) as exc:
            self.notify(str(exc), severity="error", markup=False)
            return
        save = getattr(self.app, "save_view", None)
        problem = save(view) if save else "views cannot be saved here"
        if problem:
            self.notify(problem, severity="error", markup=False)
            return
        names = [v.name.casefold() for v in self.views]
        if view.name.casefold() in names:
            self.views[names.index(view.name.casefold())] = view
            verb = "updated"
        else:
            self.views.append(view)
            verb = "saved"
        self.enter_saved(view.name)
        self.refresh_saved_tabs()
        # After the new tab is laid out, so that Tabs scrolls it into view.
        self.call_after_refresh(
            self.select_tab, tab_id([v.name for v in self.views].index(view.name))
        )
        self.count_views()
        self.notify(f"view {view.name!r} {verb}", timeout=2, markup=False)

    def refresh_saved_tabs(self) -> None:
        """Bring the filter bar's saved tabs in line with `views`, with the counts known."""
        self.query_one(FilterBar).set_saved(self.saved_view_labels())

    # -- counting ------------------------------------------------------------------------------

    def count_views(self) -> None:
        """Count the built-in views (Inbox, Starred, All, Hidden: filter_bar.COUNTED, each over
        the whole library, as `search --state X` counts) and every saved view, in one worker
        thread; the tabs show the counts when done. Called at start and after triage, a
        reload and a save."""
        try:
            snapshot = StateSnapshot(self.triage)  # flags, tags and notes: tag:/note: views
        except TriageError:
            return
        self._count_worker(list(self.views), snapshot)

    @work(thread=True, exclusive=True, group="view-counts")
    def _count_worker(self, views: list[SavedView], snapshot: StateSnapshot) -> None:
        from paperbrowse.discovery_commands import for_you_selection
        from paperbrowse.models import Filters
        from paperbrowse.results import Results

        built_in: dict[str, int | None] = {}
        for state in COUNTED:
            try:
                with self.library_lock:
                    built_in[state] = len(self.library.search(Filters(state=state), snapshot))
            except Exception:  # an empty or damaged library: no count, never a crash
                built_in[state] = None
        counts: dict[str, int | None] = {}
        for view in views:
            try:
                filters = replace(view.filters(), limit=0)
                with self.library_lock:  # as many as its list shows (For you: no positives)
                    selection = for_you_selection(
                        self.library,
                        filters,
                        snapshot,
                        snapshot.tag_ids,
                        snapshot.tag_names,
                    )
                    shown = selection if isinstance(selection, Results) else selection[1]
                    counts[view.name] = len(shown)
            except Exception:  # a query the index refuses now: no count, never a crash
                counts[view.name] = REFUSED
        self.app.call_from_thread(self._show_counts, counts, built_in)

    def _show_counts(self, counts: dict[str, int | None], built_in: dict[str, int | None]) -> None:
        self.view_counts.update(counts)
        self.query_one(FilterBar).set_counts(built_in)
        self.refresh_saved_tabs()
