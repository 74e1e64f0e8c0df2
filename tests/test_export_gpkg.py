"""GeoPackage deliverable: layers, counts, CRS, QGIS styles, provenance; checked with sqlite3/pyogrio and gpkg-check."""
import json
import re
import shutil
import sqlite3
import subprocess
import xml.dom.minidom

import geopandas as gpd
import pyogrio
import pytest

from pipeline import __version__
from export_fixtures import build_outputs

EXPECTED = {"terreinen": "terreinen_strategisch", "kavels": "kavels_indicatoren", "kades": "kades_status",
            "milieuruimte_contouren": "milieuruimte_contouren", "netcapaciteit": "netcapaciteit",
            "invoer_terreinen": "terreinen", "invoer_kavels": "kavels", "invoer_kades": "kades",
            "invoer_vaarwegen": "vaarwegen", "invoer_verblijfsobjecten": "verblijfsobjecten"}


def spatial_layers(gpkg):
    return [name for name, geom in pyogrio.list_layers(gpkg) if geom is not None]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    folder = tmp_path_factory.mktemp("export_gpkg")
    config, summary = build_outputs(folder)
    return config, summary, config.paths.processed / config.export.gpkg_naam


def test_layers_counts_and_crs(built):
    config, _, gpkg = built
    layers = {name: geom for name, geom in pyogrio.list_layers(gpkg)}
    assert set(EXPECTED) <= set(layers)
    for layer, source in EXPECTED.items():
        frame = gpd.read_file(gpkg, layer=layer)
        expected = gpd.read_parquet(config.paths.processed / f"{source}.parquet")
        assert len(frame) == len(expected), layer
        assert frame.crs.to_epsg() == 28992, layer
        assert pyogrio.read_info(gpkg, layer=layer)["geometry_name"] == "geom"
        assert all(len(c) <= 63 for c in frame.columns)


def test_terreinen_fields(built):
    _, _, gpkg = built
    frame = gpd.read_file(gpkg, layer="terreinen")
    for col in ("waarom", "score", "vlag", "flag_stabiliteit", "rang", "vlag_klasse", "regio", "potentie_kades_m",
                "water_bijdrage"):
        assert col in frame.columns
    assert set(frame["vlag_klasse"]) <= {"strategisch", "grensgeval", "niet strategisch"}
    assert frame.loc[frame["rin_nummer"] == "NB-002", "vlag_klasse"].item() == "grensgeval"
    assert frame.loc[frame["rin_nummer"] == "NB-006", "regio"].item() == "onbekend"


def test_typologie_layer_is_styled_by_type(built):
    """Its own layer, one row per terrein, default style categorised on typologie with the four types; the
    terreinen layer offers the same colouring as a second style."""
    _, _, gpkg = built
    frame = gpd.read_file(gpkg, layer="typologie")
    assert len(frame) == 6
    assert frame.set_index("rin_nummer")["typologie"].to_dict() == {
        "NB-001": "beschermen en benutten", "NB-002": "beschermen", "NB-003": "benutten / herstructureren",
        "NB-004": "beschermen", "NB-005": "regulier", "NB-006": "regulier"}
    assert {"typologie_actie", "typologie_reden", "benutting", "rang_kwaliteiten"} <= set(frame.columns)
    con = sqlite3.connect(gpkg)
    rows = con.execute("SELECT f_table_name, styleName, styleQML, useAsDefault FROM layer_styles "
                       "WHERE styleName='terreinen_typologie'").fetchall()
    assert sorted((r[0], r[3]) for r in rows) == [("terreinen", 0), ("typologie", 1)]
    qml = xml.dom.minidom.parseString(rows[0][2])
    renderer = qml.getElementsByTagName("renderer-v2")[0]
    assert renderer.getAttribute("attr") == "typologie"
    values = [c.getAttribute("value") for c in qml.getElementsByTagName("category")]
    assert values == ["beschermen en benutten", "beschermen", "benutten / herstructureren", "regulier"]
    title = con.execute("SELECT title FROM gpkg_data_columns WHERE table_name='typologie' AND "
                        "column_name='typologie_actie'").fetchone()[0]
    assert title == "Beleidsactie"


def test_version_and_contents(built):
    config, _, gpkg = built
    con = sqlite3.connect(gpkg)
    user_version = con.execute("PRAGMA user_version").fetchone()[0]
    assert user_version == 10200  # config.export.gpkg_versie default 1.2
    rows = dict(con.execute("SELECT table_name, identifier FROM gpkg_contents").fetchall())
    assert rows["terreinen"].startswith("Bedrijventerreinen")
    desc = con.execute("SELECT description FROM gpkg_contents WHERE table_name='kades'").fetchone()[0]
    assert "status" in desc
    srs = {r[0] for r in con.execute("SELECT srs_id FROM gpkg_geometry_columns")}
    assert srs == {28992}


def test_layer_styles(built):
    _, _, gpkg = built
    con = sqlite3.connect(gpkg)
    rows = con.execute("SELECT f_table_schema, f_table_name, f_geometry_column, styleName, styleQML, useAsDefault "
                       "FROM layer_styles").fetchall()
    layers = spatial_layers(gpkg)
    assert "layer_styles" not in layers
    for layer in layers:
        defaults = [r for r in rows if r[1] == layer and r[5] == 1]
        assert len(defaults) == 1, layer
    for schema, table, geom_col, name, qml, _ in rows:
        assert schema == ""
        assert geom_col == pyogrio.read_info(gpkg, layer=table)["geometry_name"]
        doc = xml.dom.minidom.parseString(qml.encode("utf-8"))
        renderer = doc.getElementsByTagName("renderer-v2")[0]
        attr = renderer.getAttribute("attr")
        fields = pyogrio.read_info(gpkg, layer=table)["fields"]
        if renderer.getAttribute("type") == "RuleRenderer":  # rules name their fields in the filter expressions
            for rule in doc.getElementsByTagName("rule"):
                used = re.findall(r'"(\w+)"', rule.getAttribute("filter"))
                assert set(used) <= set(fields), (name, used)
        elif renderer.getAttribute("type") != "singleSymbol":
            assert attr in fields, (name, attr)
        for alias in doc.getElementsByTagName("alias"):
            assert alias.getAttribute("field") in fields
    by_name = {r[3]: r for r in rows}
    assert "categorizedSymbol" in by_name["terreinen_vlag"][4] and 'attr="vlag_klasse"' in by_name["terreinen_vlag"][4]
    assert "graduatedSymbol" in by_name["terreinen_score"][4] and 'attr="score"' in by_name["terreinen_score"][4]
    assert 'attr="status"' in by_name["kades_status"][4]
    assert 'attr="afname_status"' in by_name["netcapaciteit_afname"][4]
    assert 'attr="categorie"' in by_name["milieuruimte_contouren"][4]


def test_provenance_metadata(built):
    config, _, gpkg = built
    con = sqlite3.connect(gpkg)
    docs = con.execute("SELECT m.metadata FROM gpkg_metadata m JOIN gpkg_metadata_reference r ON r.md_file_id = m.id "
                       "WHERE m.mime_type = 'application/json' AND r.reference_scope = 'geopackage'").fetchall()
    assert len(docs) == 1
    meta = json.loads(docs[0][0])
    assert meta["software_versie"] == __version__
    assert meta["configuratie"]["export"]["gpkg_naam"] == config.export.gpkg_naam
    assert meta["configuratie"]["score"]["gewichten"] == config.score.gewichten
    bronnen = {b["bron"]: b for b in meta["bronnen"]}
    assert bronnen["terreinen"]["sha256"] == "ab" * 32
    assert bronnen["terreinen"]["peildatum"] == "2024-01-01"
    assert bronnen["terreinen"]["download_datum"] == "2026-01-15"
    assert meta["runtijd"]
    # GDAL dataset metadata too
    gdal_meta = pyogrio.read_info(gpkg, layer="terreinen")["dataset_metadata"]
    assert gdal_meta["SOFTWARE_VERSIE"] == __version__
    assert json.loads(gdal_meta["CONFIGURATIE"])["naam"] == config.naam


def test_rerun_leaves_no_stale_layers(built, tmp_path):
    config, _, gpkg = built
    copy = tmp_path / "proc"
    shutil.copytree(config.paths.processed, copy)
    # an extra stale layer in the old file disappears on rebuild
    pyogrio.write_dataframe(gpd.read_file(copy / config.export.gpkg_naam, layer="kades"),
                            copy / config.export.gpkg_naam, layer="oud_en_vergeten", driver="GPKG")
    from pipeline import export
    cfg = config.model_copy(deep=True)
    cfg.paths.processed = copy
    cfg.paths.maps = tmp_path / "maps"
    export.run(cfg)
    layers = [name for name, _ in pyogrio.list_layers(copy / cfg.export.gpkg_naam)]
    assert "oud_en_vergeten" not in layers
    assert not [p for p in copy.iterdir() if p.name.startswith(".")]


@pytest.mark.skipif(shutil.which("gpkg-check") is None,
                    reason="gpkg-check not installed (../shared/tools/install.sh puts it in /usr/local/bin)")
def test_gpkg_check(built, tmp_path):
    _, _, gpkg = built
    png = tmp_path / "gpkg.png"
    result = subprocess.run(["gpkg-check", str(gpkg), "--png", str(png), "--strict"], capture_output=True,
                            text=True, timeout=600)
    out = result.stdout + result.stderr
    assert result.returncode == 0, out
    assert "RESULT: OK" in out
    assert out.count("'Loaded from Provider'") == len(spatial_layers(gpkg))
    assert "renderer: categorizedSymbol on field 'vlag_klasse'" in out
    assert "graduatedSymbol on field 'gsi'" in out
    assert png.stat().st_size > 1000


def test_a_layer_goes_to_gdal_in_batches_with_its_polygons_made_multi(tmp_path):
    """batches.arrow_batches (how gpkg.py writes each layer), by hand: 3 rows in batches of 2 keep their order and
    values; in a MultiPolygon layer a Polygon becomes a MultiPolygon of one part; a missing geometry stays missing; an
    all-empty column becomes text. The same rows as an Arrow table with WKB (a streamed layer's part) give the same
    layer."""
    import pandas as pd
    import pyarrow as pa
    import shapely
    from shapely.geometry import MultiPolygon, box

    from pipeline.export import batches as io
    two_parts = MultiPolygon([box(2, 2, 3, 3), box(4, 4, 5, 5)])
    frame = gpd.GeoDataFrame({"naam": pd.array(["a", None, "c"], dtype="string"), "leeg": [None, None, None],
                              "n": pd.array([1, None, 3], dtype="Int64")},
                             geometry=gpd.GeoSeries([box(0, 0, 1, 1), two_parts, None]), crs=28992)
    frame = frame.rename_geometry("geom")
    assert [b.num_rows for b in io.arrow_batches(frame, rows=2, multi=True)] == [2, 1]
    target = tmp_path / "batches.gpkg"
    pyogrio.write_arrow(io.arrow_batches(frame, rows=2, multi=True), target, layer="laag", driver="GPKG",
                        geometry_name="geom", geometry_type="MultiPolygon", crs="EPSG:28992")
    back = pyogrio.read_dataframe(target, layer="laag")
    assert back.geometry.geom_type.tolist()[:2] == ["MultiPolygon", "MultiPolygon"] and back.geometry[2] is None
    assert back.geometry[0].equals(MultiPolygon([box(0, 0, 1, 1)])) and back.geometry[1].equals(two_parts)
    table = pa.table({"naam": ["a", None, "c"], "leeg": pa.array([None] * 3, pa.null()), "n": [1, None, 3],
                      "geom": pa.array(shapely.to_wkb(frame.geometry.to_numpy()).tolist(), pa.binary())})
    pyogrio.write_arrow(io.arrow_batches(frame.iloc[:0], rows=2, multi=True, parts=[table]), tmp_path / "wkb.gpkg",
                        layer="laag", driver="GPKG", geometry_name="geom", geometry_type="MultiPolygon",
                        crs="EPSG:28992")
    assert pyogrio.read_arrow(tmp_path / "wkb.gpkg", layer="laag")[1].equals(pyogrio.read_arrow(target, layer="laag")[1])
    assert back["naam"].tolist()[::2] == ["a", "c"] and back["n"].tolist()[::2] == [1, 3]
    assert pd.isna(back["naam"][1]) and pd.isna(back["n"][1]) and back["leeg"].isna().all()
    assert pyogrio.read_info(target, layer="laag")["fields"].tolist() == ["naam", "leeg", "n"]
    assert pyogrio.read_info(target, layer="laag")["dtypes"].tolist()[1] == "object"  # text, not a null type


def test_the_bag_layers_are_written_near_the_terreinen_batch_by_batch(tmp_path, monkeypatch):
    """invoer_panden / invoer_verblijfsobjecten (export.gpkg_invoer_afstand_m 100 m) are read a row group at a time
    and never held whole; by hand on NB-001 (155000-155900 x 385000-385600): a long pand from 90 to 200 m east of
    it is near (its bbox), and so is the dwelling inside it at 180 m (through the pand); a pand and an object 400 m
    away are not; the gevoelige objecten 250 m north of every terrein come last, as verblijfsobjecten_gebruik lists
    them."""
    import geopandas as gpd
    import pandas as pd
    import pyarrow as pa
    import pyarrow.parquet as pq
    from shapely.geometry import Point, box

    from export_fixtures import make_processed
    from pipeline import catalogue, io
    from pipeline.config import load_config
    from pipeline.crs import WORKING_CRS
    from pipeline.export.common import Streamed, read_inputs

    folder = tmp_path / "processed"
    make_processed(folder)
    panden = catalogue.read("panden", folder)
    vbo = catalogue.read("verblijfsobjecten", folder)
    extra_panden = gpd.GeoDataFrame({"pand_id": ["P-lang", "P-ver"], "bouwjaar": pd.array([2001, 2002], "Int64"),
                                     "status": "Pand in gebruik"},
                                    geometry=[box(155990, 385000, 156100, 385020), box(156300, 385000, 156320, 385020)],
                                    crs=WORKING_CRS)
    extra_vbo = gpd.GeoDataFrame({"vbo_id": ["VBO-lang", "VBO-ver"], "gebruiksdoel": "woonfunctie", "gevoelig": False},
                                 geometry=[Point(156080, 385010), Point(156310, 385010)], crs=WORKING_CRS)
    monkeypatch.setattr(io, "ROW_GROUP_ROWS", 2)
    monkeypatch.setattr(io, "READ_GROUPS", 1)
    catalogue.write(pd.concat([panden, extra_panden], ignore_index=True), "panden", folder)
    catalogue.write(pd.concat([vbo, extra_vbo], ignore_index=True), "verblijfsobjecten", folder)
    config = load_config()
    config.paths.processed = folder
    inputs = read_inputs(config)

    streamed = inputs.canonical["panden"]
    assert isinstance(streamed, Streamed) and len(streamed.columns) == 0
    parts = list(streamed.batches())
    assert len(parts) > 3  # one row group of 2 rows at a time
    # Arrow tables with the file's WKB as it is (never decoded and encoded again), the gebruik added
    assert all(isinstance(p, pa.Table) for p in parts)
    got = pd.concat([p.to_pandas() for p in parts], ignore_index=True)
    written = pq.read_table(catalogue.path("panden", folder)).to_pandas().set_index("pand_id")["geometry"]
    assert got["geometry"].tolist() == written.loc[got["pand_id"]].tolist()
    pand_order = list(catalogue.read("panden", folder)["pand_id"])
    far = {"P-ver"} | {f"P-{rin}-woning" for rin in inputs.terreinen["rin_nummer"]}
    assert list(got["pand_id"]) == [p for p in pand_order if p not in far]
    gebruik = dict(zip(got["pand_id"], got["gebruik"]))
    assert gebruik["P-lang"] == "wonen" and gebruik["P-NB-001-hal"] == "industrie"
    assert gebruik["P-NB-001-schuur"] == "geen verblijfsobject"

    got = pd.concat([p.to_pandas() if isinstance(p, pa.Table) else p
                     for p in inputs.canonical["verblijfsobjecten"].batches()], ignore_index=True)
    houses = [f"VBO-{rin}" for rin in inputs.terreinen["rin_nummer"]]
    file_order = list(catalogue.read("verblijfsobjecten", folder)["vbo_id"])
    near = [v for v in file_order if v not in set(houses) | {"VBO-ver"}]
    assert list(got["vbo_id"]) == near + [v for v in file_order if v in houses]
    assert "VBO-lang" in near and "VBO-NB-001-bw" in near
    # the detail pages' panden (read per block of pages): those within 25 m of the terreinen, with their gebruik
    from pipeline.export.detaildata import panden_near
    pages = panden_near(inputs.terreinen, folder, config)
    on_terreinen = {p for p in pand_order if p.endswith(("-hal", "-schuur"))}
    assert on_terreinen <= set(pages["pand_id"]) and not far & set(pages["pand_id"])
    assert pages.set_index("pand_id").loc["P-NB-001-hal", "gebruik"] == "industrie"
    one = panden_near(inputs.terreinen[inputs.terreinen["rin_nummer"] == "NB-001"], folder, config)  # its own only
    assert set(one["pand_id"]) < set(pages["pand_id"]) and "P-NB-001-hal" in set(one["pand_id"])


def test_polygon_wkb_is_made_multipolygon_without_decoding():
    """wkb.multi_wkb: a 2D little-endian Polygon becomes the MultiPolygon of one part by a 9-byte header (byte order 1,
    type 6, one part) before its own bytes, byte for byte what shapely writes; a big-endian, a Z polygon and an SRID
    are decoded and written by shapely; a MultiPolygon, a point, a line and a null stay as they are. Also on a slice
    of an array (Arrow offsets)."""
    import numpy as np
    import pyarrow as pa
    import shapely

    from pipeline.wkb import multi_wkb

    square = shapely.box(0, 0, 1, 1)
    wkbs = [shapely.to_wkb(square), shapely.to_wkb(shapely.MultiPolygon([square, shapely.box(2, 2, 3, 3)])), None,
            shapely.to_wkb(shapely.Point(1, 2)), shapely.to_wkb(shapely.Polygon()),
            shapely.to_wkb(square, byte_order=0), shapely.to_wkb(shapely.LineString([(0, 0), (1, 1)])),
            shapely.to_wkb(shapely.force_3d(square)), shapely.to_wkb(shapely.set_srid(square, 28992), include_srid=True)]
    assert wkbs[0][:5] == b"\x01\x03\x00\x00\x00"
    arr = pa.array(wkbs, pa.binary())
    got = multi_wkb(arr).to_pylist()
    assert got[0] == b"\x01\x06\x00\x00\x00\x01\x00\x00\x00" + wkbs[0]
    assert got[0] == shapely.to_wkb(shapely.MultiPolygon([square]))
    assert got[4] == b"\x01\x06\x00\x00\x00\x01\x00\x00\x00" + wkbs[4]  # an empty polygon: one empty part
    assert got[1] == wkbs[1] and got[2] is None and got[3] == wkbs[3] and got[6] == wkbs[6]
    assert [shapely.get_type_id(shapely.from_wkb(w)) for w in (got[5], got[7], got[8])] == [6, 6, 6]
    assert shapely.has_z(shapely.from_wkb(got[7]))
    assert multi_wkb(arr.slice(4, 3)).to_pylist() == got[4:7]
    # a frame's geometries the same way (the frames' path of batches.arrow_batches)
    from pipeline.wkb import as_multi
    frames = shapely.to_wkb(as_multi(shapely.from_wkb(np.array(wkbs[:7], dtype=object))))
    assert got[:7] == list(frames)
