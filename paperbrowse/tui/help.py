"""The help screen: every key, from the one table of actions."""

from __future__ import annotations

from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from paperbrowse.query import QUERY_FIELDS
from paperbrowse.tui.commands import LEAVE_RULE, help_rows


def query_help() -> str:
    """The help's query paragraph: the syntax, then every searchable field with its example,
    from the core's one list (`query.QUERY_FIELDS`)."""
    fields = " ".join(field.example for field in QUERY_FIELDS)
    return (
        "Query: words (stemmed; title weighs more than abstract), AND OR NOT (-word), "
        f'"phrases", wild*. Fields: {fields}.  '
        "Dates: YYYY, YYYY-MM, YYYY-MM-DD, 7d 4w 6m 1y, date:>2023, "
        "date:[2024-01-01 to 2024-03-31]."
    )


class HelpScreen(ModalScreen[None]):
    """A modal listing every action with its keys."""

    BINDINGS = [
        Binding("escape,q,question_mark", "dismiss", "Close"),
        Binding("j", "scroll(1)", "Down", show=False),
        Binding("k", "scroll(-1)", "Up", show=False),
        Binding("space", "scroll(10)", "Page down", show=False),
    ]
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll {
        width: 100%; max-width: 118; height: auto; max-height: 95%;
        border: thick $accent; background: $panel; padding: 0 1;
    }
    """

    def compose(self) -> ComposeResult:
        rows = help_rows("list")
        rows += [
            ("Ctrl+P", "Command palette: every action by name, and themes"),
            ("Ctrl+C", "Quit at once (exit status 130)"),
        ]
        rows += [("", ""), ("", "[b]In the detail pane[/b] (Tab)")]
        rows += help_rows("detail")
        # Two columns where they fit (every key on a 36-row terminal without scrolling); one
        # below 100 columns, where two would wrap every line.
        columns = Table.grid(padding=(0, 3), expand=True)
        if self.app.size.width >= 100:
            half = (len(rows) + 1) // 2
            columns.add_column(ratio=1)
            columns.add_column(ratio=1)
            columns.add_row(_keys_table(rows[:half]), _keys_table(rows[half:]))
        else:
            columns.add_column(ratio=1)
            columns.add_row(_keys_table(rows))
        with VerticalScroll():
            yield Static("[b]paperbrowse keys[/b]  (Esc closes; j k Space scroll)\n")
            yield Static(columns)
            yield Static("\n" + LEAVE_RULE, markup=False)
            yield Static("\n" + query_help(), markup=False)

    def action_scroll(self, lines: int) -> None:
        """Scroll the help by `lines` (small terminals show it a page at a time)."""
        self.query_one(VerticalScroll).scroll_relative(y=lines, animate=False)

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(result)


def _keys_table(rows: list[tuple[str, str]]) -> Table:
    table = Table(box=None, show_header=False, padding=(0, 2, 0, 0), expand=True)
    table.add_column(style="bold", no_wrap=True)
    table.add_column(ratio=1)
    for keys, text in rows:
        table.add_row(keys, text)
    return table
