"""The BGT of the demo written the way real BGT is: GML with walls as lines *and* as thin areas, and arcs.

Why: a real port extract draws most kademuren as thin polygons and uses gml:Arc segments, and ingest must turn
both into quay lines (pipeline/ingest/centreline.py, curves.py); writing the demo the same way makes `make all`
exercise that every time. The quays are generated as lines (water.py); here each gets a form:
- "lijn": the line itself;
- "vlak": a strip of STRIP_WIDTH m around it (flat ends, mitred bends): its centre line is the line again;
- "boog": a CircularString through the line's points (an arc through every three);
- "boogvlak": a CurvePolygon whose long sides are such arcs on either side of the line.
Most scenario port quays are areas (as in a real port) and one is an L-shaped strip round a basin corner; the
background quays take the four forms in turn. Curved geometries have no shapely type, so they are written as
WKB by hand (ISO WKB: CircularString 8, CompoundCurve 9, CurvePolygon 10) and handed to GDAL's GML writer.
"""
from __future__ import annotations

import os
import shutil
import struct
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

from pipeline.crs import WORKING_CRS
from pipeline.io import scratch_folder

STRIP_WIDTH = 1.2
FORM = "_vorm"
SCENARIO_AREAS = ([f"haven-oost-rivier-{i}" for i in range(1, 8)] + [f"haven-oost-kanaal-{i}" for i in range(4)]
                  + [f"haven-west-rivier-{i}" for i in range(5)] + [f"haven-west-kanaal-{i}" for i in range(3)]
                  + ["kanaalzone-1", "binnenhaven-kop"])
BACKGROUND_FORMS = np.array(["vlak", "boog", "boogvlak", "lijn"])


def forms(keys) -> np.ndarray:
    """The form of each quay by its key: scenario names (demo-<name>) or background numbers (bg-<n>)."""
    keys = pd.Series(np.asarray(keys, dtype=str))
    scenario = keys.str.startswith("demo-") & keys.str.removeprefix("demo-").isin(SCENARIO_AREAS)
    out = np.where(scenario, "vlak", "lijn").astype(object)
    number = pd.to_numeric(keys.str.removeprefix("bg-"), errors="coerce")
    background = number.notna().to_numpy()
    out[background] = BACKGROUND_FORMS[number[background].astype(np.int64).to_numpy() % 4]
    return out


def _odd(coords: np.ndarray) -> np.ndarray:
    """An odd number (>= 3) of points, as an ArcString needs: a midpoint inserted in the last segment if not."""
    if len(coords) % 2 == 1:
        return coords
    return np.vstack([coords[:-1], (coords[-2] + coords[-1]) / 2, coords[-1:]])


def _curve(kind: int, coords: np.ndarray) -> bytes:
    return struct.pack("<BII", 1, kind, len(coords)) + coords.astype("<f8").tobytes()


def arc_line(coords: np.ndarray) -> bytes:
    return _curve(8, _odd(coords))


def arc_strip(coords: np.ndarray, width: float) -> bytes:
    """CurvePolygon: arcs along both sides of the line, straight ends."""
    pts = _odd(coords)
    tangent = np.gradient(pts, axis=0)
    tangent /= np.linalg.norm(tangent, axis=1, keepdims=True)
    normal = np.column_stack([-tangent[:, 1], tangent[:, 0]]) * width / 2
    left, right = pts + normal, (pts - normal)[::-1]
    parts = [_curve(8, left), _curve(2, np.array([left[-1], right[0]])), _curve(8, right),
             _curve(2, np.array([right[-1], left[0]]))]
    ring = struct.pack("<BII", 1, 9, len(parts)) + b"".join(parts)
    return struct.pack("<BII", 1, 10, 1) + ring


def to_wkb(geoms: np.ndarray, form: np.ndarray, width: float = STRIP_WIDTH) -> np.ndarray:
    """WKB of each quay in its form (see the module docstring)."""
    out = np.empty(len(geoms), dtype=object)
    form = np.asarray(form, dtype=object).copy()
    short = shapely.get_num_coordinates(geoms) < 3  # an arc needs three points: a straight piece stays straight
    form[short & (form == "boog")], form[short & (form == "boogvlak")] = "lijn", "vlak"
    plain = (form == "lijn") | (form == "vlak")
    strips = shapely.buffer(geoms, width / 2, cap_style="flat", join_style="mitre")
    out[plain] = shapely.to_wkb(np.where(form[plain] == "lijn", geoms[plain], strips[plain]))
    curved = np.flatnonzero(~plain)
    coords, index = shapely.get_coordinates(geoms[curved], return_index=True)
    pieces = np.split(coords, np.flatnonzero(np.diff(index)) + 1)
    out[curved] = [arc_line(c) if f == "boog" else arc_strip(c, width)  # the curved few: built one by one
                   for c, f in zip(pieces, form[curved])]
    return out


def write_gml(gdf: gpd.GeoDataFrame, target: Path) -> None:
    """GML 3.2 through GDAL (its .xsd beside it), built in a temporary folder and then moved into place.

    Field names with '-' (bgt-type) become '_' (bgt_type): XML element names written by GDAL cannot hold them.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    form = gdf[FORM].to_numpy(dtype=str) if FORM in gdf else np.full(len(gdf), "lijn")
    gdf = gdf.rename(columns=lambda c: c.replace("-", "_"))
    fields = [c for c in gdf.columns if c not in (gdf.geometry.name, FORM)]
    scratch = scratch_folder(target)
    try:
        path = scratch / target.name
        pyogrio.raw.write(path, to_wkb(gdf.geometry.to_numpy(), form),
                          field_data=[gdf[c].astype(object).where(gdf[c].notna(), None).to_numpy() for c in fields],
                          fields=fields, geometry_type="Unknown", crs=WORKING_CRS, driver="GML",
                          layer=target.stem, dataset_options={"FORMAT": "GML3.2"})
        for part in sorted(scratch.iterdir(), key=lambda p: p.suffix == ".gml"):  # the .gml last
            os.replace(part, target.with_suffix(part.suffix))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
