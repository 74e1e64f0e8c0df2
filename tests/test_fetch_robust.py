"""Downloads that cannot be trusted are not stored, big files resume with HTTP Range, and an unreachable host
fails at once with one line instead of minutes of retries."""
import socket
import subprocess
import sys
import time

import geopandas as gpd
import pytest
import yaml
from shapely.geometry import box
from werkzeug import Response

from pipeline import fetch
from pipeline.fetch.http import FetchError, Unreachable
from pipeline.fetch.manifest import Manifest
from test_fetch_support import make_config, make_http, no_proxy_env  # noqa: F401 (autouse fixture)


@pytest.fixture
def gpkg_bytes(tmp_path) -> bytes:
    path = tmp_path / "src" / "kavels.gpkg"
    path.parent.mkdir()
    gpd.GeoDataFrame({"kavel": [f"K{i}" for i in range(200)]},
                     geometry=[box(i, 0, i + 1, 1) for i in range(200)], crs="EPSG:28992").to_file(path)
    return path.read_bytes()


def file_config(tmp_path, url):
    return make_config(tmp_path, {"kavels": {"url": url, "kind": "file",
                                             "path": str(tmp_path / "raw" / "kavels" / "kavels.gpkg")}})


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_refused_connection_fails_at_once_naming_source_and_host(tmp_path):
    port = free_port()  # nothing listens there any more
    config = file_config(tmp_path, f"http://127.0.0.1:{port}/kavels.gpkg")
    started = time.monotonic()
    with pytest.raises(FetchError, match=rf"source 'kavels': cannot reach 127.0.0.1:{port}: it refuses the connection"):
        fetch.run(config)
    assert time.monotonic() - started < 5


def test_a_host_whose_name_is_not_found_is_not_retried(monkeypatch):
    def no_dns(host, *args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
    monkeypatch.setattr(socket, "getaddrinfo", no_dns)
    http, sleeps = make_http(pogingen=6)
    with pytest.raises(Unreachable, match=r"cannot reach service.pdok.invalid: its name is not found \(DNS\)"):
        http.get_json("https://service.pdok.invalid/ogc/bgt/collections/x/items", {"bbox": "1,2,3,4"})
    assert sleeps == [] and http.requests_made == 1


def test_without_network_the_cli_says_so_in_one_line(tmp_path):
    config = file_config(tmp_path, f"http://127.0.0.1:{free_port()}/kavels.gpkg")
    path = tmp_path / "fetch.yaml"
    path.write_text(yaml.safe_dump(config.model_dump(mode="json")), encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "pipeline", "fetch", "--config", str(path)],
                            capture_output=True, text=True, timeout=60)
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert result.returncode == 1 and "Traceback" not in result.stderr and len(errors) == 1
    assert "kavels" in errors[0] and "refuses the connection" in errors[0] and "local files" in errors[0]
    assert "attempt" not in result.stderr  # no retry noise


def test_an_html_page_with_status_200_is_not_stored(tmp_path, httpserver):
    httpserver.expect_request("/kavels.gpkg").respond_with_data(
        "<!DOCTYPE html><html><body>Service tijdelijk niet beschikbaar</body></html>", content_type="text/html")
    config = file_config(tmp_path, httpserver.url_for("/kavels.gpkg"))
    with pytest.raises(FetchError, match="sent an HTML page instead of the file"):
        fetch.run(config)
    target = config.sources.kavels.path
    assert not target.exists() and Manifest.load(target).status != "complete"


def test_a_cut_off_geopackage_with_a_matching_length_is_not_stored(tmp_path, httpserver, gpkg_bytes):
    half = gpkg_bytes[: len(gpkg_bytes) // 2]
    httpserver.expect_request("/kavels.gpkg").respond_with_data(half, content_type="application/geopackage+sqlite3")
    config = file_config(tmp_path, httpserver.url_for("/kavels.gpkg"))
    with pytest.raises(FetchError, match=r"header says .*: cut off"):
        fetch.run(config)
    assert not config.sources.kavels.path.exists()


def test_a_broken_off_download_resumes_with_a_range_request(tmp_path, httpserver, gpkg_bytes):
    ranges = []

    def handler(request):
        ranges.append(request.headers.get("Range"))
        if len(ranges) == 1:  # announce the whole file, send 40 % of it, then stall until the client gives up
            def stalled():
                yield gpkg_bytes[: int(len(gpkg_bytes) * 0.4)]
                time.sleep(1.5)
            return Response(stalled(), headers={"Content-Length": str(len(gpkg_bytes))},
                            content_type="application/octet-stream", direct_passthrough=True)
        start = int(request.headers["Range"].split("=")[1].rstrip("-"))
        return Response(gpkg_bytes[start:], status=206, content_type="application/octet-stream",
                        headers={"Content-Range": f"bytes {start}-{len(gpkg_bytes) - 1}/{len(gpkg_bytes)}"})

    httpserver.expect_request("/kavels.gpkg").respond_with_handler(handler)
    config = file_config(tmp_path, httpserver.url_for("/kavels.gpkg"))
    config.fetch.timeout_s, config.fetch.pogingen = 1.0, 3
    summary = fetch.run(config)
    assert "downloaded" in summary["kavels"]
    assert config.sources.kavels.path.read_bytes() == gpkg_bytes
    assert ranges[0] is None and ranges[1] == f"bytes={int(len(gpkg_bytes) * 0.4)}-"


def test_force_downloads_again(tmp_path, httpserver, gpkg_bytes):
    httpserver.expect_request("/kavels.gpkg").respond_with_data(gpkg_bytes)
    config = file_config(tmp_path, httpserver.url_for("/kavels.gpkg"))
    fetch.run(config)
    assert "skipped" in fetch.run(config)["kavels"]
    assert "downloaded" in fetch.run(config, force=True, only=["kavels"])["kavels"]
    assert [req.headers.get("Range") for req, _ in httpserver.log] == [None, None]
