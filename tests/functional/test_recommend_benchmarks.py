"""The recommendation benchmarks run end to end on small slices (smoke tests, not timings)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from tests.functional.conftest import RunBenchmark


REPO = Path(__file__).resolve().parents[2]
ARCHIVE = REPO.parent / "shared" / "data" / "hf-daily-papers-api-2024-2026.jsonl.gz"

needs_archive = pytest.mark.skipif(
    not ARCHIVE.exists(), reason="../shared/data (the real HF API archive) is not beside the repo"
)


@needs_archive
def test_eval_runs_on_three_months_and_writes_its_table(
    tmp_path: Path, run_benchmark: RunBenchmark
) -> None:
    doc = tmp_path / "recommendations.md"
    doc.write_text("# R\n\n<!-- eval:start -->\n<!-- eval:end -->\n\nprose\n")
    proc = run_benchmark(
        "recommend_eval.py",
        "--since",
        "2025-08",
        "--until",
        "2025-10",
        "--topics",
        "2",
        "--min-papers",
        "10",
        "--results",
        str(tmp_path / "results"),
        "--doc",
        str(doc),
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    [out] = list((tmp_path / "results").glob("recommend-eval-*.json"))
    data = json.loads(out.read_text())
    assert len(data["topics"]) == 2
    assert data["arms"][:3] == ["newest first", "keyword search", "For you"]
    for topic in data["topics"]:
        assert topic["relevant"] >= 5 and topic["candidates"] > topic["relevant"]
        for arm in data["arms"]:
            assert 0.0 <= topic["p"][arm] <= 1.0 and 0.0 <= topic["ndcg"][arm] <= 1.0
        assert topic["mlt"]["chance"] > 0
    # Keyword search finds some of the topic: the real library and query path ran.
    assert max(t["p"]["keyword search"] for t in data["topics"]) > 0
    text = doc.read_text()
    assert "| For you |" in text and text.endswith("prose\n")


def test_perf_runs_on_a_small_synthetic_corpus(tmp_path: Path, run_benchmark: RunBenchmark) -> None:
    doc = tmp_path / "recommendations.md"
    doc.write_text("# R\n\n<!-- perf:start -->\n<!-- perf:end -->\n")
    proc = run_benchmark(
        "recommend_perf.py",
        "--papers",
        "600",
        "--corpus",
        "synthetic",
        "--queries",
        "8",
        "--work",
        str(tmp_path / "work"),
        "--results",
        str(tmp_path / "results"),
        "--doc",
        str(doc),
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    [out] = list((tmp_path / "results").glob("recommend-perf-*.json"))
    size = json.loads(out.read_text())["sizes"]["600"]
    assert size["build"]["features"] > 0 and size["build"]["entries"] > 0
    assert size["similar_one"]["n"] == 8
    assert size["similar_one"]["p95_ms"] >= size["similar_one"]["median_ms"] > 0
    assert size["retrain_after_star"]["median_ms"] > 0
    assert size["first_page"]["n"] == 5 and size["order_all"]["p95_ms"] > 0
    assert 0 < size["unread"] < 600 and size["serve_peak_rss_mb"] > size["rss_start_mb"] > 0
    assert "more like this, 1 paper" in doc.read_text()
