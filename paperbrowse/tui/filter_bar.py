"""The filter bar: keyword query, from/to dates and the view selector."""

from __future__ import annotations

from datetime import date

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Input, Tab, Tabs

from paperbrowse.dates import DateError, parse_bound

VIEWS = (("inbox", "1 Inbox"), ("starred", "2 Starred"), ("all", "3 All"), ("hidden", "4 Hidden"))


class FilterBar(Horizontal):
    """Query and date inputs plus view tabs; posts `Changed` with what the user typed."""

    DEFAULT_CSS = """
    FilterBar { height: auto; }
    FilterBar Input { border: tall $surface-lighten-1; }
    FilterBar Input:focus { border: tall $accent; }
    FilterBar #query { width: 1fr; }
    FilterBar #since, FilterBar #until { width: 16; }
    FilterBar Tabs { width: 46; margin-top: 0; }
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

    def __init__(self, query: str = "", since: str = "", until: str = "", view: str = "inbox"):
        super().__init__(id="filter-bar")
        self._initial = (query, since, until, view)

    def compose(self) -> ComposeResult:
        query, since, until, view = self._initial
        yield Input(
            query,
            placeholder="/ filter: words, title:…, org:…, date:2024, upvotes:>=5",
            id="query",
        )
        yield Input(since, placeholder="from: 2024-01, 7d", id="since")
        yield Input(until, placeholder="to: 2025", id="until")
        yield Tabs(*(Tab(label, id=name) for name, label in VIEWS), active=view, id="views")

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.post_message(self.Changed(*self.values()))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.screen.set_focus(self.screen.query_one("#papers"))

    def on_tabs_tab_activated(self, event: Tabs.TabActivated) -> None:
        event.stop()
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
    """The from/to inputs as inclusive bounds; DateError names the bad input."""
    lo = parse_bound(since, end=False, today=today) if since.strip() else None
    hi = parse_bound(until, end=True, today=today) if until.strip() else None
    if lo and hi and lo > hi:
        raise DateError(f"from {since.strip()!r} is after to {until.strip()!r}")
    return lo, hi
