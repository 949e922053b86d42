"""The `n` modal: edit the highlighted paper's note in a TextArea; Ctrl+S saves, Esc cancels
(the keys are shown in the modal's border)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import TextArea

from paperbrowse.tags import NoteError, check_note_length, clean_note
from paperbrowse.text import strip_controls


class NoteEditor(ModalScreen[str | None]):
    """A TextArea holding the note: Ctrl+S returns its text ('' clears the note), Esc None."""

    BINDINGS = [
        Binding("ctrl+s", "save", "Save", priority=True),
        Binding("escape", "cancel", "Cancel", priority=True),
    ]
    DEFAULT_CSS = """
    NoteEditor { align: center middle; }
    NoteEditor > #note-box {
        width: 80; max-width: 100%; height: 14; max-height: 90%; border: thick $accent;
        background: $panel;
    }
    NoteEditor TextArea { height: 1fr; }
    """

    def __init__(self, title: str, note: str) -> None:
        super().__init__()
        self._title = title
        self._note = note

    def compose(self) -> ComposeResult:
        with Vertical(id="note-box") as box:
            box.border_title = Content(f"Note: {strip_controls(self._title)}")  # never markup
            box.border_subtitle = "Ctrl+S saves · Esc cancels · empty clears"
            area = TextArea(self._note, id="note-text", soft_wrap=True, show_line_numbers=False)
            yield area

    def on_mount(self) -> None:
        area = self.query_one(TextArea)
        area.focus()
        area.move_cursor(area.document.end)

    def action_save(self) -> None:
        """Return the text; a note over the length limit is refused with a notice and the
        editor stays open with the text (tags.MAX_NOTE)."""
        text = self.query_one(TextArea).text
        try:
            check_note_length(clean_note(text))
        except NoteError as exc:
            self.notify(str(exc), severity="error", markup=False)
            return
        self.dismiss(text)

    def action_cancel(self) -> None:
        self.dismiss(None)
