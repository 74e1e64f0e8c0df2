"""Fairway sections (VNDS / NWB-Vaarwegen) -> canonical `vaarwegen` with a CEMT class.

Reads: sources.vaarwegen. CEMT classes are spelled many ways ("Va", "VA", "va", "CEMT-klasse IV", and in
the Rijkswaterstaat VNDS layer l_navigability `code`/`description` values such as "IVa", "IVb", "5a");
they are normalised to the canonical spelling of pipeline.categories.CEMT_KLASSEN (IVa/IVb -> IV, arabic
numerals -> roman) and anything else is refused with the list of valid classes (a silent null would cut
the network analysis short).
Multi-part lines are split into parts so every row is a LineString edge of the network.
"""
from __future__ import annotations

import geopandas as gpd
import pandas as pd

from pipeline.categories import CEMT_KLASSEN
from pipeline.config import Config
from pipeline.ingest.base import load
from pipeline.ingest.checks import filled
from pipeline.ingest.fields import Spec, Where, as_text, fill_ids, map_vocabulary
from pipeline.ingest.geometry import part_ids
from pipeline.ingest.quality import Report

SPECS = [
    Spec("vaarweg_id", ("VWK_ID", "vaarwegvak_id", "vaarwegvak", "vaarwegvakid", "id", "identificatie", "objectid")),
    Spec("naam", ("VAARWEGNAA", "vaarwegnaam", "vaarweg_naam", "naam", "name")),
    Spec("cemt_klasse", ("CEMT_KLASS", "cemt_klasse", "CEMTKLASSE", "klasse", "cemt", "cemt_class", "code",
                         "description"), required=True),
]
CANONICAL = {k.upper(): k for k in CEMT_KLASSEN}
ARABIC = {"0": "0", "1": "I", "2": "II", "3": "III", "4": "IV", "5": "V", "6": "VI", "7": "VII"}
SUBCLASS_OF = {"IVA": "IV", "IVB": "IV"}  # VNDS splits IV; the canonical classes do not
UNKNOWN = {"", "-", "ONBEKEND", "NVT", "GEEN", "N.V.T."}


def cemt_classes(values: pd.Series, *, where: Where, field: str) -> pd.Series:
    """'va', 'CEMT Va', 'klasse IV', 'VIA' -> 'Va', 'IV', 'VIa'; blanks -> null; others refused."""
    text = as_text(values).str.upper().str.replace(r"^(CEMT)?[\s\-_]*(KLASSE)?[\s\-_]*", "", regex=True).str.strip()
    text = text.where(~text.isin(UNKNOWN))
    digits = text.str.extract(r"^([0-7])([A-C]?)$")
    text = text.where(digits[0].isna(), digits[0].map(ARABIC) + digits[1].fillna(""))
    text = text.replace(SUBCLASS_OF)
    return map_vocabulary(text, CANONICAL, CEMT_KLASSEN, where=where, field=field)


def ingest(config: Config, report: Report) -> gpd.GeoDataFrame:
    src = load(config.sources.vaarwegen, "vaarwegen", "vaarwegen", SPECS, report, "LineString", config=config)
    frame = src.frame
    ids = fill_ids(as_text(src.col("vaarweg_id")), "V")
    out = gpd.GeoDataFrame({
        "vaarweg_id": part_ids(ids, frame),
        "naam": as_text(src.col("naam")),
        "cemt_klasse": cemt_classes(src.col("cemt_klasse"), where=src.where, field=src.found["cemt_klasse"]),
    }, geometry=frame.geometry, crs=frame.crs)
    src.tally.keep(src.rows)
    filled(out["cemt_klasse"], "cemt_klasse", src)
    return out
