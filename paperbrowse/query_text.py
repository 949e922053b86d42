"""Checks of a query's text before Whoosh parses it, so that a mistake gets one line in our words.

Whoosh's parser turns many mistakes into a query that silently matches nothing (`foo:bar`,
`title:`, `pose AND`) or fails with its own internals (`NOT NOT x`: "list index out of range";
`record:x`: "STORED(...) field has no format"). Each check here returns a problem to report,
or None when the text is fine. The query syntax itself is Whoosh's (see the README).
"""

from __future__ import annotations

import re

# The fields a user can search, in the order messages list them (the README's query language).
SEARCHABLE_FIELDS = (
    "title",
    "abstract",
    "org",
    "author",
    "arxiv",
    "date",
    "upvotes",
    "comments",
    "authors",
    "stars",
    "has_code",
)
# Whoosh's operators: NOT is a prefix, the others stand between two clauses.
PREFIX_OPERATORS = frozenset({"NOT"})
INFIX_OPERATORS = frozenset({"AND", "OR", "ANDNOT", "ANDMAYBE", "REQUIRE"})

# `name:` followed by what the field would apply to. A name starts with a letter (so `10:30`
# and `GPT-4:` stay words) and stands at the start of a word; `https://…` is a link, not a field.
_FIELD = re.compile(r"(?<![\w.\-:])([A-Za-z_]\w*):(?!//)(\S?)")
_TOKENS = re.compile(r"[()]|[^\s()]+")


def field_list() -> str:
    """The searchable fields, for messages: `title, abstract, …`."""
    return ", ".join(SEARCHABLE_FIELDS)


def field_problem(text: str) -> str | None:
    """An unknown or unsearchable field, or a field without a value; None when all is well.

    `foo:bar` names a field that does not exist, `record:x` one that is not searchable, and
    `title:` (or `title: pose`) gives a field nothing to search: Whoosh would silently turn each
    into plain words or match nothing. An unknown name followed by a space (`Lite Pose: A…`,
    pasted from a title) stays words.
    """
    quoted = _quoted_spans(text)
    for match in _FIELD.finditer(text):
        if any(start < match.start() < end for start, end in quoted):
            continue
        name, value = match.group(1), match.group(2)
        if name in SEARCHABLE_FIELDS:
            if not value:
                return f"{name}: needs a value right after the colon ({name}:word)"
            continue
        if not value:
            continue  # a word ending in a colon
        return f"there is no field {name!r} to search; the fields are {field_list()}"
    return None


def _quoted_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each double-quoted stretch, quotes included."""
    marks = [i for i, ch in enumerate(text) if ch == '"']
    return [(marks[i], marks[i + 1] + 1) for i in range(0, len(marks) - 1, 2)]


def operator_problem(text: str) -> str | None:
    """An operator without the words it joins (`NOT NOT x`, `pose AND`, `OR x`); else None."""
    tokens: list[str] = []
    for i, part in enumerate(text.split('"')):
        if i % 2:
            tokens.append('"phrase"')
        else:
            tokens.extend(_TOKENS.findall(part))
    previous: str | None = None
    for n, token in enumerate(tokens):
        following = tokens[n + 1] if n + 1 < len(tokens) else None
        ends = following is None or following == ")" or following in INFIX_OPERATORS
        if token in PREFIX_OPERATORS:
            if following in PREFIX_OPERATORS:
                return "NOT (or a leading -) must be followed by a word, not by another NOT"
            if ends:
                return "NOT (or a leading -) needs a word after it"
        elif token in INFIX_OPERATORS:
            if previous is None or previous == "(" or previous in INFIX_OPERATORS | {"NOT"}:
                return f"{token} needs a word before it"
            if ends:
                return f"{token} needs a word after it"
        previous = token
    return None
