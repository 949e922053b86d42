"""Sets of document numbers as sorted, unique numpy arrays: union, intersection, difference.

What matching (matching.py) and scoring (scoring.py) combine. A flag per
document number (a scatter and a gather) replaces numpy's `intersect1d`, `setdiff1d` and
`isin`, which sort both sides.
"""

from __future__ import annotations

import threading
from typing import Any

import numpy as np

EMPTY = np.zeros(0, dtype=np.int64)

_LENT = threading.local()  # each thread's work array (lent_zeros)


def as_array(docs: Any) -> np.ndarray:
    """Document numbers (any iterable of ints) as a sorted, unique int64 array."""
    found = np.fromiter(docs, dtype=np.int64)
    found.sort()
    return found


def union(parts: list[np.ndarray], size: int) -> np.ndarray:
    """The sorted union of document number arrays (documents below `size`)."""
    if sum(len(p) for p in parts) < size // 64:
        return sorted_unique(np.concatenate(parts))
    flags = np.zeros(size, dtype=bool)
    for part in parts:
        flags[part] = True
    return np.flatnonzero(flags)


def intersect(a: np.ndarray, b: np.ndarray, size: int) -> np.ndarray:
    """The sorted intersection of two sorted, unique arrays of document numbers below `size`.

    One flag per document number (a scatter and a gather: no sort), or, when one side is
    much shorter, a binary search of its numbers in the other.
    """
    if len(a) > len(b):
        a, b = b, a
    if not len(a):
        return EMPTY
    if len(a) * 16 < len(b):
        return intersect_keys(a, b)
    flags = np.zeros(size, dtype=bool)
    flags[b] = True
    found: np.ndarray = a[flags[a]]
    return found


def intersect_keys(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The sorted intersection of two sorted, unique int64 arrays (any values): a binary
    search of the shorter in the longer, or, for sides of similar length, one merge of the
    two sorted runs (a stable sort of their concatenation) and its repeated values."""
    if len(a) > len(b):
        a, b = b, a
    if not len(a) or not len(b):
        return EMPTY
    if len(a) * 16 >= len(b):
        both = np.concatenate([a, b])
        both.sort(kind="stable")
        repeated: np.ndarray = both[:-1][both[1:] == both[:-1]]
        return repeated
    at = np.searchsorted(b, a)
    at[at == len(b)] = len(b) - 1
    found: np.ndarray = a[b[at] == a]
    return found


def difference(a: np.ndarray, b: np.ndarray, size: int) -> np.ndarray:
    """The sorted document numbers of `a` not in `b` (both sorted and unique, below `size`)."""
    if not len(a) or not len(b):
        copied: np.ndarray = a.copy()
        return copied
    flags = np.zeros(size, dtype=bool)
    flags[b] = True
    found: np.ndarray = a[~flags[a]]
    return found


def unique_ascending(values: np.ndarray) -> np.ndarray:
    """`values` (non-decreasing) without repeats: one pass, no sort (the documents of a
    phrase's sorted (document, position) keys)."""
    if len(values) < 2:
        return values
    kept: np.ndarray = values[np.concatenate(([True], values[1:] != values[:-1]))]
    return kept


def sorted_unique(values: np.ndarray) -> np.ndarray:
    """`values` sorted without repeats (cheap when they already are)."""
    if len(values) > 1 and not bool(np.all(values[1:] > values[:-1])):
        values = np.sort(values)
        values = values[np.concatenate(([True], values[1:] != values[:-1]))]
    return values


def lent_zeros(size: int, writes: list[np.ndarray] | None = None, slot: int = 0) -> np.ndarray:
    """`size` float64 zeros in this thread's work array number `slot`: the same memory on each
    call, so valid only until the thread's next call for that slot (what a term's dense
    weights per document number are made in, then read; term_weights.WordWeights keeps a
    search's words' weights in slots 1 and up, from matching to scoring). A fresh array of a
    million floats (8 MB) is mapped anew and page-faulted in on every search (~2 ms of each
    unfielded word at 10^6 papers); zeroing this one costs a fifth of that. Holds 8 bytes per
    document per slot per thread that scores.

    `writes`: the index arrays the caller writes at, and nowhere else (None: anywhere). When
    they are few (under a quarter of `size`), the next call zeroes those entries alone,
    not all `size` (a title word's postings: a tenth of the documents or less)."""
    slots: dict[int, tuple[np.ndarray, list[np.ndarray] | None]] | None = getattr(
        _LENT, "slots", None
    )
    if slots is None:
        slots = _LENT.slots = {}
    held = slots.get(slot)
    if held is None or len(held[0]) != size:
        lent = np.zeros(size, dtype=np.float64)
    else:
        lent, dirty = held
        if dirty is None:
            lent.fill(0.0)
        for ids in dirty or ():
            lent[ids] = 0.0
    few = writes is not None and sum(len(ids) for ids in writes) * 4 < size
    slots[slot] = (lent, writes if few else None)  # (many: not kept, all is zeroed next)
    return lent
