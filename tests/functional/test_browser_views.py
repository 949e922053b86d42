"""Pilot tests for saved views in the browser: their tabs and counts (kept current after
triage), keys 5-9, `ctrl+s` saving the filter under a name, the palette, and bad entries in
the settings file. Expected papers come from the sample dumps parsed directly."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from pathlib import Path

from textual.widgets import Input, Tab, Tabs

from paperbrowse.models import Filters, Paper, merge
from paperbrowse.pages import parse_file
from paperbrowse.paths import sample_dir
from paperbrowse.triage import TriageStore
from paperbrowse.tui.app import PaperBrowser
from paperbrowse.tui.filter_bar import VIEWS
from paperbrowse.tui.main_screen import MainScreen
from paperbrowse.tui.pilot import settle
from paperbrowse.tui.saved_views import SaveViewScreen
from tests.functional.pilot_helpers import MakeApp, main, record_notices, status_line
from tests.functional.test_key_bursts import burst

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

SIZE = (120, 36)
SETTINGS = """\
[views.recent]
since = "2025-06"
sort = "date"

[views.pose]
query = "title:pose"
state = "all"

[views.broken]
query = "title:("

[views.picks]
state = "starred"
"""


def sample() -> dict[str, Paper]:
    found: dict[str, Paper] = {}
    for path in sorted(sample_dir().glob("*.txt")):
        for paper in parse_file(path).papers:
            found[paper.id] = merge(found[paper.id], paper) if paper.id in found else paper
    return found


def config_file(isolated_dirs: Path, text: str | None = SETTINGS) -> Path:
    path = isolated_dirs / "config" / "paperbrowse" / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    if text is not None:
        path.write_text(text, "utf-8")
    return path


def tab_labels(app: PaperBrowser) -> list[str]:
    return [tab.label_text for tab in main(app).query_one(Tabs).query("Tab").results(Tab)]


async def test_saved_views_are_tabs_with_counts_and_bad_entries_are_named(
    make_app: MakeApp, isolated_dirs: Path
) -> None:
    config_file(isolated_dirs)
    papers = sample()
    recent = [p for p in papers.values() if p.published and p.published >= date(2025, 6, 1)]
    app = make_app(settings=True)
    seen = record_notices(app)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        # `recent` has no state: all papers; `picks` (starred) holds none yet.
        assert tab_labels(app)[len(VIEWS) :] == [f"5 recent {len(recent)}", "6 pose 1", "7 picks 0"]
        warnings = [m for m in seen if "view 'broken'" in m]
        assert len(warnings) == 1 and "\n" not in warnings[0]
        assert "unclosed '('" in warnings[0] and warnings[0].endswith("skipped")


async def test_keys_open_saved_views_and_counts_follow_triage(
    make_app: MakeApp, isolated_dirs: Path
) -> None:
    config_file(isolated_dirs)
    papers = sample()
    recent = {p.id for p in papers.values() if p.published and p.published >= date(2025, 6, 1)}
    pose = {p.id for p in papers.values() if "pose" in p.title.lower().split()}
    app = make_app(settings=True)
    seen = record_notices(app)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(app)
        await pilot.press("5")
        await settle(pilot)
        assert screen.results is not None and set(screen.results.ids) == recent
        assert screen.query_one("#since", Input).value == "2025-06"  # as written
        assert screen.query_one(Tabs).active == "saved-0"
        assert f"{len(recent)} papers  ·  recent (All)" in status_line(app)
        dates = [p.published for p in screen.results.papers()]
        assert dates == sorted(dates, reverse=True)  # type: ignore[type-var]  # the view's sort

        await pilot.press("6")
        await settle(pilot)
        assert set(screen.results.ids) == pose
        assert screen.query_one("#query", Input).value == "title:pose"
        assert screen.query_one("#since", Input).value == ""

        await pilot.press("s")  # star the one paper of the pose view
        await settle(pilot)
        assert tab_labels(app)[len(VIEWS) + 2] == "7 picks 1"  # counted again after triage
        await pilot.press("7")
        await settle(pilot)
        assert set(screen.results.ids) == pose
        await pilot.press("s")  # unstar it: it leaves the view, the count follows
        await settle(pilot)
        assert tab_labels(app)[len(VIEWS) + 2] == "7 picks 0" and len(screen.results) == 0

        await pilot.press("1")
        await settle(pilot)
        assert screen.query_one(Tabs).active == "inbox" and "Inbox" in status_line(app)
        assert "picks" not in status_line(app)

        await pilot.press("8")  # no eighth view
        await settle(pilot)
        assert "no saved view 8: ctrl+s saves the filter as a view" in seen


async def test_leaving_a_saved_view_gives_the_built_in_views_their_own_filter_back(
    make_app: MakeApp, isolated_dirs: Path
) -> None:
    """`6` (the view `title:pose`) then `3` or `1`: the filter bar shows the query and dates
    the user left the built-in views with, and the list is searched with them, never with the
    saved view's query."""
    config_file(isolated_dirs)
    papers = sample()
    model = {p.id for p in papers.values() if "model" in p.title.lower()}
    app = make_app(Filters(state="all"), settings=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(app)
        query = screen.query_one("#query", Input)
        await pilot.press("slash", *"title:model", "escape")
        await settle(pilot)
        assert screen.results is not None and set(screen.results.ids) == model
        await pilot.press("6")
        await settle(pilot)
        assert query.value == "title:pose"
        await pilot.press("3")
        await settle(pilot)
        assert query.value == "title:model"
        assert screen.filters.query == "title:model"
        assert set(screen.results.ids) == model
        await pilot.press("5", "7")  # saved view to saved view, then back
        await settle(pilot)
        assert query.value == "" and screen.query_one("#since", Input).value == ""
        await pilot.press("1")
        await settle(pilot)
        assert query.value == "title:model" and screen.query_one("#since", Input).value == ""
        assert set(screen.results.ids) == model  # nothing read or hidden: the Inbox is All
        assert "recent" not in status_line(app) and "picks" not in status_line(app)


async def test_ctrl_s_saves_the_filter_as_a_view(make_app: MakeApp, isolated_dirs: Path) -> None:
    config = config_file(isolated_dirs, '[browser]\ntheme = "nord"\n')
    papers = sample()
    since_2025 = {p.id for p in papers.values() if p.published and p.published >= date(2025, 1, 1)}
    app = make_app(settings=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(app)
        await pilot.press("3")  # All
        since = screen.query_one("#since", Input)
        since.focus()
        since.value = "2025"
        await settle(pilot)
        await pilot.press("escape", "ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, SaveViewScreen)
        await pilot.press("escape")  # cancelled: nothing written
        await pilot.pause()
        assert tomllib.loads(config.read_text("utf-8")) == {"browser": {"theme": "nord"}}

        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.press(*"this year", "enter")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        saved = tomllib.loads(config.read_text("utf-8"))
        assert saved["browser"] == {"theme": "nord"}
        assert saved["views"] == {"this year": {"since": "2025", "state": "all", "sort": "date"}}
        assert tab_labels(app)[len(VIEWS)] == f"5 this year {len(since_2025)}"

        await pilot.press("1")
        since.value = ""
        await settle(pilot)
        await pilot.press("5")
        await settle(pilot)
        assert screen.results is not None and set(screen.results.ids) == since_2025

    again = make_app(settings=True)  # the next start has it
    async with again.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert tab_labels(again)[len(VIEWS)] == f"5 this year {len(since_2025)}"


async def test_the_palette_lists_the_saved_views(make_app: MakeApp, isolated_dirs: Path) -> None:
    config_file(isolated_dirs)
    app = make_app(settings=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "View: pose (1 paper · key 6)" in titles
        assert "View: picks (0 papers · key 7)" in titles
        [run] = [c.callback for c in app.get_system_commands(app.screen) if "pose" in c.title]
        run()
        await settle(pilot)
        assert main(app).query_one(Tabs).active == "saved-1"


async def test_without_a_settings_file_saving_says_why(make_app: MakeApp) -> None:
    app = make_app()  # settings neither read nor written
    seen = record_notices(app)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert tab_labels(app)[len(VIEWS) :] == []
        await pilot.press("ctrl+s", *"x", "enter")
        await settle(pilot)
        assert "views are not saved: this browser runs without a settings file" in seen


def cli_count(data_dir: Path, state: str) -> int:
    """How many papers `paperbrowse search --state STATE` lists (a real subprocess)."""
    proc = subprocess.run(
        [sys.executable, "-m", "paperbrowse", "--data-dir", str(data_dir), "search"]
        + ["--state", state, "--format", "jsonl"],
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )
    assert proc.returncode in (0, 1), proc.stderr  # 1: no paper
    return len(proc.stdout.splitlines())


async def test_built_in_tabs_show_the_counts_search_reports(
    make_app: MakeApp, data_dir: Path
) -> None:
    """Inbox, Starred, All and Hidden each show their count, as `search --state X` counts the
    papers; after a triage key the counts follow (For you is a ranking: no count)."""
    ids = sorted(sample())
    store = TriageStore(data_dir / "state.db")
    store.set(ids[:3], "starred", True)
    store.set(ids[3:5], "hidden", True)
    store.set(ids[5:12], "read", True)
    store.close()
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)

        def expected() -> list[str]:
            counted = {s: cli_count(data_dir, s) for s in ("inbox", "starred", "all", "hidden")}
            return ["0 For you"] + [f"{label} {counted[v]:,}" for v, label in VIEWS[1:]]

        assert tab_labels(app) == expected()
        assert tab_labels(app)[3] == f"3 All {len(ids)}"  # the sample dumps parsed directly
        before = tab_labels(app)
        await pilot.press("x")  # hide the highlighted (Inbox) paper
        await settle(pilot)
        assert tab_labels(app) == expected() != before


async def test_a_for_you_view_counts_the_papers_its_list_shows(
    make_app: MakeApp, isolated_dirs: Path, data_dir: Path
) -> None:
    """A view saved in For-you order lists the Inbox without the starred papers (they are the
    ranking's positives): its tab counts those, not the whole Inbox."""
    config_file(isolated_dirs, '[views.fy]\nstate = "inbox"\nsort = "for-you"\n')
    papers = sorted(sample())
    store = TriageStore(data_dir / "state.db")
    store.set(papers[:3], "starred", True)
    store.close()
    app = make_app(settings=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert tab_labels(app)[len(VIEWS)] == f"5 fy {len(papers) - 3}"
        await pilot.press("5")
        await settle(pilot)
        screen = main(app)
        assert screen.results is not None and len(screen.results) == len(papers) - 3
        assert not set(papers[:3]) & set(screen.results.ids)


async def test_ctrl_s_in_a_burst_after_ctrl_u_saves_the_typed_query(
    make_app: MakeApp, isolated_dirs: Path
) -> None:
    """`/`, Ctrl+U, a query and Ctrl+S typed in one burst (keys posted at once, as a terminal
    read delivers them): the view saved holds the query typed after Ctrl+U."""
    config = config_file(isolated_dirs, '[browser]\ntheme = "nord"\n')
    app = make_app(Filters(state="all", query="video"), settings=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await burst(pilot, ["slash", "ctrl+u", *"title:pose", "ctrl+s"])
        await settle(pilot)
        assert isinstance(app.screen, SaveViewScreen)
        await pilot.press(*"poses", "enter")
        await settle(pilot)
        saved = tomllib.loads(config.read_text("utf-8"))
        assert saved["views"]["poses"]["query"] == "title:pose"


async def test_views_with_tag_and_note_clauses_are_counted(
    make_app: MakeApp, isolated_dirs: Path, data_dir: Path
) -> None:
    """A saved view whose query holds tag: or note: gets its count like any other (the counts'
    worker reads tags and notes, not only the flags)."""
    from paperbrowse.tags import edit_tags, set_note

    config_file(
        isolated_dirs,
        '[views.mine]\nquery = "tag:mine"\nstate = "all"\n\n'
        '[views.noted]\nquery = "note:zebra"\nstate = "all"\n',
    )
    papers = sorted(sample())
    store = TriageStore(data_dir / "state.db")
    edit_tags(store, papers[:4], ["mine"], [])
    set_note(store, papers[5], "a zebra crossing")
    store.close()
    app = make_app(settings=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert tab_labels(app)[len(VIEWS) :] == ["5 mine 4", "6 noted 1"]


async def test_a_saved_for_you_sort_stays_in_its_view(
    make_app: MakeApp, isolated_dirs: Path, data_dir: Path
) -> None:
    """`5` (a view sorted for-you) then a built-in view: the built-in view lists its papers in
    its own order (newest first), starred ones included, as its tab counts; also after ctrl+s
    saved the view under another name."""
    config_file(isolated_dirs, '[views.fy]\nstate = "inbox"\nsort = "for-you"\n')
    papers = sorted(sample())
    store = TriageStore(data_dir / "state.db")
    store.set(papers[:3], "starred", True)
    store.close()
    app = make_app(Filters(state="inbox"), settings=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(app)
        for key in ["3", "1", "2", "4"]:
            await pilot.press("5")
            await settle(pilot)
            # Three stars: too few to rank, the view says so (newest first meanwhile).
            assert "fy (Inbox)" in status_line(app) and "stars needed" in status_line(app)
            await pilot.press(key)
            await settle(pilot)
            assert "for-you" not in status_line(app), key
            assert "stars needed" not in status_line(app), key
            assert screen.results is not None
            if key in "13":  # nothing read or hidden: the Inbox and All hold every paper
                assert set(screen.results.ids) == set(papers), key
            if key == "2":
                assert set(screen.results.ids) == set(papers[:3])
        await pilot.press("5")
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press(*"fy2", "enter")
        await settle(pilot)
        await pilot.press("1")
        await settle(pilot)
        assert "for-you" not in status_line(app) and "sorted by date" in status_line(app)
        assert screen.results is not None and set(screen.results.ids) == set(papers)


async def test_a_view_whose_search_is_refused_shows_no_papers_and_is_never_saved(
    make_app: MakeApp, isolated_dirs: Path
) -> None:
    """`for:nosuch` names a tag no paper carries: opening the view shows its reason and an
    empty list under its name (never the previous view's papers), ctrl+s does not save the
    refused query, and `0` then shows For you with its own (empty) query, not the view's."""
    config = config_file(
        isolated_dirs, '[views.fybad]\nquery = "for:nosuch"\nstate = "inbox"\nsort = "for-you"\n'
    )
    app = make_app(Filters(state="inbox"), settings=True)
    seen = record_notices(app)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(app)
        assert screen.results is not None and len(screen.results) == len(sample())
        assert tab_labels(app)[len(VIEWS)] == "5 fybad -"  # refused: not "…" (still counting)
        await pilot.press("5")
        await settle(pilot)
        assert "nosuch" in screen.message and "\n" not in screen.message.strip()
        assert screen.results is not None and len(screen.results) == 0
        assert screen.paper_list.count == 0 and "fybad (Inbox)" in status_line(app)
        await pilot.press("ctrl+s")
        await settle(pilot)
        if isinstance(app.screen, SaveViewScreen):
            await pilot.press(*"again", "enter")
            await settle(pilot)
        assert "again" not in config.read_text("utf-8")
        assert any("nosuch" in m and "not saved" in m for m in seen), seen
        await pilot.press("0")
        await settle(pilot)
        assert "nosuch" not in screen.message and screen.filters.query == ""
        assert screen.query_one("#query", Input).value == ""
        assert len(screen.results) == len(sample()) and "For you" in status_line(app)


async def test_a_view_saved_at_80_columns_scrolls_its_tab_into_sight(
    make_app: MakeApp, isolated_dirs: Path
) -> None:
    """At 80×24 the counted tabs do not all fit: the tab of a view just saved with ctrl+s is
    active and scrolled into sight (it stayed out of sight until another view was opened)."""
    config_file(isolated_dirs, '[browser]\ntheme = "nord"\n')
    app = make_app(Filters(query="pose"), settings=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.press(*"poses", "enter")
        await settle(pilot)
        tabs = main(app).query_one(Tabs)
        assert tabs.active_tab is not None and "poses" in tabs.active_tab.label_text
        scroller = tabs.query_one("#tabs-scroll")
        shown = scroller.content_region
        tab = tabs.active_tab.region
        assert shown.x <= tab.x and tab.right <= shown.right, (tab, shown)


def tabs_cut(app: PaperBrowser) -> list[str]:
    """Labels of the tabs shown but not whole in the tab strip (cut by its edge)."""
    tabs = main(app).query_one(Tabs)
    room = tabs.query_one("#tabs-scroll").content_region
    return [
        tab.label_text
        for tab in tabs.query("#tabs-list > Tab").results(Tab)
        if tab.display and not (room.x <= tab.region.x and tab.region.right <= room.right)
    ]


async def test_tabs_are_shown_whole_or_left_out_at_80_and_120_columns(
    make_app: MakeApp, isolated_dirs: Path
) -> None:
    """No tab is cut at the strip's edge (at 80 columns `4 Hidden 262` was cut after `4`; at
    120 the saved views' tabs lost their counts): tabs that do not fit are left out whole,
    the last first, and the active one is always shown, whole."""
    config_file(isolated_dirs)
    for size in ((80, 24), (120, 36)):
        app = make_app(settings=True)
        async with app.run_test(size=size) as pilot:
            await settle(pilot)
            tabs = main(app).query_one(Tabs)
            assert tab_labels(app)[4] == "4 Hidden 0" and tab_labels(app)[1].startswith("1 Inbox")
            assert tabs_cut(app) == [], size
            for key in ("6", "7", "4", "1"):
                await pilot.press(key)
                await settle(pilot)
                active = tabs.active_tab
                assert active is not None and active.display, (size, key)
                assert tabs_cut(app) == [], (size, key)
                shown = [t.id for t in tabs.query("#tabs-list > Tab").results(Tab) if t.display]
                assert active.id in shown and shown[0] == "foryou", (size, key, shown)
