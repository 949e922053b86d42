"""Merging the captures of one paper, and which captures are one paper (models.merge,
schema.merge_variants, identity.group). Papers are built from real HF API records
(tests/api_records.py); every expected value comes from the record."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from itertools import permutations
from typing import Any

import pytest

from paperbrowse.identity import aliases, group, key_of
from paperbrowse.models import (
    Paper,
    arxiv_key,
    arxiv_paper_id,
    merge,
    paper_id,
    record_id,
)
from paperbrowse.schema import merge_variants, paper_record
from tests.api_records import api_records, capture, one_line


def rich_record() -> dict[str, Any]:
    """The first archive record with every field a capture can show: comments, upvotes above
    them, an AI summary, GitHub stars, several author names and an organisation."""
    for rec in api_records():
        if (
            rec["comments"]
            and rec["upvotes"] > rec["comments"]
            and rec["ai_summary"]
            and rec["github_stars"]
            and len(rec["author_names"]) > 2
            and rec["org"]
        ):
            return rec
    raise AssertionError("the archive has no such record")


def reworded(title: str) -> str:
    """An earlier arXiv version's wording of a title: its part before the colon, else without
    its last word (normalises differently from the title)."""
    head, colon, _ = title.partition(":")
    return head if colon else title.rsplit(" ", 1)[0]


def test_daily_trending_and_paper_captures_merge_to_the_records_values() -> None:
    rec = rich_record()
    daily = capture(rec, "daily", "daily.txt")
    trending = capture(rec, "trending", "trending.md")
    page = capture(rec, "paper", "paper.txt")
    # What each capture shows, as the issue describes it.
    assert (daily.upvotes, daily.comments, daily.arxiv_id) == (None, rec["comments"], None)
    assert trending.abstract == "" and trending.summary
    for order in permutations([daily, trending, page]):
        merged = order[0]
        for other in order[1:]:
            merged = merge(merged, other)
        assert merged.upvotes == rec["upvotes"]
        assert merged.comments == rec["comments"]
        assert merged.arxiv_id == rec["arxiv_id"]
        assert merged.github_stars == rec["github_stars"]
        assert merged.author_names == rec["author_names"]
        assert merged.authors == len(rec["author_names"])
        assert merged.abstract == one_line(rec["abstract"])  # the full abstract, not the summary
        assert merged.summary == one_line(rec["ai_summary"])
        assert merged.title == one_line(rec["title"])
        assert merged.org == rec["org"]
        assert merged.page_kinds == {
            "daily.txt": "daily",
            "trending.md": "trending",
            "paper.txt": "paper",
        }
        assert sorted(merged.sources) == ["daily.txt", "paper.txt", "trending.md"]
        assert merged.id == arxiv_paper_id(rec["arxiv_id"])


def test_the_larger_count_wins_each_on_its_own() -> None:
    rec = rich_record()
    earlier = replace(
        capture(rec, "trending", "a.md"),
        upvotes=rec["upvotes"] // 2,  # the same card a few days before
        comments=rec["comments"] + 3,  # and a count that later shrank (a deleted comment)
        github_stars=rec["github_stars"] - 1,
    )
    later = capture(rec, "trending", "b.md")
    for merged in (merge(earlier, later), merge(later, earlier)):
        assert merged.upvotes == rec["upvotes"]
        assert merged.comments == rec["comments"] + 3
        assert merged.github_stars == rec["github_stars"]


def test_counts_are_none_only_when_no_capture_shows_one() -> None:
    rec = rich_record()
    daily = replace(capture(rec, "daily", "a.txt"), comments=None)
    daily2 = capture(rec, "daily", "b.txt")
    assert merge(daily, daily).upvotes is None and merge(daily, daily).comments is None
    assert merge(daily, daily2).comments == rec["comments"]
    zero = replace(capture(rec, "trending", "c.md"), upvotes=0)
    assert merge(daily, zero).upvotes == 0 and merge(zero, daily).upvotes == 0


def test_names_beat_a_count() -> None:
    rec = rich_record()
    card = replace(capture(rec, "daily", "a.txt"), authors=len(rec["author_names"]) + 5)
    page = capture(rec, "paper", "b.txt")
    for merged in (merge(card, page), merge(page, card)):
        assert merged.author_names == rec["author_names"]
        assert merged.authors == len(rec["author_names"])


def test_a_summary_never_replaces_an_abstract() -> None:
    rec = rich_record()
    summary_only = capture(rec, "trending", "t.md")
    assert summary_only.abstract == ""
    alone = merge(summary_only, summary_only)
    assert alone.abstract == "" and alone.summary == one_line(rec["ai_summary"])
    daily = capture(rec, "daily", "d.txt")
    for merged in (merge(summary_only, daily), merge(daily, summary_only)):
        assert merged.abstract == one_line(rec["abstract"])
        assert merged.summary == one_line(rec["ai_summary"])


def test_the_newest_capture_names_the_title() -> None:
    rec = rich_record()
    title = one_line(rec["title"])
    old = replace(capture(rec, "daily", "old.txt"), title=reworded(title))
    new = capture(rec, "trending", "new.md")
    assert old.page_date is not None and new.page_date is not None
    assert old.page_date < new.page_date
    for merged in (merge(old, new), merge(new, old)):
        assert merged.title == title
        assert merged.page_date == new.page_date
    # Undated captures lose to dated ones; equal dates keep the first title.
    undated = replace(new, page_date=None, title="Some Other Wording")
    assert merge(undated, old).title == reworded(title)
    same_day = replace(old, title="Another Wording")
    assert merge(old, same_day).title == reworded(title)


def test_merge_variants_is_the_same_whatever_order_the_sources_come_in() -> None:
    rec = rich_record()
    papers = {
        "b-daily.txt": capture(rec, "daily", "b-daily.txt"),
        "a-trending.md": capture(rec, "trending", "a-trending.md"),
        "c-paper.txt": capture(rec, "paper", "c-paper.txt"),
    }
    results = []
    for names in permutations(papers):
        variants = {name: [paper_record(papers[name])] for name in names}
        results.append(paper_record(merge_variants(variants)))
    assert all(r == results[0] for r in results)
    assert results[0]["comments"] == rec["comments"] and results[0]["upvotes"] == rec["upvotes"]


# ---------------------------------------------------------------------------------------------
# ids and identity


def test_ids_from_arxiv_ids_ignore_prefix_version_and_case() -> None:
    rec = api_records()[0]
    aid = rec["arxiv_id"]
    assert arxiv_key(f"arXiv:{aid}v3") == aid
    assert arxiv_key("math.GT/0309136v2") == "math.gt/0309136"
    pid = arxiv_paper_id(aid)
    assert len(pid) == 12 and int(pid, 16) >= 0
    assert pid == arxiv_paper_id(f"arXiv:{aid}v2") == record_id("Any title", aid)
    assert pid != paper_id(rec["title"])
    # Without an arXiv id the id is the title id every earlier version gave the paper.
    assert record_id(rec["title"], None) == paper_id(rec["title"])
    assert Paper(title=rec["title"], abstract="").id == paper_id(rec["title"])
    assert Paper(title="A re-worded title", abstract="", arxiv_id=aid).id == pid


def test_one_arxiv_id_is_one_paper_whatever_its_titles() -> None:
    records = api_records()[:50]
    captures = []
    for rec in records:
        title = one_line(rec["title"])
        captures.append(replace(capture(rec, "trending", "t.md"), title=reworded(title)))
        captures.append(capture(rec, "paper", "p.txt"))
    groups = group([key_of(p) for p in captures])
    assert len(groups) == len(records)
    for members in groups:
        assert len({captures[i].arxiv_id for i in members}) == 1
        assert len(members) == 2


def test_a_capture_without_an_id_joins_the_paper_of_its_title() -> None:
    records = api_records()[:50]
    captures = [capture(rec, "daily", "d.txt") for rec in records]  # no ids
    captures += [capture(rec, "trending", "t.md") for rec in records]
    groups = group([key_of(p) for p in captures])
    assert sorted(groups) == sorted([i, i + len(records)] for i in range(len(records)))
    # A title seen without an id, twice, and never with one: one paper of its own.
    lone = [capture(rec, "daily", f"{n}.txt") for n, rec in enumerate(records[:2] * 2)]
    assert sorted(group([key_of(p) for p in lone])) == [[0, 2], [1, 3]]


def test_a_capture_without_an_id_joins_by_its_abstract_under_a_reworded_title() -> None:
    records = [r for r in api_records()[:200] if not r["ai_summary"]][:20]
    old = [
        replace(capture(r, "daily", "d.txt"), title=reworded(one_line(r["title"]))) for r in records
    ]
    new = [capture(r, "trending", "t.md") for r in records]  # shows the abstract (no summary)
    groups = group([key_of(p) for p in old + new])
    assert sorted(groups) == sorted([i, i + len(records)] for i in range(len(records)))
    # Two cards without ids, titles re-worded, one abstract: one paper.
    assert group([key_of(old[0]), key_of(replace(old[0], title="Another Wording"))]) == [[0, 1]]


def test_a_short_abstract_identifies_nothing() -> None:
    a, b = api_records()[:2]
    first = replace(capture(a, "daily", "a.txt"), abstract="We propose a method.")
    second = replace(capture(b, "daily", "b.txt"), abstract="We propose a method.")
    assert key_of(first).abstract is None
    assert group([key_of(first), key_of(second)]) == [[0], [1]]


def test_two_arxiv_ids_are_never_one_paper() -> None:
    a, b = api_records()[:2]
    title = one_line(a["title"])
    first = capture(a, "trending", "a.md")
    second = replace(capture(b, "trending", "b.md"), title=title)  # the same title, another id
    untagged = capture(a, "daily", "d.txt")
    for order in permutations(range(3)):
        papers = [[first, second, untagged][i] for i in order]
        groups = group([key_of(p) for p in papers])
        assert len(groups) == 2
        smallest = min(a["arxiv_id"], b["arxiv_id"])
        with_untagged = next(g for g in groups if any(papers[i] is untagged for i in g))
        assert {papers[i].arxiv_id for i in with_untagged} - {None} == {smallest}


def test_aliases_are_every_id_the_paper_answers_to() -> None:
    rec = rich_record()
    title = one_line(rec["title"])
    keys = [key_of(replace(capture(rec, "daily", "d.txt"), title=reworded(title)))]
    keys.append(key_of(capture(rec, "trending", "t.md")))
    assert aliases(keys) == {
        paper_id(reworded(title)),
        paper_id(title),
        arxiv_paper_id(rec["arxiv_id"]),
    }


@pytest.mark.parametrize("kind", ["daily", "trending", "paper"])
def test_a_record_survives_storage(kind: str) -> None:
    from paperbrowse.schema import record_paper

    rec = rich_record()
    paper = capture(rec, kind, "x.txt")
    assert record_paper(paper_record(paper)) == paper
    assert paper.published == date.fromisoformat(rec["published_at"][:10])
