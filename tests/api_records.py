"""Real paper records from the Hugging Face API archive in ../shared/data, and Papers made from
them as each kind of capture would show them. Expected values in tests come from the records.

The archive stays in ../shared (never copied here); tests that need it skip when it is absent.
"""

from __future__ import annotations

import gzip
import json
from dataclasses import replace
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from paperbrowse.models import Paper

ARCHIVE = (
    Path(__file__).resolve().parents[1]
    / ".."
    / "shared"
    / "data"
    / "hf-daily-papers-api-2024-2026.jsonl.gz"
)


@cache
def _load() -> tuple[dict[str, Any], ...]:
    with gzip.open(ARCHIVE, "rt", encoding="utf-8") as handle:
        return tuple(json.loads(line) for line in handle)


def api_records() -> tuple[dict[str, Any], ...]:
    """Every record of the archive (9,877), in file order; skips the test without ../shared."""
    if not ARCHIVE.exists():
        pytest.skip(f"the HF API archive is not there ({ARCHIVE}): ../shared is absent")
    return _load()


def one_line(text: str) -> str:
    """Text wrapped by arXiv or a tool, joined back into one line (as a record holds it)."""
    return " ".join(text.split())


def capture(rec: dict[str, Any], kind: str, source: str) -> Paper:
    """The Paper a capture of `kind` yields for an API record, with what that kind shows:

    - "daily": a select-all list card without the upvote line: title, abstract, author count or
      organisation, published date, comments (the number after the date; none shown for 0).
    - "trending": a trending card: arXiv id, title, AI summary instead of the abstract when there
      is one, upvotes, comments, GitHub stars, organisation.
    - "paper": a paper page: arXiv id, title, author names, abstract and AI summary, upvotes.
    The page date is the record's daily page (trending and paper pages a week later).
    """
    published = date.fromisoformat(rec["published_at"][:10])
    day = date.fromisoformat(rec["daily_page"])
    links = [u for u in (rec["github_repo"], rec["project_page"]) if u]
    base = Paper(
        title=one_line(rec["title"]),
        abstract=one_line(rec["abstract"]),
        published=published,
        authors=rec["authors"],
        org=rec["org"],
        org_handle=rec["org_handle"],
        sources=[source],
        page_date=day,
        page_kinds={source: kind},
        links=links,
    )
    if kind == "daily":
        return replace(base, comments=rec["comments"] or None)
    later = date.fromordinal(day.toordinal() + 7)
    summary = one_line(rec["ai_summary"]) if rec["ai_summary"] else None
    if kind == "trending":
        return replace(
            base,
            abstract="" if summary else base.abstract,
            summary=summary,
            arxiv_id=rec["arxiv_id"],
            upvotes=rec["upvotes"],
            comments=rec["comments"] or None,
            github_stars=rec["github_stars"],
            page_date=later,
        )
    if kind == "paper":
        return replace(
            base,
            arxiv_id=rec["arxiv_id"],
            author_names=list(rec["author_names"]),
            authors=len(rec["author_names"]),
            summary=summary,
            upvotes=rec["upvotes"],
            page_date=later,
            org=None,
            org_handle=None,
        )
    raise ValueError(f"unknown capture kind {kind!r}")
