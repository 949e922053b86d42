"""The `for:<tag>` query field: For you's ranking trained on the papers tagged `<tag>` instead
of the starred ones (`search 'for:diffusion'`, `for:diffusion date:2025` in the filter bar).

`for:` selects nothing; it says how the papers the rest of the query selects are ordered, so it
is taken out of the query before the search (`split_for`) and the caller orders the results
(suggest.py). Whoosh parses it like a field (the parser's schema gains `for`, a lower-cased
keyword like `tag`); one `for:` clause ANDed with the rest of the query, a tag name, is allowed
(parentheses that only AND it, `grasp (for:robo)`, are the same as none: Whoosh flattens them);
negated, inside OR, nested in another field (`title:for:robo`), a pattern or two different tags
are one line of reason (ForClauseError), as tag: clauses are (state_fields.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from whoosh import fields, query
from whoosh.fields import Schema

FOR_FIELD = "for"
SHOWN_TAGS = 8  # tags named in the unknown-tag message
# `field:for:x` or `field:(… for:x …)`: a `for:` clause given as another field's value.
_NESTED = re.compile(r"(?<![\w:])([a-z_]+):\s*(?:\([^()]*?(?<![\w:])|)for:", re.IGNORECASE)
_QUOTED = re.compile(r'"[^"]*"?')


class ForClauseError(ValueError):
    """A `for:` clause that cannot be applied; the message says why in one line."""


def with_for_field(schema: Schema) -> Schema:
    """A copy of `schema` with the `for` field, for the query parser only."""
    parser_schema = schema.copy()
    parser_schema.add(FOR_FIELD, fields.KEYWORD(lowercase=True, commas=False))
    return parser_schema


def mentions_for(text: str) -> bool:
    """Whether a query's text may hold a `for:` clause (a cheap test before parsing)."""
    return f"{FOR_FIELD}:" in text.lower()


def _mentions(q: query.Query) -> bool:
    if getattr(q, "fieldname", None) == FOR_FIELD:
        return True
    return any(_mentions(child) for child in q.children())


def split_for(q: query.Query | None) -> tuple[query.Query | None, str | None]:
    """(the query without its `for:` clause, the tag it names or None).

    ForClauseError when a `for:` clause is negated, stands inside OR or a group, is a pattern
    or a phrase, or when two clauses name different tags."""
    if q is None or not _mentions(q):
        return q, None
    parts = list(q.subqueries) if isinstance(q, query.And) else [q]
    rest: list[query.Query] = []
    tags: set[str] = set()
    for part in parts:
        if isinstance(part, query.Term) and part.fieldname == FOR_FIELD:
            tags.add(str(part.text))
        elif getattr(part, "fieldname", None) == FOR_FIELD:
            raise ForClauseError("for: takes one tag name (for:diffusion), not a pattern")
        elif _mentions(part):
            raise ForClauseError(
                "for: orders the results; it combines with the rest of a query by AND "
                "(`for:diffusion date:2025`), not under NOT or OR"
            )
        else:
            rest.append(part)
    if len(tags) > 1:
        raise ForClauseError(f"one for: tag at a time, not {', '.join(sorted(tags))}")
    remaining = None if not rest else rest[0] if len(rest) == 1 else query.And(rest)
    return remaining, tags.pop()


def nested_for(text: str) -> str | None:
    """Why a query's text gives `for:` as the value of another field (`title:for:robo`,
    `title:(grasp for:robo)`), which Whoosh would read as that field's text beside a `for:`
    clause; None when it does not. Quoted text is text, and is not looked at."""
    found = _NESTED.search(_QUOTED.sub('""', text))
    if found is None:
        return None
    return (
        f"for: orders the results; it is not a value of {found.group(1)}: "
        "(write it beside the field: `title:grasp for:robo`)"
    )


def for_problem(q: query.Query | None) -> str | None:
    """Why the `for:` clause of a parsed query cannot be applied, or None (QueryLanguage's
    check, so a saved view with a bad `for:` is refused when it is saved)."""
    try:
        split_for(q)
    except ForClauseError as exc:
        return str(exc)
    return None


def unknown_tag(tag: str, names: Iterable[str]) -> str:
    """The one line for `for:<tag>` when no paper carries `tag`; `names` the tags in use."""
    known = sorted(names)
    if not known:
        return f"for:{tag}: no paper is tagged {tag!r}, and there are no tags yet (`tag ID +{tag}`)"
    shown = ", ".join(known[:SHOWN_TAGS]) + (", …" if len(known) > SHOWN_TAGS else "")
    return f"for:{tag}: no paper is tagged {tag!r} (tags: {shown})"
