"""The index schema, its version, and a paper record <-> the fields of its Whoosh document.

A document holds one paper: the merged record (`record`), every capture's record it was merged
from (`variants`: source name -> list of records), searchable text and numbers, and `keys`: every
id the paper answers to (the id of its arXiv id, the title id of every title it was seen under)
and `abstract:<hash>` of its abstracts (see identity.py). A capture finds its paper through
them, and an id from before a paper gained its arXiv id still finds it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

from whoosh import fields, query
from whoosh.qparser import QueryParserError
from whoosh.util.times import datetime_to_long

from paperbrowse.analysis import (
    CompactPositions,
    OrgPairText,
    PairText,
    StemmedText,
    WordsText,
    arxiv_analyzer,
    name_analyzer,
    org_analyzer,
)
from paperbrowse.dates import DateError, parse_bound
from paperbrowse.models import Paper, merge, normalise_title
from paperbrowse.schema_history import SCHEMA_VERSION as SCHEMA_VERSION  # the version, re-exported

NUMBER_FIELDS = ("upvotes", "comments", "authors", "stars")  # integer columns, None = absent
_DAY_US = 86_400_000_000


class PaperDate(fields.DATETIME):  # type: ignore[misc]  # Whoosh ships no types: its classes are Any
    """A day-resolution date field whose query syntax is `YYYY`, `YYYY-MM`, `YYYY-MM-DD`.

    Whoosh's own DATETIME parsing ignores `>`/`<` exclusivity and silently matches nothing for an
    impossible date; this keeps its syntax but honours both and reports bad dates as errors.
    """

    def _bounds(self, text: str) -> tuple[int, int]:
        try:
            first = parse_bound(text, end=False)
            last = parse_bound(text, end=True)
        except DateError as exc:
            raise QueryParserError(str(exc)) from None
        return date_long(first), date_long(last) + _DAY_US - 1

    def parse_query(self, fieldname: str, qstring: str, boost: float = 1.0) -> query.Query:
        """`date:2024-03` matches the whole month; `date:*` every dated paper."""
        if qstring == "*":
            return query.NumericRange(fieldname, None, None, boost=boost, constantscore=True)
        lo, hi = self._bounds(qstring)
        return query.NumericRange(fieldname, lo, hi, boost=boost, constantscore=True)

    def parse_range(
        self,
        fieldname: str,
        start: str | None,
        end: str | None,
        startexcl: bool,
        endexcl: bool,
        boost: float = 1.0,
    ) -> query.Query:
        """`date:[2024-01 to 2024-03]`, `date:>2023` (after 2023), `date:<=2024-06`."""
        lo = hi = None
        if start is not None:
            first, last = self._bounds(start)
            lo = last + 1 if startexcl else first
        if end is not None:
            first, last = self._bounds(end)
            hi = first - 1 if endexcl else last
        return query.NumericRange(fieldname, lo, hi, boost=boost, constantscore=True)


class Count(fields.NUMERIC):  # type: ignore[misc]  # Whoosh ships no types: its classes are Any
    """A whole-number field (upvotes, comments, authors, stars) whose query errors are in our
    words.

    Whoosh says "Range start '99999999999' is not a valid number" for a number its 32-bit
    field cannot hold; this says what the field takes and how large a number may be.
    """

    LARGEST = 2**31 - 2  # 2**31 - 1 is Whoosh's column value for a document without the number

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(int, bits=32, **kwargs)

    def _number(self, fieldname: str, text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise QueryParserError(
                f"{fieldname} takes a whole number ({fieldname}:5, {fieldname}:>=10, "
                f"{fieldname}:[5 to 20]), not {text!r}"
            ) from None
        if not 0 <= value <= self.LARGEST:
            raise QueryParserError(f"{fieldname}: {text} is out of range (0 to {self.LARGEST:,})")
        return value

    def parse_query(self, fieldname: str, qstring: str, boost: float = 1.0) -> query.Query:
        """`upvotes:5`; `upvotes:*` is every paper that shows the number."""
        if qstring == "*":
            return query.NumericRange(fieldname, None, None, boost=boost, constantscore=True)
        value = self._number(fieldname, qstring)
        return query.NumericRange(fieldname, value, value, boost=boost, constantscore=True)

    def parse_range(
        self,
        fieldname: str,
        start: str | None,
        end: str | None,
        startexcl: bool,
        endexcl: bool,
        boost: float = 1.0,
    ) -> query.Query:
        """`upvotes:[5 to 20]`, `upvotes:>=10`."""
        lo = self._number(fieldname, start) if start is not None else None
        hi = self._number(fieldname, end) if end is not None else None
        return query.NumericRange(
            fieldname, lo, hi, startexcl, endexcl, boost=boost, constantscore=True
        )


class SortKey(fields.ID):  # type: ignore[misc]  # Whoosh ships no types: its classes are Any
    """A sort column and nothing else: `title_key` orders papers by title (catalog.py) and no
    query searches it (query.SEARCHABLE_FIELDS), so it has no postings and no terms; an ID's
    would be one term per paper (1.3 MB of term index at 10,000 papers). Libraries written
    before keep their indexed `title_key` (Whoosh reads each index's own pickled schema)."""

    def __init__(self) -> None:
        super().__init__(sortable=True)
        self.indexed = False


def source_token(name: str) -> str:
    """The `source` field's term for a dump's source key: a hash of the name.

    Any name a file system allows is a source key (commas, leading spaces, bytes that are not
    UTF-8 as surrogate escapes); the index holds a hex token instead, which no analyzer splits.
    """
    return hashlib.sha256(name.encode("utf-8", "surrogateescape")).hexdigest()[:20]


def make_schema() -> fields.Schema:
    """The index schema: title weighted above abstract, stemmed; author names; the arXiv id;
    sortable date and counts (`upvotes`, `comments`, `authors`, GitHub `stars`); the unstemmed
    words of title, abstract and organisation, which wildcards match (engine/patterns.py); the
    adjacent pairs of common stems of title and abstract and of every organisation term,
    which phrases read (engine/word_pairs.py)."""

    def count() -> fields.NUMERIC:
        return Count(sortable=True)

    def org_field() -> fields.TEXT:
        # Stop words kept (`University of Tokyo`), a gap between name and handle (org_analyzer);
        # positions in CompactPositions, which the side files decode in bulk (Whoosh's own
        # pickled values cost an org phrase ~1.5 ms).
        field = fields.TEXT(analyzer=org_analyzer())
        field.format = CompactPositions(field_boost=1.0)
        return field

    return fields.Schema(
        id=fields.ID(stored=True, unique=True, sortable=True),
        title=StemmedText(field_boost=2.0, stored=True),
        abstract=StemmedText(),
        org=org_field(),
        author=fields.TEXT(analyzer=name_analyzer()),
        arxiv=fields.ID(analyzer=arxiv_analyzer()),
        date=PaperDate(sortable=True),
        upvotes=count(),
        comments=count(),
        authors=count(),
        stars=count(),
        has_code=fields.BOOLEAN(),
        source=fields.KEYWORD(scorable=False),  # source_token of each dump, space-separated
        keys=fields.KEYWORD(scorable=False),
        title_key=SortKey(),
        record=fields.STORED(),
        variants=fields.STORED(),
        title_words=WordsText(),
        abstract_words=WordsText(),
        org_words=WordsText(),
        title_pairs=PairText(),
        abstract_pairs=PairText(),
        org_pairs=OrgPairText(),
    )


def date_long(day: date) -> int:
    """A date as Whoosh's DATETIME column value (microseconds)."""
    return int(datetime_to_long(datetime(day.year, day.month, day.day)))


# ---------------------------------------------------------------------------------------------
# Records


def paper_record(paper: Paper) -> dict[str, Any]:
    """A Paper as a JSON-able dict (what the index stores)."""
    return {
        "title": paper.title,
        "abstract": paper.abstract,
        "published": paper.published.isoformat() if paper.published else None,
        "authors": paper.authors,
        "org": paper.org,
        "org_handle": paper.org_handle,
        "upvotes": paper.upvotes,
        "links": list(paper.links),
        "sources": list(paper.sources),
        "page_date": paper.page_date.isoformat() if paper.page_date else None,
        "comments": paper.comments,
        "arxiv_id": paper.arxiv_id,
        "author_names": list(paper.author_names) if paper.author_names is not None else None,
        "github_stars": paper.github_stars,
        "summary": paper.summary,
        "submitted_by": paper.submitted_by,
        "page_kinds": dict(paper.page_kinds),
    }


def record_paper(rec: dict[str, Any]) -> Paper:
    """The inverse of paper_record."""
    return Paper(
        title=rec["title"],
        abstract=rec["abstract"],
        published=date.fromisoformat(rec["published"]) if rec.get("published") else None,
        authors=rec.get("authors"),
        org=rec.get("org"),
        org_handle=rec.get("org_handle"),
        upvotes=rec.get("upvotes"),
        links=list(rec.get("links") or []),
        sources=list(rec.get("sources") or []),
        page_date=date.fromisoformat(rec["page_date"]) if rec.get("page_date") else None,
        comments=rec.get("comments"),
        arxiv_id=rec.get("arxiv_id"),
        author_names=list(rec["author_names"]) if rec.get("author_names") is not None else None,
        github_stars=rec.get("github_stars"),
        summary=rec.get("summary"),
        submitted_by=rec.get("submitted_by"),
        page_kinds=dict(rec.get("page_kinds") or {}),
    )


Variants = Mapping[str, Sequence[dict[str, Any]]]  # source name -> that capture's records


def variant_records(variants: Variants) -> list[dict[str, Any]]:
    """Every record of `variants`, in source-name order (and each source's own order)."""
    return [rec for name in sorted(variants) for rec in variants[name]]


def merge_variants(variants: Variants) -> Paper:
    """One paper merged (`models.merge`) from its captures' records, in source-name order.

    Raises ValueError when there is no record.
    """
    records = variant_records(variants)
    if not records:
        raise ValueError("a paper needs at least one record")
    merged = record_paper(records[0])
    for rec in records[1:]:
        merged = merge(merged, record_paper(rec))
    return merged


def document(paper: Paper, variants: Variants, keys: Iterable[str]) -> dict[str, Any]:
    """The Whoosh document of a merged paper, its captures' records and its identity terms
    (`identity.lookup_terms`; its own id is always added)."""
    doc: dict[str, Any] = {
        "id": paper.id,
        "title": paper.title,
        "abstract": paper.abstract,
        # name and handle one a line: a phrase never spans the two (org_analyzer)
        "org": "\n".join(" ".join(x.split()) for x in (paper.org, paper.org_handle) if x),
        "has_code": paper.has_code,
        "source": " ".join(source_token(name) for name in paper.sources),
        "keys": " ".join(sorted({paper.id, *keys})),
        "title_key": normalise_title(paper.title),
        "record": json.dumps(paper_record(paper), ensure_ascii=False),
        "variants": json.dumps(
            {name: list(variants[name]) for name in sorted(variants)}, ensure_ascii=False
        ),
    }
    doc["title_words"] = paper.title
    doc["abstract_words"] = paper.abstract
    doc["org_words"] = doc["org"]
    doc["title_pairs"] = paper.title
    doc["abstract_pairs"] = paper.abstract
    doc["org_pairs"] = doc["org"]
    if paper.author_names:
        doc["author"] = "\n".join(paper.author_names)
    if paper.arxiv_id:
        doc["arxiv"] = paper.arxiv_id
    if paper.published:
        doc["date"] = datetime(paper.published.year, paper.published.month, paper.published.day)
    for name, value in (
        ("upvotes", paper.upvotes),
        ("comments", paper.comments),
        ("authors", paper.authors),
        ("stars", paper.github_stars),
    ):
        if value is not None:
            doc[name] = value
    return doc
