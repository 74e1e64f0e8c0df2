"""Small hand-made runs for `pipeline zoek`: the processed files it reads, written through the catalogue.

Every catalogue column gets a neutral default (so the fixtures follow the catalogue when it grows); a test names
only what matters. Kavels are boxes in RD New around (150 000, 400 000), in metres from that origin.
"""
from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
from shapely.geometry import LineString, MultiPolygon, box

from pipeline import catalogue
from pipeline.config import load_config
from pipeline.crs import WORKING_CRS

X0, Y0 = 150_000, 400_000
DEFAULTS = {"float": 0.0, "int": 0, "bool": False, "str": "x", "cat": None, "cemt": None, "json": None}


def frame_like(name: str, rows: list[dict], geometry: list | None = None) -> pd.DataFrame:
    """Rows with every column of the dataset: the given values, else a neutral default (None where nullable)."""
    full = []
    for row in rows:
        out = {}
        for col in catalogue.columns(name):
            out[col.name] = row.get(col.name, None if col.nullable and col.dtype not in ("float",)
                                    else DEFAULTS[col.dtype])
        full.append(out)
    frame = pd.DataFrame(full, columns=[c.name for c in catalogue.columns(name)])
    if geometry is None:
        return frame
    return gpd.GeoDataFrame(frame, geometry=list(geometry), crs=WORKING_CRS)


def rect(x, y, w, h):
    return box(X0 + x, Y0 + y, X0 + x + w, Y0 + y + h)


def kavel(kid, rin, x, y, w, h, *, cat="3.2", vacant=True, uitgifte="uitgeefbaar", onderbenut=None, kade_m=0.0,
          nw=False, afname="groen", invoeding="groen", gsi=0.0):
    """One kavel: (row of kavels_indicatoren, row of the canonical kavels, geometry)."""
    geom = MultiPolygon([rect(x, y, w, h)])
    row = {"kavel_id": kid, "rin_nummer": rin, "oppervlakte_m2": float(w * h), "cat_potentie": cat,
           "cat_afstand": cat, "cat_plan": cat, "omgevingstype": "rustige woonwijk", "niet_waarmaakbaar": nw,
           "hmc_potentie": cat in ("4.1", "4.2", "5.1", "5.2", "5.3", "6"), "vacant": vacant, "gsi": gsi,
           "onderbenut": vacant if onderbenut is None else onderbenut, "kade_m": kade_m,
           "max_bebouwingspercentage": 80.0}
    for richting, status in (("afname", afname), ("invoeding", invoeding)):
        for s in ("groen", "geel", "oranje", "rood", "onbekend"):
            row[f"{richting}_aandeel_{s}"] = 1.0 if s == status else 0.0
    return row, {"kavel_id": kid, "rin_nummer": rin, "uitgifte_status": uitgifte, "bron": "kavellaag"}, geom


def terrein(rin, naam, kavels_geoms, *, vlag=False, gemeente="GM0772", afname_mw=None):
    outline = MultiPolygon([g for mp in kavels_geoms for g in mp.geoms]).convex_hull
    return ({"rin_nummer": rin, "naam": naam, "gemeente_code": gemeente, "vlag": vlag, "grensgeval": False,
             "afname_beschikbaar_mw": afname_mw, "invoeding_beschikbaar_mw": None, "jaar": 2024},
            MultiPolygon([outline]))


def quay(kade_id, kid, rin, x, y, length, *, klasse, bereikbaar, status="vrij"):
    return ({"kade_id": kade_id, "kavel_id": kid, "rin_nummer": rin, "lengte_m": float(length),
             "cemt_klasse": klasse, "cemt_bereikbaar": bereikbaar, "status": status},
            LineString([(X0 + x, Y0 + y), (X0 + x + length, Y0 + y)]))


def water_world() -> tuple[list, list]:
    """World 'water' (test_zoek.py, test_zoek_browser.py): kavels Q1, Q2, Q3 and their quays, on terrein W."""
    q1 = kavel("W-Q1", "W", 0, 0, 300, 200, cat="4.2", kade_m=250.0)
    q2 = kavel("W-Q2", "W", 1000, 0, 300, 200, cat="4.2", kade_m=250.0, uitgifte="uitgegeven")
    q3 = kavel("W-Q3", "W", 2000, 0, 300, 200, cat="4.2", kade_m=30.0)
    kades = [quay("K1", "W-Q1", "W", 0, -5, 250, klasse="Va", bereikbaar="II"),
             quay("K2", "W-Q2", "W", 1000, -5, 250, klasse="IV", bereikbaar="IV"),
             quay("K3", "W-Q3", "W", 2000, -5, 30, klasse="Vb", bereikbaar="Vb")]
    return [q1, q2, q3], kades


def write_run(folder: Path, kavels: list, terreinen: list, kades: list = (), spoor: list = ()) -> Path:
    """Write the processed files `pipeline zoek` reads into `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    catalogue.write(frame_like("kavels_indicatoren", [k[0] for k in kavels], [k[2] for k in kavels]),
                    "kavels_indicatoren", folder)
    catalogue.write(frame_like("kavels", [k[1] for k in kavels], [k[2] for k in kavels]), "kavels", folder)
    catalogue.write(frame_like("terreinen_strategisch", [t[0] for t in terreinen], [t[1] for t in terreinen]),
                    "terreinen_strategisch", folder)
    catalogue.write(frame_like("kades_status", [q[0] for q in kades], [q[1] for q in kades]), "kades_status", folder)
    if spoor:
        catalogue.write(frame_like("spoor", [{"spoor_id": f"S{i}", "soort": "raccordement"}
                                             for i in range(len(spoor))], list(spoor)), "spoor", folder)
    return folder


def config_for(folder: Path, **zoek):
    config = load_config()
    config.paths.processed = folder / "processed"
    config.paths.maps = folder / "maps"
    for key, value in zoek.items():
        setattr(config.zoek, key, value)
    return config
