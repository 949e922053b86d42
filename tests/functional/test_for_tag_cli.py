"""`search 'for:TAG'` and saved views in For-you order, run as real subprocesses. Expected orders
come from the recommend core called directly on the library's stored records, never from the
command's own output."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from pathlib import Path

import numpy as np

from paperbrowse.recommend.foryou import ForYouModel, Labels, train
from paperbrowse.recommend.similar import similar
from paperbrowse.tags import edit_tags
from paperbrowse.triage import TriageStore
from tests.functional.test_cli import REPO, assert_one_line_error, clean_env, run
from tests.functional.test_discovery_cli import oracle


def tag(data_dir: Path, ids: list[str], name: str) -> None:
    triage = TriageStore(data_dir / "state.db")
    edit_tags(triage, ids, [name], [])
    triage.close()


def tagged_topic(data_dir: Path, name: str, n: int = 6) -> tuple[list[str], list[str]]:
    """Tag the library's first paper and the n-1 papers most like it with `name`; (the tagged
    ids, the expected `search 'for:NAME'` order: every other paper in the model's order)."""
    library, space = oracle(data_dir)
    ids = [space.ids[0], *(s.id for s in similar(space, [0], limit=n - 1))]
    model = train(space, Labels.from_triage([], [], [], tag=name, tagged=ids))
    assert isinstance(model, ForYouModel)
    candidates = [d for d in library.catalog.date_order if library.catalog.ids[d] not in ids]
    rows = np.searchsorted(library.catalog.live_array, np.array(candidates))
    expected = [space.ids[int(r)] for r in model.order(space, rows)]
    library.close()
    tag(data_dir, ids, name)
    return ids, expected


def test_search_for_tag_orders_as_the_model_trained_on_the_tagged_papers(
    library_copy: Path,
) -> None:
    ids, expected = tagged_topic(library_copy, "mytopic")
    proc = run(library_copy, "search", "for:MyTopic", "--format", "jsonl")
    assert proc.returncode == 0, proc.stderr
    shown = [json.loads(line)["id"] for line in proc.stdout.splitlines()]
    assert shown == expected
    assert not set(shown) & set(ids)
    # Stars play no part in a tag's ranking; `--sort for-you` with for: is the same order,
    # but, as the For-you view, without the starred papers.
    triage = TriageStore(library_copy / "state.db")
    triage.set(expected[-5:], "starred", True)
    triage.close()
    proc = run(library_copy, "search", "for:mytopic", "--format", "jsonl")
    assert [json.loads(line)["id"] for line in proc.stdout.splitlines()] == expected
    proc = run(library_copy, "search", "for:mytopic", "--sort", "for-you", "--format", "jsonl")
    assert [json.loads(line)["id"] for line in proc.stdout.splitlines()] == expected[:-5]


def test_search_for_an_unknown_tag_is_one_line_and_exit_2(library_copy: Path) -> None:
    tag(library_copy, [oracle(library_copy)[1].ids[0]], "robots")
    line = assert_one_line_error(run(library_copy, "search", "for:nosuchtag"), 2)
    assert "no paper is tagged 'nosuchtag'" in line and "robots" in line


def test_search_for_a_bad_for_clause_is_one_line_and_exit_2(library_copy: Path) -> None:
    line = assert_one_line_error(run(library_copy, "search", "pose OR for:x"), 2)
    assert "for:" in line
    line = assert_one_line_error(run(library_copy, "search", "title:for:x"), 2)
    assert "'title:for:x'" in line and "not a value of title:" in line


def stderr_on_a_terminal(data_dir: Path, *args: str) -> tuple[int, str, bytes]:
    """(exit status, stdout, stderr) of `paperbrowse ARGS` whose stderr is a terminal."""
    master, slave = pty.openpty()
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "paperbrowse", "--data-dir", str(data_dir), *args],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=slave,
            env=clean_env(),
            cwd=REPO,
            timeout=120,
            text=True,
        )
        os.close(slave)
        said = b""
        while True:
            try:
                chunk = os.read(master, 4096)
            except OSError:
                break
            if not chunk:
                break
            said += chunk
    finally:
        os.close(master)
    return proc.returncode, proc.stdout, said


def test_search_for_a_tag_with_too_few_papers_says_so_and_lists_newest_first(
    library_copy: Path,
) -> None:
    newest = [
        json.loads(x)["id"]
        for x in run(library_copy, "search", "--format", "jsonl").stdout.splitlines()
    ]
    tag(library_copy, newest[:2], "pair")
    code, out, said = stderr_on_a_terminal(library_copy, "search", "for:pair", "--format", "jsonl")
    assert code == 0
    assert [json.loads(line)["id"] for line in out.splitlines()] == newest[2:]
    assert b"3 more papers needed (2 of 5)" in said and b"tagged pair" in said
    assert b"newest first" in said


def test_a_view_saved_with_sort_for_you_lists_in_for_you_order(library_copy: Path) -> None:
    proc = run(library_copy, "views", "add", "mine", "--state", "inbox", "--sort", "for-you")
    assert proc.returncode == 0, proc.stderr
    library, space = oracle(library_copy)
    stars = [space.ids[0], *(s.id for s in similar(space, [0], limit=5))]
    model = train(space, Labels.from_triage(stars, [], []))
    assert isinstance(model, ForYouModel)
    candidates = [d for d in library.catalog.date_order if library.catalog.ids[d] not in stars]
    rows = np.searchsorted(library.catalog.live_array, np.array(candidates))
    expected = [space.ids[int(r)] for r in model.order(space, rows)]
    library.close()
    triage = TriageStore(library_copy / "state.db")
    triage.set(stars, "starred", True)
    triage.close()
    proc = run(library_copy, "search", "--view", "mine", "--format", "jsonl")
    assert proc.returncode == 0, proc.stderr
    assert [json.loads(line)["id"] for line in proc.stdout.splitlines()] == expected
    listed = run(library_copy, "views")
    assert "for-you" in listed.stdout


def test_new_peek_shows_the_digest_without_recording_a_look(library_copy: Path) -> None:
    from paperbrowse.arrivals import LOOKED, last_looked, record_look

    (library_copy / LOOKED).unlink(missing_ok=True)  # no other view's look
    record_look(library_copy, "inbox", 0.0)  # every paper arrived since
    peek = run(library_copy, "new", "--peek", "--format", "titles")
    assert peek.returncode == 0 and peek.stdout
    assert last_looked(library_copy) == 0.0  # a peek is not a look
    again = run(library_copy, "new", "--format", "titles")
    assert again.stdout == peek.stdout  # the same digest, then recorded
    assert last_looked(library_copy) != 0.0
    assert run(library_copy, "new", "--peek").returncode == 1  # nothing new since that look
