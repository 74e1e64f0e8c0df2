"""BAG panden (footprints) and verblijfsobjecten (address points with gebruiksdoel).

Why: dwellings, schools and care buildings are the gevoelige objecten for milieuruimte, and the
footprints on the kavels give the bebouwing (GSI). Kavel buildings are halls sized to a target GSI per
kavel and split into attached units; town houses sit on a jittered 18 m grid so they never overlap.
Everything is arrays: no loop over buildings.
"""
from __future__ import annotations

import functools
import operator
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from pipeline.crs import WORKING_CRS
from pipeline.demo import scenario as sc
from pipeline.demo.geometry import rectangles
from pipeline.demo.lazy import CHUNK, Coded, LazyLayer, Rects, pieces
from pipeline.demo.sizes import in_box, scenario_box
from pipeline.demo.towns import nearest_town

CELL = 18.0
KEEP_OFF = 800.0   # background dwellings stay this far outside the scenario box (port > 1.3 km from homes)
PAND_STATUS = (["Pand in gebruik", "Pand in gebruik (niet ingemeten)", "Bouw gestart", "Verbouwing pand"],
               [0.96, 0.02, 0.01, 0.01])
VBO_STATUS = (["Verblijfsobject in gebruik", "Verblijfsobject in gebruik (niet ingemeten)",
               "Verblijfsobject gevormd"], [0.97, 0.02, 0.01])
TERREIN_DOEL = (["industriefunctie", "kantoorfunctie,industriefunctie", "kantoorfunctie", "overige gebruiksfunctie",
                 "winkelfunctie", "industriefunctie,winkelfunctie"], [0.55, 0.15, 0.1, 0.12, 0.05, 0.03])
TOWN_DOEL = (["winkelfunctie", "kantoorfunctie", "bijeenkomstfunctie", "gezondheidszorgfunctie",
              "onderwijsfunctie", "sportfunctie", "logiesfunctie", "woonfunctie,winkelfunctie"],
             [0.38, 0.22, 0.1, 0.05, 0.01, 0.05, 0.05, 0.14])


def _pick(rng, table, n) -> Coded:
    """n values drawn with the table's probabilities (the same draws as rng.choice(values))."""
    values, p = table
    return Coded(rng.choice(len(values), size=n, p=p), values)


def _envelope(geoms):
    """Centre, long/short side and angle of each geometry's oriented minimum rectangle."""
    env = shapely.oriented_envelope(geoms)
    c = shapely.get_coordinates(env).reshape(len(geoms), -1, 2)[:, :4, :]
    e1, e2 = c[:, 1] - c[:, 0], c[:, 2] - c[:, 1]
    l1, l2 = np.hypot(*e1.T), np.hypot(*e2.T)
    long_is_1 = l1 >= l2
    vec = np.where(long_is_1[:, None], e1, e2)
    centre = c.mean(axis=1)
    return centre, np.maximum(l1, l2), np.minimum(l1, l2), np.arctan2(vec[:, 1], vec[:, 0])


def kavel_panden(rng, kavels: gpd.GeoDataFrame, n_target: int):
    """Halls on built kavels (gsi > 0), split into attached units; returns (polygons, kavel index)."""
    built = np.flatnonzero(kavels["gsi"].values > 0)
    geoms = kavels.geometry.values[built]
    area = shapely.area(geoms)
    gsi = kavels["gsi"].values[built]
    centre, long_, short, angle = _envelope(geoms)
    f = np.clip(np.sqrt(gsi * area / (long_ * short)), 0.05, 0.95)
    hall_l, hall_w = f * long_, f * short
    w = area * gsi
    k = np.maximum(1, np.floor(n_target * w / w.sum() + rng.random(len(w)))).astype(np.int64)
    k = np.minimum(k, np.maximum(1, (hall_l / 12).astype(np.int64)))   # units at least 12 m long
    owner = np.repeat(np.arange(len(built)), k)
    j = np.arange(k.sum()) - np.repeat(np.cumsum(k) - k, k)
    unit = hall_l[owner] / k[owner]
    off = -hall_l[owner] / 2 + (j + 0.5) * unit
    cx = centre[owner, 0] + off * np.cos(angle[owner])
    cy = centre[owner, 1] + off * np.sin(angle[owner])
    units = rectangles(cx, cy, unit, hall_w[owner], angle[owner])
    inner = shapely.buffer(geoms, -3.0, join_style="mitre")
    shapely.prepare(inner)
    clipped = units.copy()
    cut = ~shapely.contains(inner[owner], units)          # only units that stick out are clipped
    clipped[cut] = shapely.intersection(units[cut], inner[owner[cut]])
    parts, idx = shapely.get_parts(clipped, return_index=True)
    a = shapely.area(parts)
    order = np.lexsort((-a, idx))
    parts, idx, a = parts[order], idx[order], a[order]
    first = np.r_[True, idx[1:] != idx[:-1]] & (a > 15.0) & (shapely.get_type_id(parts) == 3)
    return parts[first], built[owner[idx[first]]]


def town_houses(rng, towns: pd.DataFrame, per_town: np.ndarray, ext, exclude_tree, exclude_d=30.0):
    """per_town[i] non-overlapping houses around town i; returns (polygons, town index, centre x, y, L, W, angle).

    Houses take cells of an 18 m grid (one house per cell, so none overlap). Draws repeat for the towns
    still short, oversampling by each town's acceptance rate; towns that cannot fit more hand their
    remainder to the largest town.
    """
    x0, y0, x1, y1 = ext
    nx, ny = int((x1 - x0) / CELL) + 2, int((y1 - y0) / CELL) + 2
    taken = np.zeros(nx * ny, bool)
    need = per_town.astype(np.int64).copy()
    rate = np.full(len(towns), 0.5)
    xs, ys, tw = [], [], []
    bg_box = scenario_box(KEEP_OFF)
    d = sc.DEMODORP
    biggest = int(np.argmax(np.where(towns.scenario.values, -1.0, towns.share.values)))
    for attempt in range(25):
        if need.sum() <= 0:
            break
        m = np.ceil(need / np.maximum(rate, 0.05) * 1.2 + 20 * (need > 0)).astype(np.int64)
        t = np.repeat(np.arange(len(towns)), m)
        r = np.abs(rng.standard_t(6, len(t))) * towns.sigma.values[t]
        th = rng.uniform(0, 2 * np.pi, len(t))
        ix = np.floor((towns.x.values[t] + r * np.cos(th) - x0) / CELL).astype(np.int64)
        iy = np.floor((towns.y.values[t] + r * np.sin(th) - y0) / CELL).astype(np.int64)
        px, py = x0 + (ix + 0.5) * CELL, y0 + (iy + 0.5) * CELL
        ok = in_box(px, py, (x0 + CELL, y0 + CELL, x1 - CELL, y1 - CELL))
        key = np.where(ok, ix * ny + iy, 0)
        ok &= np.where(towns.scenario.values[t], (r < d["radius"]) & (py >= sc.OY + d["min_y"]),
                       ~in_box(px, py, bg_box))
        ok &= ~taken[key]
        first = np.zeros(len(key), bool)
        first[np.unique(np.where(ok, key, -1), return_index=True)[1]] = True
        ok &= first
        cand = np.flatnonzero(ok)
        ok[cand[_near(exclude_tree, px[cand], py[cand], exclude_d)]] = False
        sel = np.flatnonzero(ok)
        rank = pd.Series(t[sel]).groupby(t[sel]).cumcount().values
        sel = sel[rank < need[t[sel]]]
        taken[key[sel]] = True
        xs.append(px[sel])
        ys.append(py[sel])
        tw.append(t[sel])
        got = np.bincount(t[sel], minlength=len(towns))
        rate = np.where(m > 0, np.bincount(t[ok], minlength=len(towns)) / np.maximum(m, 1), rate)
        need -= got
        stuck = (need > 0) & (rate < 0.02) & ~towns.scenario.values
        if attempt >= 3 and stuck.any():
            need[biggest] += need[stuck].sum()
            need[stuck] = 0
    x, y, t = np.concatenate(xs), np.concatenate(ys), np.concatenate(tw)
    n = len(x)
    base = rng.uniform(0, np.pi / 2, len(towns))
    angle = base[t] + rng.choice([0.0, np.pi / 2], n) + rng.normal(0, 0.05, n)
    L, W = rng.uniform(7.0, 14.0, n), rng.uniform(6.0, 10.0, n)
    x, y = x + rng.uniform(-0.4, 0.4, n), y + rng.uniform(-0.4, 0.4, n)
    return Rects(x, y, L, W, angle), t, x, y, L, W, angle


def _near(tree: shapely.STRtree, x: np.ndarray, y: np.ndarray, distance: float) -> np.ndarray:
    """Which points (x, y) lie within `distance` of a geometry in the tree; the points made CHUNK at a time (a town's
    candidate houses number millions at national scale)."""
    near = np.zeros(len(x), bool)
    for s in range(0, len(x), CHUNK):
        hit = tree.query(shapely.points(x[s:s + CHUNK], y[s:s + CHUNK]), predicate="dwithin", distance=distance)[0]
        near[s + hit] = True
    return near


def _points_in_rect(rng, x, y, L, W, angle):
    u, v = rng.uniform(-0.3, 0.3, len(x)) * L, rng.uniform(-0.3, 0.3, len(x)) * W
    return np.round(x + u * np.cos(angle) - v * np.sin(angle), 3), np.round(y + u * np.sin(angle) + v * np.cos(angle), 3)


@dataclass
class _Buildings:
    """The panden in the order they are numbered, with what the verblijfsobjecten need of them."""
    k_polys: np.ndarray      # halls on the kavels
    k_kavel: np.ndarray      # their kavel (row index)
    k_gm: np.ndarray         # their gemeente
    crafted: np.ndarray      # fixed houses of the scenario, and their points
    crafted_pts: np.ndarray
    school: object
    school_pt: tuple
    rural: np.ndarray        # farms, with their centres
    rx: np.ndarray
    ry: np.ndarray
    houses: tuple            # town_houses(...) output: polygons (made on demand), town, x, y, L, W, angle

    @property
    def parts(self) -> list:
        """The panden in numbering order, in pieces: lazy.pieces makes the geometries of any rows."""
        return [self.k_polys, self.crafted, np.array([self.school], dtype=object), self.rural, self.houses[0]]


def _buildings(rng, kavels, terreinen, towns, ext, n_panden, n_woningen, exclusion, share_in) -> _Buildings:
    """Halls on the kavels, the scenario's houses and school, rural farms, and town houses for the rest."""
    k_polys, k_kavel = kavel_panden(rng, kavels, int(round(n_panden * share_in)))
    gm_of_rin = dict(zip(terreinen["rin"].values, terreinen["gm"].values))
    k_gm = pd.Series(kavels["rin"].values[k_kavel]).map(gm_of_rin).to_numpy(dtype=object)
    crafted, crafted_pts = sc.crafted_houses()
    school, school_pt = sc.school()
    n_rural = int(round(0.02 * n_woningen))
    rx, ry = rng.uniform(ext[0], ext[2], n_rural * 3), rng.uniform(ext[1], ext[3], n_rural * 3)
    ok = ~in_box(rx, ry, scenario_box(KEEP_OFF))
    ok[_near(exclusion, rx, ry, 60.0)] = False
    rx, ry = rx[ok][:n_rural], ry[ok][:n_rural]
    n_rural = len(rx)
    ra = rng.uniform(0, np.pi, n_rural)
    rural = rectangles(rx, ry, rng.uniform(14, 24, n_rural), rng.uniform(9, 13, n_rural), ra)
    # town houses: what is left of the pand target; woningen per town by share (Demodorp fixed)
    n_town_w = max(0, n_woningen - n_rural - len(crafted) - _n_bedrijf(n_woningen))
    n_town_p = max(len(towns), n_panden - len(k_polys) - n_rural - len(crafted) - 1)
    demodorp_w = sc.DEMODORP["woningen"]
    w_town = np.where(towns.scenario.values, demodorp_w, towns.share.values * max(n_town_w - demodorp_w, 0))
    per_town = np.round(n_town_p * w_town / w_town.sum()).astype(np.int64)
    houses = town_houses(rng, towns, per_town, ext, exclusion)
    return _Buildings(k_polys, k_kavel, k_gm, crafted, crafted_pts, school, school_pt, rural, rx, ry, houses)


def _n_bedrijf(n_woningen: int) -> int:
    return max(3, int(round(0.002 * n_woningen)))


def _pand_frame(rng, b: _Buildings, towns) -> tuple[LazyLayer, np.ndarray]:
    """BAG pand rows and the gemeente of each pand (for the verblijfsobject ids); geometries made chunk by chunk."""
    geometry = pieces(b.parts)
    n_p = sum(len(p) for p in b.parts)
    c = np.concatenate([shapely.get_coordinates(shapely.centroid(geometry(np.arange(s, min(s + CHUNK, n_p)))))
                        for s in range(0, n_p, CHUNK)])
    p_gm = towns.gm.values[nearest_town(towns, c[:, 0], c[:, 1])].astype(object)
    p_gm[:len(b.k_polys)] = b.k_gm
    ids = pd.Series(p_gm).str[2:] + "10" + pd.Series(np.arange(1, n_p + 1)).astype(str).str.zfill(10)
    kavel = np.arange(n_p) < len(b.k_polys)
    bouwjaar = np.where(kavel, rng.integers(1960, 2025, n_p),
                        np.clip(rng.normal(1975, 25, n_p), 1850, 2024).astype(int))
    pand = LazyLayer({"identificatie": ids.array, "bouwjaar": bouwjaar.astype(np.int32),
                      "status": _pick(rng, PAND_STATUS, n_p)}, geometry, WORKING_CRS)
    return pand, p_gm


def _bedrijfswoningen(rng, b: _Buildings, kavels, terreinen, n_woningen) -> np.ndarray:
    """Halls that hold a dwelling: the scenario's, plus some on background terreinen under 75 ha."""
    kp = np.arange(len(b.k_polys))
    first_of_kavel = pd.Series(kp).groupby(b.k_kavel).first()
    sk = kavels.reset_index()
    want = [sk.index[(sk.rin == int(r)) & (sk.col == col)][0] for r, col in sc.BEDRIJFSWONINGEN]
    bw = [first_of_kavel[i] for i in want if i in first_of_kavel.index]
    k_rin = kavels["rin"].values[b.k_kavel]
    ha_of_rin = dict(zip(terreinen["rin"].values, shapely.area(terreinen.geometry.values) / 1e4))
    small = np.flatnonzero((k_rin >= 910001) & (pd.Series(k_rin).map(ha_of_rin).fillna(999).to_numpy() < 75))
    if len(small):
        bw += list(rng.choice(small, size=min(len(small), _n_bedrijf(n_woningen) - len(bw)), replace=False))
    return np.array(bw, dtype=np.int64)


def _vbo_parts(rng, b: _Buildings, kavels, terreinen, n_woningen) -> list[tuple]:
    """(pand index, x, y, gebruiksdoel, oppervlakte) per group of verblijfsobjecten."""
    kp = np.arange(len(b.k_polys))
    kpt = shapely.get_coordinates(shapely.point_on_surface(b.k_polys)) if len(kp) else np.zeros((0, 2))
    parts = [(kp, kpt[:, 0], kpt[:, 1], _pick(rng, TERREIN_DOEL, len(kp)), shapely.area(b.k_polys))]
    bw = _bedrijfswoningen(rng, b, kavels, terreinen, n_woningen)
    parts.append((bw, kpt[bw, 0] + 0.5, kpt[bw, 1] + 0.5, Coded.full(len(bw), "woonfunctie"), np.full(len(bw), 140.0)))
    o, nc, nr = len(b.k_polys), len(b.crafted), len(b.rural)
    parts.append((o + np.arange(nc), b.crafted_pts[:, 0], b.crafted_pts[:, 1], Coded.full(nc, "woonfunctie"),
                  np.full(nc, 120.0)))
    parts.append((np.array([o + nc]), np.array([b.school_pt[0]]), np.array([b.school_pt[1]]),
                  Coded.full(1, "onderwijsfunctie"), np.array([2400.0])))
    parts.append((o + nc + 1 + np.arange(nr), b.rx, b.ry, Coded.full(nr, "woonfunctie"), np.full(nr, 160.0)))
    n_town_w = max(0, n_woningen - nr - nc - _n_bedrijf(n_woningen))
    return parts + _town_vbos(rng, b.houses, o + nc + 1 + nr, n_town_w)


def _town_vbos(rng, houses, offset: int, n_town_w: int) -> list[tuple]:
    """Town: woning-panden get one dwelling each, the rest go to apartment buildings; others shops etc."""
    _, _, hx, hy, hL, hW, ha = houses
    n_h = len(hx)
    n_wp = min(n_h, n_town_w, int(round(0.88 * n_h)))
    order = rng.permutation(n_h)
    wp, other = order[:n_wp], order[n_wp:]
    extra = n_town_w - n_wp
    if extra > 0 and n_wp:
        flats = rng.choice(wp, size=max(1, n_wp // 12), replace=False)
        count = np.ones(n_h, np.int64)
        np.add.at(count, flats[rng.integers(0, len(flats), extra)], 1)
        wp = np.repeat(wp, count[wp])
    px, py = _points_in_rect(rng, hx[wp], hy[wp], hL[wp], hW[wp], ha[wp])
    parts = [(offset + wp, px, py, Coded.full(len(wp), "woonfunctie"), hL[wp] * hW[wp] * 1.6)]
    shops = other[: len(other) // 2]
    px, py = _points_in_rect(rng, hx[shops], hy[shops], hL[shops], hW[shops], ha[shops])
    return parts + [(offset + shops, px, py, _pick(rng, TOWN_DOEL, len(shops)), hL[shops] * hW[shops])]


def build(rng, *, kavels, terreinen, towns, ext, n_panden, n_woningen, exclusion, share_in=0.12):
    """BAG `pand` and `verblijfsobject` layers (BAG field names, EPSG:28992), current objects only (lazy.LazyLayer:
    the geometries are made when written)."""
    b = _buildings(rng, kavels, terreinen, towns, ext, n_panden, n_woningen, exclusion, share_in)
    pand, p_gm = _pand_frame(rng, b, towns)
    parts = _vbo_parts(rng, b, kavels, terreinen, n_woningen)
    pidx = np.concatenate([p[0] for p in parts]).astype(np.int64)
    vx, vy = np.round(np.concatenate([p[1] for p in parts]), 3), np.round(np.concatenate([p[2] for p in parts]), 3)
    opp = np.maximum(np.concatenate([p[4] for p in parts]), 10).astype(np.int64)
    n_v = len(pidx)
    vids = pd.Series(p_gm[pidx]).str[2:] + "01" + pd.Series(np.arange(1, n_v + 1)).astype(str).str.zfill(10)
    doel = functools.reduce(operator.add, [p[3] for p in parts])
    vbo = LazyLayer({"identificatie": vids.array, "gebruiksdoel": doel, "oppervlakte": opp.astype(np.int32),
                     "status": _pick(rng, VBO_STATUS, n_v), "pandidentificatie": pand.columns["identificatie"][pidx]},
                    lambda rows: shapely.points(vx[rows], vy[rows]), WORKING_CRS)
    return pand, vbo


def with_history(rng, pand: LazyLayer, vbo: LazyLayer, share: float = 0.05):
    """The BAG 2.0 form: earlier voorkomens of some objects (ended, older status, bouwjaar 9999 or an earlier
    gebruiksdoel), bouwjaar 9999 ('unknown') on some current panden, and some ids with their NL.IMBAG prefix.
    The earlier voorkomens follow all current rows.

    Why: a real extract holds every voorkomen; ingest must keep the current one only (issue 15, item 3).
    """
    out = []
    for layer, prefix, old_status in ((pand, "NL.IMBAG.Pand.", "Bouw gestart"),
                                      (vbo, "NL.IMBAG.Verblijfsobject.", "Verblijfsobject gevormd")):
        n = len(layer)
        sel = np.flatnonzero(rng.random(n) < share)
        cols = {k: v for k, v in layer.columns.items()}
        ids = pd.Series(cols["identificatie"])
        old = {k: v[sel] for k, v in cols.items()}
        old["status"] = Coded.full(len(sel), old_status)
        if "bouwjaar" in cols:
            old["bouwjaar"] = np.full(len(sel), 9999, dtype=np.int16)
            unknown = rng.random(n) < 0.01
            cols["bouwjaar"] = np.where(unknown, 9999, cols["bouwjaar"]).astype(np.int16)
        else:
            old["gebruiksdoel"] = Coded.full(len(sel), "industriefunctie")
        prefixed = rng.random(n) < 0.02
        cols["identificatie"] = ids.where(~prefixed, prefix + ids).array
        old["identificatie"] = (prefix + ids.iloc[sel]).array
        merged = {k: _concat(cols[k], old[k]) for k in cols}
        later = np.zeros(n, dtype=np.int8)  # a current row with an earlier voorkomen
        later[sel] = 1
        ended = np.r_[np.zeros(n, dtype=np.int8), np.ones(len(sel), dtype=np.int8)]  # the earlier voorkomens
        merged.update({"voorkomenidentificatie": 1 + np.r_[later, np.zeros(len(sel), dtype=np.int8)],
                       "beginGeldigheid": Coded(np.r_[later, np.zeros(len(sel), dtype=np.int8)],
                                                ["2010-01-01", "2016-05-01"]),
                       "eindGeldigheid": Coded(ended, [None, "2016-05-01"]),
                       "eindRegistratie": Coded(ended, [None, "2016-05-03T10:00:00"])})
        base = np.r_[np.arange(n), sel]
        out.append(LazyLayer(merged, lambda rows, g=layer.geometry, base=base: g(base[rows]), layer.crs,
                             dtypes={"eindGeldigheid": "str", "eindRegistratie": "str", "bouwjaar": "int64",
                                     "voorkomenidentificatie": "int64"}))
    return out[0], out[1]


def _concat(a, b):
    if isinstance(a, Coded):
        return a + b
    if isinstance(a, np.ndarray) and isinstance(b, np.ndarray):
        return np.concatenate([a, b])
    return pd.concat([pd.Series(a), pd.Series(b)], ignore_index=True).array
