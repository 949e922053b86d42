"""The subcommands that manage what the library holds and the saved views: `dumps`, `forget`,
`views` (`add`, `rm`) — their argparse parsers and thin handlers over the typed functions of
dump_commands.py and view_commands.py. Part of the command line (cli.py adds them); kept apart
so that cli.py stays under 400 lines.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from paperbrowse.discovery_commands import FOR_YOU
from paperbrowse.models import ALL_SORTS, STATES
from paperbrowse.text import shown_text


def add_parsers(sub: Any) -> None:
    """Add `dumps`, `forget` and `views` (`sub`: what `add_subparsers` returned)."""
    sub.add_parser(
        "dumps",
        help="list the recorded dumps: papers, page kind and date, path",
        description="List the dumps the library was built from: the name `forget` takes, how "
        "many papers each held when last indexed, its page kind and date, and its path "
        "(`gone` when the file is no longer there). Dumps that `forget` removed follow.",
    ).set_defaults(handler=_dumps)
    p = sub.add_parser(
        "forget",
        help="remove dumps from the library (triage, tags and notes are kept)",
        description="Remove dumps from the library in one commit: the papers only they "
        "supplied go, papers other dumps also supplied keep what those dumps say. Stars, "
        "read and hidden marks stay in state.db, so indexing a dump again brings its papers "
        "back as they were. `index --rebuild` never reads a forgotten dump.",
    )
    p.add_argument("dumps", nargs="*", metavar="DUMP", help="a recorded name or a dump's path")
    p.add_argument(
        "--sample",
        action="store_true",
        help="forget the bundled sample papers (loaded from the welcome screen)",
    )
    p.set_defaults(handler=_forget)

    p = sub.add_parser(
        "views",
        help="list the saved views with their counts; `views add`, `views rm`",
        description="Saved views are named searches (query, dates, state, sort) kept in the "
        "settings file, where they can be edited by hand. They appear in the browser beside "
        "Inbox, Starred, All and Hidden (keys 5-9 open the first five), and `search --view "
        "NAME` runs one. Without a subcommand: list them, each with how many papers it holds.",
    )
    p.set_defaults(handler=_views)
    views = p.add_subparsers(dest="views_command", metavar="SUBCOMMAND")
    add = views.add_parser(
        "add", help="save a view: NAME QUERY... [--since --until --state --sort]"
    )
    add.add_argument("name", metavar="NAME", help="the view's name (its tab label)")
    add.add_argument(
        "query", nargs="*", metavar="QUERY", help="the query (words are joined; `--` before -word)"
    )
    add.add_argument("--since", default="", metavar="D", help="on or after D (kept as written: 7d)")
    add.add_argument("--until", default="", metavar="D", help="on or before D")
    add.add_argument(
        "--state", type=shown_text, choices=STATES, default="all", help="default: %(default)s"
    )
    add.add_argument(
        "--sort",
        type=shown_text,
        choices=("auto", *ALL_SORTS, FOR_YOU),  # views.VIEW_SORTS (not imported: it loads Whoosh)
        default="auto",
        help="default: auto; for-you: opens in For you's order (without the starred papers)",
    )
    add.set_defaults(handler=_views_add)
    rm = views.add_parser("rm", help="delete a saved view")
    rm.add_argument("name", metavar="NAME")
    rm.set_defaults(handler=_views_rm)


def _dumps(args: argparse.Namespace, data_dir: Path) -> int:
    from paperbrowse import dump_commands

    return dump_commands.dumps(data_dir)


def _forget(args: argparse.Namespace, data_dir: Path) -> int:
    from paperbrowse import dump_commands

    return dump_commands.forget(data_dir, args.dumps, sample=args.sample)


def _views(args: argparse.Namespace, data_dir: Path) -> int:
    from paperbrowse import view_commands

    return view_commands.list_views(data_dir)


def _views_add(args: argparse.Namespace, data_dir: Path) -> int:
    from paperbrowse import view_commands

    return view_commands.add(
        args.name,
        " ".join(args.query),
        since=args.since,
        until=args.until,
        state=args.state,
        sort=args.sort,
        data_dir=data_dir,
    )


def _views_rm(args: argparse.Namespace, data_dir: Path) -> int:
    from paperbrowse import view_commands

    return view_commands.remove(args.name)
