"""Contours: where a milieucategorie fits inside each terrein (raster method, indicatief).

Settings: `analyse.milieuruimte.contour_categorieen`, `contour_resolutie_m`, the richtafstanden tables.
A category fits at a place when the distance to every gevoelig object is at least its richtafstand (the
terrein's omgevingstype table). See `contouren` for the method and its accuracy.
"""
from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pandas as pd
import rasterio.features
import shapely
from rasterio.transform import Affine

from pipeline.analyse._geo import geoms, in_threads, nearest_distance, nearest_tree
from pipeline.crs import WORKING_CRS

RUSTIG, GEMENGD = "rustige woonwijk", "gemengd gebied"


def per_terrein(terreinen, gevoelig: np.ndarray, omgevingstype, settings, *,
                tree: shapely.STRtree | None = None) -> gpd.GeoDataFrame:
    """The contours of the configured categories for every terrein: categorie, omgevingstype, rin_nummer."""
    cont = contouren(terreinen, gevoelig, settings.contour_categorieen, omgevingstype,
                     rustig=settings.richtafstanden_rustig, gemengd=settings.richtafstanden_gemengd,
                     resolutie_m=settings.contour_resolutie_m, tree=tree)
    cont["rin_nummer"] = terreinen["rin_nummer"].astype("str").to_numpy()[cont.pop("terrein").to_numpy(int)]
    cont = gpd.GeoDataFrame(cont[["categorie", "omgevingstype", "rin_nummer", "geometry"]], geometry="geometry",
                            crs=WORKING_CRS)
    return cont[~cont.geometry.is_empty].reset_index(drop=True)
BLOKKEN = (16, 4)  # block sizes (cells) of the coarse-to-fine distance search (see afstand_cellen)


def contouren(terreinen, gevoelig: np.ndarray, categorieen: list[str], omgevingstype, *,
              rustig: dict[str, float], gemengd: dict[str, float], resolutie_m: float = 10.0,
              tree: shapely.STRtree | None = None) -> pd.DataFrame:
    """Per category and terrein: the part of the terrein at least the richtafstand from every gevoelig object.

    Raster method (indicative, to about resolutie_m): every terrein's bounding-box window of one grid
    is packed into a compact atlas raster (`atlas`), so terreinen never share a cell. Every cell the
    terrein touches gets the distance from its centre to the nearest gevoelig object (`afstand_cellen`),
    a category fits the cell when that distance >= its richtafstand (the terrein's omgevingstype table).
    Per category one rasterio.features.shapes call outlines the fitting cells, and the outlines are
    clipped to their terrein. A terrein where every cell fits gets its own exact outline.
    Returns columns categorie, omgevingstype, terrein (positional index), geometry; a category that
    fits nowhere gives an empty polygon.
    """
    tgeom = geoms(terreinen)
    n = len(tgeom)
    typ = pd.Series(omgevingstype).astype("string").to_numpy()
    columns = ["categorie", "omgevingstype", "terrein", "geometry"]
    if not categorieen or n == 0:
        return pd.DataFrame(columns=columns)
    tables = {RUSTIG: rustig, GEMENGD: gemengd}
    thr = np.array([[tables.get(t, rustig)[c] for c in categorieen] for t in typ], dtype=float).reshape(n, -1)
    pts = np.asarray(gevoelig, dtype=object)
    r = float(resolutie_m)
    ok = ~(shapely.is_missing(tgeom) | shapely.is_empty(tgeom))
    labels, shift, window = atlas(np.where(ok, tgeom, None), r, blok=max(BLOKKEN))
    rows, cols = np.nonzero(labels)
    lab = labels[rows, cols] - 1
    x, y = (cols + 0.5) * r - shift[lab, 0], -(rows + 0.5) * r - shift[lab, 1]
    if len(pts):
        tree = tree if tree is not None else nearest_tree(pts)
        d = afstand_cellen(x, y, rows, cols, lab, thr, tree, r)
    else:
        d = np.full(len(x), np.inf)
    ncell = np.bincount(lab, minlength=n)
    empty = shapely.from_wkt("POLYGON EMPTY")
    frames = []
    for k, c in enumerate(categorieen):  # a handful of categories
        fits = d >= thr[lab, k]
        nfit = np.bincount(lab[fits], minlength=n)
        out = np.full(n, empty, dtype=object)
        full = ok & (nfit == ncell)
        out[full] = tgeom[full]
        part = ok & (nfit > 0) & (nfit < ncell)
        if part.any():
            keep = fits & part[lab]
            out[part] = _vectoriseer(rows[keep], cols[keep], lab[keep], window, shift, r, tgeom, np.flatnonzero(part))
        frames.append(pd.DataFrame({"categorie": c, "omgevingstype": typ, "terrein": np.arange(n), "geometry": out}))
    return pd.concat(frames, ignore_index=True)


def atlas(tgeom: np.ndarray, r: float, blok: int = 1) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Label raster (0 = none, i + 1 = terrein i) of the terreinen packed side by side, shift (n, 2) and
    window (n, 4: first row, first column, rows, columns).

    Each terrein gets a window of one global r-grid around its bounding box (at least one empty cell
    margin), its edges on multiples of `blok` cells; the windows are shelf-packed, tallest first, at
    multiples of `blok` too, so a blok x blok block of the atlas never holds two terreinen. Every cell
    a terrein touches is burnt in (all_touched). Atlas coordinates = RD coordinates + shift[i]; the
    atlas transform is (r, 0, 0, 0, -r, 0).
    """
    n = len(tgeom)
    present = shapely.is_geometry(tgeom)
    if not present.any():
        return np.zeros((1, 1), dtype=np.int32), np.zeros((n, 2)), np.zeros((n, 4), dtype=np.int64)
    b = shapely.bounds(tgeom)
    b[~present] = np.nanmin(b[present], axis=0)[[0, 1, 0, 1]]
    step = r * blok
    gx0, gy1 = np.floor(b[:, 0].min() / step) * step, np.ceil(b[:, 3].max() / step) * step
    c0 = np.floor(((b[:, 0] - gx0) / r - 1) / blok).astype(np.int64) * blok
    c1 = np.ceil(((b[:, 2] - gx0) / r + 1) / blok).astype(np.int64) * blok
    r0 = np.floor(((gy1 - b[:, 3]) / r - 1) / blok).astype(np.int64) * blok
    r1 = np.ceil(((gy1 - b[:, 1]) / r + 1) / blok).astype(np.int64) * blok
    w, h = c1 - c0, r1 - r0
    order = np.argsort(-h, kind="stable")
    width = max(int(w.max()), int(np.ceil(np.sqrt((w * h).sum()) / blok)) * blok)
    start = np.cumsum(w[order]) - w[order]
    shelf = start // width
    shelf_h = np.zeros(int(shelf.max()) + 1, dtype=np.int64)
    np.maximum.at(shelf_h, shelf, h[order])
    ac, ar = np.empty(n, dtype=np.int64), np.empty(n, dtype=np.int64)
    ac[order] = start - shelf * width
    ar[order] = (np.cumsum(shelf_h) - shelf_h)[shelf]
    shift = np.column_stack([(ac - c0) * r - gx0, (r0 - ar) * r - gy1])
    moved = _verschuif(tgeom, shift)
    labels = rasterio.features.rasterize(
        ((g, i + 1) for i, g in enumerate(moved) if present[i]), out_shape=(int(shelf_h.sum()), width + int(w.max())),
        transform=Affine(r, 0, 0, 0, -r, 0), fill=0, all_touched=True, dtype="int32")
    return labels, shift, np.column_stack([ar, ac, h, w])


def _verschuif(g: np.ndarray, shift: np.ndarray, index: np.ndarray | None = None) -> np.ndarray:
    """Every geometry moved by its own (dx, dy): shift[index[i]] (index defaults to 0..n-1)."""
    _, part = shapely.get_coordinates(g, return_index=True)
    off = shift[part if index is None else np.asarray(index)[part]]
    return shapely.transform(g, lambda xy: xy + off)


def afstand_cellen(x, y, rows, cols, lab, thr: np.ndarray, tree: shapely.STRtree, r: float,
                   blokken: tuple[int, ...] | None = None) -> np.ndarray:
    """Per cell a value v that classifies it exactly: v >= thr[lab, k] iff the distance from the cell
    centre (x, y) to the nearest gevoelig object >= thr[lab, k].

    rows, cols: the cell in an atlas aligned to the first block size (`atlas`), so a block holds the
    cells of one terrein only. Coarse to fine: the cells of a B x B block share one nearest query from
    the block centre (distance d_b). Every cell lies within h = (B - 1) / 2 * r * sqrt(2) of that
    centre, so its distance lies in [d_b - h, d_b + h]; where no richtafstand of the terrein falls in
    there, the block is settled (v = max(d_b - h, 0)). Open blocks go to the next, smaller block size.
    The open blocks of the last size get exact distances: each cell's nearest object lies within
    d_b + 2h of its block centre, so one "dwithin" query per block gives the candidates.
    """
    d = np.full(len(x), np.inf)
    todo = np.arange(len(x))
    sizes = blokken or BLOKKEN
    for level, size in enumerate(sizes):
        if len(todo) == 0:
            break
        br, bc = rows[todo] // size, cols[todo] // size
        nbc = int(bc.max()) + 1
        key = br * nbc + bc
        lookup = np.full(int(key.max()) + 1, -1, dtype=np.int64)
        lookup[key] = 0
        ids = np.flatnonzero(lookup == 0)
        lookup[ids] = np.arange(len(ids))
        inv = lookup[key]  # block of each cell, 0..nblocks-1 (no sort needed)
        first = np.empty(len(ids), dtype=np.int64)
        first[inv] = todo
        cx = ((ids % nbc) * size + size / 2 - (cols[first] + 0.5)) * r + x[first]
        cy = ((rows[first] + 0.5) - (ids // nbc) * size - size / 2) * r + y[first]
        db, _ = nearest_distance(in_threads(shapely.points, cx, cy), None, tree)
        h = (size - 1) / 2 * r * np.sqrt(2)
        t = thr[lab[first]]
        lo = np.maximum(db - h, 0.0)
        open_ = ((t > lo[:, None]) & (t <= (db + h)[:, None])).any(axis=1)
        done = ~open_[inv]
        d[todo[done]] = lo[inv[done]]
        todo, inv = todo[~done], inv[~done]
        if level == len(sizes) - 1 and len(todo):
            blocks, blk = np.unique(inv, return_inverse=True)
            d[todo] = _exact_per_blok(x[todo], y[todo], blk.ravel(), cx[blocks], cy[blocks], db[blocks] + 2 * h, tree)
    return d


def _exact_per_blok(x, y, blk, cx, cy, radius, tree: shapely.STRtree, max_elements: int = 4_000_000) -> np.ndarray:
    """Exact nearest distance of each cell (x, y) in block blk, from the candidates of its block.

    Candidates: the objects within radius[b] of block centre b (one STRtree "dwithin" query); then
    every cell x candidate distance with numpy, in chunks of about max_elements, minimum per cell.
    """
    ib, ip = tree.query(in_threads(shapely.points, cx, cy), predicate="dwithin", distance=radius)
    o = np.argsort(ib, kind="stable")
    ib, ip = ib[o], ip[o]
    cand = tree.geometries[ip]
    point = bool((shapely.get_type_id(cand) == 0).all())
    pxy = shapely.get_coordinates(cand) if point else None
    m = np.bincount(ib, minlength=len(cx))
    pstart = np.cumsum(m) - m
    mc = m[blk]  # candidates per cell (>= 1: the block's nearest object is within d_b)
    out = np.full(len(x), np.inf)
    bounds = np.searchsorted(np.cumsum(mc), np.arange(max_elements, mc.sum() + max_elements, max_elements))
    lo = 0
    for hi in np.unique(np.r_[bounds, len(x)]):  # a few chunks, bounding memory
        hi = max(int(hi), lo + 1)
        if lo >= len(x):
            break
        c = np.arange(lo, min(hi, len(x)))
        cnt = mc[c]
        rep = np.repeat(c, cnt)
        seg = np.cumsum(cnt) - cnt
        pair = pstart[blk[rep]] + np.arange(len(rep)) - np.repeat(seg, cnt)
        if point:
            dist = np.hypot(x[rep] - pxy[pair, 0], y[rep] - pxy[pair, 1])
        else:
            dist = shapely.distance(shapely.points(x[rep], y[rep]), cand[pair])
        out[c] = np.minimum.reduceat(dist, seg)
        lo = int(c[-1]) + 1
    return out


def _vectoriseer(rows, cols, lab, window: np.ndarray, shift: np.ndarray, r: float, tgeom: np.ndarray,
                 which: np.ndarray) -> np.ndarray:
    """The atlas cells (rows, cols) of each terrein in `which` as polygons, clipped to the terrein outline.

    The atlas rows and columns that cross no window of `which` are left out first (windows stay
    whole and apart), so rasterio.features.shapes scans a smaller grid.
    """
    kept = []
    for first, size, idx in ((window[which, 0], window[which, 2], rows), (window[which, 1], window[which, 3], cols)):
        edge = np.zeros(int((first + size).max()) + 1, dtype=np.int64)
        np.add.at(edge, first, 1)
        np.add.at(edge, first + size, -1)
        use = np.cumsum(edge)[:-1] > 0
        kept.append((np.cumsum(use) - 1, int(use.sum())))
    (new_row, nr), (new_col, nc) = kept
    grid = np.zeros((nr, nc), dtype=np.int32)
    grid[new_row[rows], new_col[cols]] = lab + 1
    shift = shift.copy()
    shift[which, 0] -= (window[which, 1] - new_col[window[which, 1]]) * r
    shift[which, 1] += (window[which, 0] - new_row[window[which, 0]]) * r
    found = list(rasterio.features.shapes(grid, mask=grid > 0, transform=Affine(r, 0, 0, 0, -r, 0), connectivity=4))
    # one GeoJSON GeometryCollection parsed by GEOS: much faster than shapely.geometry.shape per polygon
    polys = shapely.get_parts(shapely.from_geojson(
        '{"type":"GeometryCollection","geometries":' + json.dumps([g for g, _ in found]) + "}"))
    lab = np.array([v for _, v in found], dtype=np.int64) - 1
    order = np.argsort(lab, kind="stable")
    polys, lab = _verschuif(polys[order], -shift, lab[order]), lab[order]
    uniq, idx = np.unique(lab, return_inverse=True)
    multi = shapely.multipolygons(polys, indices=idx)
    bad = ~shapely.is_valid(multi)
    multi[bad] = shapely.make_valid(multi[bad])
    clipped = np.empty(len(uniq), dtype=object)
    clipped[:] = in_threads(shapely.intersection, multi, tgeom[uniq])
    out = pd.Series(clipped, index=uniq).reindex(which).to_numpy()
    mixed = shapely.get_type_id(out) == 7  # a GeometryCollection: keep its polygonal parts only
    if mixed.any():
        parts, pi = shapely.get_parts(out[mixed], return_index=True)
        keep = shapely.get_type_id(parts) == 3
        fixed = np.full(int(mixed.sum()), shapely.from_wkt("POLYGON EMPTY"), dtype=object)
        if keep.any():
            u, ix = np.unique(pi[keep], return_inverse=True)
            fixed[u] = shapely.multipolygons(parts[keep], indices=ix)
        out[mixed] = fixed
    return out
