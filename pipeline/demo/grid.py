"""Netcapaciteit: supply areas of substations with afname/opwek status 0-3 (capaciteitskaart fields).

Why: the grid criterion needs area shares per status. The scenario fixes a red area over the port
cluster, an orange one, a green one drawn as two polygons and one with voedingsgebied_id "0"; the rest
of the region is a Voronoi tiling of random substations (cells cut by the scenario box can fall apart
into several polygons of the same area, as in the real service).
"""
from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from pipeline.crs import WORKING_CRS
from pipeline.demo import scenario as sc
from pipeline.demo.sizes import count_for, scenario_box


def build(rng, scale, ext) -> gpd.GeoDataFrame:
    rows = [dict(id=r.gid, naam=r.name, afname=r.afname, opwek=r.opwek, geometry=r.geometry)
            for r in sc.grid_areas().itertuples()]
    n = count_for("netvlakken", scale, 4)
    x0, y0, x1, y1 = ext
    region = shapely.difference(shapely.box(*ext), shapely.box(*scenario_box()))
    pts = shapely.multipoints(np.column_stack([rng.uniform(x0, x1, n), rng.uniform(y0, y1, n)]))
    cells = shapely.intersection(shapely.get_parts(shapely.voronoi_polygons(pts, extend_to=shapely.box(*ext))),
                                 region, grid_size=0.01)
    parts, idx = shapely.get_parts(cells, return_index=True)
    keep = (shapely.get_type_id(parts) == 3) & (shapely.area(parts) > 1.0)
    parts, idx = parts[keep], idx[keep]
    afname = rng.choice(4, n, p=[0.25, 0.25, 0.2, 0.3])
    opwek = rng.choice(4, n, p=[0.2, 0.2, 0.25, 0.35])
    no_colour = rng.random(n) < 0.05
    for g, i in zip(parts, idx):
        rows.append(dict(id="0" if no_colour[i] else f"NB-{i + 1:04d}", naam="" if no_colour[i] else f"Demo-station {i + 1}",
                         afname=0 if no_colour[i] else int(afname[i]), opwek=0 if no_colour[i] else int(opwek[i]),
                         geometry=g))
    df = pd.DataFrame(rows)
    m = len(df)
    q_af = np.where(df.afname >= 2, np.round(rng.uniform(5, 300, m), 1), 0.0)
    q_in = np.where(df.opwek >= 2, np.round(rng.uniform(5, 400, m), 1), 0.0)
    west = shapely.get_x(shapely.centroid(df.geometry.values)) < (x0 + 0.25 * (x1 - x0))
    return gpd.GeoDataFrame({
        "voedingsgebied_id": df["id"].values, "voedingsgebied_naam": df["naam"].values,
        "RNB": np.where(west, "Stedin", "Enexis Netbeheer"),
        "afname": df.afname.values.astype(np.int32), "opwek": df.opwek.values.astype(np.int32),
        "wachtrij_afname": q_af, "wachtrij_invoeding": q_in,
        "aantal_wachtrij_afname": np.where(q_af > 0, rng.integers(1, 60, m), 0).astype(np.int32),
        "aantal_wachtrij_invoeding": np.where(q_in > 0, rng.integers(1, 80, m), 0).astype(np.int32),
        "beschikbaar_afname": np.where(df.afname.values <= 1, np.round(rng.uniform(1, 60, m), 1), 0.0),
        "beschikbaar_invoeding": np.where(df.opwek.values <= 1, np.round(rng.uniform(1, 40, m), 1), 0.0),
    }, geometry=df.geometry.values, crs=WORKING_CRS)
