"""Allocator settings, so that memory a partition or a batch frees goes back to the system.

A stage's peak should be bounded by what one partition or batch needs, but freed memory is not always returned:
- glibc gives every thread that allocates at the same time as another its own heap ("arena", up to 8 per core);
  memory freed in one arena cannot serve another thread, so each worker thread's arena grows to its own peak.
  Two arenas (the setting MALLOC_ARENA_MAX) are enough for two worker threads and a writer.
- Arrow's default pool (mimalloc) keeps freed pages in the heap of the thread that allocated them, for as long as
  that thread lives (the partition and writer threads live for the whole stage). Arrow's system pool is glibc.

Python's cyclic garbage collector, too, is set for millions of objects: shapely makes one tracked Python object per
geometry, and with the default thresholds (a young collection every 700 new objects, an older one every 7,000) the
collector walked the batch's live geometries again and again while holding the GIL: 3.2 s of the ingest's CPU at
scale 1, 0.8 s of the analyse's and 1.1 s of the export's (measured with gc.callbacks). A young collection every
10,000 objects leaves 0.9, 0.5 and 0.4 s, mostly the explicit collections of `release`; cycles are still collected,
a little later (peak RSS unchanged). A threshold set by the user (not the default) is kept.

Peak RSS on the bench regions (`/usr/bin/time`, 2026-11-26), before -> after: analyse 1,037 -> 823 MB at scale 1
and 1,589 -> 1,188 MB at scale 4; export 964 -> 781 MB and 2,393 -> 2,006 MB; wall time the same within the
machine's noise. A user's own MALLOC_ARENA_MAX or ARROW_DEFAULT_MEMORY_POOL is kept.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import functools
import gc
import os
import sys

ARENAS = 2
GC_YOUNG = 10_000  # new tracked objects between two young collections (Python's default: 700)
M_ARENA_MAX = -8  # glibc's mallopt parameter (malloc.h)


@functools.lru_cache(maxsize=1)
def libc():
    """glibc (mallopt, malloc_trim; prctl for export's helpers), or None off Linux."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        c = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
    except OSError:
        return None
    return c if hasattr(c, "mallopt") and hasattr(c, "malloc_trim") else None


def configure() -> None:
    """Set the allocators and the garbage collector up before pyarrow is imported (the pipeline package does this on
    import)."""
    os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "system")
    c = libc()
    if c is not None and "MALLOC_ARENA_MAX" not in os.environ:
        c.mallopt(M_ARENA_MAX, ARENAS)
    if gc.get_threshold() == (700, 10, 10):
        gc.set_threshold(GC_YOUNG, 10, 10)


def release(*, collect: bool = True) -> None:
    """Return freed memory to the system after a big block (the next block starts from what is really in use).
    collect=False skips the garbage collector (a tenth of a second with a region's inputs loaded): for blocks that
    free their data when their names go, many times a stage."""
    import pyarrow  # here, not at the top: configure() must run before pyarrow is imported

    if collect:
        gc.collect()
    pyarrow.default_memory_pool().release_unused()
    c = libc()
    if c is not None:
        c.malloc_trim(0)
