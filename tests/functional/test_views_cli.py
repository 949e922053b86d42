"""`paperbrowse views`, `views add`, `views rm` and `search --view`, as real processes on the
sample library. Expected counts come from the sample dumps parsed directly."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from paperbrowse.models import Paper, merge
from paperbrowse.pages import parse_file
from paperbrowse.tags import edit_tags
from paperbrowse.triage import TriageStore

REPO = Path(__file__).resolve().parents[2]
SAMPLE_DIR = REPO / "paperbrowse" / "sample"


def sample() -> dict[str, Paper]:
    found: dict[str, Paper] = {}
    for path in sorted(SAMPLE_DIR.glob("*.txt")):
        for paper in parse_file(path).papers:
            found[paper.id] = merge(found[paper.id], paper) if paper.id in found else paper
    return found


@pytest.fixture
def env(sample_library_dir: Path, tmp_path: Path) -> dict[str, str]:
    data = tmp_path / "data"
    shutil.copytree(sample_library_dir, data)
    return {
        **os.environ,
        "PAPERBROWSE_DATA_DIR": str(data),
        "PAPERBROWSE_CONFIG_DIR": str(tmp_path / "config"),
    }


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "paperbrowse", *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        env=env,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )


def ids(proc: subprocess.CompletedProcess[str]) -> list[str]:
    return [json.loads(line)["id"] for line in proc.stdout.splitlines()]


def test_add_list_search_and_remove(env: dict[str, str]) -> None:
    papers = sample()
    since_2024 = {p.id for p in papers.values() if p.published and p.published >= date(2024, 1, 1)}
    assert 0 < len(since_2024) < len(papers)

    add = run(env, "views", "add", "recent", "--since", "2024", "--sort", "date")
    assert add.returncode == 0, add.stderr
    assert add.stderr.startswith("view 'recent' saved in ")
    starred = sorted(papers)[:3]
    store = TriageStore(Path(env["PAPERBROWSE_DATA_DIR"]) / "state.db")
    store.set(starred, "starred", True)
    store.close()
    assert run(env, "views", "add", "picks", "--state", "starred").returncode == 0

    listing = run(env, "views")
    assert listing.returncode == 0, listing.stderr
    width = len(str(len(since_2024)))  # the counts are right-aligned
    assert listing.stdout.splitlines() == [
        f"5  recent  {len(since_2024):>{width}}  every paper, 2024 to …, all, by date",
        f"6  picks   {3:>{width}}  every paper, starred",
    ]
    found = run(env, "search", "--view", "recent", "--format", "jsonl")
    assert found.returncode == 0, found.stderr
    assert set(ids(found)) == since_2024
    dates = [json.loads(line)["published"] for line in found.stdout.splitlines()]
    assert dates == sorted(dates, reverse=True)  # the view's sort
    assert sorted(ids(run(env, "search", "--view", "PICKS", "--format", "jsonl"))) == starred

    removed = run(env, "views", "rm", "picks")
    assert removed.returncode == 0 and "view 'picks' deleted" in removed.stderr
    assert [line.split()[1] for line in run(env, "views").stdout.splitlines()] == ["recent"]


def test_options_beside_a_view_override_it(env: dict[str, str]) -> None:
    papers = sample()
    assert (
        run(env, "views", "add", "recent", "--since", "2024", "--state", "starred").returncode == 0
    )
    # The view's state (starred, nothing starred) gives nothing; --state all overrides it.
    assert run(env, "search", "--view", "recent").returncode == 1
    wide = run(env, "search", "--view", "recent", "--state", "all", "--since", "2025-01-01",
               "--format", "jsonl")  # fmt: skip
    assert wide.returncode == 0, wide.stderr
    expected = {p.id for p in papers.values() if p.published and p.published >= date(2025, 1, 1)}
    assert set(ids(wide)) == expected
    # A query beside the view replaces the view's (empty) query.
    pose = run(env, "search", "--view", "recent", "--state", "all", "--since", "2000",
               "title:pose", "--format", "jsonl")  # fmt: skip
    assert {json.loads(line)["title"] for line in pose.stdout.splitlines()} == {
        p.title for p in papers.values() if "pose" in p.title.lower().split()
    }


def test_bad_views_are_refused_or_skipped_in_one_line(env: dict[str, str]) -> None:
    bad = run(env, "views", "add", "x", "title:(")
    assert bad.returncode == 2
    assert bad.stderr.splitlines() == [
        "paperbrowse: view 'x': invalid query 'title:(': unclosed '('"
    ]
    assert run(env, "views", "add", "x", "--since", "soon").returncode == 2
    assert run(env, "views", "add", "", "x").returncode == 2
    config = Path(env["PAPERBROWSE_CONFIG_DIR"]) / "config.toml"
    assert not config.exists()  # nothing was written

    config.parent.mkdir(parents=True)
    config.write_text('[views.ok]\nstate = "all"\n\n[views.bad]\nsort = 3\n', "utf-8")
    listing = run(env, "views")
    assert listing.returncode == 0
    assert [line.split()[1] for line in listing.stdout.splitlines()] == ["ok"]
    assert listing.stderr.splitlines() == [
        f"paperbrowse: settings in {config}: view 'bad': sort should be text, not 3; skipped"
    ]
    search = run(env, "search", "--view", "bad")
    assert search.returncode == 2
    assert search.stderr.splitlines() == [
        "paperbrowse: view 'bad': sort should be text, not 3; skipped"
    ]
    unknown = run(env, "search", "--view", "nope")
    assert unknown.returncode == 2
    assert unknown.stderr.splitlines() == ["paperbrowse: no saved view 'nope' (views: 'ok')"]
    assert run(env, "views", "rm", "nope").returncode == 1


def test_an_unreadable_settings_file_is_never_written_over(env: dict[str, str]) -> None:
    config = Path(env["PAPERBROWSE_CONFIG_DIR"]) / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text("[views\nbroken", "utf-8")
    proc = run(env, "views", "add", "x", "pose")
    assert proc.returncode == 1 and len(proc.stderr.splitlines()) == 1
    assert "cannot read the settings" in proc.stderr
    assert config.read_text("utf-8") == "[views\nbroken"


def test_hand_edited_views_alike_in_case_or_refused_are_named_when_they_load(
    env: dict[str, str],
) -> None:
    config = Path(env["PAPERBROWSE_CONFIG_DIR"]) / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text(
        '[views.notes]\nquery = "pose"\n\n[views.Notes]\nquery = "video"\n\n'
        '[views.either]\nquery = "tag:a OR tag:b"\n\n[views.grouped]\nquery = "(tag:a pose)"\n',
        "utf-8",
    )
    listing = run(env, "views")
    assert listing.returncode == 0, listing.stderr
    assert [line.split()[1] for line in listing.stdout.splitlines()] == ["notes", "grouped"]
    problems = listing.stderr.splitlines()
    assert len(problems) == 2, problems
    assert problems[0] == (
        f"paperbrowse: settings in {config}: view 'Notes' has the name of view 'notes' "
        "(names are case-insensitive); skipped"
    )
    assert problems[1].startswith(
        f"paperbrowse: settings in {config}: view 'either': invalid query 'tag:a OR tag:b': "
    )
    assert "not inside OR" in problems[1] and problems[1].endswith("; skipped")
    # `search --view` says the same, in one line; the first `notes` is the one reached.
    either = run(env, "search", "--view", "either")
    assert either.returncode == 2 and "not inside OR" in either.stderr
    assert ids(run(env, "search", "--view", "NOTES", "--format", "jsonl")) == ids(
        run(env, "search", "pose", "--format", "jsonl")
    )
    refused = run(env, "views", "add", "x", "tag:a OR pose")
    assert refused.returncode == 2 and "not inside OR" in refused.stderr


def test_view_counts_leave_out_the_ranking_positives_as_the_listed_views_do(
    env: dict[str, str],
) -> None:
    papers = sorted(sample())
    store = TriageStore(Path(env["PAPERBROWSE_DATA_DIR"]) / "state.db")
    store.set(papers[:3], "starred", True)
    edit_tags(store, papers[3:5], ["robo"], [])
    store.close()
    assert run(env, "views", "add", "fy", "--sort", "for-you").returncode == 0
    assert run(env, "views", "add", "robo", "for:robo").returncode == 0
    listing = run(env, "views")
    assert listing.returncode == 0, listing.stderr
    counts = {line.split()[1]: int(line.split()[2]) for line in listing.stdout.splitlines()}
    # For you leaves out the 3 starred papers; for:robo the 2 tagged robo.
    assert counts == {"fy": len(papers) - 3, "robo": len(papers) - 2}
    for name, count in counts.items():
        listed = run(env, "search", "--view", name, "--limit", "0", "--format", "jsonl")
        assert len(ids(listed)) == count


def test_a_view_ranked_for_a_tag_no_paper_carries_is_refused_and_named(
    env: dict[str, str],
) -> None:
    refused = run(env, "views", "add", "fybad", "for:nosuch")
    assert refused.returncode == 2
    assert refused.stderr.splitlines() == [
        "paperbrowse: view 'fybad': for:nosuch: no paper is tagged 'nosuch', and there are no "
        "tags yet (`tag ID +nosuch`)"
    ]
    config = Path(env["PAPERBROWSE_CONFIG_DIR"]) / "config.toml"
    assert not config.exists()
    config.parent.mkdir(parents=True)
    config.write_text('[views.ok]\nstate = "all"\n\n[views.fybad]\nquery = "for:nosuch"\n', "utf-8")
    listing = run(env, "views")
    assert listing.returncode == 0
    assert listing.stdout.splitlines()[1].split()[1:3] == ["fybad", "-"]
    assert listing.stderr.splitlines() == [
        "paperbrowse: view 'fybad': for:nosuch: no paper is tagged 'nosuch', and there are no "
        "tags yet (`tag ID +nosuch`)"
    ]
    assert run(env, "search", "--view", "fybad").returncode == 2
