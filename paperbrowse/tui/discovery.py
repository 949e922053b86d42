"""The browser's discovery: more like this (`m`), the For-you view (`0`) and the opening notice
of new papers. A mixin of the main screen; the work is the core's (`paperbrowse.suggest`,
`feature_cache`, `arrivals`), run in worker threads so no keystroke waits for it.

- Features: loaded lazily from beside the index; when the current generation has none yet
  they are built in a child process (`feature_cache.build_in_child`), so the browser's memory
  never holds the build's peak, and the For-you view shows newest first until they are there.
- For you: the Inbox (unread, not hidden) without the starred papers (they are in Starred),
  ordered by the model trained on stars against hidden
  and read-not-starred papers; it is retrained in the search worker whenever the triage it was
  trained on changed. With too few stars the message line says how many more it needs.
- More like this: the marked papers (else the highlighted one) together; the list becomes
  "Similar to …" with the shared key terms in the detail pane; Esc on the list, a view key or a
  new filter return. An `m` typed while a view's results are on their way acts on that view's
  highlighted paper once they are shown; while the features are built the message line says
  so at once; Esc, a view key or a new filter cancel an `m` still on its way.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from textual import work

from paperbrowse.arrivals import arrived_since, last_looked, record_look
from paperbrowse.feature_cache import (
    LibraryFeatures,
    build_in_child,
    features_key,
    load_features,
)
from paperbrowse.library import Library
from paperbrowse.models import Filters
from paperbrowse.recommend.foryou import MIN_POSITIVES, ForYouModel, TooFewLabels
from paperbrowse.results import Results
from paperbrowse.suggest import (
    FlagSets,
    for_you_order,
    for_you_terms,
    needs_more_stars,
    similar_papers,
    train_for_you,
    without_starred,
)

if TYPE_CHECKING:
    from textual.app import App

FOR_YOU = "foryou"  # the view's state name (the filter bar's tab id)
SIMILAR_LIMIT = 50
LABEL_CHARS = 32  # of a title in the status line's "Similar to …"
BUILDING = "More like this: building the similarity features (once per index run)… Esc cancels."
PREPARING = (
    "For you: preparing the recommendation features (once per index run); newest first meanwhile."
)


@dataclass(frozen=True)
class SimilarMode:
    """The list shows papers like `label` (a title, or "N marked papers"); `why[docnum]` the
    shared key terms of each."""

    label: str
    why: dict[int, str]


class DiscoveryActions:
    """Mixin for MainScreen: needs `library`, `triage`, `filters`, `results`, `_lock`, `app`,
    `notify`, `search`, `_targets`, `current`, `show_similar_results`."""

    library: Library
    filters: Filters
    results: Results | None
    message: str
    _lock: threading.RLock
    app: App[Any]

    def init_discovery(self) -> None:
        """Set up the discovery state (called from MainScreen.__init__)."""
        self._features: LibraryFeatures | None = None
        self._model: ForYouModel | TooFewLabels | None = None
        self._model_triage: tuple[frozenset[str], ...] | None = None
        self._building = False
        self.similar_mode: SimilarMode | None = None
        # A pending `m`: queued behind a search whose results are not shown yet, or running in
        # its worker. The token tells a cancelled request's late result from the live one.
        self._similar_token = 0
        self._similar_queued = False
        self._similar_running = False

    # -- features and model (worker threads) ----------------------------------------------------

    def _ready_features(self, *, wait: bool, start: bool = True) -> LibraryFeatures | None:
        """The current generation's features; None when not built yet (the build runs now
        when `wait`, else starts in the background when `start`)."""
        with self._lock:
            key = features_key(self.library)
            if self._features is not None and self._features.space.key == key:
                return self._features
            found = load_features(self.library)
        if found is None and wait:
            if build_in_child(self.library.data_dir):
                with self._lock:
                    found = load_features(self.library)
        elif found is None:
            if start:
                self.app.call_from_thread(self._start_build)
            return None
        old, self._features = self._features, found
        self._model = None
        if old is not None and old is not found:
            old.close()
        return found

    def _start_build(self) -> None:
        if not self._building:
            self._building = True
            self._build_worker()

    @work(thread=True, exclusive=True, group="features")
    def _build_worker(self) -> None:
        build_in_child(self.library.data_dir)
        self.app.call_from_thread(self._built)

    def _built(self) -> None:
        self._building = False
        if self.filters.state == FOR_YOU and self.similar_mode is None and not self.similar_pending:
            self.search(keep_cursor=True)  # type: ignore[attr-defined]

    def _trained(self, features: LibraryFeatures, flags: FlagSets) -> ForYouModel | TooFewLabels:
        """The model for this triage, retrained only when the triage changed."""
        seen = tuple(frozenset(flags.ids_with(f)) for f in ("starred", "read", "hidden"))
        if self._model is None or seen != self._model_triage:
            self._model = train_for_you(features, flags)
            self._model_triage = seen
        return self._model

    def run_search(self, filters: Filters, snapshot: FlagSets | None) -> tuple[Results, str]:
        """The results of `filters` and a note for the message line (worker thread). The
        For-you view is the Inbox in the model's order."""
        if filters.state != FOR_YOU:
            with self._lock:
                return self.library.search(filters, snapshot), ""
        inbox = replace(filters, state="inbox", sort="date")
        with self._lock:
            found = self.library.search(inbox, snapshot)
            if snapshot is not None:  # starred papers are in Starred: For you is the rest
                kept = without_starred(self.library, found.docnums, snapshot)
                found = Results(self.library, kept, found.sort, found.terms)
        if snapshot is None:
            return found, ""
        with self._lock:  # too few stars: no features needed to say so
            stars = int(self.library.catalog.flags_of(snapshot.ids_with("starred")).sum())
        if stars < MIN_POSITIVES:
            return found, needs_more_stars(TooFewLabels(stars)) or ""
        features = self._ready_features(wait=False)
        if features is None:
            return found, PREPARING
        model = self._trained(features, snapshot)
        if isinstance(model, TooFewLabels):
            return found, needs_more_stars(model) or ""
        order = for_you_order(features, model, found.docnums)
        return Results(self.library, order, "for-you", found.terms), ""

    # -- what the detail pane says why ------------------------------------------------------------

    def why_of(self, docnum: int) -> str:
        """The line the detail pane shows above a paper: shared key terms in a Similar list,
        top contributing terms in the For-you view, else ""."""
        if self.similar_mode is not None:
            why = self.similar_mode.why.get(docnum, "")
            return f"Shared key terms: {why}" if why else ""
        model, features = self._model, self._features
        if self.filters.state == FOR_YOU and isinstance(model, ForYouModel) and features:
            terms = for_you_terms(features, model, docnum)
            return f"For you: {', '.join(terms)}" if terms else ""
        return ""

    # -- more like this -------------------------------------------------------------------------

    @property
    def similar_pending(self) -> bool:
        """True while an `m` waits for the view's results or for its own."""
        return self._similar_queued or self._similar_running

    def action_more_like_this(self) -> None:
        if not self.idle:  # type: ignore[attr-defined]
            # The view the user asked for is on its way: `m` acts on its highlighted paper.
            self._similar_queued = True
            return
        self._start_similar()

    def _start_similar(self) -> None:
        self._similar_queued = False
        ids: list[str] = self._targets()  # type: ignore[attr-defined]
        if not ids:
            return
        paper = self.current  # type: ignore[attr-defined]
        if len(ids) == 1 and paper is not None and paper.id == ids[0]:
            label = " ".join(paper.title.split())
            if len(label) > LABEL_CHARS:
                label = label[: LABEL_CHARS - 1].rstrip() + "…"
        else:
            label = f"{len(ids)} marked papers"
        self._similar_token += 1
        self._similar_running = True
        self.notify("Finding similar papers…", timeout=1.5)  # type: ignore[attr-defined]
        self._similar_worker(ids, label, self._similar_token)

    def run_queued_similar(self) -> None:
        """Run an `m` that waited for the search whose results are now shown."""
        if self._similar_queued and self._pending is None:  # type: ignore[attr-defined]
            self._start_similar()

    def cancel_similar(self) -> bool:
        """Drop a pending `m` (Esc, a view key, a new filter); True when there was one."""
        if not self.similar_pending:
            return False
        self._similar_token += 1
        self._similar_queued = self._similar_running = False
        if self.message == BUILDING:
            self.message = ""
        self.update_status()  # type: ignore[attr-defined]
        return True

    @work(thread=True, group="similar")
    def _similar_worker(self, ids: list[str], label: str, token: int) -> None:
        try:
            features = self._ready_features(wait=False, start=False)
            if features is None:  # built once per index run: say so, keys keep working
                self.app.call_from_thread(self._similar_building, token)
                features = self._ready_features(wait=True)
            if features is None:
                raise ValueError("the recommendation features could not be built")
            found = similar_papers(features, ids, limit=SIMILAR_LIMIT)
        except (KeyError, ValueError, OSError) as exc:
            self.app.call_from_thread(self._similar_failed, token, f"More like this: {exc}")
            return
        results = Results(self.library, [f.docnum for f in found], "similarity")
        mode = SimilarMode(label, {f.docnum: ", ".join(f.shared) for f in found})
        self.app.call_from_thread(self._similar_done, token, results, mode)

    def _similar_building(self, token: int) -> None:
        if token == self._similar_token and self._similar_running:
            self.message = BUILDING
            self.update_status()  # type: ignore[attr-defined]

    def _similar_failed(self, token: int, message: str) -> None:
        if token != self._similar_token or not self._similar_running:
            return
        self._similar_running = False
        if self.message == BUILDING:
            self.message = ""
            self.update_status()  # type: ignore[attr-defined]
        self.notify(message, severity="error", markup=False)  # type: ignore[attr-defined]

    def _similar_done(self, token: int, results: Results, mode: SimilarMode) -> None:
        if token != self._similar_token or not self._similar_running:
            return  # cancelled (Esc, a view key, a new filter) or superseded by a newer `m`
        self._similar_running = False
        if self.has_panes:  # type: ignore[attr-defined]
            self.show_similar_results(results, mode)  # type: ignore[attr-defined]

    # -- the opening notice and the record of looks ---------------------------------------------

    def look(self, view: str) -> None:
        """Record that `view` was opened (a file in the data dir; never fails)."""
        record_look(self.library.data_dir, view)

    @work(thread=True, group="notice")
    def new_papers_notice(self, view: str) -> None:
        """Say how many papers arrived since the last look, then record this one."""
        since = last_looked(self.library.data_dir)
        count = 0
        if since is not None:
            try:
                with self._lock:
                    count = len(arrived_since(self.library, since))
            except Exception:  # an empty or damaged library: no notice
                count = 0
        record_look(self.library.data_dir, view)
        if count:
            noun = "paper" if count == 1 else "papers"
            text = f"{count:,} new {noun} since you last looked"
            self.app.call_from_thread(self.notify, text, timeout=6, markup=False)  # type: ignore[attr-defined]
