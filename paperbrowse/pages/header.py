"""What a capture tool writes above the page: its address and the capture date.

Examples (real: ../shared/fixtures/pages; the front matter is what web clippers write)::

    # Web source                                 --- (YAML front matter)
    - URL: https://huggingface.co/papers?q=ASR   source: "https://huggingface.co/papers/trending"
    - Captured (UTC): 2026-06-29T16:31:22+00:00  created: 2025-06-10
                                                 ---
    - Source URL: https://huggingface.co/papers/trending

The address is the best evidence of a page's kind; the capture date of its year.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

# Only the top of a file is a header; a URL quoted in an abstract further down is not one.
HEADER_LINES = 40
_KEY_VALUE = re.compile(
    r"(?:[-*]\s+)?(?P<key>url|source url|url source|source|link|address|page|"
    r"captured(?: \(utc\))?|created|clipped|saved|date|captured at|fetched)\s*:\s*(?P<value>.*)",
    re.I,
)
_URL_KEYS = frozenset(("url", "source url", "url source", "source", "link", "address", "page"))
_HTTP = re.compile(r"https?://[^\s\"'<>`)\]]+", re.I)
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


@dataclass(frozen=True)
class Header:
    """The page address and capture date found at the top of a capture (None when absent), and
    how many lines YAML front matter takes (0 when there is none)."""

    url: str | None = None
    captured: date | None = None
    front_matter: int = 0


def read_header(lines: list[str]) -> Header:
    """Look for a capture tool's header in the first lines of a capture (raw physical lines)."""
    url: str | None = None
    captured: date | None = None
    front = 0
    top = lines[:HEADER_LINES]
    if top and top[0].strip() == "---":
        end = next((i for i, line in enumerate(top[1:], 1) if line.strip() == "---"), None)
        if end is not None:
            front = end + 1
    for line in top:
        match = _KEY_VALUE.fullmatch(line.strip())
        if not match:
            continue
        key = match.group("key").lower()
        value = match.group("value").strip().strip("\"'`")
        if key in _URL_KEYS:
            found = _HTTP.search(value)
            if url is None and found and "huggingface.co" in found.group(0).lower():
                url = found.group(0)
        elif captured is None:
            stamp = _ISO_DATE.match(value)
            if stamp:
                try:
                    captured = date(int(stamp.group(1)), int(stamp.group(2)), int(stamp.group(3)))
                except ValueError:
                    captured = None
    return Header(url, captured, front)
