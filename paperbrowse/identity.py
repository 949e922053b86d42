"""Which captured records are one paper.

A paper with a known arXiv id is one record whatever its title says in each capture (titles
get re-worded between arXiv versions; source: ../shared/README.md, "the arXiv id is the stable
identity where a capture shows it"). A capture without an id joins the paper whose normalised
title it shares, and that paper keeps its id. Two different arXiv ids are never one paper, even
under one title; a capture without an id whose title two of them share joins the one with the
smallest arXiv id, so the grouping never depends on the order records arrive in.

Records are named here by their keys only: (arXiv key or None, title id), see `models.arxiv_key`
and `models.paper_id`. No I/O.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from paperbrowse.models import Paper, arxiv_key, arxiv_paper_id, paper_id

Key = tuple[str | None, str]  # (arXiv key or None, title id)


def key_of(paper: Paper) -> Key:
    """A record's identity keys: its arXiv key (None when unknown) and its title id."""
    return (arxiv_key(paper.arxiv_id) or None if paper.arxiv_id else None, paper_id(paper.title))


def aliases(keys: Iterable[Key]) -> set[str]:
    """Every 12-hex-digit id a paper made of records with these keys answers to: the id of its
    arXiv id and the title id of each of its titles (the ids it had, or would have had, before
    it gained an arXiv id)."""
    found: set[str] = set()
    for arxiv, title in keys:
        found.add(title)
        if arxiv:
            found.add(arxiv_paper_id(arxiv))
    return found


def group(keys: Sequence[Key]) -> list[list[int]]:
    """The records (positions in `keys`) of each paper, each group in ascending order, the
    groups in the order of their first record.

    Records with one arXiv id are one paper. A record without an id joins the paper with the
    smallest arXiv id among those that hold a record of its title; with none, the records of
    one title without ids are one paper.
    """
    by_arxiv: dict[str, list[int]] = {}
    arxiv_of_title: dict[str, str] = {}  # title id -> the smallest arXiv key holding it
    untagged: dict[str, list[int]] = {}  # title id -> records without an arXiv id
    for i, (arxiv, title) in enumerate(keys):
        if arxiv:
            by_arxiv.setdefault(arxiv, []).append(i)
            known = arxiv_of_title.get(title)
            if known is None or arxiv < known:
                arxiv_of_title[title] = arxiv
        else:
            untagged.setdefault(title, []).append(i)
    groups: dict[str, list[int]] = {f"a:{a}": members for a, members in by_arxiv.items()}
    for title, members in untagged.items():
        owner = arxiv_of_title.get(title)
        groups.setdefault(f"a:{owner}" if owner else f"t:{title}", []).extend(members)
    return sorted((sorted(g) for g in groups.values()), key=lambda g: g[0])
