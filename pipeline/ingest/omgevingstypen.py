"""Omgevingstype areas -> canonical `omgevingstypen` ("rustige woonwijk" / "gemengd gebied").

Reads: sources.omgevingstypen (optional). The VNG richtafstanden exist for exactly these two types
(rustig buitengebied uses the rustige-woonwijk distances), so other values are refused.
"""
from __future__ import annotations

import geopandas as gpd

from pipeline.config import Config
from pipeline.ingest.base import load
from pipeline.ingest.fields import Spec, as_text, map_vocabulary
from pipeline.ingest.quality import Report

SPECS = [Spec("omgevingstype", ("omgevingstype", "gebiedstype", "type", "omgeving"), required=True)]
VALUES = {"rustige woonwijk": "rustige woonwijk", "rustig buitengebied": "rustige woonwijk",
          "rustig": "rustige woonwijk", "gemengd gebied": "gemengd gebied", "gemengd": "gemengd gebied"}


def ingest(config: Config, report: Report) -> gpd.GeoDataFrame:
    src = load(config.sources.omgevingstypen, "omgevingstypen", "omgevingstypen", SPECS, report, "Polygon",
               config=config, default_layer="omgevingstypen")
    text = as_text(src.col("omgevingstype")).str.lower().str.replace(r"\s+", " ", regex=True)
    mapped = map_vocabulary(text, VALUES, sorted(VALUES), where=src.where, field=src.found["omgevingstype"])
    keep = mapped.notna().to_numpy()
    src.tally.drop(int((~keep).sum()), "geen omgevingstype", rows=src.rows[~keep], loss=True)
    out = gpd.GeoDataFrame({"omgevingstype": mapped[keep].to_numpy()}, geometry=src.frame.geometry[keep].to_numpy(),
                           crs=src.frame.crs)
    src.tally.keep(src.rows[keep])
    return out
