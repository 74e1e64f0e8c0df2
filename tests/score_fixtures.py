"""Builders of valid score inputs (contract columns with neutral defaults) for tests and the benchmark.

Tests set only what a scenario is about; everything else is a plain, unremarkable terrein: 10 ha,
no quay, no HMC room, grid status unknown, no IBIS water/rail access.
"""
from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely import box
from shapely.geometry import MultiPolygon

from pipeline import catalogue
from pipeline.crs import WORKING_CRS

STATUSES = ["groen", "geel", "oranje", "rood", "onbekend"]


def _defaults() -> dict:
    values = {"naam": None, "gemeente_code": "GM0000", "kern": None, "provincie": "Noord-Brabant", "jaar": 2025,
              "ha_bruto": 10.0, "ha_netto": 8.0, "ha_uitgeefbaar": 0.0, "wloc_type": "B",
              "max_milieucategorie": "3", "water_ontsluiting": False, "spoor_ontsluiting": False,
              "aantal_kavels": 1, "kavels_bron": "terrein",
              "ha_niet_waarmaakbaar": 0.0, "cat_potentie_max": "3.2",
              "kade_m": 0.0, "kade_benut_m": 0.0, "kade_onbenut_m": 0.0, "kade_vrij_m": 0.0,
              "kade_onbekend_m": 0.0, "cemt_beste": None, "cemt_bereikbaar": None,
              "footprint_m2": 0.0, "gsi": 0.0, "onbenut_bebouwing_m2": 0.0, "aantal_onderbenut": 0,
              "ha_onderbenut": 0.0, "aandeel_aangenomen": 1.0,
              "afname_dominant": "onbekend", "invoeding_dominant": "onbekend",
              "afname_beschikbaar_mw": None, "afname_wachtrij_mw": None, "invoeding_beschikbaar_mw": None,
              "invoeding_wachtrij_mw": None,
              "potentie_milieuruimte_ha": 0.0, "potentie_kades_m": 0.0, "potentie_bebouwing_m2": 0.0,
              "potentie_uitgeefbaar_ha": 0.0}
    values.update({c: None for c in ("vestigingen_aantal", "register_aantal", "register_hmc_aantal", "register_hmc_ha",
                                     "register_kade_aantal", "register_kade_m", "register_laag_aantal",
                                     "register_laag_ha")})
    for v in ("41", "42", "51"):
        values.update({f"ha_hmc_{v}": 0.0, f"ha_hmc_{v}_niet_hmc": 0.0, f"ha_hmc_{v}_vacant": 0.0})
    for kind in ("afname", "invoeding"):
        values.update({f"{kind}_aandeel_{s}": (1.0 if s == "onbekend" else 0.0) for s in STATUSES})
    values.update({"kade_water_m": 0.0, "water_klasse": None, "afstand_spoor_m": None, "afstand_oprit_m": None,
                   "ontsluiting_water": False, "ontsluiting_spoor": False, "ontsluiting_weg": False,
                   "aantal_modaliteiten": 0, "modaliteiten": "", "cluster_aantal": 1, "cluster_aandeel_hmc": 0.0,
                   "cluster_aandeel_water": 0.0})
    return values


def make_terreinen(rows: list[dict], *, size_m: float | None = None) -> gpd.GeoDataFrame:
    """A terreinen_indicatoren frame: one row per dict (only what matters), defaults for the rest.

    A row may give `x`, `y` (lower-left corner, m) and `breedte`/`hoogte` (m); otherwise terreinen are
    squares of ha_bruto laid out 5 km apart on a line, so they never cluster by accident.
    """
    records, geoms = [], []
    for i, row in enumerate(rows):
        row = dict(row)
        record = _defaults()
        record["rin_nummer"] = row.pop("rin_nummer", f"T{i + 1:03d}")
        x = row.pop("x", 100_000.0 + 5_000.0 * i)
        y = row.pop("y", 400_000.0)
        ha = row.get("ha_bruto", record["ha_bruto"])
        side = size_m or float(np.sqrt(max(ha, 0.01) * 10_000))
        width, height = row.pop("breedte", side), row.pop("hoogte", side)
        record.update(row)
        records.append(record)
        geoms.append(MultiPolygon([box(x, y, x + width, y + height)]))
    frame = pd.DataFrame.from_records(records) if records else pd.DataFrame(columns=["rin_nummer", *_defaults()])
    frame["cluster_id"] = np.arange(1, len(frame) + 1)
    frame["cluster_ha"] = frame["ha_bruto"]
    return catalogue.conform(gpd.GeoDataFrame(frame, geometry=geoms, crs=WORKING_CRS), "terreinen_indicatoren")


def with_qualities(terreinen: gpd.GeoDataFrame, kades: pd.DataFrame, *, spoor=None, opritten=None,
                   settings=None) -> gpd.GeoDataFrame:
    """The terreinen with what analyse derives from quays, rail, ramps and neighbours (its own functions)."""
    from pipeline.analyse import clusters, ontsluiting
    from pipeline.analyse import kades as quays
    from pipeline.config import Analyse

    settings = settings or Analyse()
    t = terreinen.reset_index(drop=True).copy()
    rins = t["rin_nummer"].astype("str")
    water = quays.per_terrein(kades, rins, water_min_klasse=settings.kades.water_min_klasse)
    t["kade_water_m"] = water["kade_water_m"].to_numpy()
    t["water_klasse"] = water["water_klasse"].to_numpy()
    for table in (ontsluiting.per_terrein(t, water["kade_water_m"], spoor, opritten, settings.ontsluiting),):
        for col in table.columns:
            t[col] = table[col].to_numpy()
    table = clusters.per_terrein(t, afstand_m=settings.clusters.afstand_m, hmc_vanaf=settings.milieuruimte.hmc_vanaf)
    for col in table.columns:
        t[col] = table[col].to_numpy()
    return catalogue.conform(t, "terreinen_indicatoren")


def make_kades(rows: list[dict]) -> pd.DataFrame:
    """A kades_status frame; each dict needs rin_nummer, lengte_m and cemt_bereikbaar."""
    columns = ["kade_id", "kavel_id", "rin_nummer", "lengte_m", "bgt_type", "betrouwbaarheid", "vaarweg_id",
               "cemt_klasse", "cemt_bereikbaar", "status"]
    records = []
    for i, row in enumerate(rows):
        record = {"kade_id": f"K{i + 1:04d}", "kavel_id": f"k{i + 1}", "bgt_type": "kademuur", "betrouwbaarheid": "hoog",
                  "vaarweg_id": None, "cemt_klasse": row.get("cemt_bereikbaar"), "status": "onbekend"}
        record.update(row)
        records.append(record)
    frame = pd.DataFrame.from_records(records, columns=columns)
    geoms = [None] * len(frame)
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geoms, crs=WORKING_CRS), crs=WORKING_CRS)


def synthetic_region(n: int = 650, *, seed: int = 1) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame,
                                                               gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """A province-sized random input (terreinen, kades, spoor, opritten) for timing the stage."""
    from shapely import LineString, Point

    rng = np.random.default_rng(seed)
    ha = np.round(rng.lognormal(2.5, 1.0, n), 1)
    xy = rng.uniform([10_000, 360_000], [200_000, 420_000], (n, 2))
    groen = rng.uniform(0, 1, n)
    rows = [{"x": x, "y": y, "ha_bruto": h, "ha_hmc_41": h * f, "potentie_milieuruimte_ha": h * f * v,
             "ha_hmc_41_vacant": h * f * v, "potentie_uitgeefbaar_ha": h * u, "ha_uitgeefbaar": h * u, "afname_aandeel_groen": g, "afname_aandeel_onbekend": 1 - g,
             "water_ontsluiting": bool(wo), "spoor_ontsluiting": bool(so)}
            for x, y, h, f, v, u, g, wo, so in zip(
                xy[:, 0], xy[:, 1], ha, rng.uniform(0, 1, n) * (rng.uniform(size=n) < 0.3),
                rng.uniform(0, 0.5, n), rng.uniform(0, 0.2, n), groen,
                rng.uniform(size=n) < 0.15, rng.uniform(size=n) < 0.05)]
    terreinen = make_terreinen(rows)
    with_quay = rng.choice(n, size=n // 5, replace=False)
    kades = make_kades([{"rin_nummer": terreinen["rin_nummer"].iloc[i], "lengte_m": float(rng.uniform(20, 900)),
                         "cemt_bereikbaar": str(rng.choice(["II", "III", "IV", "Va", "Vb"]))} for i in with_quay])
    spoor = gpd.GeoDataFrame({"spoor_id": [f"S{i}" for i in range(40)], "soort": "raccordement"},
                             geometry=[LineString([(x, y), (x + 500, y)])
                                       for x, y in rng.uniform([10_000, 360_000], [200_000, 420_000], (40, 2))],
                             crs=WORKING_CRS)
    opritten = gpd.GeoDataFrame({"oprit_id": [f"O{i}" for i in range(120)], "wegnummer": "A2", "soort": "oprit"},
                                geometry=[Point(x, y) for x, y in
                                          rng.uniform([10_000, 360_000], [200_000, 420_000], (120, 2))],
                                crs=WORKING_CRS)
    return with_qualities(terreinen, kades, spoor=spoor, opritten=opritten), kades, spoor, opritten


def make_config(processed, **score):
    """A Config whose processed folder is `processed` and whose score settings are overridden by `score`."""
    from pipeline.config import Config

    sources = {name: {"path": f"niet-gebruikt/{name}"} for name in
               ("terreinen", "panden", "verblijfsobjecten", "kades", "vaarwegen", "milieuzones", "netcapaciteit")}
    return Config.model_validate({"sources": sources, "paths": {"processed": str(processed)}, "score": score})


def example_scenario() -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Thirteen terreinen covering each outcome (terreinen, kades_status):
    A: Va quay + HMC room (strong, not a top score); B1-B3: much bigger on both (the top scores);
    C: just over both thresholds (borderline); GRID: big with only green grid; F0-F6: plain."""
    rows = [
        {"rin_nummer": "A", "ha_bruto": 20.0, "ha_hmc_41": 12.0},
        *[{"rin_nummer": f"B{i}", "ha_bruto": 100.0, "ha_hmc_41": 60.0} for i in (1, 2, 3)],
        {"rin_nummer": "C", "ha_bruto": 20.0, "ha_hmc_41": 10.2},
        {"rin_nummer": "GRID", "ha_bruto": 200.0, "afname_aandeel_groen": 1.0, "afname_aandeel_onbekend": 0.0},
        *[{"rin_nummer": f"F{i}"} for i in range(7)],
    ]
    kades = make_kades([
        {"rin_nummer": "A", "lengte_m": 200.0, "cemt_bereikbaar": "Va"},
        {"rin_nummer": "A", "lengte_m": 100.0, "cemt_bereikbaar": "IV"},
        {"rin_nummer": "A", "lengte_m": 500.0, "cemt_bereikbaar": "III"},   # too small a class: not counted
        *[{"rin_nummer": f"B{i}", "lengte_m": 1000.0, "cemt_bereikbaar": "Vb"} for i in (1, 2, 3)],
        {"rin_nummer": "C", "lengte_m": 255.0, "cemt_bereikbaar": "IV"},
    ])
    return with_qualities(make_terreinen(rows), kades), kades
