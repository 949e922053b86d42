"""A side file's term table (codec.py) held as sorted arrays instead of a dict.

The table maps `field NUL term` (codec.term_key) to the term's entry number. As a dict of bytes it
took ~160 bytes a term: 249 MB for the side files of 1,000,000 papers, all of it Python objects
made on the first text query. Here the keys are one bytes blob in byte order with an offset per
key (uint32 while the keys take under 4 GB, else int64) and the entry numbers as an int64 array,
left out when each key's entry is its position (~22 bytes a term); a lookup is a binary
search over the blob (22 steps for 3 million terms, a few microseconds).
"""

from __future__ import annotations

import operator
from collections.abc import Iterable
from itertools import islice

import numpy as np


class TermTable:
    """Term keys sorted by their bytes (`blob` sliced at `offsets`, n + 1 of them) with the
    entry number of each (`entries`, int64)."""

    def __init__(self, blob: bytes, offsets: np.ndarray, entries: np.ndarray) -> None:
        if len(offsets) != len(entries) + 1:
            raise ValueError("a term table needs one offset more than it has entries")
        self._blob = blob
        self._count = len(entries)
        # uint32 offsets while the blob is under 4 GB, and no entries array when each key's
        # entry is its own position (Whoosh writes the terms in key order, so it always is):
        # 8 bytes a term instead of 16, ~20 MB of the 2.7 million terms at 10^6 papers.
        wide = len(blob) >= 1 << 32
        self._offsets_array = np.ascontiguousarray(offsets, dtype=np.int64 if wide else np.uint32)
        self._offsets = memoryview(self._offsets_array.data).cast("B").cast("q" if wide else "I")
        in_order = bool(np.array_equal(entries, np.arange(len(entries))))
        self._entries = None if in_order else np.ascontiguousarray(entries, dtype=np.int64)

    @classmethod
    def of(cls, table: dict[bytes, int]) -> TermTable:
        """The table of a side file's pickled dict. Whoosh writes a segment's terms in byte
        order of (field, term), which is the keys' order: the check is one pass, and only a
        table out of order is sorted."""
        n = len(table)
        entries = np.fromiter(table.values(), dtype=np.int64, count=n)
        keys: Iterable[bytes] = table  # the dict's own order: no list of a million keys
        if not all(map(operator.lt, table, islice(table, 1, None))):
            listed = list(table)
            order = sorted(range(n), key=listed.__getitem__)
            keys = [listed[i] for i in order]
            entries = entries[np.array(order, dtype=np.int64)]
        offsets = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(np.fromiter(map(len, keys), dtype=np.int64, count=n), out=offsets[1:])
        return cls(b"".join(keys), offsets, entries)

    def __len__(self) -> int:
        return self._count

    def get(self, key: bytes) -> int | None:
        """The entry number of `key`, or None when the table does not hold it."""
        blob, offsets = self._blob, self._offsets
        lo, hi = 0, self._count
        while lo < hi:
            mid = (lo + hi) >> 1
            found = blob[offsets[mid] : offsets[mid + 1]]
            if found < key:
                lo = mid + 1
            elif found > key:
                hi = mid
            else:
                return mid if self._entries is None else int(self._entries[mid])
        return None
