"""Tests for paperbrowse.models: ids, merging records of one paper, filters."""

from __future__ import annotations

from datetime import date

import pytest

from paperbrowse.links import link_kind, primary_url
from paperbrowse.models import Filters, Paper, TriageState, merge, normalise_title, paper_id

TITLE = "Lite Pose: Efficient Architecture Design for 2D Human Pose Estimation"


@pytest.mark.parametrize(
    "variant",
    [
        TITLE,
        TITLE.upper(),
        TITLE.lower(),
        "Lite Pose - Efficient Architecture Design for 2D Human Pose Estimation.",
        "  Lite  Pose:  Efficient Architecture Design for 2D Human Pose Estimation  ",
        "Lite_Pose: Efficient Architecture, Design for 2D Human Pose Estimation!",
        "Ｌｉｔｅ Pose: Efficient Architecture Design for 2D Human Pose Estimation",  # NFKC
    ],
)
def test_paper_id_ignores_case_punctuation_and_spacing(variant: str) -> None:
    assert paper_id(variant) == paper_id(TITLE)


def test_paper_id_is_twelve_hex_digits_and_stable() -> None:
    pid = paper_id(TITLE)
    assert len(pid) == 12
    assert int(pid, 16) >= 0
    # Stable across runs and versions: ids key the triage database.
    assert pid == paper_id(TITLE) == Paper(title=TITLE, abstract="x").id
    assert normalise_title(TITLE) == (
        "lite pose efficient architecture design for 2d human pose estimation"
    )


def test_paper_id_differs_for_different_words() -> None:
    assert paper_id(TITLE) != paper_id(TITLE + " v2")
    assert paper_id("Attention is all you need") != paper_id("Attention is all you needed")


def test_merge_non_empty_fields_win_upvotes_max_sources_union() -> None:
    search_page = Paper(
        title=TITLE,
        abstract="Pose estimation.",
        upvotes=3,
        links=["https://github.com/a/b"],
        sources=["000.txt"],
    )
    listing_page = Paper(
        title=TITLE,
        abstract="Pose estimation plays a critical role.",
        published=date(2022, 5, 2),
        authors=5,
        org="MIT HAN Lab",
        org_handle="mit-han-lab",
        upvotes=7,
        links=["https://github.com/a/b", "https://example.org/x"],
        sources=["004.txt"],
    )
    for merged in (merge(search_page, listing_page), merge(listing_page, search_page)):
        assert merged.published == date(2022, 5, 2)
        assert merged.authors == 5
        assert merged.org == "MIT HAN Lab"
        assert merged.org_handle == "mit-han-lab"
        assert merged.upvotes == 7
        assert merged.abstract == "Pose estimation plays a critical role."
        assert sorted(merged.links) == ["https://example.org/x", "https://github.com/a/b"]
        assert sorted(merged.sources) == ["000.txt", "004.txt"]
        assert merged.line == 0


def test_merge_keeps_upvotes_none_only_when_both_unknown() -> None:
    a = Paper(title=TITLE, abstract="a", sources=["a"])
    b = Paper(title=TITLE, abstract="a", sources=["b"], upvotes=0)
    assert merge(a, a).upvotes is None
    assert merge(a, b).upvotes == 0
    assert merge(b, a).upvotes == 0


def test_merge_does_not_duplicate_sources() -> None:
    a = Paper(title=TITLE, abstract="a", sources=["x.txt"])
    assert merge(a, a).sources == ["x.txt"]


def test_filters_chain_returns_new_objects() -> None:
    base = Filters()
    f = base.with_query("pose").with_dates(date(2024, 1, 1), None).with_state("starred")
    f = f.with_sort("upvotes")
    assert base == Filters()
    assert (f.query, f.since, f.until, f.state, f.sort) == (
        "pose",
        date(2024, 1, 1),
        None,
        "starred",
        "upvotes",
    )


@pytest.mark.parametrize(
    ("query", "sort", "effective"),
    [
        ("", "auto", "date"),
        ("  ", "auto", "date"),
        ("pose", "auto", "relevance"),
        ("", "relevance", "date"),
        ("pose", "relevance", "relevance"),
        ("pose", "title", "title"),
        ("", "upvotes", "upvotes"),
    ],
)
def test_effective_sort(query: str, sort: str, effective: str) -> None:
    assert Filters(query=query, sort=sort).effective_sort == effective


def test_link_kind_and_primary_url() -> None:
    assert link_kind("https://github.com/a/b") == "code"
    assert link_kind("https://www.GitLab.com/a") == "code"
    assert link_kind("https://huggingface.co/x") == "model/dataset"
    assert link_kind("https://example.org/") == "project page"
    paper = Paper(title=TITLE, abstract="a", links=["https://example.org/", "https://github.com/x"])
    assert primary_url(paper) == "https://github.com/x"
    assert primary_url(Paper(title=TITLE, abstract="a", links=["https://example.org/"])) == (
        "https://example.org/"
    )
    assert primary_url(Paper(title=TITLE, abstract="a")).startswith("https://arxiv.org/search/")


def test_triage_state_as_dict() -> None:
    assert TriageState(starred=True).as_dict() == {"read": False, "starred": True, "hidden": False}
