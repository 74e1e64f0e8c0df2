"""Capaciteitskaart: afname and teruglevering layers merged into one layer; im-capaciteitskaart JSON as-is;
plus the shipped Noord-Brabant configuration."""
from __future__ import annotations

import json

import geopandas as gpd
import pytest

from pipeline import fetch
from pipeline.config import REPO_ROOT, load_config
from pipeline.fetch.http import FetchError
from pipeline.fetch.manifest import manifest_path
from test_fetch_support import (FIXTURES, fixture_text, layer_description, make_config,  # noqa: F401
                                no_proxy_env, reply)

AFNAME = "/nSZVuSZjHpEZZbRo/ArcGIS/rest/services/Capaciteitskaart_elektriciteitsnet_v2_afname/FeatureServer/0"
TERUG = "/nSZVuSZjHpEZZbRo/ArcGIS/rest/services/Capaciteitskaart_elektriciteitsnet_v2_teruglevering/FeatureServer/0"


def paged(name_or_features):
    """A recorded layer answered page by page (resultOffset / resultRecordCount), as the server does."""
    features = (json.loads(fixture_text(name_or_features))["features"] if isinstance(name_or_features, str)
                else name_or_features)

    def handler(request):
        start, count = int(request.args["resultOffset"]), int(request.args["resultRecordCount"])
        return reply(json.dumps({"type": "FeatureCollection", "features": features[start:start + count]}))
    return handler


@pytest.fixture(autouse=True)
def described(httpserver):
    for layer in (AFNAME, TERUG):
        httpserver.expect_request(layer, query_string={"f": "json"}).respond_with_json(layer_description())


def test_afname_and_invoeding_layers_are_merged(tmp_path, httpserver):
    httpserver.expect_request(AFNAME + "/query").respond_with_handler(paged("arcgis_capaciteitskaart_afname.geojson"))
    httpserver.expect_request(TERUG + "/query").respond_with_handler(
        paged("arcgis_capaciteitskaart_teruglevering.geojson"))
    config = make_config(tmp_path, {"netcapaciteit": {
        "url": httpserver.url_for(AFNAME), "kind": "capaciteitskaart",
        "path": str(tmp_path / "raw" / "netcapaciteit" / "capaciteitskaart.geojson"),
        "params": {"invoeding_url": httpserver.url_for(TERUG)}}})  # koppelveld: the layer's object-id field
    summary = fetch.run(config)
    assert summary["netcapaciteit"].startswith("4 features")
    assert all("invoeding_url" not in r.args for r, _ in httpserver.log)  # steering keys stay here

    frame = gpd.read_file(config.sources.netcapaciteit.path).set_index("OBJECTID")
    assert frame.crs.to_epsg() == 28992
    for field in ("voedingsgebied_id", "voedingsgebied_naam", "RNB", "afname", "opwek", "wachtrij_afname",
                  "wachtrij_invoeding", "aantal_wachtrij_afname", "aantal_wachtrij_invoeding",
                  "beschikbaar_afname", "beschikbaar_invoeding"):
        assert field in frame.columns, field
    assert (frame.loc[1, "afname"], frame.loc[1, "opwek"]) == (3, 2)
    assert (frame.loc[2, "afname"], frame.loc[2, "opwek"]) == (2, 3)
    assert frame.loc[2, "wachtrij_invoeding"] == 41.0
    assert frame.loc[4, "voedingsgebied_id"] == "0"  # only in the teruglevering view: appended
    manifest = json.loads(manifest_path(config.sources.netcapaciteit.path).read_text())
    assert set(manifest["streams"]) == {"afname", "invoeding"}


def test_afname_layer_alone_in_pages_of_100(tmp_path, httpserver):
    """The afname view carries opwek and both queues itself: one layer, pages of sources.*.pagina_grootte."""
    features = json.loads(fixture_text("arcgis_capaciteitskaart_afname.geojson"))["features"]
    for f in features:
        f["properties"].update({"opwek": 1, "wachtrij_invoeding": 2.5, "aantal_wachtrij_invoeding": 1})
    counts = []

    def handler(request):
        counts.append(request.args["resultRecordCount"])
        return reply(json.dumps({"type": "FeatureCollection", "features": features}))
    httpserver.expect_request(AFNAME + "/query").respond_with_handler(handler)
    config = make_config(tmp_path, {"netcapaciteit": {"url": httpserver.url_for(AFNAME), "kind": "capaciteitskaart",
                                                      "pagina_grootte": 100}}, fetch={"pagina_grootte": 1000})
    fetch.run(config)
    assert counts == ["100"]
    frame = gpd.read_file(config.sources.netcapaciteit.path)
    assert {"afname", "opwek", "wachtrij_afname", "wachtrij_invoeding"} <= set(frame.columns) and len(frame) == 3


def test_repeating_key_is_no_row_key(tmp_path, httpserver):
    """voedingsgebied_id repeats (a supply area drawn as several polygons): merging on it is refused."""
    terug = json.loads(fixture_text("arcgis_capaciteitskaart_teruglevering.geojson"))
    terug["features"][1]["properties"]["voedingsgebied_id"] = terug["features"][0]["properties"]["voedingsgebied_id"]
    httpserver.expect_request(AFNAME + "/query").respond_with_handler(paged("arcgis_capaciteitskaart_afname.geojson"))
    httpserver.expect_request(TERUG + "/query").respond_with_handler(paged(terug["features"]))
    config = make_config(tmp_path, {"netcapaciteit": {
        "url": httpserver.url_for(AFNAME), "kind": "capaciteitskaart",
        "params": {"invoeding_url": httpserver.url_for(TERUG), "koppelveld": "voedingsgebied_id"}}})
    with pytest.raises(FetchError, match="koppelveld 'voedingsgebied_id' repeats 1 time"):
        fetch.run(config)


def test_im_capaciteitskaart_json_is_kept_as_is(tmp_path, httpserver):
    original = (FIXTURES / "im_capaciteitskaart_dso-20250110.example.json").read_bytes()
    httpserver.expect_request("/capaciteitskaart/dso.json").respond_with_data(original, content_type="application/json")
    config = make_config(tmp_path, {"netcapaciteit": {
        "url": httpserver.url_for("/capaciteitskaart/dso.json"), "kind": "capaciteitskaart",
        "path": str(tmp_path / "raw" / "netcapaciteit" / "im_capaciteitskaart.json")}})
    fetch.run(config)
    assert config.sources.netcapaciteit.path.read_bytes() == original
    manifest = json.loads(manifest_path(config.sources.netcapaciteit.path).read_text())
    assert manifest["peildatum"] == "2025-01-10" and manifest["postcode_areas"] == 3
    before = len(httpserver.log)
    assert "skipped" in fetch.run(config)["netcapaciteit"] and len(httpserver.log) == before


def test_cut_off_im_json_is_refused_and_nothing_stored(tmp_path, httpserver):
    original = (FIXTURES / "im_capaciteitskaart_dso-20250110.example.json").read_bytes()
    httpserver.expect_request("/dso.json").respond_with_data(original[:500], content_type="application/json")
    config = make_config(tmp_path, {"netcapaciteit": {"url": httpserver.url_for("/dso.json"),
                                                      "kind": "capaciteitskaart"}})
    with pytest.raises(FetchError, match=r"/dso.json: the download is not usable: not complete JSON"):
        fetch.run(config)
    assert len(httpserver.log) == 1 and not config.sources.netcapaciteit.path.exists()
    assert list(config.sources.netcapaciteit.path.parent.glob(".*.part")) == []


def test_file_kind_downloads_as_is(tmp_path, httpserver):
    httpserver.expect_request("/kavels.geojson").respond_with_data(
        fixture_text("arcgis_ibis_page3.geojson"), content_type="application/geo+json")
    config = make_config(tmp_path, {"kavels": {"url": httpserver.url_for("/kavels.geojson"), "kind": "file"}})
    summary = fetch.run(config)
    assert "downloaded" in summary["kavels"]
    assert config.sources.kavels.path.read_text() == fixture_text("arcgis_ibis_page3.geojson")
    assert "user-supplied, MISSING" in summary["milieuzones"]


def test_url_without_path_is_a_config_error(tmp_path, httpserver):
    config = make_config(tmp_path, {"kavels": {"url": httpserver.url_for("/k.json"), "kind": "file"}})
    config.sources.kavels.path = None
    with pytest.raises(FetchError, match="sources.kavels: has a url but no path"):
        fetch.run(config)


def test_noord_brabant_config_validates_and_is_fetchable():
    config = load_config(REPO_ROOT / "config" / "noord-brabant.yaml")
    assert config.demo is None
    fetched = {name: s for name, s in config.sources if s is not None and s.url}
    assert {"terreinen", "panden", "verblijfsobjecten", "kades", "kunstwerkdelen", "vaarwegen",
            "netcapaciteit"} <= set(fetched)
    raw = config.paths.raw
    for name, source in fetched.items():
        assert source.kind in fetch.KINDS, name
        assert source.path is not None and raw in source.path.parents, name
        assert source.url.startswith("https://"), name
    for name in ("milieuzones", "vestigingen", "kavels"):
        source = getattr(config.sources, name)
        assert source is not None and source.url is None and source.path is not None
    xmin, ymin, xmax, ymax = config.region.bbox
    assert 60000 < xmin < 80000 and 350000 < ymin < 365000 and 195000 < xmax < 215000 and 420000 < ymax < 440000


def test_noord_brabant_bbox_covers_the_gemeenten(shared_dir):
    config = load_config(REPO_ROOT / "config" / "noord-brabant.yaml")
    gemeenten = gpd.read_file(shared_dir / "data" / "real" / "cbs-gemeenten-2022" /
                              "gemeenten_2022_noord_brabant_wgs84.geojson").to_crs(28992)
    xmin, ymin, xmax, ymax = gemeenten.total_bounds
    bxmin, bymin, bxmax, bymax = config.region.bbox
    assert bxmin <= xmin and bymin <= ymin and bxmax >= xmax and bymax >= ymax
    assert (bxmax - bxmin) * (bymax - bymin) < 1.2 * (xmax - xmin) * (ymax - ymin)  # and not much more


def test_server_ignoring_result_offset_is_stopped(tmp_path, httpserver):
    """A full page without exceededTransferLimit asks for the next; the same page again means the server ignores
    resultOffset: an error, not an endless loop."""
    httpserver.expect_request(TERUG + "/query").respond_with_data(
        fixture_text("arcgis_capaciteitskaart_teruglevering.geojson"), content_type="application/geo+json")
    config = make_config(tmp_path, {"netcapaciteit": {"url": httpserver.url_for(TERUG), "kind": "arcgis"}})
    with pytest.raises(FetchError, match="ignores resultOffset"):
        fetch.run(config)
