"""Shared pieces of the exports: reading the stage outputs, colours, gemeente -> regio.

Inputs (all in `config.paths.processed`, EPSG:28992, checked against the catalogue): terreinen_strategisch
(required), kavels_indicatoren, kades_status, milieuruimte_contouren, clusters, vestigingen_register and
verblijfsobjecten_gebruik (optional: older runs lack them), the canonical layers, terreinen_historie (optional),
analyse_instellingen.json and ingest_bronnen.json. Labels, units and decimals come from the catalogue (pipeline/catalogue).
"""
from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import shapely

from pipeline import catalogue, io, threads
from pipeline.export import trend
from pipeline.export.context import Gebruiksdoelen, gebruik_of, pand_gebruik
from pipeline.regios import add_gemeente_regio, gemeente_regio  # noqa: F401 (re-exported)

log = logging.getLogger(__name__)

# ---------------------------------------------------------------------------------------------
# Vocabularies and colours (shared by the QGIS styles, the map and the report)
# ---------------------------------------------------------------------------------------------
VLAG_KLEUREN = {"strategisch": "#b2182b", "grensgeval": "#f4a582", "niet strategisch": "#bababa"}
# the typology as a bivariate scheme: dark = strategisch, orange = onderbenut (order of categories.TYPOLOGIEEN)
TYPOLOGIE_KLEUREN = {"beschermen en benutten": "#e66101", "beschermen": "#5e3c99",
                     "benutten / herstructureren": "#fdb863", "regulier": "#d9d9d9"}
# fairway classes on the map: (label, lowest CEMT class of the group, colour, line weight)
VAARWEG_KLASSEN = [("CEMT Va en hoger", "Va", "#08306b", 5), ("CEMT IV", "IV", "#2171b5", 3.5),
                   ("CEMT III en lager", "0", "#6baed6", 2)]
KADE_KLEUREN = {"benut": "#1a9641", "onbenut": "#d7191c", "vrij": "#2b83ba", "onbekend": "#8c8c8c"}
NET_KLEUREN = {"groen": "#1a9641", "geel": "#ffd92f", "oranje": "#fd8d3c", "rood": "#d7191c",
               "onbekend": "#bdbdbd"}
CONTOUR_KLEUREN = {"1": "#ffffb2", "2": "#fed976", "3.1": "#feb24c", "3.2": "#fd8d3c", "4.1": "#fc4e2a",
                   "4.2": "#e31a1c", "5.1": "#bd0026", "5.2": "#800026", "5.3": "#67001f", "6": "#3f007d"}
KAVEL_GSI_KLASSEN = [(0.0, 0.3, "#fdae61"), (0.3, 0.5, "#ffffbf"), (0.5, 0.8, "#a6d96a"), (0.8, 10.0, "#1a9641")]
SCORE_KLASSEN = [(0.0, 0.2, "#ffffcc"), (0.2, 0.4, "#a1dab4"), (0.4, 0.6, "#41b6c4"),
                 (0.6, 0.8, "#2c7fb8"), (0.8, 1.0, "#253494")]
CLUSTER_KLEUR = "#6a3d9a"


# ---------------------------------------------------------------------------------------------
# Reading the inputs
# ---------------------------------------------------------------------------------------------
@dataclass
class Streamed:
    """A canonical layer as only the GeoPackage writes it (see `streamed`): read a few row groups at a time when
    `batches()` is iterated, never held whole (a national BAG). `columns`: an empty frame with its columns and types;
    a batch is an Arrow table (WKB geometry under the same name) or a frame."""
    columns: gpd.GeoDataFrame
    batches: Callable[[], Iterator[pa.Table | gpd.GeoDataFrame]]


@dataclass
class Inputs:
    terreinen: gpd.GeoDataFrame
    kavels: gpd.GeoDataFrame | None = None
    kades: gpd.GeoDataFrame | None = None
    contouren: gpd.GeoDataFrame | None = None
    clusters: gpd.GeoDataFrame | None = None
    netcapaciteit: gpd.GeoDataFrame | None = None
    register: gpd.GeoDataFrame | None = None           # vestigingen_register
    gevoelig: gpd.GeoDataFrame | None = None           # verblijfsobjecten_gebruik
    analyse: dict = field(default_factory=dict)        # analyse_instellingen.json (settings, notes, SBI tables)
    canonical: dict[str, gpd.GeoDataFrame | pd.DataFrame | Streamed] = field(default_factory=dict)
    bronnen: list[dict] = field(default_factory=list)
    files: dict[str, Path] = field(default_factory=dict)
    bereik: dict[str, str] = field(default_factory=dict)   # invoer layer -> what part of it is written (invoer_bereik)
    historie: pd.DataFrame | None = None               # terreinen_historie (trend.py; None for a run without it)


def bool_column(frame: pd.DataFrame, column: str) -> pd.Series:
    """A boolean column with missing values (or a missing column) as False."""
    if column not in frame:
        return pd.Series(False, index=frame.index, dtype="boolean")
    return frame[column].astype("boolean").fillna(False)


def vlag_klasse(terreinen: pd.DataFrame) -> pd.Series:
    """'grensgeval' where the flag is unstable, else 'strategisch' / 'niet strategisch'."""
    vlag = bool_column(terreinen, "vlag")
    grens = bool_column(terreinen, "grensgeval")
    out = np.where(grens, "grensgeval", np.where(vlag, "strategisch", "niet strategisch"))
    return pd.Series(out, index=terreinen.index, dtype="string")


def prepare_terreinen(terreinen: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Terreinen sorted by rang with vlag_klasse added (gemeente_naam and regio come from the score stage)."""
    out = terreinen.copy()
    out["vlag_klasse"] = vlag_klasse(out)
    if "rang" in out:
        out = out.sort_values(["rang", "rin_nummer"], kind="stable", na_position="last")
    return out.reset_index(drop=True)


def read_bronnen(processed: Path) -> list[dict]:
    """ingest_bronnen.json as a list of dicts (accepts a list, or a mapping name -> record)."""
    path = processed / "ingest_bronnen.json"
    if not path.is_file():
        log.warning("export: %s not found; provenance lists no sources", path)
        return []
    data = json.loads(path.read_text(encoding="utf-8"))
    if isinstance(data, dict):
        if isinstance(data.get("bronnen"), list):
            return [dict(r) for r in data["bronnen"]]
        return [{"bron": k, **(v if isinstance(v, dict) else {"waarde": v})} for k, v in data.items()]
    return [dict(r) for r in data]


# canonical layers the maps show (detail pages, context), read even when the GeoPackage leaves the inputs out
MAP_INPUTS = ("vaarwegen", "panden", "verblijfsobjecten", "milieuzones", "gemeenten", "provincies")


def read_inputs(config) -> Inputs:
    """Every export input; the canonical layers are read when they go into the GeoPackage (`export.gpkg_invoer`)
    or a map shows them (MAP_INPUTS), and an existing file is listed in `files` (provenance) either way. The layers
    no map shows and those that scale with the buildings are `Streamed` (read while the GeoPackage is written); the
    detail pages read their panden per block of pages (detaildata.panden_near)."""
    processed = Path(config.paths.processed)
    settings = config.analyse
    terreinen = catalogue.read("terreinen_strategisch", processed, settings)
    inputs = Inputs(terreinen=prepare_terreinen(terreinen),
                    files={"terreinen_strategisch": catalogue.path("terreinen_strategisch", processed)})
    # (attribute, dataset, optional: older runs lack it), read side by side (Arrow and GEOS release the GIL)
    outputs = [("kavels", "kavels_indicatoren", False), ("register", "vestigingen_register", True),
               ("kades", "kades_status", False), ("contouren", "milieuruimte_contouren", False),
               ("clusters", "clusters", False), ("netcapaciteit", "netcapaciteit", False),
               ("gevoelig", "verblijfsobjecten_gebruik", True)]
    with ThreadPoolExecutor(threads.workers()) as pool:
        frames = pool.map(lambda o: catalogue.read(o[1], processed, settings, optional=o[2]), outputs)
        for (attr, name, _), frame in zip(outputs, frames):
            setattr(inputs, attr, frame)
            inputs.files[name] = catalogue.path(name, processed)
    meta = processed / "analyse_instellingen.json"
    inputs.analyse = json.loads(meta.read_text(encoding="utf-8")) if meta.is_file() else {}
    for name, entry in catalogue.DATASETS.items():
        path = catalogue.path(name, processed)
        if entry.stage != "ingest" or entry.format != "parquet" or name == "netcapaciteit" or not path.is_file():
            continue
        if config.export.gpkg_invoer or name in MAP_INPUTS:
            inputs.canonical[name] = catalogue.read(name, processed, config.analyse) \
                if name in MAP_INPUTS and not entry.spatial_sort else streamed(name, processed, config, inputs)
            inputs.bereik[name] = invoer_bereik(name, config)
        inputs.files[f"invoer_{name}"] = path
    inputs.bronnen = read_bronnen(processed)
    inputs.historie = trend.read_history(processed)
    return inputs


def grown(terreinen: gpd.GeoDataFrame, reach: float) -> np.ndarray:
    """The terreinen's bboxes grown by `reach` m on every side: (n, 4) boxes to read the rows near them."""
    return np.asarray(shapely.bounds(terreinen.geometry.to_numpy())) + [-reach, -reach, reach, reach]


def with_gebruik(panden: gpd.GeoDataFrame, processed: Path, config, doelen=None) -> gpd.GeoDataFrame:
    """The panden with their gebruik (context.pand_gebruik), from the verblijfsobjecten within their bboxes; `doelen`:
    a context.Gebruiksdoelen kept from one batch of panden to the next."""
    path = catalogue.path("verblijfsobjecten", processed)
    if not path.is_file() or not len(panden):
        return panden.assign(gebruik=pand_gebruik(panden, None))
    doelen = doelen or Gebruiksdoelen(path, config.analyse)
    return panden.assign(gebruik=gebruik_of(panden, *doelen.near(panden.geometry.to_numpy())))


def streamed(name: str, processed: Path, config, inputs: Inputs) -> Streamed:
    """A canonical layer only the GeoPackage writes (no map shows it), batch by batch in file order, as Arrow tables
    with the file's WKB (io.read_parquet_tables: copied, never decoded; the panden's geometry only for their
    gebruik). The panden and verblijfsobjecten with export.gpkg_invoer_afstand_m only near the terreinen: the
    objects whose bbox lies within that distance (at least the detail pages' margin) of a terrein's bbox, the
    verblijfsobjecten also inside those panden (their gebruik) and those of verblijfsobjecten_gebruik (at the end).
    Only their row groups are read (pipeline.io); see `invoer_bereik`."""
    from pipeline.export.detaildata import PANDEN_MARGE_M

    path, analyse = catalogue.path(name, processed), config.analyse
    reach = config.export.gpkg_invoer_afstand_m
    boxes = cell = None
    if reach is not None and catalogue.dataset(name).spatial_sort:
        reach = max(reach, PANDEN_MARGE_M)
        boxes, cell = grown(inputs.terreinen, reach), max(reach, 50.0)
    where = f"{name} ({path})"
    columns = catalogue.check(io.read_parquet(path, what=name, boxes=np.zeros((0, 4))), name, analyse, where=where)
    gcol = columns.geometry.name
    attributes = [c.name for c in catalogue.columns(name, analyse)]

    def checked(table) -> pd.DataFrame:
        """The table's attributes, checked as catalogue.check checks a frame."""
        return catalogue.check(table.drop_columns([gcol]).to_pandas(), name, analyse, where=where, only=attributes)

    def panden():
        doelen = Gebruiksdoelen(catalogue.path("verblijfsobjecten", processed), analyse)
        for table in io.read_parquet_tables(path, what=name, boxes=boxes, cell=cell):
            checked(table)
            geoms = gpd.GeoDataFrame(geometry=io.decode_wkb(table.column(gcol)), crs=columns.crs)
            gebruik = with_gebruik(geoms, processed, config, doelen)["gebruik"]
            yield table.append_column("gebruik", pa.array(gebruik.array, pa.string()))

    def verblijfsobjecten():
        near = boxes
        if near is not None and catalogue.path("panden", processed).is_file():
            near = np.concatenate([near, io.read_bounds(catalogue.path("panden", processed), boxes, cell)])
        listed = inputs.gevoelig["vbo_id"] if inputs.gevoelig is not None else pd.Series([], dtype="str")
        seen = [listed.iloc[:0]]
        for table in io.read_parquet_tables(path, what=name, boxes=near, cell=cell):
            ids = checked(table)["vbo_id"]
            seen.append(ids[io.is_in(ids, listed)])
            yield table
        if near is not None and inputs.gevoelig is not None:  # the gevoelige objecten used, wherever they are
            used = inputs.gevoelig[~io.is_in(listed, pd.concat(seen, ignore_index=True))]
            if len(used):
                extra = catalogue.read(name, processed, analyse, cell=1.0,
                                       boxes=shapely.bounds(used.geometry.to_numpy()))
                yield extra[io.is_in(extra["vbo_id"], used["vbo_id"])].reset_index(drop=True)

    def layer():
        for table in io.read_parquet_tables(path, what=name, groups=1):
            checked(table)
            yield table

    if name == "panden":
        return Streamed(columns.assign(gebruik=pd.Series([], dtype="string")), panden)
    return Streamed(columns, verblijfsobjecten if name == "verblijfsobjecten" else layer)


def reread(inputs: Inputs, name: str) -> Callable[[], Iterator[pa.Table]]:
    """The rows of a large result layer read again from its file (checked whole by read_inputs) batch by batch, as
    Arrow tables with the file's WKB (io.read_parquet_tables): a forked writer then does not touch the frame it shares
    with the main process (the kernel copies every page holding a Python object a process touches, so both would end
    up with a copy), and decodes no geometry."""
    return lambda: io.read_parquet_tables(inputs.files[name], what=name, groups=1)  # a result layer is wide


def invoer_bereik(name: str, config) -> str:
    """The sentence a scoped invoer layer's description ends with ('' for a complete layer)."""
    from pipeline.export.detaildata import PANDEN_MARGE_M

    reach = config.export.gpkg_invoer_afstand_m
    if not catalogue.dataset(name).spatial_sort or reach is None:
        return ""
    inside = ", de verblijfsobjecten in die panden" if name == "verblijfsobjecten" else ""
    return (f". Alleen objecten binnen ongeveer {max(reach, PANDEN_MARGE_M):g} m van de omhullende rechthoek van een "
            f"bedrijventerrein (export.gpkg_invoer_afstand_m){inside} en de gevoelige objecten die een "
            f"afstandscategorie bepalen; de volledige laag staat in {name}.parquet.")


def jsonable(value):
    """A value as plain JSON data (NA/NaN -> None, numpy scalars -> Python)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, (np.bool_, bool)):
        return bool(value)
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return None if not np.isfinite(value) else float(value)
    if isinstance(value, (pd.Timestamp,)):
        return value.isoformat()
    return value if isinstance(value, (int, str)) else str(value)
