"""WFS 2.0 GetFeature of one feature type as GeoJSON, within the region bbox, paged by startIndex/count.

Why: Rijkswaterstaat publishes the VNDS fairway classes as the WFS feature type `vnds:l_navigability` (class in
`code` / `description`). GeoJSON output (`outputFormat=application/json`) is what GDAL and the other fetchers
write; `srsName` and the bbox's CRS keep request and answer in RD New (easting, northing for EPSG:28992).
Paging: `count` features from `startIndex`, continuing while a page is full or `numberMatched` says more.

Query reference: OGC Web Feature Service 2.0 (GetFeature: typeNames, count, startIndex, srsName, bbox).
"""
from __future__ import annotations

from pipeline.crs import WORKING_EPSG
from pipeline.fetch.files import check_working_crs
from pipeline.fetch.http import FetchError, Http
from pipeline.fetch.paging import Page

CRS_URN = f"urn:ogc:def:crs:EPSG::{WORKING_EPSG}"


def request_params(params: dict, bbox: tuple | None, page_size: int) -> dict:
    if not params.get("typeNames") and not params.get("typeName"):
        raise FetchError("WFS source without params.typeNames (e.g. vnds:l_navigability)")
    request = {"service": "WFS", "version": "2.0.0", "request": "GetFeature", "outputFormat": "application/json",
               "srsName": CRS_URN, "count": int(page_size)}
    if bbox is not None:
        request["bbox"] = ",".join(f"{v:.0f}" for v in bbox) + f",{CRS_URN}"
    request.update(params)
    return request


class WfsPager:
    """Pages of one feature type; state = {"start": index of the first feature of the page}."""

    def __init__(self, url: str, params: dict, bbox, page_size: int):
        self.url = url.split("?", 1)[0]
        self.params = request_params(params, bbox, page_size)
        self.page_size = int(self.params["count"])

    def start(self) -> dict:
        return {"start": 0}

    def fetch(self, http: Http, state: dict) -> Page:
        start = int(state["start"])
        resp = http.get_json(self.url, {**self.params, "startIndex": start},
                             accept="application/geo+json, application/json")
        data = resp.data
        if not isinstance(data, dict) or not isinstance(data.get("features"), list):
            raise FetchError(f"{resp.url}: expected a GeoJSON FeatureCollection (outputFormat=application/json)")
        features = data["features"]
        check_working_crs(features, resp.url)
        matched = data.get("numberMatched")
        matched = int(matched) if isinstance(matched, (int, float)) or str(matched).isdigit() else None
        received = start + len(features)
        more = bool(features) and (received < matched if matched is not None else len(features) >= self.page_size)
        meta = {"url": resp.url}
        if data.get("timeStamp"):
            meta["server_time"] = data["timeStamp"]
        return Page(features=features, next={"start": received} if more else None, number_matched=matched, meta=meta)
