"""ArcGIS FeatureServer paging, the manifest, resume after an interruption, skip when complete."""
from __future__ import annotations

import json

import geopandas as gpd
import pytest

from pipeline import fetch
from pipeline.fetch.arcgis import exceeded_transfer_limit, query_url
from pipeline.fetch.files import parts_dir
from pipeline.fetch.http import FetchError
from pipeline.fetch.manifest import manifest_path
from test_fetch_support import (fixture_text, ibis_handler, layer_description, make_config,  # noqa: F401
                                no_proxy_env, reply)

LAYER = "/nSZVuSZjHpEZZbRo/ArcGIS/rest/services/IBIS_Bedrijventerreinen_actueel/FeatureServer/0"


def describe(httpserver):
    httpserver.expect_request(LAYER, query_string={"f": "json"}).respond_with_json(layer_description())


@pytest.fixture(autouse=True)
def described(httpserver):
    """Every layer answers its description (<layer>?f=json): the pager reads the object-id field there."""
    describe(httpserver)


def queries(httpserver) -> list:
    return [r for r, _ in httpserver.log if r.path.endswith("/query")]


def ibis_config(tmp_path, httpserver, **params):
    return make_config(tmp_path, {"terreinen": {
        "url": httpserver.url_for(LAYER), "kind": "arcgis",
        "path": str(tmp_path / "raw" / "ibis" / "IBIS_Bedrijventerreinen_actueel.geojson"),
        "params": {"where": "PROV_NAMEN='Noord-Brabant'", **params}}})


def test_pages_until_exceeded_transfer_limit_is_false(tmp_path, httpserver):
    offsets = []
    httpserver.expect_request(LAYER + "/query").respond_with_handler(ibis_handler(offsets=offsets))
    config = ibis_config(tmp_path, httpserver)
    summary = fetch.run(config)
    assert offsets == [0, 4, 8]
    args = queries(httpserver)[0].args
    assert args["f"] == "geojson" and args["outSR"] == "28992" and args["outFields"] == "*"
    assert args["where"] == "PROV_NAMEN='Noord-Brabant'" and args["orderByFields"] == "OBJECTID"
    assert args["resultRecordCount"] == "4" and args["returnGeometry"] == "true"
    assert summary["terreinen"].startswith("10 features") and summary["downloaded"] == 1

    target = config.sources.terreinen.path
    frame = gpd.read_file(target)
    assert frame.crs.to_epsg() == 28992 and len(frame) == 10
    assert {"RIN_NUMMER", "JAAR", "PLAN_NAAM", "GEM_CODES", "PROV_NAMEN", "HA_BRUTO", "HA_NETTO",
            "HA_TOTTUIT", "WLOC_TYPE"} <= set(frame.columns)
    assert sorted(frame["JAAR"].unique()) == [2023, 2024]  # every year kept; ingest keeps the latest
    manifest = json.loads(manifest_path(target).read_text())
    assert manifest["status"] == "complete" and manifest["features"] == 10
    assert manifest["streams"]["main"]["next"] is None and len(manifest["streams"]["main"]["pages"]) == 3
    assert manifest["request"]["where"] == "PROV_NAMEN='Noord-Brabant'" and manifest["url"].endswith(LAYER)
    assert manifest["started"] and manifest["finished"] and len(manifest["sha256"]) == 64
    assert not parts_dir(target).exists()


def test_fetched_terreinen_ingest(tmp_path, httpserver):
    ingest_terreinen = pytest.importorskip("pipeline.ingest.terreinen")
    quality = pytest.importorskip("pipeline.ingest.quality")
    httpserver.expect_request(LAYER + "/query").respond_with_handler(ibis_handler())
    config = ibis_config(tmp_path, httpserver)
    fetch.run(config)
    terreinen = ingest_terreinen.ingest(config, quality.Report())
    assert len(terreinen) == 5 and set(terreinen["jaar"]) == {2024}
    assert terreinen.crs.to_epsg() == 28992


def test_flag_at_top_level_is_read_too():
    assert exceeded_transfer_limit({"exceededTransferLimit": True, "features": []})
    assert exceeded_transfer_limit({"properties": {"exceededTransferLimit": True}})
    assert not exceeded_transfer_limit({"type": "FeatureCollection", "features": []})


def test_query_url_forms():
    assert query_url("https://x/arcgis/rest/services/a/FeatureServer/0") == "https://x/arcgis/rest/services/a/FeatureServer/0/query"
    assert query_url("https://x/a/FeatureServer/3/query") == "https://x/a/FeatureServer/3/query"
    with pytest.raises(FetchError, match="layer URL"):
        query_url("https://x/arcgis/rest/services/a/FeatureServer")


def test_resume_after_interruption_equals_uninterrupted(tmp_path, httpserver):
    # uninterrupted reference
    httpserver.expect_request(LAYER + "/query").respond_with_handler(ibis_handler())
    reference = ibis_config(tmp_path / "ref", httpserver)
    fetch.run(reference)
    expected = json.loads(reference.sources.terreinen.path.read_text())
    httpserver.clear()
    describe(httpserver)

    # interrupted: the server breaks down for good after page 2
    httpserver.expect_request(LAYER + "/query").respond_with_handler(ibis_handler(fail_from_offset=8))
    config = ibis_config(tmp_path / "run", httpserver)
    target = config.sources.terreinen.path
    with pytest.raises(FetchError, match="still failing after 2 attempt"):
        fetch.run(config)
    assert not target.exists()
    manifest = json.loads(manifest_path(target).read_text())
    assert manifest["status"] == "in_progress"
    assert len(manifest["streams"]["main"]["pages"]) == 2 and manifest["streams"]["main"]["next"]["offset"] == 8
    assert len(list(parts_dir(target).glob("*.json"))) == 2
    httpserver.clear()
    describe(httpserver)

    # healthy again: only the missing page is requested
    offsets = []
    httpserver.expect_request(LAYER + "/query").respond_with_handler(ibis_handler(offsets=offsets))
    summary = fetch.run(config)
    assert offsets == [8]
    assert "resumed" in summary["terreinen"]
    got = json.loads(target.read_text())
    assert got["features"] == expected["features"]  # same features, same order
    assert target.read_bytes() == reference.sources.terreinen.path.read_bytes()
    assert not parts_dir(target).exists()


def test_complete_download_is_skipped_without_requests(tmp_path, httpserver):
    httpserver.expect_request(LAYER + "/query").respond_with_handler(ibis_handler())
    config = ibis_config(tmp_path, httpserver)
    fetch.run(config)
    before = len(httpserver.log)
    summary = fetch.run(config)
    assert len(httpserver.log) == before
    assert "skipped" in summary["terreinen"] and summary["requests"] == 0 and summary["skipped (complete)"] == 1


def test_changed_parameters_mean_a_new_download(tmp_path, httpserver):
    httpserver.expect_request(LAYER + "/query").respond_with_handler(ibis_handler())
    fetch.run(ibis_config(tmp_path, httpserver))
    before = len(httpserver.log)
    summary = fetch.run(ibis_config(tmp_path, httpserver, where="GEM_CODES='GM1652'"))
    assert len(httpserver.log) == before + 1 + 3 and "downloaded" in summary["terreinen"]  # description + pages


def test_edited_file_is_downloaded_again(tmp_path, httpserver):
    httpserver.expect_request(LAYER + "/query").respond_with_handler(ibis_handler())
    config = ibis_config(tmp_path, httpserver)
    fetch.run(config)
    config.sources.terreinen.path.write_text('{"type": "FeatureCollection", "features": []}')
    summary = fetch.run(config)
    assert "downloaded" in summary["terreinen"]
    assert len(gpd.read_file(config.sources.terreinen.path)) == 10


def test_empty_result_gives_a_valid_empty_file(tmp_path, httpserver):
    httpserver.expect_request(LAYER + "/query").respond_with_data(fixture_text("arcgis_empty.geojson"),
                                                                    content_type="application/geo+json")
    config = ibis_config(tmp_path, httpserver, where="1=0")
    summary = fetch.run(config)
    assert summary["terreinen"].startswith("0 features")
    frame = gpd.read_file(config.sources.terreinen.path)
    assert len(frame) == 0
    assert json.loads(manifest_path(config.sources.terreinen.path).read_text())["features"] == 0


def test_400_is_a_clear_error_and_writes_no_file(tmp_path, httpserver):
    httpserver.expect_request(LAYER + "/query").respond_with_data(
        fixture_text("arcgis_error_400.json"), status=400, content_type="application/json")
    config = ibis_config(tmp_path, httpserver, where="JAAR==")
    with pytest.raises(FetchError) as err:
        fetch.run(config)
    assert "'where' parameter is invalid" in str(err.value) and LAYER in str(err.value)
    assert not config.sources.terreinen.path.exists()
    assert len(queries(httpserver)) == 1


def test_wgs84_answer_is_refused(tmp_path, httpserver):
    """A server that ignores outSR would silently put lon/lat into an RD file: refuse it."""
    doc = json.loads(fixture_text("arcgis_ibis_page3.geojson"))
    doc["features"][0]["geometry"]["coordinates"] = [[[5.6, 51.5], [5.61, 51.5], [5.61, 51.51], [5.6, 51.5]]]
    httpserver.expect_request(LAYER + "/query").respond_with_json(doc)
    with pytest.raises(FetchError, match="ignored the requested output CRS"):
        fetch.run(ibis_config(tmp_path, httpserver))


def test_zero_features_with_limit_flag_keeps_paging(tmp_path, httpserver):
    """ArcGIS docs: a page may hold no features yet say exceededTransferLimit; continue paging."""
    def handler(request):
        offset = int(request.args["resultOffset"])
        if offset == 0:
            return reply(json.dumps({"type": "FeatureCollection", "features": [],
                                     "properties": {"exceededTransferLimit": True}}))
        return reply(fixture_text("arcgis_ibis_page3.geojson"))
    httpserver.expect_request(LAYER + "/query").respond_with_handler(handler)
    config = ibis_config(tmp_path, httpserver)
    fetch.run(config)
    assert [int(r.args["resultOffset"]) for r in queries(httpserver)] == [0, 4]
    assert len(gpd.read_file(config.sources.terreinen.path)) == 2


def test_object_id_field_and_page_size_come_from_the_layer_description(tmp_path, httpserver):
    """Layers name their object id differently (FID, OBJECTID_1): read it, never assume OBJECTID; pages are
    at most the layer's maxRecordCount; with a region bbox the query is an envelope in RD New."""
    other = LAYER.replace("/0", "/1")
    httpserver.expect_request(other, query_string={"f": "json"}).respond_with_json(
        layer_description(oid="OBJECTID_1", max_records=3, oid_in_fields=True))
    seen = []

    def handler(request):
        seen.append(dict(request.args))
        return reply(fixture_text("arcgis_ibis_page3.geojson"))
    httpserver.expect_request(other + "/query").respond_with_handler(handler)
    config = make_config(tmp_path, {"terreinen": {"url": httpserver.url_for(other), "kind": "arcgis"}})
    fetch.run(config)
    assert seen[0]["orderByFields"] == "OBJECTID_1" and seen[0]["resultRecordCount"] == "3"
    assert seen[0]["geometry"] == "170000,388000,182000,398000" and seen[0]["inSR"] == "28992"
    assert seen[0]["geometryType"] == "esriGeometryEnvelope" and seen[0]["where"] == "1=1"
    assert "PROV_NAMEN" not in json.dumps(seen)
