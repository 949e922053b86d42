"""The words of a command line before argparse reads them: where the command stands after the
global options, and the words after it split into options and the command's own words (query
words, paper ids, tags), so that a word starting with `-` (`-image`, `-2401.1`) is never taken
for an unknown option. Used by cli.py for `search`/`browse` and by cli_state.py for triage."""

from __future__ import annotations

from collections.abc import Sequence


def command_start(argv: Sequence[str]) -> int:
    """The position of the command in `argv`, past the global options (`--data-dir DIR`,
    `--version`, …); `len(argv)` when there is none."""
    start = 0
    while start < len(argv):
        arg = argv[start]
        if arg == "--data-dir":
            start += 2
        elif arg.startswith("-"):
            start += 1
        else:
            break
    return start


def split_words(rest: Sequence[str], value_options: Sequence[str]) -> tuple[list[str], list[str]]:
    """The words after a command -> (options, words), each in the order given.

    Options are the words starting with `--`, and `-h`; one of `value_options` (or a prefix of
    one, as argparse accepts) is joined with the word after it as `--option=VALUE`, so that a
    value starting with `-` (`--query '-video'`, `--set '- item'`) stays a value. Every word
    after a `--` is a word. Everything else is a word."""
    options: list[str] = []
    words: list[str] = []
    i = 0
    while i < len(rest):
        arg = rest[i]
        if arg == "--":
            words += rest[i + 1 :]
            break
        if arg.startswith("--"):
            name = arg.split("=", 1)[0]
            takes_value = "=" not in arg and any(o.startswith(name) for o in value_options)
            if takes_value and i + 1 < len(rest):
                options.append(f"{arg}={rest[i + 1]}")
                i += 1
            else:
                options.append(arg)
        elif arg == "-h":
            options.append(arg)
        else:
            words.append(arg)
        i += 1
    return options, words
