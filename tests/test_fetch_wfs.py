"""WFS 2.0 GetFeature (VNDS vnds:l_navigability): GeoJSON pages by startIndex, within the region bbox in RD New."""
from __future__ import annotations

import json

import geopandas as gpd
import pytest

from pipeline import fetch
from pipeline.fetch.http import FetchError
from test_fetch_support import make_config, no_proxy_env, reply  # noqa: F401

WFS = "/rws/vaarweg-netwerk-data-service-bevaarbaarheid/wfs/v1_0"


def section(i, code):
    x = 170000 + 1000 * i
    return {"type": "Feature", "id": f"l_navigability.{i}", "properties": {"id": i, "code": code},
            "geometry": {"type": "LineString", "coordinates": [[x, 390000], [x + 1000, 390000]]}}


FEATURES = [section(i, c) for i, c in enumerate(["VA", "IVb", "5a", "Vb", "II"])]


def handler(seen, *, matched=True):
    def respond(request):
        seen.append(dict(request.args))
        start, count = int(request.args["startIndex"]), int(request.args["count"])
        body = {"type": "FeatureCollection", "features": FEATURES[start:start + count]}
        if matched:
            body["numberMatched"] = len(FEATURES)
        return reply(json.dumps(body), content_type="application/json")
    return respond


@pytest.mark.parametrize("matched", [True, False])
def test_pages_by_start_index(tmp_path, httpserver, matched):
    seen = []
    httpserver.expect_request(WFS).respond_with_handler(handler(seen, matched=matched))
    config = make_config(tmp_path, {"vaarwegen": {"url": httpserver.url_for(WFS), "kind": "wfs",
                                                  "params": {"typeNames": "vnds:l_navigability"}}})
    summary = fetch.run(config)
    assert summary["vaarwegen"].startswith("5 features")
    # page size 4: 0-3, then 4; without numberMatched a short page ends it (else one more, empty, page)
    assert [r["startIndex"] for r in seen] == ["0", "4"]
    assert {(r["service"], r["version"], r["request"], r["typeNames"], r["count"]) for r in seen} == \
        {("WFS", "2.0.0", "GetFeature", "vnds:l_navigability", "4")}
    assert seen[0]["bbox"] == "170000,388000,182000,398000,urn:ogc:def:crs:EPSG::28992"
    frame = gpd.read_file(config.sources.vaarwegen.path)
    assert frame.crs.to_epsg() == 28992 and frame["code"].tolist() == ["VA", "IVb", "5a", "Vb", "II"]


def test_type_name_required_and_kind_guessed(tmp_path, httpserver):
    config = make_config(tmp_path, {"vaarwegen": {"url": httpserver.url_for(WFS)}})
    assert fetch._guess_kind(config.sources.vaarwegen.url) == "wfs"
    with pytest.raises(FetchError, match="typeNames"):
        fetch.run(config)
