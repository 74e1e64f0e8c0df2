"""BGT scheiding + kunstwerkdeel -> canonical `kades` (current quay segments with a confidence).

Reads: sources.kades (BGT scheiding), sources.kunstwerkdelen (optional), analyse.kades.bgt_types.
BGT downloads carry the object history: a version with `eindRegistratie` set has been superseded and
is dropped. Only the configured BGT types count as quay (kademuur high, damwand/keermuur medium by
default); walbescherming and walls that are not quays are dropped and counted per type.
"""
from __future__ import annotations

import geopandas as gpd
import pandas as pd

from pipeline.config import Config, Source
from pipeline.ingest.base import load
from pipeline.ingest.fields import Spec, as_text, fill_ids, unique_ids
from pipeline.ingest.geometry import part_ids
from pipeline.ingest.quality import Report

SPECS = [
    Spec("kade_id", ("lokaalID", "lokaal_id", "identificatie.lokaalID", "identificatie_lokaalid", "gml_id",
                     "identificatie", "id")),
    Spec("bgt_type", ("bgt-type", "bgt_type", "bgttype", "type", "typeScheiding", "typeKunstwerk", "fysiekVoorkomen"),
         required=True),
    Spec("plus_type", ("plus-type", "plus_type", "plustype")),
    Spec("eind_registratie", ("eindRegistratie", "eind_registratie", "einddatum", "eindTijd")),
    Spec("tijdstip_registratie", ("tijdstipRegistratie", "tijdstip_registratie")),
]


def ingest(config: Config, report: Report) -> gpd.GeoDataFrame:
    parts = [_one(config.sources.kades, "kades", "BGT scheiding", config, report)]
    if config.sources.kunstwerkdelen is not None:
        parts.append(_one(config.sources.kunstwerkdelen, "kunstwerkdelen", "BGT kunstwerkdeel", config, report))
    out = gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), geometry="geometry", crs=parts[0].crs)
    out["kade_id"], changed = unique_ids(out["kade_id"])
    if changed:
        report.tally("kades", "kades + kunstwerkdelen", None).repair(changed, "dubbele kade_id uniek gemaakt")
    return out


def _one(source: Source, name: str, bron: str, config: Config, report: Report) -> gpd.GeoDataFrame:
    src = load(source, name, "kades", SPECS, report, "LineString")
    tally, frame = src.tally, src.frame
    ids = as_text(src.col("kade_id"))
    bgt_type = as_text(src.col("bgt_type")).str.lower()
    ended = as_text(src.col("eind_registratie")).notna().to_numpy()
    tally.drop(int(ended.sum()), "historische versie (eindRegistratie gevuld)")

    types = config.analyse.kades.bgt_types
    quay = bgt_type.isin(list(types)).to_numpy()
    for value, n in bgt_type[~quay & ~ended].fillna("(leeg)").value_counts().items():
        tally.drop(int(n), f"bgt-type {value} is geen kade")
    keep = quay & ~ended
    ids = fill_ids(ids, f"{name}-", start=0)
    out = gpd.GeoDataFrame({
        "kade_id": part_ids(ids, frame)[keep].to_numpy(),
        "bgt_type": bgt_type[keep].to_numpy(),
        "betrouwbaarheid": bgt_type[keep].map(types).to_numpy(),
        "bron": bron,
    }, geometry=frame.geometry[keep].to_numpy(), crs=frame.crs)
    registered = as_text(src.col("tijdstip_registratie"))
    if registered.notna().any():
        src.provenance["peildatum"] = str(registered.max())[:10]
    tally.kept = len(out)
    return out
