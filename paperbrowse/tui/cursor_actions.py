"""The main screen's movement keys: rows (`j`/`k`, arrows), pages, first and last, and focus
(`/` to the query, Esc back to the list, and from a "Similar to" list back to the view).

A mixin for `MainScreen`, which provides the attributes and methods declared under
`TYPE_CHECKING` below. Moves made while a new query's results are on their way are counted by
the search runner (`note_move`) and applied to them when they arrive."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.actions import SkipAction
from textual.screen import Screen
from textual.widgets import Input

if TYPE_CHECKING:
    from paperbrowse.tui.discovery import SimilarMode
    from paperbrowse.tui.paper_list import PaperList


class CursorActions(Screen[None]):
    """Moving the list's cursor and the focus."""

    similar_mode: SimilarMode | None

    if TYPE_CHECKING:  # the main screen's (its search runner's and discovery's)

        @property
        def paper_list(self) -> PaperList: ...

        def note_move(self, delta: int) -> None: ...

        def drop_early_moves(self) -> None: ...

        def cancel_similar(self) -> bool: ...

        def search(self, keep_cursor: bool = False) -> None: ...

    def _move(self, delta: int) -> None:
        self.note_move(delta)
        self.paper_list.move(delta)

    def action_cursor_down(self) -> None:
        self._move(1)

    def action_cursor_up(self) -> None:
        self._move(-1)

    def action_cursor_first(self) -> None:
        self.drop_early_moves()
        self.paper_list.move_to(0)

    def action_cursor_last(self) -> None:
        self.drop_early_moves()
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
