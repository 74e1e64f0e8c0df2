"""Offline HTML maps: `maps/index.html` (overview), `maps/ranglijst.html`, `maps/terreinen/<rin>.html`.

Settings: export.kaart_vereenvoudiging_m (simplify tolerance, metres in EPSG:28992, before reprojecting),
export.kaart_decimalen (lon/lat decimals), export.kaart_max_mb (size budget of the overview; the tolerance
is doubled until it fits), export.achtergrondkaart (an OpenStreetMap tile layer, shown only when online),
Cluster outlines come from the analyse stage (clusters.parquet).

The overview is a folium map with one FeatureGroup per layer (terreinen, kades, milieuruimte, netcapaciteit
afname / invoeding, clusters), a legend per thematic layer, tooltips, popups with every indicator and the
reason, a search box, fullscreen, measure and scale controls and links to the ranked table and the report.
Leaflet's JS/CSS come from the xstatic-leaflet package and are inlined; every CDN asset folium adds is removed
(unknown asset URLs raise), so the page makes no network requests apart from the optional tiles.
Kavels are on one detail page per terrein (they load Leaflet from `maps/assets/`, written beside them).
"""
from __future__ import annotations

import base64
import json
import logging
import os
import re
import shutil
import tempfile
from pathlib import Path

import folium
import geopandas as gpd
import jinja2
from markupsafe import Markup
import numpy as np
import shapely
from shapely.geometry import mapping

from pipeline import catalogue
from pipeline.catalogue.results import CRITERION_LABELS
from pipeline.categories import CEMT_KLASSEN
from pipeline.config import CRITERIA
from pipeline.crs import MAP_CRS
from pipeline.export.common import (CLUSTER_KLEUR, CONTOUR_KLEUREN, KADE_KLEUREN, KAVEL_GSI_KLASSEN, NET_KLEUREN,
                                    SCORE_KLASSEN, VAARWEG_KLASSEN, VLAG_KLEUREN, Inputs, jsonable, label,
                                    template_text)
from pipeline.io import atomic_path

log = logging.getLogger(__name__)

MIN_ZOOM, MAX_ZOOM = 6, 19

# folium's default assets: what to do with each when making the page self-contained
KNOWN_ASSETS = {
    "leaflet.js": "inline", "leaflet.css": "inline",
    "jquery": "drop", "bootstrap": "drop", "awesome-markers": "drop", "leaflet.awesome": "drop",
    "fontawesome": "drop", "glyphicons": "drop",
}


# ---------------------------------------------------------------------------------------------
# Assets
# ---------------------------------------------------------------------------------------------
def leaflet_dir() -> Path:
    import xstatic.pkg.leaflet as xleaflet
    return Path(xleaflet.BASE_DIR)


def _strip_sourcemap(text: str) -> str:
    return re.sub(r"//# sourceMappingURL=\S+", "", text)


def leaflet_js() -> str:
    return _strip_sourcemap((leaflet_dir() / "leaflet.js").read_text(encoding="utf-8"))


def leaflet_css(inline_images: bool = True) -> str:
    css = (leaflet_dir() / "leaflet.css").read_text(encoding="utf-8")
    if inline_images:
        def data_uri(match):
            data = (leaflet_dir() / match.group(1)).read_bytes()
            return "url(data:image/png;base64," + base64.b64encode(data).decode() + ")"
        css = re.sub(r"url\((images/[^)]+\.png)\)", data_uri, css)
    return css


def _asset_kind(url: str) -> str:
    name = url.rsplit("/", 1)[-1].lower()
    for key, action in KNOWN_ASSETS.items():
        if key in url.lower() and (key not in ("leaflet.js", "leaflet.css") or name == key):
            return action
    raise ValueError(f"map: unknown external asset {url!r}; add it to KNOWN_ASSETS (inline or drop) "
                     "so the map stays usable offline")


def make_self_contained(html: str, head_extra: str = "") -> str:
    """Inline Leaflet, drop folium's optional CDN assets, fail on any other external script/stylesheet."""
    inlined = []

    def replace_with(tag: str, content):
        def replace(match):
            url = match.group(1)
            if _asset_kind(url) != "inline":
                return ""
            inlined.append(url)
            return f"<{tag}>{content()}</{tag}>"
        return replace

    html = re.sub(r'<script[^>]*\bsrc="(https?://[^"]+)"[^>]*>\s*</script>', replace_with("script", leaflet_js), html)
    html = re.sub(r'<link[^>]*\bhref="(https?://[^"]+)"[^>]*/?>', replace_with("style", leaflet_css), html)
    if len(inlined) != 2:
        raise ValueError(f"map: expected to inline leaflet.js and leaflet.css, inlined {inlined}")
    left = re.findall(r'<(?:script|link)[^>]*(?:src|href)="(https?://[^"]+)"', html)
    if left:
        raise ValueError(f"map: external assets left in the page: {left}")
    return html.replace("</head>", head_extra + "\n</head>", 1)


# ---------------------------------------------------------------------------------------------
# Geometry and properties for the map
# ---------------------------------------------------------------------------------------------
def _value(v):
    v = jsonable(v)
    if isinstance(v, float):
        return round(v, 3)
    return v


def features(frame: gpd.GeoDataFrame, columns: list[str] | None, tolerance: float, decimals: int,
             extra: dict[str, list] | None = None, keep_empty: bool = False) -> dict:
    """GeoJSON FeatureCollection in EPSG:4326: simplified in the metric CRS first, coordinates rounded."""
    geoms = frame.geometry
    if tolerance > 0:
        geoms = geoms.simplify(tolerance, preserve_topology=True)
    geoms = gpd.GeoSeries(geoms, crs=frame.crs).to_crs(MAP_CRS).values
    geoms = shapely.transform(geoms, lambda c: np.round(c, decimals))
    columns = [c for c in (columns if columns is not None else frame.columns) if c != frame.geometry.name]
    records = frame[columns].to_dict("records") if columns else [{} for _ in range(len(frame))]
    out = []
    for i, (geom, props) in enumerate(zip(geoms, records)):
        if geom is None or geom.is_empty:
            if keep_empty:  # keep positions aligned with the frame's rows
                out.append(None)
            continue
        p = {k: _value(v) for k, v in props.items()}
        p = {k: v for k, v in p.items() if v is not None}
        for k, values in (extra or {}).items():
            if values[i] is not None:
                p[k] = values[i]
        out.append({"type": "Feature", "geometry": mapping(geom), "properties": p})
    return {"type": "FeatureCollection", "features": out}


SECTION_ORDER = ["Onbenutte potentie", "Vlag en score", "Criteria", "Algemeen", "Milieuruimte", "Kades",
                 "Bebouwing", "Netcapaciteit", "Ontsluiting", "Cluster"]


def popup_sections(columns: list[str], dataset: str = "terreinen_uitvoer") -> list[list]:
    """Popup sections [title, columns, open], one per catalogue groep; every column in exactly one section."""
    sections: dict[str, list[str]] = {}
    for c in columns:
        if c in ("waarom", "_detail"):
            continue
        entry = catalogue.find(c, dataset)
        sections.setdefault(entry.groep if entry is not None else "Overige indicatoren", []).append(c)
    order = [t for t in SECTION_ORDER if t in sections] + sorted(t for t in sections if t not in SECTION_ORDER)
    return [[title, sections[title], title == SECTION_ORDER[0]] for title in order]


def detail_slug(rin: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", str(rin)).strip("._") or "terrein"


def _dumps(data) -> str:
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False).replace("</", "<\\/")


# ---------------------------------------------------------------------------------------------
# Overview map
# ---------------------------------------------------------------------------------------------
def build_overview(config, inputs: Inputs, *, tolerance: float, detail_links: dict[str, str],
                   cluster_outlines: gpd.GeoDataFrame | None = None) -> str:
    exp = config.export
    t = inputs.terreinen
    columns = [c for c in t.columns if c != t.geometry.name]
    detail = [detail_links.get(str(r)) for r in t["rin_nummer"]]
    data = {"terreinen": features(t, columns, tolerance, exp.kaart_decimalen, extra={"_detail": detail})}
    if inputs.kades is not None and len(inputs.kades):
        data["kades"] = features(inputs.kades, None, tolerance, exp.kaart_decimalen)
    vaarwegen = inputs.canonical.get("vaarwegen")
    if vaarwegen is not None and len(vaarwegen):
        data["vaarwegen"] = features(vaarwegen, ["vaarweg_id", "naam", "cemt_klasse"], tolerance, exp.kaart_decimalen)
    contour_cats: list[str] = []
    if inputs.contouren is not None and len(inputs.contouren):
        data["contouren"] = features(inputs.contouren, ["categorie", "rin_nummer", "omgevingstype"],
                                     tolerance, exp.kaart_decimalen)
        present = set(inputs.contouren["categorie"].dropna().astype(str))
        contour_cats = [c for c in CONTOUR_KLEUREN if c in present] + sorted(present - set(CONTOUR_KLEUREN))
    if inputs.netcapaciteit is not None and len(inputs.netcapaciteit):
        net_tol = max(tolerance, exp.kaart_vereenvoudiging_net_m)
        data["netcapaciteit"] = features(inputs.netcapaciteit, None, net_tol, exp.kaart_decimalen)
    cl = cluster_outlines
    if cl is not None:
        data["clusters"] = features(cl, None, max(tolerance, 5.0), exp.kaart_decimalen)

    all_cols = set(columns)
    for key in ("kades", "netcapaciteit", "clusters"):
        if key in data:
            for f in data[key]["features"]:
                all_cols.update(f["properties"])
    data["config"] = {
        "labels": {c: label(c) for c in sorted(all_cols | {"categorie", "terreinen"})},
        "sections": popup_sections(columns),
        "criteria": CRITERIA, "criteriumLabels": CRITERION_LABELS,
        "vlagKleuren": VLAG_KLEUREN, "scoreKlassen": [list(k) for k in SCORE_KLASSEN],
        "kadeKleuren": KADE_KLEUREN, "vaarwegKlassen": [list(k) for k in VAARWEG_KLASSEN], "cemtKlassen": CEMT_KLASSEN,
        "netKleuren": NET_KLEUREN, "contourKleuren": CONTOUR_KLEUREN,
        "contourCategorieen": contour_cats, "clusterKleur": CLUSTER_KLEUR,
        "links": [["Ranglijst", "ranglijst.html"], ["Rapport", "rapport.html"]],
        "minZoom": MIN_ZOOM, "maxZoom": MAX_ZOOM,
    }

    bounds = t.to_crs(MAP_CRS).total_bounds if len(t) else np.array([4.0, 51.2, 6.1, 51.9])
    center = [(bounds[1] + bounds[3]) / 2, (bounds[0] + bounds[2]) / 2]
    title = f"Strategische vestigingsplaatsen – {config.region.name}"
    m = folium.Map(location=center, zoom_start=10, tiles=None, max_zoom=MAX_ZOOM, min_zoom=MIN_ZOOM,
                   control_scale=False)
    m.get_root().title = title
    if exp.achtergrondkaart:
        # an overlay that is off until a reviewer ticks it: zero requests by default, tiles when online
        folium.TileLayer("OpenStreetMap", name="Achtergrond: OpenStreetMap (alleen online)", max_zoom=MAX_ZOOM,
                         overlay=True, control=True, show=False).add_to(m)
    groups = {}
    specs = [("terreinen", "Bedrijventerreinen (vlag / score)", True),
             ("kades", "Kades (status)", True), ("vaarwegen", "Vaarwegen (CEMT-klasse)", True), ("contouren", "Milieuruimte: contouren", False),
             ("afname", "Netcapaciteit afname", False), ("invoeding", "Netcapaciteit invoeding", False),
             ("clusters", "Clusters", False)]
    present = {"terreinen": True, "kades": "kades" in data, "vaarwegen": "vaarwegen" in data, "contouren": "contouren" in data,
               "afname": "netcapaciteit" in data, "invoeding": "netcapaciteit" in data, "clusters": "clusters" in data}
    for key, name, show in specs:
        if present[key]:
            groups[key] = folium.FeatureGroup(name=name, show=show).add_to(m)

    init = folium.MacroElement()
    # the data is inserted as a value, not as template source (jinja would lex megabytes of JSON)
    init.call_js = ("svpInit(" + m.get_name() + ", {" + ",".join(f"{k}: {g.get_name()}" for k, g in groups.items())
                    + "}, " + _dumps(data) + ");")
    init._template = jinja2.Template("{% macro script(this, kwargs) %}\n{{ this.call_js }}\n{% endmacro %}")
    m.add_child(init)
    folium.LayerControl(collapsed=False, position="topright").add_to(m)

    html = m.get_root().render()
    head = ("<style>" + template_text("kaart.css") + "</style>\n<script>" + template_text("opmaak.js")
            + template_text("kaart.js") + "</script>")
    html = make_self_contained(html, head)
    title_div = f"<div class='svp-titel'>{title}</div>"
    return html.replace("<body>", "<body>\n" + title_div, 1)


# ---------------------------------------------------------------------------------------------
# Detail pages (kavels per terrein)
# ---------------------------------------------------------------------------------------------
def build_details(config, inputs: Inputs, folder: Path, *, tolerance: float) -> dict[str, str]:
    """Write one page per terrein with kavels into `folder`; return rin -> relative link from index.html."""
    if inputs.kavels is None or inputs.kavels.empty or "rin_nummer" not in inputs.kavels:
        return {}
    exp = config.export
    env = jinja2.Environment(autoescape=True)
    tpl = env.from_string(template_text("detail.html"))
    detail_js = template_text("opmaak.js") + template_text("detail.js")

    def by_rin(frame: gpd.GeoDataFrame) -> dict[str, list]:
        """The frame's non-empty features grouped by rin_nummer (fine detail: at most 1 m simplification)."""
        feats = features(frame, None, min(tolerance, 1.0), exp.kaart_decimalen, keep_empty=True)["features"]
        grouped: dict[str, list] = {}
        for rin, f in zip(frame["rin_nummer"].astype(str).tolist(), feats):
            if f is not None:
                grouped.setdefault(rin, []).append(f)
        return grouped

    kavels_by = by_rin(inputs.kavels)
    kades = inputs.kades
    kades_by = by_rin(kades) if kades is not None and "rin_nummer" in kades and len(kades) else {}
    t = inputs.terreinen
    head_cols = [c for c in ["rin_nummer", "naam", "vlag_klasse", "score", "rang", "waarom"] if c in t.columns]
    terrein_feats = features(t, head_cols, tolerance, exp.kaart_decimalen, keep_empty=True)["features"]
    labels = {c: label(c, "kavels_indicatoren") for c in inputs.kavels.columns}
    labels.update({c: label(c, "kades_status") for c in (kades.columns if kades is not None else [])})

    def fc(fs):
        return {"type": "FeatureCollection", "features": fs}

    links = {}
    records = t[head_cols].to_dict("records")
    for rec, terrein in zip(records, terrein_feats):
        rin = str(rec["rin_nummer"])
        if rin not in kavels_by:
            continue
        data = {
            "terrein": fc([terrein] if terrein is not None else []), "kavels": fc(kavels_by[rin]),
            "kades": fc(kades_by[rin]) if rin in kades_by else None,
            "labels": labels, "gsiKlassen": [list(k) for k in KAVEL_GSI_KLASSEN], "kadeKleuren": KADE_KLEUREN,
        }
        naam = rec.get("naam")
        naam = naam if isinstance(naam, str) else rin
        waarom = rec.get("waarom")
        html = tpl.render(titel=f"{naam} ({rin})", naam=naam, rin=rin,
                          waarom=waarom if isinstance(waarom, str) else "",
                          klasse=rec.get("vlag_klasse") or "", aantal=len(kavels_by[rin]),
                          data=Markup(_dumps(data)), detail_js=Markup(detail_js))
        slug = detail_slug(rin)
        (folder / f"{slug}.html").write_text(html, encoding="utf-8")
        links[rin] = f"terreinen/{slug}.html"
    return links


def _replace_dir(tmp: Path, target: Path) -> None:
    old = None
    if target.exists():
        old = target.with_name(f".{target.name}.old")
        if old.exists():
            shutil.rmtree(old)
        os.replace(target, old)
    os.replace(tmp, target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def write_assets(maps: Path) -> Path:
    """maps/assets: Leaflet JS/CSS/images for the detail pages (relative links, works offline)."""
    target = maps / "assets"
    tmp = Path(tempfile.mkdtemp(prefix=".assets.", dir=maps))
    os.chmod(tmp, 0o755)
    try:
        (tmp / "leaflet.js").write_text(leaflet_js(), encoding="utf-8")
        (tmp / "leaflet.css").write_text(leaflet_css(inline_images=False), encoding="utf-8")
        shutil.copytree(leaflet_dir() / "images", tmp / "images")
        _replace_dir(tmp, target)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp)
    return target


def write_maps(config, inputs: Inputs, ranglijst_html: str) -> dict:
    """Write index.html, ranglijst.html, terreinen/*.html and assets/; return paths and sizes."""
    maps = Path(config.paths.maps)
    maps.mkdir(parents=True, exist_ok=True)
    exp = config.export
    tolerance = exp.kaart_vereenvoudiging_m

    details_tmp = Path(tempfile.mkdtemp(prefix=".terreinen.", dir=maps))
    os.chmod(details_tmp, 0o755)
    try:
        links = build_details(config, inputs, details_tmp, tolerance=tolerance)
        if links:
            write_assets(maps)
        _replace_dir(details_tmp, maps / "terreinen")
    finally:
        if details_tmp.exists():
            shutil.rmtree(details_tmp)

    budget = exp.kaart_max_mb * 1024 * 1024
    outlines = inputs.clusters if inputs.clusters is not None and len(inputs.clusters) else None
    for attempt in range(6):
        html = build_overview(config, inputs, tolerance=tolerance, detail_links=links, cluster_outlines=outlines)
        size = len(html.encode("utf-8"))
        if size <= budget:
            break
        new_tol = max(tolerance * 2, 5.0)
        log.warning("map: %.1f MB is over the budget of %.1f MB; simplifying with %.0f m instead of %.1f m",
                    size / 1e6, exp.kaart_max_mb, new_tol, tolerance)
        tolerance = new_tol
    else:
        log.warning("map: still %.1f MB, over the budget of %.1f MB", size / 1e6, exp.kaart_max_mb)
    index = maps / "index.html"
    with atomic_path(index) as tmp:
        tmp.write_text(html, encoding="utf-8")
    ranglijst = maps / "ranglijst.html"
    with atomic_path(ranglijst) as tmp:
        tmp.write_text(ranglijst_html, encoding="utf-8")
    return {"index": index, "ranglijst": ranglijst, "kaart_mb": round(size / 1024 / 1024, 2),
            "vereenvoudiging_m": tolerance, "detailpaginas": len(links)}
