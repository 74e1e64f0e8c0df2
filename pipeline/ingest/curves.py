"""Curved geometry (gml:Arc, CircularString, CompoundCurve, CurvePolygon) -> straight segments within a tolerance.

Why: BGT and BRK GML use arcs routinely. GDAL reads them as curved types, which GEOS/shapely cannot decode
(before this module, ingest stopped with "NotImplementedError: Nonlinear geometry types are not currently
supported"). GDAL linearises when asked: its step is at most OGR_ARC_STEPSIZE degrees of the arc and at
most OGR_ARC_MAX_GAP metres between points. The largest distance between an arc of radius R and a chord
of angle t is R (1 - cos t/2) <= R t²/8; with the angle bounded by `a` and the chord by `g` (t <= g/R) it
is at most g a / 8 for any radius, so g = 8 x tolerance / a keeps every arc within the tolerance.
Arcs in the GIO files ingest parses itself are stroked here (`stroke_arcs`) with the same bound.
"""
from __future__ import annotations

import contextlib
import tempfile
import warnings
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyogrio
import shapely

STEP_DEGREES = 1.0
# WKB base type codes (ISO, without the Z/M thousands and the EWKB flags)
TYPE_NAMES = {1: "Point", 2: "LineString", 3: "Polygon", 4: "MultiPoint", 5: "MultiLineString", 6: "MultiPolygon",
              7: "GeometryCollection", 8: "CircularString", 9: "CompoundCurve", 10: "CurvePolygon",
              11: "MultiCurve", 12: "MultiSurface", 13: "Curve", 14: "Surface", 15: "PolyhedralSurface",
              16: "TIN", 17: "Triangle"}
CURVED = np.array([8, 9, 10, 11, 12, 13, 14])


def arc_settings(tolerance: float) -> dict[str, str]:
    """GDAL's linearisation options for a largest arc-to-chord distance of `tolerance` metres."""
    gap = 0.95 * 8 * tolerance / np.radians(STEP_DEGREES)
    return {"OGR_ARC_STEPSIZE": f"{STEP_DEGREES:g}", "OGR_ARC_MAX_GAP": f"{gap:.6g}"}


@contextlib.contextmanager
def arc_options(tolerance: float):
    """GDAL configured to linearise arcs within `tolerance` for the duration of the block."""
    wanted = arc_settings(tolerance)
    before = {k: pyogrio.get_gdal_config_option(k) for k in wanted}
    pyogrio.set_gdal_config_options(wanted)
    try:
        yield
    finally:
        pyogrio.set_gdal_config_options(before)


def wkb_types(column) -> np.ndarray:
    """The WKB base type code of every geometry in an Arrow binary column or an array of bytes (-1 = null).

    Read from the 5-byte WKB header (byte order + type) with numpy, without decoding the geometries.
    """
    arr = column if isinstance(column, (pa.Array, pa.ChunkedArray)) else pa.array(list(column), type=pa.binary())
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks() if arr.num_chunks else pa.array([], type=pa.binary())
    if isinstance(arr.type, pa.ExtensionType):
        arr = arr.storage
    arr = arr.cast(pa.large_binary())
    n = len(arr)
    out = np.full(n, -1, dtype=np.int64)
    if n == 0:
        return out
    _, offsets_buf, data_buf = arr.buffers()
    offsets = np.frombuffer(offsets_buf, dtype=np.int64)[arr.offset:arr.offset + n + 1]
    data = np.frombuffer(data_buf, dtype=np.uint8) if data_buf is not None else np.zeros(0, np.uint8)
    valid = ~np.asarray(arr.is_null().to_numpy(zero_copy_only=False), dtype=bool) & (np.diff(offsets) >= 5)
    head = data[offsets[:-1][valid][:, None] + np.arange(5)].astype(np.uint64)
    little = head[:, 0] == 1
    code = np.where(little, head[:, 1] | head[:, 2] << 8 | head[:, 3] << 16 | head[:, 4] << 24,
                    head[:, 4] | head[:, 3] << 8 | head[:, 2] << 16 | head[:, 1] << 24)
    out[valid] = (code & 0x0FFFFFFF).astype(np.int64) % 1000
    return out


def is_curved(types: np.ndarray) -> np.ndarray:
    return np.isin(types, CURVED)


def type_names(types: np.ndarray) -> np.ndarray:
    """Readable names of WKB base type codes (None for null geometries)."""
    names = np.array([None, *[TYPE_NAMES.get(i, f"type {i}") for i in range(1, 18)]], dtype=object)
    return names[np.clip(types, 0, 17)]


def linearise(wkb: np.ndarray, tolerance: float) -> np.ndarray:
    """Curved WKB -> shapely geometries of straight segments, by GDAL (written to a scratch GeoPackage and read back
    with the arc options; pyogrio's non-Arrow reader asks GDAL for the linear geometry of every curve)."""
    if not len(wkb):
        return np.empty(0, dtype=object)
    with tempfile.TemporaryDirectory(prefix="ingest-bogen-") as scratch, arc_options(tolerance):
        path = Path(scratch) / "bogen.gpkg"
        with warnings.catch_warnings():  # no CRS on purpose: only the shapes make the round trip
            warnings.filterwarnings("ignore", message="'crs' was not provided")
            pyogrio.raw.write(path, np.asarray(wkb, dtype=object), field_data=[], fields=[], driver="GPKG",
                              geometry_type="Unknown", crs=None, layer="bogen")
        _, _, geometries, _ = pyogrio.raw.read(path, layer="bogen")
    return shapely.from_wkb(geometries)


def stroke_arcs(points: np.ndarray, tolerance: float, *, full_circle: bool = False) -> np.ndarray:
    """A gml:ArcString (points 0-1-2, 2-3-4, ...: each triple an arc through three points) as a polyline whose
    chords stay within `tolerance` of the arcs; collinear triples stay straight. `full_circle`: gml:Circle,
    the whole circle through the first three points, starting and ending at the first."""
    out = [points[:1]]
    for i in range(0, len(points) - 2, 2):  # arcs per geometry: a handful, in files we parse ourselves
        out.append(_one_arc(points[i], points[i + 1], points[i + 2], tolerance, full_circle)[1:])
        if full_circle:
            break
    return np.vstack(out)


def _one_arc(p0, p1, p2, tolerance: float, full_circle: bool = False) -> np.ndarray:
    (ax, ay), (bx, by), (cx, cy) = p0, p1, p2
    d = 2 * (ax * (by - cy) + bx * (cy - ay) + cx * (ay - by))
    if abs(d) < 1e-12:
        return np.array([p0, p2])
    ux = ((ax**2 + ay**2) * (by - cy) + (bx**2 + by**2) * (cy - ay) + (cx**2 + cy**2) * (ay - by)) / d
    uy = ((ax**2 + ay**2) * (cx - bx) + (bx**2 + by**2) * (ax - cx) + (cx**2 + cy**2) * (bx - ax)) / d
    r = np.hypot(ax - ux, ay - uy)
    t0, t1, t2 = (np.arctan2(y - uy, x - ux) for x, y in (p0, p1, p2))
    sweep = (t2 - t0) % (2 * np.pi)
    clockwise = (t1 - t0) % (2 * np.pi) > sweep  # the arc runs clockwise through p1
    if full_circle:
        sweep = 2 * np.pi
    sweep = sweep - 2 * np.pi if clockwise and not full_circle else (-sweep if clockwise else sweep)
    step = 2 * np.arccos(max(-1.0, 1 - tolerance / r)) if r > tolerance else np.pi / 2
    n = max(2, int(np.ceil(abs(sweep) / step)) + 1)
    t = t0 + np.linspace(0, sweep, n)
    pts = np.column_stack([ux + r * np.cos(t), uy + r * np.sin(t)])
    pts[0], pts[-1] = p0, (p0 if full_circle else p2)
    return pts
