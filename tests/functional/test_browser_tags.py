"""Pilot tests for `t` (tag the marked papers or this one, completing from tags in use; undo)
and `n` (the note in a TextArea: Ctrl+S saves, Esc cancels), and tags and notes on screen."""

from __future__ import annotations

from textual.geometry import Region
from textual.widgets import Input, Static, TextArea

from paperbrowse.models import Filters
from paperbrowse.tags import MAX_NOTE, edit_tags, set_note
from paperbrowse.triage import TriageStore
from paperbrowse.tui.app import PaperBrowser
from paperbrowse.tui.main_screen import MainScreen
from paperbrowse.tui.note_editor import NoteEditor
from paperbrowse.tui.paper_detail import PaperDetail
from paperbrowse.tui.paper_list import PaperList
from paperbrowse.tui.pilot import settle
from paperbrowse.tui.tag_editor import TagEditor
from tests.functional.pilot_helpers import MakeApp, record_notices

SIZE = (120, 36)


def main(app: PaperBrowser) -> MainScreen:
    screen = app.screen_stack[0] if not isinstance(app.screen, MainScreen) else app.screen
    assert isinstance(screen, MainScreen)
    return screen


def row_text(app: PaperBrowser, index: int) -> str:
    paper_list = main(app).query_one(PaperList)
    item = paper_list.row(index)
    assert item is not None
    return "".join(s.text for s in paper_list.segments(item, False, paper_list.size.width))


async def test_t_tags_marked_papers_with_completion_and_u_undoes(make_app: MakeApp) -> None:
    app = make_app(Filters(state="all"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(app)
        ids = screen.results.ids[:3]  # type: ignore[union-attr]
        edit_tags(app.triage, [ids[2]], ["lab-meeting"], [])  # a tag in use, to complete
        await pilot.press("space", "space")  # mark the first two
        await pilot.press("t")
        await pilot.pause()
        assert isinstance(app.screen, TagEditor)
        await pilot.press(*"+to-read +lab-m")
        await pilot.pause()
        box = app.screen.query_one(Input)
        await pilot.pause()
        await pilot.press("right")  # at the end: accepts the suggestion
        assert box.value == "+to-read +lab-meeting"
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        store = TriageStore(app.triage.path, writable=False)
        assert store.get(ids[0]).tags == ("lab-meeting", "to-read")
        assert store.get(ids[1]).tags == ("lab-meeting", "to-read")
        assert " #lab-meetin…" in row_text(app, 0)  # a third of a narrow title cell
        await pilot.press("g")
        await settle(pilot)
        detail = screen.query_one(PaperDetail)
        assert detail.item is not None and detail.item.state.tags == ("lab-meeting", "to-read")
        await pilot.press("u")
        await settle(pilot)
        assert store.get(ids[0]).tags == () and store.get(ids[1]).tags == ()
        assert store.get(ids[2]).tags == ("lab-meeting",)
        # Esc cancels without a change.
        await pilot.press("t", *"+x", "escape")
        await settle(pilot)
        assert store.get(ids[0]).tags == ()


async def test_t_says_it_tags_the_one_marked_paper_not_the_highlighted_one(
    make_app: MakeApp,
) -> None:
    """One paper marked, another highlighted: `t` tags the marked one, and its dialog says so
    (it said "Tag this paper" over the highlighted paper's detail; found by a fresh user)."""
    from textual.containers import Vertical

    app = make_app(Filters(state="all"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(app)
        ids = screen.results.ids[:2]  # type: ignore[union-attr]

        def title_of(paper_id: str) -> str:
            paper = screen.library.get(paper_id)
            assert paper is not None
            return " ".join(paper.title.split())

        def shown_title() -> str:
            shown = str(app.screen.query_one("#tag-paper", Static).render()).rstrip("…")
            assert len(shown) > 10
            return shown

        await pilot.press("t")  # nothing marked: the highlighted paper
        await pilot.pause()
        assert isinstance(app.screen, TagEditor)
        title = str(app.screen.query_one("#tag-box", Vertical).border_title)
        assert title.startswith("Tag this paper:")
        assert title_of(ids[0]).startswith(shown_title())
        await pilot.press("escape")
        await pilot.press("space")  # marks the first, the cursor moves to the second
        await settle(pilot)
        assert screen.current is not None and screen.current.id == ids[1]
        await pilot.press("t")
        await pilot.pause()
        assert isinstance(app.screen, TagEditor)
        title = str(app.screen.query_one("#tag-box", Vertical).border_title)
        assert title.startswith("Tag the marked paper:")
        assert title_of(ids[0]).startswith(shown_title())  # the marked paper's, named
        assert not title_of(ids[1]).startswith(shown_title())
        await pilot.press(*"+one", "enter")
        await settle(pilot)
        store = TriageStore(app.triage.path, writable=False)
        assert store.get(ids[0]).tags == ("one",) and store.get(ids[1]).tags == ()


async def test_t_on_one_paper_removes_and_a_bad_tag_is_one_line(make_app: MakeApp) -> None:
    app = make_app(Filters(state="all"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        first = main(app).results.ids[0]  # type: ignore[union-attr]
        edit_tags(app.triage, [first], ["a", "b"], [])
        seen = record_notices(app)
        await pilot.press("t", *"-a", "enter")
        await settle(pilot)
        assert app.triage.get(first).tags == ("b",)
        await pilot.press("t", *"+no:colon", "enter")
        await settle(pilot)
        assert any(m.startswith("invalid tag") for m in seen), seen
        assert app.triage.get(first).tags == ("b",)


async def test_n_edits_the_note_shown_in_the_detail(make_app: MakeApp) -> None:
    app = make_app(Filters(state="all"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(app)
        first = screen.results.ids[0]  # type: ignore[union-attr]
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, NoteEditor)
        assert "Ctrl+S saves" in str(app.screen.query_one("#note-box").border_subtitle)
        await pilot.press(*"Check the held-out split")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert app.triage.get(first).note == "Check the held-out split"
        detail = screen.query_one(PaperDetail)
        assert detail.item is not None and detail.item.state.note == "Check the held-out split"
        body = detail.query_one("#detail-body")
        lines = body.render_lines(Region(0, 0, body.size.width, body.size.height))
        text = "\n".join("".join(seg.text for seg in strip) for strip in lines)
        assert "Note: Check the held-out split" in text
        # Esc keeps the note as it was.
        await pilot.press("n", *" more", "escape")
        await settle(pilot)
        assert app.triage.get(first).note == "Check the held-out split"
        # Emptying the TextArea clears it.
        await pilot.press("n")
        await pilot.pause()
        app.screen.query_one(TextArea).clear()
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.triage.get(first).note == ""


async def test_n_refuses_a_note_over_the_limit_and_keeps_the_text(make_app: MakeApp) -> None:
    app = make_app(Filters(state="all"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        first = main(app).results.ids[0]  # type: ignore[union-attr]
        set_note(app.triage, first, "kept")
        seen = record_notices(app)
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, NoteEditor)
        app.screen.query_one(TextArea).text = "x" * (MAX_NOTE + 1)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert any(f"at most {MAX_NOTE:,} characters" in m for m in seen), seen
        assert isinstance(app.screen, NoteEditor)  # still open, the text still there
        assert len(app.screen.query_one(TextArea).text) == MAX_NOTE + 1
        await pilot.press("escape")
        await settle(pilot)
        assert app.triage.get(first).note == "kept"


async def test_a_tag_query_in_the_filter_bar(make_app: MakeApp) -> None:
    app = make_app(Filters(state="all"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(app)
        chosen = screen.results.ids[5:8]  # type: ignore[union-attr]
        edit_tags(app.triage, chosen, ["to-read"], [])
        await pilot.press("slash", *"tag:to-read", "enter")
        await settle(pilot)
        assert sorted(screen.results.ids) == sorted(chosen)  # type: ignore[union-attr]
