"""Query latency of one library, quickly: the harness's query stage alone, for some types.

    python benchmarks/query_probe.py LIBRARY CORPUS [--types T ...] [--repeat N]
        [--cache FILE] [--profile TYPE] [--cpu] [--json]

LIBRARY is a data dir (as `paperbrowse --data-dir`), CORPUS the benchmark corpus it was built
from. The query cases are the harness's own (benchmarks/queries.py `cases`, from the corpus's
merged records: `run.parsed_records`, ~30 s at 100,000 papers); they are cached in a JSON file
(default: beside the system's temporary files, named after the corpus) so a later run starts at
once. Timing is `run.stage_queries`: `Library.search()` plus reading the first 40 rows, p95 and
median over the samples, the first run of each query apart. `--profile TYPE` instead runs that
type's cases in a loop under cProfile and prints the top functions by cumulative time.

Never write into a library someone else owns: copy it first.
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import json
import os
import pstats
import sys
import tempfile
import time
from dataclasses import asdict
from datetime import date
from pathlib import Path
from types import SimpleNamespace
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from benchmarks import run  # noqa: E402
from benchmarks.queries import QUERY_TYPES, Case, TantivyQuery, cases  # noqa: E402


def default_cache(corpus: Path) -> Path:
    """Where the cases of `corpus` are cached: one file per corpus path."""
    digest = hashlib.sha1(str(corpus.resolve()).encode()).hexdigest()[:12]
    return Path(tempfile.gettempdir()) / f"paperbrowse-query-cases-{digest}.json"


def _case_json(case: Case) -> dict[str, Any]:
    data = asdict(case)
    for name in ("since", "until"):
        if data[name] is not None:
            data[name] = data[name].isoformat()
    tq = data["tantivy"]
    if tq is not None and tq["date_range"] is not None:
        tq["date_range"] = [d.isoformat() for d in tq["date_range"]]
    return data


def _case_from(data: dict[str, Any]) -> Case:
    tq = data.get("tantivy")
    tantivy = None
    if tq is not None:
        dr = tq.get("date_range")
        tantivy = TantivyQuery(
            text=tq.get("text"),
            patterns=tuple(tuple(p) for p in tq.get("patterns", ())),
            all_docs=tq.get("all_docs", False),
            date_range=(date.fromisoformat(dr[0]), date.fromisoformat(dr[1])) if dr else None,
            counts=tuple(tq["counts"]) if tq.get("counts") else None,
            order=tq.get("order"),
        )
    fts5 = data.get("fts5")
    return Case(
        query=data["query"],
        sort=data["sort"],
        since=date.fromisoformat(data["since"]) if data.get("since") else None,
        until=date.fromisoformat(data["until"]) if data.get("until") else None,
        fts5=(fts5[0], tuple(fts5[1])) if fts5 else None,
        tantivy=tantivy,
        notes=list(data.get("notes", [])),
    )


def load_cases(corpus: Path, cache: Path) -> dict[str, list[Case]]:
    """Every query type's cases for `corpus`, from `cache` when it is there, else computed from
    the corpus's merged records and written to `cache`."""
    if cache.exists():
        data = json.loads(cache.read_text(encoding="utf-8"))
        return {name: [_case_from(c) for c in data[name]] for name in QUERY_TYPES if name in data}
    papers, seconds = run.parsed_records(corpus)
    print(f"parsed {len(papers):,} papers in {seconds:.1f} s", file=sys.stderr)
    types = cases(papers)
    tmp = cache.with_suffix(".tmp")
    tmp.write_text(
        json.dumps({name: [_case_json(c) for c in items] for name, items in types.items()}),
        encoding="utf-8",
    )
    os.replace(tmp, cache)
    return types


def profile(library_dir: Path, items: list[Case], seconds: float) -> None:
    """Run `items` in a loop for about `seconds` under cProfile; print the top functions."""
    from paperbrowse.library import Library

    library = Library(library_dir)
    _ = library.catalog, library.term_arrays
    filters = [run._filters(c) for c in items]

    def once() -> None:
        for f in filters:
            results = library.search(f)
            for i in range(min(run.ROWS, len(results))):
                results.row(i)

    once()  # warm: parser, catalog arrays
    profiler = cProfile.Profile()
    loops = 0
    end = time.perf_counter() + seconds
    profiler.enable()
    while time.perf_counter() < end:
        once()
        loops += 1
    profiler.disable()
    print(f"{loops} loops of {len(items)} queries")
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(35)
    pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
    library.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("library", type=Path, help="a data dir (paperbrowse --data-dir)")
    parser.add_argument("corpus", type=Path, help="the corpus the library was built from")
    parser.add_argument("--types", nargs="*", help="query types (default: all)", default=None)
    parser.add_argument("--repeat", type=int, default=60, help="samples per type (default 60)")
    parser.add_argument("--cache", type=Path, default=None, help="the cases' JSON cache")
    parser.add_argument("--profile", default=None, help="profile one type instead of timing")
    parser.add_argument("--seconds", type=float, default=10.0, help="profiling time")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument(
        "--cpu",
        action="store_true",
        help="time with this thread's CPU clock instead of the wall clock (a loaded machine "
        "inflates wall times by the time spent waiting for a core)",
    )
    args = parser.parse_args(argv)
    types = load_cases(args.corpus, args.cache or default_cache(args.corpus))
    if args.profile:
        profile(args.library, types[args.profile], args.seconds)
        return 0
    wanted = args.types or list(types)
    unknown = [t for t in wanted if t not in types]
    if unknown:
        parser.error(f"unknown query types {unknown}; the types are {list(types)}")
    if args.cpu:  # run.timed reads run.time.perf_counter: give it the thread's CPU clock
        run.time = SimpleNamespace(perf_counter=time.thread_time)  # type: ignore[assignment]
    load_before = run.load()
    out = run.stage_queries(args.library, {t: types[t] for t in wanted}, args.repeat)
    out["load"] = [load_before, run.load()]
    if args.json:
        print(json.dumps(out, indent=1))
        return 0
    clock = "thread CPU" if args.cpu else "wall"
    print(f"load {load_before} -> {out['load'][1]}; {clock} clock")
    print(f"{'query type':28} {'p95 ms':>8} {'median':>8} {'first':>8} {'hits':>9}")
    for name in wanted:
        r = out[name]
        print(
            f"{name:28} {r['p95_ms']:8.2f} {r['median_ms']:8.2f} {r['first_max_ms']:8.2f} "
            f"{r['mean_hits']:9.0f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
