"""Shared helpers for the fetch tests (no tests here): recorded responses, a config, proxy-free env.

Every test replays responses from a local pytest-httpserver; nothing touches the internet.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from werkzeug import Response

from pipeline.config import Config
from pipeline.fetch.http import Http

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "fetch"
REQUIRED = ("terreinen", "panden", "verblijfsobjecten", "kades", "vaarwegen", "milieuzones", "netcapaciteit")
BBOX = (170000.0, 388000.0, 182000.0, 398000.0)
GEOJSON = "application/geo+json"


def fixture_text(name: str, base: str | None = None) -> str:
    text = (FIXTURES / name).read_text(encoding="utf-8")
    return text.replace("{base}", base.rstrip("/")) if base is not None else text


def fixture_json(name: str, base: str | None = None):
    return json.loads(fixture_text(name, base))


def reply(text: str, status: int = 200, content_type: str = GEOJSON, headers: dict | None = None) -> Response:
    return Response(text, status=status, content_type=content_type, headers=headers or {})


@pytest.fixture(autouse=True)
def no_proxy_env(monkeypatch):
    """The local test server must be reached directly, whatever proxy the machine has configured."""
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy",
                 "NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)


class Sleeps(list):
    """Records back-off waits instead of sleeping, so tests are fast and can check the waits."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def make_http(**kwargs) -> tuple[Http, Sleeps]:
    sleeps = Sleeps()
    options = {"pogingen": 3, "wachttijd_s": 0.01, "timeout_s": 2.0, "max_wachttijd_s": 60.0, **kwargs}
    return Http(sleep=sleeps, **options), sleeps


def make_config(tmp_path: Path, sources: dict, *, fetch: dict | None = None, bbox=BBOX) -> Config:
    """A valid configuration whose fetched sources point at the test server; the rest are local paths."""
    all_sources = {name: {"path": str(tmp_path / "user" / f"{name}.gpkg")} for name in REQUIRED}
    for name, spec in sources.items():
        spec = dict(spec)
        spec.setdefault("path", str(tmp_path / "raw" / name / f"{name}.geojson"))
        all_sources[name] = spec
    data = {
        "naam": "fetch-test",
        "region": {"bbox": list(bbox) if bbox else None},
        "paths": {"raw": str(tmp_path / "raw"), "processed": str(tmp_path / "processed"),
                  "maps": str(tmp_path / "maps")},
        "sources": all_sources,
        "fetch": {"pagina_grootte": 4, "pogingen": 2, "wachttijd_s": 0.001, "timeout_s": 2.0, "buffer_m": 0.0,
                  **(fetch or {})},
    }
    return Config.model_validate(data)


def ibis_handler(fail_from_offset: int | None = None, offsets: list | None = None):
    """ArcGIS query endpoint serving the three recorded IBIS pages by resultOffset (page size 4)."""
    pages = {0: "arcgis_ibis_page1.geojson", 4: "arcgis_ibis_page2.geojson", 8: "arcgis_ibis_page3.geojson"}

    def handler(request):
        offset = int(request.args["resultOffset"])
        if offsets is not None:
            offsets.append(offset)
        if fail_from_offset is not None and offset >= fail_from_offset:
            return reply('{"error": {"code": 500, "message": "Internal server error."}}', 500,
                         "application/json")
        return reply(fixture_text(pages[offset]))
    return handler


def layer_description(oid: str = "OBJECTID", max_records: int = 2000, oid_in_fields: bool = False) -> dict:
    """An ArcGIS layer description (<layer>?f=json) as services.arcgis.com gives it, reduced to what is read."""
    fields = [{"name": oid, "type": "esriFieldTypeOID", "alias": oid}, {"name": "RIN_NUMMER", "type":
                                                                      "esriFieldTypeInteger"}]
    info = {"currentVersion": 11.3, "id": 0, "type": "Feature Layer", "geometryType": "esriGeometryPolygon",
            "maxRecordCount": max_records, "fields": fields, "supportedQueryFormats": "JSON, geoJSON, PBF"}
    if not oid_in_fields:
        info["objectIdField"] = oid
    return info
