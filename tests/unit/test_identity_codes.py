"""identity.group_labels (compact keys, numpy) against identity.group (the reference: its
rules are tested in test_merge_identity.py): the same papers for the same keys."""

from __future__ import annotations

import random
from collections.abc import Sequence

import numpy as np
import pytest

from paperbrowse.identity import Key, encode_keys, group, group_labels, key_codes


def _groups_of(labels: np.ndarray) -> list[list[int]]:
    found: dict[int, list[int]] = {}
    for i in np.argsort(labels, kind="stable").tolist():
        found.setdefault(int(labels[i]), []).append(i)
    return sorted(found.values(), key=lambda g: g[0])


def _codes(keys: list[Key], chunk: int = 7):
    parts: list[tuple[Sequence[bytes], Sequence[int], Sequence[int]]] = []
    for start in range(0, len(keys), chunk):
        rows = [key_codes(k) for k in keys[start : start + chunk]]
        parts.append(
            (
                [r[0] for r in rows],
                [r[1] for r in rows],
                [r[2] for r in rows],
            )
        )
    return encode_keys(parts)


def _random_keys(rng: random.Random, n: int) -> list[Key]:
    arxivs = [f"25{m:02d}.{rng.randrange(10**5):05d}" for m in range(1, 13)] + ["math.gt/0309136"]
    arxivs = rng.sample(arxivs, k=rng.randint(1, len(arxivs)))
    titles = [f"{rng.getrandbits(48):012x}" for _ in range(max(1, n // 3))]
    abstracts = [f"{rng.getrandbits(48):012x}" for _ in range(max(1, n // 4))]
    return [
        Key(
            rng.choice(arxivs) if rng.random() < 0.4 else None,
            rng.choice(titles),
            rng.choice(abstracts) if rng.random() < 0.6 else None,
        )
        for _ in range(n)
    ]


@pytest.mark.parametrize("seed", range(40))
def test_same_papers_as_group(seed: int) -> None:
    rng = random.Random(seed)
    keys = _random_keys(rng, rng.randint(1, 60))
    assert _groups_of(group_labels(_codes(keys))) == group(keys)


def test_keys_round_trip() -> None:
    keys = [
        Key("2510.04618", "0123456789ab", None),
        Key(None, "ffffffffffff", "000000000001"),
        Key("math.gt/0309136", "00000000000a", "abcdefabcdef"),
    ]
    codes = _codes(keys, chunk=2)
    assert [codes.key(i) for i in range(len(keys))] == keys


def test_a_chain_of_titles_and_abstracts_is_one_paper() -> None:
    # a-b share a title, b-c an abstract, c-d a title, ...: one paper however long the chain.
    keys = []
    for i in range(30):
        title = f"{i // 2:012x}"
        abstract = f"{(i + 1) // 2 + 1000:012x}"
        keys.append(Key(None, title, abstract))
    keys.reverse()
    assert group(keys) == [list(range(30))]
    assert _groups_of(group_labels(_codes(keys))) == [list(range(30))]


def test_no_records() -> None:
    assert len(group_labels(encode_keys([]))) == 0
