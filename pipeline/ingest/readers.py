"""Open any configured source file as a GeoDataFrame in the working CRS.

Formats: GeoPackage, GeoJSON, Shapefile, GML (GDAL; Omgevingswet GIO files, in which GDAL finds no layers,
through gio.py; a feature with several geometries through gml.py), GeoParquet and CSV with coordinate
columns (tables.py). The format comes from the extension unless the Source says otherwise. Geometries are
decoded from WKB here rather than by pyogrio/geopandas, because their decoder refuses unclosed rings that
real exports contain (we close them and count them) and cannot decode curved types (gml:Arc): those are
linearised by GDAL within `ingest.boog_max_afwijking_m` (curves.py) and counted. Every row keeps the
geometry type it had in the file (`_bron_geometrie`), so a converted geometry can say what it was.

CRS rules: a declared CRS is honoured (GeoJSON without a `crs` member is WGS84 per RFC 7946; GDAL
reports that as EPSG:4326, a legacy `crs` member is honoured); a layer without any CRS is refused
unless `Source.crs` names one; lon/lat declared on coordinates that are clearly projected is refused
the same way. Everything is then reprojected to EPSG:28992 and the choice is logged.
"""
from __future__ import annotations

import contextlib
import json
import logging
import re
import shutil
import struct
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from pyproj import CRS

from pipeline.config import Source
from pipeline.threads import in_threads
from pipeline.crs import NL_EXTENT_RD, NL_LOOKS_LIKE, WORKING_CRS, WORKING_EPSG
from pipeline.ingest import curves, gml, tables
from pipeline.ingest.errors import IngestError
from pipeline.ingest.gio import read_gio

log = logging.getLogger(__name__)

EXTENSIONS = {
    ".gpkg": "gpkg", ".geojson": "geojson", ".json": "json", ".shp": "shp", ".gml": "gml", ".xml": "gml",
    ".parquet": "parquet", ".geoparquet": "parquet", ".csv": "csv", ".txt": "csv", ".tsv": "csv",
}
SOURCE_TYPE = "_bron_geometrie"  # column: the geometry type each row had in the file


@dataclass
class Layer:
    """One layer as read: the frame (working CRS) plus what happened on the way in."""
    frame: gpd.GeoDataFrame
    path: Path
    layer: str | None
    format: str
    source_crs: str | None
    rings_closed: int = 0
    curves_linearised: int = 0
    geometry_property: str | None = None  # GML: the property read instead of GDAL's first
    detected: dict | None = None          # CSV: encoding, separator, coordinate columns found


def detect_format(path: Path, declared: str = "auto") -> str:
    """The format named by the Source, else by the extension; a `.json` holding features is GeoJSON."""
    if declared != "auto":
        return declared
    fmt = EXTENSIONS.get(path.suffix.lower())
    if fmt is None:
        raise IngestError("unknown file format", path=path, expected=sorted(EXTENSIONS), found=path.suffix or "none")
    if fmt == "json":
        with open(path, "rb") as fh:
            head = fh.read(4096).decode("utf-8", errors="replace")
        if re.search(r'"type"\s*:\s*"(FeatureCollection|Feature)"', head):
            fmt = "geojson"
    return fmt


def check_exists(path: Path | None, name: str) -> Path:
    if path is None:
        raise IngestError(f"sources.{name}.path is not set", expected="a file path")
    if not path.exists():
        raise IngestError(f"source {name!r}: file does not exist", path=path)
    return path


def is_gio(path: Path) -> bool:
    """An Omgevingswet GIO (STOP geo) file: GDAL reads no layers from it, our own parser does."""
    with open(path, "rb") as fh:
        head = fh.read(8192).decode("utf-8", errors="replace")
    return "GeoInformatieObject" in head


def list_layers(path: Path, fmt: str, *, gio: bool = False) -> list[str]:
    if fmt in ("parquet", "csv") or gio:
        return [path.stem]
    try:
        return [str(name) for name, _ in pyogrio.list_layers(path)]
    except Exception as exc:  # GDAL's message is the useful part
        raise IngestError(f"cannot open as {fmt}: {exc}", path=path) from exc


def read_json(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise IngestError(f"not valid JSON: {exc}", path=path) from exc


def read_source(source: Source, name: str, *, default_layer: str | None = None, kind: str | None = None,
                tolerance: float = 0.1) -> Layer:
    """Read the layer a Source points at, in EPSG:28992; refuse missing files, layers and CRSs.

    `kind` (Polygon, LineString, Point) lets a GML feature with several geometries be read by its polygon;
    `tolerance` is the largest distance (m) between an arc and the segments replacing it.
    """
    path = check_exists(source.path, name)
    fmt = detect_format(path, source.format)
    if fmt == "json":
        raise IngestError(f"source {name!r} is a plain JSON document, not a geographic layer", path=path,
                          expected="GeoPackage, GeoJSON, Shapefile, GML, GeoParquet or CSV", found="JSON")
    gio = fmt == "gml" and is_gio(path)
    chosen, detected = None, None
    with _gdal_view(path, fmt, gio=gio) as readable:
        if fmt == "gml" and not gio:
            chosen = gml.choose_geometry(readable, wanted=source.geometrie, kind=kind or "", source_name=name)
        elif source.geometrie is not None:
            raise IngestError(f"sources.{name}.geometrie only applies to GML files", path=path,
                              expected="a GML file with several geometry properties", found=fmt)
        layers = list_layers(readable, fmt, gio=gio)
        if not layers:
            raise IngestError("the file holds no layers", path=path)
        layer = _choose_layer(path, layers, source.layer, default_layer)
        if fmt == "parquet":
            frame, crs, closed, curved = _read_parquet(path, tolerance)
        elif fmt == "csv":
            (frame, crs, detected), closed, curved = tables.read_table(path, source), 0, 0
        elif gio:
            frame, crs, closed, curved = read_gio(path, tolerance)
        else:
            frame, crs, closed, curved = _read_ogr(readable, layer, tolerance)
    if len(frame) == 0:
        raise IngestError("the layer is empty", path=path, layer=layer, expected="at least one feature", found=0)
    if fmt == "shp":
        check_shapefile_parts(path)
    if SOURCE_TYPE not in frame:
        frame[SOURCE_TYPE] = frame.geometry.geom_type.to_numpy()
    frame = _to_working_crs(frame, crs, source, name, path, layer)
    if closed:
        log.info("%s: closed %d unclosed ring(s) while reading %s", name, closed, path.name)
    if curved:
        log.info("%s: linearised %d curved geometr(y/ies) in %s (arcs within %s m)", name, curved, path.name,
                 tolerance)
    return Layer(frame, path, layer, fmt, None if crs is None else crs.to_string(), closed, curved, chosen, detected)


@contextlib.contextmanager
def _gdal_view(path: Path, fmt: str, *, gio: bool):
    """GDAL's GML driver writes a .gfs file beside what it opens: let it do so in a scratch copy."""
    if fmt != "gml" or gio:
        yield path
        return
    with tempfile.TemporaryDirectory(prefix="ingest-gml-") as scratch:
        copy = Path(scratch) / path.name
        shutil.copy2(path, copy)
        for sidecar in (path.with_suffix(".xsd"), path.with_suffix(".gfs")):
            if sidecar.exists():
                shutil.copy2(sidecar, Path(scratch) / sidecar.name)
        yield copy


def _choose_layer(path: Path, layers: list[str], wanted: str | None, default: str | None) -> str:
    if wanted is not None:
        matches = [name for name in layers if name == wanted] or [n for n in layers if n.lower() == wanted.lower()]
        if not matches:
            raise IngestError("unknown layer", path=path, layer=wanted, expected=layers, found=wanted)
        return matches[0]
    if default is not None:
        matches = [n for n in layers if n.lower() == default.lower()]
        if matches:
            return matches[0]
    if len(layers) > 1:
        log.warning("%s holds layers %s; no layer configured, reading the first (%s)", path.name, layers, layers[0])
    return layers[0]


def decode_wkb(wkb) -> tuple[np.ndarray, int]:
    """WKB -> shapely geometries, closing unclosed rings (which GEOS refuses) and counting them."""
    wkb = np.asarray(wkb, dtype=object)
    strict = in_threads(lambda w: shapely.from_wkb(w, on_invalid="ignore"), wkb)
    retry = pd.isna(strict) & ~pd.isna(wkb)
    closed = 0
    if retry.any():
        fixed = shapely.from_wkb(wkb[retry], on_invalid="fix")
        strict[retry] = fixed
        closed = int((~pd.isna(fixed)).sum())
    return strict, closed


def geometries(column, tolerance: float) -> tuple[np.ndarray, np.ndarray, int, int]:
    """An Arrow (or bytes) WKB column -> (shapely geometries, source type names, rings closed, curves linearised).

    Linear geometries are decoded by shapely; curved ones (which it cannot decode) are linearised by GDAL.
    """
    types = curves.wkb_types(column)
    wkb = np.asarray(column.to_pylist() if hasattr(column, "to_pylist") else column, dtype=object)
    curved = curves.is_curved(types)
    out = np.full(len(wkb), None, dtype=object)
    out[~curved], closed = decode_wkb(wkb[~curved])
    if curved.any():
        try:
            out[curved] = curves.linearise(wkb[curved], tolerance)
        except Exception as exc:  # GDAL's message says which geometry it could not take
            raise IngestError(f"curved geometries could not be linearised: {exc}",
                              expected="valid CircularString / CompoundCurve / CurvePolygon geometries") from exc
    return out, curves.type_names(types), closed, int(curved.sum())


def _read_ogr(path: Path, layer: str, tolerance: float) -> tuple[gpd.GeoDataFrame, CRS | None, int, int]:
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Non closed ring detected")
        try:
            meta, table = pyogrio.read_arrow(path, layer=layer)
            frame, column = arrow_columns(table, meta)
        except Exception as exc:
            log.debug("arrow read of %s failed (%s); reading without arrow", path, exc)
            try:
                with curves.arc_options(tolerance):  # GDAL linearises while reading this way
                    meta, _, column, field_data = pyogrio.raw.read(path, layer=layer)
            except Exception as exc2:
                raise IngestError(f"cannot read: {exc2}", path=path, layer=layer) from exc2
            frame = pd.DataFrame(dict(zip(meta["fields"], field_data)))
    if column is None:
        column = [None] * len(frame)
    geoms, types, closed, curved = geometries(column, tolerance)
    frame[SOURCE_TYPE] = types
    crs = CRS.from_user_input(meta["crs"]) if meta.get("crs") else None
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geoms, index=frame.index)), crs, closed, curved


def arrow_columns(table, meta: dict) -> tuple[pd.DataFrame, object]:
    """A GDAL Arrow table -> (its attribute columns as pandas, its geometry column as WKB or None); further
    geometry fields (GML with several geometry properties) are left out."""
    geom_col = meta["geometry_name"] or "wkb_geometry"
    column = table.column(geom_col) if geom_col in table.column_names else None
    others = [c for c in table.column_names if c == geom_col or _is_wkb(table.schema.field(c))]
    return table.drop_columns(others).to_pandas(), column


def _is_wkb(field) -> bool:
    """A further geometry field of the layer (GML with several geometry properties), delivered as WKB."""
    ext = getattr(field.type, "extension_name", "") or (field.metadata or {}).get(b"ARROW:extension:name", b"")
    return "wkb" in str(ext)


def _read_parquet(path: Path, tolerance: float) -> tuple[gpd.GeoDataFrame, CRS | None, int, int]:
    """GeoParquet via pyarrow (this GDAL has no Parquet driver). Absent `crs` = OGC:CRS84 per the spec."""
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(path)
    except Exception as exc:
        raise IngestError(f"cannot read as Parquet: {exc}", path=path) from exc
    raw = (table.schema.metadata or {}).get(b"geo")
    if raw is None:
        raise IngestError("Parquet file without GeoParquet metadata", path=path,
                          expected="a GeoParquet file ('geo' metadata)", found="plain Parquet")
    geo = json.loads(raw)
    column = geo.get("primary_column", "geometry")
    info = geo.get("columns", {}).get(column, {})
    if info.get("encoding", "WKB").upper() != "WKB":
        raise IngestError("unsupported GeoParquet geometry encoding", path=path, field=column,
                          expected="WKB", found=info.get("encoding"))
    if "crs" not in info:
        crs = CRS.from_user_input("OGC:CRS84")
    else:
        crs = None if info["crs"] is None else CRS.from_user_input(info["crs"])
    geoms, types, closed, curved = geometries(table.column(column), tolerance)
    cover = info.get("covering", {}).get("bbox", {}).get("xmin", [None])[0]  # GeoParquet 1.1 bbox column
    frame = table.drop_columns([column, *([cover] if cover in table.column_names else [])]).to_pandas()
    frame[SOURCE_TYPE] = types
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geoms, index=frame.index)), crs, closed, curved


def _to_working_crs(frame: gpd.GeoDataFrame, crs: CRS | None, source: Source, name: str, path: Path,
                    layer: str) -> gpd.GeoDataFrame:
    if crs is None:
        if source.crs is None:
            raise IngestError("the layer declares no coordinate reference system", path=path, layer=layer,
                              expected=f"a CRS in the file, or sources.{name}.crs in the configuration",
                              found="none")
        crs = CRS.from_user_input(source.crs)
        log.warning("%s: no CRS in %s; assuming %s (sources.%s.crs)", name, path.name, source.crs, name)
    bounds = shapely.total_bounds(frame.geometry.to_numpy())
    if crs.is_geographic and np.isfinite(bounds).all() and (np.abs(bounds[[0, 2]]).max() > 180
                                                            or np.abs(bounds[[1, 3]]).max() > 90):
        if source.crs is None:
            raise IngestError("coordinates are not longitude/latitude although the file declares "
                              f"{crs.to_string()} (a GeoJSON without crs member is WGS84 by RFC 7946)",
                              path=path, layer=layer, expected=f"lon/lat, or sources.{name}.crs set",
                              found=f"bounds {tuple(round(b) for b in bounds)}")
        crs = CRS.from_user_input(source.crs)
        log.warning("%s: coordinates in %s are projected; using sources.%s.crs = %s", name, path.name, name,
                    source.crs)
    frame = frame.set_crs(crs, allow_override=True)
    if crs.to_epsg() != WORKING_EPSG:
        log.info("%s: reprojecting %s from %s to %s", name, path.name, crs.to_string(), WORKING_CRS)
        frame = frame.to_crs(WORKING_CRS)
    else:
        frame = frame.set_crs(WORKING_CRS, allow_override=True)
    check_plausible(frame, bounds, crs, name=name, path=path, layer=layer)
    return frame


def check_shapefile_parts(path: Path) -> None:
    """A Shapefile whose .shp/.shx and .dbf hold different numbers of records loses rows without a word (GDAL
    reads the shorter one): refuse it, naming both counts."""
    shx, dbf = path.with_suffix(".shx"), path.with_suffix(".dbf")
    if not (shx.is_file() and dbf.is_file()):
        return
    with open(shx, "rb") as fh:
        shx_words = struct.unpack(">i", fh.read(28)[24:28])[0]
    with open(dbf, "rb") as fh:
        dbf_records = struct.unpack("<I", fh.read(8)[4:8])[0]
    shapes = (shx_words * 2 - 100) // 8
    if shapes != dbf_records:
        raise IngestError(f"the Shapefile's parts disagree: {shx.name} indexes {shapes} shapes, {dbf.name} holds "
                          f"{dbf_records} records, so rows would be lost or misaligned", path=path,
                          expected="as many .dbf records as shapes (files from one export)")


def check_plausible(frame: gpd.GeoDataFrame, original_bounds, crs: CRS, *, name: str, path: Path, layer) -> None:
    """Refuse a layer that does not lie in the Netherlands once read in its declared CRS: a mislabelled CRS or
    an absurd vertex would otherwise put data off the map (every kavel vacant, HMC room jumping) without a word."""
    geoms = frame.geometry.to_numpy()
    if not (~shapely.is_missing(geoms) & ~shapely.is_empty(geoms)).any():
        return  # no geometry at all: the checks on rows lost report that
    bounds = shapely.total_bounds(geoms)
    xmin, ymin, xmax, ymax = NL_EXTENT_RD
    inside = np.isfinite(bounds).all() and bounds[0] >= xmin and bounds[1] >= ymin and bounds[2] <= xmax \
        and bounds[3] <= ymax
    if inside:
        return
    declared = crs.to_string()
    hint = _likely_crs(original_bounds, declared)
    raise IngestError(
        f"the coordinates do not lie in the Netherlands when read as {declared} (extent in {WORKING_CRS}: "
        f"{_rounded(bounds)}; in the file: {_rounded(original_bounds)})"
        + (f"; they look like {hint}: set sources.{name}.crs: {hint} or fix the file's CRS" if hint else
           "; a vertex far away (e.g. 1e20) or a wrong CRS: check the file"),
        path=path, layer=layer, expected=f"an extent inside {NL_EXTENT_RD} ({WORKING_CRS})")


def _likely_crs(bounds, declared: str) -> str | None:
    for name, (x0, y0, x1, y1) in NL_LOOKS_LIKE.items():
        if name != declared and np.isfinite(bounds).all() and bounds[0] >= x0 and bounds[1] >= y0 \
                and bounds[2] <= x1 and bounds[3] <= y1:
            return name
    return None


def _rounded(bounds) -> tuple:
    return tuple(float(f"{b:.6g}") for b in bounds)


