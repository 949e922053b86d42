"""`paperbrowse similar`, `search --sort for-you` and `new`, run as real subprocesses. Expected
orders come from the recommend core called directly on the library's stored records, never from
the command's own output."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import numpy as np
import pytest
from markdown_it import MarkdownIt

from paperbrowse.library import Library
from paperbrowse.recommend.features import FeatureSpace
from paperbrowse.recommend.foryou import ForYouModel, Labels, train
from paperbrowse.recommend.similar import similar
from paperbrowse.triage import TriageStore
from tests.conftest import SAMPLE_FILES
from tests.functional.test_cli import assert_one_line_error, run


def oracle(data_dir: Path) -> tuple[Library, FeatureSpace]:
    library = Library(data_dir)
    docs = library.catalog.live_array
    return library, FeatureSpace.build([library.paper_at(int(d)) for d in docs])


def test_similar_prints_the_nearest_papers_with_the_shared_terms(library_copy: Path) -> None:
    library, space = oracle(library_copy)
    pid = space.ids[5]
    expected = similar(space, [5], limit=7)
    library.close()
    proc = run(library_copy, "similar", pid, "--limit", "7")
    assert proc.returncode == 0, proc.stderr
    rows = [line.split("\t") for line in proc.stdout.splitlines()]
    assert [r[0] for r in rows] == [n.id for n in expected]
    for row, n in zip(rows, expected, strict=True):
        assert float(row[1]) == pytest.approx(n.score, abs=5e-4)
        assert row[3] == ", ".join(n.shared)
    # The features were saved beside the index; a second run loads them.
    proc = run(library_copy, "similar", pid[:8], "--limit", "7", "--format", "jsonl")
    assert [json.loads(line)["id"] for line in proc.stdout.splitlines()] == [n.id for n in expected]


def test_similar_writes_the_citation_formats_and_links_as_search_does(
    library_copy: Path,
) -> None:
    from paperbrowse.discovery_commands import SIMILAR_FORMATS
    from paperbrowse.output import FORMATS

    assert set(SIMILAR_FORMATS) == {"why", *FORMATS}
    library, space = oracle(library_copy)
    pid = space.ids[5]
    expected = similar(space, [5], limit=4)
    papers = [library.get(n.id) for n in expected]
    library.close()
    titles = [" ".join(p.title.split()) for p in papers if p is not None]
    assert len(titles) == 4
    csl = run(library_copy, "similar", pid, "--limit", "4", "--format", "csljson")
    assert csl.returncode == 0, csl.stderr
    assert [" ".join(e["title"].split()) for e in json.loads(csl.stdout)] == titles
    ris = run(library_copy, "similar", pid, "--limit", "4", "--format", "ris")
    assert ris.returncode == 0, ris.stderr
    assert [line[6:] for line in ris.stdout.splitlines() if line.startswith("TI  - ")] == titles
    links = run(library_copy, "similar", pid, "--limit", "4", "--format", "links")
    assert links.returncode == 0, links.stderr
    lines = links.stdout.splitlines()
    assert lines and all(line.startswith(("https://", "http://")) for line in lines)


def test_similar_takes_the_citation_key_template_as_search_does(
    library_copy: Path,
) -> None:
    import bibtexparser

    library, space = oracle(library_copy)
    pid = space.ids[5]
    expected = [library.get(n.id) for n in similar(space, [5], limit=3)]
    library.close()
    years = [str(p.published.year) if p and p.published else "" for p in expected]  # none: empty
    proc = run(
        library_copy, "similar", pid, "--limit", "3", "--format", "bibtex", "--key", "pb{year}"
    )
    assert proc.returncode == 0, proc.stderr
    keys = [e.key for e in bibtexparser.parse_string(proc.stdout).entries]
    # One key per paper, from the template; a repeated key gets a letter (citekeys.py).
    assert [k[: len(f"pb{y}")] for k, y in zip(keys, years, strict=True)] == [
        f"pb{y}" for y in years
    ]
    bad = run(library_copy, "similar", pid, "--format", "bibtex", "--key", "{surname}")
    message = assert_one_line_error(bad, 2)
    assert "bad --key template '{surname}'" in message and bad.stdout == ""


def test_similar_of_several_ids_is_like_them_together(library_copy: Path) -> None:
    library, space = oracle(library_copy)
    expected = similar(space, [1, 2, 3], limit=5)
    ids = [space.ids[r] for r in (1, 2, 3)]
    library.close()
    proc = run(library_copy, "similar", *ids, "--limit", "5", "--format", "titles")
    assert proc.returncode == 0, proc.stderr
    library = Library(library_copy)
    titles = [" ".join(library.get(n.id).title.split()) for n in expected]  # type: ignore[union-attr]
    library.close()
    assert proc.stdout.splitlines() == titles


def test_similar_of_an_unknown_id_is_one_line_and_exit_1(library_copy: Path) -> None:
    line = assert_one_line_error(run(library_copy, "similar", "ffffffffffff"), 1)
    assert "ffffffffffff" in line


def test_search_sort_for_you_orders_as_the_model_trained_on_the_stars(library_copy: Path) -> None:
    library, space = oracle(library_copy)
    stars = [space.ids[0], *(n.id for n in similar(space, [0], limit=5))]
    hidden = [space.ids[-1]]
    triage = TriageStore(library_copy / "state.db")
    triage.set(stars, "starred", True)
    triage.set(hidden, "hidden", True)
    triage.close()
    model = train(space, Labels.from_triage(stars, [], hidden))
    assert isinstance(model, ForYouModel)
    # `--state inbox` without the stars (the browser's For-you set), the model's order out.
    candidates = [
        d for d in library.catalog.date_order if library.catalog.ids[d] not in {*hidden, *stars}
    ]
    rows = np.searchsorted(library.catalog.live_array, np.array(candidates))
    expected = [space.ids[int(r)] for r in model.order(space, rows)]
    library.close()
    proc = run(library_copy, "search", "--sort", "for-you", "--state", "inbox", "--format", "jsonl")
    assert proc.returncode == 0, proc.stderr
    assert [json.loads(line)["id"] for line in proc.stdout.splitlines()] == expected


def test_search_sort_for_you_with_too_few_stars_says_so_and_sorts_newest_first(
    library_copy: Path,
) -> None:
    expected = run(library_copy, "search", "--format", "tsv").stdout  # newest first
    proc = run(library_copy, "search", "--sort", "for-you", "--format", "tsv")
    assert proc.returncode == 0
    assert proc.stdout == expected
    assert proc.stderr == ""  # not a terminal (cron mails stderr): no nag in every mail


def test_too_few_stars_is_said_on_a_terminal(library_copy: Path) -> None:
    from tests.functional.test_for_tag_cli import stderr_on_a_terminal

    code, _out, said = stderr_on_a_terminal(
        library_copy, "search", "--sort", "for-you", "--format", "tsv"
    )
    assert code == 0
    assert b"5 more stars needed" in said


def test_similar_limit_0_means_all_as_search_does(library_copy: Path) -> None:
    library, space = oracle(library_copy)
    first = space.ids[0]
    expected = [n.id for n in similar(space, [0], limit=len(space.ids))]
    library.close()
    assert len(expected) > 20
    proc = run(library_copy, "similar", first, "--limit", "0", "--format", "jsonl")
    assert proc.returncode == 0, proc.stderr
    assert [json.loads(x)["id"] for x in proc.stdout.splitlines()] == expected


def test_new_leaves_out_hidden_papers(library_copy: Path) -> None:
    library = Library(library_copy)
    ids = [library.catalog.ids[d] for d in library.catalog.live]
    library.close()
    hidden = ids[:3]
    triage = TriageStore(library_copy / "state.db")
    triage.set(hidden, "hidden", True)
    triage.close()
    proc = run(library_copy, "new", "--since", "1d", "--format", "jsonl")
    assert proc.returncode == 0, proc.stderr
    assert {json.loads(x)["id"] for x in proc.stdout.splitlines()} == set(ids) - set(hidden)


def _index(data_dir: Path, path: Path) -> None:
    proc = run(data_dir, "index", str(path))
    assert proc.returncode == 0, proc.stderr


def test_new_lists_what_arrived_since_the_last_look_as_a_markdown_digest(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    _index(data_dir, SAMPLE_FILES[0])
    library = Library(data_dir)
    before = {library.catalog.ids[d] for d in library.catalog.live}
    library.close()
    proc = run(data_dir, "new", "--format", "titles")  # the first digest: a look recorded
    assert proc.returncode == 0, proc.stderr
    time.sleep(1.1)  # the manifest's times are in seconds
    _index(data_dir, SAMPLE_FILES[1])
    library = Library(data_dir)
    catalog = library.catalog
    arrived = {catalog.ids[d] for d in catalog.live} - before
    by_date: dict[str, set[str]] = {}
    for d in catalog.live:
        if catalog.ids[d] in arrived:
            paper = library.paper_at(d)
            by_date.setdefault(paper.published.isoformat() if paper.published else "undated", set())
            by_date[paper.published.isoformat() if paper.published else "undated"].add(paper.id)
    library.close()
    assert arrived

    proc = run(data_dir, "new", "--format", "md")
    assert proc.returncode == 0, proc.stderr
    tokens = MarkdownIt().parse(proc.stdout)
    headings = [tokens[i + 1].content for i, t in enumerate(tokens) if t.type == "heading_open"]
    assert headings[0].startswith(f"{len(arrived)} new papers since you last looked")
    sections = [h.split(" (")[0] for h in headings[1:]]
    dated = [s for s in sections if s != "undated"]
    assert dated == sorted(dated, reverse=True)  # newest page date first, undated last
    assert set(sections) == set(by_date)
    for heading in headings[1:]:
        day, count = heading[:-1].split(" (")
        assert int(count) == len(by_date[day])
    links = [
        t for t in tokens if t.type == "inline" and t.children and t.children[0].type == "link_open"
    ]
    assert len(links) == len(arrived)

    # That digest was a look: nothing new now.
    line = assert_one_line_error(run(data_dir, "new"), 1)
    assert "no new papers since you last looked" in line
    # --since overrides, and is not a look.
    proc = run(data_dir, "new", "--since", "1d", "--format", "jsonl")
    assert proc.returncode == 0
    assert {json.loads(x)["id"] for x in proc.stdout.splitlines()} == {
        *arrived,
        *before,
    }
    assert run(data_dir, "new").returncode == 1


def test_new_with_a_bad_since_is_a_usage_error(library_copy: Path) -> None:
    line = assert_one_line_error(run(library_copy, "new", "--since", "yesterday"), 2)
    assert "yesterday" in line


def test_the_digest_follows_for_you_within_a_date(tmp_path: Path, library_copy: Path) -> None:
    library, space = oracle(library_copy)
    stars = [space.ids[0], *(n.id for n in similar(space, [0], limit=5))]
    model = train(space, Labels.from_triage(stars, [], []))
    assert isinstance(model, ForYouModel)
    undated = [d for d in library.catalog.date_order if library.catalog.dates[d] == 0]
    rows = np.searchsorted(library.catalog.live_array, np.array(undated))
    expected = [space.ids[int(r)] for r in model.order(space, rows)]
    library.close()
    triage = TriageStore(library_copy / "state.db")
    triage.set(stars, "starred", True)
    triage.close()
    shutil.rmtree(library_copy / "looked.json", ignore_errors=True)
    proc = run(library_copy, "new", "--since", "1d", "--format", "text")
    assert proc.returncode == 0, proc.stderr
    block = proc.stdout.split("\nundated  (")[1].splitlines()[1:]
    ids = [line.split()[0] for line in block if not line.startswith("    ")]
    assert ids == expected


def test_a_re_saved_page_brings_as_new_only_the_papers_not_in_the_library_before(
    tmp_path: Path,
) -> None:
    from paperbrowse.arrivals import record_look

    data_dir = tmp_path / "data"
    page = tmp_path / "trending.txt"
    shutil.copyfile(SAMPLE_FILES[0], page)
    _index(data_dir, page)
    library = Library(data_dir)
    before = {library.catalog.ids[d] for d in library.catalog.live}
    library.close()
    time.sleep(1.1)  # the manifest's times are in seconds
    record_look(data_dir, "inbox")  # the browser was opened; no digest ran since the index
    time.sleep(1.1)
    shutil.copyfile(SAMPLE_FILES[1], page)  # the same page saved again later: old and new papers
    _index(data_dir, page)
    library = Library(data_dir)
    now = {library.catalog.ids[d] for d in library.catalog.live}
    library.close()
    assert now & before, "the two sample dumps should share papers"
    proc = run(data_dir, "new", "--format", "jsonl")
    assert proc.returncode == 0, proc.stderr
    assert {json.loads(x)["id"] for x in proc.stdout.splitlines()} == now - before


def test_papers_indexed_again_under_new_titles_are_updated_not_new(tmp_path: Path) -> None:
    from paperbrowse.arrivals import record_look
    from paperbrowse.pages import parse_file

    data_dir = tmp_path / "data"
    _index(data_dir, SAMPLE_FILES[0])
    assert run(data_dir, "new", "--peek").returncode == 0  # arrivals.json records the papers
    text = SAMPLE_FILES[0].read_text("utf-8")
    lines = text.splitlines()
    titles = [p.title for p in parse_file(SAMPLE_FILES[0]).papers if lines.count(p.title) == 1]
    assert len(titles) >= 3
    assert lines.count("Jun 6") == 1  # the page's date: saved again 3 days later, re-titled
    later = {"Jun 6": "Jun 9", **{x: f"Revisited {x}" for x in titles[:3]}}
    retitled = "\n".join(later.get(x, x) for x in lines) + "\n"
    page = tmp_path / "retitled.txt"
    page.write_text(retitled, "utf-8")
    time.sleep(1.1)  # the manifest's times are in seconds
    record_look(data_dir, "inbox")
    time.sleep(1.1)
    proc = run(data_dir, "index", str(page))
    assert proc.returncode == 0, proc.stderr
    assert ": 0 new, " in proc.stderr  # the same abstracts: papers known before, updated
    library = Library(data_dir)
    ids = {library.catalog.ids[d]: library.paper_at(d).title for d in library.catalog.live}
    library.close()
    assert sum(t.startswith("Revisited ") for t in ids.values()) == 3  # renamed, re-identified
    line = assert_one_line_error(run(data_dir, "new", "--format", "jsonl"), 1)
    assert "no new papers since you last looked" in line


def test_search_sort_for_you_keeps_the_starred_papers_only_under_state_starred(
    library_copy: Path,
) -> None:
    library = Library(library_copy)
    newest = [library.catalog.ids[d] for d in library.catalog.date_order]
    library.close()
    stars = newest[:2]
    triage = TriageStore(library_copy / "state.db")
    triage.set(stars, "starred", True)
    triage.close()
    proc = run(library_copy, "search", "--sort", "for-you", "--state", "inbox", "--format", "jsonl")
    assert [json.loads(x)["id"] for x in proc.stdout.splitlines()] == newest[2:]
    proc = run(
        library_copy, "search", "--sort", "for-you", "--state", "starred", "--format", "jsonl"
    )
    assert sorted(json.loads(x)["id"] for x in proc.stdout.splitlines()) == sorted(stars)


def test_a_digest_nobody_read_to_the_end_is_not_a_look(library_copy: Path) -> None:
    import os
    import subprocess
    import sys

    from paperbrowse.arrivals import last_looked, record_look
    from tests.functional.test_cli import REPO, clean_env

    record_look(library_copy, "inbox", 0.0)  # every paper is new
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before the digest is written (`| head` done)
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "paperbrowse", "--data-dir", str(library_copy), "new"],
            stdin=subprocess.DEVNULL,
            stdout=write_end,
            stderr=subprocess.PIPE,
            env=clean_env(),
            cwd=REPO,
            timeout=120,
        )
    finally:
        os.close(write_end)
    assert b"Traceback" not in proc.stderr
    assert last_looked(library_copy) == 0.0  # the digest was lost: still new next time
    proc2 = run(library_copy, "new", "--format", "titles")
    assert proc2.returncode == 0 and proc2.stdout  # the papers are still there to read
    assert last_looked(library_copy) != 0.0  # this one was read to the end: a look
