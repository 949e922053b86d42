"""The benchmark harness: index, query, browser and peer figures at several library sizes.

    python benchmarks/run.py --papers 10000,100000 [--work DIR] [--skip STAGES]
    python benchmarks/run.py --papers 1000000            # the 10^6 run: hours, not in CI

For each size it writes the corpus (benchmarks/corpus.py: the 9,877 real records at 10,000,
papers learned from them at other sizes, saved as daily, weekly, monthly, trending, search and
paper pages in the three capture syntaxes) and measures, on the same data: `paperbrowse index`
end to end (papers/s, peak RSS, size on disk), a bare Whoosh writer with the same schema fed the
same merged records, parse-only time, re-index of the unchanged corpus; in-process query latency
(median, p95) with an open library for every query type of benchmarks/queries.py; cold
whole-process `paperbrowse search`; the peak RSS of `paperbrowse search '' --format json` at two
result counts; the browser (first paint, filter keystroke latency, RSS); and peers on the same
merged records and queries: tantivy (benchmarks/peer_tantivy.py, its own process for indexing;
skipped with the reason recorded when the package is not installed), SQLite FTS5, and
`grep -c`/`rg -c` over the raw pages. Results go to `benchmarks/results/<date>.json` with the
load average at each stage (the machine is shared), and the tables in `docs/performance.md`
are regenerated, the targets of issue 15 marked met or missed.
Whole-process figures come from os.wait4 (wall clock and the child's peak RSS).
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from benchmarks import peer_tantivy  # noqa: E402
from benchmarks.corpus import CORPUS_VERSION, REAL_PAPERS, is_real, write_corpus  # noqa: E402
from benchmarks.pages import ArchiveMissing  # noqa: E402
from benchmarks.queries import QUERY_TYPES, ROWS, TERMS, Case, cases  # noqa: E402

RESULTS_DIR = REPO_ROOT / "benchmarks" / "results"
DOC = REPO_ROOT / "docs" / "performance.md"
CAPTURES = ("*.txt", "*.md")


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
cpu = usage.ru_utime + usage.ru_stime  # the command and the processes it waited for
code = os.waitstatus_to_exitcode(status)
sys.stderr.write("\\n@@" + json.dumps([code, usage.ru_maxrss, wall, cpu]))
"""


def run_process(
    cmd: Sequence[str], env: dict[str, str] | None = None, stdout: bool = False
) -> dict[str, Any]:
    """Run a command to completion: wall seconds, CPU seconds (its own and its waited-for
    children's: on a shared machine the steadier figure), peak RSS (MB), exit status and, when
    asked, its standard output (else discarded)."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-c", _LAUNCHER, *cmd],
        stdout=subprocess.PIPE if stdout else subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=env,
        cwd=REPO_ROOT,
    )
    out, err = proc.communicate()
    text = err.decode(errors="replace")
    head, _, tail = text.rpartition("\n@@")
    # The launcher times the command itself, from fork to exit (its own start-up excluded).
    code, maxrss_kb, wall, cpu = (
        json.loads(tail) if tail else (proc.returncode, 0, time.perf_counter() - start, 0.0)
    )
    if code not in (0, 1):
        raise RuntimeError(f"{' '.join(cmd)} failed ({code}): {head[-500:]}")
    result: dict[str, Any] = {"wall_s": wall, "cpu_s": cpu, "rss_mb": maxrss_kb / 1024}
    result["status"] = code
    if stdout:
        result["stdout"] = out.decode(errors="replace")
    return result


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


def load() -> list[float]:
    """The machine's load average (1, 5, 15 minutes): the machine is shared."""
    return [round(x, 2) for x in os.getloadavg()]


# ---------------------------------------------------------------------------------------------
# Stages


def ensure_corpus(corpus: Path, papers: int, seed: int) -> dict[str, Any]:
    """The corpus of `papers` papers in `corpus`, written unless the one there is that corpus
    (its corpus.json names the same size, seed and source)."""
    meta = corpus / "corpus.json"
    if meta.exists():
        known = json.loads(meta.read_text("utf-8"))
        real = is_real(papers)
        if (
            known.get("version") == CORPUS_VERSION
            and known.get("source") == ("real" if real else "generated")
            and known.get("papers") == (min(papers, REAL_PAPERS) if real else papers)
            and (real or known.get("seed") == seed)
        ):
            return dict(known)
    return asdict(write_corpus(corpus, papers, seed))


def capture_files(corpus: Path) -> list[Path]:
    """The corpus's page files, in name order."""
    return sorted(p for pattern in CAPTURES for p in corpus.glob(pattern))


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
        "cpu_s": first["cpu_s"],
        "papers_per_cpu_s": papers / max(1e-9, first["cpu_s"]),
        "disk_mb": dir_size_mb(data),
        "reindex_unchanged_s": again["wall_s"],
    }


def parsed_records(corpus: Path) -> tuple[list[Any], float]:
    """Every paper of the corpus, its captures grouped into papers as the library groups them
    (identity.group: arXiv id, else title or abstract) and merged; and the parse-only seconds."""
    from paperbrowse.identity import group, key_of
    from paperbrowse.models import merge
    from paperbrowse.pages import parse_file

    t0 = time.perf_counter()
    captures = [paper for path in capture_files(corpus) for paper in parse_file(path).papers]
    merged = []
    for members in group([key_of(p) for p in captures]):
        paper = captures[members[0]]
        for i in members[1:]:
            paper = merge(paper, captures[i])
        merged.append(paper)
    return merged, time.perf_counter() - t0


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
    writer = ix.writer(limitmb=1024, **writer_options(len(docs)))  # Whoosh's own pool
    for doc in docs:
        writer.add_document(**doc)
    writer.commit()
    wall = time.perf_counter() - t0
    return {"wall_s": wall, "papers_per_s": len(docs) / wall, "disk_mb": dir_size_mb(target)}


def _filters(case: Case) -> Any:
    from paperbrowse.models import Filters

    return Filters(query=case.query, since=case.since, until=case.until, sort=case.sort)


def stage_queries(data: Path, types: dict[str, list[Case]], repeat: int) -> dict[str, Any]:
    """In-process latency with an open library: search plus reading the first page of rows."""
    from paperbrowse.errors import QueryError
    from paperbrowse.library import Library

    Library.keep_freed_memory()  # searches again and again, as the browser does (it calls this)
    library = Library(data)
    t0 = time.perf_counter()
    _ = library.catalog  # the columns are read once per index generation
    open_ms = (time.perf_counter() - t0) * 1000
    t0 = time.perf_counter()
    _ = library.term_arrays  # the postings side files' term tables, read once per generation
    arrays_ms = (time.perf_counter() - t0) * 1000
    out: dict[str, Any] = {"catalog_build_ms": open_ms, "side_files_open_ms": arrays_ms}
    for name, items in types.items():
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
            for i in range(min(ROWS, len(results))):
                results.row(i)

        firsts: list[float] = []
        for case in items:
            filters = _filters(case)
            # The first run of each query is reported apart (its pages may not be in the OS
            # cache yet, its rows not yet decoded: Library.row keeps the last 4,096, as
            # tantivy's document store keeps its last blocks decompressed); nothing else is
            # kept between runs: each search reads and scores its postings.
            firsts.extend(timed(partial(one, filters), 1))
            samples.extend(timed(partial(one, filters), max(1, repeat // len(items))))
        out[name] = summarise(samples) | {
            "first_max_ms": max(firsts),
            "mean_hits": hits / max(1, len(samples) + len(items)),
            "refused": sorted(refused),
            "queries": [c.query for c in items],
        }
    library.close()
    return out


def stage_cold_search(data: Path, runs: int) -> dict[str, Any]:
    """Whole-process `paperbrowse search TERM --limit 20`, median of several runs."""
    walls = []
    for i in range(runs):
        cmd = [sys.executable, "-m", "paperbrowse", "--data-dir", str(data), "search"]
        cmd += [TERMS[i % len(TERMS)], "--limit", "20", "--format", "tsv"]
        walls.append(run_process(cmd)["wall_s"])
    return {"median_s": statistics.median(walls), "max_s": max(walls), "runs": runs}


def stage_json_stream(data: Path, papers: int) -> dict[str, Any]:
    """Peak RSS of `paperbrowse search '' --format json` for a tenth of the papers and for all
    of them: a stream's memory stays flat in the number of results."""
    out: dict[str, Any] = {}
    for label, limit in (("tenth", max(1, papers // 10)), ("all", 0)):
        cmd = [sys.executable, "-m", "paperbrowse", "--data-dir", str(data), "search", ""]
        cmd += ["--format", "json", "--limit", str(limit)]
        run = run_process(cmd)
        out[label] = {"limit": limit, "rss_mb": run["rss_mb"], "wall_s": run["wall_s"]}
    out["growth"] = out["all"]["rss_mb"] / max(1e-9, out["tenth"]["rss_mb"])
    return out


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


def stage_fts5(papers: list[Any], types: dict[str, list[Case]], work: Path, repeat: int) -> dict:
    """SQLite FTS5 (porter tokenizer) on the same merged records and queries."""
    db_path = work / "fts5.db"
    db_path.unlink(missing_ok=True)
    t0 = time.perf_counter()
    db = sqlite3.connect(db_path)
    db.execute(
        "CREATE VIRTUAL TABLE papers USING fts5(title, abstract, org, published UNINDEXED, "
        "upvotes UNINDEXED, comments UNINDEXED, tokenize='porter')"
    )
    db.executemany(
        "INSERT INTO papers VALUES (?, ?, ?, ?, ?, ?)",
        [
            (
                p.title,
                p.abstract,
                p.org or "",
                p.published.isoformat() if p.published else None,
                p.upvotes,
                p.comments,
            )
            for p in papers
        ],
    )
    db.commit()
    index_s = time.perf_counter() - t0
    db.execute("CREATE TABLE meta AS SELECT rowid AS id, published, upvotes, comments FROM papers")
    db.execute("CREATE INDEX meta_date ON meta(published)")
    db.commit()
    out: dict[str, Any] = {
        "index_s": index_s,
        "papers_per_s": len(papers) / index_s,
        "disk_mb": db_path.stat().st_size / 2**20,
    }
    for name, items in types.items():
        runnable = [c.fts5 for c in items if c.fts5 is not None]
        if not runnable:
            out[name] = {"skipped": "FTS5 has no equivalent"}
            continue
        samples: list[float] = []
        for sql, args in runnable:

            def fts(sql: str = sql, args: tuple[Any, ...] = args) -> None:
                db.execute(sql, args).fetchall()

            fts()
            samples.extend(timed(fts, max(1, repeat // len(runnable))))
        out[name] = summarise(samples)
    db.close()
    return out


def stored_records(data: Path) -> dict[str, tuple[str, str]]:
    """What paperbrowse's library stores per paper, by id: its `record` and `variants` JSON."""
    from paperbrowse.library import Library

    library = Library(data)
    try:
        searcher = library.searcher
        if searcher is None:
            return {}
        return {d["id"]: (d["record"], d["variants"]) for d in searcher.all_stored_fields()}
    finally:
        library.close()


def stage_tantivy(
    papers: list[Any], types: dict[str, list[Case]], work: Path, repeat: int, data: Path
) -> dict[str, Any]:
    """tantivy on the same merged records and queries: indexing in its own process (wall clock
    and peak RSS from the records file to the committed index), queries in this one. It
    stores what the library in `data` stores (each paper's record and variants JSON)."""
    if not peer_tantivy.available():
        return {"skipped": "the tantivy package is not installed (pip install -e '.[bench]')"}
    records = work / "records.jsonl"
    stored = stored_records(data)
    with records.open("w", encoding="utf-8") as handle:
        for p in papers:
            record, variants = stored.get(p.id, (None, None))
            rec = {
                "id": p.id,
                "title": p.title,
                "abstract": p.abstract,
                "org": p.org,
                "published": p.published.isoformat() if p.published else None,
                "upvotes": p.upvotes,
                "comments": p.comments,
                "record": record,
                "variants": variants,
            }
            handle.write(json.dumps(rec) + "\n")
    target = work / "tantivy"
    shutil.rmtree(target, ignore_errors=True)
    script = str(REPO_ROOT / "benchmarks" / "peer_tantivy.py")
    run = run_process([sys.executable, script, str(records), str(target)], stdout=True)
    built = json.loads(run["stdout"].strip().splitlines()[-1])
    out: dict[str, Any] = {
        "papers": built["papers"],
        "wall_s": run["wall_s"],
        "papers_per_s": built["papers"] / run["wall_s"],
        "index_only_s": built["seconds"],
        "rss_mb": run["rss_mb"],
        "disk_mb": dir_size_mb(target),
        "settings": f"{peer_tantivy.THREADS} threads, {peer_tantivy.HEAP_MB} MB heap",
        "stores_records": sum(1 for p in papers if p.id in stored),
    }
    peer = peer_tantivy.Peer(target)
    for name, items in types.items():
        runnable = [c.tantivy for c in items if c.tantivy is not None]
        samples: list[float] = []
        hits = 0
        for spec in runnable:
            hits += peer.run(spec, ROWS)
            samples.extend(timed(partial(peer.run, spec, ROWS), max(1, repeat // len(runnable))))
        out[name] = summarise(samples) | {"mean_hits": hits / max(1, len(runnable))}
    return out


def stage_grep(corpus: Path) -> dict[str, Any]:
    """`grep -c -i` and `rg -c -i` of one word over the raw pages, median of 3."""
    files = [str(p) for p in capture_files(corpus)]
    out: dict[str, Any] = {}
    for tool in ("grep", "rg"):
        exe = shutil.which(tool)
        if exe:
            walls = [
                run_process([exe, "-c", "-i", "efficient", *files])["wall_s"] for _ in range(3)
            ]
            out[f"{tool}_s"] = statistics.median(walls)
    return out


# ---------------------------------------------------------------------------------------------
# Report


def _ratio(a: float, b: float) -> float:
    return a / b if b else float("inf")


Getter = Callable[[dict[str, Any]], float]
# The targets of issue 15: (figure, getter, op, bound up to 100,000 papers, bound at 1,000,000).
TARGETS: list[tuple[str, Getter, str, float | None, float | None]] = [
    *[
        (f"query p95 ms: {name}", lambda r, n=name: r["query"][n]["p95_ms"], "<=", 10, 50)
        for name in QUERY_TYPES
    ],
    *[
        (
            f"query p95 / tantivy p95: {name}",
            lambda r, n=name: _ratio(r["query"][n]["p95_ms"], r["tantivy"][n]["p95_ms"]),
            "<=",
            3,
            None,
        )
        for name in QUERY_TYPES
    ],
    ("index papers/s (end to end)", lambda r: r["index"]["papers_per_s"], ">=", 1000, None),
    ("index wall s", lambda r: r["index"]["wall_s"], "<=", None, 1200),
    ("index peak RSS MB", lambda r: r["index"]["rss_mb"], "<=", 500, 1024),
    ("re-index unchanged s", lambda r: r["index"]["reindex_unchanged_s"], "<", 1.0, None),
    (
        "library on disk / tantivy's",
        lambda r: _ratio(r["index"]["disk_mb"], r["tantivy"]["disk_mb"]),
        "<=",
        2.5,
        None,
    ),
    ("browser first paint s", lambda r: r["browser"]["first_paint_s"], "<=", 0.5, 1.0),
    ("filter keystroke p95 ms", lambda r: r["browser"]["filter"]["p95_ms"], "<=", 16, 50),
    ("browser RSS MB", lambda r: r["browser"]["rss_mb"], "<=", 200, 400),
    (
        "search '' --format json: RSS all / RSS tenth",
        lambda r: r["json_stream"]["growth"],
        "<=",
        1.1,
        1.1,
    ),
]


# Below this many papers an index run's fixed start-up (imports, opening the library, the
# writer processes: about a second) outweighs its papers, so its rate is shown, not judged.
RATE_FROM = 10_000


def _met(value: float, op: str, bound: float) -> bool:
    return {"<=": value <= bound, "<": value < bound, ">=": value >= bound}[op]


def _fmt(value: float) -> str:
    if value != value or value in (float("inf"), float("-inf")):
        return "—"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def targets_table(results: dict[str, Any]) -> str:
    """Every target, each size's figure marked met or MISSED against its size's bound (the
    100,000 bounds apply to smaller sizes too, but for the index rate below RATE_FROM papers)."""
    sizes = sorted(results["sizes"], key=int)
    head = "| target | bound ≤ 100,000 | bound at 1,000,000 | "
    head += " | ".join(f"{int(s):,} papers" for s in sizes) + " |"
    lines = [head, "|" + "---|" * (len(sizes) + 3)]
    for label, get, op, small, large in TARGETS:
        cells = []
        for s in sizes:
            bound = large if int(s) >= 1_000_000 else small
            try:
                value = get(results["sizes"][s])
            except (KeyError, TypeError, ZeroDivisionError):
                cells.append("not measured")
                continue
            if bound is None:
                cells.append(_fmt(value))
            elif label.startswith("index papers/s") and int(s) < RATE_FROM:
                cells.append(f"{_fmt(value)} (start-up dominates)")
            else:
                cells.append(f"{_fmt(value)} {'met' if _met(value, op, bound) else '**MISSED**'}")
        bounds = [f"{op} {b:g}" if b is not None else "—" for b in (small, large)]
        lines.append(f"| {label} | {bounds[0]} | {bounds[1]} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def queries_table(r: dict[str, Any]) -> str:
    """One size's query types: paperbrowse against tantivy and FTS5 (p95, and the ratios)."""
    lines = [
        "| query type | paperbrowse p95 ms (median) | tantivy p95 ms | paperbrowse / tantivy "
        "| FTS5 p95 ms | paperbrowse / FTS5 | paperbrowse hits, mean |",
        "|---|---|---|---|---|---|---|",
    ]
    for name in QUERY_TYPES:
        q = r["query"][name]
        cells = [f"{q['p95_ms']:.1f} ({q['median_ms']:.1f})"]
        for peer in ("tantivy", "fts5"):
            got = r.get(peer, {}).get(name, {})
            if "p95_ms" in got:
                cells += [f"{got['p95_ms']:.2f}", f"{_ratio(q['p95_ms'], got['p95_ms']):.1f}"]
            else:
                cells += [got.get("skipped", r.get(peer, {}).get("skipped", "—")), "—"]
        cells.append(f"{q['mean_hits']:,.0f}")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def figures_table(results: dict[str, Any]) -> str:
    """The other figures: one row per figure, one column per size."""
    sizes = sorted(results["sizes"], key=int)
    lines = ["| figure | " + " | ".join(f"{int(s):,} papers" for s in sizes) + " |"]
    lines.append("|" + "---|" * (len(sizes) + 1))

    def row(label: str, get: Callable[[dict[str, Any]], Any]) -> None:
        cells = []
        for s in sizes:
            try:
                value = get(results["sizes"][s])
                cells.append(value if isinstance(value, str) else _fmt(value))
            except (KeyError, TypeError, ZeroDivisionError):
                cells.append("—")
        lines.append(f"| {label} | " + " | ".join(cells) + " |")

    row("corpus: source", lambda r: r["corpus"]["source"])
    row("corpus: distinct papers", lambda r: r["corpus"]["papers"])
    row("corpus: pages", lambda r: r["corpus"]["files"])
    row("corpus: cards (papers on pages)", lambda r: r["corpus"]["cards"])
    row("index wall s", lambda r: r["index"]["wall_s"])
    row("index CPU s, all processes", lambda r: r["index"].get("cpu_s"))
    row("index papers per CPU second", lambda r: r["index"].get("papers_per_cpu_s"))
    row("library on disk MB", lambda r: r["index"]["disk_mb"])
    row("parse only s", lambda r: r["parse_s"])
    row("bare Whoosh writer papers/s", lambda r: r["bare_whoosh"]["papers_per_s"])
    row("tantivy index papers/s (own process)", lambda r: r["tantivy"]["papers_per_s"])
    row("tantivy index wall s", lambda r: r["tantivy"]["wall_s"])
    row("tantivy index peak RSS MB", lambda r: r["tantivy"]["rss_mb"])
    row("tantivy on disk MB", lambda r: r["tantivy"]["disk_mb"])
    row("FTS5 index papers/s (in process)", lambda r: r["fts5"]["papers_per_s"])
    row("FTS5 on disk MB", lambda r: r["fts5"]["disk_mb"])
    row("catalog build ms", lambda r: r["query"]["catalog_build_ms"])
    row("postings side files open ms", lambda r: r["query"]["side_files_open_ms"])
    row("cold `search TERM` s (median)", lambda r: r["cold_search"]["median_s"])
    row(
        "`search '' --format json` RSS MB: a tenth / all",
        lambda r: (
            f"{r['json_stream']['tenth']['rss_mb']:.0f} / {r['json_stream']['all']['rss_mb']:.0f}"
        ),
    )
    row("filter keystroke median ms", lambda r: r["browser"]["filter"]["median_ms"])
    row("grep -c one word s", lambda r: r["grep"]["grep_s"])
    row("rg -c one word s", lambda r: r["grep"]["rg_s"])
    row(
        "refused as too broad",
        lambda r: (
            "; ".join(
                f"{n}: {', '.join(r['query'][n]['refused'])}"
                for n in QUERY_TYPES
                if r["query"][n]["refused"]
            )
            or "none"
        ),
    )
    row(
        "load average (1 min) at index / queries / browser",
        lambda r: " / ".join(f"{r['load'][k][0]:.1f}" for k in ("index", "queries", "browser")),
    )
    return "\n".join(lines)


def report(results: dict[str, Any]) -> str:
    """The Markdown block of docs/performance.md: targets, query types per size, figures."""
    parts = [
        f"Measured {results['date']} on {results['machine']} "
        f"(`python benchmarks/run.py --papers {results['papers_arg']}`; "
        f"load average at the start {results['load_start']})."
        if results["papers_arg"]
        else f"On {results['machine']}."
    ]
    for name, earlier in results.get("included", {}).items():
        parts[0] += (
            f" The {', '.join(f'{int(s):,}' for s in earlier['sizes'])} papers column"
            f"{'s are' if len(earlier['sizes']) > 1 else ' is'} from `{name}`, measured "
            f"{earlier['date']} (`--papers {earlier['papers_arg']}`; load average at the start "
            f"{earlier['load_start']})."
        )
    parts += [
        "",
        "#### Targets (issue 15)",
        "",
        targets_table(results),
    ]
    for size in sorted(results["sizes"], key=int):
        if "query" not in results["sizes"][size]:  # a run with --skip queries
            continue
        parts += ["", f"#### Query types at {int(size):,} papers", ""]
        parts.append(queries_table(results["sizes"][size]))
    parts += ["", "#### Other figures", "", figures_table(results)]
    return "\n".join(parts)


def write_doc(results: dict[str, Any], doc: Path = DOC) -> None:
    """Regenerate the block between the markers in docs/performance.md."""
    start, end = "<!-- results:start -->", "<!-- results:end -->"
    block = f"{start}\n{report(results)}\n{end}"
    text = doc.read_text("utf-8") if doc.exists() else f"# Performance\n\n{start}\n{end}\n"
    if start in text and end in text:
        text = text[: text.index(start)] + block + text[text.index(end) + len(end) :]
    else:
        text += "\n" + block + "\n"
    doc.parent.mkdir(parents=True, exist_ok=True)
    doc.write_text(text, "utf-8")


STAGES = ("index", "queries", "bare", "cold", "json", "browser", "fts5", "tantivy", "grep")


def measure_size(n: int, args: argparse.Namespace, skip: set[str]) -> dict[str, Any]:
    """Every stage at one size."""
    work = args.work / str(n)
    corpus = work / "corpus"
    r: dict[str, Any] = {"load": {}}

    def log(msg: str) -> None:
        print(f"[{n:,}] {msg} (load {load()[0]})", file=sys.stderr, flush=True)

    log("corpus")
    r["corpus"] = ensure_corpus(corpus, n, args.seed)
    papers_n = r["corpus"]["papers"]
    data = work / "library"
    r["load"]["index"] = load()
    if "index" in skip:  # measure the library a run before built (it must be there)
        if not (data / "library.json").is_file():
            raise SystemExit(f"benchmarks/run.py: --skip index needs the library in {data}")
        log("index: the library already built is reused, not measured")
    else:
        log("index")
        r["index"] = stage_index(corpus, data, papers_n)
        r["load"]["index_end"] = load()
        log(f"  {r['index']['papers_per_s']:.0f} papers/s")
    papers: list[Any] = []
    types: dict[str, list[Case]] = {}
    if not {"queries", "bare", "fts5", "tantivy"} <= skip:  # they need the merged records
        papers, r["parse_s"] = parsed_records(corpus)
        r["merged_records"] = len(papers)
        types = cases(papers)
    if "bare" not in skip:
        log("bare whoosh")
        r["bare_whoosh"] = stage_bare_whoosh(papers, work)
    r["load"]["queries"] = load()
    if "queries" not in skip:
        log("queries")
        r["query"] = stage_queries(data, types, args.repeat)
    if "cold" not in skip:
        log("cold search")
        r["cold_search"] = stage_cold_search(data, 5)
    if "json" not in skip:
        log("search '' --format json")
        r["json_stream"] = stage_json_stream(data, papers_n)
    if "browser" not in skip:
        log("browser")
        r["load"]["browser"] = load()
        r["browser"] = stage_browser(data, args.keys)
    if "fts5" not in skip:
        log("FTS5")
        r["fts5"] = stage_fts5(papers, types, work, args.repeat)
    if "tantivy" not in skip:
        log("tantivy")
        r["load"]["tantivy"] = load()
        r["tantivy"] = stage_tantivy(papers, types, work, args.repeat, data)
    if "grep" not in skip:
        r["grep"] = stage_grep(corpus)
    r["load"]["end"] = load()
    return r


def include_sizes(results: dict[str, Any], files: Sequence[Path]) -> dict[str, Any]:
    """`results` with the sizes of earlier results `files` that it did not measure itself
    (the report names each file and its date and load); `results` itself is not changed."""
    shown = dict(results, sizes=dict(results["sizes"]), included={})
    for path in files:
        earlier = json.loads(path.read_text("utf-8"))
        new = {s: r for s, r in earlier["sizes"].items() if s not in shown["sizes"]}
        if new:
            shown["sizes"].update(new)
            shown["included"][path.name] = {
                "sizes": sorted(new, key=int),
                "date": earlier["date"],
                "papers_arg": earlier["papers_arg"],
                "load_start": earlier["load_start"],
            }
    return shown


def main(argv: Sequence[str] | None = None) -> int:
    """Run the harness."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", default="10000", help="comma-separated sizes")
    parser.add_argument("--work", type=Path, default=Path("/tmp/paperbrowse-bench"))
    parser.add_argument("--seed", type=int, default=1, help="the generated corpora's seed")
    parser.add_argument("--repeat", type=int, default=60, help="samples per query type")
    parser.add_argument("--keys", type=int, default=40, help="filter keystrokes to time")
    parser.add_argument("--results", type=Path, default=RESULTS_DIR)
    parser.add_argument(
        "--name", default="", help="results file name (default: the date and the sizes)"
    )
    parser.add_argument(
        "--write-doc",
        action="store_true",
        help="rewrite the results table of --doc from this run (and --with files); without it "
        "the published table is left alone (a smoke run must not replace it)",
    )
    parser.add_argument("--doc", type=Path, default=DOC, help="the Markdown file to update")
    parser.add_argument("--skip", default="", help=f"comma-separated stages: {','.join(STAGES)}")
    parser.add_argument(
        "--with",
        dest="include",
        default="",
        help="comma-separated results files whose other sizes join the docs table "
        "(e.g. the 1,000,000 run, made apart)",
    )
    args = parser.parse_args(argv)
    skip = set(filter(None, args.skip.split(",")))
    if skip - set(STAGES):
        parser.error(f"unknown stages: {', '.join(sorted(skip - set(STAGES)))}")
    sizes = [int(s.replace("_", "")) for s in args.papers.split(",") if s]
    # Bytecode as an installed package has it (pip compiles on install): a checkout run with
    # PYTHONDONTWRITEBYTECODE would otherwise compile paperbrowse anew in every timed process.
    compileall.compile_dir(REPO_ROOT / "paperbrowse", quiet=1)
    results: dict[str, Any] = {
        "date": date.today().isoformat(),
        "machine": f"{os.cpu_count()} cores, Python {sys.version.split()[0]}",
        "papers_arg": args.papers,
        "load_start": load(),
        "sizes": {},
    }
    for n in sizes:
        try:
            results["sizes"][str(n)] = measure_size(n, args, skip)
        except ArchiveMissing as exc:
            print(f"benchmarks/run.py: {exc}", file=sys.stderr)
            return 2
    if sizes:
        args.results.mkdir(parents=True, exist_ok=True)
        name = args.name or f"{results['date']}-{'+'.join(str(n) for n in sizes)}"
        out = args.results / f"{name}.json"
        out.write_text(json.dumps(results, indent=1), "utf-8")
        print(f"\nwrote {out}", file=sys.stderr)
    shown = include_sizes(results, [Path(f) for f in args.include.split(",") if f])
    if args.write_doc:
        write_doc(shown, args.doc)
    print(report(shown))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
