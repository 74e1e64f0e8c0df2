"""The QGIS project stored inside the GeoPackage (QGIS: Project > Open From > GeoPackage).

Settings: export.qgis_project (name of the project in the GeoPackage; empty = no project).
Output: one row in the GeoPackage table `qgis_projects(name, metadata, content)`, as QGIS 3.22 writes it: content
is the zipped project (.qgz holding one .qgs), hex-encoded. The .qgs comes from templates/project.qgs, so no QGIS
is needed to write it (the tests open it with QGIS 3.22, headless).

What a GIS specialist gets on opening it:
- groups "Resultaten" (on, expanded), "Invoer" (off, collapsed: the canonical inputs invoer_*) and "Achtergrond"
  (gemeente- and provinciegrenzen with names), drawn in the order of PLACES (points over lines over areas);
- every layer with the default style of its `layer_styles` row (the same QML) and its other styles selectable in
  the layer's style menu; dense layers only drawn when zoomed in (scale-dependent visibility); labels on terrein
  and gemeente names;
- a print layout "Overzicht" (A3 landscape): map, legend of the visible layers (only classes in view), scale
  bar, north arrow, title and the run's provenance (sources with their dates, software version, run time);
- the project metadata (title, abstract with the same provenance) and the start view on the terreinen.
Layer sources are relative (`./<gpkg>|layername=...`), so the project keeps working when the GeoPackage is
copied or moved together with nothing else; renaming the file breaks the links (QGIS then asks for the file).
"""
from __future__ import annotations

import io
import json
import re
import sqlite3
import zipfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from xml.sax.saxutils import escape

from pipeline.crs import WORKING_EPSG

QGIS_VERSION = "3.22.16-Białowieża"
ZIP_TIME = (2000, 1, 1, 0, 0, 0)  # fixed: the same project gives the same bytes
PAGE = (420.0, 297.0)  # A3 landscape, mm
MAP_BOX = (10.0, 24.0, 300.0, 263.0)  # x, y, width, height on the page, mm


@dataclass(frozen=True)
class Place:
    """Where a GeoPackage layer sits in the project: group, name in the layer tree, on/off, scale limit."""
    group: str
    name: str
    visible: bool = True
    max_scale: int = 0  # drawn only at scales 1:max_scale and closer; 0 = at every scale


# top to bottom = drawn last to first; a layer not listed goes to Resultaten (off) or Invoer
PLACES = {
    "vestigingen": Place("Resultaten", "Vestigingen (register)", True, 50_000),
    "gevoelige_objecten": Place("Resultaten", "Gevoelige objecten die de afstand bepalen"),
    "kades": Place("Resultaten", "Kades (status)"),
    "kavels": Place("Resultaten", "Kavels (bebouwingsgraad)", True, 25_000),
    "terreinen": Place("Resultaten", "Bedrijventerreinen (vlag)"),
    "typologie": Place("Resultaten", "Typologie: strategisch × benutting", False),
    "milieuruimte_contouren": Place("Resultaten", "Milieuruimte: contouren", False),
    "clusters": Place("Resultaten", "Clusters", False),
    "netcapaciteit": Place("Resultaten", "Netcapaciteit", False),
    "invoer_vestigingen": Place("Invoer", "Vestigingen (invoer)", True, 25_000),
    "invoer_verblijfsobjecten": Place("Invoer", "BAG verblijfsobjecten", True, 10_000),
    "invoer_opritten": Place("Invoer", "Opritten"),
    "invoer_kades": Place("Invoer", "Kades (BGT-type)"),
    "invoer_spoor": Place("Invoer", "Spoor"),
    "invoer_vaarwegen": Place("Invoer", "Vaarwegen (CEMT-klasse)"),
    "invoer_panden": Place("Invoer", "BAG panden (gebruik)", True, 10_000),
    "invoer_kavels": Place("Invoer", "Kavels (uitgiftestatus)", True, 25_000),
    "invoer_terreinen": Place("Invoer", "Bedrijventerreinen (IBIS)"),
    "invoer_milieuzones": Place("Invoer", "Bestemmingsvlakken en geluidzones (categorie)"),
    "invoer_omgevingstypen": Place("Invoer", "Omgevingstypen"),
    "invoer_provincies": Place("Achtergrond", "Provinciegrenzen"),
    "invoer_gemeenten": Place("Achtergrond", "Gemeentegrenzen"),
}
GROUPS = ["Resultaten", "Invoer", "Achtergrond"]
GEOMETRY = {"Point": "Point", "LineString": "Line", "MultiLineString": "Line"}


def place_of(layer_name: str) -> Place:
    if layer_name in PLACES:
        return PLACES[layer_name]
    if layer_name.startswith("invoer_"):
        return Place("Invoer", layer_name.removeprefix("invoer_").replace("_", " ").capitalize())
    return Place("Resultaten", layer_name.replace("_", " ").capitalize(), False)


def qml_parts(qml: str) -> tuple[str, str]:
    """(attributes of the <qgis> root, its inner XML) of a QML document."""
    match = re.search(r"<qgis\b([^>]*)>(.*)</qgis>", qml, re.S)
    if not match:
        raise ValueError("a QML style without a <qgis> root element")
    return match.group(1), match.group(2)


def layer_context(layer, styles: list[tuple[str, str]], gpkg_name: str) -> dict:
    """What the template needs of one GeoPackage layer; `styles`: (name, QML), the default first."""
    place = place_of(layer.name)
    (default_name, default_qml), others = styles[0], styles[1:]
    attrs, inner = qml_parts(default_qml)
    kind = GEOMETRY.get(layer.geometry_type, "Polygon")
    # QGIS keeps a layer id from the project only when it is longer than 10 characters
    return {"id": f"{layer.name}_svp_laag", "name": place.name, "table": layer.name, "group": place.group,
            "visible": place.visible, "max_scale": place.max_scale, "geometry": kind,
            "wkb": layer.geometry_type, "source": f"./{gpkg_name}|layername={layer.name}",
            "title": layer.title, "abstract": layer.description, "labels": 'labelsEnabled="1"' in attrs,
            "style": default_name, "style_xml": inner,
            "other_styles": [(name, re.sub(r"<!DOCTYPE[^>]*>\s*", "", qml).strip()) for name, qml in others]}


def ordered(layers: list[dict]) -> list[dict]:
    """Layers in drawing order (top first): PLACES order, unknown result layers after terreinen, unknown inputs
    at the end of Invoer."""
    known = list(PLACES)

    def key(layer):
        name = layer["table"]
        if name in PLACES:
            return GROUPS.index(layer["group"]), known.index(name)
        anchor = known.index("terreinen") + 0.5 if layer["group"] == "Resultaten" else len(known)
        return GROUPS.index(layer["group"]), anchor
    return sorted(layers, key=key)


def view_extent(bounds, box=MAP_BOX, margin: float = 0.06) -> list[float]:
    """The terreinen' bounds with a margin, widened to the map item's aspect ratio (xmin, ymin, xmax, ymax)."""
    xmin, ymin, xmax, ymax = (float(b) for b in bounds)
    w, h = max(xmax - xmin, 500.0) * (1 + 2 * margin), max(ymax - ymin, 500.0) * (1 + 2 * margin)
    aspect = box[2] / box[3]
    w, h = max(w, h * aspect), max(h, w / aspect)
    cx, cy = (xmin + xmax) / 2, (ymin + ymax) / 2
    return [round(cx - w / 2, 1), round(cy - h / 2, 1), round(cx + w / 2, 1), round(cy + h / 2, 1)]


def provenance_text(meta: dict) -> str:
    """The run's provenance in a few lines (layout label and project abstract)."""
    bronnen = []
    for b in meta.get("bronnen", []):
        name = b.get("bron") or b.get("laag") or "?"
        datum = b.get("peildatum") or b.get("download_datum") or b.get("bestandsdatum")
        bestand = Path(str(b.get("pad") or b.get("url") or "")).name
        bronnen.append(f"{name} ({bestand}{', ' + str(datum) if datum else ''})")
    lines = [f"{meta.get('titel', '')}.",
             f"Gemaakt {_when(meta.get('runtijd'))} met {meta.get('software', '')} {meta.get('software_versie', '')}"
             f"; configuratie {Path(str(meta.get('configuratie_bestand') or 'standaard')).name}; "
             f"{meta.get('crs', '')}.",
             "Bronnen: " + ("; ".join(bronnen) if bronnen else "niet vastgelegd") + ".",
             "Grenzen: CBS gebiedsindelingen (CC BY 4.0), vereenvoudigd. Alle bronnen en instellingen: "
             "metadata van de GeoPackage (gpkg_metadata)."]
    return "\n".join(lines)


def _when(iso: str | None) -> str:
    """'2026-11-25T17:06:59+00:00' -> '25-11-2026 17:06 UTC' (the run time as a reviewer reads it)."""
    try:
        moment = datetime.fromisoformat(str(iso))
    except ValueError:
        return str(iso or "onbekend")
    zone = "UTC" if moment.utcoffset() is not None and not moment.utcoffset() else (moment.tzname() or "")
    return f"{moment:%d-%m-%Y %H:%M} {zone}".strip()


def render_project(layers: list[dict], *, title: str, meta: dict, bounds) -> str:
    """The .qgs XML of the project."""
    from pipeline.export.paginas import render
    extent = view_extent(bounds)
    ordered_layers = ordered(layers)
    groups = [(g, [lay for lay in ordered_layers if lay["group"] == g]) for g in GROUPS]
    legend = [(g, [lay for lay in members if lay["visible"]]) for g, members in groups if g != "Invoer"]
    text = provenance_text(meta)
    return render("project.qgs", title=title, version=QGIS_VERSION, epsg=WORKING_EPSG, layers=ordered_layers,
                  groups=[(g, members) for g, members in groups if members], legend=legend, extent=extent,
                  page=PAGE, box=MAP_BOX, title_attr=attribute(title), provenance_attr=attribute(text),
                  abstract=text, created=str(meta.get("runtijd", "")), scalebar_km=_scalebar_km(extent))


def attribute(text: str) -> str:
    """Text escaped for an XML attribute value, line breaks kept (a raw newline would become a space)."""
    return escape(text, {'"': "&quot;", "\n": "&#10;"})


def _scalebar_km(extent: list[float]) -> float:
    """A round segment length (km) of about a tenth of the map's width."""
    tenth = (extent[2] - extent[0]) / 10 / 1000
    for step in (0.1, 0.2, 0.25, 0.5, 1, 2, 2.5, 5, 10, 20, 25, 50):
        if step >= tenth:
            return step
    return 100.0


def qgz_bytes(qgs: str, name: str) -> bytes:
    """The zipped project (.qgz) with fixed timestamps."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        info = zipfile.ZipInfo(f"{name}.qgs", date_time=ZIP_TIME)
        info.compress_type = zipfile.ZIP_DEFLATED
        archive.writestr(info, qgs.encode("utf-8"))
    return buffer.getvalue()


def store_project(path: Path, name: str, qgs: str, modified: str) -> None:
    """Put the project into the GeoPackage's qgis_projects table (replacing one of the same name)."""
    con = sqlite3.connect(path)
    try:
        con.execute("CREATE TABLE IF NOT EXISTS qgis_projects(name TEXT PRIMARY KEY, metadata BLOB, content BLOB)")
        metadata = json.dumps({"last_modified_time": modified, "last_modified_user": "pipeline"})
        con.execute("INSERT OR REPLACE INTO qgis_projects (name, metadata, content) VALUES (?, ?, ?)",
                    (name, metadata, qgz_bytes(qgs, name).hex()))
        con.commit()
    finally:
        con.close()
