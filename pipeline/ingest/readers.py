"""Open any configured source file as a GeoDataFrame in the working CRS.

Formats: GeoPackage, GeoJSON, Shapefile, GML (GDAL, or the custom reader below for Omgevingswet GIO
files, in which GDAL finds no layers) and GeoParquet. The format comes from the extension unless the
Source says otherwise. Geometries are decoded from WKB here rather than by pyogrio/geopandas, because
their decoder refuses unclosed rings that real exports contain; we close them and count them.

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
import tempfile
import warnings
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from pyproj import CRS

from pipeline.config import Source
from pipeline.crs import WORKING_CRS, WORKING_EPSG
from pipeline.ingest.errors import IngestError

log = logging.getLogger(__name__)

EXTENSIONS = {
    ".gpkg": "gpkg", ".geojson": "geojson", ".json": "json", ".shp": "shp", ".gml": "gml", ".xml": "gml",
    ".parquet": "parquet", ".geoparquet": "parquet",
}


@dataclass
class Layer:
    """One layer as read: the frame (working CRS) plus what happened on the way in."""
    frame: gpd.GeoDataFrame
    path: Path
    layer: str | None
    format: str
    source_crs: str | None
    rings_closed: int = 0


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
    if fmt == "parquet" or gio:
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


def read_source(source: Source, name: str, *, default_layer: str | None = None) -> Layer:
    """Read the layer a Source points at, in EPSG:28992; refuse missing files, layers and CRSs."""
    path = check_exists(source.path, name)
    fmt = detect_format(path, source.format)
    if fmt == "json":
        raise IngestError(f"source {name!r} is a plain JSON document, not a geographic layer", path=path,
                          expected="GeoPackage, GeoJSON, Shapefile, GML or GeoParquet", found="JSON")
    gio = fmt == "gml" and is_gio(path)
    with _gdal_view(path, fmt, gio=gio) as readable:
        layers = list_layers(readable, fmt, gio=gio)
        if not layers:
            raise IngestError("the file holds no layers", path=path)
        layer = _choose_layer(path, layers, source.layer, default_layer)
        if fmt == "parquet":
            frame, crs, closed = _read_parquet(path)
        elif gio:
            frame, crs, closed = read_gio(path)
        else:
            frame, crs, closed = _read_ogr(readable, layer)
    if len(frame) == 0:
        raise IngestError("the layer is empty", path=path, layer=layer, expected="at least one feature", found=0)
    frame = _to_working_crs(frame, crs, source, name, path, layer)
    if closed:
        log.info("%s: closed %d unclosed ring(s) while reading %s", name, closed, path.name)
    return Layer(frame, path, layer, fmt, None if crs is None else crs.to_string(), closed)


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
    strict = shapely.from_wkb(wkb, on_invalid="ignore")
    retry = pd.isna(strict) & ~pd.isna(wkb)
    closed = 0
    if retry.any():
        fixed = shapely.from_wkb(wkb[retry], on_invalid="fix")
        strict[retry] = fixed
        closed = int((~pd.isna(fixed)).sum())
    return strict, closed


def _read_ogr(path: Path, layer: str) -> tuple[gpd.GeoDataFrame, CRS | None, int]:
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Non closed ring detected")
        try:
            meta, table = pyogrio.read_arrow(path, layer=layer)
            frame = table.to_pandas()
            geom_col = meta["geometry_name"] or "wkb_geometry"
            wkb = frame.pop(geom_col) if geom_col in frame else pd.Series([None] * len(frame))
        except Exception as exc:
            log.debug("arrow read of %s failed (%s); reading without arrow", path, exc)
            try:
                meta, _, wkb, field_data = pyogrio.raw.read(path, layer=layer)
            except Exception as exc2:
                raise IngestError(f"cannot read: {exc2}", path=path, layer=layer) from exc2
            frame = pd.DataFrame(dict(zip(meta["fields"], field_data)))
    geoms, closed = decode_wkb(np.asarray(wkb, dtype=object))
    crs = CRS.from_user_input(meta["crs"]) if meta.get("crs") else None
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geoms, index=frame.index)), crs, closed


def _read_parquet(path: Path) -> tuple[gpd.GeoDataFrame, CRS | None, int]:
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
    frame = table.to_pandas()
    geoms, closed = decode_wkb(frame.pop(column).to_numpy(dtype=object))
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geoms, index=frame.index)), crs, closed


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
    return frame


# ---------------------------------------------------------------------------------------------
# Omgevingswet GIO (STOP geo:GeoInformatieObjectVaststelling, GML 3.2)
# ---------------------------------------------------------------------------------------------
NS = {
    "geo": "https://standaarden.overheid.nl/stop/imop/geo/",
    "basisgeo": "http://www.geostandaarden.nl/basisgeometrie/1.0",
    "gml": "http://www.opengis.net/gml/3.2",
}
GML = "{%s}" % NS["gml"]


def read_gio(path: Path) -> tuple[gpd.GeoDataFrame, CRS | None, int]:
    """One row per geo:Locatie: identificatie, groep, label, naam, work, geometry; rings closed and counted.

    Columns: `identificatie` (basisgeo:id), `groep` (groepID, else the last part of the FRBRWork),
    `label` (the group's label), `naam` (Locatie naam), `frbr_work`.
    """
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as exc:
        raise IngestError(f"not valid XML: {exc}", path=path) from exc
    work = root.findtext(".//geo:FRBRWork", default="", namespaces=NS).strip()
    labels = {g.findtext("geo:groepID", "", NS).strip(): g.findtext("geo:label", "", NS).strip()
              for g in root.iterfind(".//geo:Groep", NS)}
    rows, geoms, crs_names, closed = [], [], set(), 0
    for loc in root.iterfind(".//geo:Locatie", NS):  # loops over features: XML has no vector reader here
        geom_el = loc.find(".//basisgeo:geometrie", NS)
        element = None if geom_el is None else next(iter(geom_el), None)
        if element is None:
            continue
        if element.get("srsName"):
            crs_names.add(element.get("srsName"))
        geom, n_closed = _gml_geometry(element, path)
        closed += n_closed
        groep = (loc.findtext("geo:groepID", "", NS) or "").strip()
        rows.append({
            "identificatie": (loc.findtext(".//basisgeo:id", "", NS) or "").strip() or None,
            "groep": groep or work.rstrip("/").rsplit("/", 1)[-1] or None,
            "label": labels.get(groep) or None,
            "naam": (loc.findtext("geo:naam", "", NS) or "").strip() or None,
            "frbr_work": work or None,
        })
        geoms.append(geom)
    if len(crs_names) > 1:
        raise IngestError("mixed CRSs in one GIO", path=path, expected="one srsName", found=sorted(crs_names))
    crs = _crs_from_srsname(next(iter(crs_names))) if crs_names else None
    frame = gpd.GeoDataFrame(pd.DataFrame(rows, columns=["identificatie", "groep", "label", "naam", "frbr_work"]),
                             geometry=gpd.GeoSeries(geoms, dtype="geometry"))
    return frame, crs, closed


def _crs_from_srsname(name: str) -> CRS:
    match = re.search(r"EPSG[:/]+(?:[\d.]*[:/]+)?(\d+)$", name) or re.search(r"(\d+)$", name)
    return CRS.from_epsg(int(match.group(1))) if match else CRS.from_user_input(name)


def _poslist(element, path: Path) -> np.ndarray:
    """x/y coordinates of a ring or curve (gml:posList, else a run of gml:pos)."""
    pos = element.find(f"{GML}posList")
    if pos is not None:
        dim = int(pos.get("srsDimension") or element.get("srsDimension") or 2)
        values = np.array(pos.text.split(), dtype=float)
    else:
        points = [p.text.split() for p in element.iter(f"{GML}pos")]
        if not points:
            raise IngestError("GML ring without coordinates", path=path, expected="gml:posList or gml:pos")
        dim = len(points[0])
        values = np.array(points, dtype=float).ravel()
    return values.reshape(-1, dim)[:, :2]


def _ring(ring_el, path: Path) -> tuple[np.ndarray, int]:
    """A ring's coordinates; an unclosed ring is closed (returns 1 in that case)."""
    coords = _poslist(ring_el, path)
    if len(coords) and not np.array_equal(coords[0], coords[-1]):
        return np.vstack([coords, coords[:1]]), 1
    return coords, 0


def _polygon(poly_el, path: Path) -> tuple[shapely.Polygon, int]:
    ext = poly_el.find(f"{GML}exterior/{GML}LinearRing")
    if ext is None:
        raise IngestError("GML polygon without exterior LinearRing", path=path)
    shell, closed = _ring(ext, path)
    holes = []
    for inner in poly_el.iterfind(f"{GML}interior/{GML}LinearRing"):
        hole, c = _ring(inner, path)
        holes.append(hole)
        closed += c
    return shapely.Polygon(shell, holes), closed


def _gml_geometry(element, path: Path):
    tag = element.tag.replace(GML, "")
    if tag in ("Polygon", "PolygonPatch"):
        return _polygon(element, path)
    if tag in ("Surface", "MultiSurface", "MultiPolygon", "CompositeSurface"):
        parts = [_polygon(p, path) for p in element.iter() if p.tag in (f"{GML}Polygon", f"{GML}PolygonPatch")]
        polys = [p for p, _ in parts]
        return (polys[0] if len(polys) == 1 else shapely.MultiPolygon(polys)), sum(c for _, c in parts)
    if tag in ("LineString", "Curve", "MultiCurve", "MultiLineString"):
        lines = [shapely.LineString(_poslist(p, path)) for p in element.iter()
                 if p.tag in (f"{GML}LineString", f"{GML}LineStringSegment")]
        return (lines[0] if len(lines) == 1 else shapely.MultiLineString(lines)), 0
    if tag in ("Point", "MultiPoint"):
        pts = [shapely.Point(np.array(p.text.split(), dtype=float)[:2]) for p in element.iter(f"{GML}pos")]
        return (pts[0] if len(pts) == 1 else shapely.MultiPoint(pts)), 0
    raise IngestError("unsupported GML geometry", path=path,
                      expected=["Polygon", "Surface", "MultiSurface", "Curve", "LineString", "Point"], found=tag)
