"""Citable records of papers: CSL-JSON and RIS (BibTeX entries are in bibtex.py).

- CSL-JSON: the Citation Style Language's input format (schema `csl-data.json`, v1.0, of the
  CSL project; Zotero, Pandoc and citeproc read it). A paper is an item of type `article`,
  CSL's type for preprints, as Zotero exports an arXiv preprint: `publisher` `arXiv`, `number`
  `arXiv:<id>`, the arXiv DOI `10.48550/arXiv.<id>` (the DOI arXiv registers for every paper
  with DataCite) and the abstract page as `URL`. Names are `{"family", "given"}`, the family
  name being the last word of a name as captures write it (`Given Family`); a one-word name is
  a `literal`. `issued` is the publication date.
- RIS: the tagged format of Research Information Systems (`TY  - ` … `ER  - `), read by Zotero,
  EndNote, Mendeley and `rispy`. A paper is `UNPB` (an unpublished work: a preprint), with one
  `AU  - Family, Given` per author, `PY` the year and `DA` the date as `YYYY/MM/DD`.

Every text passes through `strip_controls` and is folded onto one line; only http(s) links are
written. This module must not import Textual.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from paperbrowse.bibtex import arxiv_id
from paperbrowse.links import is_safe_url, primary_url
from paperbrowse.models import Paper
from paperbrowse.text import strip_controls

_LINE_BREAKS = re.compile(r"[\t\n\r\v\f\x85\u2028\u2029]+")
ARXIV_DOI_PREFIX = "10.48550/arXiv."


_NEW_ID = re.compile(r"(\d{2})(\d{2})\.\d{4,5}(?:v\d+)?")
_OLD_ID = re.compile(r"[a-z\-]+(?:\.[A-Z]{2})?/(\d{2})(\d{2})\d{3}(?:v\d+)?")


def arxiv_month(value: str | None) -> tuple[int, int] | None:
    """(year, month) of an arXiv id's first submission, which the id encodes (arXiv's
    "Understanding the arXiv identifier": `YYMM.NNNNN` since 2007, `archive/YYMMNNN` from 1991
    to 2007); None for anything else."""
    value = arxiv_id(value)
    if not value:
        return None
    found = _NEW_ID.fullmatch(value)
    if found:
        year = 2000 + int(found.group(1))
    else:
        found = _OLD_ID.fullmatch(value)
        if not found:
            return None
        yy = int(found.group(1))
        year = 1900 + yy if yy >= 91 else 2000 + yy
    month = int(found.group(2))
    return (year, month) if 1 <= month <= 12 else None


def issued(paper: Paper) -> list[int] | None:
    """The date a citation gives, as CSL date parts: `[year, month, day]` of the publication
    date, unless the arXiv id says the paper appeared in another year (a page that shows no
    year, whose year was guessed): then `[year, month]` of the arXiv id, as arXiv's own BibTeX
    cites the year of the first version. None when neither is known."""
    from_id = arxiv_month(paper.arxiv_id)
    d = paper.published
    if d is not None and (from_id is None or from_id[0] == d.year):
        return [d.year, d.month, d.day]
    return list(from_id) if from_id else None


def one_line(text: str | None) -> str:
    """Untrusted text without terminal controls, on one line ('' for None)."""
    return _LINE_BREAKS.sub(" ", strip_controls(text or "")).strip()


def split_name(name: str) -> tuple[str, str]:
    """(given, family) of a name written `Given Family`; ('', name) for a one-word name."""
    words = one_line(name).split()
    if len(words) < 2:
        return "", " ".join(words)
    return " ".join(words[:-1]), words[-1]


def paper_url(paper: Paper) -> str:
    """The link a citation gives: the arXiv abstract page when the arXiv id is known, else the
    link `tsv` writes (a code link, a project page, else an arXiv title search)."""
    eprint = arxiv_id(paper.arxiv_id)
    if eprint:
        return f"https://arxiv.org/abs/{eprint}"
    links = [one_line(u) for u in paper.links if is_safe_url(u)]
    return primary_url(
        Paper(title=one_line(paper.title), abstract="", links=[u for u in links if u])
    )


def csl_item(paper: Paper, key: str) -> dict[str, Any]:
    """One CSL-JSON item for `paper` under the citation key `key` (its `id`)."""
    item: dict[str, Any] = {"id": key, "type": "article", "citation-key": key}
    item["title"] = one_line(paper.title)
    names = [n for n in paper.author_names or [] if one_line(n)]
    if names:
        authors = []
        for name in names:
            given, family = split_name(name)
            authors.append({"family": family, "given": given} if given else {"literal": family})
        item["author"] = authors
    parts = issued(paper)
    if parts:
        item["issued"] = {"date-parts": [parts]}
    abstract = one_line(paper.abstract) or one_line(paper.summary)
    if abstract:
        item["abstract"] = abstract
    eprint = arxiv_id(paper.arxiv_id)
    if eprint:
        item["publisher"] = "arXiv"
        item["number"] = f"arXiv:{eprint}"
        item["DOI"] = f"{ARXIV_DOI_PREFIX}{eprint}"
    item["URL"] = paper_url(paper)
    return item


def _ris_text(text: str) -> str:
    return one_line(text)


def ris_lines(paper: Paper, key: str) -> Iterator[str]:
    """The lines of one RIS record for `paper` (`TY  - UNPB` … `ER  - `), `ID` being `key`."""
    yield "TY  - UNPB"
    yield f"ID  - {key}"
    yield f"TI  - {_ris_text(paper.title)}"
    for name in paper.author_names or []:
        given, family = split_name(name)
        if family:
            yield f"AU  - {family}, {given}" if given else f"AU  - {family}"
    parts = issued(paper)
    if parts:
        yield f"PY  - {parts[0]}"
        yield "DA  - " + "/".join(f"{p:02d}" for p in parts)  # RIS: YYYY/MM/DD, or YYYY/MM
    abstract = one_line(paper.abstract) or one_line(paper.summary)
    if abstract:
        yield f"AB  - {abstract}"
    eprint = arxiv_id(paper.arxiv_id)
    if eprint:
        yield "PB  - arXiv"
        yield f"DO  - {ARXIV_DOI_PREFIX}{eprint}"
    yield f"UR  - {paper_url(paper)}"
    yield "ER  - "
