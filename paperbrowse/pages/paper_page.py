"""A single paper's page (`huggingface.co/papers/<arXiv id>`) -> one paper.

Real example (select-all): ../shared/fixtures/pages/paper-page-select-all.txt::

    <title>
    Published on Oct 6
    Submitted by / taesiri / on Oct 7
    #3 Paper of the day
    Authors:
    Qizheng Zhang / , / Changran Hu / , / ...      <- one name per line, lone "," between
    Abstract
    <the one-sentence AI summary>
    <the abstract>
    Community ... Models citing this paper / 0 ... Cite arxiv.org/abs/2510.04618 ... footer

Everything from `Community` on (comments, citing models, collections, the footer) is not a
paper; only its `Cite arxiv.org/abs/<id>` lines are read, for the arXiv id.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from paperbrowse.models import Paper
from paperbrowse.pages import chrome
from paperbrowse.pages.fields import (
    RawDate,
    is_paper_of_the_day,
    parse_date,
    parse_submitted,
    parse_trailer,
    parse_upvote_count,
)
from paperbrowse.pages.lines import Line
from paperbrowse.pages.urls import CITE_LINE, arxiv_id_of, extract_links
from paperbrowse.pages.years import Dated

# Where the paper ends: the comments section and what follows it.
_AFTER_PAPER = frozenset(
    s.casefold()
    for s in (
        "Community",
        "Reply",
        "Models citing this paper",
        "Datasets citing this paper",
        "Spaces citing this paper",
        "Collections including this paper",
        "Sign up or log in to comment",
    )
)
_SCAN = 200  # lines in which the title and "Published on" must appear
_TITLE_BACK = 8  # how far above "Published on" the title may sit


def _is_stop(line: Line) -> bool:
    text = line.text
    return text.casefold() in _AFTER_PAPER or chrome.ends_content(text)


def parse_paper_page(
    lines: Sequence[Line],
    source: str,
    url_id: str | None,
    warn: Callable[[int, str], None],
) -> list[Dated]:
    """The paper of a paper page, with its raw published date; [] (and a warning) when the page
    has no `Published on` line or no abstract. `url_id` is the arXiv id of the page's address."""
    start = next(
        (
            i
            for i, line in enumerate(lines[:_SCAN])
            if line.text.startswith("Published on") and parse_date(line.text) is not None
        ),
        None,
    )
    if start is None or start == 0:
        warn(lines[0].number if lines else 1, "paper page without a title and 'Published on'")
        return []
    title_at = start - 1
    for i in range(start - 1, max(-1, start - 1 - _TITLE_BACK), -1):
        if lines[i].heading:
            title_at = i
            break
    title_line = lines[title_at]
    published: RawDate | None = parse_date(lines[start].text)
    ids: list[str] = [found for found in map(arxiv_id_of, title_line.links) if found]
    paper = Paper(title=title_line.text, abstract="", line=title_line.number, sources=[source])
    names: list[str] | None = None
    paragraphs: list[str] = []
    state = "meta"  # meta -> authors -> abstract -> after
    upvote_word = False
    i = start + 1
    while i < len(lines):
        line = lines[i]
        text = line.text
        i += 1
        if _is_stop(line):
            break
        if upvote_word:
            upvote_word = False
            count = parse_upvote_count(text)
            if count is not None:
                paper.upvotes = count
                continue
        trailer = parse_trailer(text)
        if trailer is not None:
            upvote_word = trailer.upvote_word and trailer.upvotes is None
            if trailer.upvotes is not None:
                paper.upvotes = trailer.upvotes
            if trailer.github_stars is not None:
                paper.github_stars = trailer.github_stars
            for url in line.links:
                found = arxiv_id_of(url)
                if found:
                    ids.append(found)
                elif "github.com/" in url and url not in paper.links:
                    paper.links.append(url)
            if state == "abstract" and paragraphs:
                state = "after"
            continue
        if state == "after":
            continue
        if text in ("Abstract", "AI-generated summary"):
            state = "abstract"
            continue
        if state == "abstract":
            if line.heading:
                state = "after"
            else:
                paragraphs.append(text)
            continue
        if text.rstrip(":") == "Authors":
            state = "authors"
            names = []
            continue
        if state == "authors" and names is not None:
            names.extend(n.strip() for n in text.lstrip("•").split(",") if n.strip())
            continue
        submitted, user = parse_submitted(text)
        if submitted:
            while user is None and i < len(lines):
                user = lines[i].text
                i += 1
                if user.startswith("[") and user.endswith("]"):
                    user = None  # the avatar's alt text in a terminal dump
            paper.submitted_by = user
        elif is_paper_of_the_day(text) or text.startswith("on "):
            continue
    for line in lines:
        cited = CITE_LINE.search(line.text) if "Cite arxiv.org" in line.text else None
        if cited:
            ids.insert(0, cited.group(1))
            break
    if not paragraphs:
        warn(title_line.number, f"paper page without an abstract: {title_line.text[:60]!r}")
        return []
    if len(paragraphs) >= 2:
        paper.summary = paragraphs[0]
        paper.abstract = " ".join(paragraphs[1:])
    else:
        paper.abstract = paragraphs[0]
    if names:
        paper.author_names = names
        paper.authors = len(names)
    paper.arxiv_id = url_id or (ids[0] if ids else None)
    paper.links = list(dict.fromkeys([*extract_links(paper.abstract), *paper.links]))
    paper.page_kinds = {source: "paper"}
    return [Dated(paper, published, lines[start].number)]
