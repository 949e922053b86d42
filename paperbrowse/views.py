"""Saved views: named searches (query, dates, triage state, sort) kept in the settings file.

They live in `config.toml` (config.py) so that a user can edit them by hand, one table per
view, in the order they were added (keys 5-9 of the browser open the first five):

    [views.diffusion]
    query = "diffusion -survey"
    since = "2024"          # as `--since` takes it: YYYY, YYYY-MM, YYYY-MM-DD, 7d, 4w, 6m, 1y
    until = ""              # optional, like every key but the table's name
    state = "all"           # inbox, unread, read, starred, hidden, all (models.STATES)
    sort = "date"           # auto, relevance, date, upvotes, comments, title (models.ALL_SORTS)
                            # or for-you (For you's order: `search --sort for-you`)

Dates are kept as written, so `since = "7d"` is always the last seven days. An entry that
cannot be used (a malformed query or one a search refuses, like `tag:a OR tag:b`; a bad date,
an unknown state or sort, a value of the wrong type, an unknown key, a name that differs only
in case from an earlier view's) is named in one line with the reason and skipped; the others
still work.
This module must not import Textual.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from whoosh import query

from paperbrowse.config import Settings
from paperbrowse.dates import DateError, date_window
from paperbrowse.models import ALL_SORTS, FOR_YOU_SORT, STATES, Filters
from paperbrowse.query import QueryLanguage
from paperbrowse.query_plan import plan_search
from paperbrowse.schema import make_schema
from paperbrowse.text import one_line

TABLE = "views"  # the settings table holding the views
KEYS = ("query", "since", "until", "state", "sort")
VIEW_SORTS = ("auto", *ALL_SORTS, FOR_YOU_SORT)  # for-you: For you's order (suggest.py)
MAX_NAME = 40  # characters: a view's name is a tab label


class ViewError(ValueError):
    """A view that cannot be saved or found; the message is one line and names it."""


@dataclass(frozen=True)
class SavedView:
    """One saved search. `since`/`until` as the user wrote them ('' for none), `state` one of
    models.STATES, `sort` `auto`, one of models.ALL_SORTS or `for-you` (VIEW_SORTS)."""

    name: str
    query: str = ""
    since: str = ""
    until: str = ""
    state: str = "all"
    sort: str = "auto"

    def filters(self, today: date | None = None) -> Filters:
        """The view as Filters (dates resolved against `today` by `dates.date_window`, as the
        CLI's and the filter bar's are); DateError for a bad date or a window that ends before
        it starts."""
        since, until = date_window(self.since, self.until, today=today)
        return Filters(query=self.query, since=since, until=until, state=self.state, sort=self.sort)

    def to_toml(self) -> dict[str, str]:
        """The view's table (keys with a default value left out)."""
        table = {"query": self.query, "since": self.since, "until": self.until}
        table = {k: v for k, v in table.items() if v}
        table["state"] = self.state
        if self.sort != "auto":
            table["sort"] = self.sort
        return table


@functools.cache
def _language() -> QueryLanguage:
    return QueryLanguage(make_schema())


def parse_query(text: str) -> object:
    """`text` parsed by the query language (query.QueryLanguage over this version's schema);
    QueryError (a ValueError, one line naming the query) when malformed. The default check of
    a view's query: no library needs to be open."""
    return _language().parse(text)


def check_name(name: str) -> str:
    """`name` stripped, when it can name a view: 1 to MAX_NAME printable characters on one line
    (no control character, tab, newline or Unicode line/paragraph separator: a name is a tab
    label and a row of `views`). ViewError otherwise."""
    clean = name.strip()
    if not clean or len(clean) > MAX_NAME or one_line(clean) != clean:
        raise ViewError(f"a view's name is 1 to {MAX_NAME} printable characters, not {name[:60]!r}")
    return clean


def check_view(
    view: SavedView,
    check_query: Callable[[str], Any] | None = parse_query,
    today: date | None = None,
) -> SavedView:
    """`view` when every value can be used, else ViewError (one line, naming it and why).

    `check_query` raises (QueryError, ValueError) for a malformed query (default: `parse_query`;
    None: the query is not checked)."""
    label = f"view {view.name!r}"
    if view.state not in STATES:
        raise ViewError(f"{label}: unknown state {view.state!r} (one of {', '.join(STATES)})")
    if view.sort not in VIEW_SORTS:
        raise ViewError(f"{label}: unknown sort {view.sort!r} ({', '.join(VIEW_SORTS)})")
    try:
        view.filters(today)
    except DateError as exc:
        raise ViewError(f"{label}: {exc}") from None
    if check_query is not None and view.query.strip():
        try:
            parsed = check_query(view.query)
            if parsed is None or isinstance(parsed, query.Query):
                # What a search refuses beyond parsing too: tag:/note: inside OR.
                plan_search(parsed, Filters(query=view.query))
        except ValueError as exc:  # QueryError is a ValueError
            raise ViewError(f"{label}: {exc}") from None
    return view


def parse_views(
    settings: Settings,
    check_query: Callable[[str], Any] | None = parse_query,
    today: date | None = None,
) -> tuple[list[SavedView], list[str]]:
    """The usable views of `settings`, in file order, and one line per entry skipped (queries
    checked by `check_query`, as in `check_view`)."""
    table = settings.extra.get(TABLE)
    if table is None:
        return [], []
    if not isinstance(table, Mapping):
        return [], [f"[{TABLE}] is not a table of views; ignored"]
    views: list[SavedView] = []
    problems: list[str] = []
    first_of: dict[str, str] = {}  # casefolded name -> the entry's name as written first
    for name, entry in table.items():
        label = f"view {name!r}"
        same = first_of.setdefault(name.strip().casefold(), name)
        if same != name:  # `search --view` and the keys could never reach it
            problems.append(
                f"{label} has the name of view {same!r} (names are case-insensitive); skipped"
            )
            continue
        if not isinstance(entry, Mapping):
            problems.append(f"{label} is not a table; skipped")
            continue
        unknown = sorted(set(entry) - set(KEYS))
        wrong = [k for k in KEYS if k in entry and not isinstance(entry[k], str)]
        if unknown:
            problems.append(
                f"{label}: unknown key {unknown[0]!r} (keys: {', '.join(KEYS)}); skipped"
            )
            continue
        if wrong:
            problems.append(f"{label}: {wrong[0]} should be text, not {entry[wrong[0]]!r}; skipped")
            continue
        try:
            view = SavedView(
                name=check_name(name),
                query=entry.get("query", ""),
                since=entry.get("since", "").strip(),
                until=entry.get("until", "").strip(),
                state=entry.get("state", "all").strip(),
                sort=entry.get("sort", "auto").strip(),
            )
            views.append(check_view(view, check_query, today))
        except ViewError as exc:
            problems.append(f"{exc}; skipped")
    return views, problems


def find_view(views: list[SavedView], name: str) -> SavedView:
    """The view called `name` (case-insensitive), else ViewError listing the names."""
    for view in views:
        if view.name.casefold() == name.strip().casefold():
            return view
    known = ", ".join(repr(v.name) for v in views) or "none saved"
    raise ViewError(f"no saved view {name!r} (views: {known})")


def _table(settings: Settings) -> dict[str, Any]:
    table = settings.extra.get(TABLE)
    return dict(table) if isinstance(table, Mapping) else {}


def with_view(settings: Settings, view: SavedView, replace_existing: bool = False) -> Settings:
    """A copy of `settings` with `view` added at the end (or in its place when
    `replace_existing`); ViewError when a view of that name exists and not `replace_existing`.
    Entries that do not parse are kept as they are."""
    table = _table(settings)
    same = [k for k in table if k.casefold() == view.name.casefold()]
    if same and not replace_existing:
        raise ViewError(f"a view called {same[0]!r} exists; `paperbrowse views rm` it first")
    if same:
        table = {(view.name if k == same[0] else k): v for k, v in table.items()}
    table[view.name] = view.to_toml()
    return replace(settings, extra={**settings.extra, TABLE: table})


def without_view(settings: Settings, name: str) -> Settings:
    """A copy of `settings` without the view called `name` (case-insensitive, whether it
    parses or not); ViewError when there is none."""
    table = _table(settings)
    same = [k for k in table if k.casefold() == name.strip().casefold()]
    if not same:
        known = ", ".join(repr(k) for k in table) or "none saved"
        raise ViewError(f"no saved view {name!r} (views: {known})")
    del table[same[0]]
    extra = {**settings.extra, TABLE: table}
    if not table:
        del extra[TABLE]
    return replace(settings, extra=extra)


def view_counts(
    views: list[SavedView], count: Callable[[Filters], int], today: date | None = None
) -> dict[str, int | None]:
    """How many papers each view holds: `count(filters)` per view (e.g. the length of
    `Library.search`); None for a view whose search fails."""
    counts: dict[str, int | None] = {}
    for view in views:
        try:
            counts[view.name] = count(view.filters(today))
        except (ValueError, DateError):
            counts[view.name] = None
    return counts
