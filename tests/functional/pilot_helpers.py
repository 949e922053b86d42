"""What the Pilot tests read off a running browser: the main screen, the ids it lists, its
status line, and the notifications it sends (one copy for every test file)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.widgets import Static

from paperbrowse.tui.app import PaperBrowser
from paperbrowse.tui.main_screen import MainScreen

MakeApp = Callable[..., PaperBrowser]  # the conftest's `make_app` fixture


def main(app: PaperBrowser) -> MainScreen:
    """The main screen (fails if another screen is on top)."""
    screen = app.screen
    assert isinstance(screen, MainScreen), screen
    return screen


def ids(app: PaperBrowser) -> list[str]:
    """Ids of the papers in the list, in order (fails before the first results)."""
    results = main(app).results
    assert results is not None
    return results.ids


def status_line(app: PaperBrowser) -> str:
    """The status line as text."""
    return str(main(app).query_one("#status", Static).render())


def record_notices(app: PaperBrowser) -> list[str]:
    """Record what the app notifies from now on (the list fills as it runs); each notice is
    still shown."""
    seen: list[str] = []
    notify = app.notify

    def record(message: str, **kwargs: Any) -> None:
        seen.append(message)
        notify(message, **kwargs)

    app.notify = record  # type: ignore[method-assign]
    return seen
