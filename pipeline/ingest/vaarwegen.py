"""Fairway sections (VNDS / NWB-Vaarwegen) -> canonical `vaarwegen` with a CEMT class.

Reads: sources.vaarwegen. CEMT classes are spelled many ways ("Va", "VA", "va", "CEMT-klasse IV");
they are normalised to the canonical spelling of pipeline.categories.CEMT_KLASSEN and anything else
is refused with the list of valid classes (a silent null would cut the network analysis short).
Multi-part lines are split into parts so every row is a LineString edge of the network.
"""
from __future__ import annotations

import geopandas as gpd
import pandas as pd

from pipeline.categories import CEMT_KLASSEN
from pipeline.config import Config
from pipeline.ingest.base import load
from pipeline.ingest.fields import Spec, Where, as_text, fill_ids, map_vocabulary
from pipeline.ingest.geometry import part_ids
from pipeline.ingest.quality import Report

SPECS = [
    Spec("vaarweg_id", ("VWK_ID", "vaarwegvak_id", "vaarwegvak", "vaarwegvakid", "id", "identificatie", "objectid")),
    Spec("naam", ("VAARWEGNAA", "vaarwegnaam", "vaarweg_naam", "naam", "name")),
    Spec("cemt_klasse", ("CEMT_KLASS", "cemt_klasse", "CEMTKLASSE", "klasse", "cemt", "cemt_class"),
         required=True),
]
CANONICAL = {k.upper(): k for k in CEMT_KLASSEN}
UNKNOWN = {"", "-", "ONBEKEND", "NVT", "GEEN", "N.V.T."}


def cemt_classes(values: pd.Series, *, where: Where, field: str) -> pd.Series:
    """'va', 'CEMT Va', 'klasse IV', 'VIA' -> 'Va', 'IV', 'VIa'; blanks -> null; others refused."""
    text = as_text(values).str.upper().str.replace(r"^(CEMT)?[\s\-_]*(KLASSE)?[\s\-_]*", "", regex=True).str.strip()
    text = text.where(~text.isin(UNKNOWN))
    return map_vocabulary(text, CANONICAL, CEMT_KLASSEN, where=where, field=field)


def ingest(config: Config, report: Report) -> gpd.GeoDataFrame:
    src = load(config.sources.vaarwegen, "vaarwegen", "vaarwegen", SPECS, report, "LineString")
    frame = src.frame
    ids = fill_ids(as_text(src.col("vaarweg_id")), "V")
    out = gpd.GeoDataFrame({
        "vaarweg_id": part_ids(ids, frame),
        "naam": as_text(src.col("naam")),
        "cemt_klasse": cemt_classes(src.col("cemt_klasse"), where=src.where, field=src.found["cemt_klasse"]),
    }, geometry=frame.geometry, crs=frame.crs)
    src.tally.kept = len(out)
    return out
