"""Shape a frame into exactly the columns and types of a canonical layer (its catalogue entry).

Later stages trust these files, so the shape is settled once, here: missing optional columns become nulls,
missing yes/no values become False, polygons become MultiPolygon, and the catalogue checks and types the rest
(column order, dtypes, vocabularies, non-null and unique keys, EPSG:28992).
"""
from __future__ import annotations

import geopandas as gpd
import pandas as pd

from pipeline import catalogue
from pipeline.crs import WORKING_CRS, assert_working_crs
from pipeline.ingest.geometry import to_multipolygon


def conform(frame: gpd.GeoDataFrame, layer_name: str, *, multi: bool = True) -> gpd.GeoDataFrame:
    """Exactly the canonical columns (missing ones as nulls) in order, typed, plus `geometry`. multi=False: a cleaned
    frame's single Polygons stay Polygons (geometry.clean multi=False, for stream.LayerWriter)."""
    entry = catalogue.dataset(layer_name)
    out = {}
    for column in catalogue.columns(layer_name):
        values = frame[column.name] if column.name in frame else pd.Series([None] * len(frame), index=frame.index,
                                                                            dtype=object)
        if column.dtype == "bool" and not column.nullable:
            values = values.astype("boolean").fillna(False)
        out[column.name] = values
    geoms = frame.geometry.to_numpy()
    if entry.geometry == "Polygon" and multi:
        geoms = to_multipolygon(geoms)
    result = gpd.GeoDataFrame(pd.DataFrame(out).reset_index(drop=True),
                              geometry=gpd.GeoSeries(geoms, crs=frame.crs).reset_index(drop=True))
    if result.crs is None:
        result = result.set_crs(WORKING_CRS)
    assert_working_crs(result, layer_name)
    return catalogue.conform(result, layer_name)
