"""Build tests/fixtures/library-v7.tar.gz: a library written by the last release before schema 8.

    python scripts/make_v7_library.py

The library is written by paperbrowse as of commit c578505 (schema 7, the last release), taken
from this repository's history with `git archive` and imported from a temporary directory in a
separate process, so none of today's code touches it. It indexes one dump, the first 14 cards of
the bundled sample `004_a175915e9b0ee300.txt` (a real select-all copy of a Daily Papers page),
and triage is set with that version's TriageStore. The archive holds:

    data/          the data dir (library.json, index-1/, state.db, write.lock)
    dumps/daily-excerpt.txt
    triage.json    {title: {"read": .., "starred": .., "hidden": ..}} as set on the old ids

The manifest records the dump's absolute path at build time; tests/functional/test_migration.py
points it at the extracted copy, as if the user's dump lived there all along.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
COMMIT = "c578505"
SAMPLE = "paperbrowse/sample/004_a175915e9b0ee300.txt"
CARDS = 14
OUTPUT = REPO / "tests" / "fixtures" / "library-v7.tar.gz"
# Titles of the excerpt and the triage to set on them.
TRIAGE = {
    "Seedance 1.0: Exploring the Boundaries of Video Generation Models": ["starred"],
    "Lite Pose: Efficient Architecture Design for 2D Human Pose Estimation": ["read"],
    "ProxylessNAS: Direct Neural Architecture Search on Target Task and Hardware": ["hidden"],
    "EfficientTDNN: Efficient Architecture Search for Speaker Recognition": ["starred", "read"],
}

BUILD = r"""
import json, sys
from pathlib import Path
import paperbrowse
assert paperbrowse.__file__.startswith(sys.argv[1]), paperbrowse.__file__
from paperbrowse.indexer import collect_sources
from paperbrowse.library import Library, SCHEMA_VERSION
from paperbrowse.models import Filters
from paperbrowse.triage import TriageStore
assert SCHEMA_VERSION == 7, SCHEMA_VERSION
data, dump, triage = Path(sys.argv[2]), sys.argv[3], json.loads(sys.argv[4])
library = Library(data)
sources, problems = collect_sources([dump])
assert not problems
report = library.index(sources)
assert not report.failures, report.failures
ids = {library.paper_at(d).title: library.catalog.ids[d] for d in library.catalog.live}
store = TriageStore(data / "state.db")
for title, flags in triage.items():
    for flag in flags:
        store.set([ids[title]], flag, True)
store.close()
library.close()
print(json.dumps({"papers": len(ids)}))
"""


def excerpt() -> str:
    """The sample's page header and its first CARDS cards, as that commit has them."""
    text = subprocess.run(
        ["git", "show", f"{COMMIT}:{SAMPLE}"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    lines = text.split("\n")
    cards = 0
    for n, line in enumerate(lines):
        if line.strip() == "·":  # the line before each card's date line
            cards += 1
            if cards == CARDS:
                return "\n".join(lines[: n + 2]) + "\n"
    raise SystemExit(f"{SAMPLE} has fewer than {CARDS} cards")


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        old = work / "old"
        old.mkdir()
        archive = subprocess.run(
            ["git", "archive", "--format=tar", COMMIT, "paperbrowse"],
            cwd=REPO,
            capture_output=True,
            check=True,
        ).stdout
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(old, filter="data")
        fixture = work / "fixture"
        dump = fixture / "dumps" / "daily-excerpt.txt"
        dump.parent.mkdir(parents=True)
        dump.write_text(excerpt(), encoding="utf-8")
        os.utime(dump, (1763000000, 1763000000))  # 2025-11-13, the page's own date
        data = fixture / "data"
        env = {**os.environ, "PYTHONPATH": str(old)}
        built = subprocess.run(
            [sys.executable, "-c", BUILD, str(old), str(data), str(dump), json.dumps(TRIAGE)],
            env=env,
            capture_output=True,
            text=True,
            cwd=work,
        )
        if built.returncode:
            raise SystemExit(built.stderr)
        (fixture / "triage.json").write_text(json.dumps(TRIAGE, indent=1) + "\n", "utf-8")
        OUTPUT.parent.mkdir(parents=True, exist_ok=True)
        with tarfile.open(OUTPUT, "w:gz") as tar:
            for name in ("data", "dumps", "triage.json"):
                tar.add(fixture / name, arcname=name)
        print(f"{OUTPUT.relative_to(REPO)}: {json.loads(built.stdout)['papers']} papers")


if __name__ == "__main__":
    main()
