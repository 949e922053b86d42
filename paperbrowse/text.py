"""Cleaning of untrusted text from captures: terminal control sequences, invisible controls and
odd whitespace out, Unicode in one normal form (NFC).

Zero-width joiners and non-joiners (U+200D, U+200C) are text, not controls: Persian and Indic
words and emoji sequences need them (source: Unicode Standard, chapter 23.2, "Layout
Controls"). Bidi overrides and isolates, the other zero-width characters and the BOM can
disguise text in a terminal and are removed.
"""

from __future__ import annotations

import re
import unicodedata

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
# Bidi marks, overrides and isolates, zero-width space, word joiner and invisible operators, the
# Arabic letter mark and the BOM can disguise text in a terminal. Not U+200C/U+200D (joiners).
_INVISIBLE = re.compile("[\u061c\u200b\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff]")


def strip_controls(text: str) -> str:
    """Remove terminal escape sequences and control characters (keeps newline and tab)."""
    if not text:
        return text
    text = _ESCAPES.sub("", text)
    text = _CONTROLS.sub("", text)
    return _INVISIBLE.sub("", text)


# What ends a line somewhere once controls are gone: newline, tab (it separates TSV columns),
# and Unicode's line and paragraph separators.
_LINE_BREAKS = re.compile(r"[\t\n\u2028\u2029]+")


def one_line(text: str | None) -> str:
    """Untrusted text made safe to show as one line: controls stripped (`strip_controls`) and
    every line break or tab folded into a space, ends trimmed ('' for None). For every name
    and field a plain or table output shows (a dump's file name may hold a newline)."""
    return _LINE_BREAKS.sub(" ", strip_controls(text or "")).strip()


def nfc(text: str) -> str:
    """`text` in Unicode Normalization Form C, so that a word typed in any normal form matches
    (a decomposed "é", e + U+0301, becomes U+00E9)."""
    if text.isascii() or unicodedata.is_normalized("NFC", text):
        return text
    return unicodedata.normalize("NFC", text)


def clean_line(line: str) -> str:
    """One capture line made safe: controls stripped (joiners kept), NBSP made a space, NFC,
    ends trimmed."""
    if line.isascii() and line.isprintable():
        return line.strip()  # nothing else to clean, and most lines are like this
    line = strip_controls(line.replace("\r", ""))
    return nfc(line.replace("\u00a0", " ").replace("\t", " ")).strip()


def has_controls(text: str) -> bool:
    """True when `text` holds a C0 or C1 control character other than tab and newline."""
    return bool(_CONTROLS.search(text))


def is_utf8_stream(stream: object) -> bool:
    """Whether a text stream (`sys.stdout`, a file) encodes as UTF-8; a stream without an
    `encoding` attribute (io.StringIO) counts as UTF-8, since it holds every character."""
    encoding = getattr(stream, "encoding", None)
    if not encoding:
        return True
    return str(encoding).lower().replace("-", "").replace("_", "") in ("utf8", "utf8sig")


def _u_escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code > 0xFFFF:  # beyond the BMP: a UTF-16 surrogate pair, as JSON writes it (RFC 8259 §7)
        code -= 0x10000
        return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"
    return f"\\u{code:04x}"


_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def ascii_json(text: str) -> str:
    """JSON text with every non-ASCII character written as a `\\uXXXX` escape (a surrogate
    pair beyond U+FFFF), as `json.dumps(ensure_ascii=True)` writes it: the same JSON value in
    ASCII, for a stream that cannot hold the characters (RFC 8259 §7). Exact because outside
    strings JSON text is ASCII, so every non-ASCII character is inside a string."""
    return _NON_ASCII.sub(_u_escape, text)


_LINE_SEPARATORS = re.compile("[\u2028\u2029]")


def json_line_safe(text: str) -> str:
    """JSON text with U+2028 and U+2029 (line and paragraph separator) written as `\\u2028` /
    `\\u2029` escapes: the same JSON value (RFC 8259 §7), but a JSON-lines record then holds
    no character that a line splitter may break at (Python's `str.splitlines`, JavaScript
    before ES2019). Exact because outside strings JSON text never holds them."""
    return _LINE_SEPARATORS.sub(_u_escape, text)


def is_text(text: str) -> bool:
    """Whether `text` is valid Unicode text: False when it holds a lone surrogate (U+D800 to
    U+DFFF), as bytes that are not UTF-8 become in a command-line argument (PEP 383) or a
    JSON `\\ud800` escape does; such a string cannot be written as UTF-8."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


_SURROGATE = re.compile("[\ud800-\udfff]")


def shown_text(text: str) -> str:
    """`text` printable as UTF-8: bytes that are not UTF-8, which Python keeps in file names
    and arguments as surrogate escapes (PEP 383), become U+FFFD as `bytes.decode(errors=
    "replace")` makes them (so a path shows as its file name does); any other lone surrogate
    becomes U+FFFD too."""
    if is_text(text):
        return text
    try:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    except UnicodeEncodeError:
        return _SURROGATE.sub("\ufffd", text)
