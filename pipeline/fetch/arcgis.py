"""ArcGIS FeatureServer layer query, paged with resultOffset / resultRecordCount.

Why these parameters: `f=geojson` gives features readable by GDAL as-is; `outSR` makes the server
project to the working CRS; `orderByFields` (the object id) keeps page boundaries stable while
paging; paging continues while the server says `exceededTransferLimit` is true. ArcGIS puts that
flag in `properties` of a GeoJSON answer and at the top level of an Esri JSON answer: both are read.
The server may return fewer features than asked (its maxRecordCount), so the next offset advances
by the number received. Every year of a multi-year layer (IBIS) is kept; ingest keeps the latest.

Query reference: ArcGIS REST API, "Query (Feature Service/Layer)" (`<layer-url>/query`).
"""
from __future__ import annotations

import logging
import re

from pipeline.crs import WORKING_EPSG
from pipeline.fetch.files import check_working_crs
from pipeline.fetch.http import FetchError, Http
from pipeline.fetch.paging import Page

log = logging.getLogger(__name__)

LAYER_URL = re.compile(r"/(FeatureServer|MapServer)/\d+/?$", re.IGNORECASE)
DEFAULTS = {"where": "1=1", "outFields": "*", "orderByFields": "OBJECTID", "returnGeometry": "true"}
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


def query_params(params: dict, page_size: int) -> dict:
    """Request parameters without the paging offset (that lives in the pager state)."""
    request = {**DEFAULTS, **params}
    request.update({"f": "geojson", "outSR": str(WORKING_EPSG), "resultRecordCount": int(page_size)})
    return request


def exceeded_transfer_limit(data: dict) -> bool:
    props = data.get("properties") if isinstance(data.get("properties"), dict) else {}
    return bool(props.get("exceededTransferLimit") or data.get("exceededTransferLimit"))


class ArcGISPager:
    """Pages of one layer query; state = {"offset": n, "empty": consecutive empty pages}."""

    def __init__(self, url: str, params: dict, page_size: int):
        self.url = query_url(url)
        self.params = query_params(params, page_size)
        self.page_size = int(page_size)

    def start(self) -> dict:
        return {"offset": 0, "empty": 0}

    def fetch(self, http: Http, state: dict) -> Page:
        offset = int(state["offset"])
        resp = http.get_json(self.url, {**self.params, "resultOffset": offset},
                             accept="application/geo+json, application/json")
        data = resp.data
        if not isinstance(data, dict) or not isinstance(data.get("features"), list):
            raise FetchError(f"{resp.url}: expected a GeoJSON FeatureCollection, got "
                             f"{type(data).__name__} with keys {sorted(data)[:8] if isinstance(data, dict) else '-'}")
        features = data["features"]
        if features and "attributes" in features[0] and "properties" not in features[0]:
            raise FetchError(f"{resp.url}: got Esri JSON features; request f=geojson (remove 'f' from params)")
        check_working_crs(features, resp.url)
        more = exceeded_transfer_limit(data)
        empty = 0 if features else int(state.get("empty", 0)) + 1
        if more and empty >= MAX_EMPTY_PAGES:
            raise FetchError(f"{resp.url}: {empty} empty pages in a row while the server still reports "
                             "exceededTransferLimit; giving up")
        step = len(features) if features else self.page_size
        next_state = {"offset": offset + step, "empty": empty} if more else None
        meta = {"offset": offset}
        if resp.headers.get("Last-Modified"):
            meta["last_modified"] = resp.headers["Last-Modified"]
        return Page(features=features, next=next_state, meta=meta)
