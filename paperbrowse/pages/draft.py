"""One card while the grammar reads it, and what its lines set: organisation, buttons, arXiv
ids; completed into a `Paper` or refused with the reason for its warning."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from paperbrowse.models import Paper
from paperbrowse.pages.fields import RawDate, parse_upvote_count, reads_like_ai_summary
from paperbrowse.pages.urls import arxiv_id_of, extract_links, hf_name_of, paper_page_id

# An image's alt text before an organisation's name: "[microsoft] Microsoft".
_ALT_HANDLE = re.compile(r"\[([^\]\s]{1,100})\]\s+(\S.*)")
# Prose, as abstracts are: a sentence ends inside the text or at its end. Every abstract of the
# HF API archive's 9,877 records does; no title ends with a full stop.
_SENTENCE_BREAK = re.compile(r"[.!?。]\s+\S")
_SENTENCE_END = (".", "!", "?", "。")


def reads_like_prose(text: str) -> bool:
    """True for text that ends a sentence inside it or at its end, as an abstract does."""
    text = text.rstrip()
    return text.endswith(_SENTENCE_END) or bool(_SENTENCE_BREAK.search(text))


def short(title: str, width: int = 60) -> str:
    """A title for a one-line message: repr'd, cut with an ellipsis past `width`."""
    return repr(title if len(title) <= width else title[: width - 1] + "…")


def organisation(text: str, links: tuple[str, ...], alt_as_text: bool) -> tuple[str, str]:
    """(handle, display name) of an organisation line: `handle Name` (a select-all copy writes
    the avatar's alt text, then the name: `alt_as_text`), `[handle] Name` (the alt text as
    Markdown and terminal captures write it), `Name` with a link to huggingface.co/<handle>, or
    the name alone (a dump that drops images and links). Either may be ""."""
    linked = next((n for n in map(hf_name_of, links) if n), None)
    alt = _ALT_HANDLE.fullmatch(text)
    if alt:
        return alt.group(1), alt.group(2).strip()
    if linked:
        return linked, text
    if alt_as_text:
        handle, _, name = text.partition(" ")
        return (handle, name.strip()) if name.strip() else ("", handle)
    return "", text


@dataclass
class Draft:
    """The card being read. `ids` are the arXiv ids its own links give (the title's first),
    `code` the links of its GitHub button."""

    title: str
    line: int
    abstract: str = ""
    abstract_line: int = 0
    authors: int | None = None
    org: str | None = None
    org_handle: str | None = None
    upvotes: int | None = None
    submitted_by: str | None = None
    comments: int | None = None
    github_stars: int | None = None
    date: RawDate | None = None
    date_line: int = 0
    ids: list[str] = field(default_factory=list)
    code: list[str] = field(default_factory=list)
    # Lines of digits right before the title, read as upvote counts: one may be the title
    # (`2048`, or `12` then `1984`), which shows when the "title" turns out to be the abstract.
    numbers: list[str] = field(default_factory=list)

    def take_ids(self, links: tuple[str, ...], *, title: bool) -> None:
        """The arXiv ids a line of the card links to: any paper link from its title, only a
        paper page from other lines (an abstract may cite other papers)."""
        for url in links:
            found = arxiv_id_of(url) if title else paper_page_id(url)
            if found:
                if title:
                    self.ids.insert(0, found)
                else:
                    self.ids.append(found)

    def set_org(self, text: str, links: tuple[str, ...], alt_as_text: bool) -> None:
        """An organisation line (see `organisation`)."""
        handle, name = organisation(text, links, alt_as_text)
        self.org = name or None
        self.org_handle = handle or None

    def press(self, upvotes: int | None, stars: int | None, links: tuple[str, ...]) -> None:
        """A button of this card: `Upvote N`, `GitHub N` (its link is code), `arXiv Page`."""
        if upvotes is not None:
            self.upvotes = upvotes
        if stars is not None:
            self.github_stars = stars
        for url in links:
            if "github.com/" in url:
                self.code.append(url)
            found = arxiv_id_of(url)
            if found:
                self.ids.append(found)

    def complete(self, source: str, kind: str) -> Paper | str:
        """The paper, or why the card is skipped. On a trending page the text under the title
        is the AI summary when it reads like one (fields.reads_like_ai_summary): the abstract
        stays "" and the card is still a paper."""
        if not self.title:
            return "title empty after removing control characters"
        summary = None
        abstract = self.abstract
        if kind == "trending" and abstract and reads_like_ai_summary(abstract):
            summary, abstract = abstract, ""
        if (
            not abstract
            and summary is None
            and self.numbers[-1:] != ["-"]
            and self.numbers
            and reads_like_prose(self.title)
        ):
            # `2048` / abstract / metadata: the number was the title, not an upvote count
            # (which, if any, is the line before it: `12` / `1984`; `-` is 0).
            counts = self.numbers[:-1]
            return replace(
                self, title=self.numbers[-1], abstract=self.title, numbers=[],
                upvotes=parse_upvote_count(counts[-1]) if counts else None,
            ).complete(source, kind)  # fmt: skip
        if not abstract and summary is None:
            if self.abstract_line:
                return f"empty abstract (only control characters): {short(self.title)}"
            return f"title without an abstract: {short(self.title)}"
        return Paper(
            title=self.title,
            abstract=abstract,
            authors=self.authors,
            org=self.org,
            org_handle=self.org_handle,
            upvotes=self.upvotes,
            links=list(dict.fromkeys([*extract_links(abstract or summary or ""), *self.code])),
            sources=[source],
            line=self.line,
            comments=self.comments,
            github_stars=self.github_stars,
            arxiv_id=self.ids[0] if self.ids else None,
            summary=summary,
            submitted_by=self.submitted_by,
            page_kinds={source: kind},
        )


def press_finished(
    paper: Paper, upvotes: int | None, stars: int | None, links: tuple[str, ...]
) -> None:
    """A button after a card's date (trending pages): it belongs to the card just finished."""
    if upvotes is not None:
        paper.upvotes = upvotes
    if stars is not None:
        paper.github_stars = stars
    for url in links:
        if "github.com/" in url and url not in paper.links:
            paper.links.append(url)
        found = arxiv_id_of(url)
        if found and paper.arxiv_id is None:
            paper.arxiv_id = found
