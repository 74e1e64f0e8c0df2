"""Vectorised shapely calls on chunks in a thread pool: shapely 2's ufuncs release the GIL, so both cores work."""
from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np

# below this many elements a vectorised call runs in the calling thread (thread start-up not worth it)
MIN_CHUNK = 2_000


def workers() -> int:
    """Threads for the big vectorised shapely calls: one per core (shapely 2's ufuncs release the GIL)."""
    return max(1, os.cpu_count() or 1)


def in_threads(func, *arrays, chunks_per_worker: int = 4):
    """func(*arrays) computed on aligned chunks in a thread pool; the per-chunk results concatenated.

    func must be elementwise along the first axis of the arrays and return one array (or a tuple of
    arrays) aligned with its input. Shapely's vectorised functions release the GIL, so chunks run
    truly in parallel; small inputs run in the calling thread. Not for predicates on prepared
    geometries that recur in several chunks: GEOS builds a prepared geometry's indexes lazily,
    without a lock.
    """
    n = len(arrays[0])
    k = min(workers() * chunks_per_worker, n // MIN_CHUNK)
    if k <= 1:
        return func(*arrays)
    bounds = np.linspace(0, n, k + 1).astype(np.int64)
    parts = [tuple(a[s:e] for a in arrays) for s, e in zip(bounds[:-1], bounds[1:])]
    with ThreadPoolExecutor(max_workers=workers()) as pool:
        results = list(pool.map(lambda p: func(*p), parts))
    if isinstance(results[0], tuple):
        return tuple(np.concatenate(r) for r in zip(*results))
    return np.concatenate(results)
