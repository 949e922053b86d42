"""The browser's discovery: more like this (`m`) and the For-you view (`0`). A mixin of the
main screen; the work is the core's (`paperbrowse.suggest`, `feature_cache`), run in worker
threads so no keystroke waits for it (the new-papers notice is tui/library_watch.py's).

- Features: loaded lazily from beside the index; when the current generation has none yet
  they are built in a child process (`feature_cache.build_in_child`), so the browser's memory
  never holds the build's peak, and the For-you view shows newest first until they are there.
- For you: the Inbox (unread, not hidden) without the starred papers (they are in Starred),
  ordered by the model trained on stars against hidden and read-not-starred papers. The
  models and their scores are kept (rankings.py); the stars' one is trained in a warm-up
  worker after the first results and after each triage change, else in the search worker when
  a view needs it. With too few stars the message line says how many more it needs.
- `for:<tag>` in the filter bar (any view; the palette's "For you: <tag>", for_tag_actions.py)
  orders the results by the model of the papers with that tag, without them.
- More like this: the marked papers (else the highlighted one) together; the list becomes
  "Similar to …" with the shared key terms in the detail pane; Esc on the list, a view key or a
  new filter return. An `m` typed while a view's results are on their way acts on that view's
  highlighted paper once they are shown; while the features are built the message line says
  so at once; Esc, a view key or a new filter cancel an `m` still on its way.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from textual import work

from paperbrowse.discovery_commands import FOR_YOU as FOR_YOU_SORT
from paperbrowse.errors import QueryError
from paperbrowse.for_field import mentions_for
from paperbrowse.library import Library
from paperbrowse.models import Filters, Paper
from paperbrowse.results import Results
from paperbrowse.state_fields import mentions_state_fields
from paperbrowse.state_query import StateSnapshot
from paperbrowse.triage import TriageError, TriageStore
from paperbrowse.triage_view import TriageSnapshot
from paperbrowse.tui.for_tag_actions import VIEW, ForTagActions

# The recommendation modules (feature_cache, rankings, suggest, recommend.*: ~40 ms of imports)
# are imported where they are used, never before the first results: start-up does not use them.
if TYPE_CHECKING:
    from textual.app import App
    from textual.timer import Timer

    from paperbrowse.feature_cache import LibraryFeatures
    from paperbrowse.rankings import Rankings

FOR_YOU = VIEW  # the view's state name (the filter bar's tab id)
SIMILAR_LIMIT = 50
WARM_DELAY = 0.5  # seconds of quiet before the stars' model is trained in the background
LABEL_CHARS = 32  # of a title in the status line's "Similar to …"
BUILDING = "More like this: building the similarity features (once per index run)… Esc cancels."
PREPARING = (
    "For you: preparing the recommendation features (once per index run); newest first meanwhile."
)


@dataclass(frozen=True)
class SimilarMode:
    """The list shows papers like `label` (a title, or "N marked papers"); `why[docnum]` the
    shared key terms of each (suggest.SharedTerms: named when first shown)."""

    label: str
    why: Mapping[int, str]


class DiscoveryActions(ForTagActions):
    """Mixin for MainScreen: needs `library`, `triage`, `filters`, `results`, `library_lock`,
    `app`, `notify`, `search`, `_targets`, `current`, `show_similar_results`."""

    library: Library
    triage: TriageStore
    filters: Filters
    active_view: str | None
    results: Results | None
    message: str
    app: App[Any]

    if TYPE_CHECKING:  # shown_results.ShownResults's, search_runner.SearchRunner's

        @property
        def library_lock(self) -> threading.RLock: ...

        @property
        def view_pending(self) -> bool: ...

    def init_discovery(self) -> None:
        """Set up the discovery state (called from MainScreen.__init__)."""
        self._features: LibraryFeatures | None = None
        self._rankings: Rankings | None = None  # the models of self._features' generation
        self._features_lock = threading.Lock()  # one thread loads the features at a time
        self._building = False
        self._warm_timer: Timer | None = None
        self._warmed = False
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
        from paperbrowse.feature_cache import build_in_child

        found = self._current_features()
        if found is not None:
            return found
        if not wait:
            if start:
                self.app.call_from_thread(self._start_build)
            return None
        if not build_in_child(self.library.data_dir):
            return None
        return self._current_features()

    def _current_features(self) -> LibraryFeatures | None:
        """The kept features when they are the current generation's, else the saved ones
        loaded now (None: not built). One thread loads them, the others (search, warm-up, `m`)
        wait for it; the lock around the library's readers is held only to read the key, so
        the list's rows and the searches never wait for the load."""
        from paperbrowse.feature_cache import features_folder, features_key, read_features
        from paperbrowse.rankings import Rankings

        with self._features_lock:
            with self.library_lock:
                key = features_key(self.library)
                if self._features is not None and self._features.space.key == key:
                    return self._features
                folder = features_folder(self.library)
                docs = self.library.catalog.live_array
            found = read_features(folder, key, docs)
            if found is None:
                return None
            old, self._features = self._features, found
            self._rankings = Rankings(found)
            if old is not None:
                old.close()
            return found

    def _start_build(self) -> None:
        if not self._building:
            self._building = True
            self._build_worker()

    @work(thread=True, exclusive=True, group="features")
    def _build_worker(self) -> None:
        from paperbrowse.feature_cache import build_in_child

        build_in_child(self.library.data_dir)
        self.app.call_from_thread(self._built)

    def _built(self) -> None:
        self._building = False
        try:
            ranked = self.ranking_of(self.filters)[0]
        except QueryError:
            ranked = False
        if ranked and self.similar_mode is None and not self.similar_pending:
            self.search(keep_cursor=True)  # type: ignore[attr-defined]

    def _rankings_of(self, features: LibraryFeatures) -> Rankings:
        from paperbrowse.rankings import Rankings

        rankings = self._rankings
        if rankings is None or rankings.features is not features:
            rankings = self._rankings = Rankings(features)
        return rankings

    def warm_for_you(self, *, first: bool = False) -> None:
        """Train the stars' model (and score every paper) in the background, WARM_DELAY after
        the last call: after the first results (`first`: once) and after each triage change,
        so that `0` finds it ready instead of training while the user waits. Never builds the
        features (the For-you view does that) and does nothing with fewer than MIN_POSITIVES
        stars."""
        if first and self._warmed:
            return
        self._warmed = True
        if self._warm_timer is not None:
            self._warm_timer.stop()
        self._warm_timer = self.set_timer(WARM_DELAY, self._warm_now)  # type: ignore[attr-defined]

    def _warm_now(self) -> None:
        self._warm_timer = None
        try:
            snapshot = TriageSnapshot(self.triage)
        except TriageError:
            return
        self._warm_worker(snapshot)

    @work(thread=True, exclusive=True, group="warm")
    def _warm_worker(self, snapshot: TriageSnapshot) -> None:
        try:
            with self.library_lock:
                if self.library.searcher is None:
                    return
                starred = self.library.catalog.flags_of(snapshot.ids_with("starred"))
            if not starred.any():  # no stars: not even the model's module is imported
                return
            from paperbrowse.recommend.foryou import MIN_POSITIVES

            if int(starred.sum()) < MIN_POSITIVES:
                return
            features = self._ready_features(wait=False, start=False)
            if features is not None:
                self._rankings_of(features).ranking(snapshot)
        except Exception:  # damaged features or index: the view says so when it is opened
            return

    def ranking_of(self, filters: Filters) -> tuple[bool, str | None]:
        """(whether `filters` are shown in a For-you order, the `for:` tag or None); the query
        is parsed under the lock (QueryError when malformed)."""
        tag = None
        if mentions_for(filters.query):
            from paperbrowse.suggest import ranking_tag

            with self.library_lock:
                tag = ranking_tag(self.library, filters.query)
        ranked = tag is not None or filters.state == FOR_YOU or filters.sort == FOR_YOU_SORT
        return ranked, tag

    def needs_snapshot(self, filters: Filters) -> bool:
        """Whether a search of `filters` needs the triage (flags, tags, notes) read first."""
        return (
            filters.state != "all"
            or filters.sort == FOR_YOU_SORT
            or mentions_state_fields(filters.query)
            or mentions_for(filters.query)
        )

    def run_search(self, filters: Filters, snapshot: StateSnapshot | None) -> tuple[Results, str]:
        """The results of `filters` and a note for the message line (worker thread). The
        For-you view is the Inbox but the starred papers in the model's order; a `for:<tag>`
        query (any view) the papers but those tagged, in the order of the model trained on
        them; a saved view sorted `for-you` its papers but the starred ones, in For-you order."""
        ranked, tag = self.ranking_of(filters)
        if not ranked or snapshot is None:
            with self.library_lock:
                return self.library.search(filters, snapshot), ""
        from paperbrowse.recommend.foryou import MIN_POSITIVES, TooFewLabels
        from paperbrowse.suggest import asks_for_positives, check_tagged, needs_more_stars, without

        tagged = None
        if tag is not None:
            tagged = check_tagged(tag, snapshot.tag_ids(tag), snapshot.tag_names())
        state = "inbox" if filters.state == FOR_YOU else filters.state
        with self.library_lock:
            found = self.library.search(replace(filters, state=state, sort="date"), snapshot)
            positives = tagged if tagged is not None else snapshot.ids_with("starred")
            # The stars are in Starred; a ranking's positives would head its own list.
            drop = set(snapshot.ids_with("starred")) if filters.state == FOR_YOU else set()
            if not asks_for_positives(self.library, filters.query, state, tag):
                drop |= positives
            kept = without(self.library, found.docnums, drop) if drop else found.docnums
            found = Results(self.library, kept, FOR_YOU_SORT, found.terms)
            n_positives = int(self.library.catalog.flags_of(positives).sum())
        newest = replace(found, sort="date")  # not ranked yet: says so (status_line.py)
        if n_positives < MIN_POSITIVES:  # too few labels: no features needed to say so
            return newest, needs_more_stars(TooFewLabels(n_positives, tag=tag)) or ""
        features = self._ready_features(wait=False)
        if features is None:
            return newest, PREPARING
        rankings = self._rankings_of(features)
        ranking = rankings.ranking(snapshot, tag, tagged or ())
        if isinstance(ranking.model, TooFewLabels):
            return newest, needs_more_stars(ranking.model) or ""
        order = rankings.order(ranking, found.docnums)
        return Results(self.library, order, FOR_YOU_SORT, found.terms), ""

    # -- what the detail pane says why ------------------------------------------------------------

    def why_of(self, docnum: int) -> str:
        """The line the detail pane shows above a paper: shared key terms in a Similar list,
        top contributing terms in a For-you order, else ""."""
        from paperbrowse.suggest import for_you_terms

        if self.similar_mode is not None:
            why = self.similar_mode.why.get(docnum, "")
            return f"Shared key terms: {why}" if why else ""
        results, rankings = self.results, self._rankings
        if results is None or results.sort != FOR_YOU_SORT or rankings is None:
            return ""
        try:
            _ranked, tag = self.ranking_of(self._good_filters)  # type: ignore[attr-defined]
        except QueryError:
            return ""
        model = rankings.latest(tag)
        if model is None:
            return ""
        terms = for_you_terms(rankings.features, model, docnum)
        label = "For you" if tag is None else f"For you: {tag}"
        return f"{label}: {', '.join(terms)}" if terms else ""

    # -- more like this -------------------------------------------------------------------------

    @property
    def similar_pending(self) -> bool:
        """True while an `m` waits for the view's results or for its own."""
        return self._similar_queued or self._similar_running

    def action_more_like_this(self) -> None:
        if self.view_pending:
            # The view the user asked for is on its way: `m` acts on its highlighted paper.
            # (A search that only refreshes the shown view after triage is not waited for.)
            self._similar_queued = True
            return
        self._start_similar()

    def _start_similar(self) -> None:
        self._similar_queued = False
        ids: list[str] = self._targets()  # type: ignore[attr-defined]
        paper = self.current  # type: ignore[attr-defined]
        left: Paper | None = self.left_paper()  # type: ignore[attr-defined]
        if left is not None and not self.marks:  # type: ignore[attr-defined]
            ids, paper = [left.id], left  # `s m`: more like the paper just starred
        if not ids:
            return
        if len(ids) == 1 and paper is not None and paper.id == ids[0]:
            label = " ".join(paper.title.split())
            if len(label) > LABEL_CHARS:
                label = label[: LABEL_CHARS - 1].rstrip() + "…"
        else:
            label = f"{len(ids):,} marked papers" if len(ids) > 1 else "the marked paper"
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
        from paperbrowse.suggest import SharedTerms, similar_papers

        try:
            features = self._ready_features(wait=False, start=False)
            if features is None:  # built once per index run: say so, keys keep working
                self.app.call_from_thread(self._similar_building, token)
                features = self._ready_features(wait=True)
            if features is None:
                raise ValueError("the recommendation features could not be built")
            found = similar_papers(features, ids, limit=SIMILAR_LIMIT, explain=False)
            docnums = [f.docnum for f in found]
            why = SharedTerms(features, ids, docnums)  # named as the detail pane shows them
        except (KeyError, ValueError, OSError) as exc:
            self.app.call_from_thread(self._similar_failed, token, f"More like this: {exc}")
            return
        results = Results(self.library, docnums, "similarity")
        mode = SimilarMode(label, why)
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
