"""Real terminal browsers on real records: daily pages of the HF API archive written as HTML
(benchmarks/page_html.py), dumped by the installed `lynx` and `w3m`, parsed back and compared with
the records. Skipped where the browsers (or ../shared) are absent.

Every fourth daily page (about 2,500 records) keeps the run short. lynx loses nothing the parser
needs; w3m breaks lines inside words at punctuation (`Models` / `(LVLMs)`, `O(n^` / `2)`) where a
space could have stood just as well, so about 1 % of its abstracts keep a space the record does
not have: the bound below is that measured rate, not a hope.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks import pages  # noqa: E402
from benchmarks.page_html import html_list_page  # noqa: E402
from benchmarks.page_syntax import PageSpec  # noqa: E402
from paperbrowse.pages import parse_capture  # noqa: E402

BROWSERS = {
    "lynx": ["lynx", "-dump", "-width=80", "-assume_charset=utf-8", "-display_charset=utf-8"],
    "w3m": ["w3m", "-dump", "-o", "display_link_number=1", "-cols", "80"],
    "w3m-plain": ["w3m", "-dump", "-cols", "80"],
}
# Abstracts (and titles) allowed to differ from the record, per 1,000 records: measured on all
# 9,877 records with lynx 2.9.0 and w3m 0.5.3 (lynx 2, w3m 100 and 101).
MISMATCH_PER_MILLE = {"lynx": 1, "w3m": 15, "w3m-plain": 15}


def collapse(text: str | None) -> str | None:
    return None if text is None else " ".join(text.split())


@pytest.fixture(scope="module")
def records() -> list[dict[str, Any]]:
    if not pages.DATA.is_file():
        pytest.skip(f"the HF API archive is absent ({pages.DATA})")
    return pages.records()


@pytest.mark.parametrize("browser", BROWSERS)
def test_real_terminal_browser_dumps_of_real_records(
    browser: str, records: list[dict[str, Any]], tmp_path: Path
) -> None:
    command = BROWSERS[browser]
    if shutil.which(command[0]) is None:
        pytest.skip(f"{command[0]} is not installed")
    html = tmp_path / "page.html"
    counts: Counter[str] = Counter()
    for n, page in enumerate(pages.corpus(records, ["daily"], ["markdown"])):
        if n % 4:
            continue
        spec = PageSpec("daily", page.cards, page.captured.date(), 0, page.shows)
        html.write_text(html_list_page(spec), "utf-8")
        dump = subprocess.run([*command, str(html)], capture_output=True, check=True, timeout=60)
        result = parse_capture(dump.stdout, "dump.txt", mtime=page.captured.timestamp())
        assert (result.syntax, result.kind, result.warnings) == ("terminal", "daily", [])
        assert len(result.papers) == len(page.cards), page.name
        for paper, card in zip(result.papers, page.cards, strict=True):
            rec = card.record
            counts["records"] += 1
            wording = (collapse(paper.title), paper.abstract)
            counts["wording"] += wording != (collapse(rec["title"]), collapse(rec["abstract"]))
            assert paper.upvotes == rec["upvotes"]
            assert paper.comments == (rec["comments"] or None)
            assert paper.published and paper.published.isoformat() == rec["published_at"][:10]
            assert paper.org == collapse(rec["org"])
            assert paper.authors == (None if rec["org"] else rec["authors"])
            if browser != "w3m-plain":  # a dump without link numbers has no links
                assert paper.arxiv_id == rec["arxiv_id"]
                assert paper.org_handle == rec["org_handle"]
    assert counts["records"] > 2000
    assert counts["wording"] * 1000 <= MISMATCH_PER_MILLE[browser] * counts["records"], counts
