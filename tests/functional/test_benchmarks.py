"""The benchmark harness runs end to end (at 1,000 papers: a smoke test, not a timing)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_harness_runs_end_to_end_at_1000_papers(tmp_path: Path) -> None:
    results = tmp_path / "results"
    doc = tmp_path / "performance.md"
    doc.write_text("# Performance\n\n<!-- results:start -->\n<!-- results:end -->\n\nprose\n")
    proc = subprocess.run(
        [
            sys.executable,
            str(REPO / "benchmarks" / "run.py"),
            "--papers",
            "1000",
            "--work",
            str(tmp_path / "work"),
            "--results",
            str(results),
            "--doc",
            str(doc),
            "--repeat",
            "6",
            "--keys",
            "6",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=REPO,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    [out] = list(results.glob("*.json"))
    data = json.loads(out.read_text())["sizes"]["1000"]
    assert data["index"]["papers"] == 1000 and data["index"]["papers_per_s"] > 0
    assert data["bare_whoosh"]["papers_per_s"] > 0
    for name in ("one term", "two terms", "phrase", "term + date range", "term by upvotes"):
        assert data["query"][name]["p95_ms"] >= data["query"][name]["median_ms"] > 0
        assert data["query"][name]["mean_hits"] > 0, name  # the queries find papers
    assert data["cold_search"]["median_s"] > 0
    assert data["browser"]["first_paint_s"] > 0 and data["browser"]["filter"]["n"] == 6
    assert data["peers"]["fts5_papers_per_s"] > 0
    text = doc.read_text()
    assert "| index papers/s |" in text and text.endswith("prose\n")
