"""The records paperbrowse passes around: papers, filters and triage state. No I/O here."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any
from urllib.parse import quote_plus

SORTS = ("relevance", "date", "upvotes", "title")
# The kinds of Hugging Face papers pages a capture can be (see ../shared/README.md, "Page kinds").
PAGE_KINDS = ("daily", "weekly", "monthly", "search", "trending", "paper")
STATES = ("inbox", "unread", "read", "starred", "hidden", "all")

_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)


def normalise_title(title: str) -> str:
    """The title reduced to what identifies a paper: NFKC, case-folded, punctuation folded."""
    folded = unicodedata.normalize("NFKC", title).casefold()
    return _NON_WORD.sub(" ", folded).strip()


def paper_id(title: str) -> str:
    """A stable 12-hex-digit id derived from the normalised title."""
    return hashlib.sha1(normalise_title(title).encode("utf-8")).hexdigest()[:12]


@dataclass
class Paper:
    """One paper as parsed from a capture, or merged from several.

    Every count is what a capture *shows*, never inferred from another count (source: the
    format notes in ../shared/README.md and the HF API records in ../shared/data):

    - `upvotes`: the upvote count, only where the capture shows one: the number (or `-`, which
      is 0) on the line before a list card's title, or the number after `Upvote` on trending and
      paper pages. None where the capture shows none.
    - `comments`: the number after a card's date (`Nov 27, 2025 7`: 7 comments; it links to the
      paper's `#community` section). None where none is shown (HF shows none for 0).
    - `authors`: the author count (`• 5 authors`), or the length of `author_names` when a paper
      page lists the names.
    - `arxiv_id`: `2510.04618` or an old-style `hep-th/9901001`, from `huggingface.co/papers/<id>`
      or `arxiv.org/abs|pdf/<id>` links or a `Cite arxiv.org/abs/<id>` line.
    - `github_stars`: `GitHub 3.29k` -> 3290.
    - `summary`: the one-sentence AI-generated summary of trending cards and paper pages, kept
      apart from `abstract` (which is "" when a card shows only the summary).
    - `submitted_by`: the user name after `Submitted by`.
    - `page_kinds`: source name -> page kind (one of PAGE_KINDS) of every capture it came from.
    """

    title: str
    abstract: str
    published: date | None = None
    authors: int | None = None
    org: str | None = None
    org_handle: str | None = None
    upvotes: int | None = None
    links: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    page_date: date | None = None
    line: int = 0  # line of the title in its dump (1-based), for messages; 0 when merged
    comments: int | None = None
    arxiv_id: str | None = None
    author_names: list[str] | None = None
    github_stars: int | None = None
    summary: str | None = None
    submitted_by: str | None = None
    page_kinds: dict[str, str] = field(default_factory=dict)

    @property
    def id(self) -> str:
        """Stable id derived from the normalised title."""
        return paper_id(self.title)

    @property
    def code_links(self) -> list[str]:
        """Links to code hosts (GitHub, GitLab)."""
        return [u for u in self.links if link_kind(u) == "code"]

    @property
    def has_code(self) -> bool:
        """True when the abstract links to a code host."""
        return bool(self.code_links)


def link_kind(url: str) -> str:
    """Label a link by what it points at: code, model/dataset, or project page."""
    host = re.sub(r"^https?://", "", url.lower()).split("/", 1)[0]
    host = host.removeprefix("www.")
    if host in ("github.com", "gitlab.com") or host.endswith((".github.com", ".gitlab.com")):
        return "code"
    if host in ("huggingface.co", "hf.co"):
        return "model/dataset"
    return "project page"


def lookup_urls(title: str) -> list[tuple[str, str]]:
    """Searches for a paper by its title on the usual sites, as (label, url) pairs."""
    q = quote_plus(title)
    return [
        ("arXiv search", f"https://arxiv.org/search/?query={q}&searchtype=title"),
        ("Hugging Face papers", f"https://huggingface.co/papers?q={q}"),
        ("Semantic Scholar", f"https://www.semanticscholar.org/search?q={q}"),
        ("Google Scholar", f"https://scholar.google.com/scholar?q={q}"),
    ]


def primary_url(paper: Paper) -> str:
    """The link `o` opens: the first code link, else the first link, else an arXiv title search."""
    if paper.code_links:
        return paper.code_links[0]
    if paper.links:
        return paper.links[0]
    return lookup_urls(paper.title)[0][1]


def open_target(paper: Paper) -> str:
    """What `o` opens: the first code link, else an arXiv search for the title."""
    return paper.code_links[0] if paper.code_links else lookup_urls(paper.title)[0][1]


def merge(old: Paper, new: Paper) -> Paper:
    """Merge two records of one paper: non-empty fields win, upvotes take the max, sources union."""

    def pick(a: Any, b: Any) -> Any:
        return a if a not in (None, "", []) else b

    upvotes = [v for v in (old.upvotes, new.upvotes) if v is not None]
    links = list(dict.fromkeys([*old.links, *new.links]))
    sources = list(dict.fromkeys([*old.sources, *new.sources]))
    return replace(
        old,
        title=pick(old.title, new.title),
        abstract=old.abstract if len(old.abstract) >= len(new.abstract) else new.abstract,
        published=pick(old.published, new.published),
        authors=pick(old.authors, new.authors),
        org=pick(old.org, new.org),
        org_handle=pick(old.org_handle, new.org_handle),
        upvotes=max(upvotes) if upvotes else None,
        links=links,
        sources=sources,
        page_date=pick(old.page_date, new.page_date),
        line=0,
    )


@dataclass(frozen=True)
class TriageState:
    """A paper's triage flags."""

    read: bool = False
    starred: bool = False
    hidden: bool = False

    def as_dict(self) -> dict[str, bool]:
        """The flags as a plain dict, as written in JSON output."""
        return {"read": self.read, "starred": self.starred, "hidden": self.hidden}


@dataclass(frozen=True)
class Filters:
    """What to show: a query in Whoosh syntax, inclusive date bounds, a triage view and a sort.

    Chainable: each `with_*` returns a new Filters.
    """

    query: str = ""
    since: date | None = None
    until: date | None = None
    state: str = "all"
    sort: str = "auto"  # auto = relevance with a query, else date
    limit: int = 0  # 0 = all

    def with_query(self, query: str) -> Filters:
        """A copy with another query."""
        return replace(self, query=query)

    def with_dates(self, since: date | None, until: date | None) -> Filters:
        """A copy with other date bounds."""
        return replace(self, since=since, until=until)

    def with_state(self, state: str) -> Filters:
        """A copy showing another triage view."""
        return replace(self, state=state)

    def with_sort(self, sort: str) -> Filters:
        """A copy with another sort order."""
        return replace(self, sort=sort)

    @property
    def effective_sort(self) -> str:
        """The sort actually applied: `auto` resolves to relevance with a query, else date."""
        if self.sort == "auto":
            return "relevance" if self.query.strip() else "date"
        if self.sort == "relevance" and not self.query.strip():
            return "date"
        return self.sort
