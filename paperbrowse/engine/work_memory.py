"""Keep the memory a search frees for the next search, instead of handing it to the kernel.

A search at 10^6 papers makes arrays of a few megabytes each (a common word's postings, its
weights, the matches' scores). glibc's malloc serves an allocation above its mmap threshold
with a fresh mapping and unmaps it when freed; the threshold starts at 128 KB and rises to the
size of the largest such block freed so far (glibc's malloc(3), "M_MMAP_THRESHOLD": dynamic
adjustment). So a session's cost depended on its first searches: after a query of rarer words,
each "language model" search page-faulted ~7,000 fresh pages (~30 MB) and took 57 ms instead
of 39 (measured at 10^6 papers). Fixing both thresholds at the top of glibc's dynamic range
keeps freed blocks in the heap for the next search, whatever came first.

Every thread that allocates gets a heap of its own ("arenas", up to 8 per core), and each keeps
what it freed: the browser searches on worker threads, and its peak RSS at 10^6 papers was
420-477 MB with the thresholds fixed (353-356 MB with one arena: `M_ARENA_MAX`). Searches run
one at a time, so one arena costs no waiting.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys

# glibc's malloc.h: mallopt parameter numbers.
M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3
M_ARENA_MAX = -8
MMAP_THRESHOLD = 32 * 1024 * 1024  # glibc's ceiling for the dynamic threshold on 64-bit
TRIM_THRESHOLD = 2 * MMAP_THRESHOLD  # free memory kept at the heap's top (glibc's own ratio)
ARENAS = 1  # heaps for all threads (set before the browser's workers start)

_done = False


def keep_freed_memory() -> bool:
    """Fix glibc's mmap threshold at 32 MB and its trim threshold at 64 MB, and use one arena
    for all threads, for this process (mallopt(3)), once: call it before threads allocate
    (`Library.keep_freed_memory`: the browser, the benchmark's query stage; not an index
    run). At most 64 MB of freed memory stays with the process.
    Returns whether it applied: False on a C library without mallopt (macOS, musl), where
    nothing changes. Never raises."""
    global _done
    if _done:
        return True
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or None)
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    applied = all(
        mallopt(parameter, value)
        for parameter, value in (
            (M_ARENA_MAX, ARENAS),
            (M_MMAP_THRESHOLD, MMAP_THRESHOLD),
            (M_TRIM_THRESHOLD, TRIM_THRESHOLD),
        )
    )
    _done = applied
    return applied
