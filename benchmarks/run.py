"""The benchmark harness: index, query, browser and peer figures at several library sizes.

    python benchmarks/run.py --papers 10000,100000 [--work DIR] [--quick]

For each size it generates a deterministic corpus (benchmarks/generate.py) and measures, on the
same data: `paperbrowse index` end to end (papers/s, peak RSS, size on disk), a bare Whoosh
writer with the same schema fed the same records, parse-only time, re-index of the unchanged
corpus; in-process query latency (median, p95) with an open library for six query types; cold
whole-process `paperbrowse search`; the browser (first paint, filter keystroke latency, RSS);
and peers on the same data: SQLite FTS5 and `grep -c`/`rg -c`. Results go to
`benchmarks/results/<date>.json`, and the table in `docs/performance.md` is regenerated.
Whole-process figures come from os.wait4 (wall clock and the child's peak RSS).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from benchmarks.generate import generate  # noqa: E402

RESULTS_DIR = REPO_ROOT / "benchmarks" / "results"
DOC = REPO_ROOT / "docs" / "performance.md"
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
# Patterns: prefixes, wildcards, `*` and word ranges, matched against unstemmed words (a pattern
# too broad for one search is refused at once; the refusals are timed too and counted).
PREFIXES = ["co*", "gen*", "diffus*", "train*", "title:diffusion*", "effic*", "trans*", "lang*"]
WILDCARDS = ["diff?sion", "*former", "gr?ph*", "title:*ation", "*ing", "re*ment", "?ision"]
EVERYTHING = ["*", "**", "title:*", "abstract:*"]
WORD_RANGES = ["title:[a to z]", "title:[dif to dig]", "abstract:[vid to vie]", "title:>x"]
QUERY_TYPES = (  # the keys of query_cases, in table order
    "one term",
    "two terms",
    "phrase",
    "term + date range",
    "newest first, first page",
    "term by upvotes",
    "prefix",
    "wildcard",
    "everything (*)",
    "word range",
)


# ---------------------------------------------------------------------------------------------
# Whole-process measurement


# A fresh, small interpreter forks and execs the command and reports its rusage: a child forked
# straight from this (large) process would carry this process's peak RSS in its ru_maxrss.
_LAUNCHER = """
import os, sys, json, time
start = time.perf_counter()
pid = os.fork()
if pid == 0:
    os.execvp(sys.argv[1], sys.argv[1:])
_, status, usage = os.wait4(pid, 0)
wall = time.perf_counter() - start
sys.stderr.write("\\n@@" + json.dumps([os.waitstatus_to_exitcode(status), usage.ru_maxrss, wall]))
"""


def run_process(cmd: Sequence[str], env: dict[str, str] | None = None) -> dict[str, float]:
    """Run a command to completion: wall seconds, peak RSS (MB) and exit status."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-c", _LAUNCHER, *cmd],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=env,
        cwd=REPO_ROOT,
    )
    _, err = proc.communicate()
    text = err.decode(errors="replace")
    head, _, tail = text.rpartition("\n@@")
    # The launcher times the command itself, from fork to exit (its own start-up excluded).
    code, maxrss_kb, wall = (
        json.loads(tail) if tail else (proc.returncode, 0, time.perf_counter() - start)
    )
    if code not in (0, 1):
        raise RuntimeError(f"{' '.join(cmd)} failed ({code}): {head[-500:]}")
    return {"wall_s": wall, "rss_mb": maxrss_kb / 1024, "status": code}


def dir_size_mb(path: Path) -> float:
    """Bytes under `path`, in MB."""
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 2**20


def summarise(samples_ms: list[float]) -> dict[str, float]:
    """Median and p95 of latencies in milliseconds."""
    ordered = sorted(samples_ms)
    p95 = ordered[min(len(ordered) - 1, max(0, round(0.95 * len(ordered)) - 1))]
    return {"median_ms": statistics.median(ordered), "p95_ms": p95, "n": len(ordered)}


def timed(fn: Callable[[], Any], repeat: int) -> list[float]:
    """Run `fn` `repeat` times; each duration in ms."""
    out = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000)
    return out


# ---------------------------------------------------------------------------------------------
# Stages


def stage_index(corpus: Path, data: Path, papers: int) -> dict[str, Any]:
    """`paperbrowse index` end to end, then again on the unchanged corpus."""
    shutil.rmtree(data, ignore_errors=True)
    cmd = [sys.executable, "-m", "paperbrowse", "--data-dir", str(data), "index", str(corpus)]
    first = run_process(cmd)
    again = run_process(cmd)
    return {
        "papers": papers,
        "wall_s": first["wall_s"],
        "papers_per_s": papers / first["wall_s"],
        "rss_mb": first["rss_mb"],
        "disk_mb": dir_size_mb(data),
        "reindex_unchanged_s": again["wall_s"],
    }


def parsed_records(corpus: Path) -> tuple[list[Any], float]:
    """Every paper of the corpus merged by id, and the parse-only seconds."""
    from paperbrowse.models import merge
    from paperbrowse.pages import parse_file

    t0 = time.perf_counter()
    merged: dict[str, Any] = {}
    for path in sorted(corpus.glob("*.txt")):
        for paper in parse_file(path).papers:
            old = merged.get(paper.id)
            merged[paper.id] = paper if old is None else merge(old, paper)
    return list(merged.values()), time.perf_counter() - t0


def stage_bare_whoosh(papers: list[Any], work: Path) -> dict[str, Any]:
    """A bare Whoosh writer, same schema and writer settings, fed the same merged records."""
    from whoosh import index

    from paperbrowse.identity import key_of, lookup_terms
    from paperbrowse.indexer import writer_options
    from paperbrowse.schema import document, make_schema, paper_record

    docs = []
    for paper in papers:
        variants = {s: [paper_record(paper)] for s in paper.sources[:1]}
        docs.append(document(paper, variants, lookup_terms([key_of(paper)])))
    target = work / "bare-whoosh"
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    t0 = time.perf_counter()
    ix = index.create_in(str(target), make_schema())
    writer = ix.writer(**writer_options(len(docs)))
    for doc in docs:
        writer.add_document(**doc)
    writer.commit()
    wall = time.perf_counter() - t0
    return {"wall_s": wall, "papers_per_s": len(docs) / wall, "disk_mb": dir_size_mb(target)}


def query_cases(library: Any) -> dict[str, list[Any]]:
    """The six query types, each a list of Filters with varied terms."""
    from paperbrowse.models import Filters

    return {
        "one term": [Filters(query=t) for t in TERMS],
        "two terms": [Filters(query=f"{a} {b}") for a, b in PAIRS],
        "phrase": [Filters(query=p) for p in PHRASES],
        "term + date range": [
            Filters(query=t, since=date(2023, 1, 1), until=date(2024, 6, 30)) for t in TERMS
        ],
        "newest first, first page": [Filters(limit=0)],
        "term by upvotes": [Filters(query=t, sort="upvotes") for t in TERMS],
        "prefix": [Filters(query=q) for q in PREFIXES],
        "wildcard": [Filters(query=q) for q in WILDCARDS],
        "everything (*)": [Filters(query=q) for q in EVERYTHING],
        "word range": [Filters(query=q) for q in WORD_RANGES],
    }


def stage_queries(data: Path, repeat: int) -> dict[str, Any]:
    """In-process latency with an open library: search plus reading the first page of rows."""
    from paperbrowse.library import Library, QueryError

    library = Library(data)
    t0 = time.perf_counter()
    _ = library.catalog  # the columns are read once per index generation
    open_ms = (time.perf_counter() - t0) * 1000
    t0 = time.perf_counter()
    _ = library.term_arrays  # the postings side files' term tables, read once per generation
    arrays_ms = (time.perf_counter() - t0) * 1000
    out: dict[str, Any] = {"catalog_build_ms": open_ms, "side_files_open_ms": arrays_ms}
    for name, cases in query_cases(library).items():
        samples: list[float] = []
        hits = 0
        refused: set[str] = set()

        def one(filters: Any, refused: set[str] = refused) -> None:
            nonlocal hits
            try:
                results = library.search(filters)
            except QueryError:  # a pattern too broad for one search: refused at once
                refused.add(filters.query)
                return
            hits += len(results)
            for i in range(min(40, len(results))):
                results.row(i)

        firsts: list[float] = []
        for filters in cases:
            # The first run of each query is reported apart (its pages may not be in the OS
            # cache yet); nothing else is kept between runs: each search reads its postings.
            firsts.extend(timed(lambda f=filters: one(f), 1))
            samples.extend(timed(lambda f=filters: one(f), max(1, repeat // len(cases))))
        out[name] = summarise(samples) | {
            "first_max_ms": max(firsts),
            "mean_hits": hits / max(1, len(samples) + len(cases)),
            "refused": sorted(refused),
        }
    library.close()
    return out


def stage_cold_search(data: Path, runs: int) -> dict[str, Any]:
    """Whole-process `paperbrowse search TERM --limit 20`, median of several runs."""
    walls = []
    for i in range(runs):
        cmd = [
            sys.executable,
            "-m",
            "paperbrowse",
            "--data-dir",
            str(data),
            "search",
            TERMS[i % len(TERMS)],
            "--limit",
            "20",
            "--format",
            "tsv",
        ]
        walls.append(run_process(cmd)["wall_s"])
    return {"median_s": statistics.median(walls), "max_s": max(walls), "runs": runs}


def stage_browser(data: Path, keys: int) -> dict[str, Any]:
    """The browser probe in its own process (see browser_probe.py)."""
    start = time.time()
    proc = subprocess.run(
        [
            sys.executable,
            str(REPO_ROOT / "benchmarks" / "browser_probe.py"),
            str(data),
            repr(start),
            "--keys",
            str(keys),
        ],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        check=True,
    )
    probe = json.loads(proc.stdout.strip().splitlines()[-1])
    return {
        "first_paint_s": probe["first_paint_s"],
        "filter": summarise(probe["filter_ms"]),
        "rss_mb": probe["rss_mb"],
    }


def stage_peers(papers: list[Any], corpus: Path, work: Path, repeat: int) -> dict[str, Any]:
    """SQLite FTS5 on the same records and queries; grep/rg counts over the raw dumps."""
    db_path = work / "fts5.db"
    db_path.unlink(missing_ok=True)
    t0 = time.perf_counter()
    db = sqlite3.connect(db_path)
    db.execute(
        "CREATE VIRTUAL TABLE papers USING fts5(title, abstract, published UNINDEXED, "
        "upvotes UNINDEXED, tokenize='porter')"
    )
    db.executemany(
        "INSERT INTO papers VALUES (?, ?, ?, ?)",
        [
            (p.title, p.abstract, p.published.isoformat() if p.published else None, p.upvotes)
            for p in papers
        ],
    )
    db.commit()
    index_s = time.perf_counter() - t0
    db.execute("CREATE TABLE meta AS SELECT rowid AS id, published, upvotes FROM papers")
    db.execute("CREATE INDEX meta_date ON meta(published)")
    db.commit()

    def fts(sql: str, args: tuple[Any, ...]) -> None:
        db.execute(sql, args).fetchmany(40)

    rank = "SELECT rowid, title FROM papers WHERE papers MATCH ? ORDER BY bm25(papers, 2.0, 1.0)"
    cases: dict[str, list[tuple[str, tuple[Any, ...]]]] = {
        "one term": [(rank, (t,)) for t in TERMS],
        "two terms": [(rank, (f"{a} {b}",)) for a, b in PAIRS],
        "phrase": [(rank, (p,)) for p in PHRASES],
        "term + date range": [
            (
                rank.replace("ORDER", "AND published BETWEEN ? AND ? ORDER"),
                (t, "2023-01-01", "2024-06-30"),
            )
            for t in TERMS
        ],
        "newest first, first page": [
            ("SELECT id FROM meta ORDER BY published DESC NULLS LAST LIMIT 40", ())
        ],
        "term by upvotes": [
            ("SELECT rowid FROM papers WHERE papers MATCH ? ORDER BY upvotes DESC", (t,))
            for t in TERMS
        ],
    }
    out: dict[str, Any] = {"fts5_index_s": index_s, "fts5_papers_per_s": len(papers) / index_s}
    for name, items in cases.items():
        samples: list[float] = []
        for sql, args in items:
            fts(sql, args)
            samples.extend(timed(lambda s=sql, a=args: fts(s, a), max(1, repeat // len(items))))
        out[f"fts5 {name}"] = summarise(samples)
    db.close()
    files = [str(p) for p in sorted(corpus.glob("*.txt"))]
    for tool in ("grep", "rg"):
        exe = shutil.which(tool)
        if exe:
            walls = [
                run_process([exe, "-c", "-i", "efficient", *files])["wall_s"] for _ in range(3)
            ]
            out[f"{tool} -c one term_s"] = statistics.median(walls)
    return out


# ---------------------------------------------------------------------------------------------
# Report


TARGETS = [
    ("index papers/s", lambda r: r["index"]["papers_per_s"], ">=", 450),
    ("re-index unchanged s", lambda r: r["index"]["reindex_unchanged_s"], "<=", 2.0),
    *[
        (f"query p95 ms: {name}", lambda r, n=name: r["query"][n]["p95_ms"], "<=", 50)
        for name in QUERY_TYPES
    ],
    ("cold search s", lambda r: r["cold_search"]["median_s"], "<=", 0.6),
    ("browser first paint s", lambda r: r["browser"]["first_paint_s"], "<=", 1.5),
    ("filter keystroke p95 ms", lambda r: r["browser"]["filter"]["p95_ms"], "<=", 150),
    ("browser RSS MB", lambda r: r["browser"]["rss_mb"], "<=", 300),
]


def table(results: dict[str, Any]) -> str:
    """A Markdown table: one row per figure, one column per size."""
    sizes = sorted(results["sizes"], key=int)
    head = "| figure | target | " + " | ".join(f"{int(s):,} papers" for s in sizes) + " |"
    lines = [head, "|" + "---|" * (len(sizes) + 2)]

    def row(label: str, target: str, get: Callable[[dict[str, Any]], Any], fmt: str) -> None:
        cells = []
        for s in sizes:
            try:
                cells.append(format(get(results["sizes"][s]), fmt))
            except (KeyError, TypeError):
                cells.append("—")
        lines.append(f"| {label} | {target} | " + " | ".join(cells) + " |")

    for label, get, op, bound in TARGETS:
        row(label, f"{op} {bound}", get, ".1f" if "ms" in label or "MB" in label else ".2f")
    row("index wall s", "", lambda r: r["index"]["wall_s"], ".1f")
    row("index peak RSS MB", "", lambda r: r["index"]["rss_mb"], ".0f")
    row("library on disk MB", "", lambda r: r["index"]["disk_mb"], ".0f")
    row("bare Whoosh writer papers/s", "", lambda r: r["bare_whoosh"]["papers_per_s"], ".0f")
    row(
        "paperbrowse / bare Whoosh time",
        "",
        lambda r: r["index"]["wall_s"] / r["bare_whoosh"]["wall_s"],
        ".2f",
    )
    row("parse only s", "", lambda r: r["parse_s"], ".2f")
    row("catalog build ms", "", lambda r: r["query"]["catalog_build_ms"], ".0f")
    row("postings side files open ms", "", lambda r: r["query"]["side_files_open_ms"], ".0f")
    for name in QUERY_TYPES:
        row(f"query median ms: {name}", "", lambda r, n=name: r["query"][n]["median_ms"], ".1f")
        row(
            f"query first run, max ms: {name}",
            "",
            lambda r, n=name: r["query"][n]["first_max_ms"],
            ".1f",
        )
        row(f"FTS5 p95 ms: {name}", "", lambda r, n=name: r["peers"][f"fts5 {n}"]["p95_ms"], ".1f")
        row(
            f"FTS5 p95 / paperbrowse p95: {name}",
            "",
            lambda r, n=name: r["peers"][f"fts5 {n}"]["p95_ms"] / r["query"][n]["p95_ms"],
            ".2f",
        )
    for name in ("prefix", "wildcard", "everything (*)", "word range"):
        row(
            f"refused as too broad: {name}",
            "",
            lambda r, n=name: ", ".join(r["query"][n]["refused"]) or "none",
            "",
        )
    row("FTS5 index papers/s", "", lambda r: r["peers"]["fts5_papers_per_s"], ".0f")
    row(
        "FTS5 / paperbrowse index throughput",
        "",
        lambda r: r["peers"]["fts5_papers_per_s"] / r["index"]["papers_per_s"],
        ".1f",
    )
    row("filter keystroke median ms", "", lambda r: r["browser"]["filter"]["median_ms"], ".1f")
    row("grep -c one term s", "", lambda r: r["peers"]["grep -c one term_s"], ".2f")
    row("rg -c one term s", "", lambda r: r["peers"]["rg -c one term_s"], ".2f")
    row(
        "cold search / grep -c one term",
        "",
        lambda r: r["cold_search"]["median_s"] / r["peers"]["grep -c one term_s"],
        ".1f",
    )
    return "\n".join(lines)


def write_doc(results: dict[str, Any], doc: Path = DOC) -> None:
    """Regenerate the table between the markers in docs/performance.md."""
    start, end = "<!-- results:start -->", "<!-- results:end -->"
    block = (
        f"{start}\nMeasured {results['date']} on {results['machine']} "
        f"(`python benchmarks/run.py --papers {results['papers_arg']}`).\n\n"
        f"{table(results)}\n{end}"
    )
    text = doc.read_text("utf-8") if doc.exists() else f"# Performance\n\n{start}\n{end}\n"
    if start in text and end in text:
        text = text[: text.index(start)] + block + text[text.index(end) + len(end) :]
    else:
        text += "\n" + block + "\n"
    doc.parent.mkdir(parents=True, exist_ok=True)
    doc.write_text(text, "utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the harness."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", default="10000", help="comma-separated sizes")
    parser.add_argument("--work", type=Path, default=Path("/tmp/paperbrowse-bench"))
    parser.add_argument("--repeat", type=int, default=60, help="samples per query type")
    parser.add_argument("--keys", type=int, default=40, help="filter keystrokes to time")
    parser.add_argument("--results", type=Path, default=RESULTS_DIR)
    parser.add_argument("--no-doc", action="store_true", help="do not rewrite the docs table")
    parser.add_argument("--doc", type=Path, default=DOC, help="the Markdown file to update")
    parser.add_argument("--skip", default="", help="comma-separated stages to skip")
    args = parser.parse_args(argv)
    skip = set(filter(None, args.skip.split(",")))
    sizes = [int(s.replace("_", "")) for s in args.papers.split(",")]
    results: dict[str, Any] = {
        "date": date.today().isoformat(),
        "machine": f"{os.cpu_count()} cores, Python {sys.version.split()[0]}",
        "papers_arg": args.papers,
        "sizes": {},
    }
    for n in sizes:
        work = args.work / str(n)
        corpus = work / "corpus"
        if not (corpus / ".complete").exists():
            shutil.rmtree(corpus, ignore_errors=True)
            generate(corpus, n, seed=1)
            (corpus / ".complete").touch()
        data = work / "library"
        r: dict[str, Any] = {}

        def log(msg: str, n: int = n) -> None:
            print(f"[{n:,}] {msg}", file=sys.stderr, flush=True)

        log("index")
        r["index"] = stage_index(corpus, data, n)
        log(f"  {r['index']['papers_per_s']:.0f} papers/s")
        papers, r["parse_s"] = parsed_records(corpus)
        if "bare" not in skip:
            log("bare whoosh")
            r["bare_whoosh"] = stage_bare_whoosh(papers, work)
        log("queries")
        r["query"] = stage_queries(data, args.repeat)
        log("cold search")
        r["cold_search"] = stage_cold_search(data, 5)
        if "browser" not in skip:
            log("browser")
            r["browser"] = stage_browser(data, args.keys)
        if "peers" not in skip:
            log("peers")
            r["peers"] = stage_peers(papers, corpus, work, args.repeat)
        results["sizes"][str(n)] = r
    args.results.mkdir(parents=True, exist_ok=True)
    out = args.results / f"{results['date']}.json"
    out.write_text(json.dumps(results, indent=1), "utf-8")
    if not args.no_doc:
        write_doc(results, args.doc)
    print(table(results))
    print(f"\nwrote {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
