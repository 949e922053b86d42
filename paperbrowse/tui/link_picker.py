"""A modal to pick one of a paper's links."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import ModalScreen
from textual.widgets import OptionList
from textual.widgets.option_list import Option


class LinkPicker(ModalScreen[str | None]):
    """Lists (label, url) pairs; returns the chosen URL, or None."""

    BINDINGS = [Binding("escape,q", "cancel", "Close")]
    DEFAULT_CSS = """
    LinkPicker { align: center middle; }
    LinkPicker > OptionList {
        width: 100; max-width: 100%; height: auto; max-height: 80%; border: thick $accent;
        background: $panel;
    }
    """

    def __init__(self, links: list[tuple[str, str]]) -> None:
        super().__init__()
        self._links = links

    def compose(self) -> ComposeResult:
        width = max((len(label) for label, _ in self._links), default=0)
        options = [
            Option(f"{label:<{width}}  {url}", id=str(i))
            for i, (label, url) in enumerate(self._links)
        ]
        picker = OptionList(*options, markup=False)  # URLs may hold "[/]": plain text
        picker.border_title = "Open which link? (Enter opens, Esc closes)"
        yield picker

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        index = int(event.option.id or 0)
        self.dismiss(self._links[index][1])

    def action_cancel(self) -> None:
        self.dismiss(None)
