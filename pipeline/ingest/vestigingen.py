"""Vestigingen (establishments) -> canonical `vestigingen` with the SBI code as text.

Reads: sources.vestigingen (optional): a point layer, or a CSV with x/y (RD) or lon/lat columns (tables.py:
separator, decimal comma and encoding detected or set in the source's settings; every field read as text).
The SBI code must be text: "45.20" and 45.2 are different codes to a prefix match, and "08.12" loses
its leading zero as a number. A file that stores codes as numbers cannot be recovered exactly, so the
choice made here is: a numeric code below 100 is written with two decimals ("45.20", "08.12"), a
numeric code without a dot (4520, 812) is read as dotless digits; each such file logs a warning.
Dotless text codes ("4520", "52241") get their dot after the second digit ("45.20", "52.241").
"""
from __future__ import annotations

import logging

import geopandas as gpd
import numpy as np
import pandas as pd

from pipeline.config import Config
from pipeline.ingest.base import load
from pipeline.ingest.checks import filled
from pipeline.ingest.fields import Spec, Where, as_number, as_text, fill_ids, reject
from pipeline.ingest.geometry import part_ids
from pipeline.ingest.quality import Report

log = logging.getLogger(__name__)

SPECS = [
    Spec("vestiging_id", ("vestigingsnummer", "vestigingnummer", "vestiging_nr", "id", "kvk_vestigingsnummer")),
    Spec("naam", ("handelsnaam", "bedrijfsnaam", "naam", "name")),
    Spec("sbi_code", ("sbi", "sbicode", "sbi_hoofdactiviteit", "hoofdactiviteit_sbi", "sbi2008", "activiteit"),
         required=True),
    Spec("werkzame_personen", ("werkzame_personen", "werkzamepersonen", "wp", "aantal_werkzame_personen",
                               "werknemers", "banen")),
]


def sbi_codes(values: pd.Series, *, where: Where, field: str, tally=None) -> pd.Series:
    """SBI codes as text in dotted form; see the module docstring for numeric input."""
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        numbers = values.astype("float64")
        small = (numbers < 100).to_numpy()
        whole = np.floor(numbers)
        cents = np.round((numbers - whole) * 100)
        dotted = whole.astype("Int64").astype("str").str.zfill(2) + "." + cents.astype("Int64").astype("str").str.zfill(2)
        text = dotted.where(small, whole.astype("Int64").astype("str"))
        text = text.where(numbers.notna())
        log.warning("%s: SBI codes stored as numbers in field %r; formatted as text with 2 decimals "
                    "(45.2 -> 45.20); codes like 46.711 cannot be recovered exactly", where.path, field)
        if tally is not None:
            tally.repair(int(numbers.notna().sum()), "SBI-code als getal opgeslagen, als tekst (2 decimalen) gelezen")
    else:
        text = as_text(values).str.replace(" ", "", regex=False)
    three = text.str.fullmatch(r"\d{3}").fillna(False).astype(bool)
    text = text.where(~three, text.str.zfill(4))
    dotless = text.str.fullmatch(r"\d{4,5}").fillna(False).astype(bool)
    text = text.where(~dotless, text.str[:2] + "." + text.str[2:])
    bad = reject(text.notna() & ~text.str.fullmatch(r"\d{1,2}(\.\d{1,3}){0,2}").fillna(False).astype(bool), text,
                 where=where, field=field, problem="value(s) are not SBI codes",
                 expected="an SBI-2008 code such as 45.20 or 08.12")
    return text.where(~bad)


def ingest(config: Config, report: Report) -> gpd.GeoDataFrame:
    src = load(config.sources.vestigingen, "vestigingen", "vestigingen", SPECS, report, "Point", config=config)
    ids = fill_ids(as_text(src.col("vestiging_id")), "V")
    out = gpd.GeoDataFrame({
        "vestiging_id": part_ids(ids, src.frame),
        "naam": as_text(src.col("naam")),
        "sbi_code": sbi_codes(src.col("sbi_code"), where=src.where, field=src.found["sbi_code"], tally=src.tally),
        "werkzame_personen": as_number(src.col("werkzame_personen"), where=src.where,
                                       field=src.found["werkzame_personen"] or "werkzame_personen"),
    }, geometry=src.frame.geometry, crs=src.frame.crs)
    src.tally.keep(src.rows)
    filled(out["sbi_code"], "sbi_code", src)
    return out
