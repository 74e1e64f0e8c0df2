"""The demo generator: deterministic, the sizes asked for, the raw formats of docs/raw_formats.md, and
the hand-made situations later stages rely on (see the pipeline.demo docstring)."""
import json
from pathlib import Path

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely
import yaml

from pipeline import demo
from pipeline.config import REPO_ROOT, load_config

FIELDS = {
    "ibis/IBIS_Bedrijventerreinen.gpkg": ["RIN_NUMMER", "JAAR", "PLAN_NAAM", "KERN_NAAM", "GEM_CODES", "PROV_NAMEN",
                                          "HA_BRUTO", "HA_NETTO", "HA_TOTTUIT", "WLOC_TYPE",
                                          "MAX_MILIEUCATEGORIE_CODE", "WATER_ONTSLUITING_CODE",
                                          "SPOOR_ONTSLUITING_CODE", "PLAN_FASE_CODE", "IND_VEROUDERD"],
    "kavels/kavels.parquet": ["kavel_id", "uitgifte_status"],
    "bag/bag-light.gpkg:pand": ["identificatie", "bouwjaar", "status"],
    "bag/bag-light.gpkg:verblijfsobject": ["identificatie", "gebruiksdoel", "oppervlakte", "status",
                                           "pandidentificatie"],
    "bgt/bgt_scheiding.gml": ["lokaalID", "bgt_type", "plus_type", "objectBeginTijd", "eindRegistratie",
                              "tijdstipRegistratie", "bronhouder"],
    "bgt/bgt_kunstwerkdeel.gml": ["lokaalID", "bgt_type", "eindRegistratie"],
    "vaarwegen/vaarwegvakken.shp": ["VWK_ID", "VAARWEGNAA", "CEMT_KLASS"],
    "milieuzones/bestemmingsplannen.gpkg:bestemmingsvlak": ["identificatie", "naam", "functieaanduiding",
                                                            "maximum_bebouwingspercentage"],
    "milieuzones/bestemmingsplannen.gpkg:geluidzone": ["identificatie", "naam", "zonetype"],
    "netcapaciteit/capaciteitskaart.geojson": ["voedingsgebied_id", "voedingsgebied_naam", "RNB", "afname", "opwek",
                                               "wachtrij_afname", "wachtrij_invoeding", "aantal_wachtrij_afname",
                                               "aantal_wachtrij_invoeding", "beschikbaar_afname",
                                               "beschikbaar_invoeding"],
    "vestigingen/vestigingen.csv": ["vestigingsnummer", "handelsnaam", "sbi_code", "werkzame_personen", "x", "y"],
    "infra/spoor.geojson": ["id", "railway", "service"],
    "infra/opritten.geojson": ["id", "wegnummer", "soort"],
    "omgevingstypen/omgevingstypen.gpkg": ["omgevingstype"],
}
RFC7946 = ["infra/spoor.geojson", "infra/opritten.geojson"]


def make_config(folder: Path, *, scale: float, seed: int = 20261122):
    """config/demo.yaml with every source path moved into `folder`."""
    data = yaml.safe_load((REPO_ROOT / "config" / "demo.yaml").read_text(encoding="utf-8"))
    for source in data["sources"].values():
        source["path"] = str(folder / Path(source["path"]).relative_to("data/raw/demo"))
    data["demo"] = {"seed": seed, "scale": scale}
    path = folder / "demo.yaml"
    folder.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return load_config(path)


def read(folder: Path, name: str):
    file, _, layer = name.partition(":")
    path = folder / file
    if path.suffix == ".parquet":
        return gpd.read_parquet(path)
    if path.suffix == ".csv":  # a register's export: ';', decimal comma, cp1252; read as text
        table = pd.read_csv(path, sep=";", dtype=str, encoding="cp1252")
        xy = table[["x", "y"]].apply(lambda c: c.str.replace(",", ".").astype(float))
        return gpd.GeoDataFrame(table, geometry=gpd.points_from_xy(xy["x"], xy["y"]), crs="EPSG:28992")
    return gpd.read_file(path, layer=layer or None)


@pytest.fixture(scope="module")
def region(tmp_path_factory):
    folder = tmp_path_factory.mktemp("demo05")
    summary = demo.run(make_config(folder, scale=0.05))
    return folder, summary


def test_every_file_readable_with_the_documented_fields(region):
    folder, summary = region
    for name, fields in FIELDS.items():
        gdf = read(folder, name)
        assert len(gdf) > 0, name
        assert set(fields) <= set(gdf.columns), (name, set(fields) - set(gdf.columns))
        assert gdf.crs is not None, name
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["seed"] == 20261122 and manifest["scale"] == 0.05 and manifest["version"]
    assert all((folder / f).is_file() for f in manifest["files"])
    assert summary["records kavels"] == manifest["counts"]["kavels"]


def test_crs_of_the_files(region):
    folder, _ = region
    for name in RFC7946:
        raw = json.loads((folder / name).read_text())
        assert "crs" not in raw, name
        lon, lat = shapely.get_coordinates(read(folder, name).geometry.values).T
        assert lon.min() > 3.2 and lon.max() < 7.3 and lat.min() > 50.7 and lat.max() < 53.6, name
    cap = folder / "netcapaciteit/capaciteitskaart.geojson"
    assert "crs" in json.loads(cap.read_text())
    assert pyogrio.read_info(cap)["crs"] == "EPSG:28992"
    for name in ["ibis/IBIS_Bedrijventerreinen.gpkg", "vaarwegen/vaarwegvakken.shp", "kavels/kavels.parquet"]:
        assert read(folder, name).crs.to_epsg() == 28992, name
    assert (folder / "vaarwegen/vaarwegvakken.prj").is_file()


def test_counts_near_the_targets_at_the_default_scale(region):
    folder, _ = region
    ibis = read(folder, "ibis/IBIS_Bedrijventerreinen.gpkg")
    assert 25 <= ibis["RIN_NUMMER"].nunique() <= 35
    assert 1500 <= len(read(folder, "kavels/kavels.parquet")) <= 2000
    assert 35_000 <= len(read(folder, "bag/bag-light.gpkg:pand")) <= 45_000
    vbo = read(folder, "bag/bag-light.gpkg:verblijfsobject")
    assert 27_000 <= (vbo["gebruiksdoel"] == "woonfunctie").sum() <= 33_000
    bounds = ibis.total_bounds
    assert 100_000 < bounds[0] and bounds[2] < 200_000 and 360_000 < bounds[1] and bounds[3] < 420_000


def test_kavels_tile_the_terreinen(region):
    folder, _ = region
    ibis = read(folder, "ibis/IBIS_Bedrijventerreinen.gpkg")
    latest = ibis[ibis["JAAR"] == ibis.groupby("RIN_NUMMER")["JAAR"].transform("max")]
    terrein = shapely.union_all(latest.geometry.values)
    kavels = read(folder, "kavels/kavels.parquet")
    union = shapely.union_all(kavels.geometry.values)
    assert union.area == pytest.approx(terrein.area, rel=1e-3)
    assert kavels.area.sum() == pytest.approx(terrein.area, rel=1e-3)  # no overlaps
    assert shapely.symmetric_difference(union, terrein).area < 1e-3 * terrein.area
    assert kavels["kavel_id"].is_unique


def test_ibis_quirks(region):
    folder, _ = region
    ibis = read(folder, "ibis/IBIS_Bedrijventerreinen.gpkg")
    assert ibis.drop(columns="geometry").assign(wkb=ibis.geometry.to_wkb()).duplicated().sum() == 1
    assert set(ibis["JAAR"]) == {2021, 2022, 2023, 2024}
    y2024 = ibis[ibis["JAAR"] == 2024]
    assert (y2024.groupby("RIN_NUMMER").size() == 2).sum() >= 2          # 900007 drawn twice (+ duplicate 900010)
    assert len(y2024[y2024["RIN_NUMMER"] == 900007]) == 2
    assert y2024["HA_TOTTUIT"].isna().sum() >= 2
    port = ibis[ibis["RIN_NUMMER"] == 900001].set_index("JAAR")
    assert port.loc[2021, "HA_NETTO"] != port.loc[2024, "HA_NETTO"]
    assert port.loc[2024, "WLOC_TYPE"] == "A" and port.loc[2024, "GEM_CODES"] == "GM1709"
    assert set(ibis[ibis["RIN_NUMMER"] == 900011]["JAAR"]) == {2023, 2024}


def test_special_situations(region):
    folder, _ = region
    vw = read(folder, "vaarwegen/vaarwegvakken.shp")
    assert {"II", "IV", "Va", "Vb"} <= set(vw["CEMT_KLASS"])
    assert vw.groupby("VAARWEGNAA").size()["Demo-Maas"] > 3            # split into vakken
    # network: sections share end points exactly; the Va basin hangs on the class II side canal only
    g = nx.Graph()
    for row in vw.itertuples():
        c = shapely.get_coordinates(row.geometry)
        g.add_edge(tuple(c[0]), tuple(c[-1]), klasse=row.CEMT_KLASS, naam=row.VAARWEGNAA)
    main = g.edge_subgraph([(a, b) for a, b, d in g.edges(data=True) if d["klasse"] in ("Va", "Vb")])
    biggest = max(nx.connected_components(main), key=len)
    names = {d["naam"] for a, b, d in main.edges(data=True) if a in biggest}
    assert {"Demo-Maas", "Demo-hoofdkanaal"} <= names and "Demo-binnenhaven" not in names
    basin = vw[vw["VAARWEGNAA"] == "Demo-binnenhaven"].geometry.values[0]
    side = vw[vw["VAARWEGNAA"] == "Demo-zijkanaal"]
    assert nx.has_path(g, tuple(shapely.get_coordinates(basin)[0]), next(iter(biggest)))
    assert any(shapely.get_coordinates(basin)[0].tolist() == shapely.get_coordinates(s)[-1].tolist()
               for s in side.geometry.values)

    bgt = read(folder, "bgt/bgt_scheiding.gml")
    assert {"kademuur", "damwand", "walbescherming"} <= set(bgt["bgt_type"])
    assert bgt["eindRegistratie"].notna().sum() >= 3
    hist = bgt[bgt["eindRegistratie"].notna()]["lokaalID"]
    assert hist.isin(bgt[bgt["eindRegistratie"].isna()]["lokaalID"]).all()
    kwd = read(folder, "bgt/bgt_kunstwerkdeel.gml")
    assert "keermuur" in set(kwd["bgt_type"])

    net = read(folder, "netcapaciteit/capaciteitskaart.geojson")
    assert (net["afname"] == 3).any() and (net["afname"] == 0).any()
    assert "0" in set(net["voedingsgebied_id"])
    assert (net[net["voedingsgebied_id"] == "NB-DEMO-103"].shape[0]) == 2

    vlak = read(folder, "milieuzones/bestemmingsplannen.gpkg:bestemmingsvlak")
    texts = set(vlak["functieaanduiding"].dropna())
    assert {"bedrijf tot en met categorie 5.1", "bedrijf tot en met categorie 4.2"} <= texts
    assert vlak["functieaanduiding"].isna().any() and vlak["maximum_bebouwingspercentage"].isna().any()

    vest = read(folder, "vestigingen/vestigingen.csv")
    assert vest["sbi_code"].dtype != float and "08.12" in set(vest["sbi_code"])
    assert {"52.24", "46.71", "24.10", "20.14", "46.90", "62.01"} <= set(vest["sbi_code"])
    kavels = read(folder, "kavels/kavels.parquet")
    occupied = gpd.sjoin(kavels, vest, predicate="contains")["kavel_id"].unique()
    vacant = kavels[~kavels["kavel_id"].isin(occupied)]
    assert {"K900001-006", "K900001-007"} <= set(vacant["kavel_id"])
    assert (kavels["uitgifte_status"] == "uitgeefbaar").any()

    vbo = read(folder, "bag/bag-light.gpkg:verblijfsobject")
    ibis = read(folder, "ibis/IBIS_Bedrijventerreinen.gpkg")
    t6 = ibis[ibis["RIN_NUMMER"] == 900006].geometry.values[0]
    woon = vbo[vbo["gebruiksdoel"] == "woonfunctie"]
    on_t6 = shapely.contains(t6, woon.geometry.values).sum()
    assert on_t6 == 2                                                   # bedrijfswoningen
    d = shapely.distance(t6, woon.geometry.values)
    assert 80 < d[d > 0].min() < 110                                    # the street next to 900006
    port = ibis[ibis["RIN_NUMMER"] == 900001].geometry.values[0]
    assert shapely.distance(port, woon.geometry.values).min() > 1000
    assert "onderwijsfunctie" in set(vbo["gebruiksdoel"])

    spoor = read(folder, "infra/spoor.geojson")
    assert "siding" in set(spoor["service"]) and spoor["service"].isna().any()
    opr = read(folder, "infra/opritten.geojson")
    assert "aansluiting" in set(opr["soort"])
    assert "gemengd gebied" in set(read(folder, "omgevingstypen/omgevingstypen.gpkg")["omgevingstype"])


def test_real_quirks_written(region):
    """Issue 15, item 9: quays as lines and thin areas (one L-shaped), arcs in the GML, BAG voorkomens with
    9999 and prefixed ids, vestigingen as a ';'/decimal-comma/cp1252 CSV."""
    folder, _ = region
    gml = (folder / "bgt/bgt_scheiding.gml").read_text(encoding="utf-8")
    assert gml.count("<gml:ArcString>") >= 5 and "<gml:Ring>" in gml  # arcs in lines and in polygon rings
    meta, table = pyogrio.read_arrow(folder / "bgt/bgt_scheiding.gml")
    from pipeline.ingest.curves import TYPE_NAMES, wkb_types
    kinds = pd.Series(wkb_types(table.column(meta["geometry_name"] or "wkb_geometry"))).map(TYPE_NAMES)
    current_quays = (table.column("bgt_type").to_pandas() == "kademuur").to_numpy() & \
        table.column("eindRegistratie").to_pandas().isna().to_numpy()
    counts = kinds[current_quays].value_counts().to_dict()
    assert counts["Polygon"] > counts.get("LineString", 0) > 0  # mostly areas, as in a real port
    assert counts.get("CircularString", 0) > 0 and counts.get("CurvePolygon", 0) > 0
    pand = read(folder, "bag/bag-light.gpkg:pand")
    assert pand["eindGeldigheid"].notna().sum() > 100 and (pand["bouwjaar"] == 9999).sum() > 50
    assert pand["identificatie"].str.startswith("NL.IMBAG.Pand.").sum() > 100
    assert pand.groupby(pand["identificatie"].str[-16:])["voorkomenidentificatie"].max().max() == 2
    raw = (folder / "vestigingen/vestigingen.csv").read_bytes()
    assert raw.splitlines()[0] == b"vestigingsnummer;handelsnaam;sbi_code;werkzame_personen;x;y"
    assert b"Eetcaf\xe9" in raw and b"," in raw.splitlines()[1].split(b";")[-1]  # cp1252, decimal comma



def test_bag_voorkomens_agree_with_each_other(region):
    """Every earlier voorkomen ended on 2016-05-01 and its current successor began then; the columns the generator
    keeps as small codes (lazy.Coded) come out as text, the numbers as 64-bit integers."""
    folder, _ = region
    for layer in ("pand", "verblijfsobject"):
        bag = read(folder, f"bag/bag-light.gpkg:{layer}")
        ended, later = bag["eindGeldigheid"].notna(), bag["voorkomenidentificatie"] == 2
        assert ended.sum() == later.sum() > 50
        assert (bag.loc[ended, "eindGeldigheid"] == "2016-05-01").all()
        assert (bag.loc[ended, "eindRegistratie"] == "2016-05-03T10:00:00").all()
        assert bag.loc[~ended, "eindRegistratie"].isna().all()
        assert (bag.loc[ended, "voorkomenidentificatie"] == 1).all()
        assert (bag.loc[later, "beginGeldigheid"] == "2016-05-01").all()
        assert (bag.loc[~later, "beginGeldigheid"] == "2010-01-01").all()
        assert bag["voorkomenidentificatie"].dtype == np.int64
    assert bag.loc[ended, "gebruiksdoel"].eq("industriefunctie").all()
    assert bag["gebruiksdoel"].str.contains("woonfunctie").sum() > 1000
    assert read(folder, "bag/bag-light.gpkg:pand")["bouwjaar"].dtype == np.int64


def test_coded_columns_stand_for_their_values():
    from pipeline.demo.lazy import Coded
    both = Coded(np.array([0, 1, 1, 0]), ["x", None]) + Coded.full(3, "y")
    assert both.values().tolist() == ["x", None, None, "x", "y", "y", "y"]
    assert both.codes.dtype == np.int8 and both.table.tolist() == ["x", None, "y"]
    assert both[np.array([4, 1])].values().tolist() == ["y", None]


def _contents(folder: Path) -> dict:
    return {name: read(folder, name) for name in FIELDS}


def test_deterministic_and_seed_dependent(tmp_path):
    a = _contents((demo.run(make_config(tmp_path / "a", scale=0.02)), tmp_path / "a")[1])
    b = _contents((demo.run(make_config(tmp_path / "b", scale=0.02)), tmp_path / "b")[1])
    for name in FIELDS:
        pd.testing.assert_frame_equal(a[name].drop(columns="geometry"), b[name].drop(columns="geometry"), obj=name)
        assert np.array_equal(a[name].geometry.to_wkb().values, b[name].geometry.to_wkb().values), name
    c = _contents((demo.run(make_config(tmp_path / "c", scale=0.02, seed=7)), tmp_path / "c")[1])
    assert not a["bag/bag-light.gpkg:pand"].geometry.equals(c["bag/bag-light.gpkg:pand"].geometry)
    # the scenario is the same for every seed
    ka, kc = a["kavels/kavels.parquet"], c["kavels/kavels.parquet"]
    sel = ka["kavel_id"].str.startswith("K9000")
    assert ka[sel]["kavel_id"].tolist() == kc[kc["kavel_id"].str.startswith("K9000")]["kavel_id"].tolist()


def test_up_to_date_demo_is_not_rewritten(tmp_path):
    config = make_config(tmp_path, scale=0.02)
    demo.run(config)
    ibis = tmp_path / "ibis/IBIS_Bedrijventerreinen.gpkg"
    before = ibis.stat().st_mtime_ns
    summary = demo.run(config)
    assert ibis.stat().st_mtime_ns == before
    assert summary["records kavels"] > 0
    demo.run(config, force=True)
    assert ibis.stat().st_mtime_ns != before


def test_counts_beyond_the_province_grow_with_the_area():
    """Scale 8.5 is the country: 8.5 provinces side by side (11.05 M panden, 9.35 M woningen), as dense as one; up to
    the province the log-log line between the anchors is kept (scale 1 = the province's targets)."""
    from pipeline.demo.sizes import TARGETS, count_for, extent_for
    assert count_for("panden", 8.5) == 11_050_000 and count_for("woningen", 8.5) == 9_350_000
    assert count_for("terreinen", 4.0) == 2600 and count_for("panden", 1.0) == TARGETS["panden"][1]
    assert count_for("panden", 0.05) == 40_000 and count_for("panden", 2.0) == 2 * count_for("panden", 1.0)
    area = [(e[2] - e[0]) * (e[3] - e[1]) for e in map(extent_for, (1.0, 4.0, 8.5))]
    assert area[1] / area[0] == pytest.approx(4.0) and area[2] / area[0] == pytest.approx(8.5)


@pytest.mark.parametrize("seed", range(5))
def test_national_demo_lines_stay_in_the_netherlands(seed):
    """At scale 8.5 the rail and motorway random walks cross ~290 km: without a stop they drifted up to 78 km out of
    the region (seeds 1 to 4 here: down to y = 224,344, up to 527,358), out of the extent ingest accepts. Now each
    ends within MARGE_M of the region, which lies inside NL_EXTENT_RD."""
    from pipeline.crs import NL_EXTENT_RD
    from pipeline.demo import infra
    from pipeline.demo.sizes import extent_for
    ext = extent_for(8.5)
    rng = np.random.default_rng(seed)
    _, roads = infra.build_opritten(rng, 8.5, ext)
    coords = np.vstack([*infra.main_lines(rng, 8.5, ext), *(shapely.get_coordinates(g) for _, g in roads)])
    m = infra.MARGE_M
    assert coords[:, 0].min() >= ext[0] - m and coords[:, 0].max() <= ext[2] + m
    assert coords[:, 1].min() >= ext[1] - m and coords[:, 1].max() <= ext[3] + m
    assert NL_EXTENT_RD[0] <= ext[0] - m and ext[2] + m <= NL_EXTENT_RD[2]
    assert NL_EXTENT_RD[1] <= ext[1] - m and ext[3] + m <= NL_EXTENT_RD[3]


def test_an_interrupted_generation_leaves_no_manifest_and_its_leftovers_go(tmp_path, monkeypatch):
    """A generation killed half-way must not leave the old manifest vouching for a mix of old and new files (the
    next run would call it up to date), and its hidden temporary file and folder go at the next run."""
    import pipeline.demo as demo_mod
    config = make_config(tmp_path, scale=0.02)
    demo.run(config)
    manifest = tmp_path / "manifest.json"
    assert manifest.is_file()
    written = []

    def dies_after_one(path, *args, **kwargs):
        if written:
            raise KeyboardInterrupt("killed")
        written.append(path)
        return real_write(path, *args, **kwargs)

    real_write = demo_mod.write_any
    monkeypatch.setattr(demo_mod, "write_any", dies_after_one)
    with pytest.raises(KeyboardInterrupt):
        demo.run(config, force=True)
    assert len(written) == 1 and not manifest.exists()
    monkeypatch.setattr(demo_mod, "write_any", real_write)
    left_file = tmp_path / "bag" / ".bag-light.gpkg.abc123.tmp.gpkg"  # what atomic_path leaves after kill -9
    left_file.write_bytes(b"half")
    left_dir = tmp_path / "bgt" / ".bgt_scheiding.xyz.tmp"                # what scratch_folder leaves
    (left_dir / "inner").mkdir(parents=True)
    (left_dir / "inner" / "part.gml").write_text("<half")
    summary = demo.run(config)  # no manifest: generated again, not "up to date"
    assert manifest.is_file() and summary["records kavels"] > 0
    assert not left_file.exists() and not left_dir.exists()
