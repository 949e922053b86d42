"""The `t` modal: tag the marked papers (or the highlighted one) with `+tag -tag`, completing
the word being typed from the tags already in use (Textual's Input with a Suggester)."""

from __future__ import annotations

from collections.abc import Sequence

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import ModalScreen
from textual.suggester import Suggester
from textual.widgets import Input, Static


class TagSuggester(Suggester):
    """Completes the last word of `+to-r -lab` from `tags` (most used first): the suggestion
    is the whole value with that word completed, as Textual's Input expects."""

    def __init__(self, tags: Sequence[str]) -> None:
        super().__init__(use_cache=False, case_sensitive=False)
        self._tags = list(tags)

    async def get_suggestion(self, value: str) -> str | None:
        """The value with its last word completed to a tag in use; None when none fits."""
        head, _, word = value.rpartition(" ")
        sign = word[:1] if word[:1] in "+-" else ""
        stem = word[len(sign) :]
        if not stem:
            return None
        for tag in self._tags:
            if tag.startswith(stem) and tag != stem:
                return f"{head}{' ' if head else ''}{sign}{tag}"
        return None


class TagEditor(ModalScreen[str | None]):
    """An Input for `+tag -tag` edits: Enter returns the text, Esc returns None."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]
    DEFAULT_CSS = """
    TagEditor { align: center middle; }
    TagEditor > #tag-box {
        width: 70; max-width: 100%; height: auto; border: thick $accent; background: $panel;
        padding: 0 1;
    }
    TagEditor Input { width: 100%; }
    TagEditor Static { width: 100%; color: $text-muted; }
    TagEditor #tag-paper {
        color: $text; text-style: bold; text-wrap: nowrap; text-overflow: ellipsis;
    }
    """

    def __init__(
        self,
        what: str,
        current: Sequence[str],
        tags: Sequence[str],
        *,
        several: bool = False,
        title: str = "",
    ) -> None:
        super().__init__()
        self._what = what
        self._several = several
        self._title = title
        self._current = list(current)
        self._tags = list(tags)

    def compose(self) -> ComposeResult:
        from textual.containers import Vertical

        with Vertical(id="tag-box") as box:
            box.border_title = f"Tag {self._what}: +tag adds, -tag removes"
            box.border_subtitle = "Enter saves · → completes · Esc cancels"
            now = " ".join(self._current) or "none"
            if self._title:
                yield Static(self._title, id="tag-paper", markup=False)
            label = "tags they all have" if self._several else "tags now"
            yield Static(f"{label}: {now}", id="tag-now", markup=False)
            yield Input(
                placeholder="+to-read -later",
                suggester=TagSuggester(self._tags),
                id="tag-input",
            )

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)
