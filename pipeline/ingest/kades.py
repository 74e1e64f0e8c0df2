"""BGT scheiding + kunstwerkdeel -> canonical `kades` (current quay segments with a confidence).

Reads: sources.kades (BGT scheiding: lines and/or areas), sources.kades_vlak (scheiding drawn as areas, when
delivered apart, as PDOK's scheiding_vlak), sources.kunstwerkdelen and sources.kunstwerkdelen_vlak (optional),
analyse.kades.bgt_types, ingest.boog_max_afwijking_m.
BGT downloads carry the object history: a version with `eindRegistratie` (or `terminationDate`) set has been
superseded and is dropped. Only the configured BGT types count as quay (kademuur high, damwand/keermuur
medium by default); walbescherming and walls that are not quays are dropped and counted per type. A quay
drawn as a thin polygon becomes the line along its middle (centreline.py), so it counts with its long side;
arcs are linearised on reading. Every segment records the geometry type it had in the file and the
conversion done (`geometrie_bron`, `conversie`), and the quality report counts per BGT type.
"""
from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from pipeline.config import Config, Source
from pipeline.ingest.base import Loaded, load
from pipeline.ingest.curves import CURVED, TYPE_NAMES
from pipeline.ingest.fields import Spec, as_text, fill_ids
from pipeline.ingest.geometry import part_ids
from pipeline.ingest.quality import Report
from pipeline.ingest.readers import SOURCE_TYPE

SPECS = [
    Spec("kade_id", ("lokaalID", "lokaal_id", "identificatie.lokaalID", "identificatie_lokaalid", "gml_id",
                     "identificatie", "id")),
    Spec("bgt_type", ("bgt-type", "bgt_type", "bgttype", "type", "typeScheiding", "typeKunstwerk", "fysiekVoorkomen"),
         required=True),
    Spec("plus_type", ("plus-type", "plus_type", "plustype")),
    Spec("eind_registratie", ("eindRegistratie", "eind_registratie", "einddatum", "eindTijd")),
    Spec("termination_date", ("terminationDate", "termination_date")),
    Spec("tijdstip_registratie", ("tijdstipRegistratie", "tijdstip_registratie")),
]
# source key -> name in the `bron` column
SOURCES = {"kades": "BGT scheiding", "kades_vlak": "BGT scheiding", "kunstwerkdelen": "BGT kunstwerkdeel",
           "kunstwerkdelen_vlak": "BGT kunstwerkdeel"}
CURVED_NAMES = [TYPE_NAMES[int(i)] for i in CURVED]
NO_CONVERSION = "geen"
LINEARISED = "bogen gelinealiseerd"


def ingest(config: Config, report: Report) -> gpd.GeoDataFrame:
    parts = [_one(getattr(config.sources, name), name, bron, config, report) for name, bron in SOURCES.items()
             if getattr(config.sources, name) is not None]
    return gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), geometry="geometry", crs=parts[0].crs)


def _selection(types: dict[str, str]):
    """Current versions of quay types only, before any geometry work (counted per BGT type)."""
    def select(src: Loaded) -> np.ndarray:
        ended = (as_text(src.col("eind_registratie")).notna() | as_text(src.col("termination_date")).notna()).to_numpy()
        src.tally.drop(int(ended.sum()), "historische versie (eindRegistratie of terminationDate gevuld)",
                       rows=src.rows[ended])
        bgt_type = as_text(src.col("bgt_type")).str.lower()
        quay = bgt_type.isin(list(types)).to_numpy()
        other = ~quay & ~ended
        for value in bgt_type[other].fillna("(leeg)").unique():
            hit = other & (bgt_type.fillna("(leeg)") == value).to_numpy()
            src.tally.drop(int(hit.sum()), f"bgt-type {value} is geen kade", rows=src.rows[hit])
        return quay & ~ended
    return select


def _one(source: Source, name: str, bron: str, config: Config, report: Report) -> gpd.GeoDataFrame:
    types = config.analyse.kades.bgt_types
    src = load(source, name, "kades", SPECS, report, "LineString", config=config, kinds_field="bgt_type",
               areas_as_lines=True, select=_selection(types))
    frame = src.frame
    if frame.empty:
        return gpd.GeoDataFrame({c: [] for c in ("kade_id", "bgt_type", "betrouwbaarheid", "bron", "geometrie_bron",
                                                  "conversie")}, geometry=[], crs=frame.crs)
    bgt_type = as_text(src.col("bgt_type")).str.lower()
    ids = fill_ids(as_text(src.col("kade_id")), f"{name}-", start=0)
    source_type = frame[SOURCE_TYPE].astype("string").fillna("onbekend")
    out = gpd.GeoDataFrame({
        "kade_id": part_ids(ids, frame).to_numpy(),
        "bgt_type": bgt_type.to_numpy(),
        "betrouwbaarheid": bgt_type.map(types).to_numpy(),
        "bron": bron,
        "geometrie_bron": source_type.to_numpy(dtype=object),
        "conversie": conversions(source_type, frame["_conversie"]).to_numpy(),
    }, geometry=frame.geometry.to_numpy(), crs=frame.crs)
    registered = as_text(src.col("tijdstip_registratie"))
    if registered.notna().any():
        src.provenance["peildatum"] = str(registered.max())[:10]
    src.tally.keep(src.rows)
    return out


def conversions(source_type: pd.Series, area_conversion: pd.Series) -> pd.Series:
    """'geen', 'bogen gelinealiseerd', the centre-line method for an area, or both joined by '; '."""
    curved = source_type.isin(CURVED_NAMES).to_numpy()
    area = area_conversion.fillna("").astype(str).to_numpy()
    both = np.where(curved & (area != ""), LINEARISED + "; " + area, np.where(curved, LINEARISED, area))
    return pd.Series(np.where(both == "", NO_CONVERSION, both), index=source_type.index)
