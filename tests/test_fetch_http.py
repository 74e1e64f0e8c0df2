"""The HTTP client: transient faults are retried (Retry-After honoured), mistakes fail at once and
clearly, cut-off bodies are retried, and proxies from the environment are used."""
from __future__ import annotations

import time

import pytest

from pipeline.fetch.http import FetchError, retry_after_seconds, server_message
from test_fetch_support import fixture_text, make_http, no_proxy_env, reply  # noqa: F401


def test_500_then_success(httpserver):
    httpserver.expect_oneshot_request("/q").respond_with_data("Service Unavailable", status=503)
    httpserver.expect_request("/q").respond_with_json({"ok": True})
    http, sleeps = make_http(wachttijd_s=0.5)
    assert http.get_json(httpserver.url_for("/q")).data == {"ok": True}
    assert sleeps == [0.5]
    assert len(httpserver.log) == 2


def test_backoff_doubles_and_gives_up_naming_host_and_path(httpserver):
    httpserver.expect_request("/q").respond_with_data("boom", status=500)
    http, sleeps = make_http(pogingen=4, wachttijd_s=0.25)
    with pytest.raises(FetchError) as err:
        http.get_json(httpserver.url_for("/q"), {"where": "1=1"})
    assert sleeps == [0.25, 0.5, 1.0]
    message = str(err.value)
    assert message.startswith(f"{httpserver.host}:{httpserver.port}/q: ") and "where=" not in message
    assert "4 attempt" in message and "HTTP 500" in message


def test_timeout_is_retried(httpserver):
    calls = []

    def slow_once(request):
        calls.append(time.monotonic())
        if len(calls) == 1:
            time.sleep(0.6)
        return reply('{"ok": 1}', content_type="application/json")

    httpserver.expect_request("/slow").respond_with_handler(slow_once)
    http, sleeps = make_http(timeout_s=0.2, pogingen=5)
    assert http.get_json(httpserver.url_for("/slow")).data == {"ok": 1}
    # the test server is single-threaded: a retry may queue behind the slow answer and time out too
    assert len(calls) >= 2 and len(sleeps) == len(calls) - 1


def test_truncated_body_is_retried_then_succeeds(httpserver):
    page = fixture_text("arcgis_ibis_page1.geojson")
    httpserver.expect_oneshot_request("/q").respond_with_data(page[: len(page) // 2], content_type="application/geo+json")
    httpserver.expect_request("/q").respond_with_data(page, content_type="application/geo+json")
    http, sleeps = make_http()
    assert len(http.get_json(httpserver.url_for("/q")).data["features"]) == 4
    assert len(sleeps) == 1


def test_truncated_body_every_time_is_a_clear_error(httpserver):
    page = fixture_text("arcgis_ibis_page1.geojson")
    httpserver.expect_request("/q").respond_with_data(page[:300], content_type="application/geo+json")
    http, _ = make_http(pogingen=2)
    with pytest.raises(FetchError, match="not valid JSON"):
        http.get_json(httpserver.url_for("/q"))
    assert len(httpserver.log) == 2


def test_400_with_arcgis_error_body_fails_at_once(httpserver):
    httpserver.expect_request("/arcgis/rest/services/x/FeatureServer/0/query").respond_with_data(
        fixture_text("arcgis_error_400.json"), status=400, content_type="application/json")
    http, sleeps = make_http()
    with pytest.raises(FetchError) as err:
        http.get_json(httpserver.url_for("/arcgis/rest/services/x/FeatureServer/0/query"), {"where": "JAAR=="})
    message = str(err.value)
    assert "HTTP 400" in message and "FeatureServer/0/query" in message
    assert "'where' parameter is invalid" in message and "Unable to complete operation." in message
    assert sleeps == [] and len(httpserver.log) == 1


def test_arcgis_error_inside_http_200_is_an_error(httpserver):
    """ArcGIS often reports a bad request as HTTP 200 with an error document."""
    httpserver.expect_request("/q").respond_with_data(fixture_text("arcgis_error_400.json"),
                                                      content_type="application/json")
    http, sleeps = make_http()
    with pytest.raises(FetchError, match="'where' parameter is invalid"):
        http.get_json(httpserver.url_for("/q"))
    assert sleeps == []


def test_arcgis_500_inside_http_200_is_retried(httpserver):
    httpserver.expect_oneshot_request("/q").respond_with_json({"error": {"code": 500, "message": "Error performing query operation"}})
    httpserver.expect_request("/q").respond_with_json({"type": "FeatureCollection", "features": []})
    http, sleeps = make_http()
    assert http.get_json(httpserver.url_for("/q")).data["features"] == []
    assert len(sleeps) == 1


def test_problem_json_message_is_shown(httpserver):
    httpserver.expect_request("/items").respond_with_data(fixture_text("ogcapi_problem_400.json"), status=400,
                                                          content_type="application/problem+json")
    http, _ = make_http()
    with pytest.raises(FetchError, match="Bad Request: bbox-crs .* is not supported"):
        http.get_json(httpserver.url_for("/items"))


def test_429_retry_after_is_honoured_and_capped(httpserver):
    httpserver.expect_oneshot_request("/q").respond_with_data("slow down", status=429, headers={"Retry-After": "7"})
    httpserver.expect_oneshot_request("/q").respond_with_data("slow down", status=429, headers={"Retry-After": "120"})
    httpserver.expect_request("/q").respond_with_json({"ok": True})
    http, sleeps = make_http(wachttijd_s=0.01, max_wachttijd_s=30)
    assert http.get_json(httpserver.url_for("/q")).data == {"ok": True}
    assert sleeps == [7.0, 30.0]


def test_retry_after_formats():
    assert retry_after_seconds("3") == 3.0
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0  # in the past: no wait
    assert retry_after_seconds("soon") is None and retry_after_seconds(None) is None


def test_server_message_variants():
    assert "(code 400)" in server_message(fixture_text("arcgis_error_400.json"))
    assert server_message(b"<html><body>Bad  gateway</body></html>") == "<html><body>Bad gateway</body></html>"
    assert server_message(b"") == "(empty body)"


def test_proxy_from_environment_is_used(httpserver, monkeypatch):
    """HTTP_PROXY points at the local server acting as proxy: it receives the absolute-URL request."""
    httpserver.expect_request("/arcgis/rest/services/x/FeatureServer/0/query").respond_with_json(
        {"type": "FeatureCollection", "features": []})
    proxy = httpserver.url_for("/").rstrip("/")
    monkeypatch.setenv("HTTP_PROXY", proxy)
    monkeypatch.setenv("http_proxy", proxy)
    http, _ = make_http(pogingen=1)
    target = "http://services.example.invalid/arcgis/rest/services/x/FeatureServer/0/query"
    assert http.get_json(target, {"f": "geojson"}).data["features"] == []
    request, _ = httpserver.log[0]
    assert request.host == "services.example.invalid"  # the proxy got the request meant for that host
    assert request.args["f"] == "geojson"
