"""docs/guarantees.md is the one text of the guarantees; README's Guarantees section lists
their headlines, and this test keeps the two in step (a guarantee added, renamed or dropped in
one place fails here until the other says the same)."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_the_readme_lists_every_guarantee_of_docs_guarantees_in_order() -> None:
    doc = (REPO / "docs" / "guarantees.md").read_text("utf-8")
    readme = (REPO / "README.md").read_text("utf-8")
    section = readme.split("\n## Guarantees\n")[1].split("\n#")[0]
    listed = re.findall(r"^- (.+)$", section, re.M)
    headlines = re.findall(r"^\*\*(.+?)\*\*", doc, re.M)
    assert len(headlines) >= 10
    assert listed == headlines
    assert "](docs/guarantees.md)" in section
    # The full text lives in docs only: no guarantee paragraph is repeated in the README.
    assert not re.search(r"^\*Checked by\*", section, re.M)
