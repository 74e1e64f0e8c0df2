"""Shared pieces of the exports: reading the stage outputs, Dutch labels, colours, gemeente -> regio.

Inputs (all in `config.paths.processed`, EPSG:28992): terreinen_strategisch.parquet (required),
kavels_indicatoren.parquet, kades_status.parquet, milieuruimte_contouren.parquet, the canonical layers
(`pipeline/layers.py`) and ingest_bronnen.json (all optional: a missing one is left out and logged).
"""
from __future__ import annotations

import csv
import json
import logging
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from pipeline.io import read_parquet
from pipeline.layers import LAYERS

log = logging.getLogger(__name__)

# ---------------------------------------------------------------------------------------------
# Vocabularies and colours (shared by the QGIS styles, the map and the report)
# ---------------------------------------------------------------------------------------------
VLAG_KLEUREN = {"strategisch": "#b2182b", "grensgeval": "#f4a582", "niet strategisch": "#bababa"}
# fairway classes on the map: (label, lowest CEMT class of the group, colour, line weight)
VAARWEG_KLASSEN = [("CEMT Va en hoger", "Va", "#08306b", 5), ("CEMT IV", "IV", "#2171b5", 3.5),
                   ("CEMT III en lager", "0", "#6baed6", 2)]
KADE_KLEUREN = {"benut": "#1a9641", "onbenut": "#d7191c", "vrij": "#2b83ba", "onbekend": "#8c8c8c"}
NET_KLEUREN = {"groen": "#1a9641", "geel": "#ffd92f", "oranje": "#fd8d3c", "rood": "#d7191c",
               "onbekend": "#bdbdbd"}
CONTOUR_KLEUREN = {"1": "#ffffb2", "2": "#fed976", "3.1": "#feb24c", "3.2": "#fd8d3c", "4.1": "#fc4e2a",
                   "4.2": "#e31a1c", "5.1": "#bd0026", "5.2": "#800026", "5.3": "#67001f", "6": "#3f007d"}
KAVEL_GSI_KLASSEN = [(0.0, 0.3, "#fdae61"), (0.3, 0.5, "#ffffbf"), (0.5, 0.8, "#a6d96a"), (0.8, 10.0, "#1a9641")]
SCORE_KLASSEN = [(0.0, 0.2, "#ffffcc"), (0.2, 0.4, "#a1dab4"), (0.4, 0.6, "#41b6c4"),
                 (0.6, 0.8, "#2c7fb8"), (0.8, 1.0, "#253494")]
CLUSTER_KLEUR = "#6a3d9a"

# ---------------------------------------------------------------------------------------------
# Dutch labels of every known column (unknown columns get a readable fallback)
# ---------------------------------------------------------------------------------------------
LABELS: dict[str, str] = {
    "rin_nummer": "RIN-nummer", "naam": "Naam", "gemeente_code": "Gemeentecode", "gemeente_naam": "Gemeente",
    "regio": "Regio", "kern": "Kern", "provincie": "Provincie", "jaar": "Peiljaar IBIS",
    "ha_bruto": "Bruto oppervlakte (ha)", "ha_netto": "Netto oppervlakte (ha)",
    "ha_uitgeefbaar": "Uitgeefbaar (ha, IBIS)", "wloc_type": "Werklocatietype",
    "max_milieucategorie": "Max. milieucategorie (IBIS)", "water_ontsluiting": "Ontsloten over water (IBIS)",
    "spoor_ontsluiting": "Ontsloten over spoor (IBIS)", "aantal_kavels": "Aantal kavels",
    "kavels_bron": "Bron kavels",
    "ha_hmc_41": "HMC-ruimte ≥ 4.1 (ha)", "ha_hmc_41_niet_hmc": "HMC-ruimte ≥ 4.1 bezet door niet-HMC (ha)",
    "ha_hmc_41_vacant": "HMC-ruimte ≥ 4.1 vacant (ha)",
    "ha_hmc_42": "HMC-ruimte ≥ 4.2 (ha)", "ha_hmc_42_niet_hmc": "HMC-ruimte ≥ 4.2 bezet door niet-HMC (ha)",
    "ha_hmc_42_vacant": "HMC-ruimte ≥ 4.2 vacant (ha)",
    "ha_hmc_51": "HMC-ruimte ≥ 5.1 (ha)", "ha_hmc_51_niet_hmc": "HMC-ruimte ≥ 5.1 bezet door niet-HMC (ha)",
    "ha_hmc_51_vacant": "HMC-ruimte ≥ 5.1 vacant (ha)",
    "ha_niet_waarmaakbaar": "Niet waarmaakbare categorie (ha)", "cat_potentie_max": "Hoogste mogelijke categorie",
    "kade_m": "Kade (m)", "kade_benut_m": "Kade benut (m)", "kade_onbenut_m": "Kade onbenut (m)",
    "kade_vrij_m": "Kade vrij (m)", "kade_onbekend_m": "Kade status onbekend (m)",
    "cemt_beste": "Beste CEMT-klasse", "cemt_bereikbaar": "Bereikbare CEMT-klasse",
    "footprint_m2": "Bebouwd oppervlak (m²)", "gsi": "Bebouwingsgraad (GSI)",
    "onbenut_bebouwing_m2": "Onbenutte bouwruimte (m²)", "aantal_onderbenut": "Aantal onderbenutte kavels",
    "ha_onderbenut": "Onderbenutte kavels (ha)", "aandeel_aangenomen": "Aandeel aangenomen bebouwingspercentage",
    "afname_dominant": "Netcapaciteit afname (dominant)", "invoeding_dominant": "Netcapaciteit invoeding (dominant)",
    "afname_beschikbaar_mw": "Afname beschikbaar (MW)", "afname_wachtrij_mw": "Afname wachtrij (MW)",
    "invoeding_beschikbaar_mw": "Invoeding beschikbaar (MW)", "invoeding_wachtrij_mw": "Invoeding wachtrij (MW)",
    "potentie_milieuruimte_ha": "Onbenutte milieuruimte (ha)", "potentie_kades_m": "Onbenutte kades (m)",
    "potentie_bebouwing_m2": "Onbenutte bouwruimte (m²)", "potentie_uitgeefbaar_ha": "Uitgeefbaar (ha)",
    "modaliteiten": "Modaliteiten", "cluster_id": "Cluster", "cluster_aantal": "Terreinen in cluster",
    "cluster_ha": "Oppervlakte cluster (ha)", "cluster_aandeel_hmc": "Aandeel HMC in cluster",
    "cluster_aandeel_water": "Aandeel water in cluster", "aantal_sterk": "Aantal sterke kwaliteiten",
    "zeef": "Door de zeef", "zeef_reden": "Zeef: reden", "score": "Score", "vlag": "Strategisch (vlag)",
    "vlag_tak": "Vlag via", "vlag_klasse": "Klasse", "waarom": "Waarom",
    "beschermen_en_benutten": "Beschermen en benutten", "flag_stabiliteit": "Stabiliteit van de vlag",
    "grensgeval": "Grensgeval", "rang": "Rang", "rangband": "Rangband",
    # kavels
    "kavel_id": "Kavel", "oppervlakte_m2": "Oppervlakte (m²)", "afstand_gevoelig_m": "Afstand tot gevoelig object (m)",
    "omgevingstype": "Omgevingstype", "cat_afstand": "Categorie volgens afstand", "cat_plan": "Categorie volgens plan",
    "cat_plan_bron": "Bron categorie plan", "cat_potentie": "Mogelijke categorie", "cat_benut": "Benutte categorie",
    "gap_stappen": "Onbenutte stappen", "niet_waarmaakbaar": "Niet waarmaakbaar", "hmc_potentie": "HMC mogelijk",
    "hmc_benut": "HMC aanwezig", "vacant": "Vacant", "watergebonden": "Watergebonden",
    "max_bebouwingspercentage": "Max. bebouwingspercentage", "max_bebouwing_aangenomen": "Bebouwingspercentage aangenomen",
    "onderbenut": "Onderbenut", "uitgifte_status": "Uitgiftestatus", "bron": "Bron",
    # kades
    "kade_id": "Kade", "lengte_m": "Lengte (m)", "bgt_type": "BGT-type", "betrouwbaarheid": "Betrouwbaarheid",
    "vaarweg_id": "Vaarwegvak", "cemt_klasse": "CEMT-klasse", "status": "Status",
    # contouren / netcapaciteit
    "categorie": "Milieucategorie past", "gebied_id": "Gebied", "gebied_naam": "Gebiedsnaam",
    "netbeheerder": "Netbeheerder", "afname_status": "Afname", "invoeding_status": "Invoeding",
    "afname_wachtrij_aantal": "Afname wachtrij (aantal)", "invoeding_wachtrij_aantal": "Invoeding wachtrij (aantal)",
}
CRITERION_LABELS = {"water": "Water", "milieuruimte": "Milieuruimte", "multimodaal": "Multimodaal",
                    "cluster": "Cluster", "omvang": "Omvang", "netcapaciteit": "Netcapaciteit",
                    "onbenut": "Onbenutte potentie"}
# the parts of every criterion ({criterion}_{part} columns), in column order
PART_LABELS = {"ruw": "ruwe waarde", "norm": "genormaliseerd", "gewicht": "gewicht", "bijdrage": "bijdrage",
               "sterk": "sterk"}


def label(column: str) -> str:
    """Readable Dutch label of a column name (every column gets one)."""
    if column in LABELS:
        return LABELS[column]
    m = re.fullmatch(rf"(\w+?)_({'|'.join(PART_LABELS)})", column)
    if m and m.group(1) in CRITERION_LABELS:
        return f"{CRITERION_LABELS[m.group(1)]}: {PART_LABELS[m.group(2)]}"
    m = re.fullmatch(r"(afname|invoeding)_aandeel_(\w+)", column)
    if m:
        return f"{m.group(1).capitalize()}: aandeel {m.group(2)}"
    m = re.fullmatch(r"(\w+)_(gemiddeld|max)", column)
    if m:
        return f"{m.group(1).replace('_', ' ').capitalize()} ({'gemiddeld' if m.group(2) == 'gemiddeld' else 'maximum'})"
    return column.replace("_", " ").capitalize()


# ---------------------------------------------------------------------------------------------
# Gemeente -> regio
# ---------------------------------------------------------------------------------------------
def gemeente_regio() -> pd.DataFrame:
    """The package table gemeente_code, gemeente_naam, regio (Noord-Brabant, gemeenten of 2022)."""
    text = resources.files("pipeline").joinpath("data/gemeente_regio.csv").read_text(encoding="utf-8")
    rows = list(csv.DictReader(text.splitlines()))
    return pd.DataFrame(rows, dtype="string")


def add_gemeente_regio(terreinen: pd.DataFrame) -> pd.DataFrame:
    """Add gemeente_naam and regio (unknown code -> 'onbekend') after gemeente_code."""
    table = gemeente_regio().set_index("gemeente_code")
    codes = terreinen["gemeente_code"].astype("string") if "gemeente_code" in terreinen else \
        pd.Series(pd.NA, index=terreinen.index, dtype="string")
    out = terreinen.copy()
    naam = codes.map(table["gemeente_naam"]).astype("string")
    out["gemeente_naam"] = naam.fillna(codes).fillna("onbekend")
    out["regio"] = codes.map(table["regio"]).astype("string").fillna("onbekend")
    return out


# ---------------------------------------------------------------------------------------------
# Reading the inputs
# ---------------------------------------------------------------------------------------------
@dataclass
class Inputs:
    terreinen: gpd.GeoDataFrame
    kavels: gpd.GeoDataFrame | None = None
    kades: gpd.GeoDataFrame | None = None
    contouren: gpd.GeoDataFrame | None = None
    netcapaciteit: gpd.GeoDataFrame | None = None
    canonical: dict[str, gpd.GeoDataFrame | pd.DataFrame] = field(default_factory=dict)
    bronnen: list[dict] = field(default_factory=list)
    files: dict[str, Path] = field(default_factory=dict)


def bool_column(frame: pd.DataFrame, column: str) -> pd.Series:
    """A boolean column with missing values (or a missing column) as False."""
    if column not in frame:
        return pd.Series(False, index=frame.index, dtype="boolean")
    return frame[column].astype("boolean").fillna(False)


def template_text(name: str) -> str:
    """A file from pipeline/templates (the maps and the report)."""
    return resources.files("pipeline").joinpath(f"templates/{name}").read_text(encoding="utf-8")


def vlag_klasse(terreinen: pd.DataFrame) -> pd.Series:
    """'grensgeval' where the flag is unstable, else 'strategisch' / 'niet strategisch'."""
    vlag = bool_column(terreinen, "vlag")
    grens = bool_column(terreinen, "grensgeval")
    out = np.where(grens, "grensgeval", np.where(vlag, "strategisch", "niet strategisch"))
    return pd.Series(out, index=terreinen.index, dtype="string")


def prepare_terreinen(terreinen: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Terreinen sorted by rang with vlag_klasse, gemeente_naam and regio added."""
    out = add_gemeente_regio(terreinen)
    out["vlag_klasse"] = vlag_klasse(out)
    if "rang" in out:
        out = out.sort_values(["rang", "rin_nummer"], kind="stable", na_position="last")
    return out.reset_index(drop=True)


def _present(path: Path, what: str) -> bool:
    if path.is_file():
        return True
    log.info("export: %s not found (%s), left out", what, path)
    return False


def _read_optional(path: Path, what: str):
    return read_parquet(path, what=what) if _present(path, what) else None


def read_bronnen(processed: Path) -> list[dict]:
    """ingest_bronnen.json as a list of dicts (accepts a list, or a mapping name -> record)."""
    path = processed / "ingest_bronnen.json"
    if not path.is_file():
        log.warning("export: %s not found; provenance lists no sources", path)
        return []
    data = json.loads(path.read_text(encoding="utf-8"))
    if isinstance(data, dict):
        if isinstance(data.get("bronnen"), list):
            return [dict(r) for r in data["bronnen"]]
        return [{"bron": k, **(v if isinstance(v, dict) else {"waarde": v})} for k, v in data.items()]
    return [dict(r) for r in data]


def read_inputs(config) -> Inputs:
    """Every export input; the canonical layers are read only when they go into the GeoPackage
    (`export.gpkg_invoer`), but an existing file is listed in `files` (provenance) either way."""
    processed = Path(config.paths.processed)
    main = processed / "terreinen_strategisch.parquet"
    terreinen = read_parquet(main, what="terreinen_strategisch (score stage)")
    inputs = Inputs(terreinen=prepare_terreinen(terreinen), files={"terreinen_strategisch": main})
    for attr, name in [("kavels", "kavels_indicatoren"), ("kades", "kades_status"),
                       ("contouren", "milieuruimte_contouren"), ("netcapaciteit", "netcapaciteit")]:
        path = processed / f"{name}.parquet"
        setattr(inputs, attr, _read_optional(path, name))
        if getattr(inputs, attr) is not None:
            inputs.files[name] = path
    for name, layer in LAYERS.items():
        if name == "netcapaciteit":
            continue
        path, what = processed / layer.filename, f"canonical layer {name}"
        if not _present(path, what):
            continue
        if config.export.gpkg_invoer:
            inputs.canonical[name] = read_parquet(path, what=what)
        inputs.files[f"invoer_{name}"] = path
    inputs.bronnen = read_bronnen(processed)
    return inputs


def jsonable(value):
    """A value as plain JSON data (NA/NaN -> None, numpy scalars -> Python)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, (np.bool_, bool)):
        return bool(value)
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return None if not np.isfinite(value) else float(value)
    if isinstance(value, (pd.Timestamp,)):
        return value.isoformat()
    return value if isinstance(value, (int, str)) else str(value)
