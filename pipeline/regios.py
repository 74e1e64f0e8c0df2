"""Gemeente -> regio: the package table pipeline/data/gemeente_regio.csv (Noord-Brabant, gemeenten of 2022).

Shared by the score stage (ranks per quality within the region), the export stage (totals per gemeente and
regio) and the transformatie-toets (replacement space in the same region first), so none of them imports
another. A gemeente code that is not in the table gets regio 'onbekend'.
"""
from __future__ import annotations

import csv
import functools
from importlib import resources

import pandas as pd

ONBEKEND = "onbekend"


@functools.lru_cache(maxsize=1)
def _table() -> pd.DataFrame:
    text = resources.files("pipeline").joinpath("data/gemeente_regio.csv").read_text(encoding="utf-8")
    return pd.DataFrame(list(csv.DictReader(text.splitlines())), dtype="string")


def gemeente_regio() -> pd.DataFrame:
    """The table gemeente_code, gemeente_naam, regio."""
    return _table().copy()


def add_gemeente_regio(terreinen: pd.DataFrame) -> pd.DataFrame:
    """A copy with gemeente_naam (the code where unknown) and regio ('onbekend' for an unknown code)."""
    table = _table().set_index("gemeente_code")
    codes = terreinen["gemeente_code"].astype("string") if "gemeente_code" in terreinen else \
        pd.Series(pd.NA, index=terreinen.index, dtype="string")
    out = terreinen.copy()
    naam = codes.map(table["gemeente_naam"]).astype("string")
    out["gemeente_naam"] = naam.fillna(codes).fillna(ONBEKEND)
    out["regio"] = codes.map(table["regio"]).astype("string").fillna(ONBEKEND)
    return out
