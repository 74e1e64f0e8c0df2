"""IBIS history -> `terreinen_historie`: one row per RIN_NUMMER and year, for the trend of bruto, netto and
uitgeefbaar ha over the years (the analyses keep using the latest year: pipeline/ingest/terreinen.py).

Reads the records `terreinen.ingest` has read (canonical names, areas already in ha, before it keeps the latest
year). Rules, the same as for the current layer so that the latest year of the history equals `terreinen`:
- only terreinen that are in the `terreinen` layer (so the region filter applies to the history as well);
- a record without JAAR/PEILDATUM is left out (it belongs to no year);
- an exact duplicate record (attributes and geometry) is dropped;
- a terrein drawn as several polygons in one year is one row: the attributes of its first record, as the dissolve
  of the current layer keeps them (`aantal_records` says how many polygons there were).
Everything is counted in the quality report under layer terreinen_historie, source 'terreinen (historie)'.
"""
from __future__ import annotations

import geopandas as gpd
import pandas as pd

from pipeline.ingest import geometry
from pipeline.ingest.quality import Report

NAME = "terreinen_historie"
SOURCE = "terreinen (historie)"
COLUMNS = ["rin_nummer", "jaar", "naam", "gemeente_code", "wloc_type", "ha_bruto", "ha_netto", "ha_uitgeefbaar"]


def table(records: gpd.GeoDataFrame, current: pd.Series, report: Report, path) -> pd.DataFrame:
    """The history of the terreinen in `current` (rin_nummer values) from all their dated IBIS records."""
    tally = report.tally(NAME, SOURCE, path)
    tally.read = len(records)
    known = records["rin_nummer"].isin(set(current.astype(str))).to_numpy(bool)
    tally.drop(int((~known).sum()), "terrein niet in de laag terreinen (buiten de regio)")
    dated = records.loc[known & records["jaar"].notna().to_numpy(bool)]
    tally.drop(int(known.sum() - len(dated)), "geen JAAR of PEILDATUM (hoort bij geen jaar)")
    dated = geometry.drop_exact_duplicates(dated, tally)
    per_year = dated.groupby(["rin_nummer", "jaar"], sort=True)
    out = per_year[COLUMNS[2:]].first()
    out["aantal_records"] = per_year.size()
    tally.merge(int(len(dated) - len(out)))
    tally.kept = len(out)
    out = out.reset_index()
    out["jaar"] = out["jaar"].astype("int64")
    return pd.DataFrame(out)
