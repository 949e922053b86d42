"""Pilot tests for the discovery keys: `m` (more like this, Esc back), `0` (For you: the
too-few-stars message, and the model's order) and the opening notice of new papers. Expected
orders come from the recommend core called directly on the library's stored records."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from textual.widgets import Static

from paperbrowse import feature_cache
from paperbrowse.arrivals import record_look
from paperbrowse.library import Library
from paperbrowse.models import Filters
from paperbrowse.recommend.features import FeatureSpace
from paperbrowse.recommend.foryou import ForYouModel, Labels, train
from paperbrowse.recommend.similar import Neighbour, similar
from paperbrowse.triage import TriageStore
from paperbrowse.tui.main_screen import MainScreen
from paperbrowse.tui.paper_detail import PaperDetail
from paperbrowse.tui.pilot import settle
from tests.functional.pilot_helpers import MakeApp, main, record_notices

SIZE = (80, 24)


def oracle(data_dir: Path) -> tuple[Library, FeatureSpace]:
    """The library's live records in document-number order, vectorised by the core itself."""
    library = Library(data_dir)
    docs = library.catalog.live_array
    return library, FeatureSpace.build([library.paper_at(int(d)) for d in docs])


def like(data_dir: Path, ids: list[str]) -> list[Neighbour]:
    """The papers more like this must list for `ids` (the core on the stored records)."""
    library, space = oracle(data_dir)
    library.close()
    rows = [space.row_of(i) for i in ids]
    assert None not in rows, ids
    return similar(space, [r for r in rows if r is not None], limit=50)


def slow_searches(screen: MainScreen, seconds: float = 0.5) -> None:
    """Make every search of `screen` take `seconds` longer (a big library), so that keys
    typed in one burst arrive before its results."""
    search = screen.run_search

    def slow_search(filters: Filters, snapshot: Any) -> Any:
        time.sleep(seconds)
        return search(filters, snapshot)

    screen.run_search = slow_search  # type: ignore[method-assign]


def features_wait(monkeypatch: pytest.MonkeyPatch) -> threading.Event:
    """Hold the build of the similarity features (and hide any built ones) until the returned
    event is set. The browser imports them from feature_cache when it first needs them."""
    built = threading.Event()
    real_build, real_read = feature_cache.build_in_child, feature_cache.read_features

    def slow_build(path: Path) -> bool:
        assert built.wait(30)
        return real_build(path)

    def read(*args: Any) -> Any:
        return real_read(*args) if built.is_set() else None

    monkeypatch.setattr(feature_cache, "build_in_child", slow_build)
    monkeypatch.setattr(feature_cache, "read_features", read)
    return built


def star(data_dir: Path, ids: list[str]) -> None:
    triage = TriageStore(data_dir / "state.db")
    triage.set(ids, "starred", True)
    triage.close()


async def test_m_lists_the_most_similar_papers_with_why_and_esc_returns(
    make_app: MakeApp, data_dir: Path
) -> None:
    app = make_app(Filters(state="all"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(app)
        before = screen.results.ids if screen.results else []
        first = before[0]
        await pilot.press("m")
        await settle(pilot)
        assert screen.similar_mode is not None
        shown = screen.results.ids if screen.results else []
        expected = like(data_dir, [first])
        assert shown == [n.id for n in expected]
        assert first not in shown
        status = str(screen.query_one("#status", Static).render())
        assert "Similar to" in status
        detail = screen.query_one(PaperDetail).item
        assert detail is not None and detail.paper.id == expected[0].id
        assert detail.why.startswith("Shared key terms: ")
        assert expected[0].shared[0] in detail.why
        await pilot.press("escape")
        await settle(pilot)
        assert screen.similar_mode is None
        assert (screen.results.ids if screen.results else []) == before


async def test_m_on_marked_papers_finds_papers_like_them_together(
    make_app: MakeApp, data_dir: Path
) -> None:
    app = make_app(Filters(state="all"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(app)
        await pilot.press("space", "space", "space")
        marked = list(screen.marks)
        await pilot.press("m")
        await settle(pilot)
        expected = like(data_dir, marked)
        assert (screen.results.ids if screen.results else []) == [n.id for n in expected]
        assert "3 marked papers" in str(screen.query_one("#status", Static).render())


async def test_for_you_with_too_few_stars_says_how_many_more_and_lists_newest_first(
    make_app: MakeApp, data_dir: Path
) -> None:
    library = Library(data_dir)
    newest = [library.catalog.ids[d] for d in library.catalog.date_order]
    library.close()
    star(data_dir, newest[-2:])  # two stars: three more needed
    app = make_app(Filters(state="inbox"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("0")
        await settle(pilot)
        screen = main(app)
        message = str(screen.query_one("#message", Static).render())
        assert "3 more stars needed" in message
        assert "newest first" in message
        assert (screen.results.ids if screen.results else []) == [
            i for i in newest if i not in newest[-2:]
        ]
        status = str(screen.query_one("#status", Static).render())
        assert "For you" in status and "newest first (3 more stars needed)" in status
        assert "for-you" not in status  # the list is not in For you's order yet


async def test_for_you_ranks_the_inbox_as_the_model_trained_on_the_stars_does(
    make_app: MakeApp, data_dir: Path
) -> None:
    library, space = oracle(data_dir)
    # Stars: the six papers most like the library's first paper (one topic).
    seed = space.ids[0]
    stars = [seed, *(n.id for n in similar(space, [0], limit=5))]
    star(data_dir, stars)
    model = train(space, Labels.from_triage(stars, [], []))
    assert isinstance(model, ForYouModel)
    candidates = [d for d in library.catalog.date_order if library.catalog.ids[d] not in stars]
    rows = np.searchsorted(library.catalog.live_array, np.array(candidates))
    expected = [space.ids[int(r)] for r in model.order(space, rows)]
    library.close()
    app = make_app(Filters(state="inbox"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("0")
        await settle(pilot)
        screen = main(app)
        assert (screen.results.ids if screen.results else []) == expected
        detail = screen.query_one(PaperDetail).item
        assert detail is not None and detail.why.startswith("For you: ")
        terms = model.explain(space, space.row_of(expected[0]) or 0)
        assert detail.why == "For you: " + ", ".join(terms)
        assert str(screen.query_one("#message", Static).render()).strip() == ""


async def test_the_browser_opens_with_how_many_papers_arrived_since_the_last_look(
    make_app: MakeApp, data_dir: Path
) -> None:
    record_look(data_dir, "inbox", 0.0)  # looked long before every paper arrived
    app = make_app(Filters(state="inbox"))
    seen = record_notices(app)
    library = Library(data_dir)
    total = len(library.catalog.live)
    library.close()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
    assert f"{total:,} new papers since you last looked" in seen


def inbox_and_for_you(data_dir: Path) -> tuple[list[str], list[str]]:
    """The Inbox's ids newest first, and For you's after the Inbox's first paper is starred
    (too few stars: For you is the unstarred Inbox newest first)."""
    library = Library(data_dir)
    newest = [library.catalog.ids[d] for d in library.catalog.date_order]
    library.close()
    star(data_dir, newest[:1])
    return newest, newest[1:]


async def test_a_fast_0_m_acts_on_the_for_you_paper_not_the_inbox_one(
    make_app: MakeApp, data_dir: Path
) -> None:
    inbox, for_you = inbox_and_for_you(data_dir)
    app = make_app(Filters(state="inbox"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(app)
        assert (screen.results.ids if screen.results else [])[0] == inbox[0]
        slow_searches(screen)  # a big library: For you's results take a while
        await pilot.press("0", "m")  # one burst: `m` before For you's results arrive
        await settle(pilot)
        expected = like(data_dir, [for_you[0]])
        assert screen.similar_mode is not None
        assert (screen.results.ids if screen.results else []) == [n.id for n in expected]


async def test_esc_while_more_like_this_is_on_its_way_cancels_it(
    make_app: MakeApp, data_dir: Path
) -> None:
    _, for_you = inbox_and_for_you(data_dir)
    app = make_app(Filters(state="inbox"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(app)
        slow_searches(screen)
        await pilot.press("0", "m", "escape")
        await settle(pilot)
        assert screen.similar_mode is None
        assert screen.filters.state == "foryou"
        assert (screen.results.ids if screen.results else []) == for_you


async def test_m_says_at_once_that_features_are_being_built_and_keys_keep_working(
    make_app: MakeApp, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    built = features_wait(monkeypatch)
    app = make_app(Filters(state="all"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(app)
        first = (screen.results.ids if screen.results else [])[0]
        await pilot.press("m")
        for _ in range(50):
            await pilot.pause(0.02)
            if screen.message:
                break
        message = str(screen.query_one("#message", Static).render())
        assert "building the similarity features" in message
        await pilot.press("j")  # the list still moves while the features build
        assert screen.paper_list.cursor == 1
        built.set()
        await settle(pilot)
        assert screen.similar_mode is not None
        assert str(screen.query_one("#message", Static).render()).strip() == ""
        expected = like(data_dir, [first])
        assert (screen.results.ids if screen.results else []) == [n.id for n in expected]


async def test_after_m_the_detail_shows_the_first_similar_paper_at_once(
    make_app: MakeApp, data_dir: Path
) -> None:
    from paperbrowse.results import Results
    from paperbrowse.tui.discovery import SimilarMode

    app = make_app(Filters(state="all"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(app)
        assert screen.results is not None
        docs = list(reversed(screen.results.docnums[:5]))
        results = Results(screen.library, docs, "similarity")
        screen.show_similar_results(results, SimilarMode("x", {docs[0]: "alpha, beta"}))
        item = screen.item  # no message processed in between
        assert item is not None and item.paper.id == screen.library.catalog.ids[docs[0]]
        assert item.why == "Shared key terms: alpha, beta"


async def test_the_similar_status_line_fits_80_columns(make_app: MakeApp, data_dir: Path) -> None:
    from rich.cells import cell_len

    app = make_app(Filters(state="all"))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("m")
        await settle(pilot)
        screen = main(app)
        assert screen.similar_mode is not None
        status = str(screen.query_one("#status", Static).render())
        assert f"Similar to {screen.similar_mode.label}" in status and "Esc: back" in status
        assert cell_len(status.rstrip()) <= 80


async def test_a_view_key_while_m_waits_for_the_features_cancels_it(
    make_app: MakeApp, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    built = features_wait(monkeypatch)
    app = make_app(Filters(state="all"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(app)
        await pilot.press("m", "2")  # Starred, while the features build
        await pilot.pause(0.1)
        built.set()
        await settle(pilot)
        assert screen.similar_mode is None
        assert screen.filters.state == "starred"
        assert str(screen.query_one("#message", Static).render()).strip() == ""


async def test_m_names_thousands_of_marked_papers_with_a_separator(
    make_app: MakeApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ "Similar to 6,931 marked papers", not "6931": the label `m` gives its list (the worker
    that finds the papers is replaced: only the label is under test)."""
    app = make_app(Filters(state="all"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(app)
        labels: list[str] = []

        def record(ids: list[str], label: str, token: int) -> None:
            labels.append(label)

        monkeypatch.setattr(screen, "_similar_worker", record)
        screen.marks.update(dict.fromkeys(f"x{i}" for i in range(6931)))
        await pilot.press("m")
        assert labels == ["6,931 marked papers"]
