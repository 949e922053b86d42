"""The `paperbrowse` command: index, search, show, stats, browse and demo.

The browser (Textual) is imported only by `browse` and `demo`, so `index` and `search` start fast.
"""

from __future__ import annotations

import argparse
import itertools
import os
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from paperbrowse import __version__
from paperbrowse.dates import DateError, parse_bound
from paperbrowse.limits import DEFAULT_MAX_BYTES, DEFAULT_MAX_MB, MB
from paperbrowse.models import ALL_SORTS, STATES, Filters
from paperbrowse.paths import default_data_dir, demo_data_dir, private_umask, sample_dir

if TYPE_CHECKING:
    from rich.console import Console

    from paperbrowse.library import Library
    from paperbrowse.triage import TriageStore

EXIT_OK, EXIT_NONE, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130
TABLE_LIMIT = 50
MAX_MESSAGE = 400  # characters of an error line; longer ones lose their middle


class CliError(Exception):
    """A one-line error for stderr, with its exit code."""

    def __init__(self, message: str, code: int = EXIT_NONE) -> None:
        super().__init__(message)
        self.code = code


def _formats() -> tuple[str, ...]:
    return ("table", "tsv", "jsonl", "json", "md", "bibtex", "titles", "urls")


class _ArgumentParser(argparse.ArgumentParser):
    """argparse, with usage errors on one line like every other error (subcommands inherit it)."""

    def error(self, message: str) -> NoReturn:
        """Print `paperbrowse: MESSAGE (see ... --help)` and exit 2."""
        _error(f"{message} (see `{self.prog} --help`)")
        raise SystemExit(EXIT_USAGE)


def _positive_mb(text: str) -> float:
    """A size in MB for --max-size: a positive number."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a size in MB: {text!r}") from None
    if not 0 < value < 1e9:
        raise argparse.ArgumentTypeError(f"not a size in MB: {text!r}")
    return value


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every subcommand."""
    parser = _ArgumentParser(
        prog="paperbrowse",
        description="Browse, triage and search Hugging Face Daily Papers dumps from the terminal.",
    )
    parser.add_argument("--version", action="version", version=f"paperbrowse {__version__}")
    parser.add_argument(
        "--data-dir",
        type=Path,
        help="library location (default: $PAPERBROWSE_DATA_DIR, else the user data dir)",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("index", help="add dumps (files, directories, - for stdin) to the library")
    p.add_argument("paths", nargs="*", metavar="PATH", help="dump files, directories, or -")
    p.add_argument("--rebuild", action="store_true", help="rebuild from scratch (keeps triage)")
    p.add_argument("--year", type=int, help="year of pages that show no year anywhere")
    p.add_argument(
        "--max-size",
        type=_positive_mb,
        default=DEFAULT_MAX_MB,
        metavar="MB",
        help=f"refuse captures larger than this (default {DEFAULT_MAX_MB})",
    )

    def add_filters(p: argparse.ArgumentParser, state_default: str) -> None:
        p.add_argument("query", nargs="?", default="", metavar="QUERY", help="Whoosh query")
        p.add_argument("--since", metavar="D", help="on or after D (YYYY, YYYY-MM, YYYY-MM-DD, 7d)")
        p.add_argument("--until", metavar="D", help="on or before D")
        p.add_argument("--state", choices=STATES, default=state_default)
        p.add_argument("--format", choices=_formats(), help="output format")

    p = sub.add_parser("search", help="print matching papers")
    add_filters(p, "all")
    p.add_argument("--sort", choices=ALL_SORTS, help="default: relevance with a query, else date")
    p.add_argument("--limit", type=int, help=f"at most N results (0 = all; table: {TABLE_LIMIT})")

    p = sub.add_parser("show", help="print one paper in full")
    p.add_argument("id", metavar="ID", help="paper id (or a unique prefix)")
    p.add_argument("--format", choices=_formats(), default=None)

    sub.add_parser("stats", help="library statistics")

    p = sub.add_parser("browse", help="open the browser (the default command)")
    add_filters(p, "inbox")

    p = sub.add_parser("demo", help="open the browser on the bundled sample papers")
    p.add_argument("--no-browser", action="store_true", help="only build the demo library")
    p.add_argument("--format", choices=_formats(), help="what Enter prints (default: tsv)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    args = build_parser().parse_args(argv)
    try:
        with private_umask():  # every file paperbrowse creates is the user's alone
            return _dispatch(args)
    except CliError as exc:
        _error(str(exc))
        return exc.code
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader went away (`| head`): not an error. Point stdout at devnull so the
        # interpreter's final flush does not complain either.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK


def _dispatch(args: argparse.Namespace) -> int:
    from paperbrowse.library import LibraryError, QueryError
    from paperbrowse.triage import TriageError

    data_dir: Path = args.data_dir or default_data_dir()
    command = args.command or "browse"
    if command == "browse" and not hasattr(args, "query"):
        args = build_parser().parse_args(["browse"])
        args.data_dir = data_dir
    try:
        if command == "index":
            return cmd_index(args, data_dir)
        if command == "search":
            return cmd_search(args, data_dir)
        if command == "show":
            return cmd_show(args, data_dir)
        if command == "stats":
            return cmd_stats(data_dir)
        if command == "demo":
            return cmd_demo(args)
        return cmd_browse(args, data_dir)
    except QueryError as exc:
        raise CliError(str(exc), EXIT_USAGE) from None
    except (LibraryError, TriageError) as exc:
        raise CliError(str(exc)) from None
    except BrokenPipeError:
        raise
    except OSError as exc:
        # The environment, not a bug: a full or read-only disk, a data dir that is a file...
        where = f"{exc.filename}: " if exc.filename else ""
        raise CliError(f"{where}{exc.strerror or exc}") from None


def _error(message: str) -> None:
    print(f"paperbrowse: {_one_line(message) or 'error'}", file=sys.stderr)


def _one_line(message: str) -> str:
    """The first line of a message, without terminal controls (paths and names come from
    the user's files and may hold escape sequences)."""
    from paperbrowse.text import strip_controls

    lines = strip_controls(message).splitlines()
    line = lines[0] if lines else ""
    if len(line) > MAX_MESSAGE:  # e.g. a 10,000-character query quoted back: keep both ends
        line = f"{line[: MAX_MESSAGE * 2 // 3]} … {line[-MAX_MESSAGE // 3 :]}"
    return line


def _stderr_console() -> Console:
    from rich.console import Console

    return Console(stderr=True, highlight=False)


# ---------------------------------------------------------------------------------------------
# index


def cmd_index(args: argparse.Namespace, data_dir: Path) -> int:
    """`paperbrowse index PATH...`"""
    from paperbrowse.indexer import collect_sources
    from paperbrowse.library import Library, LibraryError, LibraryOutdated

    if not args.paths and not args.rebuild:
        raise CliError("index: give at least one PATH (a dump, a directory, or - for stdin)", 2)
    max_bytes = int(args.max_size * MB)
    sources, problems = collect_sources(args.paths, stdin=sys.stdin, max_bytes=max_bytes)
    for problem in problems:
        _error(problem)
    if not sources and not args.rebuild:
        if not problems:  # e.g. a directory without captures: say so rather than nothing
            _error(f"no captures (*.txt, *.md, *.markdown files) found in {' '.join(args.paths)}")
        return EXIT_NONE
    if args.rebuild:
        library = Library(data_dir)
        report = None
        try:
            library.check_version()
        except LibraryOutdated as exc:  # the upgrade is the rebuild
            report = _upgrade(
                library, exc.version, sources, args.year, warn=False, max_bytes=max_bytes
            )
        except LibraryError:
            pass  # a newer or unreadable library: the rebuild replaces it
        if report is None:
            report = _run_index(library, sources, rebuild=True, year=args.year, max_bytes=max_bytes)
    else:
        library = ready_library(data_dir)
        report = _run_index(library, sources, rebuild=False, year=args.year, max_bytes=max_bytes)
    for warning in report.warnings:
        _error(f"warning: {warning}")
    for failure in report.failures:
        _error(failure)
    failed = bool(report.failures or problems)
    # Plain print, not Rich: one line whatever the width, and no markup read from the path.
    summary = (
        f"{report.files_read} files read ({report.files_unchanged} unchanged), "
        f"{report.papers_parsed} papers parsed: {report.new} new, {report.updated} updated, "
        f"{report.unchanged} unchanged"
        + (f", {report.merged} merged" if report.merged else "")
        + (f", {report.removed} removed" if report.removed else "")
        + f", {len(report.warnings)} warnings"
        + (
            f", {len(report.failures) + len(problems)} failed"
            if report.failures or problems
            else ""
        )
        + f" -> {data_dir}"
    )
    print(_one_line(summary), file=sys.stderr)
    return EXIT_NONE if failed else EXIT_OK


def _run_index(
    library: Library,
    sources: Any,
    *,
    rebuild: bool,
    year: int | None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Any:
    """Index with a Rich progress bar on a terminal, silently otherwise."""
    if not sys.stderr.isatty():
        return library.index(sources, rebuild=rebuild, year=year, max_bytes=max_bytes)
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    with Progress(
        TextColumn("{task.description:<14}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=_stderr_console(),
        transient=True,
    ) as bar:
        tasks: dict[str, Any] = {}
        labels = {"read": "reading dumps", "write": "indexing papers", "catalog": "sorting"}

        def progress(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(labels.get(stage, stage), total=total)
            bar.update(tasks[stage], completed=done, total=total)

        return library.index(
            sources, rebuild=rebuild, year=year, progress=progress, max_bytes=max_bytes
        )


# ---------------------------------------------------------------------------------------------
# search / show / stats


def filters_from_args(args: argparse.Namespace, *, today: date | None = None) -> Filters:
    """Filters from the shared --since/--until/--state/QUERY options; CliError on bad dates."""
    try:
        since = parse_bound(args.since, end=False, today=today) if args.since else None
        until = parse_bound(args.until, end=True, today=today) if args.until else None
    except DateError as exc:
        raise CliError(str(exc), EXIT_USAGE) from None
    if since and until and since > until:
        raise CliError(f"--since {args.since} is after --until {args.until}", EXIT_USAGE)
    return Filters(
        query=args.query or "",
        since=since,
        until=until,
        state=args.state,
        sort=getattr(args, "sort", None) or "auto",
        limit=0,
    )


def ready_library(data_dir: Path) -> Library:
    """The library in `data_dir`, upgraded first when an earlier version of paperbrowse built
    it: rebuilt from its recorded dumps (the papers of dumps that are gone are read back from
    the old index, see migration.py), with a line on stderr that says why, keeping every star,
    read and hidden mark (`state.db` is keyed by paper ids, which a paper without an arXiv id
    keeps). Raises LibraryError (e.g. LibraryBusy) when the upgrade cannot run."""
    from paperbrowse.library import Library, LibraryOutdated

    library = Library(data_dir)
    try:
        library.check_version()
    except LibraryOutdated as exc:
        _upgrade(library, exc.version, [], None, warn=True)
    return library


def _upgrade(
    library: Library,
    version: int,
    sources: Any,
    year: int | None,
    *,
    warn: bool,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Any:
    """Rebuild an outdated library (with `sources` too), saying so on stderr (its warnings
    too when `warn`; `index` prints them with its summary); returns the run's report."""
    from paperbrowse.migration import upgrade
    from paperbrowse.schema import SCHEMA_VERSION, changes_since

    dumps = len(library.manifest().get("sources", {}))
    print(
        f"paperbrowse: upgrading the library in {library.data_dir} from schema {version} to "
        f"{SCHEMA_VERSION} ({changes_since(version)}): rebuilding it from its {dumps} "
        "recorded dumps; stars, read and hidden marks are kept",
        file=sys.stderr,
    )
    report, salvaged = upgrade(
        library,
        version,
        lambda lib, kept: _run_index(
            lib, [*sources, *kept], rebuild=True, year=year, max_bytes=max_bytes
        ),
    )
    if warn:
        for warning in report.warnings:
            _error(f"warning: {warning}")
    back = f" ({salvaged} read back from the old index: their dumps are gone)" if salvaged else ""
    print(
        f"paperbrowse: library upgraded: {len(library)} papers from {report.files_read} "
        f"dumps{back}",
        file=sys.stderr,
    )
    return report


def _open_library(data_dir: Path) -> Library:
    library = ready_library(data_dir)
    if library.searcher is None:
        raise CliError(
            f"the library in {data_dir} is empty: add dumps with `paperbrowse index PATH...`"
        )
    return library


def _triage(data_dir: Path) -> TriageStore:
    from paperbrowse.triage import TriageStore

    return TriageStore(data_dir / "state.db")


def _out_format(requested: str | None) -> str:
    if requested:
        return requested
    return "table" if sys.stdout.isatty() else "tsv"


def cmd_search(args: argparse.Namespace, data_dir: Path) -> int:
    """`paperbrowse search [QUERY]`: exit 0 with results, 1 with none, 2 for a bad query."""
    from paperbrowse.output import write_papers

    filters = filters_from_args(args)
    if args.limit is not None and args.limit < 0:
        raise CliError("--limit must be 0 (all) or more", EXIT_USAGE)
    fmt = _out_format(args.format)
    library = _open_library(data_dir)
    triage = _triage(data_dir)
    results = library.search(filters, triage)
    total = len(results)
    limit = args.limit if args.limit is not None else (TABLE_LIMIT if fmt == "table" else 0)
    count = min(total, limit) if limit else total
    if not count:
        print("paperbrowse: no papers match", file=sys.stderr)
        return EXIT_NONE
    ids = results.ids[:count]
    states = triage.get_many(ids)
    from paperbrowse.models import TriageState

    papers = itertools.islice(results.papers(), count)
    items = ((p, states.get(p.id, TriageState())) for p in papers)
    console = None
    if fmt == "table":
        from rich.console import Console

        console = Console(highlight=False)
    write_papers(items, fmt, sys.stdout, console=console, query_terms=results.terms)
    sys.stdout.flush()
    if fmt == "table" and count < total:
        print(f"{count} of {total} papers shown; --limit 0 shows all", file=sys.stderr)
    return EXIT_OK


def cmd_show(args: argparse.Namespace, data_dir: Path) -> int:
    """`paperbrowse show ID`"""
    library = _open_library(data_dir)
    paper = library.get(args.id)
    if paper is None:
        raise CliError(f"no paper with id {args.id!r}")
    state = _triage(data_dir).get(paper.id)
    if args.format:
        from paperbrowse.output import write_papers

        write_papers([(paper, state)], args.format, sys.stdout)
        return EXIT_OK
    from rich.console import Console

    from paperbrowse.render import paper_renderable

    Console(highlight=False).print(paper_renderable(paper, state))
    return EXIT_OK


def cmd_stats(data_dir: Path) -> int:
    """`paperbrowse stats`"""
    from rich.console import Console

    from paperbrowse.render import stats_renderable

    library = _open_library(data_dir)
    Console(highlight=False).print(stats_renderable(library.stats()))
    return EXIT_OK


# ---------------------------------------------------------------------------------------------
# browse / demo


def ensure_demo_library() -> Path:
    """Index the bundled sample dumps into the demo data dir (no-op when up to date)."""
    from paperbrowse.indexer import collect_sources

    data_dir = demo_data_dir()
    sources, _ = collect_sources([str(sample_dir())])
    library = ready_library(data_dir)
    library.index(sources, year=None)
    library.close()
    return data_dir


def cmd_demo(args: argparse.Namespace) -> int:
    """`paperbrowse demo`: the browser on the bundled sample library."""
    data_dir = ensure_demo_library()
    if args.no_browser:
        print(data_dir)
        return EXIT_OK
    browse_args = build_parser().parse_args(
        ["browse", "--state", "all", *(["--format", args.format] if args.format else [])]
    )
    return cmd_browse(browse_args, data_dir)


def cmd_browse(args: argparse.Namespace, data_dir: Path) -> int:
    """`paperbrowse browse`: the Textual browser; the selection goes to stdout on Enter."""
    filters = filters_from_args(args)
    fmt = args.format or "tsv"
    ready_library(data_dir).close()  # upgraded before the browser starts, if it must be
    from paperbrowse.tui.app import run_browser

    return run_browser(data_dir, filters, fmt)
