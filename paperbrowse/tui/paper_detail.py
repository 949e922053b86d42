"""The detail pane: the highlighted paper in full, with query terms highlighted."""

from __future__ import annotations

from collections.abc import Sequence

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from paperbrowse.models import Paper, TriageState
from paperbrowse.render import paper_renderable


class PaperDetail(VerticalScroll, can_focus=True):
    """Title, date, byline, upvotes, sources, abstract and links of one paper."""

    DEFAULT_CSS = """
    PaperDetail { padding: 0 1; }
    PaperDetail > Static { width: 100%; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._body = Static("", id="detail-body")
        self.paper: Paper | None = None

    def compose(self) -> ComposeResult:
        yield self._body

    def show(self, paper: Paper | None, state: TriageState, terms: Sequence[str] = ()) -> None:
        """Show `paper` (None: nothing highlighted)."""
        self.paper = paper
        if paper is None:
            self._body.update("")
        else:
            self._body.update(paper_renderable(paper, state, terms))
        self.scroll_home(animate=False)
