"""A bound on the resident memory the side files' mapped word postings hold in one process.

Wildcards read the word fields' postings as views of the side files mapped into memory
(side_files.py). Every page a search touches stays in the process's resident set (RSS) until
the kernel wants it back: clean page-cache pages, but counted in RSS, so a browser at 10^6
papers grew from 406 to 478 MB over ten wildcard searches. `MappedPages` advises the kernel
that no registered map needs its pages (`madvise(MADV_DONTNEED)`) when told to (the browser does
once its searches pause: `Library.release_memory`) and once `budget` bytes have been viewed since
the last release: the pages leave the process's RSS and stay in the page cache. Views stay
valid: a read-only map of a file reads the file again on the next touch (a minor page fault a
page: ~3 ms for the 20 MB of `*ing` at 100,000 papers, paid by the first wildcard after a
release), and results never change.
"""

from __future__ import annotations

import contextlib
import mmap
import threading
import weakref

# Bytes viewed between two releases: a bound for a process that searches without pause (a
# script); the browser releases whenever its searches pause (`release_all`), so a burst of
# wildcard searches never pays for pages mapped again.
MAPPED_BUDGET = 256 << 20


class MappedPages:
    """The maps of one process's side files and the bytes viewed in them since the last
    release (thread-safe)."""

    def __init__(self, budget: int = MAPPED_BUDGET) -> None:
        self.budget = budget
        self.viewed = 0  # bytes viewed since the last release
        self.releases = 0  # how many times the maps were released
        self._maps: weakref.WeakSet[mmap.mmap] = weakref.WeakSet()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        """How many registered maps are still open (or referenced)."""
        with self._lock:
            return len(self._maps)

    def register(self, mapped: mmap.mmap) -> None:
        """Count `mapped` among the maps a release advises."""
        with self._lock:
            self._maps.add(mapped)

    def viewed_bytes(self, size: int) -> None:
        """`size` bytes of a registered map were viewed; release every map's pages once the
        bytes viewed since the last release pass the budget."""
        with self._lock:
            self.viewed += size
            if self.viewed <= self.budget:
                return
            self.viewed = 0
            self.releases += 1
            maps = list(self._maps)
        for mapped in maps:
            release(mapped)

    def release_all(self) -> None:
        """Release every registered map's pages now (a pause in the searches)."""
        with self._lock:
            self.viewed = 0
            self.releases += 1
            maps = list(self._maps)
        for mapped in maps:
            release(mapped)


def release(mapped: mmap.mmap) -> None:
    """Advise the kernel that `mapped`'s pages are not needed (they leave this process's RSS);
    nothing when the platform has no `madvise` or the map is closed."""
    advise = getattr(mapped, "madvise", None)
    dontneed = getattr(mmap, "MADV_DONTNEED", None)
    if advise is None or dontneed is None or mapped.closed:
        return
    with contextlib.suppress(OSError, ValueError):
        advise(dontneed)


PAGES = MappedPages()  # the process's side-file maps
