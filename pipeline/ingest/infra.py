"""Rail (OSM-like or ProRail) and motorway ramps -> canonical `spoor` and `opritten` (both optional).

Reads: sources.spoor, sources.opritten.
OSM tags are mapped to the canonical Dutch kinds: service=siding/spur -> raccordement, yard ->
emplacement, no service -> hoofdspoor. Tracks that are not heavy rail (tram, abandoned, disused,
construction...) are dropped and counted, because a siding must be usable to count as multimodal.
"""
from __future__ import annotations

import geopandas as gpd

from pipeline.config import Config
from pipeline.ingest.base import load
from pipeline.ingest.fields import Spec, as_text, check_vocabulary, fill_ids, map_vocabulary
from pipeline.ingest.geometry import part_ids
from pipeline.ingest.quality import Report

SPOOR_SPECS = [
    Spec("spoor_id", ("id", "osm_id", "@id", "identificatie", "spoortak_id")),
    Spec("railway", ("railway",)),
    Spec("service", ("service",)),
    Spec("soort", ("soort", "spoorsoort", "type")),
]
OPRIT_SPECS = [
    Spec("oprit_id", ("id", "osm_id", "@id", "identificatie")),
    Spec("wegnummer", ("wegnummer", "wegnr", "ref", "weg", "road")),
    Spec("soort", ("soort", "type", "highway", "hecto_letter")),
]
SERVICE = {"siding": "raccordement", "spur": "raccordement", "yard": "emplacement", "crossover": "hoofdspoor",
           "": "hoofdspoor"}
RAIL = {"rail"}
SPOOR_SOORTEN = ["raccordement", "emplacement", "hoofdspoor"]
OPRIT_SOORTEN = {"aansluiting": "aansluiting", "motorway_junction": "aansluiting", "oprit": "oprit",
                 "on_ramp": "oprit", "afrit": "afrit", "off_ramp": "afrit", "knooppunt": "aansluiting"}


def ingest_spoor(config: Config, report: Report) -> gpd.GeoDataFrame:
    src = load(config.sources.spoor, "spoor", "spoor", SPOOR_SPECS, report, "LineString", config=config)
    tally = src.tally
    railway = as_text(src.col("railway")).str.lower()
    keep = (railway.isin(RAIL) | railway.isna()).to_numpy()  # no railway field: all null, all kept
    for value, n in railway[~keep].value_counts().items():
        tally.drop(int(n), f"railway={value} is geen bruikbaar spoor", rows=src.rows[~keep & (railway == value)])
    soort = as_text(src.col("soort")).str.lower()
    from_service = as_text(src.col("service")).str.lower().fillna("").map(SERVICE).fillna("hoofdspoor")
    soort = soort.fillna(from_service)
    check_vocabulary(soort, SPOOR_SOORTEN, where=src.where, field=src.found["soort"] or "service")
    ids = fill_ids(as_text(src.col("spoor_id")), "S")
    out = gpd.GeoDataFrame({"spoor_id": part_ids(ids, src.frame)[keep].to_numpy(), "soort": soort[keep].to_numpy()},
                           geometry=src.frame.geometry[keep].to_numpy(), crs=src.frame.crs)
    tally.keep(src.rows[keep])
    return out


def ingest_opritten(config: Config, report: Report) -> gpd.GeoDataFrame:
    src = load(config.sources.opritten, "opritten", "opritten", OPRIT_SPECS, report, "Point", config=config)
    text = as_text(src.col("soort")).str.lower()
    soort = map_vocabulary(text, OPRIT_SOORTEN, sorted(OPRIT_SOORTEN), where=src.where,
                           field=src.found["soort"] or "soort")
    ids = fill_ids(as_text(src.col("oprit_id")), "O")
    out = gpd.GeoDataFrame({
        "oprit_id": part_ids(ids, src.frame),
        "wegnummer": as_text(src.col("wegnummer")).str.upper(),
        "soort": soort.fillna("aansluiting"),
    }, geometry=src.frame.geometry, crs=src.frame.crs)
    src.tally.keep(src.rows)
    return out
