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
from typing import Any, NamedTuple

import numpy as np

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


# ---------------------------------------------------------------------------------------------
# The same grouping over compact keys (numpy arrays), for runs of millions of records.


class KeyCodes(NamedTuple):
    """The identity keys of n records as arrays (24 bytes a record instead of ~250 for `Key`s):
    `arxiv` the rank of the record's arXiv key among the run's distinct keys in string order
    (-1: none), `title` its title id as an integer, `abstract` its abstract hash as an integer
    (-1: none); all int64, length n. `arxiv_keys[rank]` is the arXiv key (UTF-8 bytes)."""

    arxiv: Any
    title: Any
    abstract: Any
    arxiv_keys: Any

    def key(self, i: int) -> Key:
        """Record `i`'s `Key`, as `key_of` gave it."""
        rank = int(self.arxiv[i])
        abstract = int(self.abstract[i])
        return Key(
            self.arxiv_keys[rank].decode("utf-8", "surrogatepass") if rank >= 0 else None,
            f"{int(self.title[i]):012x}",
            f"{abstract:012x}" if abstract >= 0 else None,
        )


def encode_keys(chunks: Iterable[tuple[Sequence[bytes], Sequence[int], Sequence[int]]]) -> KeyCodes:
    """`KeyCodes` from chunks of (arXiv keys as UTF-8 bytes, b"" for none; title ids; abstract
    hashes, -1 for none), in record order (see `key_codes` for one chunk's lists)."""
    arxiv_parts, titles, abstracts = [], [], []
    for arxiv, title, abstract in chunks:
        arxiv_parts.append(np.array(arxiv, dtype=bytes) if len(arxiv) else np.zeros(0, "S1"))
        titles.append(np.asarray(title, dtype=np.int64))
        abstracts.append(np.asarray(abstract, dtype=np.int64))
    arxiv_bytes = np.concatenate(arxiv_parts) if arxiv_parts else np.zeros(0, "S1")
    title_arr = np.concatenate(titles) if titles else np.zeros(0, np.int64)
    abstract_arr = np.concatenate(abstracts) if abstracts else np.zeros(0, np.int64)
    has = arxiv_bytes != b""
    ranks = np.full(len(arxiv_bytes), -1, dtype=np.int64)
    distinct, inverse = np.unique(arxiv_bytes[has], return_inverse=True)
    ranks[has] = inverse
    return KeyCodes(ranks, title_arr, abstract_arr, distinct)


def key_codes(key: Key) -> tuple[bytes, int, int]:
    """One record's `Key` as `encode_keys` takes it: (arXiv key as UTF-8 bytes or b"", title
    id as an integer, abstract hash as an integer or -1)."""
    return (
        key.arxiv.encode("utf-8", "surrogatepass") if key.arxiv else b"",
        int(key.title, 16),
        int(key.abstract, 16) if key.abstract else -1,
    )


def _runs(values: Any, present: Any) -> tuple[Any, Any] | None:
    """The records with `present` ordered by value (stable), and where each run of one value
    starts in that order; None when no record is present."""
    idx = np.flatnonzero(present)
    if not len(idx):
        return None
    order = idx[np.argsort(values[idx], kind="stable")]
    vals = values[order]
    return order, np.flatnonzero(np.r_[True, vals[1:] != vals[:-1]])


def _min_by(values: Any, labels: Any, present: Any) -> Any:
    """For each record with `present`, the smallest label among the present records sharing
    its value; other records keep their label."""
    found = _runs(values, present)
    if found is None:
        return labels
    order, starts = found
    lowest = np.minimum.reduceat(labels[order], starts)
    out = labels.copy()
    out[order] = np.repeat(lowest, np.diff(np.r_[starts, len(order)]))
    return out


def _claims(values: Any, ranks: Any, present: Any, lookup: Any, lookup_present: Any) -> Any:
    """For each record of `lookup_present`, the smallest arXiv rank among the records of
    `present` holding its value (`values`), else a rank larger than any."""
    none = np.iinfo(np.int64).max
    out = np.full(len(lookup), none, dtype=np.int64)
    found = _runs(values, present)
    if found is None:
        return out
    order, starts = found
    keys = values[order][starts]
    lowest = np.minimum.reduceat(ranks[order], starts)
    want = np.flatnonzero(lookup_present)
    pos = np.searchsorted(keys, lookup[want])
    pos_ok = pos < len(keys)
    hit = np.zeros(len(want), dtype=bool)
    hit[pos_ok] = keys[pos[pos_ok]] == lookup[want][pos_ok]
    out[want[hit]] = lowest[pos[hit]]
    return out


def group_labels(codes: KeyCodes) -> Any:
    """`group` over `KeyCodes`: for each record the position of the first record of its paper
    (an int64 array). The same papers as `group` gives for the same keys:
    `np.argsort(labels, kind="stable")` lists them in `group`'s order."""
    n = len(codes.title)
    labels = np.arange(n, dtype=np.int64)
    if not n:
        return labels
    has_arxiv = codes.arxiv >= 0
    bare = ~has_arxiv
    has_abstract = codes.abstract >= 0
    # Records with one arXiv id: the first of them.
    first_of_rank = np.full(len(codes.arxiv_keys), n, dtype=np.int64)
    np.minimum.at(first_of_rank, codes.arxiv[has_arxiv], labels[has_arxiv])
    labels[has_arxiv] = first_of_rank[codes.arxiv[has_arxiv]]
    # Records without one: joined through shared titles and abstracts, until nothing changes.
    while True:
        step = _min_by(codes.title, labels, bare)
        step = _min_by(codes.abstract, step, bare & has_abstract)
        step[bare] = step[step[bare]]  # follow the label's own label (pointer jumping)
        if np.array_equal(step, labels):
            break
        labels = step
    # Each such paper joins the smallest arXiv id claiming any of its titles or abstracts.
    claim = np.minimum(
        _claims(codes.title, codes.arxiv, has_arxiv, codes.title, bare),
        _claims(
            codes.abstract,
            codes.arxiv,
            has_arxiv & has_abstract,
            codes.abstract,
            bare & has_abstract,
        ),
    )
    none = np.iinfo(np.int64).max
    owner = np.full(n, none, dtype=np.int64)  # by root: the smallest claim of its records
    np.minimum.at(owner, labels[bare], claim[bare])
    owned_roots = np.flatnonzero(owner != none)
    if len(owned_roots):
        ranks = owner[owned_roots]
        np.minimum.at(first_of_rank, ranks, owned_roots)
        labels[has_arxiv] = first_of_rank[codes.arxiv[has_arxiv]]
        root_owner = np.full(n, -1, dtype=np.int64)
        root_owner[owned_roots] = ranks
        joined = bare & (root_owner[labels] >= 0)
        labels[joined] = first_of_rank[root_owner[labels[joined]]]
    return labels
