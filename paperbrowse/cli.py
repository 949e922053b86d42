"""The `paperbrowse` command: index, search, show, stats, browse and demo.

The browser (Textual) is imported only by `browse` and `demo`, so `index` and `search` start fast.
"""

from __future__ import annotations

import argparse
import contextlib
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

    from paperbrowse.library import IndexReport, Library
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
    return ("table", "tsv", "jsonl", "json", "md", "bibtex", "titles", "urls", "links")


FORMAT_HELP = (
    "table (a terminal's default), tsv (a pipe's default), jsonl, json, md, bibtex, titles, "
    "urls (one link per paper, the one tsv writes: a code link, else the arXiv page, else the "
    "first link, else an arXiv search), links (every link of every paper, one a line)"
)
STATE_HELP = (
    "which papers: inbox (unread and not hidden), unread, read, starred, hidden, or all "
    "(default: %(default)s)"
)
# Options of `search` and `browse` that take a value (see `_query_words`).
VALUE_OPTIONS = ("--since", "--until", "--state", "--format", "--sort", "--limit")


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
    from paperbrowse.config import config_path

    parser = _ArgumentParser(
        prog="paperbrowse",
        description="Browse, triage and search Hugging Face Daily Papers dumps from the terminal.",
        # Paths on lines of their own, never wrapped (argparse would break them at a hyphen).
        epilog=f"library: {default_data_dir()}\nsettings: {config_path()}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"paperbrowse {__version__}")
    parser.add_argument(
        "--data-dir",
        type=Path,
        metavar="DIR",
        help="library location (default: $PAPERBROWSE_DATA_DIR, else the user data dir: "
        "see `library:` below)",
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
        p.add_argument(
            "query",
            nargs="?",
            default="",
            metavar="QUERY",
            help="the query (words, title:, org:, date:, -word ...); several words are joined, "
            "and a word starting with - excludes it: `search video -image`",
        )
        p.add_argument("--since", metavar="D", help="on or after D (YYYY, YYYY-MM, YYYY-MM-DD, 7d)")
        p.add_argument("--until", metavar="D", help="on or before D")
        p.add_argument("--state", choices=STATES, default=state_default, help=STATE_HELP)
        p.add_argument("--format", choices=_formats(), metavar="FORMAT", help=FORMAT_HELP)

    p = sub.add_parser(
        "search",
        help="print matching papers (hidden ones too, unless --state says otherwise)",
        description="Print the papers matching QUERY. Every paper is searched by default, "
        "hidden ones included (--state all); --state inbox searches what the browser's Inbox "
        "shows.",
    )
    add_filters(p, "all")
    p.add_argument("--sort", choices=ALL_SORTS, help="default: relevance with a query, else date")
    p.add_argument("--limit", type=int, help=f"at most N results (0 = all; table: {TABLE_LIMIT})")

    p = sub.add_parser("show", help="print one paper in full")
    p.add_argument("id", metavar="ID", help="paper id (or a unique prefix)")
    p.add_argument("--format", choices=_formats(), default=None, metavar="FORMAT", help=FORMAT_HELP)

    sub.add_parser("stats", help="library statistics")

    p = sub.add_parser("browse", help="open the browser (the default command)")
    add_filters(p, "inbox")

    p = sub.add_parser(
        "demo",
        help="open the browser on the bundled sample papers",
        description="Open the browser's Inbox on the bundled sample papers, kept in a demo "
        "library of their own, apart from yours; its triage is kept from run to run until "
        f"--reset.\n\ndemo library: {demo_data_dir()}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "--no-browser", action="store_true", help="only build the demo library, print where"
    )
    p.add_argument(
        "--reset", action="store_true", help="start the demo afresh: forget its triage and index"
    )
    p.add_argument(
        "--format", choices=_formats(), metavar="FORMAT", help="what Enter prints (default: tsv)"
    )
    return parser


def _query_words(argv: list[str]) -> list[str]:
    """`argv` with the query of `search`/`browse` gathered after a `--`.

    argparse reads `-pose` as an unknown option; for these two commands every word that starts
    with a single `-` (except `-h`) and every word that is not an option's value is a query
    word, joined in order: `search video -image --limit 5` -> `search --limit 5 -- 'video -image'`.
    """
    start = 0
    while start < len(argv):  # skip the global options to the command
        arg = argv[start]
        if arg == "--data-dir":
            start += 2
        elif arg.startswith("-"):
            start += 1
        else:
            break
    if start >= len(argv) or argv[start] not in ("search", "browse"):
        return argv
    head, rest = argv[: start + 1], argv[start + 1 :]
    options: list[str] = []
    words: list[str] = []
    i = 0
    while i < len(rest):
        arg = rest[i]
        if arg == "--":
            words += rest[i + 1 :]
            break
        if arg.startswith("--"):
            options.append(arg)
            name = arg.split("=", 1)[0]
            takes_value = "=" not in arg and any(o.startswith(name) for o in VALUE_OPTIONS)
            if takes_value and i + 1 < len(rest):
                options.append(rest[i + 1])
                i += 1
        elif arg == "-h":
            options.append(arg)
        else:
            words.append(arg)
        i += 1
    if not words:
        return head + options
    return head + options + ["--", " ".join(words)]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    args = build_parser().parse_args(_query_words(list(sys.argv[1:] if argv is None else argv)))
    _replace_what_the_stream_cannot_hold()
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


def _replace_what_the_stream_cannot_hold() -> None:
    """Output to a stream that is not UTF-8 (PYTHONIOENCODING=cp1252, a Latin-1 locale, a
    Windows redirect) writes every record, with `?` for characters the encoding lacks, instead
    of ending in a UnicodeEncodeError after the first one. Messages on stderr already use
    Python's backslashreplace."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        encoding = (getattr(stream, "encoding", None) or "").lower().replace("-", "")
        if reconfigure is not None and encoding not in ("utf8", "utf_8"):
            with contextlib.suppress(ValueError, OSError):  # a stream that cannot change
                reconfigure(errors="backslashreplace" if stream is sys.stderr else "replace")


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
    from paperbrowse.triage import can_write

    if data_dir.is_dir() and not can_write(data_dir / "write.lock"):
        raise CliError(
            f"the library in {data_dir} is read-only: it cannot be updated "
            "(searching and reading it work)"
        )
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
    print(_one_line(index_summary(report, len(problems), data_dir)), file=sys.stderr)
    return EXIT_NONE if failed else EXIT_OK


def _count(n: int, noun: str) -> str:
    """`1 file`, `2 files`."""
    return f"{n} {noun}{'' if n == 1 else 's'}"


def index_summary(report: IndexReport, problems: int, data_dir: Path) -> str:
    """The one line `index` ends with. Its papers add up: every paper parsed is new, updated,
    unchanged, or a duplicate merged into another record (the same paper twice in the dumps
    read). Stored papers this run changed without parsing them, joined or removed follow."""
    parts = [
        f"{_count(report.files_read, 'file')} read ({report.files_unchanged} unchanged)",
    ]
    papers = f"{_count(report.papers_parsed, 'paper')} parsed: {report.new} new, "
    papers += f"{report.updated} updated, {report.unchanged} unchanged"
    papers += f", {report.duplicates} merged as duplicates"
    parts.append(papers)
    if report.merged:
        parts.append(f"{_count(report.merged, 'stored paper')} joined to another")
    if report.dropped:
        parts.append(f"{_count(report.dropped, 'paper')} no longer in a changed dump")
    if report.removed:
        parts.append(f"{report.removed} removed")
    parts.append(_count(len(report.warnings), "warning"))
    failed = len(report.failures) + problems
    if failed:
        parts.append(f"{failed} failed")
    return ", ".join(parts) + f" -> {data_dir}"


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
    _read_only_notice(data_dir)
    return library


def _triage(data_dir: Path) -> TriageStore:
    """Triage for reading: never writes (a full disk or a read-only library still reads it)."""
    from paperbrowse.triage import TriageStore

    return TriageStore(data_dir / "state.db", writable=False)


def _read_only_notice(data_dir: Path) -> None:
    """One line on stderr when the library cannot be written: triage is read-only."""
    from paperbrowse.triage import can_write, read_only_notice

    if data_dir.is_dir() and not can_write(data_dir / "state.db"):
        _error(read_only_notice(data_dir))


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
        console = _stdout_console()
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

        console = _stdout_console() if args.format == "table" else None
        write_papers([(paper, state)], args.format, sys.stdout, console=console)
        return EXIT_OK
    from paperbrowse.render import paper_lines, print_paper

    if sys.stdout.isatty():
        print_paper(_stdout_console(), paper, state)
    else:  # plain lines: no padding, no URL broken across lines
        sys.stdout.write("".join(line + "\n" for line in paper_lines(paper, state)))
    return EXIT_OK


def _stdout_console() -> Console:
    from rich.console import Console

    return Console(highlight=False)


def cmd_stats(data_dir: Path) -> int:
    """`paperbrowse stats`"""
    from paperbrowse.render import stats_text

    library = _open_library(data_dir)
    text = stats_text(library.stats())
    if sys.stdout.isatty():
        _stdout_console().print(text, soft_wrap=True)
    else:
        sys.stdout.write(text.plain + "\n")
    return EXIT_OK


# ---------------------------------------------------------------------------------------------
# browse / demo


def ensure_demo_library(reset: bool = False) -> Path:
    """Index the bundled sample dumps into the demo data dir (no-op when up to date); with
    `reset`, delete the demo library first (its index and its triage) so it starts afresh."""
    from paperbrowse.indexer import collect_sources

    data_dir = demo_data_dir()
    if reset and data_dir.exists():
        import shutil

        shutil.rmtree(data_dir)
    sources, _ = collect_sources([str(sample_dir())])
    library = ready_library(data_dir)
    library.index(sources, year=None)
    library.close()
    return data_dir


def cmd_demo(args: argparse.Namespace) -> int:
    """`paperbrowse demo`: the browser's Inbox on the bundled sample library."""
    data_dir = ensure_demo_library(reset=args.reset)
    if args.no_browser:
        print(data_dir)
        return EXIT_OK
    browse_args = build_parser().parse_args(
        ["browse", "--state", "inbox", *(["--format", args.format] if args.format else [])]
    )
    return cmd_browse(browse_args, data_dir)


def cmd_browse(args: argparse.Namespace, data_dir: Path) -> int:
    """`paperbrowse browse`: the Textual browser; the selection goes to stdout on Enter."""
    filters = filters_from_args(args)
    fmt = args.format or "tsv"
    ready_library(data_dir).close()  # upgraded before the browser starts, if it must be
    from paperbrowse.tui.app import run_browser

    return run_browser(data_dir, filters, fmt)
