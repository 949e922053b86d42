"""The commands of `paperbrowse` as plain typed functions: `index`, `search`, `show`, `stats`,
and the demo library. Each writes what the command prints to stdout and stderr and returns its
exit status; the command line (cli.py) only reads the arguments and calls them.

Exit statuses: 0 done, 1 nothing found or a failure (CommandError's default), 2 a usage error
(a bad query, date or option), 130 interrupted. Messages on stderr are one line each,
`paperbrowse: …`, without terminal controls (`error`). Modules are imported where a command
needs them, so `paperbrowse --help` and `index` load neither Rich's tables nor Textual.
"""

from __future__ import annotations

import itertools
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from paperbrowse.citekeys import DEFAULT_TEMPLATE
from paperbrowse.dates import DateError, DateOrderError, date_window
from paperbrowse.discovery_commands import FOR_YOU
from paperbrowse.limits import DEFAULT_MAX_BYTES
from paperbrowse.models import Filters
from paperbrowse.paths import WRITE_LOCK, demo_data_dir, state_db

if TYPE_CHECKING:
    from rich.console import Console

    from paperbrowse.library import Library
    from paperbrowse.merging import IndexReport
    from paperbrowse.sources import Source
    from paperbrowse.triage import TriageStore

EXIT_OK, EXIT_NONE, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130
TABLE_LIMIT = 50  # papers `search --format table` shows without --limit
MAX_MESSAGE = 400  # characters of an error line; longer ones lose their middle


class CommandError(Exception):
    """A one-line error for stderr, with its exit status."""

    def __init__(self, message: str, code: int = EXIT_NONE) -> None:
        super().__init__(message)
        self.code = code


def error(message: str) -> None:
    """Print `paperbrowse: MESSAGE` on stderr, on one line (see `one_line`)."""
    print(f"paperbrowse: {one_line(message) or 'error'}", file=sys.stderr)


def one_line(message: str) -> str:
    """The first line of a message, without terminal controls (paths and names come from
    the user's files and may hold escape sequences), at most about MAX_MESSAGE characters."""
    from paperbrowse.text import strip_controls

    lines = strip_controls(message).splitlines()
    line = lines[0] if lines else ""
    if len(line) > MAX_MESSAGE:  # e.g. a 10,000-character query quoted back: keep both ends
        line = f"{line[: MAX_MESSAGE * 2 // 3]} … {line[-MAX_MESSAGE // 3 :]}"
    return line


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


# ---------------------------------------------------------------------------------------------
# index


def index(
    data_dir: Path,
    paths: Sequence[str],
    *,
    rebuild: bool = False,
    year: int | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> int:
    """`paperbrowse index PATH...`: add dumps (files, directories, `-` for stdin) to the
    library, or rebuild it; problems and warnings one line each on stderr, then the summary
    line (`index_summary`). 0 when every input was indexed, 1 when some failed."""
    from paperbrowse.arrivals import arrivals_before_run, save_arrivals
    from paperbrowse.errors import LibraryError, LibraryOutdated
    from paperbrowse.manifest import check_version
    from paperbrowse.sources import collect_sources
    from paperbrowse.triage import can_write

    if not paths and not rebuild:
        raise CommandError(
            "index: give at least one PATH (a dump, a directory, or - for stdin)", EXIT_USAGE
        )
    if data_dir.is_dir() and not can_write(data_dir / WRITE_LOCK):
        raise CommandError(
            f"the library in {data_dir} is read-only: it cannot be updated "
            "(searching and reading it work)"
        )
    sources, problems = collect_sources(paths, stdin=sys.stdin, max_bytes=max_bytes)
    for problem in problems:
        error(problem)
    if not sources and not rebuild:
        if not problems:  # e.g. a directory without captures: say so rather than nothing
            error(f"no captures (*.txt, *.md, *.markdown files) found in {' '.join(paths)}")
        return EXIT_NONE
    before = arrivals_before_run(data_dir)  # only ids this run adds are arrivals (`new`)
    if rebuild:
        report = None
        try:
            check_version(data_dir)
        except LibraryOutdated as exc:  # the upgrade is the rebuild
            report = _upgrade(data_dir, exc.version, sources, year, warn=False, max_bytes=max_bytes)
        except LibraryError:
            pass  # a newer or unreadable library: the rebuild replaces it
        if report is None:
            report = _index_with_progress(
                data_dir, sources, rebuild=True, year=year, max_bytes=max_bytes
            )
    else:
        ready_library(data_dir)
        report = _index_with_progress(
            data_dir, sources, rebuild=False, year=year, max_bytes=max_bytes
        )
    if report.new:  # the run committed new papers: the others arrived before it
        save_arrivals(data_dir, before)
    for warning in report.warnings:
        error(f"warning: {warning}")
    for failure in report.failures:
        error(failure)
    failed = bool(report.failures or problems)
    # Plain print, not Rich: one line whatever the width, and no markup read from the path.
    print(one_line(index_summary(report, len(problems), data_dir)), file=sys.stderr)
    return EXIT_NONE if failed else EXIT_OK


def _plural(n: int, noun: str) -> str:
    """`1 file`, `2 files`."""
    return f"{n} {noun}{'' if n == 1 else 's'}"


def index_summary(report: IndexReport, problems: int, data_dir: Path) -> str:
    """The one line `index` ends with. Its papers add up: every paper parsed is new, updated,
    unchanged, or a duplicate merged into another record (the same paper twice in the dumps
    read). Stored papers this run changed without parsing them, joined or removed follow."""
    parts = [
        f"{_plural(report.files_read, 'file')} read ({report.files_unchanged} unchanged)",
    ]
    papers = f"{_plural(report.papers_parsed, 'paper')} parsed: {report.new} new, "
    papers += f"{report.updated} updated, {report.unchanged} unchanged"
    papers += f", {report.duplicates} merged as duplicates"
    parts.append(papers)
    if report.merged:
        parts.append(f"{_plural(report.merged, 'stored paper')} joined to another")
    if report.dropped:
        parts.append(f"{_plural(report.dropped, 'paper')} no longer in a changed dump")
    if report.removed:
        parts.append(f"{report.removed} removed")
    parts.append(_plural(len(report.warnings), "warning"))
    failed = len(report.failures) + problems
    if failed:
        parts.append(f"{failed} failed")
    return ", ".join(parts) + f" -> {data_dir}"


def _index_with_progress(
    data_dir: Path,
    sources: Sequence[Source],
    *,
    rebuild: bool,
    year: int | None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> IndexReport:
    """`indexer.index_sources`, with a Rich progress bar on a terminal, silently otherwise."""
    from paperbrowse.indexer import index_sources

    if not sys.stderr.isatty():
        return index_sources(data_dir, sources, rebuild=rebuild, year=year, max_bytes=max_bytes)
    from rich.progress import BarColumn, MofNCompleteColumn, TaskID, TextColumn
    from rich.progress import Progress as ProgressBar

    with ProgressBar(
        TextColumn("{task.description:<14}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=_console(stderr=True),
        transient=True,
    ) as bar:
        tasks: dict[str, TaskID] = {}
        labels = {"read": "reading dumps", "write": "indexing papers", "catalog": "sorting"}

        def progress(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(labels.get(stage, stage), total=total)
            bar.update(tasks[stage], completed=done, total=total)

        return index_sources(
            data_dir, sources, rebuild=rebuild, year=year, progress=progress, max_bytes=max_bytes
        )


def ready_library(data_dir: Path) -> Library:
    """The library in `data_dir`, upgraded first when an earlier version of paperbrowse built
    it: rebuilt from its recorded dumps (the papers of dumps that are gone are read back from
    the old index, see migration.py), with a line on stderr that says why, keeping every star,
    read and hidden mark (`state.db` is keyed by paper ids, which a paper without an arXiv id
    keeps). Raises LibraryError (e.g. LibraryBusy) when the upgrade cannot run."""
    from paperbrowse.errors import LibraryOutdated
    from paperbrowse.library import Library

    library = Library(data_dir)
    try:
        library.check_version()
    except LibraryOutdated as exc:
        _upgrade(data_dir, exc.version, [], None, warn=True)
    return library


def _upgrade(
    data_dir: Path,
    version: int,
    sources: Sequence[Source],
    year: int | None,
    *,
    warn: bool,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> IndexReport:
    """Rebuild an outdated library (with `sources` too), saying so on stderr (its warnings
    too when `warn`; `index` prints them with its summary); returns the run's report."""
    from paperbrowse.library import Library
    from paperbrowse.manifest import read_manifest
    from paperbrowse.migration import upgrade
    from paperbrowse.schema import SCHEMA_VERSION, changes_since

    dumps = len(read_manifest(data_dir).get("sources", {}))
    print(
        f"paperbrowse: upgrading the library in {data_dir} from schema {version} to "
        f"{SCHEMA_VERSION} ({changes_since(version)}): rebuilding it from its {dumps} "
        "recorded dumps; stars, read and hidden marks are kept",
        file=sys.stderr,
    )
    report, salvaged = upgrade(
        data_dir,
        version,
        lambda kept: _index_with_progress(
            data_dir, [*sources, *kept], rebuild=True, year=year, max_bytes=max_bytes
        ),
    )
    if warn:
        for warning in report.warnings:
            error(f"warning: {warning}")
    back = f" ({salvaged} read back from the old index: their dumps are gone)" if salvaged else ""
    library = Library(data_dir)
    try:
        papers = len(library)
    finally:
        library.close()
    print(
        f"paperbrowse: library upgraded: {papers} papers from {report.files_read} dumps{back}",
        file=sys.stderr,
    )
    return report


# ---------------------------------------------------------------------------------------------
# search / show / stats


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


def _console(stderr: bool = False) -> Console:
    from rich.console import Console

    return Console(stderr=stderr, highlight=False)


def _check_key(template: str) -> None:
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
    from paperbrowse.models import TriageState
    from paperbrowse.output import write_papers

    if limit is not None and limit < 0:
        raise CommandError("--limit must be 0 (all) or more", EXIT_USAGE)
    out_format = _out_format(fmt)
    _check_key(key_template)
    library = _open_library(data_dir)
    triage = _triage(data_dir)
    if chosen.sort == FOR_YOU:
        from paperbrowse.discovery_commands import for_you_results

        results = for_you_results(library, chosen, triage)
    else:
        results = library.search(chosen, triage)
    total = len(results)
    if limit is None:
        limit = TABLE_LIMIT if out_format == "table" else 0
    count = min(total, limit) if limit else total
    if not count:
        print("paperbrowse: no papers match", file=sys.stderr)
        return EXIT_NONE
    ids = results.ids[:count]
    states = triage.get_many(ids)
    papers = itertools.islice(results.papers(), count)
    items = ((p, states.get(p.id, TriageState())) for p in papers)
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
    _check_key(key_template)
    library = _open_library(data_dir)
    paper = library.get(paper_id)
    if paper is None:
        raise CommandError(f"no paper with id {paper_id!r}")
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


# ---------------------------------------------------------------------------------------------
# the sample papers


def ensure_demo_library(reset: bool = False) -> Path:
    """Index the bundled sample dumps into the demo data dir (no-op when up to date); with
    `reset`, delete the demo library first (its index and its triage) so it starts afresh."""
    data_dir = demo_data_dir()
    if reset and data_dir.exists():
        import shutil

        shutil.rmtree(data_dir)
    from paperbrowse.sample_index import index_sample

    ready_library(data_dir).close()
    index_sample(data_dir)
    return data_dir
