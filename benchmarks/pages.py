"""Real paper records from the Hugging Face API written into every page kind, in every capture
syntax, as the site shows them: the test corpus of the parsers (the round-trip tests) and of the
benchmarks.

Each page is modelled line by line on the real captures in ../shared/fixtures: the select-all
dumps and paper page (chrome, blank lines, `• N authors` / `handle Name`, `·`, the date with its
comment count), the Markdown trending page (`###` headings with links, `[图片：…]` alt text,
`[Upvote\\n\\n117](…)`, `Submitted by` blocks, every trending card twice) and the terminal dump
(a capture tool's header, text wrapped at 120 columns, `[text][12]` links). Where no real capture
of a combination exists (a weekly page as Markdown, a paper page as a terminal dump), the page
combines the real layout of its kind with the real conventions of its syntax.

    python benchmarks/pages.py --out /tmp/pages [--kinds daily,trending] [--syntaxes markdown]

`records()` reads ../shared/data/hf-daily-papers-api-2024-2026.jsonl.gz; `corpus()` yields every
`Page` (text, the records on it, what it shows, its capture time); nothing depends on the clock
or on hash order, so the same records give byte-identical pages.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
if __name__ == "__main__" and str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))  # run as a script from a checkout

from benchmarks.page_markup import MARKDOWN, TERMINAL  # noqa: E402
from benchmarks.page_syntax import SELECT_ALL, Card, PageSpec  # noqa: E402

DATA = REPO_ROOT.parent / "shared" / "data" / "hf-daily-papers-api-2024-2026.jsonl.gz"
KINDS = ("daily", "weekly", "monthly", "search", "trending", "paper")
SYNTAXES = ("select-all", "markdown", "terminal")
RENDERERS = {"select-all": SELECT_ALL, "markdown": MARKDOWN, "terminal": TERMINAL}
SEARCH_PAGE = 15  # results on a search page
TRENDING_PAGE = 12  # cards (each shown twice) on a trending page
# Hugging Face user names seen in the real captures: the API records do not name submitters.
USERS = (
    "akhaliq",
    "taesiri",
    "nielsr",
    "vvasilev",
    "bupalinyu",
    "Linzhan",
    "PSRben",
    "andito",
    "rulins",
    "YINBO0927",
)
SUFFIX = {"select-all": ".txt", "markdown": ".md", "terminal": ".txt"}


@dataclass
class Page:
    """One rendered page: its text and what a parse of it must give back.

    `shows` names the `Paper` fields the page shows (the round trip checks exactly those);
    `cards` the records on it in page order with what the page printed for each (submitter,
    rank); `captured` when it was saved (the file's modification time, and on Markdown and
    terminal pages also written in the capture's header).
    """

    name: str
    kind: str
    syntax: str
    text: str
    cards: list[Card]
    shows: frozenset[str]
    captured: datetime
    page_date: date | None = None
    variant: int = 0
    records: list[dict[str, Any]] = field(default_factory=list)


class ArchiveMissing(FileNotFoundError):
    """The HF API archive every benchmark corpus is made from is not where it was looked for."""


def records(path: Path | None = None) -> list[dict[str, Any]]:
    """The API records, in file order (9,877 in the shared archive). `path`: the archive,
    by default $PAPERBROWSE_ARCHIVE, else ../shared/data beside the checkout (DATA).
    ArchiveMissing (one line naming the path and how to give another) when it is absent."""
    path = path or Path(os.environ.get("PAPERBROWSE_ARCHIVE") or DATA)
    if not path.is_file():
        raise ArchiveMissing(
            f"the HF API archive is not at {path}: corpora are made from it "
            "(keep ../shared beside the checkout, or set PAPERBROWSE_ARCHIVE=PATH)"
        )
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


def published(record: dict[str, Any]) -> date:
    """The date a card shows: the arXiv publication day (UTC) of the record."""
    return date.fromisoformat(record["published_at"][:10])


def _card(record: dict[str, Any], index: int) -> Card:
    number = int(record["arxiv_id"].replace(".", "").replace("/", "")[-6:] or 0)
    return Card(record, USERS[(number + index) % len(USERS)], 1 + number % 5)


def _groups(kind: str, recs: Sequence[dict[str, Any]]) -> Iterator[tuple[list[dict], date]]:
    """Records grouped into the pages of a kind, each with its capture day."""
    if kind in ("daily", "weekly", "monthly"):
        keyed: dict[Any, list[dict[str, Any]]] = {}
        for rec in recs:
            day = date.fromisoformat(rec["daily_page"])
            key: Any = day
            if kind == "weekly":
                key = day.isocalendar()[:2]
            elif kind == "monthly":
                key = (day.year, day.month)
            keyed.setdefault(key, []).append(rec)
        for key in sorted(keyed):
            group = keyed[key]
            yield group, max(date.fromisoformat(r["daily_page"]) for r in group)
        return
    if kind == "paper":
        for rec in recs:
            yield [rec], date.fromisoformat(rec["daily_page"]) + timedelta(days=2)
        return
    ordered = sorted(recs, key=lambda r: (r["published_at"], r["arxiv_id"]))
    if kind == "search":
        # Results of a query span the years: every n-th record of the archive, newest first
        # in page order as a relevance sort mixes them; captured the day after the newest.
        count = max(1, round(len(ordered) / SEARCH_PAGE))
        for start in range(count):
            group = ordered[start::count][::-1]
            last = max(date.fromisoformat(r["daily_page"]) for r in group)
            yield group, last + timedelta(days=1)
        return
    for start in range(0, len(ordered), TRENDING_PAGE):
        group = ordered[start : start + TRENDING_PAGE]
        last = max(date.fromisoformat(r["daily_page"]) for r in group)
        yield group, last + timedelta(days=1)


def shown_fields(kind: str, syntax: str, variant: int) -> frozenset[str]:
    """The `Paper` fields a page of this kind, syntax and variant shows (see `Page.shows`)."""
    linked = syntax != "select-all"
    if kind == "paper":
        fields = {"title", "abstract", "summary", "published", "authors", "author_names"}
        fields |= {"submitted_by", "github_stars", "arxiv_id"}
        if linked:
            fields |= {"upvotes", "code_link"}
        return frozenset(fields)
    fields = {"title", "abstract", "published", "authors", "org", "org_handle", "comments"}
    if kind == "trending":
        fields = (fields - {"comments"}) | {"summary", "upvotes", "github_stars", "submitted_by"}
        if linked:
            fields |= {"arxiv_id", "code_link"}
        return frozenset(fields)
    if linked:
        fields |= {"upvotes", "arxiv_id"}
    elif variant % 2 == 0:
        fields |= {"upvotes"}  # a select-all copy with the upvote line before each title
    if kind == "search" and syntax == "select-all" and variant % 4 == 1:
        fields = {"title", "abstract"}  # an older search page: title and abstract only
    return frozenset(fields)


def corpus(
    recs: Sequence[dict[str, Any]],
    kinds: Sequence[str] = KINDS,
    syntaxes: Sequence[str] = SYNTAXES,
) -> Iterator[Page]:
    """Every page of every kind in every syntax: each record is on one page per (kind, syntax)."""
    for kind in kinds:
        for syntax in syntaxes:
            render = RENDERERS[syntax]
            for variant, (group, captured) in enumerate(_groups(kind, recs)):
                cards = [_card(rec, variant) for rec in group]
                shows = shown_fields(kind, syntax, variant)
                spec = PageSpec(kind, cards, captured, variant, shows)
                name = f"{kind}-{syntax}-{variant:05d}{SUFFIX[syntax]}"
                when = datetime(captured.year, captured.month, captured.day, 20, 0)
                page_date = captured if kind in ("daily", "search") else None
                yield Page(
                    name, kind, syntax, render(spec), cards, shows, when, page_date, variant, group
                )


def main(argv: Sequence[str] | None = None) -> int:
    """Write the corpus to a directory, one file per page, with its capture time as mtime."""
    import os

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--kinds", default=",".join(KINDS))
    parser.add_argument("--syntaxes", default=",".join(SYNTAXES))
    parser.add_argument("--limit", type=int, default=0, help="first N records only (0 = all)")
    args = parser.parse_args(argv)
    recs = records(args.data)
    if args.limit:
        recs = recs[: args.limit]
    args.out.mkdir(parents=True, exist_ok=True)
    count = 0
    for page in corpus(recs, args.kinds.split(","), args.syntaxes.split(",")):
        path = args.out / page.name
        path.write_text(page.text, encoding="utf-8")
        stamp = page.captured.timestamp()
        os.utime(path, (stamp, stamp))
        count += 1
    print(f"{count} pages, {len(recs)} records -> {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
