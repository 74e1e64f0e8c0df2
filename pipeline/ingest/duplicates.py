"""Duplicate ids in a canonical layer: counted in the quality report and handled by one documented rule.

Real extracts repeat objects (a tile boundary, an export run twice, a BGT object in two files). The rule, for
every layer with an id column (its catalogue key, or the first `*_id` column):
- a row that repeats another in id, attributes and geometry is dropped (a copy, not data): "exact dubbel";
- rows that share an id but differ are all kept; in a layer whose id is its key (kavels, kades, terreinen) the
  repeats get '-1', '-2', ... so every object stays addressable ("dubbele <id> uniek gemaakt"), elsewhere they
  keep their id ("dubbele <id> met andere inhoud behouden").
Only rows with a repeated id are compared in full, so a large layer without repeats costs one hash per id.
"""
from __future__ import annotations

import geopandas as gpd
import numpy as np

from pipeline import catalogue
from pipeline.ingest.fields import unique_ids
from pipeline.ingest.geometry import repeats
from pipeline.ingest.quality import Report


def id_column(name: str) -> str | None:
    entry = catalogue.dataset(name)
    if entry.key:
        return entry.key
    first = entry.columns[0].name
    return first if first.endswith("_id") else None


def exact_copies(sub: gpd.GeoDataFrame) -> np.ndarray:
    """Keep mask of rows sharing an id: False for a row that repeats an earlier one in id, attributes and geometry."""
    return ~repeats(sub)


def count_streamed(tally, col: str | None, stats: dict) -> None:
    """The counts of `handle` for a layer written in batches (pipeline/ingest/large.py): stats of its writer."""
    if col is None:
        return
    tally.drop(stats["copies"], "exact dubbel (zelfde id, kenmerken en geometrie)")
    tally.kept -= stats["copies"]
    tally.repair(stats["still"], f"dubbele {col} met andere inhoud behouden")


def handle(frame: gpd.GeoDataFrame, name: str, report: Report) -> gpd.GeoDataFrame:
    """The layer after the rule above; counts go to the layer's first tally in the quality report."""
    col = id_column(name)
    if col is None or not len(frame):
        return frame
    repeated = frame[col].duplicated(keep=False) & frame[col].notna()
    if not repeated.any():
        return frame
    tally = next((t for t in report.tallies if t.layer == name), None) or report.tally(name, name, None)
    sub = frame[repeated]
    copy_index = sub.index[~exact_copies(sub)]
    tally.drop(len(copy_index), "exact dubbel (zelfde id, kenmerken en geometrie)")
    tally.kept -= len(copy_index)
    out = frame.drop(index=copy_index)
    still = out[col].duplicated(keep=False) & out[col].notna()
    if still.any():
        if catalogue.dataset(name).key == col:
            out[col], changed = unique_ids(out[col])
            tally.repair(changed, f"dubbele {col} uniek gemaakt")
        else:
            tally.repair(int(still.sum()), f"dubbele {col} met andere inhoud behouden")
    return out.reset_index(drop=True)
