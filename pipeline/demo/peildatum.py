"""The demo region at an earlier peildatum (demo.peildatum, e.g. 2022; config/demo-2022.yaml), so that
`make vergelijk` has two runs of one region to compare, with changes known by construction:

- 900012 "Demo-oude werf" (B, IBIS cat 4, 12 ha, four 3 ha kavels: one Staalbouw 25.11, two vrij, one leeg,
  no zoning): a terrein in 2021-2022 that is gone by 2023 (transformed): it disappears with its HMC room;
- 900006 "Demo-stadsrand" reached 400 m further east until 2022 (two 5 ha kavels: Machinebouw 28.29 and one vrij):
  the strip was transformed, so the terrein shrank by 10 ha bruto; the IBIS history of the current demo says so
  too (its 2021-2022 records carry the larger contour and hectares);
- K900001-004 / -005 (HMC, with quay; now 46.90 and 62.01) and K900003-003 / -007 (HMC; now 62.01) were vacant and
  uitgeefbaar in 2022: since then companies without HMC need settled on HMC room (+32.25 ha HMC used by non-HMC)
  and on quay plots (498 m of quay from vrij to onbenut), REH B.1's loss of strategic capacity;
- terreinen whose first IBIS year is later (900011 "Demo-ambachtshof", a few background terreinen) do not exist
  yet: they appear, and their kavels and vestigingen are left out;
- IBIS holds only the years up to the peildatum. Everything else (BAG, BGT, fairways, zoning, grid) is the same.
"""
from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from pipeline.crs import WORKING_CRS
from pipeline.demo.geometry import grid_cells
from pipeline.demo.scenario import OX, OY

LAATSTE = 2024
VERDWENEN = dict(rin=900012, naam="Demo-oude werf", kern="Demodorp", gm="GM0855", box=(3000, -800, 3400, -500),
                 grid=(2, 2), roles=["25.11", "vrij", "vrij", "leeg"], cat=4, tot=2022)
GEKROMPEN = dict(rin=900006, strook=(4200, 0, 4600, 250), grid=(2, 1), roles=["28.29", "vrij"], tot=2022, eerste=5)
LATER_BEZET = ["K900001-004", "K900001-005", "K900003-003", "K900003-007"]
SBI_NAMEN = {"25.11": "Staalbouw", "28.29": "Machinebouw"}


def _box(b) -> shapely.Geometry:
    return shapely.box(OX + b[0], OY + b[1], OX + b[2], OY + b[3])


def _kavels(spec: dict, first: int = 1) -> gpd.GeoDataFrame:
    b = spec.get("box", spec.get("strook"))
    boxes, _, _ = grid_cells(OX + b[0], OY + b[1], OX + b[2], OY + b[3], *spec["grid"])
    return gpd.GeoDataFrame({"kavel_id": [f"K{spec['rin']}-{first + i:03d}" for i in range(len(boxes))],
                             "uitgifte_status": ["uitgeefbaar" if r == "vrij" else "uitgegeven" for r in spec["roles"]],
                             "role": spec["roles"]}, geometry=list(boxes), crs=WORKING_CRS)


def shrunk_history(ibis: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """900006's records up to GEKROMPEN['tot'] with the strip it still had then (contour and hectares)."""
    old = (ibis["RIN_NUMMER"] == GEKROMPEN["rin"]) & (ibis["JAAR"] <= GEKROMPEN["tot"])
    if not old.any():
        return ibis
    ibis = ibis.copy()
    strip = _box(GEKROMPEN["strook"])
    extra_ha = shapely.area(strip) / 1e4
    free_ha = extra_ha / len(GEKROMPEN["roles"]) * GEKROMPEN["roles"].count("vrij")
    ratio = (ibis.loc[old, "HA_BRUTO"] + extra_ha) / ibis.loc[old, "HA_BRUTO"]
    ibis.loc[old, "geometry"] = shapely.union(ibis.loc[old, "geometry"].to_numpy(), strip, grid_size=0.01)
    ibis.loc[old, "HA_NETTO"] = (ibis.loc[old, "HA_NETTO"] * ratio).round(4)
    ibis.loc[old, "HA_TOTTUIT"] = (ibis.loc[old, "HA_TOTTUIT"] + free_ha).round(4)
    ibis.loc[old, "HA_BRUTO"] = (ibis.loc[old, "HA_BRUTO"] + extra_ha).round(4)
    return ibis


def _ibis_verdwenen(ibis: gpd.GeoDataFrame, year: int) -> gpd.GeoDataFrame:
    v = VERDWENEN
    template = ibis.iloc[[0]].drop(columns="geometry")
    rows = []
    for jaar in range(2021, min(year, v["tot"]) + 1):
        row = template.copy()
        row[["RIN_NUMMER", "JAAR", "PLAN_NAAM", "KERN_NAAM", "GEM_CODES"]] = [v["rin"], jaar, v["naam"], v["kern"],
                                                                             v["gm"]]
        row[["HA_BRUTO", "HA_NETTO", "HA_TOTTUIT"]] = [12.0, 10.5, 6.0 + 0.5 * (v["tot"] - jaar)]
        row[["WLOC_TYPE", "MAX_MILIEUCATEGORIE_CODE", "WATER_ONTSLUITING_CODE", "SPOOR_ONTSLUITING_CODE",
             "PLAN_FASE_CODE", "IND_VEROUDERD"]] = ["B", v["cat"], "N", "N", "B", "J"]
        rows.append(row)
    extra = gpd.GeoDataFrame(pd.concat(rows, ignore_index=True), geometry=[_box(v["box"])] * len(rows),
                             crs=ibis.crs)
    return gpd.GeoDataFrame(pd.concat([ibis, extra], ignore_index=True), geometry="geometry", crs=ibis.crs)


def _vestigingen(nieuw: gpd.GeoDataFrame, template: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    occupied = nieuw[~nieuw["role"].isin(["vrij", "leeg"])]
    points = shapely.centroid(occupied.geometry.to_numpy())
    return gpd.GeoDataFrame({
        "vestigingsnummer": [f"99000000{i + 1:04d}" for i in range(len(occupied))],
        "handelsnaam": [f"Demo {SBI_NAMEN.get(r, 'Bedrijf')} {k[1:]} B.V." for r, k in
                        zip(occupied["role"], occupied["kavel_id"])],
        "sbi_code": occupied["role"].to_numpy(), "werkzame_personen": np.full(len(occupied), 40, dtype=np.int64)},
        geometry=list(points), crs=template.crs)[template.columns]


def apply(layers: dict, year: int | None) -> dict:
    """The layers at peildatum `year` (None or the latest: today's region with the shrunk terrein's history)."""
    if year is None or year >= LAATSTE:
        return {**layers, "terreinen": shrunk_history(layers["terreinen"])}
    return terug(layers, year)


def terug(layers: dict, year: int) -> dict:
    """The demo layers as they were at `year` (see the module docstring); `layers` as pipeline.demo.generate."""
    out = dict(layers)
    ibis = layers["terreinen"]
    ibis = ibis[ibis["JAAR"] <= year]
    ibis = _ibis_verdwenen(ibis, year) if year <= VERDWENEN["tot"] else ibis
    out["terreinen"] = shrunk_history(ibis)
    present = set(out["terreinen"]["RIN_NUMMER"].astype(str))
    kavels = layers["kavels"]
    rin = kavels["kavel_id"].str.extract(r"^K(\d+)-", expand=False)
    kept = kavels[rin.isin(present).to_numpy()].copy()
    kept.loc[kept["kavel_id"].isin(LATER_BEZET), "uitgifte_status"] = "uitgeefbaar"
    parts = ([_kavels(VERDWENEN)] if year <= VERDWENEN["tot"] else []) + \
        ([_kavels(GEKROMPEN, GEKROMPEN["eerste"])] if year <= GEKROMPEN["tot"] else [])
    nieuw = pd.concat(parts, ignore_index=True) if parts else _kavels(VERDWENEN).iloc[:0]
    out["kavels"] = gpd.GeoDataFrame(pd.concat([kept, nieuw[kept.columns]], ignore_index=True), geometry="geometry",
                                     crs=kavels.crs)
    vest = layers["vestigingen"]
    gone = kavels[~kavels["kavel_id"].isin(kept["kavel_id"]) | kavels["kavel_id"].isin(LATER_BEZET)]
    inside = shapely.STRtree(gone.geometry.to_numpy()).query(vest.geometry.to_numpy(), predicate="within")[0]
    vest = vest.drop(index=vest.index[np.unique(inside)])
    out["vestigingen"] = gpd.GeoDataFrame(pd.concat([vest, _vestigingen(nieuw, vest)], ignore_index=True),
                                          geometry="geometry", crs=vest.crs)
    return out
