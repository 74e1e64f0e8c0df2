"""ArcGIS FeatureServer layer query, paged with resultOffset / resultRecordCount.

Why these parameters: `f=geojson` gives features readable by GDAL as-is; `outSR` makes the server
project to the working CRS; `orderByFields` (the object id) keeps page boundaries stable while
paging; paging continues while the server says `exceededTransferLimit` is true. ArcGIS puts that
flag in `properties` of a GeoJSON answer and at the top level of an Esri JSON answer: both are read; a server
that gives no flag at all (Koop answering f=geojson) is paged while its pages come back full. `params.f: json`
asks for Esri JSON instead (older servers), converted to GeoJSON by GDAL (esrijson.py).
The object-id field and the largest page (maxRecordCount) are read from the layer's own description
(`<layer>?f=json`) on the first page, never assumed: layers name it OBJECTID, FID, OBJECTID_1, ... The
server may return fewer features than asked, so the next offset advances by the number received. With
a region bbox the query is a spatial one (an envelope in RD New): a province is selected by extent, not by
PROV_NAMEN (a comma list with inconsistent spelling); ingest then selects by GEM_CODES. Every year of a
multi-year layer (IBIS) is kept; ingest keeps the latest.

Query reference: ArcGIS REST API, "Query (Feature Service/Layer)" (`<layer-url>/query`).
"""
from __future__ import annotations

import json
import logging
import re

from pipeline.crs import WORKING_EPSG
from pipeline.fetch import esrijson
from pipeline.fetch.files import check_working_crs
from pipeline.fetch.http import FetchError, Http
from pipeline.fetch.paging import Page

log = logging.getLogger(__name__)

LAYER_URL = re.compile(r"/(FeatureServer|MapServer)/\d+/?$", re.IGNORECASE)
DEFAULTS = {"where": "1=1", "outFields": "*", "returnGeometry": "true"}
MAX_EMPTY_PAGES = 5  # zero features with exceededTransferLimit: continue, but not forever


def is_layer_url(url: str) -> bool:
    """…/FeatureServer/<id> or …/MapServer/<id> (with or without a trailing slash)."""
    return LAYER_URL.search(url.rstrip("/") + "/") is not None


def query_url(url: str) -> str:
    """Accept a layer URL (…/FeatureServer/0) or its query endpoint (…/FeatureServer/0/query)."""
    url = url.rstrip("/")
    if url.lower().endswith("/query"):
        return url
    if not is_layer_url(url):
        raise FetchError(f"{url}: expected an ArcGIS layer URL ending in /FeatureServer/<layer id>")
    return url + "/query"


def layer_url(url: str) -> str:
    """The layer itself (…/FeatureServer/0), whose description names the object-id field."""
    url = url.rstrip("/")
    return url[: -len("/query")] if url.lower().endswith("/query") else url


def query_params(params: dict, page_size: int, bbox: tuple | None = None) -> dict:
    """Request parameters without the paging offset and object-id order (those live in the pager state).

    f is geojson unless params say json (Esri JSON, converted by GDAL: esrijson.py).
    """
    request = dict(DEFAULTS)
    if bbox is not None:
        request.update({"geometry": ",".join(f"{v:.0f}" for v in bbox), "geometryType": "esriGeometryEnvelope",
                        "inSR": str(WORKING_EPSG), "spatialRel": "esriSpatialRelIntersects"})
    request.update(params)
    fmt = str(params.get("f", "geojson")).lower()
    if fmt not in ("geojson", "json"):
        raise FetchError(f"ArcGIS params.f: expected geojson or json (Esri JSON), got {fmt!r}")
    request.update({"f": fmt, "outSR": str(WORKING_EPSG), "resultRecordCount": int(page_size)})
    return request


def object_id_field(info: dict, url: str) -> str:
    """The layer's object-id field: `objectIdField`, else the field of type esriFieldTypeOID."""
    if isinstance(info.get("objectIdField"), str) and info["objectIdField"]:
        return info["objectIdField"]
    oid = [f.get("name") for f in info.get("fields") or [] if isinstance(f, dict)
           and f.get("type") == "esriFieldTypeOID" and f.get("name")]
    if not oid:
        raise FetchError(f"{url}: the layer description names no object-id field (objectIdField or a field of "
                         "type esriFieldTypeOID); set params.orderByFields")
    return oid[0]


def exceeded_transfer_limit(data: dict) -> bool | None:
    """The server's `exceededTransferLimit` (GeoJSON: in properties; Esri JSON: top level); None when absent."""
    props = data.get("properties") if isinstance(data.get("properties"), dict) else {}
    for where in (props, data):
        if "exceededTransferLimit" in where:
            return bool(where["exceededTransferLimit"])
    return None


class ArcGISPager:
    """Pages of one layer query; state = {"offset": n, "empty": consecutive empty pages, "order": object-id
    field, "count": page size} (order and count from the layer description on the first page)."""

    def __init__(self, url: str, params: dict, page_size: int, bbox: tuple | None = None):
        self.url = query_url(url)
        self.layer = layer_url(url)
        self.params = query_params(params, page_size, bbox)  # what identifies the download (manifest)
        self.page_size = int(page_size)
        self.resolved: dict | None = None

    def start(self) -> dict:
        return {"offset": 0, "empty": 0}

    def describe(self, http: Http, state: dict | None = None) -> dict:
        """Object-id field and page size from the layer description (kept in the state once known)."""
        if state and "order" in state:
            self.resolved = {"order": state["order"], "count": state["count"]}
        if self.resolved is None:
            info = http.get_json(self.layer, {"f": "json"}).data
            order = self.params.get("orderByFields") or object_id_field(info, self.layer)
            limit = info.get("maxRecordCount")
            count = min(self.page_size, int(limit)) if isinstance(limit, (int, float)) and limit > 0 else \
                self.page_size
            self.resolved = {"order": order, "count": count}
            log.info("%s: object-id field %s, %d features per page", self.layer, order, count)
        return self.resolved

    def fetch(self, http: Http, state: dict) -> Page:
        offset = int(state["offset"])
        known = self.describe(http, state)
        request = {**self.params, "orderByFields": known["order"], "resultRecordCount": known["count"],
                   "resultOffset": offset}
        resp = http.get_json(self.url, request, accept="application/geo+json, application/json")
        data = resp.data
        if not isinstance(data, dict) or not isinstance(data.get("features"), list):
            raise FetchError(f"{resp.url}: expected a GeoJSON FeatureCollection, got "
                             f"{type(data).__name__} with keys {sorted(data)[:8] if isinstance(data, dict) else '-'}")
        features = data["features"]
        if features and "attributes" in features[0] and "properties" not in features[0]:
            features = esrijson.to_geojson_features(data, resp.url)
        check_working_crs(features, resp.url)
        # a server that does not say (Koop's f=geojson) has more while its pages come back full
        flag = exceeded_transfer_limit(data)
        more = flag if flag is not None else len(features) >= known["count"]
        first = json.dumps(features[0], sort_keys=True)[:2000] if features else None
        if first is not None and first == state.get("first"):
            raise FetchError(f"{resp.url}: the page at offset {offset} starts with the same feature as the one "
                             "before: the server ignores resultOffset, so paging cannot continue")
        empty = 0 if features else int(state.get("empty", 0)) + 1
        if more and empty >= MAX_EMPTY_PAGES:
            raise FetchError(f"{resp.url}: {empty} empty pages in a row while the server still reports "
                             "exceededTransferLimit; giving up")
        step = len(features) if features else known["count"]
        next_state = {"offset": offset + step, "empty": empty, "first": first, **known} if more else None
        meta = {"offset": offset}
        if resp.headers.get("Last-Modified"):
            meta["last_modified"] = resp.headers["Last-Modified"]
        return Page(features=features, next=next_state, meta=meta)
