"""A paper's links, in one place: which may be written or opened at all (`is_safe_url`: http(s)
only), what kind each is, every link that finds the paper (its own links, exact pages from its
arXiv id, look-ups by title: `paper_links`), which one stands for it, and opening one safely
(never a console browser that would take the terminal).

One function chooses the link `o` opens (`open_target`); every other place that needs "the"
link of a paper (`y`, the url column of tsv, Markdown, BibTeX) builds on that choice
(`primary_url`). Finding links in a capture's text is the parser's (pages/urls.py).
"""

from __future__ import annotations

import os
import re
import sys
import webbrowser
from typing import TYPE_CHECKING
from urllib.parse import quote, quote_plus

from paperbrowse.text import has_controls, strip_controls

if TYPE_CHECKING:
    from paperbrowse.models import Paper


# `arXiv:2510.04618v2`, `2510.04618`, `hep-th/9901001v1`: an optional prefix and version.
_ARXIV_PREFIX = re.compile(r"^\s*arxiv:\s*", re.IGNORECASE)
_ARXIV_VERSION = re.compile(r"v\d+\s*$", re.IGNORECASE)


class LinkError(Exception):
    """A link was not opened; the message says why."""


def is_safe_url(url: str) -> bool:
    """True only for http(s) URLs, the only kind paperbrowse ever writes as a link or opens
    (`javascript:`, `file:`, `data:` never)."""
    lowered = url.strip().lower()
    return lowered.startswith(("http://", "https://")) and not has_controls(url)


def safe_links(paper: Paper) -> list[str]:
    """The paper's links that may be written as URLs: http(s) only, cleaned of terminal
    controls, none holding whitespace."""
    links = (strip_controls(u).strip() for u in paper.links if is_safe_url(u))
    return [u for u in links if u and not re.search(r"\s", u)]


def link_kind(url: str) -> str:
    """Label a link by what it points at: "code" (GitHub, GitLab), "model/dataset" (Hugging
    Face) or "project page" (anything else)."""
    host = re.sub(r"^https?://", "", url.lower()).split("/", 1)[0]
    host = host.removeprefix("www.")
    if host in ("github.com", "gitlab.com") or host.endswith((".github.com", ".gitlab.com")):
        return "code"
    if host in ("huggingface.co", "hf.co"):
        return "model/dataset"
    return "project page"


def code_links(links: list[str]) -> list[str]:
    """The links to code hosts, in order."""
    return [u for u in links if link_kind(u) == "code"]


def bare_arxiv_id(arxiv_id: str) -> str:
    """An arXiv id without an `arXiv:` prefix or a version: `arXiv:2510.04618v2` ->
    `2510.04618` (links without a version open the latest one)."""
    return _ARXIV_VERSION.sub("", _ARXIV_PREFIX.sub("", arxiv_id.strip())).strip()


def arxiv_abs_url(arxiv_id: str) -> str:
    """The arXiv abstract page of an id: `https://arxiv.org/abs/2510.04618`."""
    return f"https://arxiv.org/abs/{quote(bare_arxiv_id(arxiv_id), safe='./')}"


def exact_urls(arxiv_id: str) -> list[tuple[str, str]]:
    """The paper's own pages on the usual sites, from its arXiv id, as (label, url) pairs.

    arXiv's abstract page, the Hugging Face paper page (`huggingface.co/papers/<id>`, the page
    the captures link to) and Semantic Scholar's arXiv resolver (`semanticscholar.org/arxiv/<id>`,
    which opens the paper whose external id is `arXiv:<id>`).
    """
    safe = quote(bare_arxiv_id(arxiv_id), safe="./")
    return [
        ("arXiv", arxiv_abs_url(arxiv_id)),
        ("Hugging Face paper", f"https://huggingface.co/papers/{safe}"),
        ("Semantic Scholar", f"https://www.semanticscholar.org/arxiv/{safe}"),
    ]


def lookup_urls(title: str) -> list[tuple[str, str]]:
    """Searches for a paper by its title on the usual sites, as (label, url) pairs."""
    q = quote_plus(title)
    return [
        ("arXiv search", f"https://arxiv.org/search/?query={q}&searchtype=title"),
        ("Hugging Face papers", f"https://huggingface.co/papers?q={q}"),
        ("Semantic Scholar", f"https://www.semanticscholar.org/search?q={q}"),
        ("Google Scholar", f"https://scholar.google.com/scholar?q={q}"),
    ]


def reference_urls(paper: Paper) -> list[tuple[str, str]]:
    """(label, url) pairs that find the paper: the exact pages when its arXiv id is known,
    else searches by its title (Google Scholar, which takes no arXiv id, always by title)."""
    if paper.arxiv_id:
        return [*exact_urls(paper.arxiv_id), lookup_urls(paper.title)[-1]]
    return lookup_urls(paper.title)


def paper_links(paper: Paper) -> list[tuple[str, str]]:
    """(label, url) for the abstract's links, labelled by kind, then the paper's own pages
    (its arXiv id known) or searches by its title (`reference_urls`): what the detail pane,
    `show` and `l` list."""
    links = [(link_kind(u), u) for u in paper.links if is_safe_url(u) and not re.search(r"\s", u)]
    return links + reference_urls(paper)


def open_target(paper: Paper) -> str:
    """The link `o` opens, and the one link that stands for a paper: its first code link, else
    its arXiv abstract page when the arXiv id is known, else an arXiv search for its title.

    A project page is not chosen: it is one `l` away, and the paper itself is what `o` is for.
    """
    found = code_links(paper.links)
    if found:
        return found[0]
    if paper.arxiv_id:
        return arxiv_abs_url(paper.arxiv_id)
    return lookup_urls(paper.title)[0][1]


def primary_url(paper: Paper) -> str:
    """The link written for a paper where an output has room for one (tsv, Markdown, BibTeX,
    the `y` copy): `open_target`, except that a paper with neither a code link nor an arXiv id
    gets its first link (a project page) rather than a search."""
    if not paper.arxiv_id and paper.links and not code_links(paper.links):
        return paper.links[0]
    return open_target(paper)


def can_open_graphically() -> bool:
    """True when a graphical browser is likely available (so webbrowser won't pick lynx)."""
    if os.environ.get("BROWSER"):
        return True
    if sys.platform in ("darwin", "win32"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def open_url(url: str) -> None:
    """Open an http(s) URL in the user's browser; LinkError otherwise."""
    if not is_safe_url(url):
        raise LinkError(f"not opened: only http(s) links are opened ({url[:60]!r})")
    if not can_open_graphically():
        raise LinkError(f"no graphical browser (set $BROWSER); link: {url}")
    if not webbrowser.open(url, new=2):
        raise LinkError(f"the browser did not start; link: {url}")
