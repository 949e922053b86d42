"""Cleaning of untrusted text from dumps: terminal control sequences and odd whitespace."""

from __future__ import annotations

import re

# Whole escape sequences first, so no printable remnant (like "[2J") survives:
# CSI (ESC [ ... final), OSC/DCS/SOS/PM/APC strings (terminated by BEL or ST), and two-byte escapes.
_ESCAPES = re.compile(
    r"""
    (?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]?             # CSI
    | (?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])      # OSC, DCS, SOS, PM, APC ...
      [^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?       # ... up to BEL or ST
    | \x1b[ -/]*[0-~]?                             # other ESC sequences
    """,
    re.VERBOSE,
)
# Every C0 and C1 control except tab and newline, plus DEL.
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# Bidi overrides and zero-width characters can disguise text in a terminal.
_INVISIBLE = re.compile(r"[\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")


def strip_controls(text: str) -> str:
    """Remove terminal escape sequences and control characters (keeps newline and tab)."""
    if not text:
        return text
    text = _ESCAPES.sub("", text)
    text = _CONTROLS.sub("", text)
    return _INVISIBLE.sub("", text)


def clean_line(line: str) -> str:
    """One dump line made safe: controls stripped, NBSP made a space, ends trimmed."""
    if line.isascii() and line.isprintable():
        return line.strip()  # nothing else to clean, and most lines are like this
    line = strip_controls(line.replace("\r", ""))
    return line.replace("\u00a0", " ").replace("\t", " ").strip()


def is_safe_url(url: str) -> bool:
    """True only for http(s) URLs, the only kind paperbrowse ever opens."""
    lowered = url.strip().lower()
    return lowered.startswith(("http://", "https://")) and not _CONTROLS.search(url)
