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

from pipeline.ingest.centreline import centrelines
from pipeline.threads import in_threads
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


def clean(frame: gpd.GeoDataFrame, kind: str, tally: Tally, *, areas_as_lines: bool = False,
          multi: bool = True) -> gpd.GeoDataFrame:
    """Drop empty geometries, repair invalid ones, keep only parts of the expected kind.

    Polygons come out as MultiPolygon (one row per input row; with multi=False a row of one polygon keeps its
    Polygon, for a writer that makes it MultiPolygon in its WKB: stream.LayerWriter); lines and points are exploded
    to one row per part, so a MultiLineString becomes several LineStrings with the same attributes. With
    `areas_as_lines` (kind LineString), polygon parts become their centre line (centreline.py) and the
    column `_conversie` says how. Rows dropped here are losses: data that could not be used.
    """
    rows = frame["_rij"].to_numpy() if "_rij" in frame else None
    geoms = frame.geometry.to_numpy()
    empty = pd.isna(geoms) | shapely.is_empty(geoms)
    tally.drop(int(empty.sum()), "geen geometrie", rows=None if rows is None else rows[empty], loss=True)
    frame = frame.loc[~empty].copy()
    geoms, invalid = _repaired(frame.geometry.to_numpy(), tally)
    parts, owner = _parts(geoms, kind)
    conversion = np.full(len(parts), "", dtype=object)
    if areas_as_lines and kind == "LineString":
        parts, conversion = _areas_to_lines(parts)
        tally.repair(int((conversion != "").sum()), "vlak (dunne strook) omgezet naar de lijn door het midden")
    keep = (shapely.get_type_id(parts) == PART_TYPE[kind]) & ~shapely.is_empty(parts)
    keep &= (shapely.area(parts) > 0) if kind == "Polygon" else (shapely.length(parts) > 0) if kind == "LineString" \
        else True
    has_kept = np.bincount(owner[keep], minlength=len(geoms)) > 0
    _count_types(frame, geoms, invalid, has_kept, "Polygon" if areas_as_lines else kind, kind, tally)
    parts, owner, conversion = parts[keep], owner[keep], conversion[keep]
    if kind == "Polygon":
        out = np.full(len(geoms), None, dtype=object)
        alone = np.bincount(owner, minlength=len(geoms))[owner] == 1  # a row's only part (most rows): 3x faster
        out[owner[alone]] = shapely.multipolygons(parts[alone][:, None]) if multi else parts[alone]
        order = np.flatnonzero(~alone)[np.argsort(owner[~alone], kind="stable")]
        shapely.multipolygons(parts[order], indices=owner[order], out=out)
        frame = frame.iloc[np.flatnonzero(has_kept)].copy()
        return frame.set_geometry(gpd.GeoSeries(out[has_kept], index=frame.index, crs=frame.crs))
    n_parts = np.bincount(owner, minlength=len(geoms))
    tally.repair(int((n_parts > 1).sum()), f"multi-geometrie gesplitst in losse {kind}s")
    exploded = frame.iloc[owner].copy()
    exploded = exploded.set_geometry(gpd.GeoSeries(parts, index=exploded.index, crs=frame.crs))
    exploded["_deel"] = pd.Series(owner, index=exploded.index).groupby(owner).cumcount().to_numpy()
    exploded["_delen"] = n_parts[owner]
    if areas_as_lines:
        exploded["_conversie"] = conversion
    return exploded.reset_index(drop=True)


def _repaired(geoms: np.ndarray, tally: Tally) -> tuple[np.ndarray, np.ndarray]:
    """Invalid geometries made valid (counted); returns the geometries and the mask of repaired ones."""
    invalid = ~in_threads(shapely.is_valid, geoms)
    if invalid.any():
        geoms = geoms.copy()
        geoms[invalid] = shapely.make_valid(geoms[invalid])
        tally.repair(int(invalid.sum()), "ongeldige geometrie hersteld (make_valid)")
    return geoms, invalid


def _parts(geoms: np.ndarray, kind: str) -> tuple[np.ndarray, np.ndarray]:
    """Single-part geometries with the index of the row they came from (collections unpacked)."""
    single = (shapely.GeometryType.POINT, shapely.GeometryType.LINESTRING, shapely.GeometryType.POLYGON)
    if np.isin(shapely.get_type_id(geoms), single).all():  # nothing to unpack (most sources): no copies
        return geoms, np.arange(len(geoms))
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
    return parts, owner


def _areas_to_lines(parts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Polygon parts replaced by their centre lines; the conversion per part ('' for parts left as they were)."""
    conversion = np.full(len(parts), "", dtype=object)
    area = shapely.get_type_id(parts) == shapely.GeometryType.POLYGON
    if area.any():
        parts = parts.copy()
        parts[area], conversion[area] = centrelines(parts[area])
    return parts, conversion


def _count_types(frame, geoms, invalid, has_kept, also: str, kind: str, tally: Tally) -> None:
    """Count rows that kept only some of their parts (repaired) and rows of the wrong type (lost); geometries of
    the family `also` (polygons turned into lines) are as good as `kind`."""
    pure = np.isin(shapely.get_type_id(geoms), FAMILY_IDS[kind] + FAMILY_IDS[also])
    split = has_kept & ~pure & ~invalid
    tally.repair(int(split.sum()), f"gemengde geometrie: alleen {kind} behouden")
    wrong = ~has_kept
    if not wrong.any():
        return
    names = pd.Series(shapely.get_type_id(geoms[wrong])).map(TYPE_NAMES)
    rows = frame["_rij"].to_numpy()[wrong] if "_rij" in frame else None
    for name in names.unique():
        hit = (names == name).to_numpy()
        tally.drop(int(hit.sum()), f"geometrietype {name} i.p.v. {kind}", rows=None if rows is None else rows[hit],
                   loss=True)


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
    if len(geoms) and (shapely.get_type_id(geoms) == shapely.GeometryType.MULTIPOLYGON).all():
        return geoms  # already (cleaned layers are)
    parts, owner = shapely.get_parts(geoms, return_index=True)
    keep = shapely.get_type_id(parts) == shapely.GeometryType.POLYGON
    out = np.full(len(geoms), None, dtype=object)
    shapely.multipolygons(parts[keep], indices=owner[keep], out=out)
    return out


def repeats(frame: gpd.GeoDataFrame) -> np.ndarray:
    """True for a row whose attributes and geometry (as normalised WKB) repeat an earlier row (`_rij` aside)."""
    key = frame.drop(columns=[frame.geometry.name, *[c for c in ("_rij",) if c in frame]]).astype("str")
    key["_wkb"] = shapely.to_wkb(shapely.normalize(frame.geometry.to_numpy()))
    return key.duplicated().to_numpy()


def drop_exact_duplicates(frame: gpd.GeoDataFrame, tally: Tally) -> gpd.GeoDataFrame:
    """Drop rows whose attributes and geometry (as normalised WKB) repeat an earlier row."""
    dup = repeats(frame)
    tally.drop(int(dup.sum()), "exact dubbel record", rows=frame["_rij"].to_numpy()[dup] if "_rij" in frame else None)
    return frame.loc[~dup]
