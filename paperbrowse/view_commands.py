"""The commands `paperbrowse views` (list, with counts), `views add NAME QUERY...` and `views rm
NAME`, and the saved view behind `search --view NAME`, as plain typed functions beside
search_commands.py (same exit statuses, `CommandError` and one-line messages); the core is views.py.

Never imports Textual.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

from paperbrowse.command_errors import EXIT_NONE, EXIT_OK, EXIT_USAGE, CommandError, error
from paperbrowse.config import ConfigError, Settings, config_path, load_settings, save_settings
from paperbrowse.models import Filters
from paperbrowse.search_commands import filters
from paperbrowse.text import strip_controls
from paperbrowse.views import (
    SavedView,
    ViewError,
    check_name,
    check_view,
    find_view,
    parse_views,
    with_view,
    without_view,
)

if TYPE_CHECKING:
    from paperbrowse.library import Library
    from paperbrowse.triage import TriageStore


def _settings() -> Settings:
    """The settings, or CommandError when the file cannot be read (views are never written
    over a file that did not parse: that would lose it)."""
    settings, warning = load_settings()
    if warning and warning.startswith("cannot read"):
        raise CommandError(warning.replace("; using defaults", ""))
    return settings


def _save(settings: Settings) -> Path:
    try:
        return save_settings(settings)
    except ConfigError as exc:
        raise CommandError(str(exc)) from None


def saved_view(name: str) -> SavedView:
    """The usable view called `name` (case-insensitive), for `search --view`; CommandError 2
    naming why not (no such view, or the line saying why its entry was skipped)."""
    views, problems = parse_views(_settings())
    try:
        return find_view(views, name)
    except ViewError as exc:
        label = f"view {name.strip()!r}".casefold()
        why = [p for p in problems if p.casefold().startswith(label)]
        raise CommandError(why[0] if why else str(exc), EXIT_USAGE) from None


def view_filters(
    name: str,
    query: str = "",
    since: str | None = None,
    until: str | None = None,
    state: str | None = None,
    sort: str | None = None,
    *,
    state_default: str = "all",
) -> Filters:
    """The Filters of `search --view NAME` / `browse --view NAME`: the saved view's query,
    dates, state and sort, each replaced by the one given beside it (`search_commands.filters`
    checks the dates). CommandError 2 for an unknown or unusable view or a bad date."""
    view = saved_view(name)
    return filters(
        query or view.query,
        since or view.since or None,
        until or view.until or None,
        state or view.state or state_default,
        sort or view.sort,
    )


def _tag_problem(view: SavedView, data_dir: Path) -> str | None:
    """Why the view's `for:<tag>` ranking cannot be used now (no paper in `data_dir`'s triage
    carries the tag: `search --view` would refuse it), or None; the query was checked already."""
    from whoosh.query import Query

    from paperbrowse.for_field import split_for, unknown_tag
    from paperbrowse.paths import state_db
    from paperbrowse.tags import all_tags, ids_with_tag
    from paperbrowse.triage import TriageStore
    from paperbrowse.views import parse_query

    parsed = parse_query(view.query) if view.query.strip() else None
    tag = split_for(parsed)[1] if isinstance(parsed, Query) else None
    if tag is None:
        return None
    path = state_db(data_dir)
    if not path.exists():
        return unknown_tag(tag, ())
    triage = TriageStore(path, writable=False)
    try:
        return None if ids_with_tag(triage, tag) else unknown_tag(tag, all_tags(triage))
    finally:
        triage.close()


def add(
    name: str,
    query: str = "",
    *,
    since: str = "",
    until: str = "",
    state: str = "all",
    sort: str = "auto",
    data_dir: Path | None = None,
) -> int:
    """`paperbrowse views add NAME QUERY... [--since --until --state --sort]`: save a view at
    the end of the settings file's `[views]`. 0 when saved; CommandError 2 for a bad name,
    query, date, a name already taken, or a `for:<tag>` no paper in `data_dir`'s triage
    carries (as `search --view` would refuse it; not checked when `data_dir` is None)."""
    settings = _settings()
    try:
        view = SavedView(
            name=check_name(name),
            query=query,
            since=since.strip(),
            until=until.strip(),
            state=state,
            sort=sort,
        )
        settings = with_view(settings, check_view(view))
    except ViewError as exc:
        raise CommandError(str(exc), EXIT_USAGE) from None
    problem = _tag_problem(view, data_dir) if data_dir is not None else None
    if problem:
        raise CommandError(f"view {view.name!r}: {problem}", EXIT_USAGE)
    print(f"view {view.name!r} saved in {_save(settings)}", file=sys.stderr)
    return EXIT_OK


def remove(name: str) -> int:
    """`paperbrowse views rm NAME`: delete a view (case-insensitive, whether its entry parses
    or not). 0 when deleted; CommandError 1 when there is none."""
    try:
        settings = without_view(_settings(), name)
    except ViewError as exc:
        raise CommandError(str(exc)) from None
    print(f"view {name!r} deleted from {_save(settings)}", file=sys.stderr)
    return EXIT_OK


def _counts(
    library: Library, views: list[SavedView], triage: TriageStore
) -> tuple[dict[str, int], dict[str, str]]:
    """({view name: how many papers its list shows}, {view name: why it shows none}): the
    count is what `search --view NAME --limit 0` lists, so a For-you or `for:TAG` view leaves
    out the ranking's positives (discovery_commands.for_you_selection, as the browser's tabs
    count); the reason is the one line `search --view NAME` would fail with."""
    from paperbrowse.discovery_commands import for_you_selection
    from paperbrowse.results import Results
    from paperbrowse.tags import all_tags, ids_with_tag

    counts: dict[str, int] = {}
    reasons: dict[str, str] = {}
    for view in views:
        try:
            selection = for_you_selection(
                library,
                view.filters(),
                triage,
                lambda tag: ids_with_tag(triage, tag),
                lambda: all_tags(triage),
            )
        except ValueError as exc:  # QueryError and DateError are ValueErrors
            reasons[view.name] = str(exc)
            continue
        counts[view.name] = len(selection if isinstance(selection, Results) else selection[1])
    return counts, reasons


def list_views(data_dir: Path) -> int:
    """`paperbrowse views`: one line per usable view: its key in the browser (5-9 for the
    first five), name, how many papers it holds now, and what it searches; each skipped
    entry named on stderr. 0 with views, 1 without."""
    from paperbrowse.index_commands import ready_library
    from paperbrowse.paths import state_db
    from paperbrowse.triage import TriageStore

    library = ready_library(data_dir)
    views, problems = parse_views(_settings(), library.parse_query)
    for problem in problems:
        error(f"settings in {config_path()}: {problem}")
    if not views:
        error("no saved views; `paperbrowse views add NAME QUERY...` saves one")
        return EXIT_NONE
    triage = TriageStore(state_db(data_dir), writable=False)
    counts, reasons = _counts(library, views, triage)
    for view in views:
        if view.name in reasons:
            error(f"view {view.name!r}: {reasons[view.name]}")
    rows: list[tuple[str, str, str, list[str]]] = []
    for i, view in enumerate(views):
        key = str(5 + i) if i < 5 else "-"
        held = counts.get(view.name)
        what = [f"query {view.query!r}" if view.query else "every paper"]
        if view.since or view.until:
            what.append(f"{view.since or '…'} to {view.until or '…'}")
        what.append(view.state)
        if view.sort != "auto":
            what.append(f"by {view.sort}")
        rows.append((key, strip_controls(view.name), "-" if held is None else str(held), what))
    width = max(len(r[1]) for r in rows)
    digits = max(len(r[2]) for r in rows)
    for key, name, count, what in rows:
        print(
            f"{key}  {name.ljust(width)}  {count.rjust(digits)}  {strip_controls(', '.join(what))}"
        )
    library.close()
    return EXIT_OK
