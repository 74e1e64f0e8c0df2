"""Allocator settings, so that memory a partition or a batch frees goes back to the system.

A stage's peak should be bounded by what one partition or batch needs, but freed memory is not always returned:
- glibc gives every thread that allocates at the same time as another its own heap ("arena", up to 8 per core);
  memory freed in one arena cannot serve another thread, so each worker thread's arena grows to its own peak.
  Two arenas (the setting MALLOC_ARENA_MAX) are enough for two worker threads and a writer.
- Arrow's default pool (mimalloc) keeps freed pages in the heap of the thread that allocated them, for as long as
  that thread lives (the partition and writer threads live for the whole stage). Arrow's system pool is glibc.

The ingest also spaces out Python's cyclic garbage collections (`fewer_collections`): shapely makes one tracked
Python object per geometry, and with the default thresholds (a young collection every 700 new objects) the
collector walked each BAG batch's live geometries again and again while holding the GIL: 3.2 s of the ingest's CPU
at scale 1 and 24.7 s at 8.5 (gc.callbacks), 1.4 s and 8.2 s with a young collection every 10,000 objects. (A
`make bench-ab` figure quoted here before, the ingest 15 % faster, compared the working tree with itself: until
2026-11-27 benchmarks/ab.py imported the working tree for both versions.) The analyse and the export keep the default
(a comparison of them was made with that same tool and is not repeated).

Peak RSS on the bench regions (`/usr/bin/time`, 2026-11-26), before -> after: analyse 1,037 -> 823 MB at scale 1
and 1,589 -> 1,188 MB at scale 4; export 964 -> 781 MB and 2,393 -> 2,006 MB; wall time the same within the
machine's noise. A user's own MALLOC_ARENA_MAX or ARROW_DEFAULT_MEMORY_POOL is kept.
"""
from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import functools
import gc
import os
import sys

ARENAS = 2
GC_YOUNG = 10_000  # new tracked objects between two young collections in the ingest (Python's default: 700)
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
    """Set the allocators up before pyarrow is imported (the pipeline package does this on import)."""
    os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "system")
    c = libc()
    if c is not None and "MALLOC_ARENA_MAX" not in os.environ:
        c.mallopt(M_ARENA_MAX, ARENAS)


@contextlib.contextmanager
def fewer_collections(young: int = GC_YOUNG):
    """A young garbage collection every `young` new objects instead of every 700 while the block runs (see the
    module doc); the thresholds before are restored after it."""
    before = gc.get_threshold()
    gc.set_threshold(young, *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)


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
