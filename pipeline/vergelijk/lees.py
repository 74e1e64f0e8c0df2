"""Reading one run for a comparison: its terreinen with the measures compared, its peiljaar and its settings.

A run is a processed folder (paths.processed of some configuration). Runs may come from different versions of
the pipeline (last year's run against today's), so the file is read as it is and only the columns compared must
be there; an older run without typologie or regio still compares (regio is derived from gemeente_code, the type
is then unknown). The HMC columns are those of analyse.milieuruimte.hmc_vanaf of the configuration given.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd

from pipeline import catalogue
from pipeline.categories import variant_label
from pipeline.io import read_parquet

# measure -> (column in terreinen_strategisch, '{hmc}' = the HMC variant), Dutch label, unit
MEASURES = {
    "ha_bruto": ("ha_bruto", "Bruto oppervlakte (IBIS)", "ha"),
    "ha_hmc": ("ha_hmc_{hmc}", "HMC-ruimte", "ha"),
    "ha_hmc_niet_hmc": ("ha_hmc_{hmc}_niet_hmc", "HMC-ruimte bezet door niet-HMC", "ha"),
    "ha_hmc_vacant": ("ha_hmc_{hmc}_vacant", "HMC-ruimte vacant", "ha"),
    "kade_m": ("kade_m", "Kade", "m"),
    "kade_benut_m": ("kade_benut_m", "Kade benut", "m"),
    "kade_onbenut_m": ("kade_onbenut_m", "Kade onbenut", "m"),
    "kade_vrij_m": ("kade_vrij_m", "Kade vrij", "m"),
    "kade_onbekend_m": ("kade_onbekend_m", "Kade status onbekend", "m"),
    "ha_uitgeefbaar": ("ha_uitgeefbaar", "Uitgeefbaar (IBIS)", "ha"),
}
TEXT = ["naam", "gemeente_code", "gemeente_naam", "regio", "vlag_klasse", "typologie", "wloc_type"]


@dataclass
class Run:
    folder: Path
    terreinen: gpd.GeoDataFrame   # index rin_nummer: TEXT, MEASURES, vlag, contour_ha, geometry
    peiljaar: str                 # the latest IBIS year of its terreinen ('onbekend' without)
    hmc_vanaf: str | None         # the run's own analyse.milieuruimte.hmc_vanaf (analyse_instellingen.json)
    historie: pd.DataFrame | None  # terreinen_historie (None for a run without it)
    heeft_typologie: bool


def _hmc_vanaf(folder: Path) -> str | None:
    meta = folder / "analyse_instellingen.json"
    if not meta.is_file():
        return None
    settings = json.loads(meta.read_text(encoding="utf-8")).get("instellingen", {})
    return settings.get("milieuruimte", {}).get("hmc_vanaf")


def read_run(folder: str | Path, hmc_vanaf: str) -> Run:
    """The run in `folder`; ValueError naming the folder and what is missing when it cannot be compared."""
    from pipeline.export.common import add_gemeente_regio, vlag_klasse  # regio where the run has none (older runs)
    folder = Path(folder)
    path = folder / "terreinen_strategisch.parquet"
    if not folder.is_dir():
        raise ValueError(f"vergelijk: {folder} is not a folder (give two processed folders, e.g. data/processed)")
    if not path.is_file():
        raise ValueError(f"vergelijk: {path} does not exist; run the pipeline up to score for that folder first")
    t = read_parquet(path, what="terreinen_strategisch")
    columns = {m: col.replace("{hmc}", variant_label(hmc_vanaf)) for m, (col, _, _) in MEASURES.items()}
    missing = [c for c in ["rin_nummer", "vlag", *columns.values()] if c not in t.columns]
    if missing:
        raise ValueError(f"vergelijk: {path} lacks column(s) {missing} (HMC from {hmc_vanaf}: "
                         "analyse.milieuruimte.hmc_vanaf of the configuration given)")
    if "regio" not in t.columns or "gemeente_naam" not in t.columns:
        t = add_gemeente_regio(t)
    out = gpd.GeoDataFrame({"rin_nummer": t["rin_nummer"].astype(str)}, geometry=t.geometry.values, crs=t.crs)
    for c in TEXT:
        out[c] = t[c].astype("string") if c in t.columns else pd.Series(pd.NA, index=t.index, dtype="string")
    out["vlag_klasse"] = vlag_klasse(t).to_numpy(object)
    out["vlag"] = t["vlag"].astype("boolean").fillna(False).to_numpy(bool)
    for m, col in columns.items():
        out[m] = t[col].astype(float).to_numpy()
    out["contour_ha"] = out.geometry.area.to_numpy() / 10_000
    jaar = t["jaar"].dropna() if "jaar" in t.columns else pd.Series(dtype=float)
    try:
        historie = catalogue.read("terreinen_historie", folder, optional=True)
    except catalogue.CatalogueError:  # a history of another pipeline version: compare without the trend
        historie = None
    return Run(folder=folder, terreinen=out.set_index("rin_nummer", drop=False),
               peiljaar=str(int(jaar.max())) if len(jaar) else "onbekend", hmc_vanaf=_hmc_vanaf(folder),
               historie=historie, heeft_typologie="typologie" in t.columns)
