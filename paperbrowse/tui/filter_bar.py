"""The filter bar: keyword query, from/to dates and the view selector.

At narrow widths the screen hides the date inputs (the query takes `date:`) and then the view
tabs (the status line names the view); the query keeps the room, so what is typed stays in view.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from datetime import date

from rich.cells import cell_len
from textual import events
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.geometry import Size
from textual.message import Message
from textual.reactive import Reactive
from textual.widget import Widget
from textual.widgets import Input, Tab, Tabs

from paperbrowse.dates import date_window
from paperbrowse.tui.key_order import handling, key_order_of
from paperbrowse.tui.tab_fit import fit_tabs, strip_width

VIEWS = (
    ("foryou", "0 For you"),
    ("inbox", "1 Inbox"),
    ("starred", "2 Starred"),
    ("all", "3 All"),
    ("hidden", "4 Hidden"),
)
# The built-in views whose tabs show how many papers they hold (For you is a ranking, not a set).
COUNTED = ("inbox", "starred", "all", "hidden")
# Cells the tab strip asks for beyond its tabs' labels (clamped to the room: tabs that fit are
# never cut by it, tab_fit.py).
SLACK = 2
QUERY_MIN = 29  # cells the query input keeps beside the tabs: 22 typed cells and the cursor


def view_label(view: str, count: int | None) -> str:
    """A built-in view's tab label: `1 Inbox 262` (`1 Inbox` before it is counted)."""
    label = dict(VIEWS)[view]
    return label if count is None else f"{label} {count:,}"


# The query's hint, longest first: the longest that fits the input is shown.
QUERY_HINTS = (
    "/ filter: words, title:…, org:…, date:2024, upvotes:>=5, has_code:true",
    "/ filter: words, title:…, org:…, date:2024, upvotes:>=5",
    "/ filter: words, title:…, date:2024",
    "/ filter: words, date:2024",
    "/ filter",
)


def key_name(character: str) -> str:
    """Textual's key name for a printable character: `j`, `G`, `slash`, `question_mark`."""
    if character.isalnum():
        return character
    return unicodedata.name(character, character).lower().replace(" ", "_").replace("-", "_")


def follow_focus(widget: Widget, event: events.Key) -> bool:
    """Hand a key that reached `widget` after the focus left it to the widget that has the
    focus now; True when it did (the caller must not handle the key).

    Textual queues each key for the widget focused when it arrived: in a burst like `/pose`
    or `Esc jj`, keys typed right after the one that moved the focus are queued for the old
    widget. They belong to the new one."""
    focused = widget.screen.focused
    if focused is None or focused is widget:
        return False
    order = key_order_of(widget.app)
    if order is not None and order.read_before_the_move(event):
        return False  # `3/` read at once: the `3` was the list's (key_order.py)
    event.stop()
    event.prevent_default()
    focused.post_message(events.Key(event.key, event.character))
    return True


async def run_binding_now(widget: Widget, event: events.Key) -> bool:
    """Run the binding of a non-printable key that reached `widget` (the focused one) now;
    True when it ran (the caller must not handle the key).

    Textual runs a key's non-priority binding (the Input's own Ctrl+U, Ctrl+W, Home, Left …, and
    the screen's Ctrl+S) only when the key, unhandled by the widget, has bubbled up to the app:
    behind every key already queued there. The printable keys of a burst are typed at once, so
    `/ Ctrl+U title:survey` typed the query, then emptied it. Run here, each key takes effect in
    the order it was typed. Priority bindings ran before the key reached the widget."""
    if event.is_printable:
        return False
    active = widget.screen.active_bindings.get(event.key)
    if active is None or active.binding.priority:
        return False
    if not await widget.app.run_action(active.binding.action, active.node):
        return False  # the action skipped it (SkipAction): let the key go on as usual
    event.stop()
    event.prevent_default()
    return True


class FilterInput(Input):
    """A filter-bar input that passes on keys meant for the widget focused after it and runs
    its bindings in the order the keys came (`run_binding_now`).

    Its width is set by the filter bar's CSS, never by its text; so its virtual size (the
    text's width, which Input sets on every edit) asks for a repaint, not for a layout of the
    whole screen (Widget's own `virtual_size` does: 3-10 ms of each keystroke at 120 x 36)."""

    virtual_size = Reactive(Size(0, 0), layout=False)

    async def _on_key(self, event: events.Key) -> None:
        with handling(self, event):
            if follow_focus(self, event) or await run_binding_now(self, event):
                return
            await super()._on_key(event)


class QueryInput(FilterInput):
    """The filter's text input.

    tmux (and other multiplexers) join an Esc and the key typed right after it into one
    Alt+key when they arrive within its `escape-time`: `/ pose Esc j` would type `j` into the
    filter. Here an Alt+key with no binding of its own acts as Esc, then that key."""

    async def _on_key(self, event: events.Key) -> None:
        if follow_focus(self, event):
            return
        character = event.character
        if (
            event.key.startswith("alt+")
            and character
            and len(character) == 1
            and character.isprintable()
            and event.key not in self.screen.active_bindings
        ):
            event.stop()
            event.prevent_default()
            papers = self.screen.query_one("#papers")
            self.screen.set_focus(papers)  # now, so the replayed key reaches the list
            self.app.post_message(events.Key(key_name(character), character))
            return
        await super()._on_key(event)

    def on_resize(self) -> None:
        self.placeholder = fitting_hint(self.content_region.width)


def fitting_hint(width: int) -> str:
    """The longest query hint that fits `width` cells."""
    for hint in QUERY_HINTS:
        if cell_len(hint) <= width:
            return hint
    return QUERY_HINTS[-1][:width]


class FilterBar(Horizontal):
    """Query and date inputs plus view tabs; posts `Changed` with what the user typed."""

    DEFAULT_CSS = """
    FilterBar { height: auto; }
    FilterBar Input { border: tall $surface-lighten-1; }
    FilterBar Input:focus { border: tall $accent; }
    FilterBar #query { width: 1fr; }
    FilterBar #since, FilterBar #until { width: 15; }
    FilterBar Tabs { width: 48; max-width: 50%; margin-top: 0; }
    /* Textual draws inactive tabs and placeholders at half strength, below WCAG AA (4.5:1) in
       most themes: inactive tabs take the full foreground (the active one is bold and
       underlined), placeholders the theme's muted text colour. */
    FilterBar Tab { color: $foreground; }
    FilterBar Tab.-active { text-style: bold; }
    FilterBar Input > .input--placeholder { color: $text-muted; }
    """

    class Changed(Message):
        """The query or a date input changed."""

        def __init__(self, query: str, since: str, until: str) -> None:
            super().__init__()
            self.query = query
            self.since = since
            self.until = until

    class ViewChanged(Message):
        """The user picked another view tab."""

        def __init__(self, view: str) -> None:
            super().__init__()
            self.view = view

    def __init__(
        self,
        query: str = "",
        since: str = "",
        until: str = "",
        view: str = "inbox",
        saved: Sequence[tuple[str, str]] = (),
    ):
        super().__init__(id="filter-bar")
        self._initial = (query, since, until, view)
        self._saved = list(saved)  # (tab id, label) of the saved views, after the built-in ones
        self._labels = dict(VIEWS)  # the built-in views' labels, with their counts once known

    def compose(self) -> ComposeResult:
        query, since, until, view = self._initial
        yield QueryInput(query, placeholder=QUERY_HINTS[0], id="query")
        # Plain words, no example date: an example reads as a limit in force.
        yield FilterInput(since, placeholder="from date", id="since")
        yield FilterInput(until, placeholder="to date", id="until")
        tabs = [Tab(label, id=name) for name, label in (*VIEWS, *self._saved)]
        yield Tabs(*tabs, active=view, id="views")

    def on_mount(self) -> None:
        self._fit_tabs()

    def on_resize(self) -> None:
        # After the screen has shown or hidden the date inputs for its new width.
        self.call_after_refresh(self._fit_tabs)

    def _fit_tabs(self) -> None:
        """Tabs as wide as their labels, at most what leaves QUERY_MIN cells to the query
        beside the date inputs shown; when they do not all fit, counts are shortened and then
        whole tabs left out, never the active one (tab_fit.py): no label is cut but a lone
        active tab's name too long for the room (its count kept)."""
        entries = [*self._labels.items(), *self._saved]
        tabs = self.query_one(Tabs)
        if not self.size.width:
            tabs.styles.width = strip_width([label for _, label in entries]) + SLACK
            tabs.styles.max_width = "50%"  # not laid out yet: refitted on the first resize
            return
        dates = sum(  # their CSS width: one just shown may not be laid out yet
            int(box.styles.width.value) if box.styles.width else box.outer_size.width
            for box in self.query("#since, #until")
            if box.display
        )
        room = max(self.size.width - dates - QUERY_MIN, 12)
        shown = fit_tabs(entries, room, tabs.active or None)
        for tab_id, _label in entries:
            tab = tabs.get_tab(tab_id)
            if tab is None:
                continue
            label = shown.get(tab_id)
            if label is None:
                if not tab.has_class("-hidden"):
                    tabs.hide(tab_id)
                continue
            if tab.has_class("-hidden"):
                tabs.show(tab_id)
            if tab.label_text != label:
                tab.label = label
        tabs.styles.width = strip_width(list(shown.values())) + SLACK
        tabs.styles.max_width = room
        self.call_after_refresh(self._show_active_tab)  # a tab just added or relabelled

    def _show_active_tab(self) -> None:
        """Scroll the active tab into sight once the tabs are laid out again (Tabs scrolls
        only when `active` changes, before a tab added at the same time has its place)."""
        tabs = self.query_one(Tabs)
        if tabs.active_tab is not None:  # centred, as Tabs does; forced: no scrollbar shows
            tabs.scroll_to_center(tabs.active_tab, animate=False, force=True)

    def set_counts(self, counts: dict[str, int | None]) -> None:
        """Show how many papers each built-in view in `counts` (COUNTED) holds in its tab."""
        tabs = self.query_one(Tabs)
        for view, count in counts.items():
            label = view_label(view, count)
            tab = tabs.get_tab(view)
            if tab is not None and tab.label_text != label:
                tab.label = label
            self._labels[view] = label
        self._fit_tabs()

    def set_saved(self, saved: Sequence[tuple[str, str]]) -> None:
        """Show these saved views' tabs (tab id, label), relabelling the ones shown."""
        tabs = self.query_one(Tabs)
        for tab_id, label in saved:
            tab = tabs.get_tab(tab_id)
            if tab is None:
                tabs.add_tab(Tab(label, id=tab_id))
            elif tab.label_text != label:
                tab.label = label
        wanted = {tab_id for tab_id, _ in saved}
        for tab_id, _ in self._saved:
            if tab_id not in wanted:
                tabs.remove_tab(tab_id)
        self._saved = list(saved)
        self._fit_tabs()

    def set_texts(self, query: str, since: str, until: str) -> None:
        """Put texts in the inputs without posting `Changed` (the caller searches)."""
        with self.prevent(Input.Changed):
            self.query_one("#query", Input).value = query
            self.query_one("#since", Input).value = since
            self.query_one("#until", Input).value = until
        self.call_after_refresh(self._fit_tabs)  # a date input may show or hide now

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.post_message(self.Changed(*self.values()))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.screen.set_focus(self.screen.query_one("#papers"))

    def on_tabs_tab_activated(self, event: Tabs.TabActivated) -> None:
        event.stop()
        self._fit_tabs()  # the active tab is always shown (a key may open one left out)
        if event.tab is not None and event.tab.id:
            self.post_message(self.ViewChanged(event.tab.id))

    def values(self) -> tuple[str, str, str]:
        """The query, from and to texts as typed."""
        return (
            self.query_one("#query", Input).value,
            self.query_one("#since", Input).value,
            self.query_one("#until", Input).value,
        )

    def set_view(self, view: str) -> None:
        """Select a view tab without the user clicking it."""
        self.query_one(Tabs).active = view


def parse_dates(
    since: str, until: str, today: date | None = None
) -> tuple[date | None, date | None]:
    """The from/to inputs as inclusive bounds (`dates.date_window`); DateError names the bad
    input, or says the window ends before it starts."""
    return date_window(since, until, today=today)
