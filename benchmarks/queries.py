"""The harness's query types, each as paperbrowse, SQLite FTS5 and tantivy are asked it.

A `Case` is one query: paperbrowse's query text, sort and date bounds (a `Filters`), the FTS5
statement that asks the same of the FTS5 peer's tables (None where FTS5 has no equivalent:
wildcards inside a word, word ranges), and a `TantivyQuery` for the tantivy peer
(benchmarks/peer_tantivy.py). `cases(papers)` gives every type's cases, in table order; the
rare words and the organisations are picked from the merged records themselves, so each corpus
is asked about words and organisations it holds.

The equivalences: paperbrowse joins words with AND (Whoosh's default group), so tantivy is asked
with `conjunction_by_default`; an unfielded word is title or abstract in all three; patterns
(prefixes, wildcards, word ranges) match the unstemmed words of paperbrowse's `*_words` fields
and of tantivy's, while FTS5 can only match a prefix of its porter stems; "newest first" and
the sorted types read the first 40 rows in that order everywhere.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

TERMS = [
    "model",
    "efficient",
    "diffusion",
    "reinforcement",
    "video",
    "attention",
    "graph",
    "language",
    "training",
    "robust",
    "benchmark",
    "inference",
]
PAIRS = [
    ("efficient", "inference"),
    ("language", "model"),
    ("video", "generation"),
    ("graph", "neural"),
    ("reinforcement", "learning"),
    ("sparse", "attention"),
]
PHRASES = [
    '"language model"',
    '"neural network"',
    '"large language"',
    '"reinforcement learning"',
    '"state of the art"',
    '"video generation"',
]
NOTS = [
    ("model", "diffusion"),
    ("language", "model"),
    ("video", "generation"),
    ("learning", "reinforcement"),
    ("attention", "sparse"),
    ("benchmark", "language"),
]
# Patterns: prefixes, wildcards, `*` and word ranges, matched against unstemmed words (a pattern
# too broad for one search is refused at once by paperbrowse; the refusals are timed too).
PREFIXES = ["co*", "gen*", "diffus*", "train*", "title:diffusion*", "effic*", "trans*", "lang*"]
WILDCARDS = ["diff?sion", "*former", "gr?ph*", "title:*ation", "*ing", "re*ment", "?ision"]
EVERYTHING = ["*", "**", "title:*", "abstract:*"]
WORD_RANGES = ["title:[a to z]", "title:[dif to dig]", "abstract:[vid to vie]", "title:>x"]
DATE_RANGE = (date(2026, 3, 1), date(2026, 7, 31))  # within the last weeks of every corpus
ROWS = 40  # rows read per query, as the browser's first screen does
QUERY_TYPES = (  # table order
    "one term",
    "two terms",
    "phrase",
    "term + date range",
    "newest first, first page",
    "term by upvotes",
    "prefix",
    "rare word",
    "field (org:…)",
    "NOT",
    "comments:>=5 by date",
    "wildcard",
    "everything (*)",
    "word range",
)


@dataclass(frozen=True)
class TantivyQuery:
    """A query for the tantivy peer: `text` for its query parser (over title and abstract,
    AND by default), or `patterns` (regular expressions over the unstemmed word fields, any of
    them matching), or `all_docs`; optionally `date_range`, a `counts` bound
    (field, lowest value) and `order` (a fast field, newest or largest first)."""

    text: str | None = None
    patterns: tuple[tuple[str, str], ...] = ()
    all_docs: bool = False
    date_range: tuple[date, date] | None = None
    counts: tuple[str, int] | None = None
    order: str | None = None


@dataclass(frozen=True)
class Case:
    """One query of a type, for each engine (see the module docstring)."""

    query: str
    sort: str = "auto"
    since: date | None = None
    until: date | None = None
    fts5: tuple[str, tuple[Any, ...]] | None = None
    tantivy: TantivyQuery | None = None
    notes: list[str] = field(default_factory=list)


RANK = "SELECT rowid FROM papers WHERE papers MATCH ? ORDER BY bm25(papers, 2.0, 1.0) LIMIT 40"
BY_UPVOTES = "SELECT rowid FROM papers WHERE papers MATCH ? ORDER BY upvotes DESC LIMIT 40"
_WORD = re.compile(r"[a-z]{7,}")


def rare_words(papers: Sequence[Any], count: int = 8) -> list[str]:
    """`count` words of the merged records' abstracts in 2 to 4 papers each: the sorted
    candidates (lowercase, letters only, 7 letters or more), taken at even steps."""
    df: Counter[str] = Counter()
    for paper in papers:
        df.update(set(_WORD.findall(paper.abstract.lower())))
    found = sorted(w for w, n in df.items() if 2 <= n <= 4)
    if not found:
        return ["zzzzunseen"]
    step = max(1, len(found) // count)
    return found[::step][:count]


def top_orgs(papers: Sequence[Any], count: int = 6) -> list[str]:
    """The `count` organisations with the most papers (ties by name); NVIDIA when none."""
    orgs = Counter(p.org for p in papers if p.org)
    found = [o for o, _ in sorted(orgs.items(), key=lambda kv: (-kv[1], kv[0]))[:count]]
    return found or ["NVIDIA"]  # the archive's commonest: asked even of a corpus without orgs


def _quoted(text: str) -> str:
    return f'"{text}"' if " " in text else text


def _regex(pattern: str) -> tuple[tuple[str, str], ...]:
    """A paperbrowse pattern (`title:*ation`, `gr?ph*`) as tantivy regexes over word fields."""
    fieldname, colon, body = pattern.partition(":")
    if not colon:
        fieldname, body = "", pattern
    regex = re.escape(body.lower()).replace(r"\*", ".*").replace(r"\?", ".")
    fields = [f"{fieldname}_words"] if fieldname else ["title_words", "abstract_words"]
    return tuple((f, regex) for f in fields)


def _word_range(query: str) -> TantivyQuery:
    """`title:[a to z]` / `title:>x` as tantivy's range syntax over the unstemmed word field."""
    fieldname, _, body = query.partition(":")
    if body.startswith(">"):
        return TantivyQuery(text=f"{fieldname}_words:{{{body[1:]} TO *}}")
    low, _, high = body.strip("[]").partition(" to ")
    return TantivyQuery(text=f"{fieldname}_words:[{low} TO {high}]")


def cases(papers: Sequence[Any]) -> dict[str, list[Case]]:
    """Every query type's cases for a corpus of merged records (`Paper`s), in table order."""
    since, until = DATE_RANGE
    lo, hi = since.isoformat(), until.isoformat()
    rare = rare_words(papers)
    orgs = top_orgs(papers)
    types: dict[str, list[Case]] = {
        "one term": [Case(t, fts5=(RANK, (t,)), tantivy=TantivyQuery(text=t)) for t in TERMS],
        "two terms": [
            Case(f"{a} {b}", fts5=(RANK, (f"{a} {b}",)), tantivy=TantivyQuery(text=f"{a} {b}"))
            for a, b in PAIRS
        ],
        "phrase": [Case(p, fts5=(RANK, (p,)), tantivy=TantivyQuery(text=p)) for p in PHRASES],
        "term + date range": [
            Case(
                t,
                since=since,
                until=until,
                fts5=(RANK.replace("ORDER", "AND published BETWEEN ? AND ? ORDER"), (t, lo, hi)),
                tantivy=TantivyQuery(text=t, date_range=DATE_RANGE),
            )
            for t in TERMS
        ],
        "newest first, first page": [
            Case(
                "",
                fts5=("SELECT id FROM meta ORDER BY published DESC NULLS LAST LIMIT 40", ()),
                tantivy=TantivyQuery(all_docs=True, order="published"),
            )
        ],
        "term by upvotes": [
            Case(
                t,
                sort="upvotes",
                fts5=(BY_UPVOTES, (t,)),
                tantivy=TantivyQuery(text=t, order="upvotes"),
            )
            for t in TERMS
        ],
        "prefix": [
            Case(
                q,
                fts5=(RANK, (q,)),
                tantivy=TantivyQuery(patterns=_regex(q)),
                notes=["FTS5 matches a prefix of porter stems"],
            )
            for q in PREFIXES
        ],
        "rare word": [Case(w, fts5=(RANK, (w,)), tantivy=TantivyQuery(text=w)) for w in rare],
        "field (org:…)": [
            Case(
                f"org:{_quoted(o)}",
                fts5=(RANK, (f"org:{_quoted(o)}",)),
                tantivy=TantivyQuery(text=f"org:{_quoted(o)}"),
            )
            for o in orgs
        ],
        "NOT": [
            Case(
                f"{a} NOT {b}",
                fts5=(RANK, (f"{a} NOT {b}",)),
                tantivy=TantivyQuery(text=f"+{a} -{b}"),
            )
            for a, b in NOTS
        ],
        "comments:>=5 by date": [
            Case(
                "comments:>=5",
                sort="date",
                fts5=(
                    "SELECT id FROM meta WHERE comments >= 5 "
                    "ORDER BY published DESC NULLS LAST LIMIT 40",
                    (),
                ),
                tantivy=TantivyQuery(all_docs=True, counts=("comments", 5), order="published"),
            )
        ],
        "wildcard": [Case(q, tantivy=TantivyQuery(patterns=_regex(q))) for q in WILDCARDS],
        "everything (*)": [
            Case(
                q,
                fts5=("SELECT rowid FROM papers LIMIT 40", ()),
                tantivy=TantivyQuery(all_docs=True),
            )
            for q in EVERYTHING
        ],
        "word range": [Case(q, tantivy=_word_range(q)) for q in WORD_RANGES],
    }
    assert tuple(types) == QUERY_TYPES
    return types
