"""Map data: everything the HTML map pages show, prepared here and handed to each page as one JSON value.

Settings: export.kaart_vereenvoudiging_m and kaart_vereenvoudiging_net_m (simplify tolerance, metres in
EPSG:28992, applied before reprojecting), export.kaart_decimalen (lon/lat decimals), export.kaart_max_mb
(size budget of the overview: the tolerance is doubled until the page fits, while simplifying can make it fit),
export.achtergrondkaart (offer an OpenStreetMap overlay, off until ticked), export.kaart_context_m (how far around the
terreinen the gemeente and provincie borders of the offline base layer reach, context.basis). Cluster outlines come
from the analyse stage (clusters.parquet).

Per layer the page gets a GeoJSON FeatureCollection in EPSG:4326 (written by columns: `features` by_column) and, per
column, the catalogue's Dutch label, unit and decimals, so the pages format numbers exactly as the report does; popup
sections follow the catalogue's `groep`. Building the pages from this data is paginas.py; the detail pages' data is
detaildata.py.
"""
from __future__ import annotations

import functools
import logging
import re
from dataclasses import dataclass
from typing import Callable

import geopandas as gpd
import numpy as np
import orjson
import pandas as pd
import shapely
from pyproj import CRS, Transformer

from pipeline import catalogue
from pipeline.catalogue.results import CRITERION_LABELS
from pipeline.categories import CEMT_KLASSEN
from pipeline.config import CRITERIA
from pipeline.crs import MAP_CRS
from pipeline.export.common import (CLUSTER_KLEUR, CONTOUR_KLEUREN, KADE_KLEUREN, NET_KLEUREN, SCORE_KLASSEN,
                                    TYPOLOGIE_KLEUREN, VAARWEG_KLASSEN, VLAG_KLEUREN, Inputs, jsonable)

log = logging.getLogger(__name__)

MIN_ZOOM, MAX_ZOOM = 6, 19
TERREINEN = "terreinen_uitvoer"
# the catalogue dataset behind each FeatureCollection of the overview (labels, units, decimals)
DATASETS = {"terreinen": TERREINEN, "kades": "kades_status", "vaarwegen": "vaarwegen",
            "contouren": "milieuruimte_contouren", "netcapaciteit": "netcapaciteit", "clusters": "clusters"}
SECTION_ORDER = ["Onbenutte potentie", "Typologie", "Vlag en score", "Criteria", "Algemeen", "Milieuruimte", "Kades",
                 "Bebouwing", "Netcapaciteit", "Ontsluiting", "Cluster"]
# an overlay that is off until a reviewer ticks it: zero requests by default, tiles when online
ACHTERGROND = {"naam": "Achtergrond: OpenStreetMap (alleen online)",
               "url": "https://tile.openstreetmap.org/{z}/{x}/{y}.png", "maxZoom": MAX_ZOOM,
               "attributie": '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> '
                             "contributors"}
DEFAULT_BOUNDS = (4.0, 51.2, 6.1, 51.9)  # lon/lat of Noord-Brabant, for a map without terreinen


@dataclass(frozen=True)
class Layer:
    """One entry of the layer control: a Leaflet FeatureGroup that kaart.js fills from `source`."""
    key: str
    name: str
    show: bool
    source: str


LAYERS = [Layer("terreinen", "Bedrijventerreinen (vlag / score / typologie)", True, "terreinen"),
          Layer("kades", "Kades (status)", True, "kades"),
          Layer("vaarwegen", "Vaarwegen (CEMT-klasse)", True, "vaarwegen"),
          Layer("contouren", "Milieuruimte: contouren", False, "contouren"),
          Layer("afname", "Netcapaciteit afname", False, "netcapaciteit"),
          Layer("invoeding", "Netcapaciteit invoeding", False, "netcapaciteit"),
          Layer("clusters", "Clusters", False, "clusters"),
          Layer("basis", "Gemeente- en provinciegrenzen (offline)", True, "basis")]


# ---------------------------------------------------------------------------------------------
# Features and column descriptions
# ---------------------------------------------------------------------------------------------
def _value(v):
    v = jsonable(v)
    if isinstance(v, float):
        return round(v, 3)
    return v


def features(frame: gpd.GeoDataFrame, columns: list[str] | None, tolerance: float, decimals: int,
             extra: dict[str, list] | None = None, keep_empty: bool = False, by_column: bool = False) -> dict:
    """GeoJSON FeatureCollection in EPSG:4326: simplified in the metric CRS first, coordinates rounded.

    Vectorised: the geometries are written by GEOS (shapely.to_geojson) and kept as that text (an orjson.Fragment,
    which the pages' |tojson writes as it is: never parsed into Python numbers), the values are prepared per column
    (`_plain`); only the final dict per feature is built in Python.
    by_column: the column names once (`velden`) and per feature its values in that order (`waarden`, null where
    missing) instead of `properties`: the names of 150 indicators repeated for every terrein were 6.3 of the 15 MB
    of the overview at scale 4. The page rebuilds the properties on loading (opmaak.js uitpakken)."""
    geoms = frame.geometry.to_numpy()
    if tolerance > 0:
        geoms = shapely.simplify(geoms, tolerance, preserve_topology=True)
    geoms = to_map(geoms, frame.crs, decimals)
    present = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    parsed = map(orjson.Fragment, shapely.to_geojson(geoms[present]).tolist())
    columns = [c for c in (columns if columns is not None else frame.columns) if c != frame.geometry.name]
    values = {c: _plain(frame[c]) for c in columns}
    values.update({k: np.asarray(v, dtype=object) for k, v in (extra or {}).items()})
    keys = list(values)
    rows = zip(*(values[k][present] for k in keys)) if keys else ((),) * int(present.sum())
    if by_column:
        made = iter([{"type": "Feature", "geometry": g, "waarden": list(row)} for g, row in zip(parsed, rows)])
    else:
        made = iter([{"type": "Feature", "geometry": g,
                      "properties": {k: v for k, v in zip(keys, row) if v is not None}}
                     for g, row in zip(parsed, rows)])
    out = [next(made) if p else None for p in present] if keep_empty else list(made)
    return {"type": "FeatureCollection", "features": out, **({"velden": keys} if by_column else {})}


def to_map(geoms: np.ndarray, crs, decimals: int) -> np.ndarray:
    """Geometries in MAP_CRS with their coordinates rounded to `decimals`: reprojected and rounded in one pass over
    the coordinates (what GeoSeries.to_crs and a rounding pass give, byte for byte, in four fifths of the time)."""
    transformer = _to_map(CRS.from_user_input(crs))

    def project(coords: np.ndarray) -> np.ndarray:
        x, y = transformer.transform(coords[:, 0], coords[:, 1])
        return np.round(np.column_stack([x, y]), decimals)

    return shapely.transform(geoms, project)


def map_bounds(geoms: np.ndarray, crs) -> np.ndarray:
    """xmin, ymin, xmax, ymax of the geometries in MAP_CRS: of their coordinates transformed as to_crs transforms
    them (the same numbers as GeoSeries.to_crs(MAP_CRS).total_bounds), without making the geometries."""
    xy = shapely.get_coordinates(geoms)
    x, y = _to_map(CRS.from_user_input(crs)).transform(xy[:, 0], xy[:, 1])
    return np.array([np.nanmin(x), np.nanmin(y), np.nanmax(x), np.nanmax(y)])


@functools.lru_cache(maxsize=4)
def _to_map(crs: CRS) -> Transformer:
    return Transformer.from_crs(crs, MAP_CRS, always_xy=True)


def _plain(series) -> np.ndarray:
    """A column as plain JSON values (object array): floats rounded to 3 decimals (as `_value`), nulls and NaN/inf
    as None."""
    t = pd.api.types
    if t.is_float_dtype(series):
        v = series.to_numpy(dtype=float, na_value=np.nan)
        ok = np.isfinite(v)
        out = np.full(len(v), None, dtype=object)
        out[ok] = round_as_python(v[ok], 3).tolist()
        return out
    if t.is_bool_dtype(series) or t.is_integer_dtype(series):
        kind = bool if t.is_bool_dtype(series) else int
        out = np.full(len(series), None, dtype=object)
        ok = series.notna().to_numpy(bool)
        out[ok] = series[ok].to_numpy(dtype=kind).tolist()  # Python ints and bools
        return out
    if t.is_string_dtype(series) and not isinstance(series.dtype, pd.CategoricalDtype) and series.dtype != object:
        out = np.asarray(series.tolist() + [None], dtype=object)[:-1]  # text as it is, missing as None
        out[series.isna().to_numpy(bool)] = None
        return out
    return np.asarray([_value(v) for v in series.tolist()], dtype=object)


def round_as_python(values: np.ndarray, decimals: int) -> np.ndarray:
    """Python's round(x, decimals) of each (finite) value, bit for bit, vectorised: numpy's scale-and-rint agrees with
    it except where x * 10**decimals lies within a rounding error of a half (the product is rounded once, Python
    rounds the exact decimal value), and those few are rounded by Python."""
    scaled = values * 10.0 ** decimals
    out = np.rint(scaled) / 10.0 ** decimals  # n / 10**d is the double nearest the decimal, as Python's result
    near_half = np.abs(scaled - np.floor(scaled) - 0.5) < 1e-6
    unsure = np.flatnonzero(near_half | ~(np.abs(values) < 1e15))
    out[unsure] = [round(x, decimals) for x in values[unsure].tolist()]
    return out


def column_meta(columns, dataset: str) -> dict[str, dict]:
    """Per column the catalogue's {label, unit, decimals}: what opmaak.js needs to show a value."""
    out = {}
    for c in columns:
        entry = catalogue.find(c, dataset)
        out[c] = ({"label": entry.label, "unit": entry.unit, "decimals": entry.shown_decimals} if entry is not None
                  else {"label": catalogue.label(c, dataset), "unit": "", "decimals": None})
    return out


def popup_sections(columns: list[str], dataset: str = TERREINEN) -> list[list]:
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


def _present(frame: gpd.GeoDataFrame | None) -> bool:
    return frame is not None and len(frame) > 0


# ---------------------------------------------------------------------------------------------
# Overview map
# ---------------------------------------------------------------------------------------------
def overview_sources(config, inputs: Inputs, tolerance: float) -> dict[str, tuple[gpd.GeoDataFrame, list[str], float]]:
    """Per data source with features: (frame, exported columns, its simplify tolerance for the overview's
    `tolerance`)."""
    t = inputs.terreinen
    sources = {"terreinen": (t, [c for c in t.columns if c != t.geometry.name], tolerance)}
    vaarwegen = inputs.canonical.get("vaarwegen")
    for key, frame, cols, tol in [
            ("kades", inputs.kades, None, tolerance),
            ("vaarwegen", vaarwegen, ["vaarweg_id", "naam", "cemt_klasse"], tolerance),
            ("contouren", inputs.contouren, ["categorie", "rin_nummer", "omgevingstype"], tolerance),
            ("netcapaciteit", inputs.netcapaciteit, None, max(tolerance, config.export.kaart_vereenvoudiging_net_m)),
            ("clusters", inputs.clusters, None, max(tolerance, 5.0))]:
        if _present(frame):
            sources[key] = (frame, cols if cols is not None else
                            [c for c in frame.columns if c != frame.geometry.name], tol)
    return sources


def overview_layers(config, inputs: Inputs, *, tolerance: float,
                    detail_links: dict[str, str]) -> dict[str, tuple[dict, list[str]]]:
    """Per data source: (FeatureCollection, exported columns). Only the sources that have features."""
    dec = config.export.kaart_decimalen
    detail = [detail_links.get(str(r)) for r in inputs.terreinen["rin_nummer"]]
    out = {}
    for key, (frame, cols, tol) in overview_sources(config, inputs, tolerance).items():
        extra = {"_detail": detail} if key == "terreinen" else None
        out[key] = (features(frame, cols, tol, dec, extra=extra, by_column=True), cols)
    return out


def overview_vertices(config, inputs: Inputs, tolerance: float) -> int:
    """About how many coordinates the overview's layers have at `tolerance` (fit_budget's guess): simplified without
    preserving topology, in a third of the time of the map's own simplification; that keeps a few percent fewer
    coordinates (3 % at 10 m at national scale), so the guess errs towards rendering a page."""
    simplified = (shapely.simplify(frame.geometry.to_numpy(), tol, preserve_topology=False)
                  for frame, _, tol in overview_sources(config, inputs, tolerance).values())
    return int(sum(shapely.get_num_coordinates(g).sum() for g in simplified))


def _contour_categories(inputs: Inputs) -> list[str]:
    """The contour categories present, in the legend's order (unknown ones last, sorted)."""
    if not _present(inputs.contouren):
        return []
    present = set(inputs.contouren["categorie"].dropna().astype(str))
    return [c for c in CONTOUR_KLEUREN if c in present] + sorted(present - set(CONTOUR_KLEUREN))


def _centre(terreinen: gpd.GeoDataFrame) -> list[float]:
    bounds = map_bounds(terreinen.geometry.to_numpy(), terreinen.crs) if len(terreinen) else DEFAULT_BOUNDS
    return [round(float(bounds[1] + bounds[3]) / 2, 6), round(float(bounds[0] + bounds[2]) / 2, 6)]


def overview_basis(config, inputs: Inputs, tolerance: float) -> dict | None:
    """The base layer of the overview: borders and names within export.kaart_context_m of the terreinen."""
    from pipeline.export.context import basis
    t = inputs.terreinen
    if not len(t):
        return None
    view = shapely.box(*t.total_bounds).buffer(config.export.kaart_context_m, join_style="mitre")
    return basis(inputs.canonical.get("gemeenten"), inputs.canonical.get("provincies"), view,
                 tolerance=max(tolerance, config.export.kaart_vereenvoudiging_net_m),
                 decimals=config.export.kaart_decimalen)


def overview_data(config, inputs: Inputs, *, tolerance: float, detail_links: dict[str, str]) -> dict:
    """The overview's page data: one FeatureCollection per source and `config` (layers, columns, legends)."""
    layers = overview_layers(config, inputs, tolerance=tolerance, detail_links=detail_links)
    data = {key: fc for key, (fc, _) in layers.items()}
    base = overview_basis(config, inputs, tolerance)
    if base is not None:
        data["basis"] = base
    terrein_cols = layers["terreinen"][1]
    data["config"] = {
        "kolommen": {key: column_meta(cols, DATASETS[key]) for key, (_, cols) in layers.items()},
        "sections": popup_sections(terrein_cols),
        "criteria": CRITERIA, "criteriumLabels": CRITERION_LABELS,
        "vlagKleuren": VLAG_KLEUREN, "scoreKlassen": [list(k) for k in SCORE_KLASSEN],
        "typologieKleuren": TYPOLOGIE_KLEUREN,
        "kadeKleuren": KADE_KLEUREN, "vaarwegKlassen": [list(k) for k in VAARWEG_KLASSEN], "cemtKlassen": CEMT_KLASSEN,
        "netKleuren": NET_KLEUREN, "contourKleuren": CONTOUR_KLEUREN,
        "contourCategorieen": _contour_categories(inputs), "clusterKleur": CLUSTER_KLEUR,
        "links": [["Ranglijst", "ranglijst.html"], ["Rapport", "rapport.html"], ["Zoek een plek", "zoek.html"]],
        "lagen": [[layer.key, layer.name, layer.show] for layer in LAYERS if layer.source in data],
        "achtergrond": ACHTERGROND if config.export.achtergrondkaart else None,
        "centrum": _centre(inputs.terreinen), "zoom": 10, "minZoom": MIN_ZOOM, "maxZoom": MAX_ZOOM,
    }
    return data


SURE_OVER = 1.05  # fit_budget: a page guessed this far over the budget is not rendered
# the coordinates of a GeoJSON geometry as GEOS writes them (kaartdata.features): what simplifying can shrink
COORDINATES = re.compile(r'"coordinates":\[[-0-9.,\[\]eE]*\]')


def fit_budget(render: Callable[[float], str], *, tolerance: float, budget_mb: float, attempts: int = 6,
               vertices: Callable[[float], int] | None = None) -> tuple[str, float]:
    """Render with `tolerance`; simplify harder (doubling, at least 5 m) until the page fits the budget, or until the
    page without its coordinates is over the budget by itself (the popups' values of thousands of terreinen):
    simplifying cannot help then, so the finest map is kept instead of rendering it again and again.
    vertices: the number of coordinates at a tolerance (overview_vertices). Once a page was over the budget, a
    tolerance whose page would be over it by more than SURE_OVER (its bytes of coordinates guessed from the number of
    coordinates, at the bytes per coordinate of the page rendered) is passed over without rendering it (a national
    overview takes seconds per rendering); the last tolerance of the `attempts` is always rendered."""
    budget = budget_mb * 1024 * 1024
    guess = None  # (bytes besides the coordinates, bytes per coordinate) of a page over the budget
    for attempt in range(attempts):
        last = attempt == attempts - 1
        guessed = guess[0] + guess[1] * vertices(tolerance) if guess is not None and not last else 0
        if guessed > budget * SURE_OVER:
            log.warning("map: about %.1f MB with %.1f m (from its number of coordinates), over the budget of "
                        "%.1f MB; simplifying with %.0f m, without rendering it", guessed / 1e6, tolerance, budget_mb,
                        max(tolerance * 2, 5.0))
            tolerance = max(tolerance * 2, 5.0)
            continue
        html = render(tolerance)
        size = len(html.encode("utf-8"))
        if size <= budget:
            return html, tolerance
        rest = size - sum(m.end() - m.start() for m in COORDINATES.finditer(html))  # ASCII: a byte per character
        if rest > budget:
            log.warning("map: %.1f MB is over the budget of %.1f MB, and %.1f MB of it is not coordinates (the "
                        "popups' values, the scripts): simplifying cannot make it fit; kept %.1f m",
                        size / 1e6, budget_mb, rest / 1e6, tolerance)
            return html, tolerance
        if last:
            break
        if vertices is not None:
            guess = (rest, (size - rest) / max(vertices(tolerance), 1))
        new_tol = max(tolerance * 2, 5.0)
        log.warning("map: %.1f MB is over the budget of %.1f MB; simplifying with %.0f m instead of %.1f m",
                    size / 1e6, budget_mb, new_tol, tolerance)
        tolerance = new_tol
    log.warning("map: still %.1f MB, over the budget of %.1f MB", size / 1e6, budget_mb)
    return html, tolerance
