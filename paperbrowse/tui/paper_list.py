"""The list pane: a virtual list that renders only the visible rows of a result set.

Rows are read from the library lazily (a page at a time), so 100,000 results cost no more to
show than 40. The pane knows nothing of filters or triage storage: the screen hands it results,
triage flags and marks, and listens for `Highlighted`.

Every width is measured in terminal cells (Rich's `cell_len`), never in characters: a CJK title
takes two cells a character and a combining accent none, and the columns stay aligned. The
column layout and the cells of a row are `list_cells`.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.color import Color
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import Reactive, reactive
from textual.scroll_view import ScrollView
from textual.scrollbar import ScrollBarRender
from textual.strip import Strip

from paperbrowse.models import TriageState
from paperbrowse.results import Row
from paperbrowse.tui.colours import Ink, ink, layer
from paperbrowse.tui.key_order import handling
from paperbrowse.tui.list_cells import Columns, ListRow, row_segments

BAR_W = 1  # the scrollbar's column


class PaperList(ScrollView, can_focus=True, inherit_bindings=False):
    """A scrolling list of papers with a cursor; only visible lines are rendered.

    It drops ScrollView's key bindings (arrows, PgUp/PgDn, Home/End scroll the view) so those
    keys reach the screen's bindings, which move the cursor.

    Colours come from the component classes below (theme variables only); each role is then
    resolved on its row's real background and kept at WCAG AA contrast (see `colours`).

    The vertical scrollbar is drawn by the list in its last column (`bar_cells`), as Textual's
    own would be, whenever the rows do not all fit: Textual's is a widget of the screen's
    layout, and its appearing or going (a filter keystroke's result count crossing the
    list's height, 40% of the keys typed in the benchmark) asked for a layout and a render
    of the whole screen."""

    COMPONENT_CLASSES = {
        "paper-list--title",
        "paper-list--date",
        "paper-list--counts",
        "paper-list--byline",
        "paper-list--star",
        "paper-list--unread",
        "paper-list--mark",
        "paper-list--read",
        "paper-list--hidden",
        "paper-list--marked",
        "paper-list--cursor",
        "paper-list--cursor-blurred",
    }
    DEFAULT_CSS = """
    PaperList { background: $surface; color: $foreground; overflow-x: hidden;
                overflow-y: hidden; }
    PaperList > .paper-list--title { color: $foreground; }
    PaperList > .paper-list--date { color: $text-muted; }
    PaperList > .paper-list--counts { color: $text-secondary; }
    PaperList > .paper-list--byline { color: $text-muted; }
    PaperList > .paper-list--star { color: $text-warning; }
    PaperList > .paper-list--unread { color: $text-accent; }
    PaperList > .paper-list--mark { color: $accent; }
    PaperList > .paper-list--read { color: $text-muted; }
    PaperList > .paper-list--hidden { color: $text-muted; text-style: italic; }
    PaperList > .paper-list--marked { background: $accent 20%; text-style: bold; }
    PaperList > .paper-list--cursor {
        background: $block-cursor-background; color: $block-cursor-foreground;
        text-style: bold;
    }
    PaperList > .paper-list--cursor-blurred {
        background: $block-cursor-blurred-background; color: $block-cursor-blurred-foreground;
    }
    """

    cursor: reactive[int] = reactive(0, always_update=True)
    # The virtual size is the row count. Widget's own asks for a layout of the whole screen on
    # every change (and so a render of every widget on it): 5-15 ms of a filter keystroke at
    # 120 x 36. The list's region does not change with its count: a repaint does.
    virtual_size = Reactive(Size(0, 0), layout=False)

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
        self._inks: dict[tuple[str, str, bool], Ink] = {}
        self._base: Style | None = None  # see base_style
        self._bar: tuple[tuple[int, int, float], list[Segment]] | None = None  # bar_cells
        self._frame: Region | None = None  # the content region during a render

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
        self._fit_count()
        self.cursor = max(0, min(cursor, count - 1)) if count else 0
        self.refresh()

    def _fit_count(self) -> None:
        """The virtual size and the scroll offset for the row count (a repaint, no layout)."""
        self.virtual_size = Size(0, self._count)
        if self.scroll_offset.y > self.max_scroll_y:
            self.scroll_to(y=self.max_scroll_y, animate=False, immediate=True)

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

    def _region(self) -> Region:
        """The region the rows are drawn in (read once a render: see render_lines)."""
        return self._frame or self.scrollable_content_region

    @property
    def bar_shown(self) -> bool:
        """True when the rows do not all fit: the last column is the scrollbar."""
        return self._count > self._region().height

    @property
    def rows_width(self) -> int:
        """Cells of a row: the list's width less the scrollbar's column when it is shown."""
        region = self._region()
        return region.width - (BAR_W if self._count > region.height else 0)

    @property
    def allow_vertical_scroll(self) -> bool:
        """The mouse wheel scrolls the list while its scrollbar is shown."""
        return self.bar_shown and not self.disabled

    @property
    def columns(self) -> Columns:
        """The column widths at the current size."""
        return Columns.fit(self.rows_width)

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

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    async def _on_key(self, event: events.Key) -> None:
        from paperbrowse.tui.filter_bar import follow_focus

        with handling(self, event):
            if follow_focus(self, event):  # `/pose` typed in one burst: "pose" is the filter's
                return
            if self.screen.focused is not self and await self._run_list_key(event):
                return
            await super()._on_key(event)

    async def _run_list_key(self, event: events.Key) -> bool:
        """Run the list's action for a key read before another key moved the focus away (`3/`
        read at once: the `3` opens All). Textual would look the key up from the focused
        widget, the filter, which takes every printable key as text. True when it ran."""
        from paperbrowse.tui.commands import action_for_key

        action = action_for_key(event.key)
        if action is None:
            return False
        event.stop()
        event.prevent_default()
        await self.app.run_action(action, self.screen)
        return True

    def on_click(self, event: object) -> None:
        offset = getattr(event, "y", None)
        if offset is None:
            return
        x = getattr(event, "x", 0)
        if self.bar_shown and x >= self.rows_width:  # on the scrollbar: that part of the list
            height = max(1, self.scrollable_content_region.height)
            self.move_to(int(offset) * self._count // height)
        else:
            self.move_to(int(self.scroll_offset.y) + int(offset))

    # -- colours -------------------------------------------------------------------------------

    def notify_style_update(self) -> None:
        self._inks.clear()  # a new theme or stylesheet
        self._base = None
        self._bar = None
        super().notify_style_update()

    def ink(self, role: str, row_kind: str, cursor: bool) -> Ink:
        """The resolved colours of `role` (one of `list_cells.ROLES`) on a row of `row_kind`
        ("plain", "read", "hidden", "marked"), with or without the cursor on it."""
        key = (role, row_kind, cursor)
        cached = self._inks.get(key)
        if cached is None:
            cached = self._inks[key] = self._resolve(role, row_kind, cursor)
        return cached

    def _resolve(self, role: str, row_kind: str, cursor: bool) -> Ink:
        base = self.rich_style
        bg = Color.from_rich_color(base.bgcolor) if base.bgcolor else Color(0, 0, 0)
        fg = Color.from_rich_color(base.color) if base.color else bg.get_contrast_text()
        text_style = Style()

        def apply(name: str, colour: bool = True) -> None:
            nonlocal bg, fg, text_style
            new_bg, new_fg, extra = layer(self.get_component_styles(name), bg, fg)
            bg = new_bg
            if colour:
                fg = new_fg
            text_style += extra

        if row_kind == "marked":
            apply("paper-list--marked")
        apply(f"paper-list--{role}")
        if row_kind in ("read", "hidden") and role in ("title", "byline"):
            apply(f"paper-list--{row_kind}")
        if cursor:
            focused = self.has_focus
            apply(
                "paper-list--cursor" if focused else "paper-list--cursor-blurred",
                colour=role in ("title", "byline", "date", "counts") or focused,
            )
        return ink(fg, bg, text_style)

    # -- rendering -----------------------------------------------------------------------------

    def render_lines(self, crop: Region) -> list[Strip]:
        self._base = None  # the pane's style, read again once for this render (`base_style`)
        self._frame = self.scrollable_content_region  # and its region, for this render only
        try:
            return super().render_lines(crop)
        finally:
            self._frame = None

    def bar_cells(self) -> list[Segment]:
        """The scrollbar's cell on each line of the list (for the count, the height and the
        scroll offset), drawn as Textual's ScrollBar draws itself: its renderer and the
        list's `scrollbar-background` and `scrollbar-color`."""
        height = self._region().height
        position = int(self.scroll_offset.y * 8) / 8
        key = (self._count, height, position)
        if self._bar is None or self._bar[0] != key:
            styles = self.styles
            background = styles.scrollbar_background
            if background.a < 1:
                background = self.background_colors[0] + background
            colour = background + styles.scrollbar_color
            hidden = self.screen.styles.scrollbar_color.a == 0  # as ScrollBar.render
            bar = ScrollBarRender.render_bar(
                size=height,
                virtual_size=self._count,
                window_size=0 if hidden or height >= self._count else height,
                position=position,
                thickness=BAR_W,
                vertical=True,
                back_color=background.rich_color,
                bar_color=colour.rich_color,
            )
            base = self.base_style
            self._bar = (key, [Segment(s.text, base + s.style) for s in bar.segments])
        return self._bar[1]

    @property
    def base_style(self) -> Style:
        """The pane's own Rich style (its background and text colour). Textual's `rich_style`
        walks every ancestor's styles on each read (~0.25 ms): read once a render, not once
        a line."""
        if self._base is None:
            self._base = self.rich_style
        return self._base

    def render_line(self, y: int) -> Strip:
        region = self._region()
        bar = self._count > region.height
        width = region.width - (BAR_W if bar else 0)
        index = int(self.scroll_offset.y) + y
        base = self.base_style
        item = self.row(index)
        if item is None:
            strip = Strip.blank(width, base)
        else:
            segments = self.segments(item, index == self.cursor, width)
            # The strip measures its own cells: never trust a length computed elsewhere.
            strip = Strip(segments).crop_extend(0, width, base)
        if not bar:
            return strip
        cells = self.bar_cells()
        return Strip.join([strip, Strip([cells[y]] if 0 <= y < len(cells) else [], BAR_W)])

    def segments(self, item: ListRow, cursor: bool, width: int) -> list[Segment]:
        """The segments of one row, `width` cells in all, each tagged with its role
        (`Segment.control` is never set; the role is in `ROLE_OF[segment]`)."""
        return row_segments(item, cursor, width, self.ink)


def _no_row(index: int) -> Row:
    raise IndexError(index)
