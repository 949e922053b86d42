"""The commands that read the library, as plain typed functions: `search`, `show`, `stats`, and
the Filters of `search` and `browse` (`filters`). Each writes what the command prints to stdout
and stderr and returns its exit status (command_errors.py); an outdated library is upgraded
first (index_commands.ready_library).

Modules are imported where a command needs them, so `paperbrowse --help` loads neither Rich's
tables nor Textual.
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from paperbrowse.citekeys import DEFAULT_TEMPLATE
from paperbrowse.command_errors import EXIT_NONE, EXIT_OK, EXIT_USAGE, CommandError, error
from paperbrowse.dates import DateError, DateOrderError, date_window
from paperbrowse.discovery_commands import FOR_YOU
from paperbrowse.index_commands import ready_library
from paperbrowse.models import Filters
from paperbrowse.paths import state_db

if TYPE_CHECKING:
    from rich.console import Console

    from paperbrowse.library import Library
    from paperbrowse.triage import TriageStore

TABLE_LIMIT = 50  # papers `search --format table` shows without --limit


def filters(
    query: str = "",
    since: str | None = None,
    until: str | None = None,
    state: str = "all",
    sort: str | None = None,
    *,
    today: date | None = None,
) -> Filters:
    """The Filters of `search` and `browse`: QUERY, --since, --until, --state, --sort.
    CommandError (status 2) for a date that does not parse or a window that ends before it
    starts."""
    try:
        lo, hi = date_window(since, until, today=today)
    except DateOrderError:
        raise CommandError(f"--since {since} is after --until {until}", EXIT_USAGE) from None
    except DateError as exc:
        raise CommandError(str(exc), EXIT_USAGE) from None
    return Filters(query=query or "", since=lo, until=hi, state=state, sort=sort or "auto")


def _open_library(data_dir: Path) -> Library:
    library = ready_library(data_dir)
    if library.searcher is None:
        raise CommandError(
            f"the library in {data_dir} is empty: add dumps with `paperbrowse index PATH...`"
        )
    _read_only_notice(data_dir)
    return library


def _triage(data_dir: Path) -> TriageStore:
    """Triage for reading: never writes (a full disk or a read-only library still reads it)."""
    from paperbrowse.triage import TriageStore

    return TriageStore(state_db(data_dir), writable=False)


def _read_only_notice(data_dir: Path) -> None:
    """One line on stderr when the library cannot be written: triage is read-only."""
    from paperbrowse.triage import can_write, read_only_notice

    if data_dir.is_dir() and not can_write(state_db(data_dir)):
        error(read_only_notice(data_dir))


def _out_format(requested: str | None) -> str:
    if requested:
        return requested
    return "table" if sys.stdout.isatty() else "tsv"


def _console() -> Console:
    from rich.console import Console

    return Console(highlight=False)


def check_key(template: str) -> None:
    """CommandError 2 (one line) for a `--key` template that cannot be used (citekeys.py)."""
    from paperbrowse.citekeys import KeyTemplateError, check_template

    try:
        check_template(template)
    except KeyTemplateError as exc:
        raise CommandError(str(exc), EXIT_USAGE) from None


def search(
    data_dir: Path,
    chosen: Filters,
    *,
    fmt: str | None = None,
    limit: int | None = None,
    key_template: str = DEFAULT_TEMPLATE,
) -> int:
    """`paperbrowse search [QUERY]`: the papers matching `chosen` on stdout in `fmt` (default:
    table on a terminal, else tsv), at most `limit` (0: all; table: TABLE_LIMIT), citation keys
    of bibtex/csljson/ris from `key_template` (citekeys.py). 0 with results, 1 with none;
    CommandError 2 for a bad query (the caller maps QueryError) or key template."""
    from paperbrowse.for_field import mentions_for
    from paperbrowse.output import write_papers

    if limit is not None and limit < 0:
        raise CommandError("--limit must be 0 (all) or more", EXIT_USAGE)
    out_format = _out_format(fmt)
    check_key(key_template)
    library = _open_library(data_dir)
    triage = _triage(data_dir)
    if chosen.sort == FOR_YOU or mentions_for(chosen.query):
        from paperbrowse.discovery_commands import for_you_results

        results = for_you_results(library, chosen, triage)
    else:
        results = library.search(chosen, triage)
    total = len(results)
    if limit is None:
        limit = TABLE_LIMIT if out_format == "table" else 0
    count = min(total, limit) if limit else total
    if not count:
        from paperbrowse.query import left_out

        why = left_out(library.parse_query(chosen.query), chosen.query) if chosen.query else None
        print(f"paperbrowse: no papers match{f': {why}' if why else ''}", file=sys.stderr)
        return EXIT_NONE
    items = results.triaged(triage.get_many, count)  # read and written a chunk at a time
    console = _console() if out_format == "table" else None
    write_papers(
        items,
        out_format,
        sys.stdout,
        console=console,
        query_terms=results.terms,
        key_template=key_template,
    )
    sys.stdout.flush()
    if out_format == "table" and count < total:
        print(f"{count} of {total} papers shown; --limit 0 shows all", file=sys.stderr)
    return EXIT_OK


def show(
    data_dir: Path,
    paper_id: str,
    *,
    fmt: str | None = None,
    key_template: str = DEFAULT_TEMPLATE,
) -> int:
    """`paperbrowse show ID`: one paper in full (by id, id prefix, former id or arXiv id), or
    in `fmt` (citation keys from `key_template`). CommandError 1 when no paper has that id, 2
    for a bad key template."""
    check_key(key_template)
    library = _open_library(data_dir)
    paper = library.get(paper_id)
    if paper is None:
        from paperbrowse.paper_ids import unknown_id

        raise CommandError(unknown_id(paper_id))
    state = _triage(data_dir).get(paper.id)
    if fmt:
        from paperbrowse.output import write_papers

        console = _console() if fmt == "table" else None
        write_papers([(paper, state)], fmt, sys.stdout, console=console, key_template=key_template)
        return EXIT_OK
    from paperbrowse.render import paper_lines, print_paper

    if sys.stdout.isatty():
        print_paper(_console(), paper, state)
    else:  # plain lines: no padding, no URL broken across lines
        sys.stdout.write("".join(line + "\n" for line in paper_lines(paper, state)))
    return EXIT_OK


def stats(data_dir: Path) -> int:
    """`paperbrowse stats`: counts, date span, papers per month, top orgs and link hosts."""
    from paperbrowse.render import stats_text

    library = _open_library(data_dir)
    text = stats_text(library.stats())
    if sys.stdout.isatty():
        _console().print(text, soft_wrap=True)
    else:
        sys.stdout.write(text.plain + "\n")
    return EXIT_OK
