"""Indicators added without touching the analyse stage: one function plus one catalogue entry.

    from pipeline.analyse.registry import indicator
    from pipeline.catalogue import Column

    @indicator(Column("aantal_panden", "int", "Aantal panden", nullable=False, rapport=True), per="terrein")
    def aantal_panden(inputs, settings):
        ...  # return a pd.Series keyed by rin_nummer

The decorator declares the column in the catalogue (terreinen_indicatoren or kavels_indicatoren, and so in
everything that extends them) and adds the function to the analyse stage, which calls it after the built-in
analyses with `inputs` (a dict: the canonical layers by name, `kavels` as analysed, and the tables built so far,
`kavels_indicatoren` and `terreinen_indicatoren`, both keyed by their id) and `settings` (config.analyse).
The GeoPackage, map popups and report pick the column up from its catalogue entry.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import pandas as pd

from pipeline import catalogue, io

DATASET = {"kavel": "kavels_indicatoren", "terrein": "terreinen_indicatoren"}
REGISTERED: list["Indicator"] = []


@dataclass(frozen=True)
class Indicator:
    column: catalogue.Column
    per: str  # "kavel" or "terrein"
    compute: Callable[[dict, object], pd.Series]


def indicator(column: catalogue.Column, *, per: str = "terrein"):
    """Register `compute` as the indicator `column`, per kavel or per terrein."""
    if per not in DATASET:
        raise ValueError(f"indicator {column.name}: per must be one of {sorted(DATASET)}, got {per!r}")

    def decorate(compute):
        catalogue.register(DATASET[per], column)
        REGISTERED.append(Indicator(column, per, compute))
        return compute
    return decorate


def remove(name: str) -> None:
    """Take a registered indicator out again (tests)."""
    for item in [i for i in REGISTERED if i.column.name == name]:
        REGISTERED.remove(item)
        catalogue.unregister(DATASET[item.per], name)


def apply(per: str, table: pd.DataFrame, inputs: dict, settings) -> pd.DataFrame:
    """The table with every registered indicator of this level added, joined on the table's key."""
    for ind in [i for i in REGISTERED if i.per == per]:
        values = ind.compute(inputs, settings)
        if not isinstance(values, pd.Series) or not io.is_in(values.index.to_series(), table.index.to_series()).all():
            raise ValueError(f"indicator {ind.column.name}: expected a pandas Series keyed by {table.index.name}")
        table[ind.column.name] = values.reindex(table.index)
    return table
