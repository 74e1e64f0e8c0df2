"""Make read geometries fit the canonical layer: valid, of the expected type, one row per object.

Real exports contain self-intersecting polygons, null geometries and mixed layers (a GeometryCollection
or a point among polygons). Analyses rely on valid geometries of one type, so ingest repairs what can
be repaired (counted in the quality report) and drops what cannot (counted, with the reason).
"""
from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from pipeline.ingest.quality import Tally

FAMILY_IDS = {
    "Polygon": [shapely.GeometryType.POLYGON, shapely.GeometryType.MULTIPOLYGON],
    "LineString": [shapely.GeometryType.LINESTRING, shapely.GeometryType.MULTILINESTRING],
    "Point": [shapely.GeometryType.POINT, shapely.GeometryType.MULTIPOINT],
}
TYPE_NAMES = {int(t): n for t, n in [
    (shapely.GeometryType.POINT, "Point"), (shapely.GeometryType.LINESTRING, "LineString"),
    (shapely.GeometryType.LINEARRING, "LinearRing"), (shapely.GeometryType.POLYGON, "Polygon"),
    (shapely.GeometryType.MULTIPOINT, "MultiPoint"), (shapely.GeometryType.MULTILINESTRING, "MultiLineString"),
    (shapely.GeometryType.MULTIPOLYGON, "MultiPolygon"),
    (shapely.GeometryType.GEOMETRYCOLLECTION, "GeometryCollection")]}
PART_TYPE = {"Polygon": shapely.GeometryType.POLYGON, "LineString": shapely.GeometryType.LINESTRING,
             "Point": shapely.GeometryType.POINT}


def clean(frame: gpd.GeoDataFrame, kind: str, tally: Tally) -> gpd.GeoDataFrame:
    """Drop empty geometries, repair invalid ones, keep only parts of the expected kind.

    Polygons come out as MultiPolygon (one row per input row); lines and points are exploded to one
    row per part, so a MultiLineString becomes several LineStrings with the same attributes.
    """
    geoms = frame.geometry.to_numpy()
    empty = pd.isna(geoms) | shapely.is_empty(geoms)
    tally.drop(int(empty.sum()), "geen geometrie")
    frame = frame.loc[~empty].copy()
    geoms = frame.geometry.to_numpy()

    invalid = ~shapely.is_valid(geoms)
    if invalid.any():
        geoms = geoms.copy()
        geoms[invalid] = shapely.make_valid(geoms[invalid])
        tally.repair(int(invalid.sum()), "ongeldige geometrie hersteld (make_valid)")

    parts, owner = shapely.get_parts(geoms, return_index=True)
    # GeometryCollections nest one level more (make_valid output); unpack them too
    nested = shapely.get_type_id(parts) == shapely.GeometryType.GEOMETRYCOLLECTION
    if nested.any():
        sub, sub_owner = shapely.get_parts(parts[nested], return_index=True)
        parts = np.concatenate([parts[~nested], sub])
        owner = np.concatenate([owner[~nested], owner[nested][sub_owner]])
    if kind == "LineString":  # a ring given as LinearRing is still a line
        ring = np.flatnonzero(shapely.get_type_id(parts) == shapely.GeometryType.LINEARRING)
        if len(ring):
            coords, idx = shapely.get_coordinates(parts[ring], return_index=True)
            parts = parts.copy()
            parts[ring] = shapely.linestrings(coords, indices=idx)
    keep = (shapely.get_type_id(parts) == PART_TYPE[kind]) & ~shapely.is_empty(parts)
    if kind == "Polygon":
        keep &= shapely.area(parts) > 0
    elif kind == "LineString":
        keep &= shapely.length(parts) > 0

    pure = np.isin(shapely.get_type_id(geoms), FAMILY_IDS[kind])
    has_kept = np.bincount(owner[keep], minlength=len(geoms)) > 0
    split = has_kept & ~pure & ~invalid
    tally.repair(int(split.sum()), f"gemengde geometrie: alleen {kind} behouden")
    wrong = ~has_kept
    if wrong.any():
        found = pd.Series(shapely.get_type_id(geoms[wrong])).map(TYPE_NAMES).value_counts()
        for name, n in found.items():
            tally.drop(int(n), f"geometrietype {name} i.p.v. {kind}")

    parts, owner = parts[keep], owner[keep]
    if kind == "Polygon":
        out = np.full(len(geoms), None, dtype=object)
        order = np.argsort(owner, kind="stable")
        shapely.multipolygons(parts[order], indices=owner[order], out=out)
        frame = frame.iloc[np.flatnonzero(has_kept)].copy()
        frame = frame.set_geometry(gpd.GeoSeries(out[has_kept], index=frame.index, crs=frame.crs))
        return frame
    n_parts = np.bincount(owner, minlength=len(geoms))
    tally.repair(int((n_parts > 1).sum()), f"multi-geometrie gesplitst in losse {kind}s")
    exploded = frame.iloc[owner].copy()
    exploded = exploded.set_geometry(gpd.GeoSeries(parts, index=exploded.index, crs=frame.crs))
    exploded["_deel"] = pd.Series(owner, index=exploded.index).groupby(owner).cumcount().to_numpy()
    exploded["_delen"] = n_parts[owner]
    return exploded.reset_index(drop=True)


def part_ids(ids: pd.Series, frame: gpd.GeoDataFrame) -> pd.Series:
    """Keep ids unique after exploding a multi-part geometry: 'abc' -> 'abc-1', 'abc-2'."""
    multi = frame["_delen"] > 1
    return ids.where(~multi, ids.astype("str") + "-" + (frame["_deel"] + 1).astype("str"))


def dissolve(frame: gpd.GeoDataFrame, key: str) -> tuple[gpd.GeoDataFrame, int]:
    """One row per key (geometries unioned, first attributes kept); returns the number of merged rows."""
    counts = frame[key].value_counts()
    multi = counts[counts > 1]
    if multi.empty:
        return frame, 0
    single = frame[~frame[key].isin(multi.index)]
    grouped = frame[frame[key].isin(multi.index)]
    merged = grouped.dissolve(by=key, aggfunc="first", as_index=False, sort=False)
    merged = merged.set_geometry(gpd.GeoSeries(to_multipolygon(merged.geometry.to_numpy()), index=merged.index,
                                               crs=frame.crs))
    out = pd.concat([single, merged[frame.columns]], ignore_index=True)
    return gpd.GeoDataFrame(out, geometry=frame.geometry.name, crs=frame.crs), int(multi.sum() - len(multi))


def to_multipolygon(geoms: np.ndarray) -> np.ndarray:
    """Polygonal parts of each geometry as one MultiPolygon (union results may be Polygon)."""
    parts, owner = shapely.get_parts(geoms, return_index=True)
    keep = shapely.get_type_id(parts) == shapely.GeometryType.POLYGON
    out = np.full(len(geoms), None, dtype=object)
    shapely.multipolygons(parts[keep], indices=owner[keep], out=out)
    return out


def drop_exact_duplicates(frame: gpd.GeoDataFrame, tally: Tally) -> gpd.GeoDataFrame:
    """Drop rows whose attributes and geometry (as normalised WKB) repeat an earlier row."""
    key = frame.drop(columns=frame.geometry.name).astype("str")
    key["_wkb"] = shapely.to_wkb(shapely.normalize(frame.geometry.to_numpy()))
    dup = key.duplicated().to_numpy()
    tally.drop(int(dup.sum()), "exact dubbel record")
    return frame.loc[~dup]
