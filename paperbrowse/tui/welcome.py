"""The welcome view for an empty library: how to index, and a button to load the sample."""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Center, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Button, Footer, Static

from paperbrowse.tui import collector

WELCOME = """\
[b]Welcome to paperbrowse[/b]

Your library is empty. Save Hugging Face Daily Papers pages as text, then index them:

    [b]paperbrowse index ~/papers/[/b]        (files, directories, or - for stdin)

and open the browser again with [b]paperbrowse[/b]. Or try it now on the bundled sample papers.
"""


class WelcomeScreen(Screen[None]):
    """Shown instead of an empty list; `L` or the button loads the bundled sample."""

    BINDINGS = [
        Binding("l,L", "load_sample", "Load sample", show=True),
        Binding("q", "quit_browser", "Quit", show=True),
    ]
    DEFAULT_CSS = """
    WelcomeScreen { align: center middle; }
    WelcomeScreen > Vertical {
        width: 84; max-width: 100%; height: auto; border: thick $accent; padding: 1 2;
    }
    WelcomeScreen Center { height: auto; margin-top: 1; }
    """

    class SampleLoaded(Message):
        """The sample dumps were indexed into the library."""

    def __init__(self, load_sample: object) -> None:
        super().__init__()
        self._load_sample = load_sample

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(WELCOME, id="welcome-text")
            with Center():
                yield Button("Load the sample papers (L)", id="load-sample", variant="primary")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(Button).focus()
        collector.settle()  # the first screen is up: see tui/collector.py

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.action_load_sample()

    def action_load_sample(self) -> None:
        self.query_one(Button).disabled = True
        self.query_one("#welcome-text", Static).update(WELCOME + "\n[i]Indexing the sample…[/i]")
        self._index_sample()

    @work(thread=True, exclusive=True)
    def _index_sample(self) -> None:
        self._load_sample()  # type: ignore[operator]
        self.app.call_from_thread(self.post_message, self.SampleLoaded())

    def action_quit_browser(self) -> None:
        self.app.exit(None, return_code=1)
