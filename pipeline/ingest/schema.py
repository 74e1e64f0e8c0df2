"""Shape a frame into exactly the columns and types of a canonical layer (pipeline/layers.py).

Later stages trust these files blindly, so the check happens once, here: exact column order, pandas
dtypes per declared type, categories within their vocabulary, polygons as MultiPolygon, EPSG:28992.
"""
from __future__ import annotations

import geopandas as gpd
import pandas as pd

from pipeline.categories import CEMT_KLASSEN, MILIEUCATEGORIEEN
from pipeline.crs import WORKING_CRS, assert_working_crs
from pipeline.ingest.geometry import to_multipolygon
from pipeline.layers import LAYERS

DTYPES = {"str": "str", "float": "float64", "int": "Int64", "bool": "bool", "cat": "str", "cemt": "str",
          "date": "str"}


def conform(frame: gpd.GeoDataFrame, layer_name: str) -> gpd.GeoDataFrame:
    """Exactly the canonical columns (missing ones as nulls) in order, typed, plus `geometry`."""
    layer = LAYERS[layer_name]
    out = {}
    for name, kind in layer.columns.items():
        values = frame[name] if name in frame else pd.Series([None] * len(frame), index=frame.index, dtype=object)
        if kind == "bool":
            values = values.astype("boolean").fillna(False)
        out[name] = values.astype(DTYPES[kind])
        if kind in ("cat", "cemt"):
            allowed = MILIEUCATEGORIEEN if kind == "cat" else CEMT_KLASSEN
            bad = out[name].notna() & ~out[name].isin(allowed)
            if bad.any():
                raise ValueError(f"{layer_name}.{name}: values {sorted(out[name][bad].unique())} outside {allowed}")
    geoms = frame.geometry.to_numpy()
    if layer.geometry == "Polygon":
        geoms = to_multipolygon(geoms)
    result = gpd.GeoDataFrame(pd.DataFrame(out).reset_index(drop=True),
                              geometry=gpd.GeoSeries(geoms, crs=frame.crs).reset_index(drop=True))
    if result.crs is None:
        result = result.set_crs(WORKING_CRS)
    assert_working_crs(result, layer_name)
    return result
