"""When papers arrived in the library, and when you last looked: what `paperbrowse new` and the
browser's opening notice count.

Two small files in the data dir (never the settings file; private, replaced atomically):

- `looked.json`: `{"views": {"inbox": 1764547200.0, ...}}`, seconds since the epoch (UTC) at
  which each browser view was last opened (and `"new"`: the last digest printed without
  `--since`). "Since you last looked" is the latest of them.
- `arrivals.json`: `{"ids": {"<paper id>": seconds}}`, when each paper arrived. A paper first
  met here gets the time its dumps were indexed (the manifest's `indexed`, one per dump): the
  latest of them, since the dump that brought it was the last one indexed; on the very first
  run (no file yet) the earliest, since every paper was already there. A paper keeps its time
  when a re-saved dump is indexed again, which a dump's own time cannot tell. `index` reads the
  papers already there before it adds any (`arrivals_before_run`) and records them once the run
  has committed (`save_arrivals`), so a run's arrivals are exactly the ids it added.
"""

from __future__ import annotations

import calendar
import contextlib
import json
import time
from pathlib import Path
from typing import Any

import numpy as np
from whoosh import query

from paperbrowse.library import Library
from paperbrowse.paths import MANIFEST, atomic_write, ensure_private_dir
from paperbrowse.schema import source_token

LOOKED = "looked.json"
ARRIVALS = "arrivals.json"


def _read_json(path: Path) -> dict[str, Any]:
    """The object in `path`; {} when missing or unreadable (it is only a convenience)."""
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _write_json(path: Path, data: dict[str, Any]) -> None:
    """Replace `path` with `data` atomically (0600). OSError from a read-only data dir."""
    ensure_private_dir(path.parent)
    atomic_write(path, json.dumps(data).encode("utf-8"), prefix=f".{path.stem}-", suffix=".json")


def last_looked(data_dir: Path) -> float | None:
    """Seconds since the epoch when you last looked (any view opened, or a digest), or None."""
    views = _read_json(data_dir / LOOKED).get("views", {})
    if not isinstance(views, dict):
        return None
    times = [float(v) for v in views.values() if isinstance(v, (int, float))]
    return max(times) if times else None


def record_look(data_dir: Path, view: str, when: float | None = None) -> None:
    """Record that `view` was opened at `when` (now by default). A read-only data dir is left
    alone: looking never fails."""
    path = data_dir / LOOKED
    data = _read_json(path)
    views = data.get("views")
    if not isinstance(views, dict):
        views = {}
    views[view] = time.time() if when is None else when
    data["views"] = views
    with contextlib.suppress(OSError):
        _write_json(path, data)


def _epoch(text: Any) -> float | None:
    """`2026-11-30T20:54:24Z` (the manifest's `indexed`) as seconds since the epoch."""
    if not isinstance(text, str):
        return None
    try:
        return float(calendar.timegm(time.strptime(text, "%Y-%m-%dT%H:%M:%SZ")))
    except ValueError:
        return None


def dump_times(library: Library) -> tuple[np.ndarray, np.ndarray]:
    """(earliest, latest) time the dumps of each document were indexed, float64 seconds per
    document number; NaN for a document no recorded dump holds."""
    size = library.catalog.size
    first = np.full(size, np.inf)
    last = np.full(size, -np.inf)
    searcher = library.searcher
    if searcher is None:
        return first, last
    for name, entry in library.manifest().get("sources", {}).items():
        when = _epoch(entry.get("indexed") if isinstance(entry, dict) else None)
        if when is None:
            continue
        docs = np.fromiter(query.Term("source", source_token(name)).docs(searcher), dtype=np.int64)
        if len(docs):
            np.minimum.at(first, docs, when)
            np.maximum.at(last, docs, when)
    first[np.isinf(first)] = np.nan
    last[np.isinf(last)] = np.nan
    return first, last


def read_arrivals(data_dir: Path) -> dict[str, Any] | None:
    """The `ids` object of `arrivals.json` in `data_dir` (paper id -> seconds), None when the
    file is missing or damaged. Reads no library: the browser parses it (3 MB, ~0.1 s at
    100,000 papers) outside the lock around the library's readers."""
    stored = _read_json(data_dir / ARRIVALS)
    known = stored.get("ids")
    return known if isinstance(known, dict) else None


def arrival_times(
    library: Library,
    *,
    save: bool = True,
    preread: bool = False,
    known: dict[str, Any] | None = None,
) -> np.ndarray:
    """When each live document's paper arrived (float64 seconds per document number; NaN for
    a document no recorded dump holds), updating `arrivals.json` with papers met for the first
    time when `save`. The dumps' times (`dump_times`, a postings read per recorded dump: seconds
    at 100,000 papers in 4,711 dumps) are read only when some live paper has no time yet.
    With `preread`, `known` is what `read_arrivals` returned to the caller (else it is read
    here)."""
    path = library.data_dir / ARRIVALS
    if not preread:
        known = read_arrivals(library.data_dir)
    catalog = library.catalog
    ids = catalog.ids
    live = catalog.live
    table = known or {}
    nan = float("nan")
    # One pass over the live documents: a stored time, else NaN (a paper met first now).
    values = [
        float(v) if isinstance(v := table.get(ids[doc]), (int, float)) else nan for doc in live
    ]
    times = np.full(catalog.size, np.nan)
    docs = np.asarray(live, dtype=np.int64)
    stamps = np.asarray(values, dtype=np.float64)
    times[docs] = stamps
    missing = docs[np.isnan(stamps)].tolist()
    had_file = known is not None
    if had_file and not missing:
        return times
    added = False
    known = dict(table)
    if missing:  # one postings read per recorded dump: only for papers met first now
        first, last = dump_times(library)
        guess = last if had_file else first
        for doc in missing:
            if not np.isnan(guess[doc]):
                times[doc] = known[ids[doc]] = float(guess[doc])
                added = True
    if save and (added or not path.exists()):
        with contextlib.suppress(OSError):
            _write_json(path, {"ids": known})
    return times


def arrived_since(
    library: Library,
    since: float,
    *,
    save: bool = True,
    preread: bool = False,
    known: dict[str, Any] | None = None,
) -> np.ndarray:
    """Live document numbers whose paper arrived after `since` (seconds), ascending;
    `preread` and `known` as for `arrival_times`."""
    times = arrival_times(library, save=save, preread=preread, known=known)
    with np.errstate(invalid="ignore"):
        return np.flatnonzero(times > since).astype(np.int64)


def arrivals_before_run(data_dir: Path) -> dict[str, float] | None:
    """When every paper now in the library arrived (paper id -> seconds since the epoch), read
    before an `index` run changes it, WITHOUT writing anything (a failed run must leave the data
    dir as it was); `save_arrivals` records it once the run has committed new papers. Then only
    the papers whose id the run adds are its arrivals (a re-saved page that holds old papers and
    new ones renews the dump's `indexed` time, which would otherwise make the old ones look new).
    None for a missing, empty, damaged or unreadable library: this never fails the run."""
    if not (data_dir / MANIFEST).exists():
        return None
    try:
        library = Library(data_dir)
    except Exception:
        return None
    try:
        if library.searcher is None:
            return None
        times = arrival_times(library, save=False)
        ids = library.catalog.ids
        return {
            ids[doc]: float(times[doc]) for doc in library.catalog.live if not np.isnan(times[doc])
        }
    except Exception:
        return None
    finally:
        library.close()


def save_arrivals(
    data_dir: Path,
    before: dict[str, float] | None,
    renamed: dict[str, set[str]] | None = None,
) -> None:
    """Record `before` (from `arrivals_before_run`) in `arrivals.json`, keeping times already
    there; nothing when None. `renamed` (IndexReport.renamed: new id -> the stored ids it
    replaces) gives a paper the run wrote under a new id (re-titled, or given an arXiv id:
    counted updated, not new) the earliest arrival of the ids it replaces, so only the papers
    the run counted new are its arrivals. An unwritable data dir is left alone (OSError
    suppressed)."""
    if not before:
        return
    before = dict(before)
    for new_id, olds in (renamed or {}).items():
        times = [before[old] for old in olds if old in before]
        if times and new_id not in before:
            before[new_id] = min(times)
    path = data_dir / ARRIVALS
    stored = _read_json(path)
    raw = stored.get("ids")
    known: dict[str, Any] = raw if isinstance(raw, dict) else {}
    merged = {**before, **{k: v for k, v in known.items() if isinstance(v, (int, float))}}
    if merged != known:
        with contextlib.suppress(OSError):
            _write_json(path, {"ids": merged})
