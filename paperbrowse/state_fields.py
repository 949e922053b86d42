"""The query fields that live in `state.db`, not the index, as the query language sees them:
`tag:to-read` and `note:word`.

Whoosh parses them like any field (the parser's schema gains `tag`, a lower-cased keyword, and
`note`, analysed exactly like `abstract`), then `split_state_clauses` takes the clauses out of
the query; state_query.py turns each into a set of paper ids read from state.db, and the search
intersects by id, as triage views do. A tag or note clause combines with the rest of a query by
AND (`diffusion tag:to-read`, `-tag:done`, and parentheses that only group ANDed terms,
`(tag:a pose)`, which the parser flattens); inside OR (`tag:a OR pose`) or a negated group of
several terms (`-(tag:a pose)`) it is refused with a one-line reason (StateQueryError).
"""

from __future__ import annotations

import copy

from whoosh import fields, query
from whoosh.fields import Schema

STATE_FIELDS = ("tag", "note")

StateClause = tuple[bool, query.Query]  # (negated, a tag: or note: term/phrase/pattern query)


class StateQueryError(ValueError):
    """A tag: or note: clause this search cannot apply; the message says why."""


def mentions_state_fields(text: str) -> bool:
    """Whether a query's text may hold a tag: or note: clause (a cheap test: a search without
    one need not read tags and notes)."""
    lowered = text.lower()
    return "tag:" in lowered or "note:" in lowered


def with_state_fields(schema: Schema) -> Schema:
    """A copy of the index schema with `tag` and `note`, for the query parser only."""
    parser_schema = schema.copy()
    parser_schema.add("tag", fields.KEYWORD(lowercase=True, commas=False))
    parser_schema.add("note", copy.deepcopy(schema["abstract"]))
    return parser_schema


def _fields_of(q: query.Query) -> set[str]:
    found = {q.fieldname} if getattr(q, "fieldname", None) else set()
    for child in q.children():
        found |= _fields_of(child)
    return found


def _is_state_clause(q: query.Query) -> bool:
    inner = q.query if isinstance(q, query.Not) else q
    return getattr(inner, "fieldname", None) in STATE_FIELDS and not list(inner.children())


def split_state_clauses(q: query.Query | None) -> tuple[query.Query | None, list[StateClause]]:
    """(the query without its tag/note clauses, [(negated, clause)]); StateQueryError when a
    clause stands anywhere but at the top level of an AND."""
    if q is None:
        return None, []
    parts = list(q.subqueries) if isinstance(q, query.And) else [q]
    rest: list[query.Query] = []
    clauses: list[StateClause] = []
    for part in parts:
        if _is_state_clause(part):
            negated = isinstance(part, query.Not)
            clauses.append((negated, part.query if negated else part))
        elif _fields_of(part) & set(STATE_FIELDS):
            raise StateQueryError(
                "tag: and note: combine with the rest of a query by AND only "
                "(`diffusion tag:to-read`, `-tag:done`), not inside OR nor inside a negated "
                "group like `-(tag:a pose)`"
            )
        else:
            rest.append(part)
    if not rest:
        return None, clauses
    return (rest[0] if len(rest) == 1 else query.And(rest)), clauses
