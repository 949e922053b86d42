"""Property-based tests of the dump parser on damaged copies of the real fixture dumps.

Every example takes one of the bundled dumps and damages it: lines deleted or duplicated, the
file cut at any byte, CRLF or CR line ends, a BOM, control and escape sequences, invalid UTF-8,
binary noise. Whatever the damage, the parser must not raise (a `DumpError` refusing binary input
is fine), every paper must have a non-empty title and abstract free of control characters, every
warning must name a real line, a skipped paper must be reported at its own block, and the papers
of the blocks the damage did not touch must come out unchanged.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from paperbrowse.models import Paper
from paperbrowse.pages import DumpError, ParseResult, ParseWarning, decode_dump, parse_text
from paperbrowse.text import clean_line

SAMPLE = Path(__file__).resolve().parents[2] / "paperbrowse" / "sample"
NAMES = tuple(sorted(p.name for p in SAMPLE.glob("*.txt")))
YEAR = 2025  # forced, so that no example depends on year inference

# Any C0 or C1 control (tab and newline included: a title or abstract is one clean line).
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
LINE_END = re.compile(r"\r\n|\r|\n")  # the parser's line ends, so line numbers agree
# Complete sequences: cleaning removes each whole, leaving the text around it as it was.
SEQUENCES = (
    "\x1b]52;c;SGVsbG8=\x07",  # OSC 52: write the clipboard
    "\x1b[2J",  # clear the screen
    "\x1b]0;pwned\x07",  # set the window title
    "\x9b2J",  # C1 CSI
    "\x1b[31m",
    "\x07",
    "\x1b]8;;file:///etc/passwd\x1b\\",  # OSC 8 hyperlink, ST-terminated
    "\x7f",
    "\u202e",  # bidi override
)
# Fragments that may eat the rest of a line (unterminated) or are not even characters.
FRAGMENTS = ("\x1b", "\x1b]0;unterminated", "\x9d", "\x1b[", "\x00", "\x0b", "\x0c", "\x85")
INVALID_UTF8 = (b"\xff", b"\xc3", b"\xe2\x80", b"\xed\xa0\x80", b"\xc0\xaf", b"\x80\x80\x80")

SETTINGS = settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@dataclass(frozen=True)
class Fixture:
    """One real dump, parsed, with the line span of each paper's block."""

    name: str
    data: bytes
    lines: tuple[str, ...]  # split at "\n" (the fixtures use LF only)
    pairs: tuple[tuple[str, str], ...]  # (title, abstract) of each paper, in order
    blocks: tuple[tuple[int, int], ...]  # 0-based [first, end) line span of each paper's block
    result: ParseResult


@cache
def fixture(name: str) -> Fixture:
    data = (SAMPLE / name).read_bytes()
    text = data.decode("utf-8")
    result = parse_text(text, name, year=YEAR)
    assert result.papers and not result.warnings
    lines = tuple(text.split("\n"))
    starts = [p.line - 1 for p in result.papers]
    blocks = tuple(zip(starts, [*starts[1:], len(lines)], strict=True))
    pairs = tuple((p.title, p.abstract) for p in result.papers)
    return Fixture(name, data, lines, pairs, blocks, result)


def parse_bytes(data: bytes, name: str) -> tuple[str, list[ParseWarning], ParseResult]:
    """What `parse_file` does with a file's bytes, without the file: decode, then parse."""
    text, _encoding, decode_warnings = decode_dump(data, name)
    result = parse_text(text, name, year=YEAR)
    return text, decode_warnings + result.warnings, result


def check_clean(text: str, warnings: list[ParseWarning], result: ParseResult, name: str) -> None:
    """The properties every parse must have, whatever the input."""
    lines = LINE_END.split(text)
    for paper in result.papers:
        assert paper.title and paper.abstract, paper
        assert not CONTROL.search(paper.title), repr(paper.title)
        assert not CONTROL.search(paper.abstract), repr(paper.abstract[:200])
        assert paper.sources == [name]
        # The title is the cleaned text of the line the paper names.
        assert 1 <= paper.line <= len(lines)
        assert clean_line(lines[paper.line - 1]) == paper.title
    for warning in warnings:
        assert warning.file == name
        assert 1 <= warning.line <= len(lines), warning
        # Warnings are printed on a terminal: one line, no control character.
        assert not CONTROL.search(str(warning)), repr(str(warning))


def looks_binary(data: bytes) -> bool:
    """The documented rule: a NUL byte, a third of the first 8 KiB control bytes, or a UTF-16
    byte-order mark on bytes that are not UTF-16."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            data.decode("utf-16")
        except UnicodeDecodeError:
            return True
        return False
    sample = data[:8192]
    controls = sum(1 for b in sample if b < 0x20 and b not in b"\t\n\f\r" or b == 0x7F)
    return b"\x00" in data or (bool(sample) and controls / len(sample) > 0.3)


# --- any damage -------------------------------------------------------------------------------


def damage_op() -> st.SearchStrategy[tuple]:
    """One damaging operation on a dump's bytes; positions are fractions of the current size."""
    where = st.floats(0, 1, exclude_max=True)
    return st.one_of(
        st.tuples(st.just("delete"), where),
        st.tuples(st.just("duplicate"), where),
        st.tuples(st.just("insert"), where, st.sampled_from(SEQUENCES + FRAGMENTS)),
        st.tuples(st.just("invalid"), where, st.sampled_from(INVALID_UTF8)),
        st.tuples(st.just("noise"), where, st.binary(min_size=1, max_size=64)),
        st.tuples(st.just("truncate"), where),
        st.tuples(st.sampled_from(["crlf", "cr", "bom"])),
    )


def apply(data: bytes, op: tuple) -> bytes:
    kind = op[0]
    if kind == "crlf":
        return data.replace(b"\n", b"\r\n")
    if kind == "cr":
        return data.replace(b"\n", b"\r")
    if kind == "bom":
        return b"\xef\xbb\xbf" + data
    at = int(op[1] * len(data))
    if kind == "truncate":
        return data[:at]
    if kind == "insert":
        return data[:at] + op[2].encode("utf-8") + data[at:]
    if kind in ("invalid", "noise"):
        return data[:at] + op[2] + data[at:]
    lines = data.split(b"\n")
    i = int(op[1] * len(lines))
    if kind == "delete":
        del lines[i]
    else:
        lines.insert(i, lines[i])
    return b"\n".join(lines)


@SETTINGS
@given(st.sampled_from(NAMES), st.lists(damage_op(), min_size=1, max_size=6))
def test_damaged_dump_never_raises_and_yields_clean_papers(name: str, ops: list[tuple]) -> None:
    data = fixture(name).data
    for op in ops:
        data = apply(data, op)
    try:
        text, warnings, result = parse_bytes(data, name)
    except DumpError as exc:
        # Refusing the file is only right for binary data, and the message names the file.
        assert looks_binary(data), str(exc)
        assert str(exc) == f"{name}: not a text dump (binary data)"
        return
    check_clean(text, warnings, result, name)


# --- damage to one block ----------------------------------------------------------------------

BLOCK_DAMAGE = (
    "delete block",
    "duplicate block",
    "delete title",
    "delete abstract",
    "delete a metadata line",
    "title of controls only",
    "abstract of controls only",
    "escape sequences in title and abstract",
    "impossible date",
    "cut the abstract short",
    "invalid UTF-8 in the abstract",
)


def damage_block(fx: Fixture, k: int, kind: str, draw: st.DataObject) -> tuple[list[str], int]:
    """The fixture's lines with block `k` damaged, and the damaged block's line count now."""
    lines = list(fx.lines)
    first, end = fx.blocks[k]
    block = lines[first:end]
    title, abstract = 0, 2  # a block is title, blank, abstract, blank, [metadata]
    meta = [i for i in range(4, len(block)) if block[i].strip()]
    if kind == "delete block":
        block = []
    elif kind == "duplicate block":
        block = block + block
    elif kind == "delete title":
        del block[title]
    elif kind == "delete abstract":
        del block[abstract]
    elif kind == "delete a metadata line" and meta:
        del block[draw.draw(st.sampled_from(meta), label="metadata line")]
    elif kind == "title of controls only":
        block[title] = "\x1b[2J\x1b]0;pwned\x07"
    elif kind == "abstract of controls only":
        block[abstract] = "\x1b]52;c;SGVsbG8=\x07\x9b2J"
    elif kind == "escape sequences in title and abstract":
        for i in (title, abstract):
            at = draw.draw(st.integers(0, len(block[i])), label="position")
            block[i] = block[i][:at] + draw.draw(st.sampled_from(SEQUENCES)) + block[i][at:]
    elif kind == "impossible date" and meta:
        block[meta[-1]] = "Feb 30, 2024"
    elif kind == "cut the abstract short":
        block[abstract] = block[abstract][: draw.draw(st.integers(0, len(block[abstract])))]
    elif kind == "invalid UTF-8 in the abstract":
        block[abstract] = block[abstract][:100] + "\udcff" + block[abstract][100:]
    lines[first:end] = block
    return lines, len(block)


@SETTINGS
@given(st.sampled_from(NAMES), st.sampled_from(BLOCK_DAMAGE), st.data())
def test_damage_to_one_block_leaves_every_other_paper(
    name: str, kind: str, draw: st.DataObject
) -> None:
    fx = fixture(name)
    k = draw.draw(st.integers(0, len(fx.blocks) - 1), label="block")
    lines, size = damage_block(fx, k, kind, draw)
    # "\udcff" (from the invalid-UTF-8 damage) becomes the lone byte 0xFF.
    data = "\n".join(lines).encode("utf-8", "surrogateescape")
    text, warnings, result = parse_bytes(data, name)
    check_clean(text, warnings, result, name)

    got = {(p.title, p.abstract) for p in result.papers}
    first = fx.blocks[k][0] + 1  # 1-based lines of the damaged block, as it is now
    last = first + size - 1
    others = [pair for i, pair in enumerate(fx.pairs) if i != k]
    assert [pair for pair in others if pair not in got] == []
    # Nothing invented: a paper not in the original comes from the damaged block.
    for paper in result.papers:
        if (paper.title, paper.abstract) not in fx.pairs:
            assert first <= paper.line <= last, (kind, paper.line, paper.title)
    # A damaged paper that did not come out is reported at its own block.
    damaged_title = fx.pairs[k][0]
    if kind not in ("delete block", "duplicate block") and damaged_title not in {
        title for title, _ in got
    }:
        assert any(first <= w.line <= last for w in warnings), (kind, first, warnings)
    if kind in ("duplicate block", "escape sequences in title and abstract"):
        assert fx.pairs[k] in got
    if kind == "impossible date" and any(line.strip() == "·" for line in lines[first - 1 : last]):
        assert any("invalid date 2024-02-30" in w.message for w in warnings)


# --- line ends, BOM, truncation -------------------------------------------------------------


def row(p: Paper) -> tuple:
    return (p.title, p.abstract, p.published, p.authors, p.org, p.upvotes, p.line)


def summary(result: ParseResult) -> list[tuple]:
    return [row(p) for p in result.papers]


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize(
    "transform",
    [
        lambda b: b.replace(b"\n", b"\r\n"),
        lambda b: b.replace(b"\n", b"\r"),
        lambda b: b"\xef\xbb\xbf" + b,
        lambda b: b"\xef\xbb\xbf" + b.replace(b"\n", b"\r\n"),
        lambda b: b.decode("utf-8").encode("utf-16"),
    ],
    ids=["crlf", "cr", "bom", "bom-crlf", "utf-16"],
)
def test_line_ends_bom_and_utf16_change_nothing(name: str, transform) -> None:
    fx = fixture(name)
    _, warnings, result = parse_bytes(transform(fx.data), name)
    assert summary(result) == summary(fx.result)
    assert warnings == []


def _inside_a_character(name: str) -> float:
    """Where to cut `name` to split its last multi-byte character (a download cut short)."""
    data = fixture(name).data
    offset = max(i for i, b in enumerate(data) if b >= 0xC0)  # a lead byte
    return (offset + 1.5) / len(data)


@SETTINGS
@given(st.sampled_from(NAMES), st.floats(0, 1))
@example(NAMES[-1], _inside_a_character(NAMES[-1]))
def test_cut_at_any_byte_keeps_every_complete_block(name: str, where: float) -> None:
    fx = fixture(name)
    cut = int(where * len(fx.data))
    text, warnings, result = parse_bytes(fx.data[:cut], name)
    check_clean(text, warnings, result, name)
    got = set(summary(result))
    offsets = [0]
    for line in fx.lines:
        offsets.append(offsets[-1] + len(line.encode("utf-8")) + 1)
    for paper, (first, end) in zip(fx.result.papers, fx.blocks, strict=True):
        last = max(i for i in range(first, end) if fx.lines[i].strip())
        if offsets[last + 1] - 1 <= cut:  # the block's last line is whole (newline or not)
            assert row(paper) in got, paper.title


# --- the extremes: very long lines, binary noise ----------------------------------------------


def test_ten_megabyte_lines() -> None:
    """A 10 MB abstract, a 10 MB hostile line and a 10 MB line without end: parsed in seconds,
    without exhausting memory, and the other papers kept."""
    fx = fixture(NAMES[-1])
    lines = list(fx.lines)
    ten_mb = 10 * 1024 * 1024
    first, _ = fx.blocks[1]
    huge_abstract = ("word " * (ten_mb // 5)).strip()
    lines[first + 2] = huge_abstract
    first2, _ = fx.blocks[2]
    hostile = ("é\x1b[2J\x1b]52;c;SGVsbG8=\x07 " * (ten_mb // 20))[:ten_mb]
    lines[first2 + 2] = hostile
    data = ("\n".join(lines) + "\n" + "x" * ten_mb).encode("utf-8")
    started = time.monotonic()
    text, warnings, result = parse_bytes(data, fx.name)
    elapsed = time.monotonic() - started
    check_clean(text, warnings, result, fx.name)
    by_title = {p.title: p for p in result.papers}
    assert by_title[fx.pairs[1][0]].abstract == huge_abstract
    assert by_title[fx.pairs[2][0]].abstract.startswith("é é é")
    for title, abstract in fx.pairs[3:]:
        assert by_title[title].abstract == abstract
    assert elapsed < 30, f"10 MB lines took {elapsed:.1f} s"


@pytest.mark.parametrize(
    "data",
    [
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4,
        b"\x7fELF\x02\x01\x01" + b"\x00" * 64,
        b"\x1f\x8b\x08\x00" + bytes(range(1, 32)) * 40,  # gzip-like, no NUL after the header
        bytes(range(1, 9)) * 1000,
    ],
    ids=["png", "elf", "gzip", "controls"],
)
def test_binary_files_are_refused_by_name(data: bytes) -> None:
    with pytest.raises(DumpError, match=r"^blob\.txt: not a text dump \(binary data\)$"):
        decode_dump(data, "blob.txt")


@SETTINGS
@given(st.binary(min_size=0, max_size=4096))
def test_random_bytes_never_raise_anything_but_dump_error(data: bytes) -> None:
    try:
        text, warnings, result = parse_bytes(data, "noise.txt")
    except DumpError as exc:
        assert looks_binary(data), str(exc)
        assert str(exc) == "noise.txt: not a text dump (binary data)"
        return
    check_clean(text, warnings, result, "noise.txt")


def test_a_stray_byte_keeps_the_page_utf8() -> None:
    """One invalid byte in a UTF-8 page must not turn every '·' and '•' into mojibake (which made
    each metadata line a paper of its own): the page stays UTF-8, with a warning at the byte."""
    fx = fixture(NAMES[-1])  # the listing page: non-ASCII metadata lines in every block
    abstract_line = fx.blocks[5][0] + 2
    lines = [line.encode("utf-8") for line in fx.lines]
    lines[abstract_line] = lines[abstract_line][:10] + b"\xff" + lines[abstract_line][10:]
    text, warnings, result = parse_bytes(b"\n".join(lines), fx.name)
    expected = fx.result.papers[5]
    assert result.papers[5].abstract == expected.abstract[:10] + "\ufffd" + expected.abstract[10:]
    assert (
        summary(result)[:5] + summary(result)[6:] == summary(fx.result)[:5] + summary(fx.result)[6:]
    )
    assert [str(w) for w in warnings] == [
        f"{fx.name}:{abstract_line + 1}: not valid UTF-8 (1 invalid byte sequence); "
        "replaced with U+FFFD"
    ]


def test_a_legacy_file_is_read_as_windows_1252() -> None:
    """A page saved as Windows-1252 ('·' is 0xB7, '•' 0x95) reads as the same papers, with a
    warning that names the legacy encoding."""
    fx = fixture(NAMES[-1])
    legacy = fx.data.decode("utf-8").replace("π", "pi").encode("cp1252")
    text, encoding, warnings = decode_dump(legacy, fx.name)
    assert encoding == "cp1252"
    assert [w.message for w in warnings] == ["not valid UTF-8; read as Windows-1252"]
    result = parse_text(text, fx.name, year=YEAR)
    expected = parse_text(fx.data.decode("utf-8").replace("π", "pi"), fx.name, year=YEAR)
    assert summary(result) == summary(expected)
    assert sum(p.published is not None for p in result.papers) == 128


# --- the other syntaxes and page kinds: real captures and rendered pages, damaged ----------------

SHARED = Path(__file__).resolve().parents[3] / "shared"
REAL_PAGES = SHARED / "fixtures" / "pages"
REAL_NAMES = ("paper-page-select-all.txt", "search-lynx-dump.txt", "trending-markdown.md")


@cache
def other_captures() -> tuple[tuple[str, bytes], ...]:
    """(name, bytes) of captures in every syntax and page kind: the real ones in
    ../shared/fixtures/pages, and pages rendered from API records (benchmarks/pages.py)."""
    found: list[tuple[str, bytes]] = []
    if REAL_PAGES.is_dir():
        found += [(name, (REAL_PAGES / name).read_bytes()) for name in REAL_NAMES]
    import sys

    root = str(Path(__file__).resolve().parents[2])
    if root not in sys.path:
        sys.path.insert(0, root)
    from benchmarks import pages

    if pages.DATA.is_file():
        records = pages.records()[:60]
        for kind in pages.KINDS:
            for syntax in pages.SYNTAXES:
                page = next(iter(pages.corpus(records, [kind], [syntax])))
                found.append((page.name, page.text.encode("utf-8")))
    return tuple(found)


def check_any_syntax(
    text: str, warnings: list[ParseWarning], result: ParseResult, name: str
) -> None:
    """The properties every parse has in any syntax: titles and texts clean and non-empty,
    every paper and warning at a real line, warnings one clean line each."""
    lines = LINE_END.split(text)
    for paper in result.papers:
        assert paper.title, paper
        assert paper.abstract or paper.summary, paper
        for value in (paper.title, paper.abstract, paper.summary or "", paper.org or ""):
            assert not CONTROL.search(value), repr(value[:200])
        assert paper.sources == [name]
        assert 1 <= paper.line <= len(lines)
        assert paper.page_kinds == {name: result.kind}
    for warning in warnings:
        assert warning.file == name
        assert 1 <= warning.line <= len(lines), warning
        assert not CONTROL.search(str(warning)), repr(str(warning))


def other_capture_names() -> list[str]:
    return [name for name, _ in other_captures()] or ["(none: ../shared is absent)"]


@SETTINGS
@given(st.sampled_from(other_capture_names()), st.lists(damage_op(), min_size=1, max_size=6))
def test_damaged_capture_of_any_syntax_never_raises(name: str, ops: list[tuple]) -> None:
    captures = dict(other_captures())
    if name not in captures:
        pytest.skip("../shared (real captures and the API archive) is absent")
    data = captures[name]
    for op in ops:
        data = apply(data, op)
    try:
        text, _encoding, decode_warnings = decode_dump(data, name)
        result = parse_text(text, name, year=YEAR)
    except DumpError as exc:
        assert looks_binary(data) or "saved web page" in str(exc), str(exc)
        return
    check_any_syntax(text, decode_warnings + result.warnings, result, name)


@pytest.mark.parametrize("name", other_capture_names())
def test_undamaged_captures_parse_without_warnings(name: str) -> None:
    captures = dict(other_captures())
    if name not in captures:
        pytest.skip("../shared (real captures and the API archive) is absent")
    text, _, decode_warnings = decode_dump(captures[name], name)
    result = parse_text(text, name, year=YEAR)
    assert result.papers and not decode_warnings and not result.warnings
    check_any_syntax(text, [], result, name)
