"""The benchmark corpus's statistics beside the real archive's: docs/benchmark-corpus.md.

    python benchmarks/corpus_stats.py --papers 100000 [--seed 1] [--work DIR]

Writes the real corpus (the 9,877 API records) and a generated one of `--papers` papers with
benchmarks/corpus.py, counts the same figures on the records of each (as they go into the
pages) and on the pages written, and regenerates the table between the markers of
docs/benchmark-corpus.md; the figures also go to benchmarks/results/corpus-stats-<papers>.json.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from array import array
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from benchmarks import pages  # noqa: E402
from benchmarks.corpus import CorpusSummary, write_corpus  # noqa: E402
from benchmarks.textmodel import fit_heaps, words_of  # noqa: E402

DOC = REPO_ROOT / "docs" / "benchmark-corpus.md"
RESULTS = REPO_ROOT / "benchmarks" / "results"
PROBE_WORDS = ("model", "diffusion", "language", "video", "reinforcement", "graph", "sparse")


def _quantile(values: Sequence[int], q: float) -> float:
    ordered = sorted(values)
    return float(ordered[min(len(ordered) - 1, int(q * len(ordered)))])


class Stats:
    """Figures counted over records as they stream past (`observe`), then `result()`."""

    def __init__(self) -> None:
        """Empty counters."""
        self.title_words = array("H")
        self.abstract_words = array("H")
        self.authors = array("I")
        self.upvotes = array("I")
        self.comments = array("I")
        self.stars = array("I")
        self.vocabulary: Counter[str] = Counter()
        self.df: Counter[str] = Counter()
        self.orgs: Counter[str] = Counter()
        self.github = self.summaries = self.project_pages = 0
        self.days: set[str] = set()
        self.heaps_sample: list[dict[str, Any]] = []

    def observe(self, rec: dict[str, Any]) -> None:
        """Count one distinct record (API shape)."""
        title, abstract = words_of(rec["title"]), words_of(rec["abstract"])
        self.title_words.append(min(65535, len(rec["title"].split())))
        self.abstract_words.append(min(65535, len(rec["abstract"].split())))
        self.vocabulary.update(title)
        self.vocabulary.update(abstract)
        present = set(title) | set(abstract)
        self.df.update(w for w in PROBE_WORDS if w in present)
        self.authors.append(rec["authors"])
        self.upvotes.append(rec["upvotes"])
        self.comments.append(rec["comments"])
        if rec["org"]:
            self.orgs[rec["org"]] += 1
        if rec["github_repo"]:
            self.github += 1
            if rec["github_stars"] is not None:
                self.stars.append(rec["github_stars"])
        self.summaries += bool(rec["ai_summary"])
        self.project_pages += bool(rec["project_page"])
        self.days.add(rec["daily_page"])
        if len(self.heaps_sample) < 20000:
            self.heaps_sample.append({"title": rec["title"], "abstract": rec["abstract"]})

    def result(self, summary: CorpusSummary) -> dict[str, Any]:
        """Every figure, by name (see the doc table for what each means)."""
        n = len(self.title_words)
        tokens = sum(self.vocabulary.values())
        top100 = sum(c for _, c in self.vocabulary.most_common(100))
        once = sum(1 for c in self.vocabulary.values() if c == 1)
        heaps = fit_heaps(self.heaps_sample)
        per_paper = {int(k): v for k, v in summary.pages_per_paper.items()}
        out: dict[str, Any] = {
            "papers": n,
            "days (daily pages)": len(self.days),
            "papers per day, mean": n / max(1, len(self.days)),
            "title words: mean": statistics.fmean(self.title_words),
            "title words: median / p90": (
                statistics.median(self.title_words),
                _quantile(self.title_words, 0.9),
            ),
            "abstract words: mean": statistics.fmean(self.abstract_words),
            "abstract words: median / p90": (
                statistics.median(self.abstract_words),
                _quantile(self.abstract_words, 0.9),
            ),
            "word tokens (title + abstract)": tokens,
            "distinct words": len(self.vocabulary),
            "distinct words per 1,000 papers": 1000 * len(self.vocabulary) / n,
            "share of tokens in the 100 commonest words": top100 / tokens,
            "share of distinct words seen once": once / len(self.vocabulary),
            "Heaps' law beta (first 20,000 papers)": heaps.beta,
            "commonest 10 words": " ".join(w for w, _ in self.vocabulary.most_common(10)),
            **{f"papers with '{w}'": self.df[w] / n for w in PROBE_WORDS},
            "share with an organisation": sum(self.orgs.values()) / n,
            "distinct organisations": len(self.orgs),
            "commonest organisation, share": (
                f"{self.orgs.most_common(1)[0][0]} {self.orgs.most_common(1)[0][1] / n:.3f}"
                if self.orgs
                else "—"
            ),
            "authors: mean": statistics.fmean(self.authors),
            "authors: median / p90 / max": (
                statistics.median(self.authors),
                _quantile(self.authors, 0.9),
                max(self.authors),
            ),
            "upvotes: mean": statistics.fmean(self.upvotes),
            "upvotes: median / p90 / max": (
                statistics.median(self.upvotes),
                _quantile(self.upvotes, 0.9),
                max(self.upvotes),
            ),
            "comments: mean": statistics.fmean(self.comments),
            "share with comments >= 5": sum(c >= 5 for c in self.comments) / n,
            "share with a GitHub repository": self.github / n,
            "GitHub stars: median": statistics.median(self.stars) if self.stars else 0,
            "share with an AI summary": self.summaries / n,
            "share with a project page": self.project_pages / n,
            "pages": summary.files,
            "cards (a paper on a page)": summary.cards,
            "pages per paper, mean (duplicate rate)": summary.cards / n,
            "share of papers on 2+ pages": sum(v for k, v in per_paper.items() if k >= 2) / n,
            "most pages one paper is on": max(per_paper),
            "pages: daily / weekly / monthly / trending / search / paper": " / ".join(
                str(summary.pages_by_kind.get(k, 0))
                for k in ("daily", "weekly", "monthly", "trending", "search", "paper")
            ),
            "pages: select-all / Markdown / terminal": " / ".join(
                str(summary.pages_by_syntax.get(k, 0))
                for k in ("select-all", "markdown", "terminal")
            ),
            "density (papers per day / the archive's)": summary.density,
            "seconds to write": summary.seconds,
        }
        return out


def measure(out: Path, papers: int, seed: int, records: list[dict[str, Any]]) -> dict[str, Any]:
    """Write one corpus into `out` and count its figures."""
    stats = Stats()
    summary = write_corpus(out, papers, seed, records=records, observe=stats.observe)
    return {"summary": asdict(summary), "figures": stats.result(summary)}


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:,.3f}" if value < 10 else f"{value:,.1f}"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, (tuple, list)):
        return " / ".join(_cell(v) for v in value)
    return str(value)


def table(columns: dict[str, dict[str, Any]]) -> str:
    """A Markdown table: one row per figure, one column per corpus."""
    names = list(columns)
    lines = ["| figure | " + " | ".join(names) + " |", "|---" * (len(names) + 1) + "|"]
    for figure in columns[names[0]]["figures"]:
        cells = [_cell(columns[c]["figures"].get(figure, "—")) for c in names]
        lines.append(f"| {figure} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def write_doc(block: str, doc: Path = DOC) -> None:
    """Replace the block between the markers of `doc`."""
    start, end = "<!-- stats:start -->", "<!-- stats:end -->"
    text = doc.read_text("utf-8")
    text = text[: text.index(start) + len(start)] + "\n" + block + "\n" + text[text.index(end) :]
    doc.write_text(text, "utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    """Command line (module docstring)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--papers", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--work", type=Path, default=Path("/tmp/paperbrowse-bench"), help="as run.py's --work"
    )
    parser.add_argument("--no-doc", action="store_true")
    args = parser.parse_args(argv)
    records = pages.records()
    columns = {
        # The corpora land where benchmarks/run.py looks for them (WORK/SIZE/corpus).
        "real archive": measure(args.work / "10000" / "corpus", 10_000, args.seed, records),
        f"generated, {args.papers:,}": measure(
            args.work / str(args.papers) / "corpus", args.papers, args.seed, records
        ),
    }
    heaps = fit_heaps(records)
    for column in columns.values():
        figures = column["figures"]
        figures["distinct words, the archive's Heaps' law"] = round(
            heaps.vocabulary(figures["word tokens (title + abstract)"])
        )
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"corpus-stats-{args.papers}.json"
    out.write_text(json.dumps(columns, indent=1), "utf-8")
    block = (
        f"`python benchmarks/corpus_stats.py --papers {args.papers} --seed {args.seed}`\n\n"
        + table(columns)
    )
    if not args.no_doc:
        write_doc(block)
    print(block)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
