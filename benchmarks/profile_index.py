"""Where `paperbrowse index` spends its time and memory: py-spy over the whole process tree, and
the resident memory of each process sampled from /proc.

    python benchmarks/profile_index.py CORPUS [--work DIR] [--rate 25] [--top 30]

Indexes CORPUS into a fresh library under `--work` with py-spy (the `bench` extra) sampling the
indexing process and its writer processes, while this script reads every process's RSS from
/proc every 0.25 s. Prints the share of samples per process, the functions with the largest
inclusive and self shares (file names without directories), and each process's peak RSS with
the time it was reached; writes the raw py-spy stacks and a JSON summary into `--work`.
Linux only (/proc).
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

_FRAME = re.compile(r"\s*\((?:/.*?/)?([^/]*?):\d+\)")


def _children(pid: int) -> list[int]:
    found = [pid]
    try:
        tasks = Path(f"/proc/{pid}/task").iterdir()
        for task in tasks:
            for child in (task / "children").read_text().split():
                found += _children(int(child))
    except OSError:
        pass
    return found


def _rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()[:80]
    except OSError:
        return "?"


def sample_rss(root: int, stop: threading.Event, out: dict[int, dict[str, Any]]) -> None:
    """Until `stop`: each process of the tree under `root`, its peak RSS (MB) and when."""
    start = time.perf_counter()
    while not stop.is_set():
        total = 0.0
        for pid in _children(root):
            rss = _rss_mb(pid)
            total += rss
            seen = out.setdefault(pid, {"peak_mb": 0.0, "at_s": 0.0, "cmd": _cmdline(pid)})
            if rss > seen["peak_mb"]:
                seen.update(peak_mb=rss, at_s=time.perf_counter() - start)
        tree = out.setdefault(0, {"peak_mb": 0.0, "at_s": 0.0, "cmd": "whole tree"})
        if total > tree["peak_mb"]:
            tree.update(peak_mb=total, at_s=time.perf_counter() - start)
        time.sleep(0.25)


def summarise_stacks(raw: Path, top: int) -> dict[str, Any]:
    """Per-process, inclusive and self shares of py-spy's raw (collapsed) stacks."""
    own: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    procs: Counter[str] = Counter()
    total = 0
    for line in raw.read_text(errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        n = int(count)
        total += n
        frames = stack.split(";")
        procs[frames[0][:70] if frames[0].startswith("process") else "?"] += n
        names = [_FRAME.sub(r" (\1)", f) for f in frames[1:]]
        if names:
            own[names[-1]] += n
        inclusive.update(dict.fromkeys(set(names), n))
    share = max(1, total)
    return {
        "samples": total,
        "processes": {p: n / share for p, n in procs.most_common()},
        "inclusive": {f: n / share for f, n in inclusive.most_common(top)},
        "self": {f: n / share for f, n in own.most_common(top)},
    }


def main(argv: Sequence[str] | None = None) -> int:
    """Command line (module docstring)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--work", type=Path, default=Path("/tmp/paperbrowse-profile"))
    parser.add_argument("--rate", type=int, default=25, help="py-spy samples per second")
    parser.add_argument("--top", type=int, default=30)
    args = parser.parse_args(argv)
    spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    if not Path(spy).exists():
        parser.error("py-spy is not installed (pip install -e '.[bench]')")
    data = args.work / "library"
    shutil.rmtree(data, ignore_errors=True)
    args.work.mkdir(parents=True, exist_ok=True)
    raw = args.work / "stacks.txt"
    cmd = [sys.executable, "-m", "paperbrowse", "--data-dir", str(data), "index", str(args.corpus)]
    started = time.perf_counter()
    proc = subprocess.Popen(
        [spy, "record", "--subprocesses", "--rate", str(args.rate), "--format", "raw"]
        + ["-o", str(raw), "--", *cmd],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    stop = threading.Event()
    rss: dict[int, dict[str, Any]] = {}
    sampler = threading.Thread(target=sample_rss, args=(proc.pid, stop, rss), daemon=True)
    sampler.start()
    _, err = proc.communicate()
    stop.set()
    sampler.join()
    wall = time.perf_counter() - started
    if proc.returncode:
        print(err.decode(errors="replace")[-2000:], file=sys.stderr)
        return proc.returncode
    summary = summarise_stacks(raw, args.top)
    summary["wall_s"] = wall
    summary["rss"] = [v for _, v in sorted(rss.items()) if "py-spy" not in v["cmd"]]
    (args.work / "profile.json").write_text(json.dumps(summary, indent=1), "utf-8")
    print(f"wall {wall:.0f} s under py-spy, {summary['samples']} samples")
    for title in ("processes", "inclusive", "self"):
        print(f"--- {title}")
        for name, share in summary[title].items():
            print(f"{share:6.1%}  {name}")
    print("--- peak RSS (MB), when (s)")
    for item in summary["rss"]:
        print(f"{item['peak_mb']:8.0f}  {item['at_s']:6.0f}  {item['cmd']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
