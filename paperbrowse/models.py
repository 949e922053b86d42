"""The records paperbrowse passes around: papers, filters and triage state. No I/O here."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from paperbrowse.links import bare_arxiv_id, code_links

# The sorts the browser's `S` cycles through.
SORTS = ("relevance", "date", "upvotes", "title")
# Every sort `paperbrowse search --sort` and Filters accept.
ALL_SORTS = (*SORTS, "comments")
# The kinds of Hugging Face papers pages a capture can be (see ../shared/README.md, "Page kinds").
PAGE_KINDS = ("daily", "weekly", "monthly", "search", "trending", "paper")
STATES = ("inbox", "unread", "read", "starred", "hidden", "all")
# For you's order: a sort `search --sort` and saved views take besides ALL_SORTS (suggest.py).
FOR_YOU_SORT = "for-you"
# How every view marks a paper's counts: upvotes, and comments (never upvotes: see Paper).
UPVOTE, COMMENT = "▲", "💬"  # U+1F4AC is East Asian Wide: two cells in every terminal

_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)


def normalise_title(title: str) -> str:
    """The title reduced to what identifies a paper: NFKC, case-folded, punctuation folded."""
    folded = unicodedata.normalize("NFKC", title).casefold()
    return _NON_WORD.sub(" ", folded).strip()


def paper_id(title: str) -> str:
    """A stable 12-hex-digit id derived from the normalised title (the id of a paper whose
    arXiv id is unknown; every paper's id before schema 8)."""
    return hashlib.sha1(normalise_title(title).encode("utf-8")).hexdigest()[:12]


# An arXiv identifier: new style `2510.04618` (4+4 or 4+5 digits) or old style
# `math.GT/0309136` (archive[.subject-class]/7 digits), optionally `arXiv:`-prefixed and
# versioned (source: arXiv's "Understanding the arXiv identifier",
# info.arxiv.org/help/arxiv_identifier).
_ARXIV_ID_FORM = re.compile(
    r"^(?:arxiv:)?(?:[0-9]{4}\.[0-9]{4,5}|[a-z][a-z.-]*/[0-9]{7})(?:v[0-9]+)?$", re.IGNORECASE
)


def is_arxiv_id(text: str) -> bool:
    """Whether `text` (blanks around ignored) has the form of an arXiv id (`2510.04618`,
    `arXiv:2510.04618v2`, `math.GT/0309136`); `../../etc` or `2510` does not."""
    return bool(_ARXIV_ID_FORM.match(text.strip()))


def arxiv_key(arxiv_id: str) -> str:
    """An arXiv id as it identifies a paper: no `arXiv:` prefix, no version, lower case.

    `arXiv:2510.04618v2` -> `2510.04618`; `math.GT/0309136` -> `math.gt/0309136` (arXiv ids
    never differ by case alone).
    """
    return bare_arxiv_id(arxiv_id).lower()


def arxiv_paper_id(arxiv_id: str) -> str:
    """The 12-hex-digit id of a paper with a known arXiv id (any version of it)."""
    return hashlib.sha1(f"arxiv:{arxiv_key(arxiv_id)}".encode()).hexdigest()[:12]


def record_id(title: str, arxiv_id: str | None) -> str:
    """A paper's id: from its arXiv id when known, else from its normalised title.

    Both are stable: the same arXiv id always gives the same id whatever the title says, and a
    paper without one keeps the id every earlier version of paperbrowse gave it.
    """
    return arxiv_paper_id(arxiv_id) if arxiv_id and arxiv_key(arxiv_id) else paper_id(title)


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
        """The stable 12-hex-digit id (`record_id`): from the arXiv id when known, else from
        the normalised title."""
        return record_id(self.title, self.arxiv_id)

    @property
    def title_id(self) -> str:
        """The id derived from this record's title alone (what `id` is without an arXiv id)."""
        return paper_id(self.title)

    @property
    def code_links(self) -> list[str]:
        """Links to code hosts (GitHub, GitLab)."""
        return code_links(self.links)

    @property
    def has_code(self) -> bool:
        """True when the abstract links to a code host."""
        return bool(self.code_links)


def authors_text(count: int | None) -> str:
    """An author count as every view writes it: '5 authors', '1 author', '' when unknown."""
    if count is None:
        return ""
    return f"{count} author{'s' if count != 1 else ''}"


def _newer(a: Paper, b: Paper) -> bool:
    """True when capture `a` is from a later page date than `b` (an undated one is older)."""
    return a.page_date is not None and (b.page_date is None or a.page_date > b.page_date)


def _largest(a: int | None, b: int | None) -> int | None:
    return b if a is None else a if b is None else max(a, b)


def merge(old: Paper, new: Paper) -> Paper:
    """Merge two records of one paper (two captures, or a record and a capture).

    - `title`: the title of the capture with the later `page_date` (titles get re-worded in
      newer arXiv versions, so the newest capture has the current one); on equal or unknown
      dates, `old`'s. `page_date` becomes the later of the two.
    - `upvotes`, `comments`, `github_stars`: each the larger of the two; None only when
      neither capture shows one (counts only grow; a capture shows what it showed that day).
    - `abstract`: the longer one, so a full abstract beats a truncated one and "" never wins;
      `summary` (the AI summary) is kept in its own field: `old`'s, else `new`'s.
    - `author_names`: the longer list of names; `authors` is its length when names are known,
      else the count of the newer capture, else the other's.
    - `published`, `org`, `org_handle`, `arxiv_id`, `submitted_by`: `old`'s, else `new`'s.
    - `links`, `sources`: the union, in order; `page_kinds`: the union (`old`'s kind wins for a
      source named in both). `line` is 0.
    """

    def pick(a: Any, b: Any) -> Any:
        return a if a not in (None, "", []) else b

    later, earlier = (new, old) if _newer(new, old) else (old, new)
    names = old.author_names
    if new.author_names is not None and (names is None or len(new.author_names) > len(names)):
        names = new.author_names
    authors = len(names) if names is not None else pick(later.authors, earlier.authors)
    dates = [d for d in (old.page_date, new.page_date) if d is not None]
    return replace(
        old,
        title=pick(later.title, earlier.title),
        abstract=old.abstract if len(old.abstract) >= len(new.abstract) else new.abstract,
        published=pick(old.published, new.published),
        authors=authors,
        author_names=list(names) if names is not None else None,
        org=pick(old.org, new.org),
        org_handle=pick(old.org_handle, new.org_handle),
        upvotes=_largest(old.upvotes, new.upvotes),
        comments=_largest(old.comments, new.comments),
        github_stars=_largest(old.github_stars, new.github_stars),
        arxiv_id=pick(old.arxiv_id, new.arxiv_id),
        summary=pick(old.summary, new.summary),
        submitted_by=pick(old.submitted_by, new.submitted_by),
        links=list(dict.fromkeys([*old.links, *new.links])),
        sources=list(dict.fromkeys([*old.sources, *new.sources])),
        page_kinds={
            **old.page_kinds,
            **{k: v for k, v in new.page_kinds.items() if k not in old.page_kinds},
        },
        page_date=max(dates) if dates else None,
        line=0,
    )


@dataclass(frozen=True)
class TriageState:
    """A paper's triage flags, its tags (lower-case words, sorted) and its note ('' = none)."""

    read: bool = False
    starred: bool = False
    hidden: bool = False
    tags: tuple[str, ...] = ()
    note: str = ""

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
