"""A GeoPackage layer's rows as a stream of Arrow batches for GDAL (pyogrio.write_arrow), made a batch at a time.

A layer comes as one frame or as parts (a layer read a few row groups at a time, common.Streamed): GeoDataFrames,
whose geometries are encoded here, or Arrow tables with the geometry still the WKB of their GeoParquet file
(io.read_parquet_tables), written as it is. Polygons become MultiPolygons of one part where the layer is declared
MultiPolygon (the GeoPackage requires one geometry type per layer); for WKB that is a header before the same bytes
(`multi_wkb`), never a decoding.
"""
from __future__ import annotations

import json
from collections.abc import Iterable

import geopandas as gpd
import pandas as pd
import pyarrow as pa
import shapely

from pipeline.crs import assert_working_crs
from pipeline.export.common import jsonable
from pipeline.wkb import as_multi, multi_wkb

GEOMETRY_COLUMN = "geom"


def prepare_frame(frame: gpd.GeoDataFrame, name: str) -> gpd.GeoDataFrame:
    """A layer as GDAL can write it: in EPSG:28992, the geometry named GEOMETRY_COLUMN, categories as text and other
    Python values (lists, dicts) as JSON text."""
    assert_working_crs(frame, name)
    out = frame.copy(deep=False)  # columns are replaced, never changed in place
    if out.geometry.name != GEOMETRY_COLUMN:
        out = out.rename_geometry(GEOMETRY_COLUMN)
    for col in out.columns:
        if col == GEOMETRY_COLUMN:
            continue
        if isinstance(out[col].dtype, pd.CategoricalDtype):
            out[col] = out[col].astype("string")
        elif out[col].dtype == object:
            sample = out[col].dropna()
            if len(sample) and not all(isinstance(v, (str, bool, int, float)) for v in sample):
                out[col] = out[col].map(lambda v: None if v is None else json.dumps(jsonable(v)))
    return out


def prepare_part(part: gpd.GeoDataFrame | pa.Table, name: str, geometry: str) -> gpd.GeoDataFrame | pa.Table:
    """A batch of a streamed layer: a frame as prepare_frame, an Arrow table (WKB) with its geometry renamed."""
    if isinstance(part, pa.Table):
        return part.rename_columns([GEOMETRY_COLUMN if c == geometry else c for c in part.column_names])
    return prepare_frame(part, name)


def arrow_batches(frame: gpd.GeoDataFrame, *, rows: int, multi: bool = False,
                  parts: Iterable[gpd.GeoDataFrame | pa.Table] | None = None) -> pa.RecordBatchReader:
    """A frame as a stream of Arrow batches of `rows` rows for GDAL (pyogrio.write_arrow): attributes and WKB geometry
    under the geometry column's name, Polygons made MultiPolygons when `multi`, an all-empty column as text (GDAL has
    no null type). Made one batch at a time, so the whole layer's WKB never exists at once, and a forked helper
    process (export.processen) makes few new objects in the heap it shares with the main process. With `parts` (the
    layer as frames made one after the other) `frame` gives only the columns and types;
    a part may be an Arrow table with the geometry as WKB under the same name (read_parquet_tables): its WKB is
    written as it is, never decoded."""
    gcol = frame.geometry.name
    schema = pa.Schema.from_pandas(pd.DataFrame(frame.drop(columns=gcol)), preserve_index=False)
    schema = pa.schema([f.with_type(pa.string()) if pa.types.is_null(f.type) else f for f in schema],
                       metadata=schema.metadata)

    def batches():
        for piece in (parts if parts is not None else [frame]):
            if isinstance(piece, pa.Table):
                wkb = piece.column(gcol).cast(pa.binary())
                table = piece.select(schema.names).cast(schema)
                for start in range(0, piece.num_rows, rows):
                    part = wkb.slice(start, rows).combine_chunks()
                    yield from table.slice(start, rows).append_column(gcol, multi_wkb(part) if multi else part
                                                                       ).to_batches()
                continue
            attrs, geoms = pd.DataFrame(piece.drop(columns=gcol)), piece.geometry.to_numpy()
            for start in range(0, len(piece), rows):
                part = geoms[start:start + rows]
                if multi:
                    part = as_multi(part)
                table = pa.Table.from_pandas(attrs.iloc[start:start + rows], schema=schema, preserve_index=False)
                yield from table.append_column(gcol, pa.array(shapely.to_wkb(part), pa.binary())).to_batches()

    return pa.RecordBatchReader.from_batches(schema.append(pa.field(gcol, pa.binary())), batches())
