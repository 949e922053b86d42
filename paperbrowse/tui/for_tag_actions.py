"""The palette's "For you: <tag>" entries and what they run: the For-you view ordered by the
model of the papers with that tag (`for:<tag>` in the filter bar). A mixin of the main screen
(through DiscoveryActions); the ordering itself is discovery.py's `run_search`.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from paperbrowse.errors import QueryError
from paperbrowse.tags import tag_counts
from paperbrowse.triage import TriageError
from paperbrowse.tui.filter_bar import FilterBar

if TYPE_CHECKING:
    from paperbrowse.library import Library
    from paperbrowse.models import Filters
    from paperbrowse.triage import TriageStore

VIEW = "foryou"  # the For-you view's state name (the filter bar's tab id)


class ForTagActions:
    """Mixin: needs `library`, `library_lock`, `triage`, `filters`, `active_view`,
    `cancel_similar`, `query_one`, `search`, `ranking_of`."""

    library: Library
    triage: TriageStore
    filters: Filters
    active_view: str | None

    def ranking_tags(self) -> list[str]:
        """The tags a For-you ranking can learn from, sorted, for the palette's "For you: <tag>"
        entries: those on at least `recommend.foryou.MIN_POSITIVES` (5) papers of the library
        (fewer, and `for:<tag>` could only say how many more it needs). None when state.db
        cannot be read."""
        from paperbrowse.recommend.foryou import MIN_POSITIVES

        try:
            with self.library_lock:  # type: ignore[attr-defined]
                counts = tag_counts(self.triage, among=self.library.catalog.docnum_of)
        except TriageError:
            return []
        return sorted(tag for tag, count in counts if count >= MIN_POSITIVES)

    def action_for_tag(self, tag: str) -> None:
        """The For-you view ordered by the model of `tag` (the palette's "For you: <tag>"):
        `for:<tag>` in the filter bar, the dates kept."""
        self.active_view = None
        self.cancel_similar()  # type: ignore[attr-defined]
        bar = self.query_one(FilterBar)  # type: ignore[attr-defined]
        _query, since, until = bar.values()
        bar.set_texts(f"for:{tag}", since, until)
        bar.set_view(VIEW)
        self.filters = replace(self.filters, query=f"for:{tag}", state=VIEW)
        self.search()  # type: ignore[attr-defined]

    def unsortable(self) -> str:
        """Why `S` cannot sort the list shown ("": it can): a `for:TAG` query or the For-you
        view lists its papers in the order of a model (discovery.py's `run_search`)."""
        try:
            tag = self.ranking_of(self.filters)[1]  # type: ignore[attr-defined]
        except QueryError:
            return ""  # a query the library refused: S sorts what it will search
        if tag is not None:
            why = "it lists papers in its model's order (take for: out to sort)"
            return f"S cannot sort for:{tag}: {why}"
        if self.filters.state == VIEW:
            return "S cannot sort For you: it is ranked by your stars (1: the Inbox, sortable)"
        return ""
