"""Saved views in the settings file: parsing what a user may write by hand, adding, removing."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import pytest

from paperbrowse.config import Settings, load_settings, save_settings
from paperbrowse.errors import QueryError
from paperbrowse.library import Library
from paperbrowse.views import (
    SavedView,
    ViewError,
    find_view,
    parse_views,
    view_counts,
    with_view,
    without_view,
)

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

TODAY = date(2025, 6, 15)
HAND_WRITTEN = """\
[browser]
theme = "nord"

[views.diffusion]
query = "diffusion -survey"
since = "2024"
sort = "date"

[views."lab meeting"]
state = "starred"

[views.broken-query]
query = "title:("

[views.broken-date]
since = "2024-13"

[views.backwards]
since = "2025"
until = "2024"

[views.wrong-type]
query = ["a", "b"]

[views.typo]
qeury = "x"

[views.state]
state = "later"

[views.sort]
sort = "stars"

[views.recent]
since = "7d"
state = "inbox"
"""


def parsed(text: str, tmp_path: Path) -> tuple[list[SavedView], list[str]]:
    path = tmp_path / "config.toml"
    path.write_text(text, "utf-8")
    settings, warning = load_settings(path)
    assert warning is None
    return parse_views(settings, Library(tmp_path / "empty").parse_query, TODAY)


def test_each_bad_entry_is_named_in_one_line_and_the_others_work(tmp_path: Path) -> None:
    views, problems = parsed(HAND_WRITTEN, tmp_path)
    assert [v.name for v in views] == ["diffusion", "lab meeting", "recent"]  # file order
    assert views[0] == SavedView("diffusion", "diffusion -survey", "2024", "", "all", "date")
    assert views[1].state == "starred" and views[1].query == ""
    assert len(problems) == 7
    assert all("\n" not in p and p.endswith("skipped") for p in problems)
    for name, why in [
        ("broken-query", "unclosed '('"),
        ("broken-date", "2024-13"),
        ("backwards", "after"),
        ("wrong-type", "query should be text"),
        ("typo", "unknown key 'qeury'"),
        ("state", "unknown state 'later'"),
        ("sort", "unknown sort 'stars'"),
    ]:
        [line] = [p for p in problems if p.startswith(f"view {name!r}")]
        assert why in line, line


def test_relative_dates_stay_relative(tmp_path: Path) -> None:
    views, _ = parsed(HAND_WRITTEN, tmp_path)
    recent = find_view(views, "RECENT")  # names are case-insensitive
    assert recent.filters(TODAY).since == date(2025, 6, 8)
    assert recent.filters(date(2026, 1, 10)).since == date(2026, 1, 3)
    assert find_view(views, "diffusion").filters(TODAY).since == date(2024, 1, 1)


def test_views_table_of_the_wrong_shape(tmp_path: Path) -> None:
    views, problems = parsed('views = "diffusion"\n', tmp_path)
    assert views == [] and problems == ["[views] is not a table of views; ignored"]


def test_add_and_remove_keep_everything_else(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(HAND_WRITTEN, "utf-8")
    settings, _ = load_settings(path)
    new = SavedView("pose", "title:pose", "7d", "", "inbox", "upvotes")
    save_settings(with_view(settings, new), path)
    document = tomllib.loads(path.read_text("utf-8"))
    assert document["browser"] == {"theme": "nord"}
    assert list(document["views"])[-1] == "pose"
    assert document["views"]["pose"] == {
        "query": "title:pose",
        "since": "7d",
        "state": "inbox",
        "sort": "upvotes",
    }
    assert document["views"]["typo"] == {"qeury": "x"}  # a broken entry is kept for the user
    with pytest.raises(ViewError, match="a view called 'pose' exists"):
        with_view(load_settings(path)[0], SavedView("POSE"))
    save_settings(without_view(load_settings(path)[0], "Typo"), path)
    assert "typo" not in tomllib.loads(path.read_text("utf-8"))["views"]
    with pytest.raises(ViewError, match="no saved view 'nope'"):
        without_view(load_settings(path)[0], "nope")


def test_removing_the_last_view_removes_the_table() -> None:
    settings = with_view(Settings(), SavedView("only"))
    assert "views" not in without_view(settings, "only").to_toml_dict()


def test_counts_use_the_callers_search_and_mark_failures() -> None:
    views = [SavedView("a", "x"), SavedView("b", "y")]

    def count(filters: object) -> int:
        if getattr(filters, "query", "") == "y":
            raise QueryError("broken")
        return 7

    assert view_counts(views, count, TODAY) == {"a": 7, "b": None}


@pytest.mark.parametrize(
    "name", ["a\nb", "tab\there", "line\u2028sep", "para\u2029x", "esc\x1b[31m"]
)
def test_a_view_name_is_one_printable_line(name: str) -> None:
    """A name is a tab label and a row of `views`: a tab, newline or Unicode line separator
    inside it is refused like a control character."""
    from paperbrowse.views import check_name

    with pytest.raises(ViewError, match="1 to 40 printable characters"):
        check_name(name)
    assert check_name("  lab meeting  ") == "lab meeting"
