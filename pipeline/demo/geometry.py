"""Shape helpers shared by the layer generators, vectorised with shapely 2 (no loops over features).

Why here: terreinen, kavels, panden and quays all need the same few primitives (irregular polygons,
rotated rectangles, uniform points inside polygons, polylines split into network sections).
"""
from __future__ import annotations

import numpy as np
import shapely


def star_polygons(rng, cx, cy, area, k: int = 20, roughness: float = 0.22):
    """Irregular, always simple polygons of the given areas: returns (polygons, max radius, rotation)."""
    n = len(cx)
    base = np.linspace(0, 2 * np.pi, k, endpoint=False)
    ang = base[None, :] + rng.uniform(-0.35, 0.35, (n, k)) * (2 * np.pi / k)
    rad = np.ones((n, k))
    for h in (2, 3, 5):
        amp = rng.uniform(0, roughness, n)[:, None] / h * 2
        ph = rng.uniform(0, 2 * np.pi, n)[:, None]
        rad += amp * np.sin(h * ang + ph)
    rad += rng.uniform(-0.06, 0.06, (n, k))
    rad = np.clip(rad, 0.35, None)
    elong = rng.uniform(1.0, 1.9, n)[:, None]
    rot = rng.uniform(0, np.pi, n)[:, None]
    px, py = rad * np.cos(ang) * elong, rad * np.sin(ang) / elong
    rx = px * np.cos(rot) - py * np.sin(rot)
    ry = px * np.sin(rot) + py * np.cos(rot)
    a_unit = 0.5 * np.abs(np.sum(rx * np.roll(ry, -1, 1) - np.roll(rx, -1, 1) * ry, axis=1))
    f = np.sqrt(np.asarray(area) / a_unit)[:, None]
    rx, ry = rx * f, ry * f
    rmax = np.max(np.hypot(rx, ry), axis=1)
    coords = np.stack([np.round(rx + np.asarray(cx)[:, None], 2), np.round(ry + np.asarray(cy)[:, None], 2)], axis=-1)
    coords = np.concatenate([coords, coords[:, :1, :]], axis=1)
    return shapely.polygons(coords), rmax, rot[:, 0]


def rectangles(cx, cy, length, width, angle):
    """Rotated rectangles (centre, length along `angle`, width across), coordinates rounded to mm."""
    hl, hw = np.asarray(length) / 2, np.asarray(width) / 2
    c, s = np.cos(angle), np.sin(angle)
    lx = np.array([-1, 1, 1, -1, -1])[None, :] * hl[:, None]
    ly = np.array([-1, -1, 1, 1, -1])[None, :] * hw[:, None]
    gx = np.asarray(cx)[:, None] + lx * c[:, None] - ly * s[:, None]
    gy = np.asarray(cy)[:, None] + lx * s[:, None] + ly * c[:, None]
    return shapely.polygons(np.stack([np.round(gx, 3), np.round(gy, 3)], axis=-1))


def sample_in_polygons(rng, polys, counts):
    """counts[i] uniform points inside polys[i] (vectorised rejection); returns owner, x, y sorted by owner."""
    polys = np.asarray(polys)
    counts = np.asarray(counts, dtype=np.int64)
    if len(polys) == 0 or counts.sum() == 0:
        return np.zeros(0, np.int64), np.zeros(0), np.zeros(0)
    b = shapely.bounds(polys)
    fill = shapely.area(polys) / np.maximum((b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1]), 1e-9)
    need = counts.copy()
    owners, xs, ys = [], [], []
    for _ in range(60):
        if need.sum() == 0:
            break
        draw = np.ceil(need / np.maximum(fill, 0.05) * 1.6 + 4).astype(np.int64)
        draw[need == 0] = 0
        owner = np.repeat(np.arange(len(polys)), draw)
        x = rng.uniform(b[owner, 0], b[owner, 2])
        y = rng.uniform(b[owner, 1], b[owner, 3])
        inside = shapely.contains_xy(polys[owner], x, y)
        owner, x, y = owner[inside], x[inside], y[inside]
        first = np.searchsorted(owner, np.arange(len(polys)))
        take = (np.arange(len(owner)) - first[owner]) < need[owner]
        owners.append(owner[take])
        xs.append(x[take])
        ys.append(y[take])
        need -= np.bincount(owner[take], minlength=len(polys))
    owner, x, y = np.concatenate(owners), np.concatenate(xs), np.concatenate(ys)
    order = np.argsort(owner, kind="stable")
    return owner[order], x[order], y[order]


def voronoi_tiles(rng, polys, per):
    """Tile each polygon i into about per[i] plots (Voronoi cells clipped to it); returns (plots, owner).

    The loop runs over terreinen (hundreds), not over plots. Cells are clipped to the polygon, so the
    plots of one polygon cover it exactly.
    """
    owner, x, y = sample_in_polygons(rng, polys, per)
    starts = np.searchsorted(owner, np.arange(len(polys)))
    cells, cell_owner = [], []
    for i, poly in enumerate(polys):
        s, e = starts[i], starts[i] + per[i]
        if per[i] <= 1:
            cells.append(poly)
            cell_owner.append(i)
            continue
        parts = shapely.get_parts(shapely.voronoi_polygons(shapely.multipoints(np.column_stack([x[s:e], y[s:e]])),
                                                           extend_to=poly))
        cells.extend(parts)
        cell_owner.extend([i] * len(parts))
    cells, cell_owner = np.array(cells, dtype=object), np.array(cell_owner)
    clipped = shapely.intersection(cells, np.asarray(polys)[cell_owner], grid_size=0.001)
    parts, idx = shapely.get_parts(clipped, return_index=True)
    owner = cell_owner[idx]
    keep = (shapely.get_type_id(parts) == 3) & (shapely.area(parts) > 1.0)
    parts, owner = parts[keep], owner[keep]
    order = np.argsort(owner, kind="stable")
    return parts[order], owner[order]


def grid_cells(x0, y0, x1, y1, nx, ny):
    """nx * ny equal boxes over a rectangle; returns (boxes, column, row), row 0 at the bottom."""
    xs, ys = np.linspace(x0, x1, nx + 1), np.linspace(y0, y1, ny + 1)
    col, row = np.meshgrid(np.arange(nx), np.arange(ny))
    col, row = col.ravel(), row.ravel()
    return shapely.box(xs[col], ys[row], xs[col + 1], ys[row + 1]), col, row


def random_walk(rng, start, heading, step, n, wiggle=0.06):
    """A gently curving polyline of n steps from `start` (array (n+1, 2))."""
    h = heading + np.cumsum(rng.normal(0, wiggle, n))
    xs = start[0] + np.concatenate([[0.0], np.cumsum(step * np.cos(h))])
    ys = start[1] + np.concatenate([[0.0], np.cumsum(step * np.sin(h))])
    return np.round(np.column_stack([xs, ys]), 2)


def split_polyline(coords, breaks):
    """Split a polyline at the given vertex indices; the pieces share their end points exactly."""
    cuts = sorted({0, len(coords) - 1, *[b for b in breaks if 0 < b < len(coords) - 1]})
    return [coords[a:b + 1] for a, b in zip(cuts[:-1], cuts[1:])]


def straight(p0, p1, spacing):
    """Points from p0 to p1 every `spacing` metres (both ends included)."""
    p0, p1 = np.asarray(p0, float), np.asarray(p1, float)
    n = max(1, int(round(np.hypot(*(p1 - p0)) / spacing)))
    t = np.linspace(0, 1, n + 1)[:, None]
    return np.round(p0 + t * (p1 - p0), 2)


def line_pieces(lines, max_len):
    """Every line cut into 2-point pieces of at most max_len (small pieces keep STRtree queries fast)."""
    dense = shapely.segmentize(np.asarray(lines), max_len)
    coords, idx = shapely.get_coordinates(dense, return_index=True)
    same = idx[1:] == idx[:-1]
    starts = np.flatnonzero(same)
    pairs = np.stack([coords[starts], coords[starts + 1]], axis=1)
    return shapely.linestrings(pairs)
