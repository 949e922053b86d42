"""The discovery subcommands of the command line: `similar` (papers like one or several, with
the key terms they share) and `new` (what arrived since the last look, a digest) — their
argparse parsers and thin handlers over the typed functions of discovery_commands.py. Part of
the command line (cli.py adds them), like cli_library.py.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from paperbrowse.citekeys import DEFAULT_TEMPLATE
from paperbrowse.discovery_commands import NEW_FORMATS, SIMILAR_FORMATS
from paperbrowse.text import shown_text


def _similar(args: argparse.Namespace, data_dir: Path) -> int:
    from paperbrowse import discovery_commands

    return discovery_commands.similar(
        data_dir, args.ids, limit=args.limit, fmt=args.format, key_template=args.key
    )


def _new(args: argparse.Namespace, data_dir: Path) -> int:
    from paperbrowse import discovery_commands

    return discovery_commands.new(data_dir, since=args.since, fmt=args.format, peek=args.peek)


def add_parsers(sub: Any, *, id_help: str, key_help: str) -> None:
    """Add `similar` and `new` (`sub`: what `add_subparsers` returned; `id_help` and
    `key_help`: the help of an ID argument and of `--key`, shared with `show` and `search`)."""
    p = sub.add_parser(
        "similar",
        help="papers like one (or several together), each with the key terms they share",
        description="Print the papers most like ID (several IDs: like them together), best "
        "first, from titles, abstracts, author names and organisations (tf-idf cosine over the "
        "key terms). The default format `why` prints id, similarity, title and the shared key "
        "terms, tab-separated. Exit 0 with results, 1 with none or an unknown id.",
    )
    p.add_argument("ids", nargs="+", metavar="ID", help=id_help)
    p.add_argument("--limit", type=int, default=20, help="at most N papers (default 20; 0 = all)")
    p.add_argument(
        "--format",
        type=shown_text,
        choices=SIMILAR_FORMATS,
        default="why",
        metavar="FORMAT",
        help=f"one of {', '.join(SIMILAR_FORMATS)} (default: why)",
    )
    p.add_argument("--key", default=DEFAULT_TEMPLATE, metavar="TEMPLATE", help=key_help)
    p.set_defaults(handler=_similar)
    p = sub.add_parser(
        "new",
        help="what arrived since you last looked, grouped by page date (a digest)",
        description="List the papers that arrived in the library since you last looked (the "
        "browser records when each view was opened; a digest printed without --since counts "
        "as a look too), grouped by page date, newest first, in For-you order within a date "
        "when you have starred enough papers. `--format md` writes a Markdown digest to mail "
        "from cron. Exit 0 with papers, 1 with none.",
    )
    p.add_argument(
        "--since",
        metavar="D",
        help="arrived on or after D instead (YYYY-MM-DD, 3d, 2w; not a look)",
    )
    p.add_argument("--peek", action="store_true", help="show the digest without recording a look")
    p.add_argument(
        "--format",
        type=shown_text,
        choices=NEW_FORMATS,
        default="text",
        metavar="FORMAT",
        help=f"one of {', '.join(NEW_FORMATS)} (default: text)",
    )
    p.set_defaults(handler=_new)
