"""The main screen's status line (count, view, dates, order, marks) and the message line above
the panes (a query or date the library refused, what For you or `m` says).

`status_text` is the line's wording; `StatusLine` is a mixin for `MainScreen`, which provides
the attributes and methods declared under `TYPE_CHECKING` below."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from textual.content import Content
from textual.screen import Screen
from textual.widgets import Static

from paperbrowse.models import Filters
from paperbrowse.tui.colours import readable_colour
from paperbrowse.tui.filter_bar import VIEWS

if TYPE_CHECKING:
    from paperbrowse.results import Results
    from paperbrowse.tui.discovery import SimilarMode

VIEW_NAMES = dict(VIEWS)  # a built-in view's state -> its tab label ("1 Inbox", …)
SEPARATOR = "  ·  "
# What discovery's message line says when For you (or `for:<tag>`) cannot rank yet
# (suggest.needs_more_stars, discovery.PREPARING): the list is newest first meanwhile.
MORE_NEEDED = re.compile(r"\d+ more (?:stars?|papers?) needed")


def fallback_order(message: str) -> str | None:
    """The order a For-you list shows while it cannot rank, from the message line that says
    why: "newest first (3 more stars needed)"; None when the message is not such a reason."""
    found = MORE_NEEDED.search(message)
    if found:
        return f"newest first ({found.group(0)})"
    if message.startswith("For you: preparing"):
        return "newest first (preparing For you)"
    return None


def status_text(
    count: int,
    shown: Filters,
    *,
    saved_view: str | None = None,
    similar: str | None = None,
    results_sort: str | None = None,
    marked: int = 0,
    order: str | None = None,
    refused: bool = False,
) -> str:
    """The status line: `count` papers of the view of `shown` (the filters of the results
    shown), named after the saved view opened last (`saved_view`), or "Similar to `similar`"
    on a more-like-this list; the date window, the order (`results_sort` when the results
    came in For you's order; `order` when it says the list is not in the order asked for) and
    how many papers are `marked`. An empty list says whether
    nothing matched or the view is empty. When the query or dates asked for were `refused`
    (the message line says why) no count is claimed: "query not run" stands in its place,
    with "list as before" when the list still shows the last results."""
    noun = "paper" if count == 1 else "papers"
    view = VIEW_NAMES.get(shown.state, "3 All")[2:]
    if similar is None and saved_view:
        view = f"{saved_view} ({view})"
    parts = [f"{count:,} {noun}", view]
    if similar is not None:
        # Fits 80 columns: the order (similarity) goes without saying here.
        parts = [f"{count:,} {noun}", f"Similar to {similar}", "Esc: back"]
    if shown.since or shown.until:
        since = shown.since.isoformat() if shown.since else "…"
        until = shown.until.isoformat() if shown.until else "…"
        parts.append(f"{since} to {until}")
    if similar is not None:
        pass
    elif order is not None:
        parts.append(order)
    elif results_sort == "for-you":
        parts.append(f"sorted by {results_sort}")
    else:
        parts.append(f"sorted by {shown.effective_sort}")
    if marked:
        parts.append(f"{marked:,} marked")
    if refused:  # the list is not the result of what was asked for: no count (as fzf shows none)
        parts[0] = "query not run, list as before" if count else "query not run"
    text = SEPARATOR.join(parts)
    if not count and not refused:
        searched = shown.query.strip() or shown.since or shown.until
        text = f"{'No papers match.' if searched else 'No papers in this view.'}{SEPARATOR}{text}"
    return text


class StatusLine(Screen[None]):
    """Redrawing the status line and the message line."""

    results: Results | None
    message: str
    marks: dict[str, None]
    active_view: str | None
    similar_mode: SimilarMode | None
    refused: str  # why the last search asked for was refused (the search runner's)

    if TYPE_CHECKING:  # the main screen's search runner's

        @property
        def shown_filters(self) -> Filters: ...

    def update_status(self) -> None:
        """Redraw the status line, and show the message line when there is a message."""
        status = self.query_one("#status", Static)
        results = self.results
        text = status_text(
            len(results) if results is not None else 0,
            self.shown_filters,
            saved_view=self.active_view,
            similar=self.similar_mode.label if self.similar_mode is not None else None,
            results_sort=results.sort if results is not None else None,
            marked=len(self.marks),
            refused=bool(self.refused) and self.similar_mode is None,
            order=(
                fallback_order(self.message)
                if results is not None and results.sort != "for-you"
                else None
            ),
        )
        # One line whatever it says (#status: height 1, the screen's width): a repaint, not a
        # layout of the whole screen (3-10 ms at each keystroke).
        status.update(Content.styled(text, readable_colour(status).hex), layout=False)
        # The message has a line (or four) of its own, in plain text: it quotes what the user
        # typed ("[/" and all). Its height follows its text: laid out again only when it changed.
        message = self.query_one("#message", Static)
        if message.content != self.message:
            message.update(self.message)
        message.set_class(bool(self.message), "shown")
        status.set_class(bool(self.message), "error")
