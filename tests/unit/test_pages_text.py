"""Text that must come through a parse whole: Unicode normal forms, joiners, link ends, LaTeX,
saved HTML pages refused, and link finding that stays linear on hostile input."""

from __future__ import annotations

import re
import subprocess
import sys
import unicodedata
from pathlib import Path
from typing import Literal

import pytest

from paperbrowse.library import Library
from paperbrowse.models import Filters
from paperbrowse.pages import DumpError, extract_links, parse_capture, parse_text
from paperbrowse.pages import urls as urls_module
from paperbrowse.sources import collect_sources
from paperbrowse.text import clean_line, strip_controls
from tests.indexing import index_into

CHROME = "new\n\nDaily Papers\n\nNov 13\n\n"
ABSTRACT = "We study a problem. Our method works well on many benchmarks and beats the baselines."


def page(title: str, abstract: str = ABSTRACT) -> str:
    return f"{CHROME}{title}\n\n{abstract}\n\n  • 3 authors\n·\nMay 2, 2022\n"


# --- Unicode ---------------------------------------------------------------------------------

CAFE_NFD = "Cafe\u0301 Lattes: Re\u0301sume\u0301s of Kaon Decays"  # e + COMBINING ACUTE
CAFE_NFC = unicodedata.normalize("NFC", CAFE_NFD)


def test_text_is_nfc_whatever_form_the_capture_used() -> None:
    assert CAFE_NFC != CAFE_NFD and "\u00e9" in CAFE_NFC
    (paper,) = parse_text(page(CAFE_NFD, f"On {CAFE_NFD}. {ABSTRACT}"), "x.txt").papers
    assert paper.title == CAFE_NFC
    assert paper.abstract.startswith(f"On {CAFE_NFC}.")
    markdown = f"### [{CAFE_NFD}](https://huggingface.co/papers/2501.00001)\n\n{ABSTRACT}\n"
    (clip,) = parse_text(f"{CHROME}{markdown}\n· May 2, 2022\n", "x.md").papers
    assert clip.title == CAFE_NFC


@pytest.mark.parametrize("form", ["NFC", "NFD"])
def test_a_word_typed_in_any_normal_form_finds_the_paper(
    tmp_path: Path, form: Literal["NFC", "NFD"]
) -> None:
    capture = tmp_path / "page.txt"
    capture.write_text(page(unicodedata.normalize(form, "Résumé Retrieval for Kaon Decays")))
    library = Library(tmp_path / "data")
    index_into(library, collect_sources([str(capture)])[0])
    for typed in ("NFC", "NFD"):
        query = unicodedata.normalize(typed, "résumé")
        assert len(library.search(Filters(query=query)).ids) == 1, (form, typed)
    library.close()


ZWNJ, ZWJ = "\u200c", "\u200d"
PERSIAN = f"می{ZWNJ}خواهم"  # "I want": the ZWNJ keeps the prefix from joining the verb
SCIENTIST = f"👩{ZWJ}🔬"  # one emoji: woman + ZWJ + microscope


def test_joiners_are_text_and_kept() -> None:
    title = f"{PERSIAN} {SCIENTIST} Benchmarks"
    (paper,) = parse_text(page(title, f"{ABSTRACT} {PERSIAN}."), "x.txt").papers
    assert paper.title == title
    assert paper.abstract.endswith(f"{PERSIAN}.")
    assert strip_controls(title) == title  # and on output


@pytest.mark.parametrize(
    "hidden",
    ["\u202e", "\u202d", "\u2066", "\u2069", "\u200e", "\u200f", "\u061c", "\u200b", "\u2060"],
    ids=["RLO", "LRO", "LRI", "PDI", "LRM", "RLM", "ALM", "ZWSP", "WJ"],
)
def test_invisible_controls_still_go(hidden: str) -> None:
    assert clean_line(f"safe{hidden}text") == "safetext"
    assert strip_controls(f"a{hidden}b{ZWNJ}c") == f"ab{ZWNJ}c"


def test_titles_keep_latex_verbatim_in_every_syntax() -> None:
    title = r"HyperZ$\cdot$Z$\cdot$W: $\mathcal{O}(n^2)$ Attention with \textsc{Loops}"
    (plain,) = parse_text(page(title), "x.txt").papers
    escaped = title.replace("\\", "\\\\").replace("_", "\\_")  # as a Markdown converter writes it
    markdown = f"{CHROME}### [{escaped}](https://huggingface.co/papers/2501.00001)\n\n{ABSTRACT}\n"
    (clip,) = parse_text(markdown, "x.md").papers
    assert plain.title == clip.title == title


# --- links -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "after", ["，", "。", "、", "）", "：", "；", "！", "？", "」", "』", "】", "》", "—", "…", "–"]
)
def test_links_end_before_cjk_and_full_width_punctuation(after: str) -> None:
    text = f"代码见 https://github.com/x/y{after}我们的方法 https://a.b/c{after}"
    assert extract_links(text) == ["https://github.com/x/y", "https://a.b/c"]


def test_links_keep_what_urls_hold() -> None:
    assert extract_links("see https://a.b/x-y_z~1/(v2)?q=1&r=%E2%80%94#f.") == [
        "https://a.b/x-y_z~1/(v2)?q=1&r=%E2%80%94#f"
    ]


class CountingPattern:
    """A stand-in for the URL tail pattern that counts how many characters its matches cover."""

    def __init__(self, pattern: re.Pattern[str]) -> None:
        self.pattern = pattern
        self.calls = 0
        self.scanned = 0

    def match(self, text: str, pos: int) -> re.Match[str] | None:
        self.calls += 1
        found = self.pattern.match(text, pos)
        if found:
            self.scanned += found.end() - pos
        return found


HOSTILE = {
    "glued schemes": "ahttp://" * 80_000,  # 640 KB: 70 s before the fix
    "one long link": "http://" + "ahttp://" * 80_000,
    "links and spaces": "http://a.b " * 58_000,
    "schemes only": "https://" * 80_000,
    "closing brackets": "http://a.b/" + ")" * 640_000,
}


@pytest.mark.parametrize("text", HOSTILE.values(), ids=HOSTILE.keys())
def test_link_finding_is_linear(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    """Work is counted, not timed: every character is matched at most once."""
    counter = CountingPattern(urls_module._URL_TAIL)
    monkeypatch.setattr(urls_module, "_URL_TAIL", counter)
    extract_links(text)
    assert counter.scanned <= len(text)
    assert counter.calls <= text.count("://")


def test_a_640_kb_hostile_abstract_parses_in_a_subprocess() -> None:
    """The whole parse of a page holding the 640 KB abstract, with a generous time limit."""
    script = (
        "from paperbrowse.pages import parse_text\n"
        f"text = {CHROME!r} + 'T\\n\\n' + 'ahttp://' * 80_000 + '\\n'\n"
        "result = parse_text(text, 'x.txt')\n"
        "assert [p.title for p in result.papers] == ['T'] and result.papers[0].links == []\n"
    )
    subprocess.run([sys.executable, "-c", script], check=True, timeout=120)


# --- saved web pages -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "head",
    [
        b"<!DOCTYPE html>\n<html lang=en>",
        b"<!doctype html><html>",
        b"\xef\xbb\xbf  <html>\n<head>",
        b"<!-- saved from url=(0035)https://huggingface.co/papers -->\n<!DOCTYPE html>",
        "<!DOCTYPE html>".encode("utf-16"),
    ],
)
def test_a_saved_html_page_is_refused_with_how_to_save_it_as_text(head: bytes) -> None:
    with pytest.raises(DumpError) as info:
        parse_capture(head + b"<body>Daily Papers</body></html>", "papers.txt")
    message = str(info.value)
    assert message.startswith("papers.txt: a saved web page (HTML)")
    assert "save the page as text" in message and "\n" not in message


def test_an_html_file_name_is_refused_whatever_it_holds() -> None:
    with pytest.raises(DumpError, match=r"^page\.html: a saved web page"):
        parse_capture(page("A Title").encode(), "page.html")


def test_text_that_mentions_html_is_not_html() -> None:
    text = page("Rendering <html> Tags with Transformers", "We parse <html> pages. " * 20)
    (paper,) = parse_capture(text.encode(), "page.txt").papers
    assert paper.title.startswith("Rendering <html>")
