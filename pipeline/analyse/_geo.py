"""Vectorised spatial building blocks shared by the analyses (shapely 2, no loops over features).

Every function takes plain geometry arrays (or GeoSeries) and returns numpy arrays aligned with
its input, so the analysis modules stay small and each building block is tested once.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import shapely


def geoms(values) -> np.ndarray:
    """A numpy object array of shapely geometries from a GeoSeries / GeoDataFrame / array."""
    if hasattr(values, "geometry"):
        values = values.geometry
    return np.asarray(getattr(values, "values", values), dtype=object)


def pair_areas(a: np.ndarray, b: np.ndarray, ia: np.ndarray, ib: np.ndarray) -> np.ndarray:
    """Area of a[ia] ∩ b[ib] for every pair, computing the intersection only where needed.

    Pairs where one polygon lies properly inside the other take the smaller one's area; only the
    pairs that cross each other's boundary are intersected (the expensive operation).
    """
    out = np.zeros(len(ia), dtype=float)
    if len(ia) == 0:
        return out
    ga, gb = a[ia], b[ib]
    shapely.prepare(ga)
    shapely.prepare(gb)
    b_in_a = shapely.contains_properly(ga, gb)
    a_in_b = ~b_in_a & shapely.contains_properly(gb, ga)
    out[b_in_a] = shapely.area(gb[b_in_a])
    out[a_in_b] = shapely.area(ga[a_in_b])
    cross = ~(b_in_a | a_in_b)
    if cross.any():
        out[cross] = shapely.area(shapely.intersection(ga[cross], gb[cross]))
    return out


def intersecting_pairs(a: np.ndarray, b: np.ndarray, tree: shapely.STRtree | None = None):
    """(ia, ib): every pair of a and b whose geometries intersect (tree on b, a prepared)."""
    tree = tree if tree is not None else shapely.STRtree(b)
    ia, ib = tree.query(a, predicate="intersects")
    return ia.astype(np.int64), ib.astype(np.int64)


def overlap_per_pair(a: np.ndarray, b: np.ndarray, tree: shapely.STRtree | None = None) -> pd.DataFrame:
    """Long table ia, ib, area of every intersecting polygon pair with area > 0."""
    ia, ib = intersecting_pairs(a, b, tree)
    area = pair_areas(a, b, ia, ib)
    keep = area > 0
    return pd.DataFrame({"ia": ia[keep], "ib": ib[keep], "area": area[keep]})


def largest_overlap(a: np.ndarray, b: np.ndarray, tree: shapely.STRtree | None = None, *,
                    min_aandeel: float = 0.0) -> np.ndarray:
    """For each polygon of a, the index into b with the largest overlap area; -1 where none.

    With min_aandeel > 0 the largest overlap must also cover at least that share of a's area.
    """
    pairs = overlap_per_pair(a, b, tree)
    if min_aandeel > 0 and len(pairs):
        pairs = pairs[pairs.area.values >= min_aandeel * shapely.area(a[pairs.ia.values]) - 1e-9]
    best = np.full(len(a), -1, dtype=np.int64)
    if len(pairs):
        # sort by ia, then area descending, then ib (deterministic tie break); take the first per ia
        order = np.lexsort((pairs.ib.values, -pairs.area.values, pairs.ia.values))
        ia, ib = pairs.ia.values[order], pairs.ib.values[order]
        first = np.r_[True, ia[1:] != ia[:-1]]
        best[ia[first]] = ib[first]
    return best


def nearest_distance(a: np.ndarray, points: np.ndarray, tree: shapely.STRtree | None = None,
                     max_distance: float | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Distance from each geometry of a to the nearest of `points` (0 when one lies inside).

    Returns (distance, index into points); inf / -1 where there are no points (within max_distance).
    """
    dist = np.full(len(a), np.inf)
    idx = np.full(len(a), -1, dtype=np.int64)
    if len(a) == 0 or len(points) == 0:
        return dist, idx
    tree = tree if tree is not None else shapely.STRtree(points)
    (ia, ib), d = tree.query_nearest(a, max_distance=max_distance, return_distance=True, all_matches=False)
    dist[ia] = d
    idx[ia] = ib
    return dist, idx


def group_sum(index: np.ndarray, values: np.ndarray, n: int) -> np.ndarray:
    """Sum of values per group index 0..n-1 (np.bincount with float weights)."""
    if len(index) == 0:
        return np.zeros(n)
    return np.bincount(index, weights=values, minlength=n)[:n]


def group_max(index: np.ndarray, values: np.ndarray, n: int, fill) -> np.ndarray:
    """Maximum of values per group index 0..n-1; `fill` where a group is empty."""
    out = np.full(n, fill, dtype=np.asarray(values).dtype if len(values) else type(fill))
    if len(index):
        np.maximum.at(out, index, values)
    return out
