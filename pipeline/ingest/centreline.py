"""Quays drawn as areas -> the line along their middle, so a wall strip counts with its length, once.

BGT draws a scheiding or kunstwerkdeel either as a line or as a thin polygon (in a port most kademuren are
polygons). The quay length is the strip's long side, not its perimeter. Three shapes, each vectorised over
all polygons of its kind:
- straight strips (the polygon fills its minimum rotated rectangle): the rectangle's long centre line;
- ring-shaped strips (a wall around a basin, drawn as a polygon with one hole): the outer ring moved inwards
  by half the strip's width;
- anything else (bent and L-shaped strips along a basin corner, irregular widths): a medial-axis
  approximation, the chordal axis of a constrained Delaunay triangulation of the outline (densified to about
  twice the strip's width, so triangles span the strip), and the longest path through it (the diameter of
  that tree, found with two Dijkstra passes over all polygons at once), which leaves out short branches
  towards the outer corners.
The width used is that of the strip with the same area and perimeter (exact for rectangles, L-shapes and
annular sectors).
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import shapely
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components, dijkstra

STRAIGHT = "lange zijde (rechthoek)"
RING = "middellijn (ringvormige strook)"
MEDIAL = "middellijn (mediale as)"
FILL_STRAIGHT = 0.8   # polygon area / its rectangle's area above which a strip counts as straight


def strip_size(polygons: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(length, width) of the strip with the same area and perimeter; a ring strip's length is half its perimeter.

    For a strip without holes P = 2L + 2w and A = L w, so L and w are the roots of t² - (P/2) t + A = 0.
    """
    area, perimeter = shapely.area(polygons), shapely.length(polygons)
    ring = shapely.get_num_interior_rings(polygons) > 0
    half = perimeter / 2
    root = np.sqrt(np.maximum(half ** 2 - 4 * area, 0.0))
    length = np.where(ring, half, (half + root) / 2)
    return length, np.where(length > 0, area / np.maximum(length, 1e-12), 0.0)


def centrelines(polygons: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """One LineString per Polygon along the middle of the strip, and the Dutch name of the conversion used."""
    polygons = np.asarray(polygons, dtype=object)
    lines = np.empty(len(polygons), dtype=object)
    method = np.full(len(polygons), MEDIAL, dtype=object)
    if not len(polygons):
        return lines, method
    _, width = strip_size(polygons)
    holes = shapely.get_num_interior_rings(polygons)
    envelope = shapely.oriented_envelope(polygons)
    straight = (holes == 0) & (shapely.area(polygons) >= FILL_STRAIGHT * shapely.area(envelope))
    lines[straight] = _long_axis(envelope[straight])
    method[straight] = STRAIGHT
    ring = holes == 1
    if ring.any():
        lines[ring] = _ring_middle(polygons[ring], width[ring])
        method[ring] = RING
    rest = pd.isna(lines)
    if rest.any():
        lines[rest] = medial_axis(polygons[rest], width[rest])
        method[rest] = MEDIAL
    return lines, method


def _long_axis(rectangles: np.ndarray) -> np.ndarray:
    """The segment joining the midpoints of each rectangle's two short sides."""
    if not len(rectangles):
        return np.empty(0, dtype=object)
    c = shapely.get_coordinates(rectangles).reshape(len(rectangles), -1, 2)[:, :4, :]
    mid = (c + np.roll(c, -1, axis=1)) / 2                       # midpoints of sides 0-1, 1-2, 2-3, 3-0
    side = np.hypot(*(np.roll(c, -1, axis=1) - c).transpose(2, 0, 1))
    short_first = side[:, 0] <= side[:, 1]                       # then sides 0 and 2 are the short ones
    a = np.where(short_first[:, None], mid[:, 0], mid[:, 1])
    b = np.where(short_first[:, None], mid[:, 2], mid[:, 3])
    return shapely.linestrings(np.stack([a, b], axis=1))


def _ring_middle(polygons: np.ndarray, width: np.ndarray) -> np.ndarray:
    """The outer ring moved inwards by half the width; the medial axis where that does not give one ring."""
    shells = shapely.polygons(shapely.get_exterior_ring(polygons))
    inner = shapely.buffer(shells, -width / 2, join_style="mitre")
    ok = (shapely.get_type_id(inner) == shapely.GeometryType.POLYGON) & ~shapely.is_empty(inner)
    out = np.empty(len(polygons), dtype=object)
    if ok.any():
        coords, idx = shapely.get_coordinates(shapely.get_exterior_ring(inner[ok]), return_index=True)
        out[ok] = shapely.linestrings(coords, indices=idx)
    if (~ok).any():
        out[~ok] = medial_axis(polygons[~ok], width[~ok])
    return out


def medial_axis(polygons: np.ndarray, width: np.ndarray) -> np.ndarray:
    """The longest path through each polygon's chordal axis, as a LineString (see module docstring)."""
    polygons = np.asarray(polygons, dtype=object)
    outline = shapely.segmentize(shapely.simplify(polygons, width / 4), np.clip(2 * width, 0.2, 20.0))
    triangles, owner = shapely.get_parts(shapely.constrained_delaunay_triangles(outline), return_index=True)
    corners = shapely.get_coordinates(triangles).reshape(-1, 4, 2)[:, :3]
    segments, seg_owner = _chordal_axis(corners, owner)
    out = _longest_paths(segments, seg_owner, len(polygons))
    missing = pd.isna(out)
    if missing.any():  # a single triangle has no axis: the rectangle's long axis
        out[missing] = _long_axis(shapely.oriented_envelope(polygons[missing]))
    return out


def _chordal_axis(corners: np.ndarray, owner: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Segments of the chordal axis of triangulated polygons: per triangle, its internal edges' midpoints joined
    (2 internal edges), joined to the opposite corner (1: the end of a strip) or to the centroid (3: a branch)."""
    n = len(corners)
    a, b = corners, np.roll(corners, -1, axis=1)                    # edge k runs from corner k to corner k+1
    ra, rb = np.round(a, 6), np.round(b, 6)
    a_first = ((ra[..., 0] < rb[..., 0]) | ((ra[..., 0] == rb[..., 0]) & (ra[..., 1] <= rb[..., 1])))[..., None]
    lo, hi = np.where(a_first, ra, rb), np.where(a_first, rb, ra)    # an edge's key: its corners in x, y order
    key = pd.DataFrame({"o": np.repeat(owner, 3), "x0": lo[..., 0].ravel(), "y0": lo[..., 1].ravel(),
                        "x1": hi[..., 0].ravel(), "y1": hi[..., 1].ravel()})
    internal = key.duplicated(keep=False).to_numpy().reshape(n, 3)
    mid = (a + b) / 2
    k = internal.sum(axis=1)
    pieces, owners = [], []
    two = np.flatnonzero(k == 2)                                     # sleeve: midpoint to midpoint
    if len(two):
        m = mid[two][internal[two]].reshape(-1, 2, 2)
        pieces.append(m)
        owners.append(owner[two])
    one = np.flatnonzero(k == 1)                                     # end: midpoint to the opposite corner
    if len(one):
        e = internal[one].argmax(axis=1)
        pieces.append(np.stack([mid[one, e], corners[one, (e + 2) % 3]], axis=1))
        owners.append(owner[one])
    three = np.flatnonzero(k == 3)                                   # branch: centroid to each midpoint
    if len(three):
        c = np.repeat(corners[three].mean(axis=1), 3, axis=0)
        pieces.append(np.stack([c, mid[three].reshape(-1, 2)], axis=1))
        owners.append(np.repeat(owner[three], 3))
    if not pieces:
        return np.zeros((0, 2, 2)), np.zeros(0, dtype=np.int64)
    return np.concatenate(pieces), np.concatenate(owners)


def _longest_paths(ends: np.ndarray, owner: np.ndarray, n: int) -> np.ndarray:
    """Per owner the longest of the tree diameters of its skeleton pieces, as a LineString (None: no edges)."""
    out = np.full(n, None, dtype=object)
    if not len(ends):
        return out
    _, node = np.unique(np.round(ends.reshape(-1, 2), 6), axis=0, return_inverse=True)
    node = node.reshape(-1, 2)
    n_nodes = int(node.max()) + 1
    length = np.hypot(*(ends[:, 1] - ends[:, 0]).T)
    graph = coo_matrix((np.maximum(length, 1e-9), (node[:, 0], node[:, 1])), shape=(n_nodes, n_nodes)).tocsr()
    _, label = connected_components(graph, directed=False)
    xy = np.zeros((n_nodes, 2))
    xy[node.ravel()] = ends.reshape(-1, 2)
    node_owner = np.zeros(n_nodes, dtype=np.int64)
    node_owner[node.ravel()] = np.repeat(owner, 2)

    starts = np.unique(label, return_index=True)[1]
    dist = dijkstra(graph, directed=False, indices=starts, min_only=True)
    far = _argmax_per(label, dist)
    dist, pred, _ = dijkstra(graph, directed=False, indices=far, min_only=True, return_predecessors=True)
    end = _argmax_per(label, dist)
    diameter = dist[end]
    best = pd.Series(diameter).groupby(node_owner[end]).idxmax()      # per owner: its longest piece
    chosen = end[best.to_numpy()]
    cur, steps = chosen.copy(), [chosen.copy()]
    while (cur >= 0).any():                                           # walk back to the start, all at once
        nxt = np.where(cur >= 0, pred[np.maximum(cur, 0)], -9999)
        cur = np.where(nxt >= 0, nxt, -1)
        steps.append(cur.copy())
    path = np.stack(steps, axis=1)                                     # (pieces, hops) node ids, -1 padded
    which, pos = np.nonzero(path >= 0)
    lines = shapely.linestrings(xy[path[which, pos]], indices=which)
    ok = shapely.get_num_coordinates(lines) >= 2
    out[best.index.to_numpy()[ok]] = lines[ok]
    return out


def _argmax_per(label: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Per label (0..k-1), the index of its largest finite value."""
    v = np.where(np.isfinite(values), values, -1.0)
    order = np.lexsort((-v, label))
    first = np.unique(label[order], return_index=True)[1]
    return order[first]
