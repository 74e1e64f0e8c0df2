"""WKB as the pipeline writes it: Polygons made MultiPolygons of one part without decoding them.

Canonical polygon layers are MultiPolygon, but most of their rows are single polygons. Making a MultiPolygon object
of each and encoding it again costs seconds per million rows (national BAG: 11 million panden); the MultiPolygon's
WKB is the polygon's WKB behind a 9-byte header, so `multi_wkb` adds that header to the WKB as written (the ingest's
LayerWriter, the export's GeoPackage layers).
"""
from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import shapely


def as_multi(geoms: np.ndarray) -> np.ndarray:
    """Polygons as MultiPolygons of one part; other geometries as they are."""
    single = shapely.get_type_id(geoms) == shapely.GeometryType.POLYGON
    geoms = geoms.copy()
    geoms[single] = shapely.multipolygons(np.atleast_2d(geoms[single]), axis=0)
    return geoms


# little-endian WKB: byte order 1, then the type as uint32 (3 Polygon, 6 MultiPolygon) and a MultiPolygon's count
_WKB_POLYGON, _WKB_MULTIPOLYGON = b"\x01\x03\x00\x00\x00", b"\x01\x06\x00\x00\x00"
_ONE_PART = _WKB_MULTIPOLYGON + b"\x01\x00\x00\x00"


def multi_wkb(wkb: pa.Array) -> pa.Array:
    """`as_multi` on WKB without decoding it: a 2D little-endian Polygon's MultiPolygon of one part is the same bytes
    behind a 9-byte header (what shapely.to_wkb writes for it, byte for byte). Any other encoding of a polygon (big
    endian, Z, an SRID) is decoded and written by shapely."""
    data = np.frombuffer(wkb.buffers()[2], dtype=np.uint8) if wkb.buffers()[2] is not None else np.zeros(0, np.uint8)
    starts = np.frombuffer(wkb.buffers()[1], dtype=np.int32)[wkb.offset:wkb.offset + len(wkb) + 1]
    long = np.flatnonzero(np.diff(starts) >= 5)
    head = np.zeros((len(wkb), 5), dtype=np.uint8)
    head[long] = data[starts[long, None] + np.arange(5)]
    polygon = (head == np.frombuffer(_WKB_POLYGON, np.uint8)).all(axis=1)
    other = ~polygon & ~(head == np.frombuffer(_WKB_MULTIPOLYGON, np.uint8)).all(axis=1) & wkb.is_valid().to_numpy(
        zero_copy_only=False)
    prefix = pa.array([b"", _ONE_PART], pa.binary()).take(pa.array(polygon.astype(np.int8)))
    out = pc.binary_join_element_wise(prefix, wkb, pa.scalar(b"", pa.binary()))
    if other.any():  # rare: re-encode those rows as the frames' path does
        rows = np.flatnonzero(other)
        made = shapely.to_wkb(as_multi(shapely.from_wkb(wkb.take(rows).to_numpy(zero_copy_only=False))))
        values = np.asarray(out.to_numpy(zero_copy_only=False), dtype=object)
        values[rows] = made
        out = pa.array(values, pa.binary())
    return out
