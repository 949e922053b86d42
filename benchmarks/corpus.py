"""The benchmark corpus: real papers, or papers learned from them, saved as a user saves pages.

    python benchmarks/corpus.py --papers 10000 --out DIR      # the 9,877 real records
    python benchmarks/corpus.py --papers 100000 --out DIR [--seed 1]

At 10,000 papers the corpus is the 9,877 real records of
../shared/data/hf-daily-papers-api-2024-2026.jsonl.gz as they are (at fewer, the newest of them
by daily page: the CI smoke test's 1,000). At more it is `--papers` new records written by
benchmarks/textmodel.py, which learns them from those real records (`--generated` forces
that at any size). Either way the records go through one *capture plan*, day by day
in order, and every page is rendered by benchmarks/pages.py's renderers (the real captures'
page kinds and syntaxes):

- a **daily** page for every day, with every paper of that day's list;
- a **weekly** page after every ISO week and a **monthly** page after every month, with the
  period's most upvoted papers (20 and 30 per page, times the density below);
- a **trending** page every 7th daily page (12 cards, each shown twice: the most upvoted
  papers of the last 14 days), a **search** results page every 10th (15 papers drawn from
  everything saved so far), and a **paper** page of a day's most upvoted paper every 3rd;
- each page's syntax drawn as select-all copy 60 %, Markdown 25 %, terminal dump 15 %.

A paper thus appears on its daily page and again where the real upvote counts put it among a
week's, a month's or the trending papers, or where a search finds it: the duplicate rate comes
from the real upvotes (docs/benchmark-corpus.md has it measured on the archive beside the
generated corpora). A generated corpus of n papers keeps the real papers-per-day distribution
times the density `sqrt(n / 9877)` (at least 1), over as many daily pages as that takes, with
the archive's gaps between them (most weekends have none), ending on the archive's last day;
the papers per weekly, monthly, trending and search page and the rate of paper pages scale
with the density too, so the duplicate rate stays the archive's at every size.

Pages stream to disk as they are made (memory is a month of papers, a 4,096-paper sample for
search pages and one byte per paper). Same seed and size -> byte-identical files (each file's
modification time is its capture day, 20:00 local time, as a user's saved file would have).
`corpus.json` in the output directory records what was written.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))  # run as a script from a checkout

from benchmarks import pages  # noqa: E402
from benchmarks.page_syntax import Card, PageSpec  # noqa: E402
from benchmarks.textmodel import Writer, learn  # noqa: E402

REAL_PAPERS = 9877  # records in the archive; --papers 10000 means exactly these
# Changed whenever the same seed and size would give other files (run.py rewrites older corpora).
CORPUS_VERSION = 2
SYNTAX_WEIGHTS = (("select-all", 0.60), ("markdown", 0.25), ("terminal", 0.15))
WEEKLY_TOP = 20
MONTHLY_TOP = 30
TRENDING_EVERY, TRENDING_CARDS, TRENDING_WINDOW = 7, 12, 14
SEARCH_EVERY, SEARCH_RESULTS, SEARCH_SAMPLE = 10, 15, 4096
PAPER_EVERY = 3


@dataclass
class CorpusSummary:
    """What a corpus holds: pages per kind and syntax, cards (a paper on a page, trending's
    second copy not counted), distinct papers, how many pages each paper is on, and the density
    (papers per day against the archive's)."""

    source: str
    seed: int
    version: int
    papers: int
    days: int
    density: float
    files: int = 0
    cards: int = 0
    pages_by_kind: dict[str, int] = field(default_factory=dict)
    cards_by_kind: dict[str, int] = field(default_factory=dict)
    pages_by_syntax: dict[str, int] = field(default_factory=dict)
    pages_per_paper: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


class _Plan:
    """The capture plan (module docstring): records in, pages out, streamed."""

    def __init__(self, out: Path, density: float, rng: random.Random, summary: CorpusSummary):
        self.out, self.density, self.rng, self.summary = out, density, rng, summary
        self.week: list[dict[str, Any]] = []
        self.month: list[dict[str, Any]] = []
        self.recent: list[dict[str, Any]] = []  # the trending window
        self.sample: list[dict[str, Any]] = []  # reservoir for search pages
        self.seen = 0
        self.appearances = bytearray()
        self.budget = {"trending": 0.0, "search": 0.0, "paper": 0.0}
        self.last_day: date | None = None

    def scaled(self, count: int) -> int:
        return max(1, round(count * self.density))

    def syntax(self) -> str:
        roll = self.rng.random()
        for name, weight in SYNTAX_WEIGHTS:
            if roll < weight:
                return name
            roll -= weight
        return SYNTAX_WEIGHTS[-1][0]

    def emit(self, kind: str, group: list[dict[str, Any]], captured: date) -> None:
        if not group:
            return
        summary = self.summary
        syntax = self.syntax()
        variant = summary.pages_by_kind.get(kind, 0)
        cards = [
            Card(rec, pages.USERS[(rec["_n"] + variant) % len(pages.USERS)], 1 + i % 5)
            for i, rec in enumerate(group)
        ]
        shows = pages.shown_fields(kind, syntax, variant)
        text = pages.RENDERERS[syntax](PageSpec(kind, cards, captured, variant, shows))
        path = self.out / f"{summary.files:07d}-{kind}-{syntax}{pages.SUFFIX[syntax]}"
        path.write_bytes(text.encode("utf-8"))
        stamp = datetime(captured.year, captured.month, captured.day, 20, 0).timestamp()
        os.utime(path, (stamp, stamp))
        summary.files += 1
        summary.cards += len(group)
        summary.pages_by_kind[kind] = variant + 1
        summary.cards_by_kind[kind] = summary.cards_by_kind.get(kind, 0) + len(group)
        summary.pages_by_syntax[syntax] = summary.pages_by_syntax.get(syntax, 0) + 1
        for rec in group:
            n = rec["_n"]
            self.appearances[n] = min(255, self.appearances[n] + 1)

    def top(self, group: list[dict[str, Any]], count: int) -> list[dict[str, Any]]:
        return sorted(group, key=lambda r: (-r["upvotes"], r["arxiv_id"]))[:count]

    def flush_week(self) -> None:
        if self.week:
            captured = date.fromisoformat(self.week[-1]["daily_page"])
            self.emit("weekly", self.top(self.week, self.scaled(WEEKLY_TOP)), captured)
        self.week = []

    def flush_month(self) -> None:
        if self.month:
            captured = date.fromisoformat(self.month[-1]["daily_page"])
            self.emit("monthly", self.top(self.month, self.scaled(MONTHLY_TOP)), captured)
        self.month = []

    def day(self, day: date, records: list[dict[str, Any]]) -> None:
        """Take one day's daily list: write its pages and those the plan makes that day."""
        last = self.last_day
        if last is not None and day.isocalendar()[:2] != last.isocalendar()[:2]:
            self.flush_week()
        if last is not None and (day.year, day.month) != (last.year, last.month):
            self.flush_month()
        self.last_day = day
        for rec in records:
            rec["_n"] = self.seen
            self.seen += 1
            self.appearances.append(0)
            # Reservoir sampling: every paper saved so far is equally likely to be in the sample.
            if len(self.sample) < SEARCH_SAMPLE:
                self.sample.append(rec)
            else:
                slot = int(self.rng.random() * self.seen)
                if slot < SEARCH_SAMPLE:
                    self.sample[slot] = rec
        self.emit("daily", records, day)
        self.week += records
        self.month += records
        cutoff = (day - timedelta(days=TRENDING_WINDOW)).isoformat()
        self.recent = [r for r in self.recent if r["daily_page"] > cutoff] + records
        budget = self.budget
        budget["paper"] += self.density / PAPER_EVERY
        for rec in self.top(records, int(budget["paper"])):
            self.emit("paper", [rec], day + timedelta(days=2))
            budget["paper"] -= 1
        budget["trending"] += 1 / TRENDING_EVERY
        if budget["trending"] >= 1:
            cards = self.top(self.recent, self.scaled(TRENDING_CARDS))
            self.emit("trending", cards, day + timedelta(days=1))
            budget["trending"] -= 1
        budget["search"] += 1 / SEARCH_EVERY
        if budget["search"] >= 1:
            k = min(len(self.sample), self.scaled(SEARCH_RESULTS))
            picks = self.rng.sample(range(len(self.sample)), k)
            self.emit("search", [self.sample[i] for i in picks], day + timedelta(days=1))
            budget["search"] -= 1

    def close(self) -> None:
        self.flush_week()
        self.flush_month()
        self.summary.pages_per_paper = {
            str(k): v for k, v in sorted(Counter(self.appearances).items())
        }


def real_days(records: Sequence[dict[str, Any]]) -> Iterator[tuple[date, list[dict[str, Any]]]]:
    """The archive's records grouped by daily page, in date order (file order within a day)."""
    by_day: dict[str, list[dict[str, Any]]] = {}
    for rec in records:
        by_day.setdefault(rec["daily_page"], []).append(dict(rec))
    for day in sorted(by_day):
        yield date.fromisoformat(day), by_day[day]


def density_of(papers: int) -> float:
    """Papers per day of a generated corpus, as a multiple of the archive's: sqrt(n / 9877)."""
    return max(1.0, math.sqrt(papers / REAL_PAPERS))


def generated_days(
    records: Sequence[dict[str, Any]], papers: int, rng: random.Random
) -> Iterator[tuple[date, list[dict[str, Any]]]]:
    """`papers` new records learned from `records`, day by day, ending on the archive's last
    day. The k-th of D daily pages stands for the real day as far through the archive (D is the
    archive's number of days times papers / 9,877 / density): it has that day's count times the
    density (rounded so the counts add up to `papers`), and its papers that day's templates."""
    model = learn(records)
    writer = Writer(model, rng)
    density = density_of(papers)
    real_days = len(model.per_day)
    pages_n = max(1, round(real_days * papers / (REAL_PAPERS * density)))
    weights = [model.per_day[k * real_days // pages_n] for k in range(pages_n)]
    scale = papers / sum(weights)
    counts, total, done = [], 0.0, 0
    for weight in weights:
        total += weight * scale
        counts.append(round(total) - done)
        done += counts[-1]
    # Days with a daily page, gaps between them drawn from the archive's (no page on most
    # weekends), the last on the archive's last day.
    gaps = [model.gaps[int(rng.random() * len(model.gaps))] for _ in counts[1:]]
    last = max(date.fromisoformat(rec["daily_page"]) for rec in records)
    day = last - timedelta(days=sum(gaps))
    for k, count in enumerate(counts):
        if k:
            day += timedelta(days=gaps[k - 1])
        if count:
            yield day, [writer.paper(day, k / pages_n) for _ in range(count)]


def is_real(papers: int) -> bool:
    """True for the sizes the archive itself makes: 10,000 (all 9,877 records) or fewer."""
    return papers <= REAL_PAPERS or papers == 10_000


def write_corpus(
    out: Path,
    papers: int,
    seed: int = 1,
    records: Sequence[dict[str, Any]] | None = None,
    observe: Callable[[dict[str, Any]], None] | None = None,
    generated: bool | None = None,
) -> CorpusSummary:
    """Write the corpus of `papers` papers into `out` (emptied of earlier corpus files first).

    By default (`generated` None) 10,000 means the whole real archive, fewer papers the newest
    `papers` of it (by daily page), and more are generated with `seed`; `generated=True`
    generates any size. `observe`, when given, sees every distinct record once (for
    statistics). Raises pages.ArchiveMissing when the archive (pages.records) is absent.
    """
    started = time.perf_counter()
    recs = records if records is not None else pages.records()
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    for old in out.iterdir():
        if old.is_file() and old.suffix in (".txt", ".md", ".json"):
            old.unlink()
    real = not generated if generated is not None else is_real(papers)
    if real:
        ordered = sorted(recs, key=lambda r: r["daily_page"])
        days = real_days(ordered[len(ordered) - min(papers, len(ordered)) :])
    else:
        days = generated_days(recs, papers, random.Random(f"{seed}-text"))
    density = 1.0 if real else density_of(papers)
    summary = CorpusSummary(
        source="real" if real else "generated",
        seed=seed,
        version=CORPUS_VERSION,
        papers=min(papers, len(recs)) if real else papers,
        days=0,
        density=round(density, 4),
    )
    plan = _Plan(out, density, random.Random(f"{seed}-plan"), summary)
    for day, records_of_day in days:
        summary.days += 1
        if observe is not None:
            for rec in records_of_day:
                observe(rec)
        plan.day(day, records_of_day)
    plan.close()
    summary.seconds = round(time.perf_counter() - started, 1)
    (out / "corpus.json").write_text(json.dumps(asdict(summary), indent=1), "utf-8")
    return summary


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: write a corpus and print a one-line summary."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--papers", type=int, required=True, help="10000 = the real archive")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--generated", action="store_true", help="generate even a small size")
    args = parser.parse_args(argv)
    if args.papers < 1:
        parser.error("--papers must be at least 1")
    try:
        s = write_corpus(args.out, args.papers, args.seed, generated=args.generated or None)
    except pages.ArchiveMissing as exc:
        print(f"benchmarks/corpus.py: {exc}", file=sys.stderr)
        return 2
    print(
        f"{s.source}: {s.papers:,} papers on {s.files:,} pages ({s.cards:,} cards, "
        f"{s.cards / s.papers:.2f} per paper) over {s.days:,} days -> {args.out} in {s.seconds}s",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
