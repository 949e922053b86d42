"""One table of user actions: it feeds the key bindings, the footer, the help screen and the
command palette, so a key is described in exactly one place."""

from __future__ import annotations

from dataclasses import dataclass

from textual.binding import Binding, BindingType


@dataclass(frozen=True)
class Action:
    """A user command: its keys, the screen action it runs, and its help text."""

    keys: str  # comma-separated Textual key names
    action: str  # action name on the main screen (without "action_")
    name: str  # short name: footer, palette
    help: str  # one line for the help screen and the palette
    show: bool = False  # shown in the footer
    palette: bool = True  # offered in the command palette

    @property
    def display_keys(self) -> str:
        """Keys as a person reads them."""
        names = {
            "slash": "/",
            "question_mark": "?",
            "space": "Space",
            "enter": "Enter",
            "escape": "Esc",
            "pageup": "PgUp",
            "pagedown": "PgDn",
            "up": "↑",
            "down": "↓",
            "home": "Home",
            "end": "End",
            "ctrl+p": "Ctrl+P",
            "tab": "Tab",
        }
        return " ".join(names.get(k, k) for k in self.keys.split(","))


ACTIONS: tuple[Action, ...] = (
    Action("j,down", "cursor_down", "Down", "Move to the next paper", palette=False),
    Action("k,up", "cursor_up", "Up", "Move to the previous paper", palette=False),
    Action("g,home", "cursor_first", "First", "Go to the first paper"),
    Action("G,end", "cursor_last", "Last", "Go to the last paper"),
    Action("pagedown", "page_down", "Page down", "Move down a page", palette=False),
    Action("pageup", "page_up", "Page up", "Move up a page", palette=False),
    Action("slash", "focus_query", "Filter", "Focus the keyword filter", show=True),
    Action("escape", "focus_list", "List", "Return to the list", palette=False),
    Action("space", "toggle_mark", "Mark", "Mark or unmark the paper and move down", show=True),
    Action("A", "mark_all", "Mark all", "Mark (or unmark) every paper in the list"),
    Action("s", "star", "Star", "Star or unstar (marked papers, else this one)", show=True),
    Action("r", "read", "Read", "Mark read or unread (marked papers, else this one)", show=True),
    Action("x", "hide", "Hide", "Hide or unhide (marked papers, else this one)", show=True),
    Action("u", "undo", "Undo", "Undo the last triage action", show=True),
    Action("1", "view('inbox')", "Inbox", "View unread, not hidden papers"),
    Action("2", "view('starred')", "Starred", "View starred papers"),
    Action("3", "view('all')", "All", "View every paper"),
    Action("4", "view('hidden')", "Hidden", "View hidden papers"),
    Action("S", "cycle_sort", "Sort", "Cycle the sort: relevance, date, upvotes, title"),
    Action("o", "open_link", "Open", "Open the first code link, else an arXiv search", show=True),
    Action("O", "open_link_read", "Open+read", "Open the link and mark the paper read"),
    Action("l", "pick_link", "Links", "List the paper's links and open one"),
    Action("y", "copy", "Copy", "Copy the title and link"),
    Action("R", "reload", "Reload", "Reload the library (after an index run)"),
    Action("enter", "accept", "Accept", "Print the marked (or this) paper and quit", show=True),
    Action("question_mark", "help", "Help", "Show all keys", show=True),
    Action("q", "quit_browser", "Quit", "Quit without printing anything", show=True),
)


def bindings() -> list[BindingType]:
    """Textual bindings for every action in the table."""
    return [
        Binding(a.keys, a.action, a.name, show=a.show, key_display=a.display_keys.split()[0])
        for a in ACTIONS
    ]
