"""Omgevingswet GIO files (STOP geo:GeoInformatieObjectVaststelling, GML 3.2), in which GDAL finds no layers.

Parsed with ElementTree: one row per geo:Locatie. Real GIOs contain unclosed rings (closed here and counted)
and may use gml:Arc / gml:ArcString / gml:Circle segments, stroked within the configured tolerance
(pipeline/ingest/curves.py) and counted.
"""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from pipeline.ingest.curves import stroke_arcs
from pipeline.ingest.errors import IngestError

NS = {
    "geo": "https://standaarden.overheid.nl/stop/imop/geo/",
    "basisgeo": "http://www.geostandaarden.nl/basisgeometrie/1.0",
    "gml": "http://www.opengis.net/gml/3.2",
}
GML = "{%s}" % NS["gml"]


def read_gio(path: Path, tolerance: float) -> tuple[gpd.GeoDataFrame, CRS | None, int, int]:
    """One row per geo:Locatie: identificatie, groep, label, naam, work, geometry; rings closed and counted.

    Columns: `identificatie` (basisgeo:id), `groep` (groepID, else the last part of the FRBRWork),
    `label` (the group's label), `naam` (Locatie naam), `frbr_work`, `_bron_geometrie` (the GML type, with
    "met bogen" when it held arcs). Returns (frame, crs, rings closed, geometries with arcs stroked).
    """
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as exc:
        raise IngestError(f"not valid XML: {exc}", path=path) from exc
    work = root.findtext(".//geo:FRBRWork", default="", namespaces=NS).strip()
    labels = {g.findtext("geo:groepID", "", NS).strip(): g.findtext("geo:label", "", NS).strip()
              for g in root.iterfind(".//geo:Groep", NS)}
    rows, geoms, crs_names, parser = [], [], set(), _Parser(path, tolerance)
    for loc in root.iterfind(".//geo:Locatie", NS):  # loops over features: XML has no vector reader here
        geom_el = loc.find(".//basisgeo:geometrie", NS)
        element = None if geom_el is None else next(iter(geom_el), None)
        if element is not None and element.get("srsName"):
            crs_names.add(element.get("srsName"))
        arcs_before = parser.arcs
        # a Locatie without geometry stays a row without one: geometry.clean counts it ("geen geometrie")
        geoms.append(None if element is None else parser.geometry(element))
        groep = (loc.findtext("geo:groepID", "", NS) or "").strip()
        kind = None if element is None else element.tag.replace(GML, "") + (" met bogen" if parser.arcs > arcs_before
                                                                            else "")
        rows.append({
            "identificatie": (loc.findtext(".//basisgeo:id", "", NS) or "").strip() or None,
            "groep": groep or work.rstrip("/").rsplit("/", 1)[-1] or None,
            "label": labels.get(groep) or None,
            "naam": (loc.findtext("geo:naam", "", NS) or "").strip() or None,
            "frbr_work": work or None,
            "_bron_geometrie": kind,
        })
    if len(crs_names) > 1:
        raise IngestError("mixed CRSs in one GIO", path=path, expected="one srsName", found=sorted(crs_names))
    crs = _crs_from_srsname(next(iter(crs_names))) if crs_names else None
    columns = ["identificatie", "groep", "label", "naam", "frbr_work", "_bron_geometrie"]
    frame = gpd.GeoDataFrame(pd.DataFrame(rows, columns=columns), geometry=gpd.GeoSeries(geoms, dtype="geometry"))
    return frame, crs, parser.closed, parser.curved


def _crs_from_srsname(name: str) -> CRS:
    match = re.search(r"EPSG[:/]+(?:[\d.]*[:/]+)?(\d+)$", name) or re.search(r"(\d+)$", name)
    return CRS.from_epsg(int(match.group(1))) if match else CRS.from_user_input(name)


ARCS = ("Arc", "ArcString", "Circle")
LINEAR = ("LineString", "LineStringSegment", "LinearRing")


class _Parser:
    """GML 3.2 geometry elements -> shapely, counting closed rings and stroked arcs."""

    def __init__(self, path: Path, tolerance: float):
        self.path, self.tolerance = path, tolerance
        self.closed = self.arcs = self.curved = 0

    def geometry(self, element):
        arcs_before = self.arcs
        geom = self._geometry(element)
        self.curved += int(self.arcs > arcs_before)
        return geom

    def _geometry(self, element):
        tag = element.tag.replace(GML, "")
        if tag in ("Polygon", "PolygonPatch"):
            return self.polygon(element)
        if tag in ("Surface", "MultiSurface", "MultiPolygon", "CompositeSurface"):
            polys = [self.polygon(p) for p in element.iter() if p.tag in (f"{GML}Polygon", f"{GML}PolygonPatch")]
            return polys[0] if len(polys) == 1 else shapely.MultiPolygon(polys)
        if tag in ("LineString", "Curve", "MultiCurve", "MultiLineString", "CompositeCurve"):
            curves = [c for c in element.iter() if c.tag in (f"{GML}LineString", f"{GML}Curve")]
            lines = [shapely.LineString(self.curve(c)) for c in curves]
            return lines[0] if len(lines) == 1 else shapely.MultiLineString(lines)
        if tag in ("Point", "MultiPoint"):
            pts = [shapely.Point(np.array(p.text.split(), dtype=float)[:2]) for p in element.iter(f"{GML}pos")]
            return pts[0] if len(pts) == 1 else shapely.MultiPoint(pts)
        raise IngestError("unsupported GML geometry", path=self.path,
                          expected=["Polygon", "Surface", "MultiSurface", "Curve", "LineString", "Point"], found=tag)

    def positions(self, element) -> np.ndarray:
        """x/y coordinates of a ring, line or segment (gml:posList, else a run of gml:pos)."""
        pos = element.find(f"{GML}posList")
        if pos is not None:
            dim = int(pos.get("srsDimension") or element.get("srsDimension") or 2)
            values = np.array(pos.text.split(), dtype=float)
        else:
            points = [p.text.split() for p in element.iter(f"{GML}pos")]
            if not points:
                raise IngestError("GML ring or line without coordinates", path=self.path,
                                  expected="gml:posList or gml:pos")
            dim = len(points[0])
            values = np.array(points, dtype=float).ravel()
        return values.reshape(-1, dim)[:, :2]

    def curve(self, element) -> np.ndarray:
        """A LineString, or a Curve of LineStringSegment / Arc / ArcString / Circle segments, as one polyline."""
        if element.tag != f"{GML}Curve":
            return self.positions(element)
        parts = []
        for seg in element.find(f"{GML}segments") or []:
            kind = seg.tag.replace(GML, "")
            pts = self.positions(seg)
            if kind in ARCS:
                self.arcs += 1
                pts = stroke_arcs(pts, self.tolerance, full_circle=kind == "Circle")
            elif kind not in LINEAR:
                raise IngestError("unsupported GML curve segment", path=self.path, expected=[*LINEAR, *ARCS],
                                  found=kind)
            parts.append(pts if not parts else pts[1:])
        if not parts:
            raise IngestError("GML curve without segments", path=self.path, expected="gml:segments")
        return np.vstack(parts)

    def ring(self, ring_el) -> np.ndarray:
        """A LinearRing, or a Ring of curveMembers; an unclosed ring is closed (and counted)."""
        if ring_el.tag == f"{GML}Ring":
            members = [m for member in ring_el.iterfind(f"{GML}curveMember") for m in member]
            coords = np.vstack([c if i == 0 else c[1:] for i, c in enumerate(self.curve(m) for m in members)])
        else:
            coords = self.positions(ring_el)
        if len(coords) and not np.array_equal(coords[0], coords[-1]):
            self.closed += 1
            return np.vstack([coords, coords[:1]])
        return coords

    def polygon(self, poly_el) -> shapely.Polygon:
        rings = [next(iter(b), None) for b in poly_el.iterfind(f"{GML}exterior")]
        if not rings or rings[0] is None:
            raise IngestError("GML polygon without exterior ring", path=self.path)
        holes = [self.ring(r) for b in poly_el.iterfind(f"{GML}interior") for r in b]
        return shapely.Polygon(self.ring(rings[0]), holes)

