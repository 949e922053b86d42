"""The paperbrowse App: it returns the selected papers from `run()`; the CLI prints them."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from functools import partial
from pathlib import Path
from typing import Any

from textual import events
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.command import CommandPalette, DiscoveryHit, Hit, Hits
from textual.driver import Driver
from textual.screen import Screen
from textual.theme import ThemeProvider

from paperbrowse.config import ConfigError, Settings, config_path, load_settings, save_settings
from paperbrowse.errors import LibraryError
from paperbrowse.library import Library
from paperbrowse.links import open_url
from paperbrowse.models import Filters, Paper, TriageState
from paperbrowse.output import write_papers
from paperbrowse.paths import state_db
from paperbrowse.triage import TriageError, TriageStore
from paperbrowse.tui import collector
from paperbrowse.tui.commands import ACTIONS
from paperbrowse.tui.key_order import KeyOrder
from paperbrowse.tui.main_screen import MainScreen
from paperbrowse.tui.palette import PaperPalette
from paperbrowse.tui.saved_views import describe
from paperbrowse.tui.welcome import WelcomeScreen
from paperbrowse.views import SavedView, parse_views, with_view


class MarkedThemeProvider(ThemeProvider):
    """Textual's theme list, with the current theme marked."""

    @property
    def commands(self) -> list[tuple[str, Callable[[], None]]]:
        """(label, callback) per theme; the current one reads `name (current)`."""
        app = self.app
        current = app.theme

        def set_theme(name: str) -> None:
            app.theme = name

        return [
            (f"{name} (current)" if name == current else name, partial(set_theme, name))
            for name in sorted(app.available_themes)
        ]

    async def discover(self) -> Hits:
        """Every theme, the current one first."""
        commands = self.commands
        commands.sort(key=lambda c: not c[0].endswith("(current)"))
        for label, callback in commands:
            yield DiscoveryHit(label, callback)

    async def search(self, query: str) -> Hits:
        """Themes matching `query`."""
        matcher = self.matcher(query)
        for label, callback in self.commands:
            if (score := matcher.match(label)) > 0:
                yield Hit(score, matcher.highlight(label), callback)


class PaperBrowser(App[list[Paper] | None]):
    """Keyboard triage of a paper library. `run()` returns the selection (None: quit).

    The theme comes from the settings file and is saved there when it changes (`settings`
    None: neither read nor written, as in tests)."""

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
        settings: Settings | None = None,
        settings_path: Path | None = None,
        settings_warning: str | None = None,
    ) -> None:
        super().__init__(driver_class=driver_class)
        self.key_order = KeyOrder()  # which key moved the focus (key_order.py)
        self.library = library
        self.triage = triage
        self.settings = settings
        self.settings_path = settings_path
        self._warnings = [settings_warning] if settings_warning else []
        if settings is not None and settings.theme:
            if settings.theme in self.available_themes:
                self.theme = settings.theme
            else:
                self._warnings.append(
                    f"unknown theme {settings.theme!r} in the settings; using {self.theme}"
                )
        self.views: list[SavedView] = []
        if settings is not None:
            self.views, problems = parse_views(settings, library.parse_query)
            where = settings_path or config_path()
            self._warnings += [f"settings in {where}: {problem}" for problem in problems]
        filters = filters or Filters(state="inbox")
        # Triage reads newest first, with or without a query; `S` offers relevance.
        self.filters = filters.with_sort("date") if filters.sort == "auto" else filters
        self.opener = opener
        self.cursor_blink = cursor_blink

    def on_mount(self) -> None:
        collector.pause()  # until the first results are shown (collector.settle)
        self.push_screen(self._first_screen())
        for warning in self._warnings:
            self.notify(warning, severity="warning", timeout=8, markup=False)
        self.theme_changed_signal.subscribe(self, self._save_theme)

    def on_unmount(self) -> None:
        collector.release()

    async def on_event(self, event: events.Event) -> None:
        """Every event (Textual's); a key is the one being handled while the app runs its
        priority binding, so a focus move is known to be its doing (key_order.py)."""
        if isinstance(event, events.Key):
            with self.key_order.handling_key(event):
                await super().on_event(event)
            return
        await super().on_event(event)

    def _save_theme(self, theme: object) -> None:
        if self.settings is None or self.settings.theme == self.theme:
            return
        self.settings = self.settings.with_theme(self.theme)
        try:
            save_settings(self.settings, self.settings_path)
        except ConfigError as exc:
            self.notify(str(exc), severity="warning", markup=False)

    def save_view(self, view: SavedView) -> str | None:
        """Save `view` in the settings file (replacing one of the same name); a one-line
        problem, or None when saved."""
        if self.settings is None:
            return "views are not saved: this browser runs without a settings file"
        settings = with_view(self.settings, view, replace_existing=True)
        try:
            save_settings(settings, self.settings_path)
        except ConfigError as exc:
            return str(exc)
        self.settings = settings
        return None

    def action_change_theme(self) -> None:
        """The theme picker, with the current theme marked."""
        self.push_screen(
            PaperPalette(providers=[MarkedThemeProvider], placeholder="Search for themes…")
        )

    def action_command_palette(self) -> None:
        """The command palette (ours: Enter never runs a stale entry, fast keys never crash)."""
        if self.use_command_palette and not isinstance(self.screen, CommandPalette):
            self.push_screen(PaperPalette(id="--command-palette"))

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
        return MainScreen(self.library, self.triage, self.filters, self.opener, self.views)

    def on_ready(self) -> None:
        self._stop_blink()

    def _stop_blink(self) -> None:
        if not self.cursor_blink:
            for widget in self.screen.query("Input"):
                widget.cursor_blink = False  # type: ignore[attr-defined]

    def _load_sample(self) -> None:
        from paperbrowse.sample_index import index_sample  # the indexer: only when asked

        index_sample(self.library.data_dir)

    async def on_welcome_screen_sample_loaded(self) -> None:
        self.library.close()
        self.filters = self.filters.with_state("all")
        await self.switch_screen(self.main_screen())
        self._stop_blink()  # the new screen's inputs, as on_ready did for the first one

    def action_interrupt(self) -> None:
        self.exit(None, return_code=130)

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """The palette offers every action of the table, then Textual's own (themes, keys)."""
        if isinstance(screen, MainScreen):
            for action in ACTIONS:
                if action.palette:

                    def run(name: str = action.action) -> None:
                        self.call_later(screen.run_action, name)

                    # A view's key in brackets reads as its count ("For you (0)"): say "key".
                    keys = action.display_keys
                    title = (
                        f"{action.name} · key {keys}"
                        if action.group == "views"
                        else f"{action.name} ({keys})"
                    )
                    yield SystemCommand(title, action.help, run, discover=action.discover)
            for i, view in enumerate(screen.views):
                count = screen.view_counts.get(view.name)
                noun = "paper" if count == 1 else "papers"
                parts = [f"{count:,} {noun}"] if count is not None and count >= 0 else []
                parts += [f"key {5 + i}"] if i < 5 else []  # as "For you · key 0" names keys
                held = " · ".join(parts)

                def open_view(index: int = i) -> None:
                    self.call_later(screen.run_action, f"open_saved({index})")

                title = f"View: {view.name} ({held or 'saved'})"
                yield SystemCommand(title, describe(view), open_view)
            for tag in screen.ranking_tags():

                def rank(name: str = tag) -> None:
                    self.call_later(screen.run_action, f"for_tag({name!r})")

                why = f"For you learning from the papers tagged {tag} (the query for:{tag})"
                yield SystemCommand(f"For you: {tag}", why, rank)
        # One help entry: ours (`?`) lists every key. On the main screen one quit: ours (`q`).
        dropped = ("Keys", "Quit") if isinstance(screen, MainScreen) else ("Keys",)
        for command in super().get_system_commands(screen):
            if command.title not in dropped:
                yield command


def make_browser(
    data_dir: Path,
    filters: Filters | None = None,
    *,
    opener: Callable[[str], None] = open_url,
    cursor_blink: bool = True,
    driver_class: type[Driver] | None = None,
    use_settings: bool = True,
    theme: str | None = None,
) -> PaperBrowser:
    """The one way to build the browser (CLI, tests, screenshots, benchmarks): a library and
    triage store on `data_dir`, the settings file when `use_settings` (else none is read or
    written), and `theme` over the saved one when given. Raises TriageError for a damaged or
    locked `state.db`."""
    Library.keep_freed_memory()  # the browser searches at each keystroke, on worker threads
    triage = TriageStore(state_db(data_dir))
    settings: Settings | None = None
    warning = None
    if use_settings:
        settings, warning = load_settings()
    if theme:
        settings = (settings or Settings()).with_theme(theme) if use_settings else None
    app = PaperBrowser(
        Library(data_dir),
        triage,
        filters,
        opener=opener,
        cursor_blink=cursor_blink,
        driver_class=driver_class,
        settings=settings,
        settings_warning=warning,
    )
    if theme and not use_settings:
        app.theme = theme
    return app


def run_browser(data_dir: Path, filters: Filters, fmt: str) -> int:
    """Run the browser on `data_dir`, print the selection in `fmt` to stdout; the exit code."""
    if not sys.stdin.isatty() or not sys.stderr.isatty():
        print("paperbrowse: the browser needs a terminal (stdin and stderr)", file=sys.stderr)
        return 2
    driver = None
    if sys.platform != "win32":
        from paperbrowse.tui.driver import StderrSizedDriver

        driver = StderrSizedDriver
    try:
        app = make_browser(data_dir, filters, driver_class=driver)
    except TriageError as exc:
        print(f"paperbrowse: {exc}", file=sys.stderr)
        return 1
    triage = app.triage
    selection = app.run()
    code = app.return_code or 0
    if code == 0 and selection:
        states = triage.get_many([p.id for p in selection])
        write_papers(((p, states.get(p.id, TriageState())) for p in selection), fmt, sys.stdout)
        sys.stdout.flush()
    elif code == 0:
        code = 1
    return code
