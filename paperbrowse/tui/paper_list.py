"""The list pane: a virtual list that renders only the visible rows of a result set.

Rows are read from the library lazily (a page at a time), so 100,000 results cost no more to
show than 40. The pane knows nothing of filters or triage storage: the screen hands it results,
triage flags and marks, and listens for `Highlighted`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from rich.segment import Segment
from rich.style import Style
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from paperbrowse.library import Row
from paperbrowse.models import TriageState
from paperbrowse.text import strip_controls

DATE_W, VOTES_W, BYLINE_W = 10, 4, 13


@dataclass(frozen=True)
class ListRow:
    """A row plus the flags the list shows for it."""

    row: Row
    state: TriageState
    marked: bool


class PaperList(ScrollView, can_focus=True, inherit_bindings=False):
    """A scrolling list of papers with a cursor; only visible lines are rendered.

    It drops ScrollView's key bindings (arrows, PgUp/PgDn, Home/End scroll the view) so those
    keys reach the screen's bindings, which move the cursor."""

    COMPONENT_CLASSES = {
        "paper-list--cursor",
        "paper-list--marked",
        "paper-list--read",
        "paper-list--meta",
        "paper-list--star",
    }
    DEFAULT_CSS = """
    PaperList { background: $surface; overflow-x: hidden; }
    PaperList > .paper-list--cursor { background: $block-cursor-blurred-background; }
    PaperList:focus > .paper-list--cursor {
        background: $block-cursor-background; color: $block-cursor-foreground;
        text-style: bold;
    }
    PaperList > .paper-list--marked { color: $accent; text-style: bold; }
    PaperList > .paper-list--read { color: $text-muted; }
    PaperList > .paper-list--meta { color: $text-muted; }
    PaperList > .paper-list--star { color: $warning; }
    """

    cursor: reactive[int] = reactive(0, always_update=True)

    class Highlighted(Message):
        """The cursor moved to another row (index -1: the list is empty)."""

        def __init__(self, paper_list: PaperList, index: int) -> None:
            super().__init__()
            self.paper_list = paper_list
            self.index = index

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._count = 0
        self._row_at: Callable[[int], Row] = _no_row
        self._state_of: Callable[[str], TriageState] = lambda _id: TriageState()
        self._is_marked: Callable[[str], bool] = lambda _id: False

    # -- data ----------------------------------------------------------------------------------

    def show(
        self,
        count: int,
        row_at: Callable[[int], Row],
        state_of: Callable[[str], TriageState],
        is_marked: Callable[[str], bool],
        cursor: int = 0,
    ) -> None:
        """Show `count` rows read through `row_at`; keeps the cursor in range."""
        self._count = count
        self._row_at = row_at
        self._state_of = state_of
        self._is_marked = is_marked
        self.virtual_size = Size(0, count)
        self.cursor = max(0, min(cursor, count - 1)) if count else 0
        self.refresh()

    @property
    def count(self) -> int:
        """How many rows the list holds."""
        return self._count

    def row(self, index: int) -> ListRow | None:
        """The row at `index` with its flags, or None when out of range."""
        if not 0 <= index < self._count:
            return None
        row = self._row_at(index)
        return ListRow(row, self._state_of(row.id), self._is_marked(row.id))

    def visible_range(self) -> range:
        """Indices of the rows on screen."""
        top = int(self.scroll_offset.y)
        return range(top, min(self._count, top + self.size.height))

    # -- cursor --------------------------------------------------------------------------------

    def watch_cursor(self, old: int, new: int) -> None:
        self._scroll_to_cursor()
        self.refresh()
        self.post_message(self.Highlighted(self, new if self._count else -1))

    def _scroll_to_cursor(self) -> None:
        height = max(1, self.size.height)
        top = int(self.scroll_offset.y)
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, immediate=True)
        elif self.cursor >= top + height:
            self.scroll_to(y=self.cursor - height + 1, animate=False, immediate=True)

    def move(self, delta: int) -> None:
        """Move the cursor by `delta` rows, clamped."""
        if self._count:
            self.cursor = max(0, min(self._count - 1, self.cursor + delta))

    def move_to(self, index: int) -> None:
        """Put the cursor on `index`, clamped."""
        if self._count:
            self.cursor = max(0, min(self._count - 1, index))

    def on_resize(self) -> None:
        self.virtual_size = Size(0, self._count)
        self._scroll_to_cursor()

    def on_click(self, event: object) -> None:
        offset = getattr(event, "y", None)
        if offset is not None:
            self.move_to(int(self.scroll_offset.y) + int(offset))

    # -- rendering -----------------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        index = int(self.scroll_offset.y) + y
        base = self.rich_style
        item = self.row(index)
        if item is None:
            return Strip.blank(width, base)
        return Strip(self._segments(item, index, width, base), width).crop_extend(0, width, base)

    def _segments(self, item: ListRow, index: int, width: int, base: Style) -> list[Segment]:
        row, state = item.row, item.state
        style = base
        if state.read or state.hidden:
            style += self.get_component_rich_style("paper-list--read", partial=True)
        if item.marked:
            style += self.get_component_rich_style("paper-list--marked", partial=True)
        if index == self.cursor:
            style += self.get_component_rich_style("paper-list--cursor", partial=True)
        meta = style + self.get_component_rich_style("paper-list--meta", partial=True)
        if index == self.cursor:
            meta = style
        star_style = style + self.get_component_rich_style("paper-list--star", partial=True)

        mark = "▌" if item.marked else " "
        flag = "★" if state.starred else ("·" if state.read else ("x" if state.hidden else "•"))
        when = row.published.isoformat() if row.published else "—".center(DATE_W)
        votes = f"{row.upvotes:>{VOTES_W}}" if row.upvotes is not None else " " * VOTES_W
        byline = row.org or _authors(row.authors)
        byline = _fit(strip_controls(byline), BYLINE_W)
        title_w = max(8, width - (2 + 2 + DATE_W + 1 + VOTES_W + 2 + BYLINE_W + 1))
        title = _fit(strip_controls(row.title), title_w)
        return [
            Segment(mark + " ", style),
            Segment(flag + " ", star_style if state.starred else style),
            Segment(when.ljust(DATE_W) + " ", meta),
            Segment(votes + "  ", meta),
            Segment(title.ljust(title_w), style),
            Segment(" " + byline.rjust(BYLINE_W), meta),
        ]


def _fit(text: str, width: int) -> str:
    """Truncate to `width` cells with an ellipsis."""
    from rich.cells import cell_len, set_cell_size

    if cell_len(text) <= width:
        return text
    return set_cell_size(text, max(0, width - 1)) + "…"


def _no_row(index: int) -> Row:
    raise IndexError(index)


def _authors(count: int | None) -> str:
    if count is None:
        return ""
    return f"{count} author{'' if count == 1 else 's'}"
