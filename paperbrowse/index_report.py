"""What one `index` run did (`IndexReport`), apart from the merging that fills it in
(merging.py) so that a run the quick check finds unchanged reports without importing numpy or
Whoosh."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class IndexReport:
    """What one `index` run did.

    Parsed papers add up: `papers_parsed` == `new` + `updated` + `unchanged` + `duplicates`,
    where `duplicates` counts the parsed records that were another record of a paper parsed in
    this run (the same paper in two dumps, or twice in one), so each paper is counted once.
    Papers no record of this run belongs to are counted apart: `dropped`, stored papers that
    changed although this run parsed none of their records (a changed dump no longer holds
    them, another still does), and `removed`, those no dump holds any more. `merged` counts
    stored papers found to be another stored paper and joined to it."""

    files_read: int = 0
    files_unchanged: int = 0
    papers_parsed: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    merged: int = 0  # stored papers found to be another stored paper, and joined to it
    duplicates: int = 0
    dropped: int = 0
    warnings: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    # Files of a walked directory that are no papers page (a README.md beside the captures):
    # named, counted, not failures (the run's exit status stays 0).
    skipped: list[str] = field(default_factory=list)
    # Per id written under a new name, the stored ids it replaces (a re-titled paper's new
    # title-based id, a paper that gained an arXiv id): counted updated, so not arrivals.
    renamed: dict[str, set[str]] = field(default_factory=dict)
    # The ids of `renamed` this run removed from the library: their triage rows are dropped
    # once it has committed (the new ids hold their marks).
    replaced: set[str] = field(default_factory=set)
