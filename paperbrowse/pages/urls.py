"""Links in capture text: finding http(s) URLs in prose, and reading arXiv ids and Hugging Face
names out of link targets.

Link finding is linear in the text's length: each character is looked at a bounded number of
times (a `://` search, then one tail match per accepted link), whatever the text holds.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

# After its scheme, a URL runs to whitespace or to a character that cannot appear unescaped in
# one (quotes, angle and curly brackets: LaTeX `\url{...}`), and ends before full-width and CJK
# punctuation (U+3000-U+303F: `、` `。` `「」` ...; U+FF01-U+FF65: `，` `）` `：` ...) and at a dash
# `—`/`–` or an ellipsis `…`, which abstracts by Chinese and Japanese groups put right after links.
_URL_TAIL = re.compile(
    '[^\\s<>"{}|\\\\^`\u201c\u201d\u2018\u2019\u00ab\u00bb\u2013\u2014\u2026'
    "\u3000-\u303f\uff01-\uff65]+"
)
_TRAILING_PUNCT = frozenset(".,;:!?")
_TRIMMABLE = _TRAILING_PUNCT | frozenset(")]'")
# "https://." trimmed to "https://" is no link: the host needs a letter or digit.
_HAS_HOST = re.compile(r"https?://[^/?#]*[^\W_]", re.I)

# New-style arXiv ids (2007 on: YYMM.NNNN, YYMM.NNNNN from 2015) and old-style ones
# (`hep-th/9901001`, `math.GT/0309136`); source: arXiv's "Understanding the arXiv identifier".
ARXIV_ID = r"(?:\d{4}\.\d{4,5}|[a-z][a-z-]*(?:\.[A-Z]{2})?/\d{7})"
_ID_TAIL = r"(?:v\d+)?(?=$|[/?#.\s]|\.pdf)"
_HF_PAPER = re.compile(
    rf"^https?://(?:www\.)?(?:huggingface\.co|hf\.co)/papers/({ARXIV_ID}){_ID_TAIL}", re.I
)
_ARXIV_PAGE = re.compile(
    rf"^https?://(?:www\.|export\.)?arxiv\.org/(?:abs|pdf|html)/({ARXIV_ID}){_ID_TAIL}", re.I
)
# `Cite arxiv.org/abs/2510.04618 in a model README.md to link it from this page.`
CITE_LINE = re.compile(rf"\bCite arxiv\.org/abs/({ARXIV_ID})(?:v\d+)?\b")
# The login link of an upvote button carries the paper: `/login?next=%2Fpapers%2F2610.05608`.
_NEXT_PAPER = re.compile(rf"[?&]next=/papers/({ARXIV_ID})(?:$|[/?#&])")
_HF_NAME = re.compile(r"^https?://(?:www\.)?huggingface\.co/([A-Za-z0-9][\w.-]*)/?$")


def _trim_url(url: str) -> str:
    """Drop sentence punctuation and unbalanced closing brackets or quotes from a URL's end.

    Counts are kept incrementally so a pathological URL ending in a million `)` stays linear.
    """
    if url[-1] not in _TRIMMABLE:  # the usual case: nothing to count
        return url
    opens = {")": url.count("("), "]": url.count("[")}
    closes = {")": url.count(")"), "]": url.count("]")}
    quotes = url.count("'")
    end = len(url)
    while end:
        ch = url[end - 1]
        if ch in _TRAILING_PUNCT:
            end -= 1
        elif ch in closes and closes[ch] > opens[ch]:
            closes[ch] -= 1
            end -= 1
        elif ch == "'" and quotes % 2:
            quotes -= 1
            end -= 1
        else:
            break
    return url[:end]


def extract_links(text: str) -> list[str]:
    """The http(s) URLs in a text, in order, deduplicated, without trailing punctuation.

    A scheme glued to a word (`xhttps://`) is not a link. Linear in len(text): rejected starts
    cost one character comparison, and an accepted link's tail is matched once, after which the
    search resumes past it.
    """
    links: dict[str, None] = {}
    pos = text.find("://")
    while pos != -1:
        scheme = text[max(0, pos - 5) : pos].lower()
        if scheme.endswith("https"):
            start = pos - 5
        elif scheme.endswith("http"):
            start = pos - 4
        else:
            start = -1
        before = text[start - 1] if start > 0 else " "
        if start < 0 or before.isalnum() or before == "_":
            pos = text.find("://", pos + 3)
            continue
        tail = _URL_TAIL.match(text, pos + 3)
        if tail is None:
            pos = text.find("://", pos + 3)
            continue
        url = _trim_url(text[start : tail.end()])
        if _HAS_HOST.match(url):
            links.setdefault(url, None)
        pos = text.find("://", tail.end())
    return list(links)


def arxiv_id_of(url: str) -> str | None:
    """The arXiv id a link points at, without its version suffix, or None.

    `huggingface.co/papers/<id>` (not followed by more path), `arxiv.org/abs|pdf|html/<id>`
    (`v2`, `.pdf` allowed), and an upvote button's `login?next=/papers/<id>`. The API records in
    ../shared/data carry ids without a version, so `2510.04618v2` gives `2510.04618`.
    """
    match = _HF_PAPER.match(url) or _ARXIV_PAGE.match(url)
    if match:
        return match.group(1)
    if "next=" in url:
        found = _NEXT_PAPER.search(unquote(url))
        if found:
            return found.group(1)
    return None


def paper_page_id(url: str) -> str | None:
    """The arXiv id of a link to a paper's own Hugging Face page (not its `#community` part)."""
    match = _HF_PAPER.match(url)
    if match and "#" not in url[match.end() :]:
        return match.group(1)
    return None


def hf_name_of(url: str) -> str | None:
    """The user or organisation name a `huggingface.co/<name>` link points at, or None."""
    match = _HF_NAME.match(url)
    if not match or match.group(1) in ("papers", "models", "datasets", "spaces", "login"):
        return None
    return match.group(1)


def is_community_link(url: str) -> bool:
    """True for the link of a card's comment count: `huggingface.co/papers/<id>#community`."""
    return url.endswith("#community") and _HF_PAPER.match(url) is not None
