"""Bedrijventerreinen (IBIS records over several years) and the kavels that tile them.

Why: IBIS is the spine of the pipeline. The background terreinen are ordinary irregular parks near
towns (some along a waterway, cut back to the bank); the scenario terreinen come from scenario.py.
The IBIS table carries the quirks ingest must handle: several years per terrein with different
hectares (latest wins), a terrein drawn as two polygons, one exact duplicate row, some HA_TOTTUIT null.
"""
from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from pipeline.crs import WORKING_CRS
from pipeline.demo import scenario as sc
from pipeline.demo.geometry import star_polygons, voronoi_tiles
from pipeline.demo.sizes import scenario_box
from pipeline.demo.towns import nearest_town

YEARS = (2021, 2022, 2023, 2024)
KINDS = ["Bedrijvenpark", "Industrieterrein", "Bedrijventerrein", "Businesspark", "Ambachtsterrein"]


def place_background(rng, n: int, ext, towns: pd.DataFrame, water, vaarwegen) -> pd.DataFrame:
    """n irregular terreinen near towns (20 % along a waterway), clear of each other and the scenario box."""
    x0, y0, x1, y1 = ext
    if n <= 0:
        return pd.DataFrame(columns=["geometry", "town", "rot"])
    area = np.sort(np.clip(rng.lognormal(math.log(12.0), 1.15, n), 1.5, 400.0))[::-1] * 1e4
    polys0, rmax, rot = star_polygons(rng, np.zeros(n), np.zeros(n), area)
    bg = towns[~towns.scenario]
    p = bg.share.values ** 0.6
    p /= p.sum()
    lines = vaarwegen.geometry.values
    forbidden = scenario_box(300.0)
    cx, cy = np.full(n, np.nan), np.full(n, np.nan)
    for i in range(n):
        for attempt in range(600):
            if rng.random() < 0.2 and len(lines):   # along a waterway
                pt = shapely.line_interpolate_point(lines[rng.integers(len(lines))], rng.random(), normalized=True)
                th = rng.uniform(0, 2 * np.pi)
                x, y = pt.x + 0.8 * rmax[i] * math.cos(th), pt.y + 0.8 * rmax[i] * math.sin(th)
            else:
                t = bg.iloc[rng.choice(len(bg), p=p)]
                dist = t.sigma * rng.uniform(0.9, 2.6) + rmax[i] * rng.uniform(0.3, 1.2)
                dist *= rng.uniform(1.0, 3.0) if attempt > 300 else 1.0
                th = rng.uniform(0, 2 * np.pi)
                x, y = t.x + dist * math.cos(th), t.y + dist * math.sin(th)
            r = rmax[i]
            if x - r < x0 or x + r > x1 or y - r < y0 or y + r > y1:
                continue
            if (x + r > forbidden[0] and x - r < forbidden[2] and y + r > forbidden[1] and y - r < forbidden[3]):
                continue
            if np.any(np.hypot(cx[:i] - x, cy[:i] - y) < rmax[:i] + r + 40.0):
                continue
            cx[i], cy[i] = x, y
            break
    ok = ~np.isnan(cx)
    offs = np.repeat(np.column_stack([cx[ok], cy[ok]]), shapely.get_num_coordinates(polys0[ok]), axis=0)
    polys = shapely.transform(polys0[ok], lambda c: np.round(c + offs, 2))
    # cut back to the bank; keep the largest piece
    polys = shapely.difference(polys, water, grid_size=0.01)
    parts, idx = shapely.get_parts(polys, return_index=True)
    order = np.lexsort((-shapely.area(parts), idx))
    parts, idx = parts[order], idx[order]
    first = np.r_[True, idx[1:] != idx[:-1]]
    polys = parts[first]
    keep = shapely.area(polys) > 1e4
    polys = polys[keep]
    c = shapely.get_coordinates(shapely.centroid(polys))
    return pd.DataFrame(dict(geometry=polys, town=nearest_town(towns, c[:, 0], c[:, 1]), rot=rot[ok][keep]))


def _background_terreinen(rng, background: pd.DataFrame, towns: pd.DataFrame) -> pd.DataFrame:
    """The background terreinen's attributes; one of them drawn as two polygons."""
    nb = len(background)
    town = towns.iloc[background.town.values] if nb else towns.iloc[:0]
    kinds = rng.choice(KINDS, nb)
    bg = pd.DataFrame(dict(
        rin=910001 + np.arange(nb), naam=[f"{k} {kind}" for k, kind in zip(town.kern.values, kinds)],
        kern=town.kern.values, gm=town.gm.values,
        wloc=rng.choice(["B", "B1", "B2", "C1", "C2", "C3", "X"], nb, p=[0.85, 0.04, 0.04, 0.02, 0.02, 0.01, 0.02]),
        cat=rng.choice([1, 2, 3, 4, 5, 6], nb, p=[0.02, 0.15, 0.45, 0.28, 0.09, 0.01]),
        water="N", spoor="N", duplicate=False, tottuit_null=rng.random(nb) < 0.02,
        first_year=np.where(rng.random(nb) < 0.05, 2023, 2021), geometry=background.geometry.values))
    # distinct names (add a number where two terreinen of one kern got the same kind)
    dup = bg.groupby("naam").cumcount().values
    bg["naam"] = [n if k == 0 else f"{n} {k + 1}" for n, k in zip(bg["naam"], dup)]
    # one background terrein drawn as two polygons (split through its centroid)
    if nb:
        big = int(np.argmax(shapely.area(bg.geometry.values)))
        g = bg.geometry.values[big]
        cx = shapely.centroid(g).x
        b = shapely.bounds(g)
        halves = [shapely.intersection(g, shapely.box(b[0] - 1, b[1] - 1, cx, b[3] + 1), grid_size=0.01),
                  shapely.intersection(g, shapely.box(cx, b[1] - 1, b[2] + 1, b[3] + 1), grid_size=0.01)]
        if all(shapely.get_type_id(h) == 3 for h in halves):
            row = bg.iloc[[big, big]].copy()
            row["geometry"] = halves
            bg = pd.concat([bg.drop(index=bg.index[big]), row], ignore_index=True)
    return bg


def _access(terr: pd.DataFrame, vaarwegen, sidings) -> None:
    """Water / rail access of the background terreinen from the data (scenario ones are given)."""
    geoms = terr.geometry.values
    near_w = np.zeros(len(terr), bool)
    near_w[shapely.STRtree(vaarwegen.geometry.values).query(geoms, predicate="dwithin", distance=120.0)[0]] = True
    near_r = np.zeros(len(terr), bool)
    if len(sidings):
        near_r[shapely.STRtree(sidings).query(geoms, predicate="dwithin", distance=50.0)[0]] = True
    is_bg = terr.rin.values >= 910001
    terr.loc[is_bg, "water"] = np.where(near_w[is_bg], "J", "N")
    terr.loc[is_bg, "spoor"] = np.where(near_r[is_bg], "J", "N")


def _kavels(rng, dissolved: pd.DataFrame, sk: pd.DataFrame, n_kavels: int) -> pd.DataFrame:
    """Scenario kavels plus background kavels: Voronoi tiles, as many as the target leaves after the scenario."""
    bgd = dissolved[dissolved.index >= 910001]
    if len(bgd):
        a = shapely.area(bgd.geometry.values)
        n_bg = max(len(bgd), n_kavels - len(sk))
        per_t = np.maximum(1, np.round(n_bg * a / a.sum())).astype(np.int64)
        tiles, owner = voronoi_tiles(rng, bgd.geometry.values, per_t)
        rin_k = bgd.index.values[owner]
        j = pd.Series(rin_k).groupby(rin_k).cumcount().values + 1
        p_free = rng.beta(1.2, 10.0, len(bgd))[owner]   # share of uitgeefbaar land differs per terrein
        u = rng.random(len(tiles))
        role = np.where(u < p_free, "vrij", np.where(u < p_free + 0.07, "leeg", "*"))
        gsi = np.where(role == "vrij", 0.0, np.clip(rng.beta(3.0, 4.0, len(tiles)) * 0.9, 0.05, 0.8))
        bk = pd.DataFrame(dict(kavel_id=[f"K{r}-{i:03d}" for r, i in zip(rin_k, j)], rin=rin_k, col=-1, row=-1,
                               role=role, gsi=gsi, vlak_text=None, vlak_pct=np.nan, has_vlak=False,
                               geometry=tiles))
        kavels = pd.concat([sk, bk], ignore_index=True)
    else:
        kavels = sk
    kavels["uitgifte_status"] = np.where(kavels.role == "vrij", "uitgeefbaar", "uitgegeven")
    return kavels


def _ibis_rows(rng, terr: pd.DataFrame, dissolved: pd.DataFrame, kavels: pd.DataFrame) -> gpd.GeoDataFrame:
    """IBIS records: hectares per terrein polygon for the latest year, then the older years."""
    area_k = shapely.area(kavels.geometry.values)
    free_ha = pd.Series(np.where(kavels.role == "vrij", area_k, 0.0)).groupby(kavels.rin.values).sum() / 1e4
    rows = []
    part_area = shapely.area(terr.geometry.values) / 1e4
    ratio_t = dict(zip(dissolved.index, rng.uniform(0.75, 0.9, len(dissolved))))
    growth_t = dict(zip(dissolved.index, rng.uniform(0.0, 0.12, len(dissolved))))
    verouderd_t = dict(zip(dissolved.index, rng.random(len(dissolved)) < 0.1))
    for i, t in enumerate(terr.itertuples()):  # loop over terrein polygons (hundreds)
        ratio = ratio_t[t.rin]
        total_ha = shapely.area(dissolved.geometry[t.rin]) / 1e4
        share = part_area[i] / total_ha
        for year in YEARS:
            if year < t.first_year:
                continue
            age = 2024 - year
            netto = total_ha * ratio * (1 - 0.02 * age)
            free = free_ha.get(t.rin, 0.0) * ratio
            free = free + (netto - free) * growth_t[t.rin] * age / 3
            rows.append(dict(
                RIN_NUMMER=int(t.rin), JAAR=year, PLAN_NAAM=t.naam, KERN_NAAM=t.kern, GEM_CODES=t.gm,
                PROV_NAMEN="Noord-Brabant", HA_BRUTO=round(part_area[i], 4), HA_NETTO=round(netto * share, 4),
                HA_TOTTUIT=None if (t.tottuit_null and year == 2024) else round(free * share, 4),
                WLOC_TYPE=t.wloc, MAX_MILIEUCATEGORIE_CODE=int(t.cat), WATER_ONTSLUITING_CODE=t.water,
                SPOOR_ONTSLUITING_CODE=t.spoor, PLAN_FASE_CODE="B" if t.first_year < 2023 else "H",
                IND_VEROUDERD="J" if verouderd_t[t.rin] else "N", geometry=t.geometry))
            if t.duplicate and year == 2024:
                rows.append(dict(rows[-1]))
    ibis = gpd.GeoDataFrame(rows, geometry="geometry", crs=WORKING_CRS)
    ibis["HA_TOTTUIT"] = ibis["HA_TOTTUIT"].astype("float64")
    return ibis


def build(rng, background: pd.DataFrame, towns: pd.DataFrame, n_kavels: int, vaarwegen, sidings):
    """IBIS rows (all years) and kavels for scenario + background terreinen.

    Returns (ibis GeoDataFrame in IBIS field names, latest terrein per rin (one geometry each),
    kavels DataFrame with role/gsi/zoning info).
    """
    terr = pd.concat([sc.terrein_table(), _background_terreinen(rng, background, towns)], ignore_index=True)
    _access(terr, vaarwegen, sidings)
    per = terr.groupby("rin", sort=False)
    dissolved = per.first().drop(columns="geometry")
    dissolved["geometry"] = [shapely.union_all(terr.geometry.values[ix], grid_size=0.01)
                             for ix in per.indices.values()]
    kavels = _kavels(rng, dissolved, sc.kavel_table(), n_kavels)
    ibis = _ibis_rows(rng, terr, dissolved, kavels)
    kavels = gpd.GeoDataFrame(kavels, geometry="geometry", crs=WORKING_CRS)
    return ibis, gpd.GeoDataFrame(dissolved.reset_index(), geometry="geometry", crs=WORKING_CRS), kavels
