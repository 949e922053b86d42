"""The main screen's link keys: open (`o`), pick a link (`l`) and copy (`y`).

A mixin for `MainScreen`, which provides `current` (the highlighted paper) and `opener`."""

from __future__ import annotations

from collections.abc import Callable

from textual import work
from textual.screen import Screen

from paperbrowse.clipboard import copy_text
from paperbrowse.links import LinkError, is_safe_url, open_target, paper_links, primary_url
from paperbrowse.models import Paper
from paperbrowse.text import strip_controls
from paperbrowse.tui.link_picker import LinkPicker


class LinkActions(Screen[None]):
    """Opening and copying the highlighted paper's links."""

    opener: Callable[[str], None]

    @property
    def current(self) -> Paper | None:
        """The highlighted paper (the main screen's)."""
        raise NotImplementedError

    def open_safely(self, url: str) -> bool:
        """Open `url` with the opener if it is http(s); say what happened; True when opened."""
        if not is_safe_url(url):  # whatever the opener: only http(s) links are ever opened
            self.notify(
                f"not opened: only http(s) links are opened ({url[:60]!r})",
                severity="warning",
                markup=False,
            )
            return False
        try:
            self.opener(url)
        except LinkError as exc:
            self.notify(str(exc), severity="warning", markup=False)
            return False
        self.notify(f"opened {url}", timeout=2, markup=False)
        return True

    def action_open_link(self) -> None:
        paper = self.current
        if paper:
            self.open_safely(open_target(paper))

    def action_pick_link(self) -> None:
        paper = self.current
        if paper is None:
            return

        def chosen(url: str | None) -> None:
            if url:
                self.open_safely(url)

        self.app.push_screen(LinkPicker(paper_links(paper)), chosen)

    def action_copy(self) -> None:
        paper = self.current
        if paper is None:
            return
        text = f"{strip_controls(paper.title)} {primary_url(paper)}"
        self.app.copy_to_clipboard(text)  # OSC 52: the terminal may or may not take it
        self._copy_worker(text)

    @work(thread=True, group="copy")
    def _copy_worker(self, text: str) -> None:
        """The tool routes (tmux, a system tool) run off the UI thread: each may take a while."""
        report = copy_text(text)
        report.osc52 = True
        severity = "information" if report.ok else "warning"
        message = report.message("title and link")
        self.app.call_from_thread(self.notify, message, severity=severity, timeout=4, markup=False)
