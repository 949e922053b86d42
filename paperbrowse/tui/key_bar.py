"""The footer: the keys that work where the focus is, from the one table of actions.

It fits its width in terminal cells: when not every key fits, the least important go first
(`Action.footer` is the priority); `? Help` and `q Quit` stay at every width. With the detail
pane focused it shows the scroll keys; in the filter, how to get back to the list.
"""

from __future__ import annotations

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text
from textual.color import Color
from textual.widget import Widget
from textual.widgets import Input

from paperbrowse.tui.colours import ink, layer
from paperbrowse.tui.commands import footer_items

GAP = "  "
INPUT_ITEMS = [(1, "Esc", "List", ""), (1, "Enter", "Done", ""), (1, "Ctrl+C", "Quit", "")]


def fit_items(items: list[tuple[int, str, str, str]], width: int) -> list[tuple[str, str]]:
    """The (keys, name) pairs that fit `width` cells, dropping the highest priority numbers
    (least important) first; table order is kept."""
    kept = list(items)

    def length(entries: list[tuple[int, str, str, str]]) -> int:
        return sum(cell_len(f" {k} {n}") for _, k, n, _ in entries) + len(GAP) * max(
            0, len(entries) - 1
        )

    while kept and length(kept) > width:
        worst = max(p for p, _, _, _ in kept)
        if worst <= 1:
            break
        # Drop the last of the least important: earlier ones in the table matter more.
        index = max(i for i, (p, *_rest) in enumerate(kept) if p == worst)
        del kept[index]
    return [(k, n) for _, k, n, _ in kept]


class KeyBar(Widget):
    """One line of key hints, docked at the bottom of the main screen."""

    COMPONENT_CLASSES = {"key-bar--key", "key-bar--name"}
    DEFAULT_CSS = """
    KeyBar { dock: bottom; height: 1; background: $footer-background;
             color: $footer-description-foreground; }
    KeyBar > .key-bar--key { color: $footer-key-foreground; text-style: bold; }
    KeyBar > .key-bar--name { color: $footer-description-foreground; }
    """

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._changed)
        self.watch(self.screen, "focused", self._changed, init=False)

    def _changed(self, _what: object = None) -> None:
        self.refresh()

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def scope(self) -> str:
        """Which keys apply: "detail", "input" or "list"."""
        focused = self.screen.focused
        if focused is not None and focused.id == "detail":
            return "detail"
        if isinstance(focused, Input):
            return "input"
        return "list"

    def items(self) -> list[tuple[str, str]]:
        """The (keys, name) pairs shown at the current width and focus."""
        scope = self.scope()
        if scope == "input":
            entries = INPUT_ITEMS
        else:
            entries = footer_items(scope)
            if scope == "detail":
                entries += [e for e in footer_items("list") if e[0] == 1]
        return fit_items(entries, self.size.width - 1)

    def render(self) -> Text:
        base = self.rich_style
        bg = Color.from_rich_color(base.bgcolor) if base.bgcolor else Color(0, 0, 0)
        fg = Color.from_rich_color(base.color) if base.color else bg.get_contrast_text()

        def style(name: str) -> Style:
            role_bg, role_fg, text_style = layer(self.get_component_styles(name), bg, fg)
            return ink(role_fg, role_bg, text_style).rich

        key_style, name_style = style("key-bar--key"), style("key-bar--name")
        text = Text(no_wrap=True, overflow="crop")
        for n, (keys, name) in enumerate(self.items()):
            if n:
                text.append(GAP)
            text.append(f" {keys}", key_style)
            text.append(f" {name}", name_style)
        return text
