"""Pilot tests for `for:<tag>` in the browser (the filter bar, the palette's "For you: <tag>")
and for saving the For-you order as a view (`ctrl+s`). Expected orders come from the recommend
core called directly on the library's stored records."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import tomllib
from textual.widgets import Input, Static, Tabs

from paperbrowse.feature_cache import library_features
from paperbrowse.models import Filters
from paperbrowse.recommend.foryou import ForYouModel, Labels, train
from paperbrowse.recommend.similar import similar
from paperbrowse.triage import TriageStore
from paperbrowse.tui.app import PaperBrowser
from paperbrowse.tui.discovery import FOR_YOU, WARM_DELAY
from paperbrowse.tui.main_screen import MainScreen
from paperbrowse.tui.paper_detail import PaperDetail
from paperbrowse.tui.pilot import settle
from paperbrowse.tui.saved_views import SaveViewScreen
from tests.functional.pilot_helpers import record_notices
from tests.functional.test_browser_discovery import oracle
from tests.functional.test_for_tag_cli import tag, tagged_topic

MakeApp = Callable[..., PaperBrowser]
SIZE = (100, 30)


def main(app: PaperBrowser) -> MainScreen:
    assert isinstance(app.screen, MainScreen), app.screen
    return app.screen


async def wait_for(test: Callable[[], object], seconds: float = 20.0) -> None:
    """Wait until `test()` is true (a worker thread's result), at most `seconds`."""
    deadline = time.monotonic() + seconds
    while not test() and time.monotonic() < deadline:
        await asyncio.sleep(0.02)


def message(app: PaperBrowser) -> str:
    return str(main(app).query_one("#message", Static).render())


async def type_query(pilot: object, app: PaperBrowser, text: str) -> None:
    box = main(app).query_one("#query", Input)
    box.focus()
    box.value = text
    await settle(pilot)  # type: ignore[arg-type]


async def test_for_tag_in_the_filter_bar_ranks_by_the_tags_model_and_says_why(
    make_app: MakeApp, data_dir: Path
) -> None:
    ids, expected = tagged_topic(data_dir, "mytopic")
    library, space = oracle(data_dir)
    library.close()
    model = train(space, Labels.from_triage([], [], [], tag="mytopic", tagged=ids))
    assert isinstance(model, ForYouModel)
    app = make_app(Filters(state="all"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await type_query(pilot, app, "for:mytopic")
        screen = main(app)
        assert screen.results is not None and screen.results.ids == expected
        await pilot.press("escape")  # to the list: the detail pane shows the first paper
        await settle(pilot)
        detail = screen.query_one(PaperDetail).item
        assert detail is not None and detail.paper.id == expected[0]
        terms = model.explain(space, space.row_of(expected[0]) or 0)
        assert terms and detail.why == "For you: mytopic: " + ", ".join(terms)
        assert "for-you" in str(screen.query_one("#status", Static).render())
        assert message(app).strip() == ""


async def test_for_an_unknown_tag_or_too_few_in_the_filter_bar_says_so(
    make_app: MakeApp, data_dir: Path
) -> None:
    library, space = oracle(data_dir)
    newest = [library.catalog.ids[d] for d in library.catalog.date_order]
    library.close()
    tag(data_dir, newest[:2], "pair")
    app = make_app(Filters(state="all"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await type_query(pilot, app, "for:nosuch")
        assert "no paper is tagged 'nosuch' (tags: pair)" in message(app)
        await type_query(pilot, app, "for:pair")
        said = message(app)
        assert "3 more papers needed (2 of 5)" in said and "newest first" in said
        screen = main(app)
        assert screen.results is not None and screen.results.ids == newest[2:]


async def test_the_palette_offers_for_you_per_tag(make_app: MakeApp, data_dir: Path) -> None:
    ids, expected = tagged_topic(data_dir, "mytopic")
    app = make_app(Filters(state="inbox"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        commands = {c.title: c for c in app.get_system_commands(app.screen)}
        assert "For you: mytopic" in commands
        commands["For you: mytopic"].callback()
        await settle(pilot)
        screen = main(app)
        assert screen.filters.state == FOR_YOU and screen.filters.query == "for:mytopic"
        assert screen.query_one("#query", Input).value == "for:mytopic"
        assert screen.query_one(Tabs).active == FOR_YOU
        # No triage but the tag: the Inbox is every paper, so For you: mytopic is the CLI's.
        assert screen.results is not None and screen.results.ids == expected


async def test_the_palette_offers_for_you_only_for_tags_with_enough_papers(
    make_app: MakeApp, data_dir: Path
) -> None:
    """For-you rankings need MIN_POSITIVES (5) tagged papers in the library: a tag on 2 papers,
    or on 5 ids no paper of the library has, gets no "For you: <tag>" entry (it could not
    rank); a tag on 6 papers does."""
    tagged_topic(data_dir, "mytopic")
    library, _space = oracle(data_dir)
    newest = [library.catalog.ids[d] for d in library.catalog.date_order]
    library.close()
    tag(data_dir, newest[:2], "pair")
    tag(data_dir, [f"{n:012x}" for n in range(5)], "gone")  # papers not in the library
    app = make_app(Filters(state="inbox"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "For you: mytopic" in titles
        assert "For you: pair" not in titles and "For you: gone" not in titles


async def test_s_under_a_for_tag_query_says_why_it_cannot_sort(
    make_app: MakeApp, data_dir: Path
) -> None:
    """`S` with `for:mytopic` in the filter (and in the For-you view): the list stays in the
    ranking's order, the sort asked for before stays (it comes back once `for:` is gone), and
    one line says why S did nothing."""
    _ids, expected = tagged_topic(data_dir, "mytopic")
    app = make_app(Filters(state="all"))
    seen = record_notices(app)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(app)
        await type_query(pilot, app, "for:mytopic")
        await pilot.press("escape")
        sort = screen.filters.sort
        await pilot.press("S")
        await settle(pilot)
        assert screen.filters.sort == sort
        assert screen.results is not None and screen.results.ids == expected
        said = [m for m in seen if "for:mytopic" in m]
        assert len(said) == 1 and "\n" not in said[0] and "sort" in said[0], seen
        await pilot.press("0")  # For you: ranked by the stars, S says so too
        await type_query(pilot, app, "")
        await pilot.press("escape", "S")
        await settle(pilot)
        assert screen.filters.sort == sort
        assert any("For you" in m and "sort" in m for m in seen), seen


async def test_ctrl_s_on_for_you_saves_a_view_that_opens_in_for_you_order(
    make_app: MakeApp, data_dir: Path, isolated_dirs: Path
) -> None:
    config = isolated_dirs / "config" / "paperbrowse" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text("", "utf-8")
    library, space = oracle(data_dir)
    library.close()
    stars = [space.ids[0], *(n.id for n in similar(space, [0], limit=5))]
    triage = TriageStore(data_dir / "state.db")
    triage.set(stars, "starred", True)
    triage.close()
    app = make_app(Filters(state="inbox"), settings=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("0")
        await settle(pilot)
        screen = main(app)
        for_you = screen.results.ids if screen.results else []
        assert len(for_you) > 10
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, SaveViewScreen)
        await pilot.press(*"mine", "enter")
        await settle(pilot)
        saved = tomllib.loads(config.read_text("utf-8"))
        assert saved["views"] == {"mine": {"state": "inbox", "sort": "for-you"}}
        await pilot.press("S")  # another sort: For you's order is gone
        await settle(pilot)
        assert screen.results is not None and screen.results.ids != for_you
        await pilot.press("5")  # the saved view: For you's order again
        await settle(pilot)
        assert screen.results is not None and screen.results.ids == for_you
        assert "mine" in str(screen.query_one("#status", Static).render())


async def test_the_stars_model_is_trained_in_the_background_before_0(
    make_app: MakeApp, data_dir: Path
) -> None:
    library, space = oracle(data_dir)
    library_features(library).close()  # saved beside the index (the warm-up never builds)
    library.close()
    stars = [space.ids[0], *(n.id for n in similar(space, [0], limit=5))]
    triage = TriageStore(data_dir / "state.db")
    triage.set(stars, "starred", True)
    triage.close()
    app = make_app(Filters(state="inbox"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(app)
        await pilot.pause(WARM_DELAY + 0.2)
        await wait_for(lambda: screen._rankings is not None and screen._rankings.latest(None))
        rankings = screen._rankings
        assert rankings is not None
        warm = rankings.latest(None)
        expected = train(space, Labels.from_triage(stars, [], []))
        assert isinstance(warm, ForYouModel) and isinstance(expected, ForYouModel)
        assert np.array_equal(warm.weights, expected.weights)
        await pilot.press("0")
        await settle(pilot)
        assert rankings.latest(None) is warm  # the view used it: not trained again


async def test_m_right_after_a_star_acts_on_the_paper_starred_not_the_next(
    make_app: MakeApp, data_dir: Path
) -> None:
    library, space = oracle(data_dir)
    newest = [library.catalog.ids[d] for d in library.catalog.date_order]
    library.close()
    app = make_app(Filters(state="inbox"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(app)
        await pilot.press("0")  # For you (too few stars: newest first, the stars left out)
        await settle(pilot)
        assert screen.results is not None and screen.results.ids[0] == newest[0]
        # `s` stars the first paper, which leaves For you: the view is searched again and the
        # cursor's row then shows the next paper. `m` in the same burst must not wait for
        # that refresh: it is about the paper the user saw and starred.
        screen.action_star()  # both in one tick: a burst the search cannot come between
        screen.action_more_like_this()
        await settle(pilot)
        assert screen.similar_mode is not None
        row = space.row_of(newest[0])
        assert row is not None
        expected = similar(space, [row], limit=50)
        assert screen.results is not None and screen.results.ids == [n.id for n in expected]
