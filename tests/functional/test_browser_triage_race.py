"""Triage keys typed faster than the list is searched again after them (`s s s`, `r r r r`
in one terminal read, `s` then `j j j`): each key acts on the paper the list shows at that
moment, in order, and a refresh that arrives later keeps the cursor on the paper the user
moved to. Expected ids come from the library's own date order (For you with too few stars is
the unstarred Inbox newest first) and the triage store read back from disk."""

from __future__ import annotations

from pathlib import Path

from paperbrowse.library import Library
from paperbrowse.models import Filters
from paperbrowse.triage import TriageStore
from paperbrowse.tui.pilot import settle
from tests.functional.pilot_helpers import MakeApp, main
from tests.functional.test_browser_discovery import slow_searches
from tests.functional.test_key_bursts import burst

SIZE = (100, 30)


def newest_first(data_dir: Path) -> list[str]:
    """Every paper's id, newest first (the Inbox of an untriaged library)."""
    library = Library(data_dir)
    newest = [library.catalog.ids[d] for d in library.catalog.date_order]
    library.close()
    return newest


def flagged(data_dir: Path, flag: str) -> set[str]:
    """The ids carrying `flag` in the state store on disk."""
    triage = TriageStore(data_dir / "state.db")
    try:
        return set(triage.ids_with(flag))
    finally:
        triage.close()


async def test_r_r_r_r_in_one_burst_reads_the_first_four_inbox_papers(
    make_app: MakeApp, data_dir: Path
) -> None:
    inbox = newest_first(data_dir)
    app = make_app(Filters(state="inbox"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(app)
        slow_searches(screen, 0.3)  # the refresh after each key arrives after the burst
        await burst(pilot, ["r", "r", "r", "r"])
        await settle(pilot)
        assert screen.results is not None and screen.results.ids[:1] == [inbox[4]]
    assert flagged(data_dir, "read") == set(inbox[:4])


async def test_s_typed_ten_times_in_for_you_stars_ten_papers(
    make_app: MakeApp, data_dir: Path
) -> None:
    inbox = newest_first(data_dir)
    app = make_app(Filters(state="inbox"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("0")
        await settle(pilot)
        screen = main(app)
        slow_searches(screen, 0.3)
        await burst(pilot, ["s"] * 3)
        await settle(pilot)
        assert flagged(data_dir, "starred") == set(inbox[:3])
        await burst(pilot, ["s"] * 7)
        await settle(pilot)
    assert flagged(data_dir, "starred") == set(inbox[:10])


async def test_moves_typed_before_the_refresh_after_a_star_are_kept(
    make_app: MakeApp, data_dir: Path
) -> None:
    inbox = newest_first(data_dir)
    app = make_app(Filters(state="inbox"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("0")
        await settle(pilot)
        screen = main(app)
        slow_searches(screen, 0.4)
        await pilot.press("s")
        for _ in range(3):
            await pilot.press("j")
            await pilot.pause(0.03)
        current = screen.current
        assert current is not None and current.id == inbox[4]
        await settle(pilot)  # the refreshed For-you list arrives
        current = screen.current
        assert current is not None and current.id == inbox[4]
    assert flagged(data_dir, "starred") == {inbox[0]}


async def test_a_refresh_that_reorders_the_list_keeps_the_cursor_on_the_same_paper(
    make_app: MakeApp, data_dir: Path
) -> None:
    """A refresh (after triage, or For you retrained) may put other papers above the one the
    user is on: the cursor follows that paper by id, not its old row. Here the refresh comes
    back in reverse order."""
    from paperbrowse.results import Results

    order = newest_first(data_dir)
    app = make_app(Filters(state="all", sort="date"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(app)
        await pilot.press("j", "j", "j")
        await settle(pilot)
        assert screen.current is not None and screen.current.id == order[3]
        search = screen.run_search

        def reversed_search(filters: Filters, snapshot: object) -> tuple[Results, str]:
            results, note = search(filters, snapshot)  # type: ignore[arg-type]
            return Results(screen.library, results.docnums[::-1], results.sort), note

        screen.run_search = reversed_search  # type: ignore[method-assign]
        screen.search(keep_cursor=True)  # a refresh, as after a triage key
        await settle(pilot)
        assert screen.results is not None and screen.results.ids[0] == order[-1]
        assert screen.current is not None and screen.current.id == order[3]
