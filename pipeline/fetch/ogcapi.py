"""OGC API Features items of one collection within a bounding box, following `next` links.

Why: PDOK (BAG, BGT, vaarwegen) serves OGC API Features with cursor paging: each page links to the
next one (`rel="next"`), and the last page has no such link; page size is `limit` (PDOK allows up
to 1000). `bbox` with `bbox-crs` and `crs` set to RD New keeps the request and the answer in the
working CRS. `numberMatched` is optional in the standard (PDOK usually omits it): when present it
sizes the progress bar and is checked against the count received.

Query reference: OGC API - Features Part 1 (items: limit, bbox, next link) and Part 2 (crs, bbox-crs).
"""
from __future__ import annotations

import logging
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from pipeline.crs import WORKING_EPSG
from pipeline.fetch.files import check_working_crs
from pipeline.fetch.http import FetchError, Http
from pipeline.fetch.paging import Page

log = logging.getLogger(__name__)

CRS_URI = f"http://www.opengis.net/def/crs/EPSG/0/{WORKING_EPSG}"
NEXT_TYPES = ("application/geo+json", "application/json", None)


def items_url(url: str) -> str:
    """Accept …/collections/<id> or …/collections/<id>/items; anything else is a configuration error."""
    parts = urlsplit(url)
    path = parts.path.rstrip("/")
    if path.endswith("/items"):
        pass
    elif "/collections/" in path and path.rsplit("/collections/", 1)[1].count("/") == 0:
        path += "/items"
    else:
        raise FetchError(f"{url}: expected an OGC API Features collection URL (…/collections/<id>[/items])")
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


def request_params(params: dict, bbox: tuple[float, float, float, float] | None, page_size: int) -> dict:
    request = {"f": "json", "limit": int(page_size), "crs": CRS_URI}
    if bbox is not None:
        request["bbox"] = ",".join(f"{v:.0f}" if float(v).is_integer() else f"{v:.3f}" for v in bbox)
        request["bbox-crs"] = CRS_URI
    request.update(params)
    return request


def next_link(data: dict) -> str | None:
    for wanted in NEXT_TYPES:
        for link in data.get("links") or []:
            if isinstance(link, dict) and link.get("rel") == "next" and link.get("type") == wanted and link.get("href"):
                return link["href"]
    return None


def with_missing_params(href: str, params: dict) -> str:
    """Some servers drop parameters from their next links; put back the ones we rely on."""
    parts = urlsplit(href)
    query = parse_qsl(parts.query, keep_blank_values=True)
    present = {k for k, _ in query}
    query += [(k, str(v)) for k, v in params.items() if k not in present and k in ("crs", "bbox", "bbox-crs", "f")]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), parts.fragment))


class OgcApiPager:
    """Pages of one collection; state = {"url": ..., "first": bool}."""

    def __init__(self, url: str, params: dict, bbox, page_size: int):
        self.url = items_url(url)
        self.params = request_params(params, bbox, page_size)

    def start(self) -> dict:
        return {"url": self.url, "first": True}

    def fetch(self, http: Http, state: dict) -> Page:
        url = state["url"]
        resp = http.get_json(url, self.params if state.get("first") else None,
                             accept="application/geo+json, application/json")
        data = resp.data
        if not isinstance(data, dict) or data.get("type") != "FeatureCollection" or not isinstance(data.get("features"), list):
            raise FetchError(f"{resp.url}: expected a GeoJSON FeatureCollection from the items endpoint")
        features = data["features"]
        content_crs = resp.headers.get("Content-Crs") or resp.headers.get("content-crs")
        if content_crs and str(WORKING_EPSG) not in content_crs:
            raise FetchError(f"{resp.url}: answered in {content_crs}, not {CRS_URI}")
        check_working_crs(features, resp.url)
        href = next_link(data)
        if href and features:
            href = with_missing_params(href, self.params)
            if href == resp.url:
                raise FetchError(f"{resp.url}: the next link points to the same page; stopping")
            next_state = {"url": href, "first": False}
        else:
            next_state = None
        meta = {"url": resp.url}
        if data.get("timeStamp"):
            meta["server_time"] = data["timeStamp"]
        matched = data.get("numberMatched")
        return Page(features=features, next=next_state,
                    number_matched=int(matched) if isinstance(matched, (int, float)) else None, meta=meta)

    def number_matched(self, http: Http) -> int | None:
        """The server's count of matching features (one request for a single feature); None when it gives none."""
        resp = http.get_json(self.url, {**self.params, "limit": 1}, accept="application/geo+json, application/json")
        matched = resp.data.get("numberMatched") if isinstance(resp.data, dict) else None
        return int(matched) if isinstance(matched, (int, float)) and not isinstance(matched, bool) else None
