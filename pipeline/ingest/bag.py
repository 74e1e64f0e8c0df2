"""BAG (PDOK GeoPackage) -> canonical `panden` and `verblijfsobjecten`.

Reads: sources.panden, sources.verblijfsobjecten, analyse.milieuruimte.gevoelige_gebruiksdoelen.
BAG identifiers are 16-digit text with leading zeros; a file that stores them as numbers lost the
zeros, so digit-only ids are zero-padded back to 16. `gevoelig` is decided here, once, from the
configured gebruiksdoelen (a verblijfsobject with several gebruiksdoelen is gevoelig if any is).
"""
from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from pipeline.config import Config
from pipeline.ingest.base import load
from pipeline.ingest.fields import Spec, as_int, as_text
from pipeline.ingest.geometry import part_ids
from pipeline.ingest.quality import Report

PAND_SPECS = [
    Spec("pand_id", ("identificatie", "pandidentificatie", "id", "gid"), required=True),
    Spec("bouwjaar", ("oorspronkelijkbouwjaar", "oorspronkelijk_bouwjaar", "bouwjaar")),
    Spec("status", ("pandstatus", "status")),
]
VBO_SPECS = [
    Spec("vbo_id", ("identificatie", "verblijfsobjectidentificatie", "id", "gid"), required=True),
    Spec("gebruiksdoel", ("gebruiksdoelen", "gebruiksdoelverblijfsobject"), required=True),
]


def bag_ids(values: pd.Series) -> pd.Series:
    """Text ids; digit-only ids shorter than 16 (stored as numbers) get their leading zeros back."""
    text = as_text(values)
    short = text.str.fullmatch(r"\d{1,15}").fillna(False).astype(bool)
    return text.where(~short, text.str.zfill(16))


def ingest_panden(config: Config, report: Report) -> gpd.GeoDataFrame:
    src = load(config.sources.panden, "panden", "panden", PAND_SPECS, report, "Polygon", default_layer="pand")
    out = gpd.GeoDataFrame({
        "pand_id": bag_ids(src.col("pand_id")),
        "bouwjaar": as_int(src.col("bouwjaar"), where=src.where, field=src.found["bouwjaar"] or "bouwjaar"),
        "status": as_text(src.col("status")),
    }, geometry=src.frame.geometry, crs=src.frame.crs)
    src.tally.kept = len(out)
    return out


def ingest_verblijfsobjecten(config: Config, report: Report) -> gpd.GeoDataFrame:
    src = load(config.sources.verblijfsobjecten, "verblijfsobjecten", "verblijfsobjecten", VBO_SPECS, report,
               "Point", default_layer="verblijfsobject")
    raw = src.col("gebruiksdoel")
    present = raw.dropna()
    if len(present) and isinstance(present.iloc[0], (list, tuple, np.ndarray)):
        # a JSON array in GeoJSON arrives from GDAL as a list per row: join it like the comma-separated text
        raw = raw.map(lambda v: ",".join(map(str, v)) if isinstance(v, (list, tuple, np.ndarray)) else v)
    doel = as_text(raw).str.lower().str.replace(r"\s*[,;|]\s*", ",", regex=True)
    gevoelig_doelen = [d.strip().lower() for d in config.analyse.milieuruimte.gevoelige_gebruiksdoelen]
    listed = doel.fillna("").str.split(",").explode()
    gevoelig = listed.isin(gevoelig_doelen).groupby(level=0).any() if len(listed) else listed.astype(bool)
    ids = bag_ids(src.col("vbo_id"))
    out = gpd.GeoDataFrame({
        "vbo_id": part_ids(ids, src.frame),
        "gebruiksdoel": doel,
        "gevoelig": gevoelig.reindex(doel.index, fill_value=False).to_numpy(dtype=bool),
    }, geometry=src.frame.geometry, crs=src.frame.crs)
    src.tally.kept = len(out)
    return out
