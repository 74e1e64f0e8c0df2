"""A bulk GeoPackage (PDOK's bag-light.gpkg) downloaded once and cut locally to the boxes around the terreinen.

The server is pytest-httpserver on 127.0.0.1 handing out the file as a static download (HEAD, Range); the file is a
GeoPackage with the layers and fields of bag-light.gpkg (docs/raw_formats.md). The boxes are those of
test_fetch_per_terrein: T1 and T2 share one (halo 300 m), T3 has its own.
"""
from __future__ import annotations

import hashlib
import json

import geopandas as gpd
import pyogrio
import pytest
from shapely.geometry import box
from werkzeug import Response

from pipeline import fetch
from pipeline.fetch.bulk import announcement
from pipeline.fetch.http import FetchError
from pipeline.fetch.manifest import manifest_path
from pipeline.ingest.bag import ingest_panden, ingest_verblijfsobjecten
from pipeline.ingest.quality import Report
from test_fetch_per_terrein import T1, T2, T3, write_terreinen
from test_fetch_support import make_config, no_proxy_env  # noqa: F401

# pand n (n = 1..10): 1-3 on T1, 4 on T2, 5 in T2's halo, 6 on T3, 7 in T3's halo, 8 a long shed across the gap
# (in both boxes: cut once), 9 in the gap between the boxes (out with halo 300, in with halo 1000), 10 far away
SHAPES = {n: box(172100 + 100 * n, 390100, 172120 + 100 * n, 390120) for n in (1, 2, 3)}
SHAPES.update({4: box(173600, 390300, 173650, 390350), 5: box(174200, 391200, 174250, 391250),
               6: box(176100, 390100, 176130, 390130), 7: box(176700, 390700, 176750, 390750),
               8: box(174200, 390000, 175800, 390010), 9: box(175000, 390500, 175100, 390600),
               10: box(181000, 397000, 181010, 397010)})


def pand_id(n: int) -> str:
    return f"0855100000{n:06d}"


def vbo_id(n: int) -> str:
    return f"0855010000{n:06d}"


@pytest.fixture
def bulk_bytes(tmp_path) -> bytes:
    """bag-light.gpkg in miniature: layer pand (polygons) and verblijfsobject (a point in each pand)."""
    path = tmp_path / "published" / "bag-light.gpkg"
    path.parent.mkdir()
    numbers = sorted(SHAPES)
    gpd.GeoDataFrame({"identificatie": [pand_id(n) for n in numbers], "bouwjaar": [1950 + n for n in numbers],
                      "status": ["Pand in gebruik"] * len(numbers)},
                     geometry=[SHAPES[n] for n in numbers], crs="EPSG:28992").to_file(path, layer="pand")
    gpd.GeoDataFrame({"identificatie": [vbo_id(n) for n in numbers],
                      "gebruiksdoel": ["woonfunctie" if n % 2 else "industriefunctie" for n in numbers],
                      "oppervlakte": [100 + n for n in numbers],
                      "status": ["Verblijfsobject in gebruik"] * len(numbers),
                      "pandidentificatie": [pand_id(n) for n in numbers]},
                     geometry=[SHAPES[n].centroid for n in numbers], crs="EPSG:28992").to_file(
                         path, layer="verblijfsobject")
    return path.read_bytes()


@pytest.fixture
def server(httpserver, bulk_bytes):
    """Serves the bulk file; `server.log` lists (method, Range header) of every request."""
    log = []

    def handler(request):
        log.append((request.method, request.headers.get("Range")))
        start = int(request.headers["Range"].split("=")[1].rstrip("-")) if request.headers.get("Range") else 0
        headers = {"Accept-Ranges": "bytes"}
        if start:
            headers["Content-Range"] = f"bytes {start}-{len(bulk_bytes) - 1}/{len(bulk_bytes)}"
        return Response(bulk_bytes[start:], status=206 if start else 200, headers=headers,
                        content_type="application/geopackage+sqlite3")

    httpserver.expect_request("/lv/bag/atom/downloads/bag-light.gpkg").respond_with_handler(handler)
    httpserver.log_of_requests = log
    return httpserver


def bulk_config(tmp_path, url, *, halo=300, layer="pand"):
    raw = tmp_path / "raw" / "bag"
    common = {"url": url, "kind": "file", "per_terrein": True, "halo": halo, "bulk_pad": str(raw / "bag-light.gpkg")}
    return make_config(tmp_path, {
        "terreinen": {"path": write_terreinen(tmp_path, [T1, T2, T3])},
        "panden": {**common, "layer": layer, "path": str(raw / "pand.gpkg")},
        "verblijfsobjecten": {**common, "layer": "verblijfsobject", "path": str(raw / "verblijfsobject.gpkg")}})


def cut_ids(config, name: str) -> list[str]:
    source = getattr(config.sources, name)
    return sorted(pyogrio.read_dataframe(source.path, layer=source.layer, read_geometry=False)["identificatie"])


# ---------------------------------------------------------------------------------------------
def test_one_download_serves_both_layers_and_each_is_cut_to_the_boxes(tmp_path, server, bulk_bytes, capsys):
    config = bulk_config(tmp_path, server.url_for("/lv/bag/atom/downloads/bag-light.gpkg"))
    summary = fetch.run(config, only=["panden", "verblijfsobjecten"])

    assert server.log_of_requests == [("HEAD", None), ("GET", None)]  # one size probe, one download, for both
    assert summary["requests"] == 2
    assert config.sources.panden.bulk_pad.read_bytes() == bulk_bytes
    assert capsys.readouterr().out.splitlines()[0] == (
        f"panden: one file bag-light.gpkg of {len(bulk_bytes) / 1e6:,.1f} MB; then cut locally to 2 box(es) around "
        "the terreinen (halo 300 m)")
    assert summary["panden"].startswith("8 features")
    assert "cut from downloaded bag-light.gpkg" in summary["panden"]
    assert "cut from skipped bag-light.gpkg" in summary["verblijfsobjecten"]

    # 1-8 (the shed once), not 9 (between the boxes) nor 10 (far away); of the points in them not the shed's either:
    # it stands at the shed's middle, x = 175,000, between the boxes (174,300 and 175,700)
    assert cut_ids(config, "panden") == [pand_id(n) for n in range(1, 9)]
    assert cut_ids(config, "verblijfsobjecten") == [vbo_id(n) for n in range(1, 8)]
    # the same layer, fields, types, values and geometries as in the published file
    published = gpd.read_file(config.sources.panden.bulk_pad, layer="pand").set_index("identificatie")
    cut = gpd.read_file(config.sources.panden.path, layer="pand").set_index("identificatie")
    assert list(cut.columns) == list(published.columns) and (cut.dtypes == published.dtypes).all()
    assert cut.crs == published.crs
    kept = published.loc[cut.index]
    assert kept.drop(columns="geometry").equals(cut.drop(columns="geometry"))
    assert cut.geometry.geom_equals_exact(kept.geometry, tolerance=0).all()

    # provenance: the cut's manifest names the bulk file's sha256, the layer and the boxes
    request = json.loads(manifest_path(config.sources.panden.path).read_text())["request"]
    assert request["sha256"] == hashlib.sha256(bulk_bytes).hexdigest() and request["layer"] == "pand"
    assert request["boxes"] == [[171700.0, 389700.0, 174300.0, 391300.0], [175700.0, 389700.0, 176800.0, 390800.0]]

    # ingest reads the cut as it reads the published file
    assert sorted(ingest_panden(config, Report())["pand_id"]) == [pand_id(n) for n in range(1, 9)]
    vbo = ingest_verblijfsobjecten(config, Report()).set_index("vbo_id")
    assert vbo.loc[vbo_id(1), "gevoelig"] and not vbo.loc[vbo_id(2), "gevoelig"]  # woon- against industriefunctie


def test_a_rerun_asks_nothing_and_another_halo_cuts_again_without_downloading(tmp_path, server):
    url = server.url_for("/lv/bag/atom/downloads/bag-light.gpkg")
    fetch.run(bulk_config(tmp_path, url), only=["panden", "verblijfsobjecten"])
    asked = len(server.log_of_requests)
    again = fetch.run(bulk_config(tmp_path, url), only=["panden", "verblijfsobjecten"])
    assert len(server.log_of_requests) == asked and again["requests"] == 0
    assert again["skipped (complete)"] == 2

    # halo 1,000 m: T2's and T3's boxes touch at x = 175,000 and merge, so pand 9 (175,000-175,100) is in
    wider = bulk_config(tmp_path, url, halo=1000)
    summary = fetch.run(wider, only=["panden"])
    assert len(server.log_of_requests) == asked and summary["requests"] == 0
    assert cut_ids(wider, "panden") == [pand_id(n) for n in range(1, 10)]


def test_a_missing_layer_is_named_and_nothing_is_written(tmp_path, server):
    config = bulk_config(tmp_path, server.url_for("/lv/bag/atom/downloads/bag-light.gpkg"), layer="panden")
    with pytest.raises(FetchError) as err:
        fetch.run(config, only=["panden"])
    assert "panden: " in str(err.value) and "has no layer 'panden'" in str(err.value)
    assert "its layers are ['pand', 'verblijfsobject']" in str(err.value)
    assert not config.sources.panden.path.exists()
    assert sorted(p.name for p in config.sources.panden.path.parent.iterdir()) == [
        "bag-light.gpkg", "bag-light.gpkg.manifest.json"]  # the download stays; no cut, no manifest of one


def test_a_relative_bulk_pad_is_under_the_project_as_path_is(tmp_path):
    config = make_config(tmp_path, {"panden": {"url": "https://x/bag-light.gpkg", "kind": "file", "per_terrein": True,
                                               "bulk_pad": "data/raw/bag/bag-light.gpkg", "layer": "pand",
                                               "path": "data/raw/bag/pand-knip.gpkg"}})
    assert config.sources.panden.bulk_pad == config.sources.panden.path.with_name("bag-light.gpkg")
    assert config.sources.panden.bulk_pad.is_absolute()


def test_the_announcement_says_what_is_on_disk_already(tmp_path):
    bulk = tmp_path / "bag-light.gpkg"
    (tmp_path / ".bag-light.gpkg.part").write_bytes(b"\0" * 1_500_000)
    assert announcement("panden", bulk, 7_431_200_000, 72, 1500.02) == (
        "panden: one file bag-light.gpkg of 7,431.2 MB, 1.5 MB of it already on disk (resumes with HTTP Range); "
        "then cut locally to 72 box(es) around the terreinen (halo 1,500 m)")
    assert "of unknown size (the server gives no Content-Length)" in announcement("panden", bulk, None, 1, 25.0)


# ---------------------------------------------------------------------------------------------
# Real data: the BAG 2.0 extract of Doesburg (../shared/data/real/bag2-doesburg-nlextract) as a bulk GeoPackage.
# Hand counts (SOURCE.md, tests/test_ingest_real_bag_brk.py): pand 0221100000312938 has 4 voorkomens (the 4th
# current, bouwjaar 1585) within 206,323-206,355 x 447,527-447,539; pand 0221100000311191 has 2 (the 2nd current,
# bouwjaar 1992) within 206,287-206,293 x 447,356-447,363, 164 m further south.
REAL_PND = "data/real/bag2-doesburg-nlextract/0221PND15092020-000001.xml"


@pytest.mark.parametrize("halo, voorkomens, bouwjaren", [
    (50, 4, {"0221100000312938": 1585}),  # box 206,250-206,450 x 447,450-447,650: the second pand lies south of it
    (200, 6, {"0221100000312938": 1585, "0221100000311191": 1992}),  # box down to 447,300: both
])
def test_the_real_bag_extract_cut_and_ingested(tmp_path, httpserver, shared_dir, halo, voorkomens, bouwjaren):
    published = tmp_path / "published" / "bag-light.gpkg"
    published.parent.mkdir()
    pyogrio.write_dataframe(pyogrio.read_dataframe(shared_dir / REAL_PND), published, layer="pand")
    httpserver.expect_request("/bag-light.gpkg").respond_with_data(published.read_bytes())
    raw = tmp_path / "raw" / "bag"
    config = make_config(tmp_path, {
        "terreinen": {"path": write_terreinen(tmp_path, [box(206300, 447500, 206400, 447600)])},
        "panden": {"url": httpserver.url_for("/bag-light.gpkg"), "kind": "file", "per_terrein": True, "halo": halo,
                   "bulk_pad": str(raw / "bag-light.gpkg"), "layer": "pand", "path": str(raw / "pand.gpkg")}},
        bbox=(200000.0, 440000.0, 210000.0, 450000.0))
    fetch.run(config, only=["panden"])
    assert len(pyogrio.read_dataframe(config.sources.panden.path, layer="pand")) == voorkomens
    report = Report()
    out = ingest_panden(config, report).set_index("pand_id")
    assert out["bouwjaar"].to_dict() == bouwjaren  # the current voorkomen of each pand cut
    assert (report.tallies[0].read, report.tallies[0].kept) == (voorkomens, len(bouwjaren))
