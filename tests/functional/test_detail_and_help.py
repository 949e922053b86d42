"""The detail pane never folds a URL across lines, and the help screen is generated from the
one action table and the core's one list of query fields, so it cannot go stale."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from textual.geometry import Region
from textual.widgets import Static

from paperbrowse.models import Filters
from paperbrowse.query import QUERY_FIELDS, SEARCHABLE_FIELDS
from paperbrowse.render import paper_links
from paperbrowse.tui.app import PaperBrowser
from paperbrowse.tui.commands import ACTIONS
from paperbrowse.tui.help import HelpScreen
from paperbrowse.tui.main_screen import MainScreen
from paperbrowse.tui.pilot import settle

MakeApp = Callable[..., PaperBrowser]
ELLIPSIS = "…"


def screen_lines(widget: Static, region: Region) -> list[str]:
    """The text of each line `widget` draws in `region` (its own coordinates)."""
    return [strip.text for strip in widget.render_lines(region)]


@pytest.mark.parametrize("size", [(80, 24), (120, 36)])
async def test_the_detail_pane_never_folds_a_url(make_app: MakeApp, size: tuple[int, int]) -> None:
    app = make_app(Filters(state="all"))
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, MainScreen)
        checked = 0
        for _ in range(8):  # several papers: code links, project pages, long look-up URLs
            paper = screen.current
            assert paper is not None
            body = screen.query_one("#detail-body", Static)
            width, height = body.size
            lines = [line.rstrip() for line in screen_lines(body, Region(0, 0, width, height))]
            for label, url in paper_links(paper):
                # Its line: `label url`, or the URL under its label where the pane is narrow.
                starts = [
                    line
                    for i, line in enumerate(lines)
                    if url[:16] in line
                    and (line.lstrip().startswith(label) or i and lines[i - 1].strip() == label)
                ]
                assert len(starts) == 1, (url, starts, lines)
                shown = starts[0][starts[0].index(url[:16]) :]
                if shown.endswith(ELLIPSIS):  # cropped, on one line
                    assert url.startswith(shown[:-1]), (url, shown)
                else:
                    assert shown == url, (url, shown)
                checked += 1  # (a folded URL fails here: its first line is neither)
            await pilot.press("j")
            await settle(pilot)
        assert checked >= 8 * 4  # every paper has at least its four look-ups


def help_text(app: PaperBrowser) -> str:
    screen = app.screen
    assert isinstance(screen, HelpScreen)
    lines = []
    for static in screen.query(Static):
        width, height = static.size
        lines += screen_lines(static, Region(0, 0, width, height))
    return " ".join(" ".join(lines).split())


async def test_the_help_screen_says_what_the_table_and_the_query_fields_say(
    make_app: MakeApp,
) -> None:
    app = make_app()
    async with app.run_test(size=(90, 150)) as pilot:  # one column: each text reads whole
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        text = help_text(app)
    # Every key's description is the table's (a key whose text changes changes the help).
    for action in ACTIONS:
        if action.group != "views":
            assert " ".join(action.help.split()) in text, action.help
    # `o` opens the arXiv abstract page when the id is known (links.open_target).
    assert "else the arXiv page" in text
    # Every searchable field of the query language, with its example.
    for field in QUERY_FIELDS:
        assert f"{field.name}:" in text, field.name
        assert field.example in text, field.example
    for name in ("comments", "stars", "author", "arxiv", "has_code"):
        assert name in SEARCHABLE_FIELDS


def test_every_query_field_example_searches_its_field() -> None:
    """The examples the help shows are queries of their own field (the help cannot show a
    field with another's example)."""
    assert tuple(f.name for f in QUERY_FIELDS) == SEARCHABLE_FIELDS
    for field in QUERY_FIELDS:
        assert field.example.startswith(f"{field.name}:"), field
