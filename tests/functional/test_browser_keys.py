"""Pilot tests for issue 12's keys and states: the detail pane's scroll keys, the one rule for
leaving a view (and undo bringing papers back), Enter on an empty list, Alt+key in the filter,
copying through the clipboard routes, and the layout at 80x24 and 60 columns."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

import pytest
from textual import events
from textual.pilot import Pilot
from textual.widgets import Input

from paperbrowse.library import Library
from paperbrowse.models import Filters
from paperbrowse.triage import TriageStore
from paperbrowse.tui.app import PaperBrowser
from paperbrowse.tui.key_bar import KeyBar
from paperbrowse.tui.paper_detail import PaperDetail
from paperbrowse.tui.paper_list import PaperList
from paperbrowse.tui.pilot import settle
from tests.functional.pilot_helpers import MakeApp, ids, main, record_notices, status_line

SIZE = (120, 36)


def footer(app: PaperBrowser) -> str:
    return str(main(app).query_one(KeyBar).render())


# -- the detail pane ----------------------------------------------------------------------------


async def test_with_the_detail_focused_the_movement_keys_scroll_the_abstract(
    make_app: MakeApp,
) -> None:
    app = make_app(Filters(state="all"))
    async with app.run_test(size=(80, 24)) as pilot:  # a small pane: the abstract overflows
        await settle(pilot)
        screen = main(app)
        detail = screen.query_one(PaperDetail)
        assert "j k Scroll" not in footer(app)
        await pilot.press("tab")
        assert app.focused is detail
        assert detail.max_scroll_y > 5, "the first paper's abstract should overflow the pane"
        text = footer(app)
        assert "j k Scroll" in text and "? Help" in text and "q Quit" in text
        cursor = screen.paper_list.cursor
        await pilot.press("j", "j")
        await pilot.pause()
        assert detail.scroll_y == 2
        await pilot.press("k")
        await pilot.pause()
        assert detail.scroll_y == 1
        await pilot.press("G")
        await pilot.pause()
        assert detail.scroll_y == detail.max_scroll_y
        await pilot.press("g")
        await pilot.pause()
        assert detail.scroll_y == 0
        await pilot.press("pagedown")
        await pilot.pause()
        assert detail.scroll_y == min(detail.max_scroll_y, detail.scrollable_content_region.height)
        await pilot.press("pageup")
        await pilot.pause()
        assert detail.scroll_y == 0
        assert screen.paper_list.cursor == cursor  # the list never moved
        await pilot.press("escape")
        assert isinstance(app.focused, PaperList)
        await pilot.press("j")
        assert screen.paper_list.cursor == cursor + 1


# -- the one rule for leaving a view ------------------------------------------------------------


async def test_read_hide_undo_undo_in_the_inbox_brings_the_paper_back(make_app: MakeApp) -> None:
    app = make_app()  # the Inbox
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(app)
        first, second = ids(app)[:2]
        total = len(ids(app))
        await pilot.press("r")
        await settle(pilot)
        # Read: it leaves the Inbox at once; list, count and detail agree.
        assert first not in ids(app) and f"{total - 1} papers" in status_line(app)
        assert screen.current is not None and screen.current.id == second
        assert screen.query_one(PaperDetail).paper == screen.current
        await pilot.press("x")  # hides the paper now under the cursor
        await settle(pilot)
        assert second not in ids(app) and f"{total - 2} papers" in status_line(app)
        await pilot.press("u")
        await settle(pilot)
        assert second in ids(app) and f"{total - 1} papers" in status_line(app)
        assert screen.current is not None and screen.current.id == second  # the cursor follows
        await pilot.press("u")
        await settle(pilot)
        assert ids(app)[:2] == [first, second] and f"{total} papers" in status_line(app)
        assert screen.current is not None and screen.current.id == first
        assert screen.query_one(PaperDetail).paper == screen.current
        store = TriageStore(app.triage.path)
        assert not store.ids_with("read") and not store.ids_with("hidden")


async def test_the_all_view_keeps_triaged_papers_and_marks_them(make_app: MakeApp) -> None:
    app = make_app(Filters(state="all"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(app)
        before = ids(app)
        await pilot.press("r", "j", "x", "j", "s", "g")
        await settle(pilot)
        assert ids(app) == before
        lines = [screen.paper_list.render_line(y).text for y in range(4)]
        assert lines[0][2] == "✓" and lines[1][2] == "×" and lines[2][1] == "★"
        assert lines[3][2] == "•"


async def test_unstarring_in_starred_and_unhiding_in_hidden_leave_the_view(
    make_app: MakeApp,
) -> None:
    app = make_app(Filters(state="all"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        a, b = ids(app)[:2]
        await pilot.press("s", "j", "x", "2")
        await settle(pilot)
        assert ids(app) == [a]
        await pilot.press("s")
        await settle(pilot)
        assert ids(app) == []
        await pilot.press("4")
        await settle(pilot)
        assert ids(app) == [b]
        await pilot.press("x")
        await settle(pilot)
        assert ids(app) == []
        await pilot.press("u")
        await settle(pilot)
        assert ids(app) == [b]


# -- Enter on an empty list ---------------------------------------------------------------------


async def test_enter_on_an_empty_list_says_so_and_stays(make_app: MakeApp) -> None:
    app = make_app(Filters(state="starred"))
    seen = record_notices(app)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert ids(app) == []
        assert status_line(app).startswith("No papers in this view.")
        await pilot.press("enter")
        await pilot.pause()
        assert app.is_running
        assert "Nothing to select: the list is empty" in seen
    assert app.return_value is None


# -- Alt+key in the filter (tmux's escape-time) -------------------------------------------------


async def test_alt_key_in_the_filter_acts_as_escape_then_the_key(
    make_app: MakeApp, data_dir: Path
) -> None:
    app = make_app(Filters(state="all"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(app)
        # One burst, as tmux delivers `/ pose Esc j j`: the Esc and the first j as Alt+j.
        for key, char in [("slash", "/"), ("p", "p"), ("o", "o"), ("s", "s"), ("e", "e")]:
            app.post_message(events.Key(key, char))
        app.post_message(events.Key("alt+j", "j"))
        app.post_message(events.Key("j", "j"))
        await settle(pilot)
        assert screen.query_one("#query", Input).value == "pose"
        assert isinstance(app.focused, PaperList)
        library = Library(data_dir)
        expected = library.search(Filters(query="pose", sort="date")).ids
        library.close()
        assert ids(app) == expected and len(expected) > 3
        assert screen.paper_list.cursor == 2  # both j's moved the list
        assert not TriageStore(app.triage.path).ids_with("starred")  # `s` was text


async def test_slash_typed_in_the_filter_is_text(make_app: MakeApp) -> None:
    app = make_app(Filters(state="all"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash", "a", "slash", "b")
        await settle(pilot)
        assert main(app).query_one("#query", Input).value == "a/b"


# -- copying ------------------------------------------------------------------------------------


def fake_tool(bin_dir: Path, name: str, log: Path) -> None:
    script = bin_dir / name
    script.write_text(
        f'#!/bin/sh\nprintf "%s\\n" "$*" > "{log}/{name}.args"\n/bin/cat > "{log}/{name}.stdin"\n',
        "utf-8",
    )
    script.chmod(script.stat().st_mode | stat.S_IXUSR)


@pytest.mark.skipif(os.name == "nt", reason="fake tools are shell scripts")
async def test_y_copies_through_tmux_and_a_system_tool_and_says_so(
    make_app: MakeApp, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bin_dir, log = tmp_path / "bin", tmp_path / "log"
    bin_dir.mkdir()
    log.mkdir()
    fake_tool(bin_dir, "tmux", log)
    fake_tool(bin_dir, "xclip", log)
    monkeypatch.setenv("PATH", str(bin_dir))
    monkeypatch.setenv("TMUX", "/tmp/tmux-1000/default,1,0")
    monkeypatch.setenv("DISPLAY", ":0")
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    app = make_app(Filters(state="all"))
    seen = record_notices(app)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        paper = main(app).current
        assert paper is not None
        await pilot.press("y")
        await settle(pilot)
        for _ in range(100):
            if any(m.startswith("copied") for m in seen):
                break
            await pilot.pause(0.05)
    text = f"{paper.title} {paper.code_links[0] if paper.code_links else ''}".strip()
    assert (log / "tmux.args").read_text("utf-8").strip() == "load-buffer -w -"
    assert (log / "tmux.stdin").read_text("utf-8").startswith(paper.title)
    assert (log / "xclip.stdin").read_text("utf-8") == (log / "tmux.stdin").read_text("utf-8")
    assert app.clipboard == (log / "tmux.stdin").read_text("utf-8")  # and OSC 52
    assert text.split()[0] in app.clipboard
    assert (
        "copied title and link to the tmux buffer and xclip (and sent it to the terminal)" in seen
    )


async def test_y_without_any_tool_says_only_osc52_was_sent(
    make_app: MakeApp, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # nothing there
    monkeypatch.delenv("TMUX", raising=False)
    app = make_app(Filters(state="all"))
    seen = record_notices(app)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
    sent = [m for m in seen if "OSC 52" in m]
    assert sent and sent[0].startswith("sent title and link to the terminal's clipboard")
    assert not any(m.startswith("copied") for m in seen)


# -- the layout at the terminal sizes people have -----------------------------------------------


async def _type(pilot: Pilot[Any], text: str) -> None:
    await pilot.press("slash", *text)
    await settle(pilot)


@pytest.mark.parametrize(("width", "height"), [(80, 24), (60, 24)])
async def test_small_terminals_keep_the_query_titles_and_essential_keys(
    make_app: MakeApp, width: int, height: int
) -> None:
    app = make_app(Filters(state="all"))
    async with app.run_test(size=(width, height)) as pilot:
        await settle(pilot)
        screen = main(app)
        papers, detail = screen.query_one(PaperList), screen.query_one(PaperDetail)
        # The detail pane is under the list, both full width.
        assert detail.region.y >= papers.region.bottom and detail.region.width == width
        assert papers.columns.title >= 40
        text = footer(app)
        assert "? Help" in text and "q Quit" in text
        await _type(pilot, "efficient architecture")
        box = screen.query_one("#query", Input)
        assert box.content_region.width >= len("efficient architecture")
        assert screen.query_one("#since").display is False  # date: in the query instead
        views = screen.query_one("#views")
        assert views.display is (width >= 70)
        assert "All" in status_line(app)  # the view is named even without its tabs


async def test_dates_given_on_the_command_line_stay_visible_when_narrow(
    make_app: MakeApp,
) -> None:
    from datetime import date

    app = make_app(Filters(state="all", since=date(2024, 1, 1)))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = main(app)
        assert screen.query_one("#since").display is True
        assert "2024-01-01 to …" in status_line(app)


async def test_wide_terminals_put_the_panes_side_by_side(make_app: MakeApp) -> None:
    app = make_app(Filters(state="all"))
    async with app.run_test(size=(200, 50)) as pilot:
        await settle(pilot)
        screen = main(app)
        papers, detail = screen.query_one(PaperList), screen.query_one(PaperDetail)
        assert detail.region.x >= papers.region.right and detail.region.y == papers.region.y
        assert screen.query_one("#since").display and screen.query_one("#views").display
        cols = papers.columns
        assert cols.title >= 40 and cols.byline and cols.upvotes and cols.comments
