"""Identity in the library: one record per paper across runs and within a run, records joined
when a capture links them, and triage that follows a paper's id. Papers are built from real HF
API records (tests/api_records.py) and indexed as already-parsed sources; expected values come
from the records and from the triage written by the test."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

from paperbrowse.library import Library
from paperbrowse.merging import IndexReport
from paperbrowse.models import Filters, Paper, TriageState, arxiv_paper_id, paper_id
from paperbrowse.sources import Source
from paperbrowse.triage import TriageStore
from tests.api_records import api_records, capture, one_line
from tests.indexing import index_into


def index(library: Library, *, rebuild: bool = False, **sources: list[Paper]) -> IndexReport:
    """Index already-parsed captures, one source per keyword (`daily_txt` -> `daily.txt`)."""
    given = [
        Source(name.replace("_", "."), None, records=papers) for name, papers in sources.items()
    ]
    report = index_into(library, given, rebuild=rebuild)
    assert not report.failures, report.failures
    return report


def reworded(title: str) -> str:
    """An earlier arXiv version's wording: the part before the colon, else one word less."""
    head, colon, _ = title.partition(":")
    return head if colon else title.rsplit(" ", 1)[0]


def paper_records(count: int) -> list[dict[str, Any]]:
    """Records with comments, upvotes, an AI summary and a colon in the title (so a re-worded
    title normalises differently)."""
    found = [
        r
        for r in api_records()
        if r["comments"] and r["ai_summary"] and ":" in r["title"] and r["upvotes"]
    ]
    assert len(found) >= count
    return found[:count]


def trending_with_abstract(rec: dict[str, Any]) -> Paper:
    """A trending card that shows the abstract (no AI summary)."""
    card = capture(rec, "trending", "trending.md")
    return replace(card, abstract=one_line(rec["abstract"]), summary=None)


def flags(data_dir: Path) -> dict[str, TriageState]:
    """Every row of state.db, read with sqlite3 directly."""
    with sqlite3.connect(data_dir / "state.db") as db:
        rows = db.execute("SELECT id, read, starred, hidden FROM state").fetchall()
    return {pid: TriageState(bool(r), bool(s), bool(h)) for pid, r, s, h in rows}


def triage(data_dir: Path, ids: list[str], flag: str) -> None:
    store = TriageStore(data_dir / "state.db")
    store.set(ids, flag, True)
    store.close()


def test_a_title_only_record_gains_its_arxiv_id_across_runs_and_keeps_its_triage(
    tmp_path: Path,
) -> None:
    recs = paper_records(3)
    data = tmp_path / "data"
    library = Library(data)
    old = [replace(capture(r, "daily", "daily.txt"), title=reworded(r["title"])) for r in recs]
    report = index(library, daily_txt=old)
    assert report.new == 3
    old_ids = [paper_id(reworded(r["title"])) for r in recs]
    assert sorted(library.search(Filters()).ids) == sorted(old_ids)
    triage(data, old_ids[:1], "starred")
    triage(data, old_ids[1:2], "read")
    triage(data, old_ids[1:2], "hidden")

    # Today a trending page shows the same papers with their arXiv ids and current titles, and
    # their abstracts (cards without an AI summary show the abstract): one record each.
    trending = [trending_with_abstract(r) for r in recs]
    report = index(library, trending_md=trending)
    assert (report.new, report.updated, report.merged, report.removed) == (0, 3, 0, 0)
    assert len(library) == 3
    new_ids = [arxiv_paper_id(r["arxiv_id"]) for r in recs]
    assert sorted(library.search(Filters()).ids) == sorted(new_ids)
    for rec, old_id, new_id in zip(recs, old_ids, new_ids, strict=True):
        paper = library.get(new_id)
        assert paper is not None
        assert paper.title == one_line(rec["title"])  # the newer capture's wording
        assert (paper.arxiv_id, paper.comments, paper.upvotes) == (
            rec["arxiv_id"],
            rec["comments"],
            rec["upvotes"],
        )
        assert paper.abstract == one_line(rec["abstract"])
        assert sorted(paper.sources) == ["daily.txt", "trending.md"]
        # The old id still finds the paper (`paperbrowse show OLDID`).
        found = library.get(old_id)
        assert found is not None and found.id == new_id
        assert library.get(rec["arxiv_id"]) == paper
    state = flags(data)
    assert state[new_ids[0]] == TriageState(starred=True)
    assert state[new_ids[1]] == TriageState(read=True, hidden=True)
    assert new_ids[2] not in state
    # The old ids' rows went with the run's commit (their marks are the new ids').
    assert not set(old_ids) & state.keys()

    # Indexing the same again changes nothing, and state.db is not touched.
    before = (data / "state.db").read_bytes()
    report = index(library, trending_md=trending)
    assert report.files_unchanged == 1 and report.new == report.updated == 0
    assert (data / "state.db").read_bytes() == before


def test_within_one_run_the_captures_of_a_paper_are_one_record(tmp_path: Path) -> None:
    recs = paper_records(20)
    library = Library(tmp_path / "data")
    daily = [replace(capture(r, "daily", "d.txt"), title=reworded(r["title"])) for r in recs]
    trending = [capture(r, "trending", "t.md") for r in recs[:10]]  # summaries, no abstracts
    pages = [capture(r, "paper", "p.txt") for r in recs[5:15]]  # abstracts
    report = index(library, d_txt=daily, t_md=trending, p_txt=pages)
    # 0-4: the daily card (old title, abstract) shares nothing with the trending card (new
    # title, summary): two records. 5-14: the paper page shares the daily card's abstract and
    # the trending card's id: one record. 15-19: only the daily card.
    expected = {arxiv_paper_id(r["arxiv_id"]) for r in recs[:15]}
    expected |= {paper_id(reworded(r["title"])) for r in recs[:5] + recs[15:]}
    assert report.new == 25 and len(library) == 25
    assert set(library.search(Filters()).ids) == expected
    for rec in recs[5:10]:  # in all three captures
        paper = library.get(arxiv_paper_id(rec["arxiv_id"]))
        assert paper is not None
        assert paper.title == one_line(rec["title"])
        assert paper.author_names == rec["author_names"]
        assert paper.authors == len(rec["author_names"])
        assert (paper.upvotes, paper.comments) == (rec["upvotes"], rec["comments"])
        assert paper.github_stars == rec["github_stars"]
        assert paper.abstract == one_line(rec["abstract"])
        assert paper.summary == one_line(rec["ai_summary"])
        assert paper.page_kinds == {"d.txt": "daily", "t.md": "trending", "p.txt": "paper"}
    for rec in recs[10:15]:  # daily card and paper page: joined by the abstract
        paper = library.get(arxiv_paper_id(rec["arxiv_id"]))
        assert paper is not None and paper.comments == rec["comments"]
        assert sorted(paper.sources) == ["d.txt", "p.txt"]


def test_a_capture_that_links_two_records_joins_them_and_their_triage(tmp_path: Path) -> None:
    (rec,) = paper_records(1)
    title, old_title = one_line(rec["title"]), reworded(rec["title"])
    data = tmp_path / "data"
    library = Library(data)
    # Yesterday: the paper under its old title without an id, and under its new title with one:
    # nothing says they are one paper yet.
    untitled = replace(capture(rec, "daily", "a.txt"), title=old_title)
    tagged = capture(rec, "trending", "c.md")
    index(library, a_txt=[untitled], c_md=[tagged])
    x, y = paper_id(old_title), arxiv_paper_id(rec["arxiv_id"])
    assert sorted(library.search(Filters()).ids) == sorted([x, y])
    triage(data, [x], "starred")
    triage(data, [y], "read")

    # Today a paper page saved the day after the daily list (still under the old title) is
    # indexed: it shows the arXiv id, so the two records are one.
    assert untitled.page_date is not None
    linking = replace(
        capture(rec, "paper", "b.txt"),
        title=old_title,
        page_date=date.fromordinal(untitled.page_date.toordinal() + 1),
    )
    report = index(library, b_txt=[linking])
    assert (report.new, report.updated, report.merged, report.removed) == (0, 1, 1, 0)
    assert library.search(Filters()).ids == [y]
    paper = library.get(y)
    assert paper is not None
    assert paper.title == title  # the newest capture (the trending page) names it
    assert sorted(paper.sources) == ["a.txt", "b.txt", "c.md"]
    assert flags(data)[y] == TriageState(read=True, starred=True)
    assert library.get(x) == paper

    # A rebuild that changes no id leaves state.db byte for byte as it was.
    before = (data / "state.db").read_bytes()
    report = index(library, rebuild=True, a_txt=[untitled], b_txt=[linking], c_md=[tagged])
    assert report.new == 1 and not report.warnings
    assert library.search(Filters()).ids == [y]
    assert (data / "state.db").read_bytes() == before

    # The linking capture goes away: the two records part, each with the triage it had.
    report = index(library, b_txt=[])
    assert sorted(library.search(Filters()).ids) == sorted([x, y])
    state = flags(data)
    assert state[y] == TriageState(read=True, starred=True)
    assert state[x].starred and state[x].read  # it takes the joined record's marks along


def test_a_rebuild_carries_triage_to_ids_it_changes(tmp_path: Path) -> None:
    recs = paper_records(2)
    data = tmp_path / "data"
    library = Library(data)
    daily = [capture(r, "daily", "d.txt") for r in recs]
    index(library, d_txt=daily)
    title_ids = [paper_id(r["title"]) for r in recs]
    triage(data, title_ids[:1], "starred")
    # A rebuild that now reads the arXiv ids (here: a capture that gained them) renames both.
    tagged = [replace(p, arxiv_id=r["arxiv_id"]) for p, r in zip(daily, recs, strict=True)]
    report = index(library, rebuild=True, d_txt=tagged)
    assert report.new == 2
    new_ids = [arxiv_paper_id(r["arxiv_id"]) for r in recs]
    assert sorted(library.search(Filters()).ids) == sorted(new_ids)
    assert flags(data)[new_ids[0]] == TriageState(starred=True)
    assert new_ids[1] not in flags(data)
    assert title_ids[0] not in flags(data)  # the old id's row went with the commit


def test_a_paper_without_an_arxiv_id_keeps_its_triage_when_a_dump_rewords_its_title(
    tmp_path: Path,
) -> None:
    """A re-read dump whose card now shows another title (same abstract, no arXiv id): the
    paper's id follows its title, and its marks follow the id there and back."""
    rec = paper_records(1)[0]
    card = replace(trending_with_abstract(rec), arxiv_id=None)
    data = tmp_path / "data"
    library = Library(data)
    assert index(library, trending_md=[card]).new == 1
    first_id = paper_id(one_line(rec["title"]))
    assert library.search(Filters()).ids == [first_id]
    triage(data, [first_id], "starred")

    retitled = replace(card, title=reworded(rec["title"]))
    report = index(library, trending_md=[retitled])
    assert (report.new, report.updated, report.removed) == (0, 1, 0)
    second_id = paper_id(reworded(rec["title"]))
    assert library.search(Filters()).ids == [second_id]
    assert flags(data)[second_id] == TriageState(starred=True)
    # The old id's row went with the run's commit: unstarring the paper now leaves no starred
    # row behind for `state export` (another machine with the old id would read it).
    assert first_id not in flags(data)
    found = library.get(first_id)  # `paperbrowse show OLDID`
    assert found is not None and found.id == second_id

    report = index(library, trending_md=[card])  # the title put back
    assert (report.new, report.updated, report.removed) == (0, 1, 0)
    assert library.search(Filters()).ids == [first_id]
    assert flags(data)[first_id] == TriageState(starred=True)
    assert second_id not in flags(data)
    found = library.get(second_id)
    assert found is not None and found.id == first_id


def test_a_paper_a_dump_drops_is_removed_not_carried_to_an_unrelated_one(
    tmp_path: Path,
) -> None:
    """Another paper replacing it in the dump (no shared title or abstract) takes no triage."""
    one, two = paper_records(2)
    cards = [replace(trending_with_abstract(r), arxiv_id=None) for r in (one, two)]
    data = tmp_path / "data"
    library = Library(data)
    index(library, trending_md=cards[:1])
    first_id = paper_id(one_line(one["title"]))
    triage(data, [first_id], "starred")
    report = index(library, trending_md=cards[1:])
    assert (report.new, report.updated, report.removed) == (1, 0, 1)
    second_id = paper_id(one_line(two["title"]))
    assert library.search(Filters()).ids == [second_id]
    assert second_id not in flags(data)
