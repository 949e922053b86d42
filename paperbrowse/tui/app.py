"""The paperbrowse App: it returns the selected papers from `run()`; the CLI prints them."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from pathlib import Path

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.driver import Driver
from textual.screen import Screen

from paperbrowse.library import Library, LibraryError
from paperbrowse.links import open_url
from paperbrowse.models import Filters, Paper
from paperbrowse.paths import sample_dir
from paperbrowse.triage import TriageError, TriageStore
from paperbrowse.tui.commands import ACTIONS
from paperbrowse.tui.main_screen import MainScreen
from paperbrowse.tui.welcome import WelcomeScreen


class PaperBrowser(App[list[Paper] | None]):
    """Keyboard triage of a paper library. `run()` returns the selection (None: quit)."""

    TITLE = "paperbrowse"
    CSS_PATH = "paperbrowse.tcss"
    BINDINGS = [Binding("ctrl+c", "interrupt", "Quit (130)", show=False, priority=True)]

    def __init__(
        self,
        library: Library,
        triage: TriageStore,
        filters: Filters | None = None,
        *,
        opener: Callable[[str], None] = open_url,
        cursor_blink: bool = True,
        driver_class: type[Driver] | None = None,
    ) -> None:
        super().__init__(driver_class=driver_class)
        self.library = library
        self.triage = triage
        filters = filters or Filters(state="inbox")
        # Triage reads newest first, with or without a query; `S` offers relevance.
        self.filters = filters.with_sort("date") if filters.sort == "auto" else filters
        self.opener = opener
        self.cursor_blink = cursor_blink

    def on_mount(self) -> None:
        self.push_screen(self._first_screen())

    def _first_screen(self) -> Screen[None]:
        try:
            empty = self.library.searcher is None
        except LibraryError as exc:
            self.notify(str(exc), severity="error", timeout=30, markup=False)
            empty = True
        if empty:
            return WelcomeScreen(self._load_sample)
        return self.main_screen()

    def main_screen(self) -> MainScreen:
        """A new main screen on the library."""
        return MainScreen(self.library, self.triage, self.filters, self.opener)

    def on_ready(self) -> None:
        self._stop_blink()

    def _stop_blink(self) -> None:
        if not self.cursor_blink:
            for widget in self.screen.query("Input"):
                widget.cursor_blink = False  # type: ignore[attr-defined]

    def _load_sample(self) -> None:
        from paperbrowse.indexer import collect_sources

        sources, _ = collect_sources([str(sample_dir())])
        self.library.index(sources)

    async def on_welcome_screen_sample_loaded(self) -> None:
        self.library.close()
        self.filters = self.filters.with_state("all")
        await self.switch_screen(self.main_screen())
        self._stop_blink()  # the new screen's inputs, as on_ready did for the first one

    def action_interrupt(self) -> None:
        self.exit(None, return_code=130)

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """The palette offers every action of the table, then Textual's own (themes, keys)."""
        if isinstance(screen, MainScreen):
            for action in ACTIONS:
                if action.palette:

                    def run(name: str = action.action) -> None:
                        self.call_later(screen.run_action, name)

                    yield SystemCommand(f"{action.name} ({action.display_keys})", action.help, run)
        yield from super().get_system_commands(screen)


def run_browser(data_dir: Path, filters: Filters, fmt: str) -> int:
    """Run the browser on `data_dir`, print the selection in `fmt` to stdout; the exit code."""
    from paperbrowse.output import write_papers

    if not sys.stdin.isatty() or not sys.stderr.isatty():
        print("paperbrowse: the browser needs a terminal (stdin and stderr)", file=sys.stderr)
        return 2
    try:
        triage = TriageStore(data_dir / "state.db")
    except TriageError as exc:
        print(f"paperbrowse: {exc}", file=sys.stderr)
        return 1
    library = Library(data_dir)
    driver = None
    if sys.platform != "win32":
        from paperbrowse.tui.driver import StderrSizedDriver

        driver = StderrSizedDriver
    app = PaperBrowser(library, triage, filters, driver_class=driver)
    selection = app.run()
    code = app.return_code or 0
    if code == 0 and selection:
        states = triage.get_many([p.id for p in selection])
        from paperbrowse.models import TriageState

        write_papers(((p, states.get(p.id, TriageState())) for p in selection), fmt, sys.stdout)
        sys.stdout.flush()
    elif code == 0:
        code = 1
    return code
