"""The benchmark harness runs end to end (at 1,000 real papers: a smoke test, not a timing)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from tests.functional.conftest import RunBenchmark


REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from benchmarks import pages, peer_tantivy  # noqa: E402
from benchmarks.queries import QUERY_TYPES  # noqa: E402

pytestmark = pytest.mark.skipif(
    not pages.DATA.is_file(), reason=f"the HF API archive is absent ({pages.DATA})"
)


def test_harness_runs_end_to_end_at_1000_papers(
    tmp_path: Path, run_benchmark: RunBenchmark
) -> None:
    results = tmp_path / "results"
    doc = tmp_path / "performance.md"
    doc.write_text("# Performance\n\n<!-- results:start -->\n<!-- results:end -->\n\nprose\n")
    proc = run_benchmark(
        "run.py",
        "--papers",
        "1000",
        "--work",
        str(tmp_path / "work"),
        "--results",
        str(results),
        "--doc",
        str(doc),
        "--repeat",
        "3",
        "--keys",
        "4",
        "--skip",
        "bare,cold",
        "--write-doc",
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    [out] = list(results.glob("*.json"))
    assert out.name.endswith("-1000.json")  # named by its sizes, beside the date
    # Without --write-doc a run leaves the published table alone; --with brings in a results
    # file measured apart (no size measured here: the table from the file alone).
    other = tmp_path / "other.md"
    other.write_text(doc.read_text())
    again = run_benchmark(
        "run.py", "--papers", "", "--with", str(out), "--doc", str(other), timeout=60
    )
    assert again.returncode == 0 and other.read_text() == doc.read_text()
    other.write_text("# Performance\n\n<!-- results:start -->\n<!-- results:end -->\n")
    again = run_benchmark(
        "run.py", "--papers", "", "--with", str(out), "--doc", str(other), "--write-doc", timeout=60
    )
    assert again.returncode == 0, again.stderr[-2000:]
    assert f"from `{out.name}`" in other.read_text()
    assert "#### Query types at 1,000 papers" in other.read_text()
    data = json.loads(out.read_text())["sizes"]["1000"]
    # The corpus: the archive's first 1,000 papers, every one back from the pages.
    assert data["corpus"]["source"] == "real" and data["merged_records"] == 1000
    assert data["index"]["papers"] == 1000 and data["index"]["papers_per_s"] > 0
    for name in QUERY_TYPES:
        assert data["query"][name]["p95_ms"] >= data["query"][name]["median_ms"] > 0, name
    for name in ("one term", "two terms", "phrase", "term by upvotes", "rare word", "NOT"):
        assert data["query"][name]["mean_hits"] > 0, name  # the queries find papers
    assert data["query"]["field (org:…)"]["mean_hits"] > 0
    assert data["json_stream"]["all"]["rss_mb"] > 0 and data["json_stream"]["tenth"]["limit"] == 100
    assert data["browser"]["first_paint_s"] > 0 and data["browser"]["filter"]["n"] == 4
    assert data["fts5"]["papers_per_s"] > 0 and data["fts5"]["one term"]["p95_ms"] > 0
    if peer_tantivy.available():
        assert data["tantivy"]["papers"] == 1000 and data["tantivy"]["disk_mb"] > 0
        assert data["tantivy"]["one term"]["mean_hits"] > 0
    else:
        assert "not installed" in data["tantivy"]["skipped"]
    text = doc.read_text()
    assert "| index papers/s (end to end) | >= 1000 |" in text and text.endswith("prose\n")
    assert "#### Query types at 1,000 papers" in text
    # The query probe asks the harness's own cases of the same library: the same hits.
    work = tmp_path / "work" / "1000"
    cache = tmp_path / "cases.json"
    for _ in range(2):  # the second run reads the cases from the cache
        probe = run_benchmark(
            "query_probe.py",
            str(work / "library"),
            str(work / "corpus"),
            "--types",
            "one term",
            "field (org:…)",
            "--repeat",
            "3",
            "--cache",
            str(cache),
            "--json",
            timeout=120,
        )
        assert probe.returncode == 0, probe.stderr[-2000:]
        found = json.loads(probe.stdout)
        for name in ("one term", "field (org:…)"):
            assert found[name]["mean_hits"] == data["query"][name]["mean_hits"], name
            assert found[name]["p95_ms"] >= found[name]["median_ms"] > 0, name
        assert cache.is_file()
