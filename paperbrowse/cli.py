"""The `paperbrowse` command line: argparse, and a thin handler per subcommand that calls the
typed function of index_commands.py (index) or search_commands.py (search, show, stats) or
starts the browser (browse, demo); the subcommands of triage, tags, notes and sync from scripts
are parsed in cli_state.py and run by state_commands.py; `dumps`, `forget` and `views` are added
by cli_library.py, `similar` and `new` by cli_discovery.py.

The browser (Textual) is imported only by `browse` and `demo`, so `index` and `search` start fast.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NoReturn

from paperbrowse import __version__, cli_discovery, cli_library, index_commands, search_commands
from paperbrowse.citekeys import DEFAULT_TEMPLATE
from paperbrowse.cli_words import command_start, split_words
from paperbrowse.command_errors import EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE, CommandError, error
from paperbrowse.discovery_commands import FOR_YOU
from paperbrowse.limits import DEFAULT_MAX_MB, MB
from paperbrowse.models import ALL_SORTS, STATES, Filters
from paperbrowse.output import FORMATS
from paperbrowse.paths import default_data_dir, demo_data_dir, private_umask
from paperbrowse.search_commands import TABLE_LIMIT
from paperbrowse.text import is_text, shown_text

Handler = Callable[[argparse.Namespace, Path], int]

FORMAT_HELP = (
    "table (a terminal's default), tsv (a pipe's default), jsonl, json, md, bibtex, csljson "
    "(CSL-JSON: Zotero, Pandoc, citeproc), ris, titles, "
    "urls (one link per paper, the one tsv writes: a code link, else the arXiv page, else the "
    "first link, else an arXiv search), links (every link of every paper, one a line)"
)
STATE_HELP = (
    "which papers: inbox (unread and not hidden), unread, read, starred, hidden, or all "
    "(default: %(default)s)"
)
# Options of `search` and `browse` that take a value (see `_query_words`, cli_words.py).
VALUE_OPTIONS = (
    "--since",
    "--until",
    "--state",
    "--format",
    "--sort",
    "--limit",
    "--key",
    "--view",
)
ID_HELP = (
    "paper id (12 hex digits), a unique prefix of at least 6 of them, or an arXiv id; "
    "shorter words like 5c or 50 are not ids"
)
KEY_HELP = (
    "citation keys of bibtex, csljson and ris, from {author} (first author's surname, else the "
    "first significant title word) {year} {word} (first significant title word) {id}; "
    "default: %(default)s"
)


class _ArgumentParser(argparse.ArgumentParser):
    """argparse, with usage errors on one line like every other error (subcommands inherit it)."""

    def error(self, message: str) -> NoReturn:
        """Print `paperbrowse: MESSAGE (see ... --help)` and exit 2."""
        error(f"{message} (see `{self.prog} --help`)")
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
    p.set_defaults(handler=_index)

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
        p.add_argument(
            "--state", type=shown_text, choices=STATES, help=STATE_HELP % {"default": state_default}
        )
        p.add_argument(
            "--format", type=shown_text, choices=FORMATS, metavar="FORMAT", help=FORMAT_HELP
        )
        p.add_argument(
            "--view",
            metavar="NAME",
            help="a saved view's query, dates, state and sort (`paperbrowse views`); "
            "options given beside it override the view's",
        )
        p.set_defaults(state_default=state_default)

    p = sub.add_parser(
        "search",
        help="print matching papers (hidden ones too, unless --state says otherwise)",
        description="Print the papers matching QUERY. Every paper is searched by default, "
        "hidden ones included (--state all); --state inbox searches what the browser's Inbox "
        "shows.",
    )
    add_filters(p, "all")
    p.set_defaults(handler=_search)
    p.add_argument(
        "--sort",
        type=shown_text,
        choices=(*ALL_SORTS, FOR_YOU),
        help="default: relevance with a query, else date; for-you: the browser's For-you "
        "order, learned from your stars (newest first with fewer than 5)",
    )
    p.add_argument("--limit", type=int, help=f"at most N results (0 = all; table: {TABLE_LIMIT})")
    p.add_argument("--key", default=DEFAULT_TEMPLATE, metavar="TEMPLATE", help=KEY_HELP)

    p = sub.add_parser("show", help="print one paper in full")
    p.add_argument("id", metavar="ID", help=ID_HELP)
    p.add_argument(
        "--format",
        type=shown_text,
        choices=FORMATS,
        default=None,
        metavar="FORMAT",
        help=FORMAT_HELP,
    )
    p.add_argument("--key", default=DEFAULT_TEMPLATE, metavar="TEMPLATE", help=KEY_HELP)
    p.set_defaults(handler=_show)

    sub.add_parser("stats", help="library statistics").set_defaults(handler=_stats)
    cli_discovery.add_parsers(sub, id_help=ID_HELP, key_help=KEY_HELP)  # similar, new

    p = sub.add_parser("browse", help="open the browser (the default command)")
    add_filters(p, "inbox")
    p.set_defaults(handler=_browse)
    # No command is `browse` with its defaults.
    parser.set_defaults(
        handler=_browse,
        query="",
        since=None,
        until=None,
        state=None,
        state_default="inbox",
        format=None,
        view=None,
    )

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
        "--format",
        type=shown_text,
        choices=FORMATS,
        metavar="FORMAT",
        help="what Enter prints (default: tsv)",
    )
    p.set_defaults(handler=_demo)
    from paperbrowse import cli_state

    cli_state.add_parsers(sub)

    cli_library.add_parsers(sub)  # dumps, forget, views
    return parser


def _query_words(argv: list[str]) -> list[str]:
    """`argv` with the query of `search`/`browse` gathered after a `--`.

    argparse reads `-pose` as an unknown option; for these two commands every word that starts
    with a single `-` (except `-h`) and every word that is not an option's value is a query
    word, joined in order: `search video -image --limit 5` -> `search --limit=5 -- 'video -image'`
    (cli_words.split_words).
    """
    start = command_start(argv)
    from paperbrowse import cli_state

    if start < len(argv) and argv[start] in cli_state.COMMANDS:
        return cli_state.prepare_argv(argv, start)
    if start >= len(argv) or argv[start] not in ("search", "browse"):
        return argv
    options, words = split_words(argv[start + 1 :], VALUE_OPTIONS)
    if not words:
        return argv[: start + 1] + options
    return argv[: start + 1] + options + ["--", " ".join(words)]


# The commands that write the library in one commit: Ctrl+C says the library is unchanged.
_LIBRARY_WRITERS = frozenset(("index", "forget"))


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    args = build_parser().parse_args(_query_words(list(sys.argv[1:] if argv is None else argv)))
    _replace_what_the_stream_cannot_hold()
    try:
        _check_text_arguments(args)
        with private_umask():  # every file paperbrowse creates is the user's alone
            return _call_handler(args.handler, args, args.data_dir or default_data_dir())
    except CommandError as exc:
        error(str(exc))
        return exc.code
    except KeyboardInterrupt:
        if args.command in _LIBRARY_WRITERS:  # say what an interrupted write left
            error("interrupted; the library is as it was before this run")
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader went away (`| head`): not an error. Point stdout at devnull so the
        # interpreter's final flush does not complain either.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK


# Arguments that are file names: any bytes a file system allows, so they are not checked as text.
PATH_ARGUMENTS = ("paths", "file", "dumps", "data_dir")
# How an argument is named in the error (else its name upper-cased: QUERY, NAME, ID).
ARGUMENT_NAMES = {"ids": "ID", "words": "ID|QUERY|+TAG|-TAG", "text": "--set TEXT"}


def _check_text_arguments(args: argparse.Namespace) -> None:
    """CommandError (exit 2, one line naming it) for an argument that is not valid text: bytes
    that are not UTF-8 reach Python as lone surrogates (PEP 383), which no query, id, tag, note
    or view name can hold and SQLite, Whoosh and the output streams refuse. File names
    (PATH_ARGUMENTS) may be any bytes and are not checked."""
    for name, value in vars(args).items():
        if name in PATH_ARGUMENTS:
            continue
        for text in value if isinstance(value, list) else [value]:
            if isinstance(text, str) and not is_text(text):
                shown = shown_text(text)
                named = ARGUMENT_NAMES.get(name, name.upper())
                raise CommandError(
                    f"{named} {shown!r} is not valid text (bytes that are not UTF-8)",
                    EXIT_USAGE,
                )


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


def _call_handler(handler: Handler, args: argparse.Namespace, data_dir: Path) -> int:
    """Run a handler, turning the library's errors into one line and an exit status."""
    from paperbrowse.errors import LibraryError, QueryError
    from paperbrowse.triage import TriageError

    try:
        return handler(args, data_dir)
    except QueryError as exc:
        raise CommandError(str(exc), EXIT_USAGE) from None
    except (LibraryError, TriageError) as exc:
        raise CommandError(str(exc)) from None
    except BrokenPipeError:
        raise
    except OSError as exc:
        # The environment, not a bug: a full or read-only disk, a data dir that is a file...
        where = f"{exc.filename}: " if exc.filename else ""
        raise CommandError(f"{where}{exc.strerror or exc}") from None


# ---------------------------------------------------------------------------------------------
# Handlers: arguments -> the typed functions of index_commands.py and search_commands.py


def _filters(args: argparse.Namespace) -> Filters:
    sort = getattr(args, "sort", None)
    if args.view:  # the saved view, with the options given beside it in its place
        from paperbrowse import view_commands

        return view_commands.view_filters(
            args.view,
            args.query,
            args.since,
            args.until,
            args.state,
            sort,
            state_default=args.state_default,
        )
    return search_commands.filters(
        args.query, args.since, args.until, args.state or args.state_default, sort
    )


def _index(args: argparse.Namespace, data_dir: Path) -> int:
    return index_commands.index(
        data_dir,
        args.paths,
        rebuild=args.rebuild,
        year=args.year,
        max_bytes=int(args.max_size * MB),
    )


def _search(args: argparse.Namespace, data_dir: Path) -> int:
    return search_commands.search(
        data_dir, _filters(args), fmt=args.format, limit=args.limit, key_template=args.key
    )


def _show(args: argparse.Namespace, data_dir: Path) -> int:
    return search_commands.show(data_dir, args.id, fmt=args.format, key_template=args.key)


def _stats(args: argparse.Namespace, data_dir: Path) -> int:
    return search_commands.stats(data_dir)


def _browse(args: argparse.Namespace, data_dir: Path) -> int:
    """`paperbrowse browse`: the Textual browser; the selection goes to stdout on Enter."""
    return _run_browser(data_dir, _filters(args), args.format or "tsv")


def _demo(args: argparse.Namespace, data_dir: Path) -> int:
    """`paperbrowse demo`: the browser's Inbox on the bundled sample library."""
    demo_dir = index_commands.ensure_demo_library(reset=args.reset)
    if args.no_browser:
        print(demo_dir)
        return EXIT_OK
    return _run_browser(demo_dir, Filters(state="inbox"), args.format or "tsv")


def _run_browser(data_dir: Path, chosen: Filters, fmt: str) -> int:
    index_commands.ready_library(data_dir).close()  # upgraded before the browser, if need be
    from paperbrowse.tui import collector

    collector.pause()  # no collection while Textual loads, until the first results
    from paperbrowse.tui.app import run_browser

    return run_browser(data_dir, chosen, fmt)
