"""Measured quality of recommendations on the real archive: simulated users, precision@20, nDCG@20.

    python benchmarks/recommend_eval.py [--topics 20] [--arms all] [--since M --until M]

For each of `--topics` topics taken from the records' `ai_keywords` (recommend_data.py says how
they are chosen and normalised) a simulated user stars 10 topic papers and hides 20 others from
the months before a test month; then the judged papers of the test month (those with
ai_keywords, so relevance is known) are ranked by:

- newest first: the real paperbrowse library's date order (`search` with no query);
- keyword search: the real library's `search '<topic words>'` by relevance (BM25F over title and
  abstract, the title counting twice) for that month, its non-matching papers after it newest
  first (which can only help it);
- For you (paperbrowse.recommend), and the alternatives it was chosen against.

More like this is scored as P@20 of a topic paper's neighbours (and of the ten starred papers
taken together) being in the topic, against the topic's share of the judged papers (chance).
Results go to `benchmarks/results/recommend-<date>.json` and the table in
docs/recommendations.md. Everything is seeded: the same archive gives the same figures.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from benchmarks import recommend_arms as arms  # noqa: E402
from benchmarks.recommend_data import (  # noqa: E402
    ARCHIVE,
    Record,
    User,
    choose_topics,
    load_records,
    render_dumps,
    simulate_user,
)
from paperbrowse.indexer import index_sources  # noqa: E402
from paperbrowse.library import Library  # noqa: E402
from paperbrowse.models import Filters  # noqa: E402
from paperbrowse.recommend.features import FeatureSpace  # noqa: E402
from paperbrowse.recommend.similar import similar  # noqa: E402
from paperbrowse.sources import Source  # noqa: E402

K = 20
DOC = REPO_ROOT / "docs" / "recommendations.md"
RESULTS_DIR = REPO_ROOT / "benchmarks" / "results"


def precision_at(ranked: Sequence[str], relevant: frozenset[str], k: int = K) -> float:
    """Share of the first `k` ranked ids that are relevant (missing places count as misses)."""
    return sum(1 for i in ranked[:k] if i in relevant) / k


def ndcg_at(ranked: Sequence[str], relevant: frozenset[str], k: int = K) -> float:
    """nDCG@k with binary gains: DCG = sum of 1/log2(rank + 1) over relevant ranks, divided by
    the DCG of a perfect ranking of min(k, |relevant|) relevant papers (Järvelin & Kekäläinen
    2002). 0 when nothing is relevant."""
    dcg = sum(1 / math.log2(r + 2) for r, i in enumerate(ranked[:k]) if i in relevant)
    ideal = sum(1 / math.log2(r + 2) for r in range(min(k, len(relevant))))
    return dcg / ideal if ideal else 0.0


@dataclass
class MonthSearch:
    """The real paperbrowse library of the records, searched month by month."""

    library: Library

    @classmethod
    def build(cls, records: Sequence[Record], folder: Path) -> MonthSearch:
        library = Library(folder)
        dumps = render_dumps(records)
        report = index_sources(folder, [Source(name, None, data) for name, data in dumps.items()])
        if report.failures or report.new != len(records):
            raise RuntimeError(f"library build failed: {report.failures[:3]} {report.new}")
        return cls(library)

    def month_ids(self, month: str, query: str = "") -> list[str]:
        """Ids of the month's papers: newest first, or matches of `query` by relevance."""
        year, mon = (int(x) for x in month.split("-"))
        first = date(year, mon, 1)
        last = date(year + mon // 12, mon % 12 + 1, 1).toordinal() - 1
        filters = Filters(query=query, since=first, until=date.fromordinal(last), sort="relevance")
        return self.library.search(filters).ids


@dataclass
class Evaluation:
    """Per-topic scores of every arm, and the more-like-this figures."""

    topics: list[dict[str, Any]] = field(default_factory=list)
    timings: dict[str, list[float]] = field(default_factory=dict)


def evaluate(
    records: Sequence[Record],
    n_topics: int,
    arm_names: Sequence[str],
    seed: int,
    work: Path,
    lo: int = 50,
    hi: int = 300,
    log: Callable[[str], None] = lambda _m: None,
) -> dict[str, Any]:
    """Run every arm for every simulated user; the results as a JSON-able dict."""
    t0 = time.perf_counter()
    space = FeatureSpace.build([r.paper for r in records])
    build_s = time.perf_counter() - t0
    log(f"features: {space.n_papers} papers, {space.n_features} features, {build_s:.1f} s")
    t0 = time.perf_counter()
    lib = MonthSearch.build(records, work / "library")
    log(f"library indexed in {time.perf_counter() - t0:.1f} s")
    judged = np.array([space.row_of(r.paper.id) for r in records if r.judged], dtype=np.int64)
    chosen = choose_topics(records, n_topics, lo, hi)
    context = arms.Context(space, [r.paper for r in records], seed)
    ev = Evaluation()
    for topic, month in chosen:
        user = simulate_user(records, topic, month, seed)
        row: dict[str, Any] = {
            "topic": topic.key,
            "query": topic.query,
            "papers": len(topic.ids),
            "month": month,
            "candidates": len(user.candidates),
            "relevant": len(user.relevant),
            "p": {},
            "ndcg": {},
        }
        ranked = {
            "newest first": _within(lib.month_ids(month), user),
            "keyword search": _padded(
                lib.month_ids(month, topic.query), lib.month_ids(month), user
            ),
        }
        for name in arm_names:
            t0 = time.perf_counter()
            ranked[name] = arms.ARMS[name](context, user)
            ev.timings.setdefault(name, []).append(time.perf_counter() - t0)
        for name, ids in ranked.items():
            row["p"][name] = precision_at(ids, user.relevant)
            row["ndcg"][name] = ndcg_at(ids, user.relevant)
        row["mlt"] = _more_like_this(space, user, judged)
        ev.topics.append(row)
        log(f"{topic.key}: " + " ".join(f"{k}={v:.2f}" for k, v in row["p"].items()))
    return {
        "date": date.today().isoformat(),
        "records": len(records),
        "judged": int(len(judged)),
        "seed": seed,
        "features": {"papers": space.n_papers, "features": space.n_features, "build_s": build_s},
        "arms": ["newest first", "keyword search", *arm_names],
        "topics": ev.topics,
        "mean_arm_s": {k: float(np.mean(v)) for k, v in ev.timings.items()},
    }


def _within(ids: Sequence[str], user: User) -> list[str]:
    """`ids` narrowed to the user's candidates, in order."""
    allowed = set(user.candidates)
    return [i for i in ids if i in allowed]


def _padded(matches: Sequence[str], newest: Sequence[str], user: User) -> list[str]:
    """The matches, then every other candidate newest first."""
    first = _within(matches, user)
    seen = set(first)
    return first + [i for i in _within(newest, user) if i not in seen]


def _more_like_this(space: FeatureSpace, user: User, judged: np.ndarray) -> dict[str, float]:
    """P@20 of neighbours among judged papers: of each topic paper of the test month (up to
    ten, by id), and of the starred papers together; and chance (the topic's share)."""
    topic = user.topic.ids
    in_topic = np.array([space.ids[r] in topic for r in judged])
    singles = []
    for pid in sorted(user.relevant)[:10]:
        row = space.row_of(pid)
        assert row is not None
        found = similar(space, [row], limit=K, candidates=judged, explain=0)
        singles.append(sum(1 for n in found if n.id in topic) / K)
    stars = [r for r in (space.row_of(i) for i in user.starred) if r is not None]
    together = similar(space, stars, limit=K, candidates=judged, explain=0)
    return {
        "single": float(np.mean(singles)) if singles else 0.0,
        "starred": sum(1 for n in together if n.id in topic) / K,
        "chance": float(in_topic.mean()),
    }


def table(results: dict[str, Any]) -> str:
    """The Markdown tables: mean P@20 and nDCG@20 per arm, then per topic, then more like this."""
    names = results["arms"]
    rows = results["topics"]
    n = len(rows)
    lines = [
        f"{n} topics, {results['records']:,} papers ({results['judged']:,} with ai_keywords), "
        f"seed {results['seed']}.",
        "",
        "| ranking | mean P@20 | mean nDCG@20 | topics won vs keyword search | time per user |",
        "|---|---|---|---|---|",
    ]
    for name in names:
        p = np.mean([r["p"][name] for r in rows]) if rows else 0.0
        g = np.mean([r["ndcg"][name] for r in rows]) if rows else 0.0
        wins = sum(1 for r in rows if r["p"][name] > r["p"]["keyword search"])
        ties = sum(1 for r in rows if r["p"][name] == r["p"]["keyword search"])
        spent = results["mean_arm_s"].get(name)
        shown = f"{spent * 1000:.0f} ms" if spent is not None else "—"
        lines.append(f"| {name} | {p:.3f} | {g:.3f} | {wins} ({ties} ties) | {shown} |")
    lines += [
        "",
        "| topic (query) | papers | test month | candidates | relevant | "
        + " | ".join(f"P@20 {name}" for name in names)
        + " |",
        "|---|---|---|---|---|" + "---|" * len(names),
    ]
    for r in rows:
        cells = " | ".join(f"{r['p'][name]:.2f}" for name in names)
        lines.append(
            f"| {r['topic']} (`{r['query']}`) | {r['papers']} | {r['month']} | "
            f"{r['candidates']} | {r['relevant']} | {cells} |"
        )
    single = np.mean([r["mlt"]["single"] for r in rows]) if rows else 0.0
    starred = np.mean([r["mlt"]["starred"] for r in rows]) if rows else 0.0
    chance = np.mean([r["mlt"]["chance"] for r in rows]) if rows else 0.0
    lines += [
        "",
        "| more like this | mean P@20 in topic |",
        "|---|---|",
        f"| one topic paper of the test month (up to 10 per topic) | {single:.3f} |",
        f"| the 10 starred papers together | {starred:.3f} |",
        f"| chance (the topic's share of judged papers) | {chance:.3f} |",
    ]
    return "\n".join(lines)


def write_doc(results: dict[str, Any], doc: Path, command: str, name: str = "eval") -> None:
    """Replace the block between the `<!-- NAME:start -->` and `<!-- NAME:end -->` markers of
    `doc` with the tables (appended with its markers when missing)."""
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    block = f"{start}\nMeasured {results['date']} (`{command}`).\n\n{table(results)}\n{end}"
    text = doc.read_text("utf-8") if doc.exists() else "# Recommendations\n"
    if start in text and end in text:
        text = text[: text.index(start)] + block + text[text.index(end) + len(end) :]
    else:
        text += "\n" + block + "\n"
    doc.write_text(text, "utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    """Command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--archive", type=Path, default=ARCHIVE)
    parser.add_argument("--since", default=None, help="first daily-page month, YYYY-MM")
    parser.add_argument("--until", default=None, help="last daily-page month, YYYY-MM")
    parser.add_argument("--topics", type=int, default=20)
    parser.add_argument("--min-papers", type=int, default=50, help="smallest topic")
    parser.add_argument("--max-papers", type=int, default=300, help="largest topic")
    parser.add_argument("--arms", default="default", help="default|ablation|compare|all|names")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--work", type=Path, default=None, help="where to build the library")
    parser.add_argument("--results", type=Path, default=RESULTS_DIR)
    parser.add_argument("--doc", type=Path, default=DOC)
    parser.add_argument("--no-doc", action="store_true", help="do not rewrite the docs table")
    parser.add_argument("--block", default="eval", help="the doc's marker name to rewrite")
    args = parser.parse_args(argv)
    if not args.archive.exists():
        print(f"recommend_eval: {args.archive}: no such archive", file=sys.stderr)
        return 2
    names = arms.select(args.arms)
    records = load_records(args.archive, args.since, args.until)

    def log(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    with tempfile.TemporaryDirectory(prefix="recommend-eval-") as tmp:
        work = args.work or Path(tmp)
        results = evaluate(
            records, args.topics, names, args.seed, work, args.min_papers, args.max_papers, log
        )
    shown = " ".join(["python benchmarks/recommend_eval.py", *(argv or sys.argv[1:])])
    results["command"] = shown
    results["machine"] = f"{os.cpu_count()} cores, Python {sys.version.split()[0]}"
    args.results.mkdir(parents=True, exist_ok=True)
    out = args.results / f"recommend-{args.block}-{results['date']}.json"
    out.write_text(json.dumps(results, indent=1), "utf-8")
    if not args.no_doc:
        write_doc(results, args.doc, shown, args.block)
    print(table(results))
    print(f"\nwrote {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
