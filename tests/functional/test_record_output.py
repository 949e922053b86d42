"""`paperbrowse search` and `show` in a real process, on a library of real HF API records: the
jsonl keys hold what the captures showed, and comments are never written as upvotes.

The library is indexed in-process from Papers made from API records (tests/api_records.py);
every expected value comes from the record."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from paperbrowse.library import Library
from paperbrowse.models import Paper, arxiv_paper_id
from paperbrowse.sources import Source
from tests.api_records import api_records, capture, one_line
from tests.indexing import index_into

REPO = Path(__file__).resolve().parents[2]


def run(data: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "paperbrowse", "--data-dir", str(data), *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=REPO,
        timeout=120,
    )


@pytest.fixture(scope="module")
def records() -> list[dict[str, Any]]:
    """60 records with comments, upvotes above them, names and stars (archive order)."""
    found = [
        r
        for r in api_records()
        if r["comments"] and r["upvotes"] > r["comments"] and r["github_stars"]
    ]
    return found[:60]


@pytest.fixture(scope="module")
def data(records: list[dict[str, Any]], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Records 0-19 as daily cards only; 20-39 as daily and trending cards; 40-59 as paper
    pages and trending cards."""
    folder = tmp_path_factory.mktemp("records") / "data"
    daily = [capture(r, "daily", "daily.txt") for r in records[:40]]
    trending = [capture(r, "trending", "trending.md") for r in records[20:]]
    pages = [capture(r, "paper", "paper.txt") for r in records[40:]]
    library = Library(folder)
    sources = [
        Source("daily.txt", None, records=daily),
        Source("trending.md", None, records=trending),
        Source("paper.txt", None, records=pages),
    ]
    report = index_into(library, sources)
    assert not report.failures
    library.close()
    return folder


def by_arxiv(rows: list[dict[str, Any]], rec: dict[str, Any]) -> dict[str, Any]:
    (row,) = [r for r in rows if r["id"] == arxiv_paper_id(rec["arxiv_id"])]
    return row


def test_jsonl_keys_hold_what_the_captures_show(data: Path, records: list[dict[str, Any]]) -> None:
    proc = run(data, "search", "--format", "jsonl")
    assert proc.returncode == 0, proc.stderr
    rows = [json.loads(line) for line in proc.stdout.splitlines()]
    assert len(rows) == 60
    for rec in records[:20]:  # daily cards: comments, no upvotes, no id
        (row,) = [r for r in rows if r["title"] == one_line(rec["title"])]
        assert (row["comments"], row["upvotes"], row["arxiv_id"]) == (rec["comments"], None, None)
        assert row["authors"] == rec["authors"] and row["author_names"] is None
        assert row["summary"] is None and row["abstract"] == one_line(rec["abstract"])
        assert row["page_kinds"] == {"daily.txt": "daily"}
    for rec in records[20:40]:  # daily and trending: one record
        row = by_arxiv(rows, rec)
        assert (row["comments"], row["upvotes"]) == (rec["comments"], rec["upvotes"])
        assert row["arxiv_id"] == rec["arxiv_id"] and row["github_stars"] == rec["github_stars"]
        assert row["abstract"] == one_line(rec["abstract"])
        expected_summary = one_line(rec["ai_summary"]) if rec["ai_summary"] else None
        assert row["summary"] == expected_summary
        assert row["page_kinds"] == {"daily.txt": "daily", "trending.md": "trending"}
        assert sorted(row["sources"]) == ["daily.txt", "trending.md"]
    for rec in records[40:]:  # paper page and trending card
        row = by_arxiv(rows, rec)
        assert row["author_names"] == rec["author_names"]
        assert row["authors"] == len(rec["author_names"])
        assert row["upvotes"] == rec["upvotes"] and row["comments"] == rec["comments"]


def test_tsv_and_md_never_label_comments_as_upvotes(
    data: Path, records: list[dict[str, Any]]
) -> None:
    rec = records[0]  # a daily card: comments only
    tsv = run(data, "search", "--format", "tsv", f'"{one_line(rec["title"])}"').stdout
    (row,) = [line.split("\t") for line in tsv.splitlines()]
    assert row[2] == "" and row[6] == str(rec["comments"])
    md = run(data, "search", "--format", "md", f'"{one_line(rec["title"])}"').stdout
    assert md.rstrip().endswith(f"· {rec['comments']} 💬") and "▲" not in md
    tagged = records[45]
    md = run(data, "search", "--format", "md", f"arxiv:{tagged['arxiv_id']}").stdout
    assert f"{tagged['upvotes']} ▲ · {tagged['comments']} 💬" in md
    code = tagged["github_repo"]  # the first code link, else the arXiv abstract page
    assert f"]({code or 'https://arxiv.org/abs/' + tagged['arxiv_id']})" in md


def test_query_fields_in_a_real_process(data: Path, records: list[dict[str, Any]]) -> None:
    def ids(query: str) -> set[str | None]:
        proc = run(data, "search", "--format", "jsonl", query)
        assert proc.returncode in (0, 1), proc.stderr
        return {json.loads(line)["arxiv_id"] for line in proc.stdout.splitlines()}

    shown = records[20:]  # the ones a trending card or paper page showed with an id
    assert ids("upvotes:>=50") == {r["arxiv_id"] for r in shown if r["upvotes"] >= 50}
    assert ids("stars:>1000") == {r["arxiv_id"] for r in shown if r["github_stars"] > 1000}
    name = records[50]["author_names"][0]
    assert records[50]["arxiv_id"] in ids(f'author:"{name}"')


def test_show_by_arxiv_id_and_by_the_old_title_id(
    data: Path, records: list[dict[str, Any]]
) -> None:
    rec = records[30]
    proc = run(data, "show", rec["arxiv_id"], "--format", "jsonl")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["id"] == arxiv_paper_id(rec["arxiv_id"])
    title_id = Paper(title=one_line(rec["title"]), abstract="").id  # its id before the id
    proc = run(data, "show", title_id, "--format", "jsonl")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["arxiv_id"] == rec["arxiv_id"]
