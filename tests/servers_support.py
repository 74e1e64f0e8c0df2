"""Real server implementations the fetch tests start on 127.0.0.1 (no tests here).

- pygeoapi (PyPI), OGC API Features: installed by .ci/run into tests/servers/.pygeoapi (a venv of its own);
- Koop (npm: @koopjs/koop-core + @koopjs/output-geoservices) with a small file provider of our own, serving an
  ArcGIS FeatureServer: installed by .ci/run with `npm ci` in tests/servers/koop.
A test that needs one skips, saying why, where it is not installed. Servers get a free port, start-up waits
are bounded, and every server is stopped (its own process group) when the test ends.
"""
from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import requests
import yaml

SERVERS = Path(__file__).resolve().parent / "servers"
PYGEOAPI = Path(os.environ.get("PYGEOAPI_BIN", SERVERS / ".pygeoapi" / "bin" / "pygeoapi"))
KOOP = SERVERS / "koop"
START_TIMEOUT_S = 90.0
RD_URI = "http://www.opengis.net/def/crs/EPSG/0/28992"
CRS84_URI = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, process: subprocess.Popen, log: Path, timeout: float = START_TIMEOUT_S) -> None:
    """Poll `url` until it answers 200, the process dies (fail with its log) or the timeout passes."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"server exited with {process.returncode} before answering {url}:\n{log.read_text()[-3000:]}")
        try:
            if requests.get(url, timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.3)
    pytest.fail(f"server did not answer {url} within {timeout:.0f} s:\n{log.read_text()[-3000:]}")


@contextlib.contextmanager
def running(command: list[str], *, cwd: Path, env: dict, ready_url: str, log: Path):
    """Run a server in its own process group; stop the whole group afterwards."""
    with open(log, "w", encoding="utf-8") as out:
        process = subprocess.Popen(command, cwd=cwd, env={**os.environ, **env}, stdout=out, stderr=subprocess.STDOUT,
                                   start_new_session=True)
        try:
            wait_for(ready_url, process, log)
            yield process
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)


def as_geojson(frame: gpd.GeoDataFrame, path: Path, *, crs_member: bool = False) -> Path:
    """A frame in RD New as GeoJSON as a server stores it: dates as ISO text, full coordinate precision."""
    out = frame.copy()
    for column in out.columns:
        if column == out.geometry.name:
            continue
        if pd.api.types.is_datetime64_any_dtype(out[column]) or out[column].map(lambda v: hasattr(v, "isoformat")).any():
            out[column] = out[column].map(lambda v: None if pd.isna(v) else v.isoformat())
        elif out[column].dtype == object:  # GDAL string lists (BAG gebruiksdoel) arrive as arrays
            out[column] = out[column].map(lambda v: v.tolist() if isinstance(v, np.ndarray) else v)
    data = json.loads(out.to_json(drop_id=True, na="null"))
    data.pop("crs", None)
    if crs_member:
        data["crs"] = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::28992"}}
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


# ---------------------------------------------------------------------------------------------
# pygeoapi
# ---------------------------------------------------------------------------------------------
def pygeoapi_or_skip() -> Path:
    if not PYGEOAPI.is_file():
        pytest.skip(f"pygeoapi is not installed at {PYGEOAPI} (.ci/run installs it: python3 -m venv "
                    "tests/servers/.pygeoapi && tests/servers/.pygeoapi/bin/pip install -r "
                    "tests/servers/requirements-pygeoapi.txt)")
    return PYGEOAPI


def pygeoapi_config(port: int, collections: dict[str, dict], *, max_items: int) -> dict:
    """A minimal pygeoapi configuration: each collection a GeoJSON file stored in RD New."""
    resources = {name: {
        "type": "collection", "title": spec["title"], "description": spec["title"], "keywords": ["test"],
        "links": [],
        "extents": {"spatial": {"bbox": [3.2, 50.7, 7.3, 53.6], "crs": CRS84_URI}},
        "providers": [{"type": "feature", "name": "GeoJSON", "data": str(spec["data"]), "id_field": spec["id"],
                       "storage_crs": RD_URI, "crs": [RD_URI, CRS84_URI]}],
    } for name, spec in collections.items()}
    return {
        "server": {"bind": {"host": "127.0.0.1", "port": port}, "url": f"http://127.0.0.1:{port}",
                   "mimetype": "application/json; charset=UTF-8", "encoding": "utf-8", "languages": ["en-US"],
                   "limits": {"default_items": 10, "max_items": max_items},
                   "map": {"url": "https://tile.openstreetmap.org/{z}/{x}/{y}.png", "attribution": "OSM"}},
        "logging": {"level": "ERROR"},
        "metadata": {"identification": {"title": "test", "description": "fetch tests", "keywords": ["test"],
                                        "keywords_type": "theme", "terms_of_service": "https://example.org",
                                        "url": "https://example.org"},
                     "license": {"name": "CC0", "url": "https://example.org"},
                     "provider": {"name": "test", "url": "https://example.org"}, "contact": {"name": "test"}},
        "resources": resources,
    }


@contextlib.contextmanager
def pygeoapi_serving(folder: Path, collections: dict[str, dict], *, max_items: int = 100):
    """pygeoapi on 127.0.0.1:<free port> serving `collections`; yields its base URL."""
    binary = pygeoapi_or_skip()
    port = free_port()
    config = folder / "pygeoapi.yml"
    config.write_text(yaml.safe_dump(pygeoapi_config(port, collections, max_items=max_items)), encoding="utf-8")
    openapi = folder / "openapi.yml"
    env = {"PYGEOAPI_CONFIG": str(config), "PYGEOAPI_OPENAPI": str(openapi)}
    subprocess.run([str(binary), "openapi", "generate", str(config), "--output-file", str(openapi)], cwd=folder,
                   env={**os.environ, **env}, check=True, capture_output=True, timeout=120)
    base = f"http://127.0.0.1:{port}"
    with running([str(binary), "serve"], cwd=folder, env=env, ready_url=f"{base}/collections?f=json",
                 log=folder / "pygeoapi.log"):
        yield base


# ---------------------------------------------------------------------------------------------
# Koop
# ---------------------------------------------------------------------------------------------
def koop_or_skip() -> Path:
    node = shutil.which("node")
    if node is None or not (KOOP / "node_modules" / "@koopjs" / "koop-core").is_dir():
        pytest.skip(f"Koop is not installed in {KOOP}/node_modules (.ci/run installs Node.js from Debian and runs "
                    "`npm ci --prefix tests/servers/koop`)")
    return Path(node)


@contextlib.contextmanager
def koop_serving(folder: Path, layers: dict[str, dict]):
    """Koop on 127.0.0.1:<free port>: each layer (GeoJSON file, id field, page limit) a FeatureServer; yields the
    base URL of the services (…/file/rest/services)."""
    node = koop_or_skip()
    port = free_port()
    spec = folder / "koop-layers.json"
    spec.write_text(json.dumps({name: {**v, "data": str(v["data"])} for name, v in layers.items()}), encoding="utf-8")
    base = f"http://127.0.0.1:{port}/file/rest/services"
    first = next(iter(layers))
    with running([str(node), str(KOOP / "server.js")], cwd=KOOP,
                 env={"KOOP_PORT": str(port), "KOOP_LAYERS": str(spec), "SUPPRESS_NO_CONFIG_WARNING": "1"},
                 ready_url=f"{base}/{first}/FeatureServer/0?f=json", log=folder / "koop.log"):
        yield base
