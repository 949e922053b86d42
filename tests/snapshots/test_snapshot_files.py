"""Every snapshot file belongs to a snapshot test. A run without workers fails on a file no test
uses (syrupy's unused-snapshot check), but syrupy skips that check when the run is spread over
pytest-xdist workers, as `pytest` does by default: this test keeps it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
TESTS = HERE / "test_snapshots.py"
SNAPSHOTS = HERE / "__snapshots__" / TESTS.stem


def snapshot_name(nodeid: str) -> str:
    """The file name pytest-textual-snapshot (syrupy's single-file layout) gives a test's one
    snapshot: `…/test_snapshots.py::TestSizes::test_help[80x24]` ->
    `TestSizes.test_help[80x24].svg`."""
    return ".".join(nodeid.split("::")[1:]) + ".svg"


def snapshot_tests(session: pytest.Session) -> list[str]:
    """The node ids of test_snapshots.py's tests: from this run's collection when the file is
    in it (every worker collects every file), else collected in a pytest of its own."""
    ids = [item.nodeid for item in session.items if Path(item.path) == TESTS]
    if ids:
        return ids
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-n", "0", str(TESTS)],
        capture_output=True,
        text=True,
        cwd=HERE.parents[1],
        timeout=120,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return [line for line in proc.stdout.splitlines() if "::" in line]


def test_every_snapshot_file_has_its_test(request: pytest.FixtureRequest) -> None:
    expected = {snapshot_name(nodeid) for nodeid in snapshot_tests(request.session)}
    assert len(expected) >= 30  # the snapshot tests were found
    files = {path.name for path in SNAPSHOTS.iterdir()}
    assert files - expected == set(), "snapshot files no test uses (remove them)"


def test_the_snapshot_name_is_syrupys() -> None:
    """Checked against a file syrupy wrote for a parametrized test of a class."""
    name = snapshot_name("tests/snapshots/test_snapshots.py::TestSizes::test_help[80x24]")
    assert name == "TestSizes.test_help[80x24].svg"
    assert (SNAPSHOTS / name).is_file()
