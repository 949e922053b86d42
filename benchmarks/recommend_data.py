"""The real archive for the recommendation benchmark: records, topics, simulated users, library.

Records come from `../shared/data/hf-daily-papers-api-2024-2026.jsonl.gz` (9,877 papers from the
Hugging Face daily-papers API). A paper's month is the month of its `daily_page`. Topics come
from the records' `ai_keywords` and are used only as ground truth: the features, the keyword
query and the library see titles, abstracts, author names and org, never the keywords.
"""

from __future__ import annotations

import gzip
import json
import random
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from paperbrowse.models import Paper

REPO_ROOT = Path(__file__).resolve().parent.parent
ARCHIVE = REPO_ROOT.parent / "shared" / "data" / "hf-daily-papers-api-2024-2026.jsonl.gz"
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
CHROME = ("new", "Get trending papers in your email inbox!", "Subscribe", "Daily Papers")


@dataclass(frozen=True)
class Record:
    """One archive paper: the Paper the library and features see, its daily-page date, and
    its normalised ai_keywords (ground truth only; empty when the record has none)."""

    paper: Paper
    day: date
    keywords: frozenset[str]
    shown_keywords: tuple[str, ...]

    @property
    def month(self) -> str:
        """`YYYY-MM` of the daily page."""
        return self.day.strftime("%Y-%m")

    @property
    def judged(self) -> bool:
        """True when the record has ai_keywords, so topic membership is known."""
        return bool(self.keywords)


def normalise_keyword(keyword: str) -> str:
    """Case-folded, spaces collapsed, a plural `s` dropped from the last word: `Diffusion
    Models` and `diffusion model` are one topic; `LLMs` is `llm`."""
    words = keyword.casefold().split()
    if words and len(words[-1]) > 3 and words[-1].endswith("s") and not words[-1].endswith("ss"):
        words[-1] = words[-1][:-1]
    return " ".join(words)


def load_records(
    path: Path = ARCHIVE, since: str | None = None, until: str | None = None
) -> list[Record]:
    """The archive's records in file order (the first of two with one title id), those of the
    daily-page months `since`..`until` (`YYYY-MM`, inclusive) when given. Raises
    FileNotFoundError when the archive is absent."""
    records: list[Record] = []
    seen: set[str] = set()
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for line in handle:
            rec = json.loads(line)
            paper = Paper(
                title=" ".join(rec["title"].split()),
                abstract=" ".join((rec.get("abstract") or "").split()),
                author_names=list(rec.get("author_names") or []) or None,
                org=rec.get("org") or None,
                authors=rec.get("authors"),
            )
            month = rec["daily_page"][:7]
            if paper.id in seen or not paper.title:
                continue
            if (since and month < since) or (until and month > until):
                continue
            seen.add(paper.id)
            shown = tuple(k.strip() for k in rec.get("ai_keywords") or () if k.strip())
            day = date.fromisoformat(rec["daily_page"])
            paper.published = day
            records.append(
                Record(paper, day, frozenset(normalise_keyword(k) for k in shown), shown)
            )
    return records


@dataclass(frozen=True)
class Topic:
    """A simulated user's interest: a normalised keyword, the query a user would type for it
    (its most used spelling), and the ids of every paper that has it."""

    key: str
    query: str
    ids: frozenset[str]


def choose_topics(
    records: Sequence[Record], count: int, lo: int = 50, hi: int = 300, stars: int = 10
) -> list[tuple[Topic, str]]:
    """`count` topics with `lo`..`hi` papers, each with its test month, most papers first
    (ties by name); a topic qualifies when some month with at least 5 of its papers has at
    least `stars` of them in earlier months. That month is the one with the most (ties: the
    later)."""
    members: dict[str, set[str]] = defaultdict(set)
    spellings: dict[str, Counter[str]] = defaultdict(Counter)
    for rec in records:
        for shown in rec.shown_keywords:
            key = normalise_keyword(shown)
            members[key].add(rec.paper.id)
            spellings[key][shown] += 1
    month_of = {rec.paper.id: rec.month for rec in records}
    chosen: list[tuple[Topic, str]] = []
    for key in sorted(members, key=lambda k: (-len(members[k]), k)):
        if not lo <= len(members[key]) <= hi:
            continue
        per_month = Counter(month_of[i] for i in members[key])
        eligible = [
            m
            for m, n in per_month.items()
            if n >= 5 and sum(c for o, c in per_month.items() if o < m) >= stars
        ]
        if not eligible:
            continue
        month = max(eligible, key=lambda m: (per_month[m], m))
        query = min(spellings[key].items(), key=lambda kv: (-kv[1], kv[0]))[0]
        chosen.append((Topic(key, query, frozenset(members[key])), month))
        if len(chosen) == count:
            break
    return chosen


@dataclass(frozen=True)
class User:
    """A simulated user of one topic: starred and hidden ids (from the months before `month`),
    the judged candidates of `month` newest first, and which of them are relevant."""

    topic: Topic
    month: str
    starred: tuple[str, ...]
    hidden: tuple[str, ...]
    candidates: tuple[str, ...]
    relevant: frozenset[str]


def simulate_user(
    records: Sequence[Record], topic: Topic, month: str, seed: int, stars: int = 10, hides: int = 20
) -> User:
    """Star `stars` topic papers and hide `hides` other judged papers, drawn (seeded by `seed`
    and the topic) from the latest months before `month` that together hold `stars` topic
    papers; the candidates are the judged papers of `month`."""
    rng = random.Random(f"{seed}:{topic.key}")
    by_month: dict[str, list[Record]] = defaultdict(list)
    for rec in records:
        by_month[rec.month].append(rec)
    window: list[Record] = []
    for m in sorted((m for m in by_month if m < month), reverse=True):
        window.extend(by_month[m])
        if sum(1 for r in window if r.paper.id in topic.ids) >= stars:
            break
    window.sort(key=lambda r: r.paper.id)
    on_topic = [r.paper.id for r in window if r.paper.id in topic.ids]
    others = [r.paper.id for r in window if r.judged and r.paper.id not in topic.ids]
    starred = tuple(sorted(rng.sample(on_topic, stars)))
    hidden = tuple(sorted(rng.sample(others, min(hides, len(others)))))
    month_recs = [r for r in by_month[month] if r.judged]
    month_recs.sort(key=lambda r: (r.day, r.paper.id), reverse=True)
    candidates = tuple(r.paper.id for r in month_recs)
    return User(
        topic, month, starred, hidden, candidates, frozenset(topic.ids.intersection(candidates))
    )


def render_dumps(records: Sequence[Record]) -> dict[str, bytes]:
    """One Daily Papers listing dump per daily page, in the select-all syntax of the real
    captures (chrome, page date, then title / abstract / authors / date per card), every
    date with its year; a card's date is its daily page, so `date:` filters by that month."""
    pages: dict[date, list[Record]] = defaultdict(list)
    for rec in records:
        pages[rec.day].append(rec)
    dumps: dict[str, bytes] = {}
    for day, recs in sorted(pages.items()):
        shown = f"{MONTHS[day.month - 1]} {day.day}, {day.year}"
        blocks = [*CHROME, "byAK and the research community", shown]
        for rec in recs:
            authors = rec.paper.authors or len(rec.paper.author_names or ()) or 1
            blocks += [rec.paper.title, rec.paper.abstract, f"  • {authors} authors\n·\n{shown}"]
        dumps[f"daily-{day.isoformat()}.txt"] = "\n\n".join(blocks).encode("utf-8")
    return dumps
