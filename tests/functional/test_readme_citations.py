"""The README's citable-exports examples are what the commands print: each `$ paperbrowse
search arxiv:2510.04618 --format …` example in README.md is run on a library of the real paper
page it indexes (../shared/fixtures/pages/paper-page-select-all.txt) and compared line by line
(the csljson example through the same projection its `jq` filter makes)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.functional.test_cli import run

REPO = Path(__file__).resolve().parents[2]
PAGE = REPO.parent / "shared" / "fixtures" / "pages" / "paper-page-select-all.txt"
COMMAND = re.compile(r"^\$ paperbrowse search arxiv:2510\.04618 --format (\w+)(.*)$")


def examples() -> dict[str, tuple[str, list[str]]]:
    """Format -> (what follows it on the command line, the lines shown after it)."""
    text = (REPO / "README.md").read_text("utf-8")
    block = text.split("#### Citable exports")[1].split("```")[1]
    found: dict[str, tuple[str, list[str]]] = {}
    current: list[str] | None = None
    for line in block.splitlines():
        if line.startswith("$ "):
            match = COMMAND.match(line)
            current = None
            if match:
                current = []
                found[match.group(1)] = (match.group(2), current)
        elif current is not None:
            current.append(line)
    return found


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not PAGE.exists():
        pytest.skip(f"{PAGE} is absent (../shared not available)")
    data = tmp_path_factory.mktemp("readme") / "data"
    proc = run(data, "index", str(PAGE))
    assert proc.returncode == 0, proc.stderr
    return data


def test_the_readme_shows_bibtex_csljson_and_ris_as_printed(library: Path) -> None:
    shown = examples()
    assert set(shown) == {"bibtex", "csljson", "ris"}
    bibtex = run(library, "search", "arxiv:2510.04618", "--format", "bibtex").stdout
    assert shown["bibtex"][1] == bibtex.splitlines()
    ris = run(library, "search", "arxiv:2510.04618", "--format", "ris").stdout
    assert "head -5" in shown["ris"][0] and shown["ris"][1] == ris.splitlines()[:5]
    [item, *_] = json.loads(
        run(library, "search", "arxiv:2510.04618", "--format", "csljson").stdout
    )
    keys = ("id", "type", "author", "issued", "number", "DOI", "URL")
    projected = {k: item[k][:2] if k == "author" else item[k] for k in keys}  # the jq filter
    [line] = shown["csljson"][1]
    assert json.loads(line) == projected
