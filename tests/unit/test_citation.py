"""Citable exports read back by real readers of each format: bibtexparser (BibTeX, with its
name-splitting middlewares), jsonschema against the CSL project's own CSL-JSON schema (vendored
in tests/data/csl, see SOURCE.md there), and rispy (RIS).

Expected values (titles, author names, arXiv ids, years) come from the HF API records in
../shared/data, never from our output.
"""

from __future__ import annotations

import json
from datetime import date
from functools import cache
from io import StringIO
from pathlib import Path
from typing import Any

import bibtexparser
import jsonschema
import pytest
import rispy
from bibtexparser import middlewares

from paperbrowse.citekeys import KeyMaker, KeyTemplateError, check_template
from paperbrowse.models import Paper, TriageState
from paperbrowse.output import write_papers
from tests.api_records import api_records, capture, one_line

SCHEMA = Path(__file__).resolve().parents[1] / "data" / "csl" / "csl-data.json"


@cache
def paper_records() -> list[dict[str, Any]]:
    """Every 25th API record with author names and an arXiv id (about 400), plus every record
    whose names are not plain ASCII (accents, CJK): the names a reader most easily gets wrong."""
    records = [r for r in api_records() if r["author_names"] and r["arxiv_id"]]
    picked = records[::25]
    picked += [r for r in records if any(not n.isascii() for n in r["author_names"])][:200]
    return picked


def papers() -> list[Paper]:
    """The records as a paper page shows them (arXiv id, names, title, date)."""
    return [capture(r, "paper", "p.txt") for r in paper_records()]


def render(fmt: str, ps: list[Paper], key: str = "{author}{year}{word}") -> str:
    out = StringIO()
    assert write_papers([(p, TriageState()) for p in ps], fmt, out, key_template=key) == len(ps)
    return out.getvalue()


def cited_year(rec: dict[str, Any]) -> int:
    """The year arXiv's own BibTeX gives: its first version's, which a new-style id (`YYMM.`)
    encodes."""
    assert rec["arxiv_id"][4] == "."
    return 2000 + int(rec["arxiv_id"][:2])


def names(rec: dict[str, Any]) -> list[str]:
    return [" ".join(n.split()) for n in rec["author_names"]]


# --- BibTeX ---------------------------------------------------------------------------------


def test_bibtex_reads_back_with_names_ids_and_years() -> None:
    recs = paper_records()
    text = render("bibtex", papers())
    library = bibtexparser.parse_string(
        text,
        append_middleware=[
            middlewares.SeparateCoAuthors(),
            middlewares.SplitNameParts(),
        ],
    )
    assert not library.failed_blocks
    assert len(library.entries) == len(recs)
    assert len({e.key for e in library.entries}) == len(recs)
    for entry, rec in zip(library.entries, recs, strict=True):
        fields = entry.fields_dict
        assert entry.entry_type == "misc"
        title = one_line(rec["title"])
        if not set(title) & set("\\$&%#_{}~^<>|"):  # TeX specials: test_bibtex.py decodes them
            assert fields["title"].value == "{" + title + "}"
        parts = fields["author"].value
        read = [" ".join([*p.first, *p.von, *p.last, *p.jr]) for p in parts]
        assert read == names(rec), entry.key
        assert fields["eprint"].value == rec["arxiv_id"]
        assert fields["archivePrefix"].value == "arXiv"
        assert fields["url"].value == f"https://arxiv.org/abs/{rec['arxiv_id']}"
        assert fields["year"].value == str(cited_year(rec))


def test_default_key_is_surname_year_word_as_arxiv_writes_it() -> None:
    [rec] = [r for r in api_records() if r["arxiv_id"] == "2510.04618"]
    # First author Qizheng Zhang, arXiv 2510 (October 2025), "Agentic Context Engineering: …"
    assert rec["author_names"][0] == "Qizheng Zhang"
    [entry] = bibtexparser.parse_string(render("bibtex", [capture(rec, "paper", "p")])).entries
    assert entry.key == "zhang2025agentic"


def test_without_names_the_key_starts_with_the_title() -> None:
    [rec] = [r for r in api_records() if r["arxiv_id"] == "2510.04618"]
    daily = capture(rec, "daily", "d")  # a list card: an author count, no names, no arXiv id
    assert daily.author_names is None
    [entry] = bibtexparser.parse_string(render("bibtex", [daily])).entries
    assert entry.key == "agentic2025context"  # first significant word, year, the next one


def test_keys_are_unique_with_letter_suffixes() -> None:
    same = [
        Paper(title=f"Diffusion Models Part {n}", abstract="", published=date(2024, 1, 2))
        for n in range(30)
    ]
    entries = bibtexparser.parse_string(render("bibtex", same)).entries
    keys = [e.key for e in entries]
    assert keys[:4] == [
        "diffusion2024models",
        "diffusion2024modelsa",
        "diffusion2024modelsb",
        "diffusion2024modelsc",
    ]
    assert keys[27] == "diffusion2024modelsaa"
    assert len(set(keys)) == 30


@pytest.mark.parametrize(
    ("template", "key"),
    [
        ("{author}{year}{word}", "zhang2025agentic"),
        ("{author}_{year}", "zhang_2025"),
        ("{word}{year}", "agentic2025"),
        ("arXiv:{year}-{author}", "arXiv:2025-zhang"),
        ("{author} {year}", "zhang2025"),  # a space is not a key character
    ],
)
def test_key_templates(template: str, key: str) -> None:
    [rec] = [r for r in api_records() if r["arxiv_id"] == "2510.04618"]
    assert KeyMaker(template).key(capture(rec, "paper", "p")) == key


def test_id_field_is_the_paper_id() -> None:
    paper = Paper(title="X", abstract="", arxiv_id="2510.04618")
    assert KeyMaker("pb{id}").key(paper) == f"pb{paper.id}"


@pytest.mark.parametrize("bad", ["{name}", "{author", "{author:>5}", "{author!r}", "plain", ""])
def test_bad_templates_are_refused_in_one_line(bad: str) -> None:
    with pytest.raises(KeyTemplateError) as info:
        check_template(bad)
    assert "\n" not in str(info.value) and repr(bad) in str(info.value)


def test_a_name_with_and_or_a_comma_stays_one_name() -> None:
    paper = Paper(title="T", abstract="", author_names=["Anders And Sons", "Smith, Jr.", "Ana Lee"])
    [entry] = bibtexparser.parse_string(
        render("bibtex", [paper]), append_middleware=[middlewares.SeparateCoAuthors()]
    ).entries
    assert len(entry.fields_dict["author"].value) == 3


# --- CSL-JSON -------------------------------------------------------------------------------


@cache
def validator() -> jsonschema.Draft7Validator:
    schema = json.loads(SCHEMA.read_text("utf-8"))
    jsonschema.Draft7Validator.check_schema(schema)
    return jsonschema.Draft7Validator(schema)


def test_csljson_validates_against_the_csl_schema_and_holds_the_records() -> None:
    recs = paper_records()
    items = json.loads(render("csljson", papers()))
    errors = list(validator().iter_errors(items))
    assert not errors, errors[0].message
    assert len({i["id"] for i in items}) == len(recs)
    for item, rec in zip(items, recs, strict=True):
        assert item["type"] == "article"
        assert item["title"] == one_line(rec["title"])
        read = [" ".join(x for x in (a.get("given"), a.get("family"), a.get("literal")) if x)
                for a in item["author"]]  # fmt: skip
        assert read == names(rec)
        assert item["issued"]["date-parts"][0][0] == cited_year(rec)
        assert item["number"] == f"arXiv:{rec['arxiv_id']}"
        assert item["DOI"] == f"10.48550/arXiv.{rec['arxiv_id']}"
        assert item["URL"] == f"https://arxiv.org/abs/{rec['arxiv_id']}"
        assert item["abstract"] == one_line(rec["abstract"])


def test_the_schema_rejects_what_is_not_csl() -> None:
    """The validator can fail: an unknown type, a missing id, a stray key."""
    good = json.loads(render("csljson", papers()[:1]))
    for broken in ({"type": "preprint"}, {"id": None}, {"eprint": "x"}):
        item = {**good[0], **broken}
        if broken.get("id", 0) is None:
            del item["id"]
        assert list(validator().iter_errors([item]))


def test_csljson_of_a_paper_without_names_dates_or_id_is_valid() -> None:
    items = json.loads(render("csljson", [Paper(title="Only \x1b[2Ja title", abstract="")]))
    assert not list(validator().iter_errors(items))
    assert items[0]["title"] == "Only a title"  # terminal controls stripped
    assert set(items[0]) == {"id", "type", "citation-key", "title", "URL"}


# --- RIS ------------------------------------------------------------------------------------


def test_ris_reads_back_with_rispy() -> None:
    recs = paper_records()
    entries = rispy.loads(render("ris", papers()))
    assert len(entries) == len(recs)
    for entry, rec in zip(entries, recs, strict=True):
        assert entry["type_of_reference"] == "UNPB"
        assert entry["title"] == one_line(rec["title"])
        read = [" ".join(reversed(a.split(", ", 1))) for a in entry["authors"]]
        assert read == names(rec)
        assert entry["year"] == str(cited_year(rec))
        assert entry["doi"] == f"10.48550/arXiv.{rec['arxiv_id']}"
        assert entry["urls"] == [f"https://arxiv.org/abs/{rec['arxiv_id']}"]
        assert entry["abstract"] == one_line(rec["abstract"])
    assert len({e["id"] for e in entries}) == len(recs)
