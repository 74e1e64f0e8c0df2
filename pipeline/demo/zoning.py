"""Zoning (bestemmingsvlakken with "bedrijf tot en met categorie X", geluidzones) and omgevingstypen.

Why: cat_plan comes from the zoning text, max_bebouwingspercentage from the zoning plot, and the
omgevingstype decides which VNG distance table applies. Background vlakken follow the terrein's IBIS
category in both spellings seen in plans; some say nothing (null) so the IBIS fallback is exercised.
"""
from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from pipeline.crs import WORKING_CRS
from pipeline.demo import scenario as sc

SUB = {1: ["1"], 2: ["2"], 3: ["3.1", "3.2"], 4: ["4.1", "4.2"], 5: ["5.1", "5.2"], 6: ["6"]}


def build_plannen(rng, kavels, terreinen):
    """`bestemmingsvlak` and `geluidzone` GeoDataFrames."""
    rows = []
    sk = kavels[kavels["has_vlak"].values]
    for (rin, text, pct), grp in sk.groupby(["rin", "vlak_text", "vlak_pct"], dropna=False, sort=True):
        rows.append(dict(gm=None, rin=rin, functieaanduiding=text if isinstance(text, str) else None,
                         pct=None if pd.isna(pct) else float(pct),
                         geometry=shapely.union_all(grp.geometry.values, grid_size=0.01)))
    bg = terreinen[terreinen["rin"].values >= 910001]
    pick = rng.random(len(bg)) < 0.85
    for t in bg[pick].itertuples():
        form = "bedrijf tot en met categorie" if rng.random() < 0.6 else "bedrijf tot en met milieucategorie"
        text = None if rng.random() < 0.1 else f"{form} {rng.choice(SUB[int(t.cat)])}"
        pct = [None, 60.0, 70.0, 75.0, 80.0, 90.0][rng.choice(6, p=[0.25, 0.1, 0.2, 0.15, 0.2, 0.1])]
        rows.append(dict(rin=t.rin, functieaanduiding=text, pct=pct, geometry=t.geometry))
    gm_of = dict(zip(terreinen["rin"], terreinen["gm"]))
    vlak = gpd.GeoDataFrame({
        "identificatie": [f"NL.IMRO.{gm_of[r['rin']][2:]}.BPDEMO{r['rin']}-VA01.bv{i + 1:04d}" for i, r in enumerate(rows)],
        "naam": "Bedrijventerrein",
        "functieaanduiding": [r["functieaanduiding"] for r in rows],
        "maximum_bebouwingspercentage": pd.array([r["pct"] for r in rows], dtype="Float64").astype("float64"),
    }, geometry=[r["geometry"] for r in rows], crs=WORKING_CRS)

    # geluidzones: the scenario's port cluster and large heavy background terreinen
    zones = []
    port = terreinen[terreinen["rin"].isin([900001, 900002, 900003])]
    zones.append(("Demo-haven", shapely.buffer(shapely.union_all(port.geometry.values), 600.0)))
    heavy = bg[(bg["cat"].values >= 4) & (shapely.area(bg.geometry.values) > 20e4)]
    zones += [(t.naam, shapely.buffer(t.geometry, 400.0)) for t in heavy.itertuples()]
    zone = gpd.GeoDataFrame({"identificatie": [f"NL.IMRO.DEMO.GZ{i + 1:04d}" for i in range(len(zones))],
                             "naam": [f"geluidzone - industrie {n}" for n, _ in zones], "zonetype": "geluidzone"},
                            geometry=[g for _, g in zones], crs=WORKING_CRS)
    return vlak, zone


def build_omgevingstypen(towns: pd.DataFrame):
    """"gemengd gebied" around town centres, "rustige woonwijk" around that (non-overlapping)."""
    bg = towns[~towns.scenario]
    pts = shapely.points(bg.x.values, bg.y.values)
    g = sc.GEMENGD
    r = sc.RUSTIG
    gemengd = shapely.union_all(np.concatenate([
        shapely.buffer(pts, np.maximum(0.5 * bg.sigma.values, 300.0)),
        [shapely.buffer(shapely.Point(sc.OX + g["x"], sc.OY + g["y"]), g["r"])]]))
    rustig = shapely.difference(shapely.union_all(np.concatenate([
        shapely.buffer(pts, 2.5 * bg.sigma.values),
        [shapely.buffer(shapely.Point(sc.OX + r["x"], sc.OY + r["y"]), r["r"])]])), gemengd)
    parts_g, parts_r = shapely.get_parts(gemengd), shapely.get_parts(rustig)
    return gpd.GeoDataFrame({"omgevingstype": ["gemengd gebied"] * len(parts_g) + ["rustige woonwijk"] * len(parts_r)},
                            geometry=np.concatenate([parts_g, parts_r]), crs=WORKING_CRS)
