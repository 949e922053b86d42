"""Bytes of a capture -> text: UTF-8 (BOM or not), UTF-16 with a BOM, else Windows-1252; binary data
and saved HTML pages refused by name.

Source for the legacy fallback: Windows-1252 is what Notepad and older Windows browsers wrote
(`·` is 0xB7, `•` 0x95); cp1252 leaves 0x81, 0x8D, 0x8F, 0x90 and 0x9D undefined.
"""

from __future__ import annotations

import re

from paperbrowse.pages.results import DumpError, ParseWarning

_SNIFF_BYTES = 8192
# Control bytes that never occur in a text capture (tab, LF, FF, CR excluded; ESC included: a few
# escape sequences are plausible in a hostile capture, a third of the bytes is not).
_BINARY_CONTROLS = frozenset(set(range(0x20)) - {0x09, 0x0A, 0x0C, 0x0D}) | {0x7F}
_BINARY_CONTROL_BYTES = bytes(sorted(_BINARY_CONTROLS))
_BINARY_SHARE = 0.30
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
# A saved web page: what browsers write first (after a BOM and blank space, maybe a comment).
_HTML_START = re.compile(rb"\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html[\s>])", re.I | re.S)
HTML_SUFFIXES = (".html", ".htm", ".xhtml", ".mhtml", ".mht")
HTML_HINT = (
    "a saved web page (HTML), not text: save the page as text instead (select all and copy into "
    "a .txt file, or use a reader or clipper tool that writes Markdown); skipped"
)

# cp1252 leaves five bytes undefined; read those as latin-1 (a C1 control that cleaning later
# drops) instead of failing, so decoding a legacy file can never raise.
_CP1252_TABLE = {
    b: bytes([b]).decode("cp1252", errors="strict")
    for b in range(0x80, 0xA0)
    if b not in (0x81, 0x8D, 0x8F, 0x90, 0x9D)
}


def binary_error(label: str) -> DumpError:
    """The one-line refusal of a binary file."""
    return DumpError(f"{label}: not a text dump (binary data)")


def html_error(label: str) -> DumpError:
    """The one-line refusal of a saved HTML page, saying how to save it as text."""
    return DumpError(f"{label}: {HTML_HINT}")


def is_html_name(name: str) -> bool:
    """True for a file name that browsers give saved web pages (`.html`, `.htm`, ...)."""
    return name.lower().endswith(HTML_SUFFIXES)


def looks_like_html(data: bytes) -> bool:
    """True when the bytes start like a web page (`<!doctype html`, `<html`), after a UTF-8 BOM,
    blank space and comments; UTF-16 pages are checked after decoding their first bytes."""
    head = data[:4096]
    if head.startswith(_UTF16_BOMS):
        try:
            head = head.decode("utf-16", errors="ignore").encode("utf-8")
        except UnicodeError:  # pragma: no cover - errors="ignore" does not raise
            return False
    head = head.removeprefix(b"\xef\xbb\xbf")
    return _HTML_START.match(head) is not None


def decode_dump(data: bytes, source: str) -> tuple[str, str, list[ParseWarning]]:
    """Decode a capture's bytes into (text, encoding, warnings).

    UTF-8 with or without BOM. A UTF-16 file with a BOM (Windows Notepad's "Unicode") is read as
    UTF-16. Binary data (NUL bytes, or a high share of control bytes in the first 8 KiB) and a
    saved HTML page raise `DumpError`. A UTF-8 file with a few invalid bytes (more valid non-ASCII
    characters than invalid sequences: a stray byte, a file cut inside a character) stays UTF-8
    with the invalid sequences replaced by U+FFFD; otherwise invalid UTF-8 is read as
    Windows-1252 (latin-1 for its five undefined bytes). Either way a warning names the line of
    the first invalid byte.
    """
    if looks_like_html(data):
        raise html_error(source)
    if data.startswith(_UTF16_BOMS):
        try:
            return data.decode("utf-16"), "utf-16", []
        except UnicodeDecodeError:
            raise binary_error(source) from None
    if b"\x00" in data:
        raise binary_error(source)
    sample = data[:_SNIFF_BYTES]
    if sample:
        controls = len(sample) - len(sample.translate(None, _BINARY_CONTROL_BYTES))
        if controls / len(sample) > _BINARY_SHARE:
            raise binary_error(source)
    try:
        return data.decode("utf-8-sig"), "utf-8", []
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
    body = data[3:] if data.startswith(b"\xef\xbb\xbf") else data  # a BOM, then bad bytes
    text = body.decode("utf-8", errors="replace")
    invalid = text.count("\ufffd") - body.count("\ufffd".encode())
    valid = len(text) - len(text.encode("ascii", "ignore")) - invalid  # non-ASCII characters
    if valid > invalid:
        # Mostly UTF-8: reading it all as Windows-1252 would garble every "·" and "•" on the page
        # (metadata lines would become titles) for the sake of a few damaged bytes.
        bad = f"{invalid} invalid byte sequence" + ("s" if invalid != 1 else "")
        message = f"not valid UTF-8 ({bad}); replaced with U+FFFD"
        return text, "utf-8", [ParseWarning(source, line, message)]
    text = body.decode("latin-1").translate(_CP1252_TABLE)
    warning = ParseWarning(source, line, "not valid UTF-8; read as Windows-1252")
    return text, "cp1252", [warning]
