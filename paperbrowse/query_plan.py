"""The plan of a search: a parsed query split into the text query the engine matches, the
numeric and date ranges the catalog applies, the words to highlight, and the tag:/note:
clauses matched against state.db. query.py parses; this module plans what the parsed query
asks of the engine, the catalog and state.db (`plan_search`, called by library.py and views.py)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from whoosh import query

from paperbrowse.engine.scoring import positive_terms
from paperbrowse.engine.term_weights import WORDS_FIELD
from paperbrowse.errors import QueryError
from paperbrowse.for_field import ForClauseError, split_for
from paperbrowse.models import Filters
from paperbrowse.query import quoted
from paperbrowse.schema import NUMBER_FIELDS, date_long
from paperbrowse.state_fields import StateClause, StateQueryError, split_state_clauses

_DAY_US = 86_400_000_000  # microseconds in a day: Whoosh's DATETIME unit
_RANGE_FIELDS = ("date", *NUMBER_FIELDS)


def split_ranges(
    q: query.Query | None,
) -> tuple[query.Query | None, list[tuple[str, Any, Any]]]:
    """Pull top-level numeric/date ranges out of an AND so the catalog applies them."""
    if q is None:
        return None, []

    def as_range(node: query.Query) -> tuple[str, Any, Any] | None:
        if isinstance(node, query.NumericRange) and node.fieldname in _RANGE_FIELDS:
            lo, hi = node.start, node.end
            if node.startexcl and lo is not None:
                lo += 1
            if node.endexcl and hi is not None:
                hi -= 1
            return (node.fieldname, lo, hi)
        if isinstance(node, query.Term) and node.fieldname in _RANGE_FIELDS:
            return None
        return None

    single = as_range(q)
    if single:
        return None, [single]
    if isinstance(q, query.And):
        ranges: list[tuple[str, Any, Any]] = []
        rest: list[query.Query] = []
        for child in q.subqueries:
            found = as_range(child)
            (ranges if found else rest).append(found or child)
        if not rest:
            return None, ranges
        return (rest[0] if len(rest) == 1 else query.And(rest)), ranges
    return q, []


def range_value(name: str, value: Any) -> int | None:
    """A NumericRange bound in the catalog's units (date ordinals for dates)."""
    if value is None:
        return None
    if name == "date":
        return int(value) // _DAY_US + 1
    return int(value)


def text_terms(q: query.Query | None) -> list[tuple[str, Any]]:
    """The (field, term) pairs `q` looks for in title, abstract and the words field (not those
    under NOT); [] for None or a query whose terms Whoosh cannot list."""
    if q is None:
        return []
    try:  # what the query looks for: not the words under NOT
        return [(f, t) for f, t in positive_terms(q) if f in ("title", "abstract", WORDS_FIELD)]
    except Exception:
        return []


Range = tuple[str, int | None, int | None]  # field, inclusive bounds in the catalog's units


@dataclass(frozen=True)
class Plan:
    """How a search runs: the text query the engine matches (None: none), the ranges the
    catalog applies (date ordinals for "date", counts for the NUMBER_FIELDS; the query's
    top-level ranges and the filters' since/until), and the words it looks for (what the
    browser and `--format table` highlight: not those under NOT), and the tag: and note:
    clauses matched against state.db (state_query.state_ids), each (negated, clause)."""

    text: query.Query | None
    ranges: tuple[Range, ...]
    terms: tuple[str, ...]
    state: tuple[StateClause, ...] = ()


def plan_search(parsed: query.Query | None, filters: Filters) -> Plan:
    """The plan for a parsed query (`QueryLanguage.parse`) under `filters`' date bounds.
    QueryError when a tag: or note: clause stands inside OR or a negated group."""
    try:  # for: orders the results (suggest.py): the search leaves it out
        parsed, state = split_state_clauses(split_for(parsed)[0])
    except (StateQueryError, ForClauseError) as exc:
        raise QueryError(f"invalid query {quoted(filters.query)}: {exc}") from None
    text_query, ranges = split_ranges(parsed)
    if filters.since or filters.until:
        lo = date_long(filters.since) if filters.since else None
        hi = date_long(filters.until) + _DAY_US - 1 if filters.until else None
        ranges.append(("date", lo, hi))
    words = {t.decode() if isinstance(t, bytes) else str(t) for _, t in text_terms(text_query)}
    return Plan(
        text_query,
        tuple((name, range_value(name, lo), range_value(name, hi)) for name, lo, hi in ranges),
        tuple(sorted(words)),
        tuple(state),
    )
