"""The engine's boundary: Whoosh's internals are used in the `engine/whoosh_*.py` modules only
(whoosh_internals: reading; whoosh_capture_codec, whoosh_capture_writers, whoosh_segment_files,
whoosh_segment_writer: writing a segment; whoosh_procs: the multiprocess writer), against one
pinned version."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from paperbrowse.engine import whoosh_internals

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

REPO = Path(__file__).resolve().parents[2]
PACKAGE = REPO / "paperbrowse"
WHOOSH_MODULES = (  # engine/whoosh_<name>.py
    "internals",
    "capture_codec",
    "capture_writers",
    "segment_files",
    "segment_writer",
    "procs",
)


def test_the_installed_whoosh_is_the_one_the_engine_was_written_against() -> None:
    problem = whoosh_internals.whoosh_version_problem()
    assert problem is None, problem


def test_pyproject_pins_that_whoosh_version_exactly() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text("utf-8"))["project"]
    pins = [d for d in project["dependencies"] if d.lower().startswith("whoosh-reloaded")]
    assert pins == [f"whoosh-reloaded=={whoosh_internals.WHOOSH_VERSION}"], (
        f"pyproject.toml must pin whoosh-reloaded=={whoosh_internals.WHOOSH_VERSION} exactly "
        f"(the version engine/whoosh_internals.py was read against); it says {pins}"
    )


def test_the_version_check_names_what_is_wrong(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(whoosh_internals, "installed_whoosh_version", lambda: "2.7.4")
    problem = whoosh_internals.whoosh_version_problem()
    assert problem is not None
    assert "2.7.4 is installed" in problem and "whoosh-reloaded==2.7.5" in problem


def test_no_module_outside_whoosh_internals_reaches_into_private_attributes() -> None:
    # `._name` on anything but self/cls/super(): a private attribute of another object.
    reach = re.compile(r"(?<!self)(?<!cls)(?<!super\(\))\._[a-z][a-z0-9_]*\b")
    allowed = {PACKAGE / "engine" / f"whoosh_{name}.py" for name in WHOOSH_MODULES}
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path in allowed:
            continue
        for n, line in enumerate(path.read_text("utf-8").splitlines(), 1):
            code = line.split("#", 1)[0]
            for match in reach.finditer(code):
                if match.group(0) in ("._replace", "._asdict", "._fields", "._exit"):
                    continue  # namedtuple's and os's public API
                found.append(f"{path.relative_to(REPO)}:{n}: {line.strip()}")
    assert not found, "private reaches outside engine/whoosh_*.py:\n" + "\n".join(found)


def test_the_whoosh_modules_are_the_ones_named() -> None:
    # A new engine/whoosh_*.py module is one more place that reads Whoosh's internals: name it.
    found = {p.stem.removeprefix("whoosh_") for p in (PACKAGE / "engine").glob("whoosh_*.py")}
    assert found == set(WHOOSH_MODULES)
