"""Which geometry of a GML feature GDAL reads, when a feature has several (BRK: outline and label point).

GDAL's GML driver exposes one geometry per feature unless its schema file (`.gfs`, written beside the file on
first open) lists more, and for BRK kadastrale kaart it picks `plaatscoordinaten` (the label point), not
`begrenzingPerceel` (the outline). Here the geometry properties are found in the first features of the file
and the `.gfs` is rewritten with the wanted property first (GeomPropertyDefn), so GDAL reads that one: the
one named by `sources.<name>.geometrie`, or else the first polygon property when the layer needs polygons.
This runs on the scratch copy readers.py opens, never on the user's file.
"""
from __future__ import annotations

import logging
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pyogrio

from pipeline.ingest.errors import IngestError

log = logging.getLogger(__name__)

GEOMETRY_TAGS = {"Point": "Point", "MultiPoint": "MultiPoint", "LineString": "LineString", "Curve": "LineString",
                 "MultiCurve": "MultiLineString", "MultiLineString": "MultiLineString", "Polygon": "Polygon",
                 "Surface": "Polygon", "MultiSurface": "MultiPolygon", "MultiPolygon": "MultiPolygon"}
POLYGONAL = {"Polygon", "MultiPolygon"}
SCAN_FEATURES = 50


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def geometry_properties(path: Path, feature: str) -> dict[str, str]:
    """Element path (GDAL's `a|b` form, below the feature) -> geometry type, for every geometry property seen in
    the first SCAN_FEATURES features named `feature`."""
    found: dict[str, str] = {}
    stack: list[tuple[str, bool]] = []  # (local name, is a GML geometry element)
    inside, seen = -1, 0
    for event, element in ET.iterparse(path, events=("start", "end")):
        if event == "start":
            name = _local(element.tag)
            is_geometry = element.tag.startswith("{http://www.opengis.net/gml") and name in GEOMETRY_TAGS
            if inside < 0 and name == feature:
                inside = len(stack)
            elif inside >= 0 and is_geometry and not any(g for _, g in stack[inside + 1:]):
                below = "|".join(n for n, _ in stack[inside + 1:])
                if below:
                    found.setdefault(below, GEOMETRY_TAGS[name])
            stack.append((name, is_geometry))
            continue
        stack.pop()
        if inside >= 0 and len(stack) == inside:
            inside, seen = -1, seen + 1
            element.clear()
            if seen >= SCAN_FEATURES:
                break
    return found


def choose_geometry(path: Path, *, wanted: str | None, kind: str, source_name: str) -> str | None:
    """Make GDAL read the wanted geometry property of the GML at `path` (a scratch copy); returns its name when
    the choice changed what GDAL reads, else None."""
    pyogrio.read_info(path)  # first open: GDAL writes the .gfs describing what it found
    gfs = path.with_suffix(".gfs")
    if not gfs.is_file():
        return None
    text = gfs.read_text(encoding="utf-8")
    classes = re.findall(r"<GMLFeatureClass>.*?</GMLFeatureClass>", text, flags=re.S)
    if len(classes) != 1:
        return None  # several feature types: leave GDAL's choice (the layer is chosen by name later)
    feature = re.search(r"<ElementPath>(.*?)</ElementPath>", classes[0]).group(1).split("|")[-1]
    current = re.search(r"<GeometryElementPath>(.*?)</GeometryElementPath>", classes[0])
    current = current.group(1) if current else None
    properties = geometry_properties(path, feature)
    if wanted is None:
        if kind != "Polygon" or not properties or properties.get(current or "", "") in POLYGONAL:
            return None
        polygons = [p for p, t in properties.items() if t in POLYGONAL]
        if not polygons:
            return None
        wanted = polygons[0]
    match = [p for p in properties if p == wanted or p.split("|")[-1].lower() == wanted.lower()]
    if not match:
        raise IngestError(f"sources.{source_name}.geometrie names a geometry property the features do not have",
                          path=path.name, field=wanted, expected=sorted(properties) or "a GML geometry property",
                          found=wanted)
    chosen = match[0]
    if chosen == current:
        return None
    gfs.write_text(_with_geometries(text, chosen, properties), encoding="utf-8")
    log.info("%s: reading geometry property %s (%s) instead of %s", source_name, chosen, properties[chosen],
             current)
    return chosen


def _with_geometries(gfs: str, first: str, properties: dict[str, str]) -> str:
    """The .gfs text with its geometry definitions replaced by one GeomPropertyDefn per property, `first` first."""
    order = [first, *[p for p in properties if p != first]]
    defs = "".join(f"\n    <GeomPropertyDefn><Name>{p.split('|')[-1]}</Name><ElementPath>{p}</ElementPath>"
                   f"<Type>{properties[p]}</Type></GeomPropertyDefn>" for p in order)
    text = re.sub(r"\s*<GeomPropertyDefn>.*?</GeomPropertyDefn>", "", gfs, flags=re.S)
    text = re.sub(r"\s*<Geometry(Name|ElementPath|Type)>.*?</Geometry\1>(\s*<!--.*?-->)?", "", text, flags=re.S)
    return re.sub(r"(<GMLFeatureClass>\s*<Name>.*?</Name>\s*<ElementPath>.*?</ElementPath>)", r"\1" + defs, text,
                  count=1, flags=re.S)
