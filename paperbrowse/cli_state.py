"""The command line of triage from scripts, tags, notes and sync: `star|unstar|read|unread|
hide|unhide`, `tag`, `note`, `tags`, `state export|import`. argparse only: each subcommand's
handler (bound with `set_defaults(handler=…)`, as in cli.py) calls a typed function of
state_commands.py, which prints and returns the exit status (0 done, even when nothing needed
changing; 1 nothing to act on or the library cannot be written; 2 a usage mistake).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from paperbrowse.cli_words import split_words
from paperbrowse.state_schema import FLAG_COMMANDS, FLAG_PAST
from paperbrowse.text import shown_text

COMMANDS = (*FLAG_COMMANDS, "tag", "note", "tags", "state")
# Options of these commands that take a value: written `--query=VALUE` before argparse sees
# them, so a value starting with `-` (`--query '-video'`, `--set '- item'`) stays a value.
VALUE_OPTIONS = ("--query", "--set", "--delete")


def add_parsers(sub: Any) -> None:
    """Add the subcommands of this module to the `paperbrowse` parser (`sub`: what
    `add_subparsers` returned)."""
    for command, (flag, value) in FLAG_COMMANDS.items():
        p = sub.add_parser(
            command,
            help=f"{'set' if value else 'clear'} {flag} on papers by id or --query",
            description=f"{FLAG_PAST[command].capitalize()}: the papers named by id (or a unique "
            "prefix of at least 6 hex digits, or an arXiv id), or every paper matching --query "
            "(hidden ones too). Prints how many papers changed.",
        )
        p.add_argument(
            "ids", nargs="*", metavar="ID", help="paper ids, unique prefixes (6+ hex digits)"
        )
        p.add_argument("--query", default="", metavar="QUERY", help="every paper matching QUERY")
        p.set_defaults(handler=_flag)

    p = sub.add_parser(
        "tag",
        help="add (+name) or remove (-name) tags on papers by id or query",
        description="`paperbrowse tag ID... +to-read -later`, or `tag 'diffusion video' "
        "+survey` (words that are not all paper ids are a query; an id is 12 hex digits, or a "
        "unique prefix of at least 6, or an arXiv id, so `tag 5c +x` searches 5c), or "
        "`tag --query QUERY +x`. "
        "Tags are case-insensitive words (letters, digits, - _ . + inside).",
    )
    p.add_argument("words", nargs="*", metavar="ID|QUERY|+TAG|-TAG")
    p.add_argument("--query", default="", metavar="QUERY", help="every paper matching QUERY")
    p.set_defaults(handler=_tag)

    p = sub.add_parser(
        "note",
        help="edit a paper's note in $EDITOR (or --set TEXT)",
        description="Edit one paper's free-text note in $VISUAL or $EDITOR; --set TEXT sets "
        "it without an editor. An empty note clears it.",
    )
    p.add_argument(
        "id", metavar="ID", help="paper id, a unique prefix of 6+ hex digits, or an arXiv id"
    )
    p.add_argument("--set", dest="text", default=None, metavar="TEXT", help="the new note")
    p.set_defaults(handler=_note)

    p = sub.add_parser(
        "tags",
        help="list tags with their counts; --rename OLD NEW, --delete NAME everywhere",
    )
    group = p.add_mutually_exclusive_group()
    group.add_argument("--rename", nargs=2, metavar=("OLD", "NEW"), help="rename a tag")
    group.add_argument("--delete", metavar="NAME", help="remove a tag from every paper")
    p.set_defaults(handler=_tags)

    p = sub.add_parser(
        "state",
        help="export or import triage, tags and notes (sync between machines)",
        description="`state export > state.jsonl` writes every paper's triage, tags and note "
        "with the time of each change; `state import FILE` merges another machine's export: "
        "per field the later change wins, and a paper not in this library gets its state when "
        "it is indexed.",
    )
    p.add_argument("action", type=shown_text, choices=("export", "import"))
    p.add_argument("file", nargs="?", metavar="FILE", help="the export to import (- = stdin)")
    p.set_defaults(handler=_state)


def prepare_argv(argv: list[str], start: int) -> list[str]:
    """`argv` with the words of a command of this module after a `--` (so `-later` and
    `-2401.1` are words, not options) and `--query X` written `--query=X`; `start` is the
    command's position."""
    if argv[start] == "tags":  # --rename OLD NEW: keep its two values after it
        return argv
    options, words = split_words(argv[start + 1 :], VALUE_OPTIONS)
    return argv[: start + 1] + options + (["--", *words] if words else [])


# ---------------------------------------------------------------------------------------------
# Handlers: arguments -> the typed functions of state_commands.py (imported when run, so that
# building the parser loads nothing of the library)


def _flag(args: argparse.Namespace, data_dir: Path) -> int:
    from paperbrowse.state_commands import flag_command

    return flag_command(data_dir, args.command, args.ids, args.query)


def _tag(args: argparse.Namespace, data_dir: Path) -> int:
    from paperbrowse.state_commands import tag_command

    return tag_command(data_dir, args.words, args.query)


def _note(args: argparse.Namespace, data_dir: Path) -> int:
    from paperbrowse.state_commands import note_command

    return note_command(data_dir, args.id, args.text)


def _tags(args: argparse.Namespace, data_dir: Path) -> int:
    from paperbrowse.state_commands import tags_command

    return tags_command(data_dir, rename=args.rename, delete=args.delete)


def _state(args: argparse.Namespace, data_dir: Path) -> int:
    from paperbrowse import state_commands

    if args.action == "export":
        return state_commands.state_export_command(data_dir)
    return state_commands.state_import_command(data_dir, args.file)
