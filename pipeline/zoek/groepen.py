"""Candidates: every available kavel on its own, and groups of adjacent kavels of one terrein that together have
the area asked (a 6 ha company can use three 2 ha plots).

Rule (maps/zoek.html's zoek.js does exactly the same, tests/test_zoek_browser.py checks it):
- a kavel can be part of a group when it allows the company's category and is not niet waarmaakbaar;
- every such kavel smaller than the area asked is a seed; from a seed the group grows by the adjacent kavel (of
  the group so far) with the largest area, ties to the lowest row (kavel_id order), until the area is reached or
  zoek.max_kavels kavels are in it; a group that does not reach the area is dropped;
- identical groups (from different seeds) count once.
The growth is a short loop per seed (at most max_kavels steps, over the CSR neighbour arrays); everything
before and after it is vectorised.
"""
from __future__ import annotations

import numpy as np


def grow(seed: int, need: int, m2: np.ndarray, ptr: np.ndarray, buren: np.ndarray, allowed: np.ndarray,
         max_kavels: int) -> tuple[int, ...] | None:
    """The members of the group grown from `seed` (sorted), or None when it does not reach `need` m²."""
    members, inside, total = [seed], {seed}, int(m2[seed])
    frontier = {int(j) for j in buren[ptr[seed]:ptr[seed + 1]] if allowed[j]}
    while total < need and len(members) < max_kavels and frontier:
        best = max(frontier, key=lambda j: (m2[j], -j))
        frontier.discard(best)
        members.append(best)
        inside.add(best)
        total += int(m2[best])
        frontier |= {int(j) for j in buren[ptr[best]:ptr[best + 1]] if allowed[j] and int(j) not in inside}
    return tuple(sorted(members)) if total >= need else None


def candidates(m2: np.ndarray, scope: np.ndarray, allowed: np.ndarray, need: int, ptr: np.ndarray,
               buren: np.ndarray, max_kavels: int) -> tuple[np.ndarray, np.ndarray]:
    """CSR (cand_ptr, members) of all candidates: the singles of `scope` (in row order), then the groups."""
    singles = np.flatnonzero(scope)
    seeds = np.flatnonzero(allowed & (m2 < need))
    groups = {}
    for seed in seeds:  # one short growth per seed
        g = grow(int(seed), need, m2, ptr, buren, allowed, max_kavels)
        if g is not None and len(g) > 1:
            groups.setdefault(g, None)
    sizes = np.concatenate([np.ones(len(singles), dtype=np.int64),
                            np.array([len(g) for g in groups], dtype=np.int64)])
    members = np.concatenate([singles, np.array([i for g in groups for i in g], dtype=np.int64)])
    return np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64), members.astype(np.int64)
