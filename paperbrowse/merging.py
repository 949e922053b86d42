"""How the records of one index run merge with the stored papers (used by indexer.py), and
what the run did (`IndexReport`, index_report.py).

Which stored documents a run must merge again (`affected_documents`), the papers the records
make (identity.group, schema.merge_variants) and their documents (`write_papers`), and the
triage that follows a paper whose id changed (`carry_triage`: flags copied onto the new id in
`state.db` before the commit, old rows kept; `state.db` is not opened when no id changes).
"""

from __future__ import annotations

import contextlib
import json
from array import array
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from paperbrowse.catalog import live_ids
from paperbrowse.engine.whoosh_internals import open_index_dir
from paperbrowse.errors import LibraryError
from paperbrowse.identity import Key, aliases, group_labels, key_of, lookup_terms
from paperbrowse.index_report import IndexReport as IndexReport  # re-exported
from paperbrowse.paths import state_db
from paperbrowse.run_records import RunRecords
from paperbrowse.schema import document, merge_variants, record_paper, source_token
from paperbrowse.triage import TriageError, TriageStore
from paperbrowse.triage_carry import carry_over, drop_carried

Progress = Callable[[str, int, int], None]  # (stage, done, total): read, write, catalog


def previous_ids(folder: Path) -> set[str] | None:
    """The live paper ids of the generation a rebuild replaces (whatever its schema version);
    None when it cannot be read (a damaged or missing index)."""
    try:
        with open_index_dir(folder).searcher() as searcher:
            return live_ids(searcher)
    except Exception:
        return None


def variant_key(rec: dict[str, Any]) -> Key:
    """The identity keys of a stored record (a `schema.paper_record` dict)."""
    return key_of(record_paper(rec))


def docs_with(searcher: Any, fieldname: str, text: str) -> list[int]:
    """Live document numbers holding a term (a segment reader's postings skip its deleted
    documents); a cheap lexicon check first, as most terms a run looks up are new."""
    found: list[int] = []
    for leaf, offset in searcher.reader().leaf_readers():
        if (fieldname, text) in leaf:
            found.extend(offset + d for d in leaf.postings(fieldname, text).all_ids())
    return found


def affected_documents(
    searcher: Any, changed: Sequence[str], incoming: Sequence[Key]
) -> dict[str, dict[str, Any]]:
    """The stored documents a run must merge again, by id: those holding a record of a changed
    source, and those that share an arXiv id, a title or an abstract with any record involved
    (followed until no more are found, so records linked through a third one are seen
    together)."""
    loaded: dict[str, dict[str, Any]] = {}
    pending: set[str] = lookup_terms(incoming)
    looked: set[str] = set()

    def load(stored: dict[str, Any]) -> None:
        if stored["id"] in loaded:
            return
        loaded[stored["id"]] = stored
        pending.update(stored_lookup_terms(stored) - looked)

    for name in changed:
        for stored in searcher.documents(source=source_token(name)):
            load(stored)
    while pending:
        alias = pending.pop()
        looked.add(alias)
        for docnum in docs_with(searcher, "keys", alias):
            load(searcher.stored_fields(docnum))
    return loaded


def stored_lookup_terms(stored: dict[str, Any]) -> set[str]:
    """The identity terms (`identity.lookup_terms`) of a stored document's records."""
    recs = [r for recs in json.loads(stored["variants"]).values() for r in recs]
    return lookup_terms(variant_key(r) for r in recs)


def stored_terms(loaded: dict[str, dict[str, Any]]) -> dict[str, set[str]]:
    """Each identity term of the stored documents' records, and the ids of the documents
    holding it."""
    found: dict[str, set[str]] = {}
    for pid, stored in loaded.items():
        for term in stored_lookup_terms(stored):
            found.setdefault(term, set()).add(pid)
    return found


def _other_arxiv(stored: dict[str, Any], arxiv_id: str | None) -> bool:
    """Whether a stored document is of another arXiv id than `arxiv_id` (both known)."""
    if not arxiv_id:
        return False
    theirs = record_paper(json.loads(stored["record"])).arxiv_id
    return bool(theirs) and theirs != arxiv_id


def write_papers(
    writer: Any,
    records: RunRecords,
    loaded: dict[str, dict[str, Any]],
    report: IndexReport,
    fresh: bool,
    progress: Progress | None,
    previous: set[str] | None = None,
) -> dict[str, set[str]]:
    """Group the run's records into papers (identity.group_labels), write each paper's
    document, delete the stored documents no paper kept. Returns, per written id, the other ids
    whose triage it takes over: in an update, the stored documents its records came from; in a
    fresh index, the ids it answers to that were papers of the generation a rebuild replaces
    (`previous`; None: all of them, that generation being unreadable).

    Each paper's records are read from `records` when it is written: memory holds one paper's
    records at a time, and the ids written as 8-byte integers."""
    renames: dict[str, set[str]] = {}
    # In an update, the stored papers a written paper shares an identity with (an abstract, a
    # title, an arXiv id), by written id: heirs to the triage of those the run removes.
    related: dict[str, set[str]] = {}
    by_term = {} if fresh else stored_terms(loaded)
    counted_new: set[str] = set()
    deferred: dict[str, tuple[Callable[..., None], dict[str, Any]]] = {}
    written: set[str] = set()  # ids written, in an update (a fresh index keeps `written_codes`)
    written_codes = array("q")
    survivors: set[str] = set()  # stored documents some of whose records live on
    codes = records.codes()
    labels = group_labels(codes)
    order = np.argsort(labels, kind="stable")
    ordered = labels[order]
    del labels
    # Paper n's records are order[bounds[n]:bounds[n + 1]].
    bounds = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1], True])
    if not len(ordered):
        bounds = bounds[:1]  # no records: no papers
    del ordered
    total = len(bounds) - 1
    for n in range(total):
        if progress and ((n + 1) % 200 == 0 or n + 1 == total):
            progress("write", n + 1, total)
        members = order[int(bounds[n]) : int(bounds[n + 1])].tolist()
        by_source: dict[str, list[dict[str, Any]]] = {}
        for i in members:
            by_source.setdefault(records.source(i), []).append(records.record(i))
        paper = merge_variants(by_source)
        pid = paper.id
        keys = [codes.key(i) for i in members]
        doc = document(paper, by_source, lookup_terms(keys))
        origins = {o for i in members if (o := records.origin(i)) is not None}
        survivors.update(origins)
        if fresh:
            written_codes.append(int(pid, 16))
            others = aliases(keys) - {pid}
            if previous is not None:
                others &= previous
        else:
            written.add(pid)
            others = origins - {pid}
            shared = {s for term in lookup_terms(keys) for s in by_term.get(term, ())} - {pid}
            # two arXiv ids are never one paper (identity.group)
            shared = {s for s in shared if not _other_arxiv(loaded[s], paper.arxiv_id)}
            if shared:
                related[pid] = shared
            report.merged += max(0, len(origins | ({pid} & loaded.keys())) - 1)
        if others:
            renames[pid] = others
        # Records parsed in this run (not read back from the index): the first is this
        # paper's, the others are duplicates, so the parsed papers add up in the report.
        parsed = sum(1 for i in members if records.origin(i) is None)
        report.duplicates += max(0, parsed - 1)
        old = loaded.get(pid)
        if old is None:
            if pid in related:  # written below, once it is known whose ids it takes over
                deferred[pid] = (writer.add_document, doc)
            else:
                writer.add_document(**doc)
            if not parsed:
                report.dropped += 1
            elif origins:
                report.updated += 1  # a stored paper under a new id (it gained an arXiv id)
            else:
                report.new += 1
                counted_new.add(pid)
        elif old["record"] == doc["record"] and old["variants"] == doc["variants"]:
            if parsed:
                report.unchanged += 1
        else:
            if pid in related:
                deferred[pid] = (writer.update_document, doc)
            else:
                writer.update_document(**doc)
            if parsed:
                report.updated += 1
            else:
                report.dropped += 1
    gone = loaded.keys() - written - survivors
    carried: dict[str, set[str]] = {}  # written id -> the removed ids whose triage it takes
    for pid, shared in related.items():
        # A stored paper whose records all left with a changed dump, and that shares an
        # identity with a paper written now (a re-read dump re-worded a title): the same
        # paper under a new id, so its triage follows and it counts as updated, not removed.
        heirs = shared & gone
        if heirs:
            carried[pid] = heirs
            renames.setdefault(pid, set()).update(heirs)
            gone -= heirs
            if pid in counted_new:
                report.new -= 1
                report.updated += 1
    for pid, (write, doc) in deferred.items():
        if pid in carried:  # the ids it took over find it (`show OLDID`), as aliases do
            doc["keys"] = " ".join(sorted({*doc["keys"].split(), *carried[pid]}))
        write(**doc)
    for old_id in loaded.keys() - written:
        writer.delete_by_term("id", old_id)
        if old_id in gone:
            report.removed += 1
    if fresh and renames:
        # An id some paper has now keeps its own triage.
        named = sorted({i for ids in renames.values() for i in ids})
        taken = np.isin(
            np.array([int(i, 16) for i in named], dtype=np.int64),
            np.frombuffer(written_codes, dtype=np.int64),
        )
        now = {i for i, t in zip(named, taken.tolist(), strict=True) if t}
        for pid in renames:
            renames[pid] -= now
    found = {pid: ids for pid, ids in renames.items() if ids}
    olds = {i for ids in found.values() for i in ids}
    # Gone after this run: in a fresh index every id not written; in an update the stored
    # papers it deleted (a paper two records part from stays, and keeps its triage).
    report.replaced = olds if fresh else olds & (loaded.keys() - written)
    return found


def carry_triage(data_dir: Path, renames: dict[str, set[str]]) -> None:
    """Copy the triage flags of old ids onto the ids that replace them (before the commit, so
    a failed run loses nothing). `state.db` is not opened when there is nothing to copy."""
    path = state_db(data_dir)
    if not renames or not path.exists():
        return
    try:
        store = TriageStore(path)
        try:
            carry_over(store, renames)
        finally:
            store.close()
    except TriageError as exc:
        raise LibraryError(
            f"cannot carry triage over to the papers' new ids ({exc}); "
            "the library is as it was before this run"
        ) from None


def drop_carried_triage(data_dir: Path, replaced: set[str]) -> None:
    """Drop the triage rows of `replaced` (IndexReport.replaced: ids whose marks `carry_triage`
    copied to new ids, removed by the run) once that run has committed (`triage_carry.
    drop_carried`). Never fails: rows left behind (a locked or read-only state.db) hold marks
    their new ids hold too."""
    path = state_db(data_dir)
    if not replaced or not path.exists():
        return
    with contextlib.suppress(TriageError, OSError):
        store = TriageStore(path)
        try:
            drop_carried(store, replaced)
        finally:
            store.close()
