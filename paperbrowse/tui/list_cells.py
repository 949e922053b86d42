"""The list's rows as cells: the column layout for a width, each cell's text fitted in
terminal cells, and the segments of one row, each in the colours of its role.

Every width is measured in terminal cells (Rich's `cell_len`), never in characters: a CJK title
takes two cells a character and a combining accent none, and the columns stay aligned. The
list pane (`paper_list.PaperList`) resolves the colours; this module only lays a row out.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment

from paperbrowse.models import COMMENT, UPVOTE, TriageState, authors_text
from paperbrowse.results import Row
from paperbrowse.text import strip_controls
from paperbrowse.tui.colours import Ink

DATE_W = 10
COUNT_W = 5  # "▲1234", "💬123"
TITLE_MIN = 40  # cells a title keeps before an optional column is shown
BYLINE_MIN, BYLINE_MAX = 9, 18
STARRED, UNREAD, READ, HIDDEN = "★", "•", "✓", "×"

ROLES = ("title", "date", "counts", "byline", "star", "unread", "mark")


@dataclass(frozen=True)
class ListRow:
    """A row plus the flags the list shows for it."""

    row: Row
    state: TriageState
    marked: bool


@dataclass(frozen=True)
class Columns:
    """Cell widths of one layout of the list; 0 means the column is not shown."""

    title: int
    upvotes: int
    comments: int
    byline: int

    @staticmethod
    def fit(width: int) -> Columns:
        """Columns for a list `width` cells wide: the title keeps at least TITLE_MIN cells
        (when the width allows); upvotes, comments and the byline join in that order while
        it does, and the byline takes what is left up to BYLINE_MAX."""
        fixed = 4 + DATE_W + 1  # mark, star, state, space, date, space
        room = width - fixed
        upvotes = comments = byline = 0
        if room - (COUNT_W + 1) >= TITLE_MIN:
            upvotes = COUNT_W
            room -= COUNT_W + 1
        if room - (COUNT_W + 1) >= TITLE_MIN:
            comments = COUNT_W
            room -= COUNT_W + 1
        if room - (BYLINE_MIN + 1) >= TITLE_MIN:
            byline = min(BYLINE_MAX, room - 1 - TITLE_MIN)
            room -= byline + 1
        return Columns(max(1, room), upvotes, comments, byline)


def fit_cells(text: str, width: int) -> str:
    """`text` as exactly `width` cells: cut with an ellipsis when longer, padded when shorter.

    Control characters are removed and the text is NFC-composed first (so "e" + U+0301 is one
    character, as terminals draw it)."""
    text = unicodedata.normalize("NFC", strip_controls(text)).replace("\n", " ")
    if width <= 0:
        return ""
    if cell_len(text) > width:
        text = set_cell_size(text, width - 1) + "…"
    return set_cell_size(text, width)


def count_cell(glyph: str, value: int | None, width: int = COUNT_W) -> str:
    """`  ▲12`-style cell of `width` cells: the glyph and the count, right-aligned; blank when
    unknown. Counts too wide for the cell are shortened (`1.2k`, `12k`)."""
    if value is None or width <= 0:
        return " " * width
    digits = width - cell_len(glyph)
    text = str(value)
    if len(text) > digits:
        text = f"{value / 1000:.1f}k"
        if len(text) > digits:
            text = f"{value // 1000}k"
    return " " * max(0, digits - len(text)) + glyph + text[-digits:]


def tag_cell(tags: tuple[str, ...], width: int) -> str:
    """The tags after a title, ` #to-read #lab`, in at most a third of the title's `width`
    cells (cut with an ellipsis); '' without tags or room."""
    if not tags or width < 24:
        return ""
    text = " " + " ".join(f"#{t}" for t in tags)
    room = width // 3
    if cell_len(text) > room:
        text = set_cell_size(text, room - 1) + "…"
    return text


def row_segments(
    item: ListRow, cursor: bool, width: int, ink: Callable[[str, str, bool], Ink]
) -> list[Segment]:
    """The segments of one row, `width` cells in all, each tagged with its role
    (`Segment.control` is never set; the role is in `ROLE_OF[segment]`). `ink(role, row_kind,
    cursor)` gives a role's resolved colours on a row of `row_kind` ("plain", "read",
    "hidden", "marked"), as `PaperList.ink` does."""
    row, state = item.row, item.state
    kind = (
        "marked" if item.marked else "hidden" if state.hidden else "read" if state.read else "plain"
    )
    cols = Columns.fit(width)

    def seg(text: str, role: str) -> Segment:
        return Segment(text, ink(role, kind, cursor).rich)

    flag = HIDDEN if state.hidden else READ if state.read else UNREAD
    flag_role = "unread" if flag == UNREAD else "date"
    when = row.published.isoformat() if row.published else "—".center(DATE_W)
    out = [
        seg("▌" if item.marked else " ", "mark"),
        seg(STARRED if state.starred else " ", "star"),
        seg(flag, flag_role),
        seg(" ", "title"),
        seg(when + " ", "date"),
    ]
    if cols.upvotes:
        out.append(seg(count_cell(UPVOTE, row.upvotes, cols.upvotes) + " ", "counts"))
    if cols.comments:
        out.append(seg(count_cell(COMMENT, row.comments, cols.comments) + " ", "counts"))
    tags = tag_cell(state.tags, cols.title)
    out.append(seg(fit_cells(row.title, cols.title - cell_len(tags)), "title"))
    if tags:
        out.append(seg(tags, "counts"))
    if cols.byline:
        byline = fit_cells(row.org or authors_text(row.authors), cols.byline)
        out.append(seg(" " + byline, "byline"))
    return out
