"""Which captured records are one paper.

A paper with a known arXiv id is one record whatever its title says in each capture (titles
get re-worded between arXiv versions; source: ../shared/README.md, "the arXiv id is the stable
identity where a capture shows it"). A capture without an id joins the paper it shares its
normalised title with, or its abstract (the same full abstract under a re-worded title), and
that paper keeps its id. Two different arXiv ids are never one paper, even under one title; a
capture without an id that two of them could claim joins the one with the smallest arXiv id,
so the grouping never depends on the order records arrive in.

Records are named here by their keys only (`Key`); no I/O.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from typing import NamedTuple

from paperbrowse.models import Paper, arxiv_key, arxiv_paper_id, normalise_title, paper_id

# An abstract shorter than this (normalised, in characters) does not identify a paper: a
# fragment, a one-line placeholder, or a cut-off card would join papers that only start alike.
MIN_ABSTRACT = 200


class Key(NamedTuple):
    """A record's identity: its arXiv key (None when unknown), its title id, and the hash of
    its normalised abstract (None when too short to identify it)."""

    arxiv: str | None
    title: str
    abstract: str | None


def abstract_id(abstract: str) -> str | None:
    """A 12-hex-digit hash of the normalised abstract; None below MIN_ABSTRACT characters."""
    text = normalise_title(abstract)
    if len(text) < MIN_ABSTRACT:
        return None
    return hashlib.sha1(f"abstract:{text}".encode()).hexdigest()[:12]


def key_of(paper: Paper) -> Key:
    """A record's identity keys."""
    arxiv = arxiv_key(paper.arxiv_id) if paper.arxiv_id else ""
    return Key(arxiv or None, paper_id(paper.title), abstract_id(paper.abstract))


def aliases(keys: Iterable[Key]) -> set[str]:
    """Every 12-hex-digit id a paper made of records with these keys answers to: the id of its
    arXiv id and the title id of each of its titles (the ids it had, or would have had, before
    it gained an arXiv id)."""
    found: set[str] = set()
    for key in keys:
        found.add(key.title)
        if key.arxiv:
            found.add(arxiv_paper_id(key.arxiv))
    return found


def lookup_terms(keys: Iterable[Key]) -> set[str]:
    """The terms that find a stored paper sharing any identity with these records: its aliases
    (bare ids) and `abstract:<hash>` for each abstract."""
    keys = list(keys)
    terms = aliases(keys)
    terms.update(f"abstract:{k.abstract}" for k in keys if k.abstract)
    return terms


def _links(key: Key) -> list[tuple[str, str]]:
    """What a record can share with another: its title, and its abstract when it has one."""
    found = [("t", key.title)]
    if key.abstract:
        found.append(("b", key.abstract))
    return found


class _Sets:
    """Union-find over record positions."""

    def __init__(self, size: int) -> None:
        self.parent = list(range(size))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def group(keys: Sequence[Key]) -> list[list[int]]:
    """The records (positions in `keys`) of each paper, each group in ascending order, the
    groups in the order of their first record.

    Records with one arXiv id are one paper. Records without an id are one paper when they
    share a title or an abstract (directly or through another such record); that paper then
    joins the paper with the smallest arXiv id among those holding a record of any of its
    titles or abstracts, if there is one.
    """
    sets = _Sets(len(keys))
    first_of: dict[tuple[str, str], int] = {}  # ("a"|"t"|"b", key) -> first record with it
    claims: dict[tuple[str, str], str] = {}  # ("t"|"b", key) -> smallest arXiv key holding it
    for i, key in enumerate(keys):
        if key.arxiv:
            sets.union(first_of.setdefault(("a", key.arxiv), i), i)
            for link in _links(key):
                if link not in claims or key.arxiv < claims[link]:
                    claims[link] = key.arxiv
    for i, key in enumerate(keys):
        if not key.arxiv:
            for link in _links(key):
                sets.union(first_of.setdefault(link, i), i)
    # Each paper without an id joins the smallest arXiv id any of its records is claimed by.
    owner: dict[int, str] = {}
    for i, key in enumerate(keys):
        if key.arxiv:
            continue
        root = sets.find(i)
        for link in _links(key):
            claimed = claims.get(link)
            if claimed and (root not in owner or claimed < owner[root]):
                owner[root] = claimed
    for root, arxiv in owner.items():
        sets.union(root, first_of[("a", arxiv)])
    groups: dict[int, list[int]] = {}
    for i in range(len(keys)):
        groups.setdefault(sets.find(i), []).append(i)
    return sorted(groups.values(), key=lambda g: g[0])
