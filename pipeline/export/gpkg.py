"""GeoPackage deliverable: every result layer and the canonical inputs, QGIS styles and provenance.

Settings: export.gpkg_naam, export.gpkg_versie (GeoPackage version, creation option VERSION).
Inputs: see pipeline/export/common.py (read_inputs).
Output: `<processed>/<gpkg_naam>` with layers terreinen, typologie (the typology strategisch x benutting), kavels, kades, vestigingen (the register),
gevoelige_objecten, milieuruimte_contouren, netcapaciteit and invoer_<canonical layer>; all EPSG:28992,
geometry column `geom`.
Per layer a title and description in gpkg_contents (identifier/description) and a default QGIS style in
`layer_styles` (QML from pipeline/styles, schema '' and the real geometry column, one useAsDefault row).
Provenance: GDAL dataset metadata (key/value, in gpkg_metadata) plus one JSON document in gpkg_metadata
referenced from gpkg_metadata_reference (scope 'geopackage'): sources, the whole config, software version,
run time. The file is built from scratch at a temporary path beside the target and renamed into place, so a
rerun never keeps stale layers.
"""
from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from importlib import resources
from pathlib import Path
from string import Template
from xml.sax.saxutils import quoteattr

import geopandas as gpd
import pyogrio

from pipeline import __version__, catalogue, io, memory, progress
from pipeline.config import config_as_dict
from pipeline.crs import WORKING_EPSG
from pipeline.export import qgisproject
from pipeline.export.batches import GEOMETRY_COLUMN, arrow_batches, prepare_frame, prepare_part
from pipeline.export.common import Inputs, Streamed, jsonable, reread

MAX_FIELD_NAME = 63
GPKG_BLOK = 50_000  # rows per Arrow batch written to a layer

LAYER_STYLES_DDL = """CREATE TABLE IF NOT EXISTS layer_styles (
  id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
  f_table_catalog TEXT(256), f_table_schema TEXT(256), f_table_name TEXT(256), f_geometry_column TEXT(256),
  styleName TEXT(30), styleQML TEXT, styleSLD TEXT, useAsDefault BOOLEAN, description TEXT,
  owner TEXT(30), ui TEXT(30), update_time DATETIME DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')))"""


@dataclass
class Style:
    name: str          # styleName in layer_styles
    qml: str           # file in pipeline/styles
    field: str | None  # classification field (None = single symbol)
    default: bool
    description: str


@dataclass
class GpkgLayer:
    name: str
    frame: gpd.GeoDataFrame
    title: str
    description: str
    geometry_type: str  # the layer's declared type (MultiPolygon: Polygons are written as MultiPolygons)
    styles: list[Style]
    dataset: str        # catalogue entry of the columns (labels, units, descriptions)
    parts: Callable[[], Iterator[gpd.GeoDataFrame]] | None = None  # the rows batch by batch (frame: only columns)


def _generic_style(geometry_type: str) -> Style:
    kind = {"Point": "punt", "LineString": "lijn"}.get(geometry_type.replace("Multi", ""), "vlak")
    return Style(f"invoer_{kind}", f"invoer_{kind}.qml", None, True, "Eén symbool")


# the style of each canonical input layer (invoer_<name>): what a GIS specialist looks for in it
INVOER_STYLES = {
    "terreinen": ("terreinen_contour", None, "Omtrek met naam"),
    "kavels": ("kavels_uitgifte", "uitgifte_status", "Uitgiftestatus"),
    "panden": ("panden_gebruik", "gebruik", "Gebruik (uit de verblijfsobjecten)"),
    "verblijfsobjecten": ("verblijfsobjecten_gevoelig", "gevoelig", "Gevoelig object of niet"),
    "kades": ("kades_bgt_type", "bgt_type", "BGT-type"),
    "vaarwegen": ("vaarwegen_cemt", "cemt_klasse", "CEMT-klasse"),
    "milieuzones": ("milieuzones_categorie", "max_milieucategorie", "Maximale milieucategorie; geluidzones"),
    "vestigingen": ("vestigingen_omvang", "werkzame_personen", "Omvang (werkzame personen)"),
    "spoor": ("spoor_soort", "soort", "Soort spoor"),
    "opritten": ("opritten_soort", "soort", "Soort aansluiting"),
    "omgevingstypen": ("omgevingstypen", "omgevingstype", "Omgevingstype"),
    "gemeenten": ("gemeenten_grens", None, "Grens met naam"),
    "provincies": ("provincies_grens", None, "Grens"),
}
CONTEXT = ("gemeenten", "provincies")  # in the GeoPackage even without export.gpkg_invoer (the project's background)


def invoer_layer(name: str, frame: gpd.GeoDataFrame | Streamed, bereik: str = "") -> GpkgLayer:
    """invoer_<name>: a canonical layer with its own style (INVOER_STYLES), titled from the catalogue; `bereik` ends
    the description of a layer written only near the terreinen (common.invoer_bereik)."""
    spec = catalogue.dataset(name)
    gtype = "MultiPolygon" if spec.geometry == "Polygon" else spec.geometry
    qml, field, description = INVOER_STYLES.get(name, (None, None, None))
    styles = [Style(qml, f"{qml}.qml", field, True, description)] if qml else [_generic_style(gtype)]
    parts, frame = (frame.batches, frame.columns) if isinstance(frame, Streamed) else (None, frame)
    dataset = "panden_uitvoer" if name == "panden" and "gebruik" in frame.columns else name
    return GpkgLayer(f"invoer_{name}", frame, f"Invoer: {name}",
                     f"Canonieke invoerlaag {name}: {spec.description}{bereik}", gtype, styles, dataset, parts)


def build_layers(inputs: Inputs, *, invoer: bool = True) -> list[GpkgLayer]:
    """The layers of the GeoPackage, in order, with titles, descriptions and styles; the canonical inputs
    (invoer_*) when `invoer`, the context layers (gemeenten, provincies) always."""
    layers = [GpkgLayer(
        "terreinen", inputs.terreinen,
        "Bedrijventerreinen: strategische vlag en score",
        "Alle bedrijventerreinen met de indicatoren (milieuruimte, kades, bebouwing, netcapaciteit), de criteria "
        "(ruw, genormaliseerd, gewicht, bijdrage, sterk), zeef, score, vlag, rang, stabiliteit van de vlag en de "
        "reden (waarom). vlag_klasse: strategisch / grensgeval / niet strategisch.",
        "MultiPolygon",
        [Style("terreinen_vlag", "terreinen_vlag.qml", "vlag_klasse", True, "Strategisch, grensgeval of niet"),
         Style("terreinen_score", "terreinen_score.qml", "score", False, "Score in vijf klassen"),
         Style("terreinen_typologie", "terreinen_typologie.qml", "typologie", False,
               "Typologie: strategisch × benutting")],
        "terreinen_uitvoer"), typologie_layer(inputs)]
    if inputs.kavels is not None:
        layers.append(GpkgLayer(
            "kavels", inputs.kavels, "Kavels met indicatoren",
            "Kavels: milieucategorie (afstand, plan, potentie, benut), HMC, vacant, bebouwing (GSI, onbenutte "
            "bouwruimte, onderbenut) en kade.", "MultiPolygon",
            [Style("kavels_gsi", "kavels_gsi.qml", "gsi", True, "Bebouwingsgraad (GSI)")], "kavels_indicatoren",
            reread(inputs, "kavels_indicatoren")))
    if inputs.kades is not None:
        layers.append(GpkgLayer(
            "kades", inputs.kades, "Kades met status",
            "Kadesegmenten met CEMT-klasse, bereikbare klasse en status (benut, onbenut, vrij, onbekend).",
            "LineString", [Style("kades_status", "kades_status.qml", "status", True, "Status van de kade")],
            "kades_status"))
    layers += register_layers(inputs)
    if inputs.contouren is not None:
        layers.append(GpkgLayer(
            "milieuruimte_contouren", inputs.contouren, "Milieuruimte: contouren per categorie",
            "Waar binnen een terrein een milieucategorie past (VNG-richtafstanden tot gevoelige objecten).",
            "MultiPolygon",
            [Style("milieuruimte_contouren", "milieuruimte_contouren.qml", "categorie", True, "Categorie past")],
            "milieuruimte_contouren"))
    if inputs.clusters is not None:
        layers.append(GpkgLayer(
            "clusters", inputs.clusters, "Clusters van bedrijventerreinen",
            "Terreinen binnen de clusterafstand van elkaar vormen een cluster; omtrek, oppervlakte en aandeel HMC en "
            "water per cluster.", "MultiPolygon", [Style("clusters_omtrek", "clusters_omtrek.qml", None, True,
                                                         "Omtrek")], "clusters"))
    if inputs.netcapaciteit is not None:
        layers.append(GpkgLayer(
            "netcapaciteit", inputs.netcapaciteit, "Netcapaciteit (capaciteitskaart)",
            "Voedingsgebieden met status afname en invoeding, beschikbare capaciteit en wachtrij.", "MultiPolygon",
            [Style("netcapaciteit_afname", "netcapaciteit_status.qml", "afname_status", True, "Status afname"),
             Style("netcapaciteit_invoeding", "netcapaciteit_status.qml", "invoeding_status", False,
                   "Status invoeding")], "netcapaciteit"))
    for name, frame in inputs.canonical.items():
        if isinstance(frame, (gpd.GeoDataFrame, Streamed)) and (invoer or name in CONTEXT):
            layers.append(invoer_layer(name, frame, inputs.bereik.get(name, "")))
    return layers


TYPOLOGIE_COLUMNS = ["rin_nummer", "naam", "gemeente_naam", "regio", "ha_bruto", "vlag", "vlag_klasse", "typologie",
                     "typologie_actie", "typologie_reden", "benutting", "potentie_milieuruimte_ha",
                     "aandeel_hmc_onbenut", "potentie_kades_m", "aandeel_kade_onbenut", "potentie_uitgeefbaar_ha",
                     "aandeel_uitgeefbaar", "rang_kwaliteiten", "waarom"]


def typologie_layer(inputs: Inputs) -> GpkgLayer:
    """The typology strategisch x benutting as its own layer, styled by type (what a policy officer opens first)."""
    t = inputs.terreinen
    frame = t[[c for c in TYPOLOGIE_COLUMNS if c in t.columns] + [t.geometry.name]]
    return GpkgLayer(
        "typologie", frame, "Typologie: strategisch × benutting, met beleidsactie",
        "Per terrein de typologie: beschermen en benutten (prioriteit; strategisch en onderbenut), beschermen "
        "(strategisch, goed benut), benutten / herstructureren (niet strategisch, onderbenut), regulier. Met de "
        "beleidsactie, de reden (welk deel onbenut is: HMC-ruimte, kade, uitgeefbaar terrein, in ha/m en als aandeel) "
        "en de rang per kwaliteit in regio en provincie.", "MultiPolygon",
        [Style("terreinen_typologie", "terreinen_typologie.qml", "typologie", True, "Typologie en beleidsactie")],
        "terreinen_uitvoer")


def register_layers(inputs: Inputs) -> list[GpkgLayer]:
    """The vestigingen register and the gevoelige objecten used: every number traced to its objects."""
    layers = []
    if inputs.register is not None:
        layers.append(GpkgLayer(
            "vestigingen", inputs.register, "Vestigingen: juiste bedrijf op de juiste plek",
            "Elke vestiging op een kavel: kavel en terrein, SBI-code, milieucategorie (min-max) uit de SBI-tabel met de "
            "rijen en de bron, HMC nodig, watergebonden, en of ze HMC-ruimte, kade of terreinruimte bezet die ze niet "
            "nodig heeft (klasse, bezette ha en m, waarom). Gesorteerd op de bezette schaarse capaciteit.", "Point",
            [Style("vestigingen_register", "vestigingen_register.qml", "klasse", True, "Klasse in het register")],
            "vestigingen_register", reread(inputs, "vestigingen_register")))
    if inputs.gevoelig is not None:
        layers.append(GpkgLayer(
            "gevoelige_objecten", inputs.gevoelig, "Gevoelige objecten die de afstandscategorie bepalen",
            "BAG-verblijfsobjecten die voor een kavel het dichtstbijzijnde gevoelige object zijn (kavels_dichtstbij), "
            "en alle gevoelige objecten op een bedrijventerrein (bedrijfswoningen, genegeerd tenzij meegeteld).",
            "Point", [Style("verblijfsobjecten_gebruik", "verblijfsobjecten_gebruik.qml", "gevoelig", True,
                            "Telt mee of bedrijfswoning")], "verblijfsobjecten_gebruik"))
    return layers


def _check_field_names(layer: GpkgLayer) -> None:
    long = [c for c in layer.frame.columns if len(str(c)) > MAX_FIELD_NAME]
    if long:
        raise ValueError(f"layer {layer.name}: field names longer than {MAX_FIELD_NAME} characters: {long}")


def _qml(style: Style, layer: GpkgLayer) -> str:
    text = resources.files("pipeline").joinpath(f"styles/{style.qml}").read_text(encoding="utf-8")
    fields = [c for c in layer.frame.columns if c != layer.frame.geometry.name]
    aliases = "".join(f"    <alias field={quoteattr(str(c))} index=\"{i}\" "
                      f"name={quoteattr(catalogue.unit_label(str(c), layer.dataset))}/>\n"
                      for i, c in enumerate(fields, start=1))
    return Template(text).substitute(veld=style.field or "", aliases=aliases)


def usable_styles(layer: GpkgLayer) -> list[Style]:
    """The styles whose field the layer has, the default first (exactly one default per layer: the first style
    marked default, else the first style)."""
    usable = ([s for s in layer.styles if s.field is None or s.field in layer.frame.columns]
              or [_generic_style(layer.geometry_type)])
    first = next((i for i, s in enumerate(usable) if s.default), 0)
    return [usable[first]] + usable[:first] + usable[first + 1:]


def provenance(config, inputs: Inputs, started: datetime) -> dict:
    """Sources, settings, software version and run time of this export."""
    bronnen = []
    source_cfg = dict(config.sources)
    for record in inputs.bronnen:
        item = {k: jsonable(v) for k, v in record.items()}
        name = item.get("bron") or item.get("layer") or item.get("naam")
        cfg = source_cfg.get(name) if isinstance(name, str) else None
        if cfg is not None and cfg.url and not item.get("url"):
            item["url"] = cfg.url
        path = item.get("pad") or item.get("path")
        if path and not item.get("download_datum"):
            p = Path(path)
            if p.is_file():
                item["bestandsdatum"] = datetime.fromtimestamp(p.stat().st_mtime, timezone.utc).date().isoformat()
        bronnen.append(item)
    return {
        "titel": f"Strategische vestigingsplaatsen {config.region.name}",
        "software": "strategische-vestigingsplaatsen (pipeline)",
        "software_versie": __version__,
        "runtijd": started.isoformat(timespec="seconds"),
        "configuratie_bestand": str(config.config_path) if config.config_path else None,
        "crs": f"EPSG:{WORKING_EPSG}",
        "bronnen": bronnen,
        "invoerbestanden": {k: str(v) for k, v in inputs.files.items()},
        "sbi_tabel": inputs.analyse.get("sbi"),
        "richtafstanden": inputs.analyse.get("richtafstanden"),
        "configuratie": config_as_dict(config),
    }


def _write_styles_and_metadata(path: Path, layers: list[GpkgLayer], meta: dict) -> None:
    con = sqlite3.connect(path)
    try:
        con.execute(LAYER_STYLES_DDL)
        con.execute("INSERT OR IGNORE INTO gpkg_contents (table_name, data_type, identifier, description, "
                    "last_change) VALUES ('layer_styles', 'attributes', 'layer_styles', 'QGIS-stijlen per laag', "
                    "strftime('%Y-%m-%dT%H:%M:%fZ','now'))")
        for layer in layers:
            geom_col = con.execute("SELECT column_name FROM gpkg_geometry_columns WHERE table_name=?",
                                   (layer.name,)).fetchone()[0]
            for i, style in enumerate(usable_styles(layer)):
                con.execute(
                    "INSERT INTO layer_styles (f_table_catalog, f_table_schema, f_table_name, f_geometry_column, "
                    "styleName, styleQML, styleSLD, useAsDefault, description, owner, ui) "
                    "VALUES ('', '', ?, ?, ?, ?, '', ?, ?, '', NULL)",
                    (layer.name, geom_col, style.name, _qml(style, layer), int(i == 0), style.description))
        _write_data_columns(con, layers)
        # provenance as one JSON document for the whole GeoPackage (GeoPackage metadata extension)
        con.execute("""CREATE TABLE IF NOT EXISTS gpkg_metadata (
            id INTEGER CONSTRAINT m_pk PRIMARY KEY ASC NOT NULL, md_scope TEXT NOT NULL DEFAULT 'dataset',
            md_standard_uri TEXT NOT NULL, mime_type TEXT NOT NULL DEFAULT 'text/xml', metadata TEXT NOT NULL DEFAULT '')""")
        con.execute("""CREATE TABLE IF NOT EXISTS gpkg_metadata_reference (
            reference_scope TEXT NOT NULL, table_name TEXT, column_name TEXT, row_id_value INTEGER,
            timestamp DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')), md_file_id INTEGER NOT NULL,
            md_parent_id INTEGER, CONSTRAINT crmr_mfi_fk FOREIGN KEY (md_file_id) REFERENCES gpkg_metadata(id),
            CONSTRAINT crmr_mpi_fk FOREIGN KEY (md_parent_id) REFERENCES gpkg_metadata(id))""")
        for table in ("gpkg_metadata", "gpkg_metadata_reference"):
            exists = con.execute("SELECT 1 FROM gpkg_extensions WHERE table_name=? AND extension_name='gpkg_metadata'",
                                 (table,)).fetchone()
            if not exists:
                con.execute("INSERT INTO gpkg_extensions (table_name, column_name, extension_name, definition, scope) "
                            "VALUES (?, NULL, 'gpkg_metadata', 'http://www.geopackage.org/spec120/#extension_metadata', "
                            "'read-write')", (table,))
        cur = con.execute("INSERT INTO gpkg_metadata (md_scope, md_standard_uri, mime_type, metadata) "
                          "VALUES ('dataset', 'https://www.json.org', 'application/json', ?)",
                          (json.dumps(meta, ensure_ascii=False, indent=1),))
        con.execute("INSERT INTO gpkg_metadata_reference (reference_scope, table_name, column_name, row_id_value, "
                    "md_file_id) VALUES ('geopackage', NULL, NULL, NULL, ?)", (cur.lastrowid,))
        con.commit()
    finally:
        con.close()


def _write_data_columns(con: sqlite3.Connection, layers: list[GpkgLayer]) -> None:
    """Field titles (label with unit) and descriptions from the catalogue in gpkg_data_columns (the GeoPackage
    schema extension; GDAL >= 3.7 and QGIS show them as field alias and comment)."""
    con.execute("""CREATE TABLE IF NOT EXISTS gpkg_data_columns (
        table_name TEXT NOT NULL, column_name TEXT NOT NULL, name TEXT, title TEXT, description TEXT,
        mime_type TEXT, constraint_name TEXT, CONSTRAINT pk_gdc PRIMARY KEY (table_name, column_name),
        CONSTRAINT gdc_tn UNIQUE (table_name, name))""")
    con.execute("""CREATE TABLE IF NOT EXISTS gpkg_data_column_constraints (
        constraint_name TEXT NOT NULL, constraint_type TEXT NOT NULL, value TEXT, min NUMERIC,
        min_is_inclusive BOOLEAN, max NUMERIC, max_is_inclusive BOOLEAN, description TEXT,
        CONSTRAINT gdcc_ntv UNIQUE (constraint_name, constraint_type, value))""")
    for table in ("gpkg_data_columns", "gpkg_data_column_constraints"):
        if not con.execute("SELECT 1 FROM gpkg_extensions WHERE table_name=? AND extension_name='gpkg_schema'",
                           (table,)).fetchone():
            con.execute("INSERT INTO gpkg_extensions (table_name, column_name, extension_name, definition, scope) "
                        "VALUES (?, NULL, 'gpkg_schema', 'http://www.geopackage.org/spec/#extension_schema', "
                        "'read-write')", (table,))
    for layer in layers:
        for col in layer.frame.columns:
            if col == layer.frame.geometry.name:
                continue
            entry = catalogue.find(str(col), layer.dataset)
            con.execute("INSERT OR REPLACE INTO gpkg_data_columns (table_name, column_name, name, title, description) "
                        "VALUES (?, ?, ?, ?, ?)", (layer.name, str(col), str(col),
                                                   catalogue.unit_label(str(col), layer.dataset),
                                                   entry.description if entry is not None else None))


@contextlib.contextmanager
def _fast_sqlite():
    """No fsync and no rollback journal while the file is built: it is a temporary file renamed into place only
    when complete (atomic_path), so a crash loses nothing a journal would have saved."""
    options = {"OGR_SQLITE_SYNCHRONOUS": "OFF", "OGR_SQLITE_JOURNAL": "OFF"}
    before = {k: pyogrio.get_gdal_config_option(k) for k in options}
    pyogrio.set_gdal_config_options(options)
    try:
        yield
    finally:
        pyogrio.set_gdal_config_options(before)


def write_gpkg(config, inputs: Inputs, *, started: datetime | None = None, folder: Path | None = None) -> dict:
    """Build the GeoPackage; return {'pad': path, 'lagen': {layer: count}}."""
    started = started or datetime.now(timezone.utc)
    target = Path(folder or config.paths.processed) / config.export.gpkg_naam
    layers = build_layers(inputs, invoer=config.export.gpkg_invoer)
    meta = provenance(config, inputs, started)
    counts: dict[str, int] = {}
    with io.atomic_path(target) as tmp:
        for i, layer in enumerate(progress.bar(layers, desc="GeoPackage", unit=" laag")):
            _check_field_names(layer)
            frame = prepare_frame(layer.frame, layer.name)
            options = {"IDENTIFIER": layer.title, "DESCRIPTION": layer.description,
                       "GEOMETRY_NAME": GEOMETRY_COLUMN, "SPATIAL_INDEX": "YES"}
            kwargs = {}
            if i == 0:
                kwargs["dataset_options"] = {"VERSION": config.export.gpkg_versie}
                kwargs["dataset_metadata"] = {
                    "TITLE": meta["titel"], "SOFTWARE_VERSIE": __version__, "RUNTIJD": meta["runtijd"],
                    "SBI_TABEL": json.dumps(meta["sbi_tabel"], ensure_ascii=False),
                    "BRONNEN": json.dumps(meta["bronnen"], ensure_ascii=False),
                    "CONFIGURATIE": json.dumps(meta["configuratie"], ensure_ascii=False)}
            parts = None if layer.parts is None else (prepare_part(p, layer.name, layer.frame.geometry.name)
                                                      for p in layer.parts())
            with _fast_sqlite():
                # a stream of batches: the WKB of a national BAG layer never exists all at once
                batches = arrow_batches(frame, rows=GPKG_BLOK, multi=layer.geometry_type == "MultiPolygon",
                                           parts=parts)
                pyogrio.write_arrow(batches, tmp, layer=layer.name, driver="GPKG", geometry_name=GEOMETRY_COLUMN,
                                    geometry_type=layer.geometry_type, crs=f"EPSG:{WORKING_EPSG}",
                                    layer_options=options, **kwargs)
            counts[layer.name] = pyogrio.read_info(tmp, layer=layer.name)["features"]
            memory.release(collect=False)  # the next layer starts from what is in use, not from this layer's batches
        _write_styles_and_metadata(tmp, layers, meta)
        project = config.export.qgis_project
        if project:
            contexts = [qgisproject.layer_context(layer, [(s.name, _qml(s, layer)) for s in usable_styles(layer)],
                                                  target.name) for layer in layers]
            qgs = qgisproject.render_project(contexts, title=meta["titel"], meta=meta,
                                             bounds=inputs.terreinen.total_bounds)
            qgisproject.store_project(tmp, project, qgs, meta["runtijd"])
    return {"pad": target, "lagen": counts, "project": project or None}
