"""The benchmark corpus (benchmarks/corpus.py, textmodel.py): real pages parse back to the
archive's records, generated corpora are deterministic and parse back to their papers, and the
generated papers follow the archive's statistics. Expected values come from the API records in
../shared/data, never from running the generator."""

from __future__ import annotations

import random
import re
import statistics
import sys
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks import pages  # noqa: E402
from benchmarks.corpus import REAL_PAPERS, generated_days, write_corpus  # noqa: E402
from benchmarks.textmodel import fit_heaps, words_of  # noqa: E402
from paperbrowse.identity import group, key_of  # noqa: E402
from paperbrowse.models import merge  # noqa: E402
from paperbrowse.pages import parse_file  # noqa: E402

pytestmark = pytest.mark.skipif(
    not pages.DATA.is_file(), reason=f"the HF API archive is absent ({pages.DATA})"
)


@pytest.fixture(scope="module")
def records() -> list[dict[str, Any]]:
    return pages.records()


def parse_corpus(folder: Path) -> tuple[list[Any], int]:
    """Every page parsed and grouped into papers as the library groups them; and the cards."""
    captures = []
    for path in sorted(folder.iterdir()):
        if path.suffix in (".txt", ".md"):
            result = parse_file(path)
            assert not result.warnings, (path.name, result.warnings[:3])
            captures += result.papers
    papers = []
    for members in group([key_of(p) for p in captures]):
        paper = captures[members[0]]
        for i in members[1:]:
            paper = merge(paper, captures[i])
        papers.append(paper)
    return papers, len(captures)


def collapse(text: str) -> str:
    return " ".join(text.split())


def test_real_corpus_parses_back_to_the_archive(
    records: list[dict[str, Any]], tmp_path: Path
) -> None:
    summary = write_corpus(tmp_path, 10_000, records=records)
    assert summary.source == "real" and summary.papers == len(records) == REAL_PAPERS
    papers, cards = parse_corpus(tmp_path)
    assert cards == summary.cards > len(records)  # papers appear on several pages
    assert len(papers) == len(records)
    by_id = {r["arxiv_id"]: r for r in records}
    by_title = {collapse(r["title"]): r for r in records}
    found = set()
    for paper in papers:
        # A paper only ever on select-all pages has no arXiv id: it is known by its title.
        rec = by_id[paper.arxiv_id] if paper.arxiv_id else by_title[collapse(paper.title)]
        found.add(rec["arxiv_id"])
        assert collapse(paper.title) == collapse(rec["title"])
        assert paper.published == date.fromisoformat(rec["published_at"][:10])
    assert found == set(by_id)


def test_same_seed_same_bytes(records: list[dict[str, Any]], tmp_path: Path) -> None:
    def files(folder: Path) -> dict[str, bytes]:
        return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.suffix != ".json"}

    write_corpus(tmp_path / "a", 600, seed=3, records=records, generated=True)
    write_corpus(tmp_path / "b", 600, seed=3, records=records, generated=True)
    write_corpus(tmp_path / "c", 600, seed=4, records=records, generated=True)
    a, b, c = files(tmp_path / "a"), files(tmp_path / "b"), files(tmp_path / "c")
    assert a and a == b
    assert a != c
    # The capture day is the file's modification time, as a user's saved page has it.
    stamp = (tmp_path / "a" / sorted(a)[0]).stat().st_mtime
    assert stamp == (tmp_path / "b" / sorted(a)[0]).stat().st_mtime


def test_generated_corpus_parses_back_to_its_papers(
    records: list[dict[str, Any]], tmp_path: Path
) -> None:
    written: list[dict[str, Any]] = []
    summary = write_corpus(
        tmp_path, 1500, seed=2, records=records, observe=written.append, generated=True
    )
    assert summary.source == "generated" and len(written) == summary.papers == 1500
    papers, cards = parse_corpus(tmp_path)
    assert cards == summary.cards
    assert len(papers) == 1500
    titles = {collapse(r["title"]) for r in written}
    assert {collapse(p.title) for p in papers} == titles
    # Every page kind and every capture syntax is in the corpus.
    assert set(summary.pages_by_kind) == set(pages.KINDS)
    assert set(summary.pages_by_syntax) == set(pages.SYNTAXES)


def test_generated_papers_follow_the_archive(records: list[dict[str, Any]]) -> None:
    """Means and shares of 3,000 generated papers against the archive's own."""
    made = [rec for _, day in generated_days(records, 3000, random.Random(5)) for rec in day]
    assert len(made) == 3000

    def mean(recs: list[dict[str, Any]], get: Any) -> float:
        return statistics.fmean(get(r) for r in recs)

    def close(got: float, want: float, rel: float) -> None:
        assert abs(got - want) <= rel * want, (got, want)

    close(
        mean(made, lambda r: len(r["abstract"].split())),
        mean(records, lambda r: len(r["abstract"].split())),
        0.1,
    )
    close(
        mean(made, lambda r: len(r["title"].split())),
        mean(records, lambda r: len(r["title"].split())),
        0.1,
    )
    close(mean(made, lambda r: r["upvotes"]), mean(records, lambda r: r["upvotes"]), 0.2)
    close(mean(made, lambda r: r["authors"]), mean(records, lambda r: r["authors"]), 0.25)
    for get in (
        lambda r: bool(r["ai_summary"]),
        lambda r: bool(r["org"]),
        lambda r: bool(r["github_repo"]),
        lambda r: r["comments"] >= 2,
    ):
        close(mean(made, get), mean(records, get), 0.15)
    # Topical words are in about as many papers as in the archive (not spread everywhere).
    for word in ("diffusion", "video", "graph", "agent"):
        share = mean(made, lambda r, w=word: w in words_of(r["title"] + " " + r["abstract"]))
        real = mean(records, lambda r, w=word: w in words_of(r["title"] + " " + r["abstract"]))
        close(share, real, 0.4)
    # The vocabulary grows as the archive's Heaps' law says (within 20 %).
    heaps = fit_heaps(records)
    tokens = sum(len(words_of(r["title"]) + words_of(r["abstract"])) for r in made)
    vocab = {w for r in made for w in words_of(r["title"]) + words_of(r["abstract"])}
    close(len(vocab), heaps.vocabulary(tokens), 0.2)
    # Titles are unique as the library compares them; arXiv ids too.
    assert len({re.sub(r"\W+", "", r["title"].lower()) for r in made}) == len(made)
    assert len({r["arxiv_id"] for r in made}) == len(made)


def test_a_copied_corpus_keeps_its_years_where_the_pages_name_their_address(
    records: list[dict[str, Any]], tmp_path: Path
) -> None:
    # `cp -r` gives every file today's date. A Markdown clip of a daily, weekly or monthly page
    # has no capture date, but its address (`Source URL: …/papers/date/2024-11-29`) names the
    # page's year, which must win over the file's date.
    import os

    write_corpus(tmp_path, 10_000, records=records)
    copied = datetime(2026, 11, 30, 20, 0).timestamp()
    by_id = {r["arxiv_id"]: date.fromisoformat(r["published_at"][:10]) for r in records}
    checked = 0
    for path in sorted(tmp_path.glob("*-markdown.md")):
        if not path.name.split("-", 1)[1].startswith(("daily", "weekly", "monthly")):
            continue
        os.utime(path, (copied, copied))
        for paper in parse_file(path).papers:
            assert paper.arxiv_id is not None  # a clip links every card to its paper
            assert paper.published == by_id[paper.arxiv_id], (path.name, paper.arxiv_id)
            checked += 1
    assert checked > 1000
