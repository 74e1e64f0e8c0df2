"""OGC API Features (PDOK BAG/BGT, vaarwegen): bbox + crs parameters, next links, numberMatched."""
from __future__ import annotations

import json

import geopandas as gpd
import pytest

from pipeline import fetch
from pipeline.fetch.http import FetchError
from pipeline.fetch.manifest import manifest_path
from pipeline.fetch.ogcapi import CRS_URI, items_url, next_link
from test_fetch_support import BBOX, fixture_text, make_config, no_proxy_env, reply  # noqa: F401

BAG = "/kadaster/bag/ogc/v2/collections/pand"
BGT = "/lv/bgt/ogc/v1/collections/scheiding"
VAARWEG = "/rws/vaarwegen/ogc/v1/collections/vaarwegvakken"


def pand_handler(httpserver):
    base = httpserver.url_for("/kadaster/bag/ogc/v2").rstrip("/")

    def handler(request):
        name = "ogcapi_bag_pand_page2.json" if request.args.get("cursor") else "ogcapi_bag_pand_page1.json"
        return reply(fixture_text(name, base), headers={"Content-Crs": f"<{CRS_URI}>"})
    return handler


def test_follows_next_links_with_bbox_and_crs(tmp_path, httpserver):
    httpserver.expect_request(BAG + "/items").respond_with_handler(pand_handler(httpserver))
    config = make_config(tmp_path, {"panden": {"url": httpserver.url_for(BAG), "kind": "ogcapi",
                                               "path": str(tmp_path / "raw" / "bag" / "pand.geojson")}},
                         fetch={"pagina_grootte": 3, "buffer_m": 1500})
    summary = fetch.run(config)
    assert summary["panden"].startswith("5 features")
    first, second = (r for r, _ in httpserver.log)
    assert first.args["bbox"] == "168500,386500,183500,399500"  # region bbox + 1500 m buffer
    assert first.args["bbox-crs"] == CRS_URI and first.args["crs"] == CRS_URI
    assert first.args["limit"] == "3" and first.args["f"] == "json"
    assert second.args["cursor"] == "Dv4|Nwyr1Q" and second.args["crs"] == CRS_URI

    target = config.sources.panden.path
    frame = gpd.read_file(target)
    assert frame.crs.to_epsg() == 28992  # crs member written: the server sent plain GeoJSON
    assert len(frame) == 5 and {"identificatie", "bouwjaar", "status", "gebruiksdoel"} <= set(frame.columns)
    assert frame.total_bounds[0] > 170000  # coordinates are RD, not degrees
    manifest = json.loads(manifest_path(target).read_text())
    assert manifest["server_time"] == "2026-04-20T09:12:44Z"
    assert manifest["request"]["bbox"] == "168500,386500,183500,399500"


def test_single_page_bgt_fields(tmp_path, httpserver):
    base = httpserver.url_for("/lv/bgt/ogc/v1").rstrip("/")
    httpserver.expect_request(BGT + "/items").respond_with_data(fixture_text("ogcapi_bgt_scheiding.json", base),
                                                                content_type="application/geo+json")
    config = make_config(tmp_path, {"kades": {"url": httpserver.url_for(BGT + "/items"), "kind": "ogcapi"}})
    fetch.run(config)
    frame = gpd.read_file(config.sources.kades.path)
    assert len(frame) == 4 and len(httpserver.log) == 1
    assert {"lokaal_id", "bgt_type", "eind_registratie", "tijdstip_registratie"} <= set(frame.columns)
    assert frame["eind_registratie"].notna().sum() == 1  # historic version kept; ingest drops it


def test_number_matched_is_recorded(tmp_path, httpserver):
    base = httpserver.url_for("/rws/vaarwegen/ogc/v1").rstrip("/")

    def handler(request):
        name = "ogcapi_vaarwegvakken_page2.json" if request.args.get("offset") else "ogcapi_vaarwegvakken_page1.json"
        return reply(fixture_text(name, base))
    httpserver.expect_request(VAARWEG + "/items").respond_with_handler(handler)
    config = make_config(tmp_path, {"vaarwegen": {"url": httpserver.url_for(VAARWEG), "kind": "ogcapi"}},
                         fetch={"pagina_grootte": 2})
    fetch.run(config)
    manifest = json.loads(manifest_path(config.sources.vaarwegen.path).read_text())
    assert manifest["streams"]["main"]["number_matched"] == 3 and manifest["features"] == 3
    frame = gpd.read_file(config.sources.vaarwegen.path)
    assert list(frame["cemt_klasse"]) == ["IV", "IV", "Vb"]


def test_problem_answer_is_a_clear_error(tmp_path, httpserver):
    httpserver.expect_request(BAG + "/items").respond_with_data(
        fixture_text("ogcapi_problem_400.json"), status=400, content_type="application/problem+json")
    config = make_config(tmp_path, {"panden": {"url": httpserver.url_for(BAG), "kind": "ogcapi"}})
    with pytest.raises(FetchError, match="is not supported"):
        fetch.run(config)
    assert not config.sources.panden.path.exists()


def test_bbox_from_terreinen_when_region_has_none(tmp_path, httpserver):
    terreinen = tmp_path / "user" / "terreinen.geojson"
    terreinen.parent.mkdir(parents=True)
    terreinen.write_text(fixture_text("arcgis_ibis_page3.geojson"))
    httpserver.expect_request(BAG + "/items").respond_with_handler(pand_handler(httpserver))
    config = make_config(tmp_path, {"terreinen": {"path": str(terreinen)},
                                    "panden": {"url": httpserver.url_for(BAG), "kind": "ogcapi"}},
                         bbox=None, fetch={"buffer_m": 100})
    fetch.run(config)
    # IBIS page 3: squares at (175300, 396400) size 285 and (170300, 391800) size 560; plus 100 m
    assert httpserver.log[0][0].args["bbox"] == "170200,391700,175685,396785"


def test_no_bbox_at_all_is_a_clear_error(tmp_path, httpserver):
    config = make_config(tmp_path, {"panden": {"url": httpserver.url_for(BAG), "kind": "ogcapi"}}, bbox=None)
    with pytest.raises(FetchError, match="region.bbox is not set"):
        fetch.run(config)


def test_url_forms_and_next_link():
    assert items_url("https://api.pdok.nl/lv/bgt/ogc/v1/collections/scheiding") == \
        "https://api.pdok.nl/lv/bgt/ogc/v1/collections/scheiding/items"
    assert items_url("https://api.pdok.nl/lv/bgt/ogc/v1/collections/scheiding/items?f=json") == \
        "https://api.pdok.nl/lv/bgt/ogc/v1/collections/scheiding/items"
    with pytest.raises(FetchError):
        items_url("https://api.pdok.nl/lv/bgt/ogc/v1")
    page = json.loads(fixture_text("ogcapi_bag_pand_page1.json", "https://api.pdok.nl/kadaster/bag/ogc/v2"))
    assert "cursor=Dv4%7CNwyr1Q" in next_link(page) and "f=json" in next_link(page)
    assert next_link(json.loads(fixture_text("ogcapi_bag_pand_page2.json", "x"))) is None
