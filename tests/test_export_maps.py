"""Map files, structure only (the browser test checks what a person sees): self-contained, reproducible,
catalogue labels in the page data, budget, pages."""
import json
import re

import numpy as np
import pytest
from shapely.geometry import shape

from pipeline.export import paginas
from pipeline.export.kaartdata import column_meta, popup_sections
from export_fixtures import build_outputs, expand_columns, unpacked


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    folder = tmp_path_factory.mktemp("export_maps")
    config, summary = build_outputs(folder)
    return config, summary


def raw_page_data(html: str) -> dict:
    """The JSON value the overview hands to svpMaakKaart, as written (its layers by columns)."""
    match = re.search(r'svpMaakKaart\("svp-kaart", (\{.*\})\);\s*</script>', html, re.S)
    assert match, "the page does not call svpMaakKaart with its data"
    return json.loads(match.group(1))


def page_data(html: str) -> dict:
    """raw_page_data with its layers made plain GeoJSON (as the page does)."""
    return unpacked(raw_page_data(html))


def test_index_is_self_contained(built):
    config, summary = built
    html = (config.paths.maps / "index.html").read_text(encoding="utf-8")
    assert not re.findall(r'<(?:script|link)[^>]*(?:src|href)=', html)  # everything inline
    assert "L.version" in html or "Leaflet" in html
    assert "jquery" not in html.lower() and "folium" not in html.lower()
    assert not re.search(r"[a-z]_[0-9a-f]{32}\b", html)  # no generated element/variable ids
    assert summary["kaart MB"] <= config.export.kaart_max_mb
    assert '"maxZoom":19' in html  # the map's own config, not Leaflet's source


def test_same_data_same_bytes(built, tmp_path):
    """Rendering the same data twice gives byte-identical pages (reviewable diffs, no random ids)."""
    config, _ = built
    again, _ = build_outputs(tmp_path)
    for page in ("index.html", "ranglijst.html", "terreinen/NB-001.html", "assets/detail.js"):
        first = (config.paths.maps / page).read_bytes()
        assert first == (again.paths.maps / page).read_bytes(), page


def test_page_data_comes_from_the_catalogue(built):
    config, _ = built
    cfg = page_data((config.paths.maps / "index.html").read_text(encoding="utf-8"))["config"]
    kolommen = cfg["kolommen"]
    assert kolommen["terreinen"]["ha_bruto"] == {"label": "Bruto oppervlakte", "unit": "ha", "decimals": 1}
    assert kolommen["terreinen"]["score"]["decimals"] == 3
    assert kolommen["terreinen"]["water_ruw"]["label"] == "Water: ruwe waarde"  # a family member
    assert kolommen["kades"]["lengte_m"] == {"label": "Lengte", "unit": "m", "decimals": 0}
    assert kolommen["clusters"]["terreinen"]["label"] == "Terreinen"
    assert set(kolommen) == {"terreinen", "kades", "vaarwegen", "contouren", "netcapaciteit", "clusters"}
    sections = {title: cols for title, cols, _ in cfg["sections"]}
    assert sections["Onbenutte potentie"][0] == "potentie_milieuruimte_ha" and "waarom" not in sum(sections.values(), [])
    assert [layer[0] for layer in cfg["lagen"]] == ["terreinen", "kades", "vaarwegen", "contouren", "afname",
                                                    "invoeding", "clusters", "basis"]
    assert cfg["achtergrond"]["naam"].startswith("Achtergrond: OpenStreetMap")


def test_column_meta_and_sections_for_unknown_columns():
    meta = column_meta(["kavel_id", "gsi", "iets_nieuws"], "kavels_indicatoren")
    assert meta["gsi"] == {"label": "Bebouwingsgraad (GSI)", "unit": "", "decimals": 2}
    assert meta["iets_nieuws"] == {"label": "Iets nieuws", "unit": "", "decimals": None}
    assert popup_sections(["ha_bruto", "iets_nieuws"])[-1] == ["Overige indicatoren", ["iets_nieuws"], False]


def detail_data(page) -> dict:
    """A detail page's data as detail.js sees it: the page's own, with what every page shares (assets)."""
    match = re.search(r"var SVP_DETAIL = (\{.*\});\s*</script>", page.read_text(encoding="utf-8"), re.S)
    assert match, "the detail page does not hand its data to detail.js"
    shared = (page.parent.parent / "assets" / paginas.SHARED_DATA).read_text(encoding="utf-8")
    assert shared.startswith("var SVP_GEDEELD = ") and shared.endswith(";\n")
    return unpacked({**json.loads(match.group(1)), **json.loads(shared[len("var SVP_GEDEELD = "):-2])})


def test_detail_pages_and_assets(built):
    config, summary = built
    maps = config.paths.maps
    pages = sorted((maps / "terreinen").glob("*.html"))
    assert len(pages) == 6 == summary["detailpagina's"]
    for name in ("leaflet.js", "leaflet.css", "opmaak.js", "achtergrond.js", "detail.js", "detail.css"):
        assert (maps / "assets" / name).is_file(), name
    page = pages[0].read_text(encoding="utf-8")
    assert "../assets/leaflet.js" in page and "../assets/detail.js" in page and "http" not in page.split("<body>")[0]
    # what every page shows the same way is written once, beside the scripts, not into each page
    assert "../assets/detail-gedeeld.js" in page and '"kolommen"' not in page
    shared = (maps / "assets" / "detail-gedeeld.js").read_text(encoding="utf-8")
    assert '"oppervlakte_m2":{"label":"Oppervlakte","unit":"m²","decimals":0}' in shared


def test_detail_page_data_holds_the_evidence(built):
    """Per terrein: its kavels, panden with their use, vestigingen, the gevoelige objecten with a line per kavel,
    contours, zoning, quays, grid areas clipped to the surroundings, fairways and the borders."""
    config, _ = built
    data = detail_data(config.paths.maps / "terreinen" / "NB-001.html")
    count = {key: len(data[key]["features"]) for key in ("kavels", "panden", "vestigingen", "gevoelig", "afstanden",
                                                         "contouren", "zonering", "kades", "netcapaciteit",
                                                         "vaarwegen", "terrein")}
    assert count == {"kavels": 2, "panden": 2, "vestigingen": 2, "gevoelig": 2, "afstanden": 2, "contouren": 4,
                     "zonering": 2, "kades": 3, "netcapaciteit": 1, "vaarwegen": 1, "terrein": 1}
    gebruik = sorted(f["properties"]["gebruik"] for f in data["panden"]["features"])
    assert gebruik == ["geen verblijfsobject", "industrie"]  # the hall's verblijfsobject: industrie and kantoor
    lines = {f["properties"]["kavel_id"]: f["properties"]["afstand_gevoelig_m"] for f in data["afstanden"]["features"]}
    assert lines == {"NB-001-K1": 250.0, "NB-001-K2": 251.0}
    bedrijfswoning = [f["properties"] for f in data["gevoelig"]["features"] if f["properties"]["bedrijfswoning"]]
    assert bedrijfswoning[0]["vbo_id"] == "VBO-NB-001-bw" and bedrijfswoning[0]["gevoelig"] is False
    west, _, east, _ = shape(data["netcapaciteit"]["features"][0]["geometry"]).bounds
    assert east - west < 0.03  # clipped around the terrein (0.02° is 1.4 km), not the 25 km wide supply area
    namen = {f["properties"]["naam"] for f in data["basis"]["namen"]["features"]}
    assert "Eindhoven" in namen and "Noord-Brabant" in namen
    terrein = data["terrein"]["features"][0]["properties"]
    assert terrein["naam"] == "Haven Noord" and "potentie_milieuruimte_ha" in terrein and "water_norm" in terrein
    assert data["kolommen"]["terrein"]["ha_bruto"] == {"label": "Bruto oppervlakte", "unit": "ha", "decimals": 1}
    assert [s[0] for s in data["secties"]["vestigingen"]] == ["Vestiging", "Milieucategorie", "Beoordeling"]


def test_overview_has_an_offline_base_layer(built):
    config, _ = built
    data = page_data((config.paths.maps / "index.html").read_text(encoding="utf-8"))
    soorten = {f["properties"]["soort"] for f in data["basis"]["grenzen"]["features"]}
    assert soorten == {"gemeente", "provincie"}
    namen = {f["properties"]["naam"] for f in data["basis"]["namen"]["features"]}
    assert {"Eindhoven", "Tilburg", "Noord-Brabant"} <= namen


def test_ranglijst(built):
    config, _ = built
    html = (config.paths.maps / "ranglijst.html").read_text(encoding="utf-8")
    assert html.index("Haven Noord") < html.index("Kraaiven")
    assert "terreinen/NB-001.html" in html
    assert ">Bruto oppervlakte (ha)</th>" in html and ">54,0</td>" in html  # catalogue label, unit, 1 decimal


def test_one_environment_escapes_and_refuses_closing_tags():
    env = paginas.environment()
    assert env is paginas.environment() and env.autoescape
    assert {"kaart.html", "detail.html", "ranglijst.html", "rapport.html"} <= set(env.list_templates())
    html = paginas.render("detail.html", titel="<b>", naam="<script>x</script>", rin="1", klasse="", waarom="",
                          aantal=0, data={"x": "</script>"})
    assert "<script>x</script>" not in html and "</script>\"" not in html
    with pytest.raises(ValueError, match="closing"):
        paginas.inline("var a = '</script>';", "plugin.js")


def test_detail_pages_built_in_blocks_are_the_pages_built_at_once(built):
    """Pages are built PAGINA_BLOK terreinen at a time (memory bounded by the block): blocks of one terrein give
    every page exactly the data of one block holding all of them, gevoelige objecten and borders included."""
    from pipeline.export import detaildata
    from pipeline.export.common import read_inputs
    config, _ = built
    inputs = read_inputs(config)

    def pages(block: int) -> list[str]:
        return [paginas.dumps(p) for p in detaildata.detail_pages(config, inputs, tolerance=1.0,
                                                                  blocks=detaildata.Blocks(block))]

    at_once, one_by_one = pages(1000), pages(1)
    assert len(at_once) == 6
    assert one_by_one == at_once


def test_blocks_of_pages_go_to_whichever_process_asks_once_each():
    """detaildata.Blocks: a counter in shared memory; a forked process and this one take blocks of 3 of 20 pages
    until none is left: every page once, in blocks of 3 (the last one 2)."""
    import multiprocessing

    from pipeline.export.detaildata import Blocks
    blocks = Blocks(3)
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    other = ctx.Process(target=lambda: queue.put([(s.start, s.stop) for s in blocks(20)]))
    other.start()
    mine = [(s.start, s.stop) for s in blocks(20)]
    theirs = queue.get(timeout=30)
    other.join(timeout=30)
    assert sorted(mine + theirs) == [(i, min(i + 3, 20)) for i in range(0, 20, 3)]
    assert list(blocks(20)) == []  # all taken


def test_export_in_three_processes_writes_what_one_process_writes(tmp_path):
    """export.processen: the GeoPackage in a forked helper and the detail pages split over three processes (2, 2
    and 2 of the 6 pages) give the files of a run in one process, byte for byte (the GeoPackage table by table)."""
    import pyogrio
    one, _ = build_outputs(tmp_path / "een", processen=1)
    three, summary = build_outputs(tmp_path / "drie", processen=3)
    assert summary["detailpagina's"] == 6

    def files(config) -> dict:
        out = {p.relative_to(config.paths.maps).as_posix(): p.read_bytes()
               for p in sorted(config.paths.maps.rglob("*")) if p.is_file() and p.name != "rapport.html"}
        out.update({p.name: p.read_bytes() for p in sorted(config.paths.processed.glob("*.csv"))})
        return out

    assert len([k for k in files(three) if k.startswith("terreinen/")]) == 6
    assert files(three) == files(one)
    gpkg = [c.paths.processed / c.export.gpkg_naam for c in (one, three)]
    layers = [name for name, _ in pyogrio.list_layers(gpkg[0])]
    assert len(layers) > 10 and layers == [name for name, _ in pyogrio.list_layers(gpkg[1])]
    for layer in layers:  # layer_styles: all but the time each style was written
        a, b = (pyogrio.read_arrow(g, layer=layer)[1] for g in gpkg)
        assert a.drop_columns([c for c in a.column_names if c == "update_time"]).equals(
            b.drop_columns([c for c in b.column_names if c == "update_time"])), layer


def test_a_helper_process_that_fails_fails_the_export_and_keeps_the_outputs(tmp_path, monkeypatch):
    """An error in the forked helper (here: the GeoPackage) reaches the main process with its message, and the
    previous outputs stay as they were: nothing of the failed run is swapped in, no staging folder is left."""
    from pipeline import export
    config, _ = build_outputs(tmp_path, processen=2)
    before = {p: p.read_bytes() for p in sorted(tmp_path.rglob("*")) if p.is_file()}

    def broken(*_args, **_kwargs):
        raise RuntimeError("GeoPackage kapot in de helper")

    monkeypatch.setattr(export, "write_gpkg", broken)
    with pytest.raises(RuntimeError, match="GeoPackage kapot in de helper"):
        export.run(config)
    assert {p: p.read_bytes() for p in sorted(tmp_path.rglob("*")) if p.is_file()} == before


def test_pand_gebruik_from_the_verblijfsobjecten_inside():
    """By hand: a pand's gebruik comes from the gebruiksdoelen of the verblijfsobjecten inside it (worked out once per
    distinct text): dwelling + industry is 'wonen en werken', industry before office, an unknown doel is 'overig'."""
    import geopandas as gpd
    import pandas as pd
    from shapely.geometry import Point, box

    from pipeline.crs import WORKING_CRS
    from pipeline.export.context import pand_gebruik
    panden = gpd.GeoDataFrame(geometry=[box(x, 0, x + 10, 10) for x in range(0, 60, 10)], crs=WORKING_CRS)
    doelen = [(1, "woonfunctie"), (2, "industriefunctie"), (11, "Woonfunctie"), (21, "industriefunctie,kantoorfunctie"),
              (31, "sportfunctie"), (51, "winkelfunctie"), (52, None)]
    vbo = gpd.GeoDataFrame({"gebruiksdoel": pd.array([d for _, d in doelen], dtype="string")},
                           geometry=[Point(x + 0.5, 5) for x, _ in doelen], crs=WORKING_CRS)
    assert pand_gebruik(panden, vbo).tolist() == ["wonen en werken", "wonen", "industrie",
                                                  "maatschappelijk en overig", "geen verblijfsobject", "winkel"]


def test_the_overview_is_simplified_only_while_that_can_make_it_fit(caplog):
    """kaartdata.fit_budget: the tolerance doubles while the page is over the budget, but not when the page without
    its coordinates is over the budget by itself (the popups of a whole country): then the first, finest page is kept
    after one render instead of six ever coarser ones."""
    from pipeline.export.kaartdata import fit_budget

    def renderer(fixed_bytes: int):
        calls = []

        def render(tolerance: float) -> str:
            calls.append(tolerance)
            points = max(1, int(200_000 / tolerance))  # coarser: fewer coordinates
            coordinates = '"coordinates":[' + ",".join(["[5.12345,51.12345]"] * points) + "]"
            return '{"type":"Feature","properties":{"x":"' + "a" * fixed_bytes + '"},"geometry":{"type":"LineString",' \
                + coordinates + "}}"
        return render, calls

    mb = 1024 * 1024
    render, calls = renderer(fixed_bytes=100_000)  # 3.6 MB of coordinates at 1 m, 0.1 MB of values
    html, tolerance = fit_budget(render, tolerance=1.0, budget_mb=1.0)
    assert calls == [1.0, 5.0] and tolerance == 5.0 and len(html) <= mb  # 0.8 MB at 5 m
    render, calls = renderer(fixed_bytes=2 * mb)  # the values alone are over the budget
    html, tolerance = fit_budget(render, tolerance=1.0, budget_mb=1.0)
    assert calls == [1.0] and tolerance == 1.0 and len(html) > 2 * mb
    assert "simplifying cannot make it fit" in caplog.text


def test_the_overview_passes_over_tolerances_its_coordinates_cannot_fit():
    """fit_budget with `vertices` (the number of coordinates at a tolerance): after a page over the budget, the
    tolerances whose page is sure to be over it (guessed from the coordinates they keep at the page's bytes per
    coordinate) are not rendered; the tolerance found and the page are those of rendering each in turn, and the last
    attempt is rendered whatever the guess (the page returned is the one of the tolerance returned)."""
    from pipeline.export.kaartdata import fit_budget

    def points(tolerance: float) -> int:
        return max(1, int(200_000 / tolerance))

    def renderer():
        calls = []

        def render(tolerance: float) -> str:
            calls.append(tolerance)
            coordinates = '"coordinates":[' + ",".join(["[5.12345,51.12345]"] * points(tolerance)) + "]"
            return '{"x":"' + "a" * 100_000 + '","geometry":{"type":"LineString",' + coordinates + "}}"
        return render, calls

    found = {}
    for guessing in (False, True):  # 0.2 MB: 3.9 MB at 1 m, 0.86 at 5, 0.48 at 10, 0.29 at 20, 0.19 at 40
        render, calls = renderer()
        found[guessing] = fit_budget(render, tolerance=1.0, budget_mb=0.2, vertices=points if guessing else None)
        assert calls == ([1.0, 40.0] if guessing else [1.0, 5.0, 10.0, 20.0, 40.0])
    assert found[True] == found[False] and found[True][1] == 40.0
    render, calls = renderer()  # out of attempts: the last tolerance is rendered, and that page is returned
    html, tolerance = fit_budget(render, tolerance=1.0, budget_mb=0.15, attempts=3, vertices=points)
    assert calls == [1.0, 10.0] and tolerance == 10.0 and html == render(10.0)


def test_overview_layers_are_written_by_columns_and_unpack_to_the_same_features(built):
    """The overview's layers carry each column name once (`velden`) and per feature its values: unpacked (as
    opmaak.js does in the page) they are exactly the features written with properties, nulls left out; the page is
    smaller by the repeated names."""
    from pipeline.export.common import read_inputs
    from pipeline.export.kaartdata import features

    config, _ = built
    data = raw_page_data((config.paths.maps / "index.html").read_text(encoding="utf-8"))
    terreinen = data["terreinen"]
    assert "properties" not in terreinen["features"][0] and len(terreinen["features"][0]["waarden"]) == \
        len(terreinen["velden"]) and terreinen["velden"][:2] == ["rin_nummer", "naam"]
    t = read_inputs(config).terreinen.iloc[:5].copy()
    t.loc[t.index[0], "naam"] = None  # a missing value: left out of the properties, null among the values
    columns = [c for c in t.columns if c != t.geometry.name]
    plain = json.loads(paginas.dumps(features(t, columns, 2.0, 5)))
    packed = json.loads(paginas.dumps(features(t, columns, 2.0, 5, by_column=True)))
    assert packed["features"][0]["waarden"][1] is None and "naam" not in plain["features"][0]["properties"]
    assert expand_columns(packed) == plain
    assert len(paginas.dumps(packed)) < 0.7 * len(paginas.dumps(plain))


def test_values_are_rounded_as_python_rounds_them():
    """kaartdata.round_as_python is Python's round(x, 3) bit for bit: on random values, on the exact halves where
    numpy's scale-and-rint can go the other way (2.675, 0.0625, 1.0005 as doubles), signed zeros and huge values."""
    from pipeline.export.kaartdata import _plain, round_as_python

    rng = np.random.default_rng(7)
    values = np.concatenate([
        rng.normal(0, 1, 200_000), rng.normal(0, 1e5, 200_000), np.arange(-20_000, 20_000) / 2000.0,
        rng.uniform(0, 1, 100_000).round(4) + 0.0005, rng.integers(-10**9, 10**9, 100_000) / 8.0,
        [0.0, -0.0, -0.0001, 2.675, 1.0005, 0.0625, 0.285, 1e15, 1e300, -1e300, 5e-324, 123456789.0125]])
    expected = np.array([round(x, 3) for x in values.tolist()])
    got = round_as_python(values, 3)
    assert np.array_equal(got.view(np.int64), expected.view(np.int64))  # the sign of a zero too
    numpy_rounded = np.round(values, 3)
    assert not np.array_equal(numpy_rounded.view(np.int64), expected.view(np.int64))  # the case this guards
    import pandas as pd
    plain = _plain(pd.Series([2.675, np.nan, np.inf, -0.0004, 1.0005]))
    assert plain.tolist() == [round(2.675, 3), None, None, -0.0, round(1.0005, 3)]
    assert all(type(v) is float for v in plain if v is not None)
    ints = _plain(pd.Series([1, None, 3], dtype="Int64"))
    assert ints.tolist() == [1, None, 3] and type(ints[0]) is int


def test_gebruiksdoelen_read_each_row_group_once_and_give_the_gebruik_of_the_whole_layer(tmp_path, monkeypatch):
    """context.Gebruiksdoelen (the verblijfsobjecten behind the panden's gebruik in the GeoPackage and on the detail
    pages): batch after batch of panden it gives the gebruik pand_gebruik gives from the whole layer, reading only
    gebruiksdoel and the bbox's xmin and ymin, each row group once while it is kept (KEEP) and again after it was
    dropped; a verblijfsobject without a point is in no pand, one without a gebruiksdoel has no function."""
    import geopandas as gpd
    import pandas as pd
    from shapely.geometry import Point, box

    from pipeline import catalogue, io
    from pipeline.crs import WORKING_CRS
    from pipeline.export.context import Gebruiksdoelen, gebruik_of, pand_gebruik

    monkeypatch.setattr(io, "ROW_GROUP_ROWS", 4)
    kinds = ["woonfunctie", "industriefunctie", "kantoorfunctie", "woonfunctie,winkelfunctie", "sportfunctie"]
    xs = np.arange(0, 2000, 25.0)  # 80 verblijfsobjecten on a line, 20 row groups, one without a point
    vbo = gpd.GeoDataFrame({"vbo_id": [f"v{i}" for i in range(len(xs))],
                            "gebruiksdoel": [kinds[i % 5] for i in range(len(xs))], "gevoelig": False},
                           geometry=[Point(x + 155_000, 463_000) for x in xs], crs=WORKING_CRS)
    vbo.loc[8, "geometry"] = None
    vbo.loc[10, "gebruiksdoel"] = None
    path = catalogue.write(vbo, "verblijfsobjecten", tmp_path)
    panden = gpd.GeoDataFrame(geometry=[box(155_000 + x - 5, 462_995, 155_000 + x + 5, 463_005)
                                        for x in np.arange(0, 2000, 50.0)], crs=WORKING_CRS)
    expected = pand_gebruik(panden, catalogue.read("verblijfsobjecten", tmp_path)).tolist()
    # pand k holds verblijfsobject 2k; number 8 (in pand 4) has no point, number 10 (pand 5) no gebruiksdoel
    assert expected[:10] == ["wonen", "kantoor", "maatschappelijk en overig", "industrie", "geen verblijfsobject",
                             "geen verblijfsobject", "kantoor", "maatschappelijk en overig", "industrie",
                             "wonen en werken"]
    read, original = [], io.pq.ParquetFile.read_row_groups
    monkeypatch.setattr(io.pq.ParquetFile, "read_row_groups",
                        lambda self, groups, **kw: read.append((list(groups), kw["columns"])) or
                        original(self, groups, **kw))

    for keep, rereads in ((32, False), (1, True)):
        monkeypatch.setattr(Gebruiksdoelen, "KEEP", keep)
        doelen, got, read[:] = Gebruiksdoelen(path, None), [], []
        for batch in (panden.iloc[:25], panden.iloc[20:], panden.iloc[:10]):  # overlapping, then back
            got += gebruik_of(batch, *doelen.near(batch.geometry.to_numpy())).tolist()
        assert got == expected[:25] + expected[20:] + expected[:10]
        groups = [g for gs, _ in read for g in gs]
        assert {tuple(c) for _, c in read} == {("gebruiksdoel", "bbox.xmin", "bbox.ymin")}
        assert (len(groups) > len(set(groups))) == rereads and len(set(groups)) == 20
