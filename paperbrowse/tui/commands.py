"""One table of user actions: it feeds the key bindings, the footer, the help screen and the
command palette, so a key is described in exactly one place."""

from __future__ import annotations

from dataclasses import dataclass

from textual.binding import Binding, BindingType

KEY_NAMES = {
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
    "ctrl+s": "Ctrl+S",
    "tab": "Tab",
}


@dataclass(frozen=True)
class Action:
    """A user command: its keys, the action it runs, and its help text.

    `scope` says where the keys work: "list" (the main screen: the list, and wherever a key is
    not taken by the focused widget) or "detail" (the detail pane, when it has the focus).
    `footer` is the footer's priority (1 is kept longest; 0: never in the footer) and
    `footer_keys`/`footer_name` what the footer shows. `group` joins actions into one help row
    (the views 1-4, the saved views 5-9).
    """

    keys: str  # comma-separated Textual key names
    action: str  # action name on the main screen or the detail pane (without "action_")
    name: str  # short name: footer, palette
    help: str  # one line for the help screen and the palette
    footer: int = 0
    palette: bool = True  # offered in the command palette
    # Listed in the palette before anything is typed. Accept and Quit are not: the first entry
    # of that list is what an Enter typed too early would run.
    discover: bool = True
    scope: str = "list"
    group: str = ""
    footer_keys: str = ""
    footer_name: str = ""
    bound: bool = True  # False: Textual's own key (Tab), listed for help and footer only
    # Checked before the key goes to the focused widget, so that keys typed right after it
    # in a burst already go where it moved the focus (`/pose`, `Esc jj`).
    priority: bool = False

    @property
    def display_keys(self) -> str:
        """Keys as a person reads them."""
        return " ".join(KEY_NAMES.get(k, k) for k in self.keys.split(","))


ACTIONS: tuple[Action, ...] = (
    Action("j,down", "cursor_down", "Down", "Move to the next paper", palette=False),
    Action("k,up", "cursor_up", "Up", "Move to the previous paper", palette=False),
    Action("g,home", "cursor_first", "First", "Go to the first paper"),
    Action("G,end", "cursor_last", "Last", "Go to the last paper"),
    Action("pagedown", "page_down", "Page down", "Move down a page", palette=False),
    Action("pageup", "page_up", "Page up", "Move up a page", palette=False),
    Action("slash", "focus_query", "Filter", "Focus the keyword filter", footer=2, priority=True),
    Action("escape", "focus_list", "List", "Return to the list", palette=False, priority=True),
    Action(
        "tab",
        "app.focus_next",
        "Next pane",
        "Move between the list, the detail pane (to scroll the abstract) and the filter",
        footer=6,
        palette=False,
        bound=False,
    ),
    Action("space", "toggle_mark", "Mark", "Mark or unmark the paper and move down", footer=5),
    Action("A", "mark_all", "Mark all", "Mark (or unmark) every paper in the list"),
    Action("s", "star", "Star", "Star or unstar (marked papers, else this one)", footer=3),
    Action("r", "read", "Read", "Mark read or unread (marked papers, else this one)", footer=3),
    Action("x", "hide", "Hide", "Hide or unhide (marked papers, else this one)", footer=3),
    Action("t", "tag", "Tag", "Tag (+tag -tag) the marked papers, else this one"),
    Action("n", "note", "Note", "Edit this paper's note (Ctrl+S saves, Esc cancels)"),
    Action("u", "undo", "Undo", "Undo the last triage or tag action", footer=4),
    Action(
        "0",
        "view('foryou')",
        "For you",
        "View unread papers, not starred or hidden, ranked by your stars",
        group="views",
    ),
    Action("1", "view('inbox')", "Inbox", "View unread, not hidden papers", group="views"),
    Action("2", "view('starred')", "Starred", "View starred papers", group="views"),
    Action("3", "view('all')", "All", "View every paper", group="views"),
    Action("4", "view('hidden')", "Hidden", "View hidden papers", group="views"),
    Action(
        "m",
        "more_like_this",
        "Similar",
        "List the papers most like this one (or the marked ones together); Esc returns",
        footer=5,
    ),
    *(
        Action(str(5 + i), f"open_saved({i})", f"View {5 + i}", "", palette=False, group="saved")
        for i in range(5)
    ),
    Action("ctrl+s", "save_view", "Save view", "Save the filter as a view (asks for a name)"),
    Action("S", "cycle_sort", "Sort", "Cycle the sort: relevance, date, upvotes, title"),
    # `links.open_target`: the first code link, else the arXiv abstract page (id known), else
    # an arXiv search for the title. Short enough for one line of the two-column help.
    Action(
        "o", "open_link", "Open", "Open the code link, else the arXiv page or a search", footer=5
    ),
    Action("O", "open_link_read", "Open+read", "Open the link and mark the paper read"),
    Action("l", "pick_link", "Links", "List the paper's links and open one"),
    Action("y", "copy", "Copy", "Copy the title and link (tmux, system tool, terminal)"),
    Action("R", "reload", "Reload", "Reload the library (after an index run)"),
    Action(
        "enter",
        "accept",
        "Accept",
        "Print the marked (or this) paper and quit",
        footer=5,
        discover=False,
    ),
    Action("question_mark", "help", "Help", "Show all keys", footer=1),
    Action("q", "quit_browser", "Quit", "Quit without printing anything", footer=1, discover=False),
    # The detail pane, when it has the focus (Tab): the movement keys scroll the abstract.
    Action(
        "j,down",
        "scroll_down",
        "Scroll down",
        "Scroll the abstract down a line",
        footer=2,
        palette=False,
        scope="detail",
        footer_keys="j k",
        footer_name="Scroll",
    ),
    Action("k,up", "scroll_up", "Scroll up", "Scroll up a line", palette=False, scope="detail"),
    Action(
        "pagedown,space",
        "page_down",
        "Page down",
        "Scroll down a page",
        footer=3,
        palette=False,
        scope="detail",
        footer_keys="PgDn PgUp",
        footer_name="Page",
    ),
    Action("pageup", "page_up", "Page up", "Scroll up a page", palette=False, scope="detail"),
    Action(
        "g,home",
        "scroll_home",
        "Top",
        "Scroll to the top",
        footer=4,
        palette=False,
        scope="detail",
        footer_keys="g G",
        footer_name="Top/end",
    ),
    Action("G,end", "scroll_end", "End", "Scroll to the end", palette=False, scope="detail"),
    Action(
        "escape",
        "back_to_list",
        "List",
        "Back to the list",
        footer=2,
        palette=False,
        scope="detail",
        footer_keys="Esc",
        footer_name="List",
    ),
)

VIEW_HELP = (
    "0 1 2 3 4",
    "Views: For you (unread, not starred or hidden, ranked by your stars), "
    "Inbox (unread, not hidden), Starred, All, Hidden",
)
SAVED_HELP = ("5 6 7 8 9", "Your saved views, in the order saved (Ctrl+S saves one)")
LEAVE_RULE = (
    "A paper leaves the view as soon as it no longer belongs there (read or hidden in the "
    "Inbox, unstarred in Starred, unhidden in Hidden); u brings it back. The All view keeps "
    "every paper: ✓ read, × hidden, ★ starred, • unread."
)


def actions(scope: str = "list") -> list[Action]:
    """The actions of one scope, in table order."""
    return [a for a in ACTIONS if a.scope == scope]


def bindings(scope: str = "list") -> list[BindingType]:
    """Textual bindings for every action of `scope` in the table."""
    return [
        Binding(
            a.keys,
            a.action,
            a.name,
            show=False,
            key_display=a.display_keys.split()[0],
            priority=a.priority,
        )
        for a in actions(scope)
        if a.bound
    ]


def action_for_key(key: str, scope: str = "list") -> str | None:
    """The action a bound key of `scope` runs (a Textual key name: `3`, `j`, `slash`), else
    None."""
    for a in actions(scope):
        if a.bound and key in (k.strip() for k in a.keys.split(",")):
            return a.action
    return None


def help_rows(scope: str = "list") -> list[tuple[str, str]]:
    """(keys, help) rows for the help screen; a group (the views) is one row."""
    rows: list[tuple[str, str]] = []
    for action in actions(scope):
        if action.group in ("views", "saved"):
            row = VIEW_HELP if action.group == "views" else SAVED_HELP
            if row not in rows:
                rows.append(row)
            continue
        rows.append((action.display_keys, action.help))
    return rows


def footer_items(scope: str) -> list[tuple[int, str, str, str]]:
    """(priority, keys, name, action) for the footer of `scope`, in table order."""
    items = []
    for a in actions(scope):
        if a.footer:
            keys = a.footer_keys or a.display_keys.split()[0]
            items.append((a.footer, keys, a.footer_name or a.name, a.action))
    return items
