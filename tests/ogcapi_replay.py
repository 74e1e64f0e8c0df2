"""A local OGC API Features server replaying recorded features as PDOK (gokoala) answers (no tests here).

Used by the per_terrein fetch tests and by benchmarks/fetch_bench.py. Real HTTP on 127.0.0.1, one thread per
request (ThreadingHTTPServer), so parallel clients really overlap. `…/collections/<id>/items` answers:
- `bbox` (+ `bbox-crs`): the features whose geometry intersects the box (all without a bbox);
- cursor paging by `rel="next"` links that repeat the query with `cursor=…`, `limit` capped at `max_limit`;
- `numberMatched` only when `number_matched=True` (PDOK leaves it out);
- every answer after `latency_s` (a remote server's think time), `Content-Crs` of RD New.
It records every request's query (`requests`) and the most requests it was answering at once (`max_concurrent`);
`fail` maps a (bbox, cursor) to an HTTP status to answer once (to interrupt a download).
"""
from __future__ import annotations

import contextlib
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlencode, urlsplit

import numpy as np
import shapely

RD_URI = "http://www.opengis.net/def/crs/EPSG/0/28992"


class Collection:
    """Features (GeoJSON dicts in RD New) with a spatial index; each kept as its JSON text."""

    def __init__(self, features: list[dict]):
        self.texts = [json.dumps(f, separators=(",", ":")) for f in features]
        self.tree = shapely.STRtree(np.array([shapely.geometry.shape(f["geometry"]) for f in features]))
        self._cache: dict[str, np.ndarray] = {}

    def matching(self, bbox: str | None) -> np.ndarray:
        """Positions of the features intersecting `bbox` ("xmin,ymin,xmax,ymax"), in feature order."""
        if bbox is None:
            return np.arange(len(self.texts))
        if bbox not in self._cache:
            found = self.tree.query(shapely.box(*map(float, bbox.split(","))), predicate="intersects")
            self._cache[bbox] = np.sort(found)
        return self._cache[bbox]


class Replay:
    """The server's state: collections by id, settings, and what it saw."""

    def __init__(self, collections: dict[str, list[dict]], *, latency_s: float = 0.0, max_limit: int = 1000,
                 number_matched: bool = False):
        self.collections = {name: Collection(features) for name, features in collections.items()}
        self.latency_s, self.max_limit, self.number_matched = latency_s, max_limit, number_matched
        self.requests: list[dict] = []
        self.fail: dict[tuple, int] = {}
        self.max_concurrent = 0
        self._active = 0
        self._lock = threading.Lock()
        self.base = ""

    def answer(self, path: str, query: dict) -> tuple[int, str]:
        name = path.rstrip("/").split("/collections/", 1)[-1].removesuffix("/items")
        if name not in self.collections or not path.rstrip("/").endswith("/items"):
            return 404, json.dumps({"title": "Not Found", "detail": f"no collection {name!r}"})
        if (status := self.fail.pop((query.get("bbox"), query.get("cursor")), None)) is not None:
            return status, json.dumps({"title": "Bad Request", "detail": "recorded failure"})
        collection = self.collections[name]
        found = collection.matching(query.get("bbox"))
        start = int(query.get("cursor", "0"))
        limit = min(int(query.get("limit", 10)), self.max_limit)
        page = found[start:start + limit]
        url = f"{self.base}{path}"
        links = [{"rel": "self", "type": "application/geo+json", "href": f"{url}?{urlencode(query)}"}]
        if start + limit < len(found):
            links.append({"rel": "next", "title": "Next page", "type": "application/geo+json",
                          "href": f"{url}?{urlencode({**query, 'cursor': str(start + limit), 'f': 'json'})}"})
        head = {"type": "FeatureCollection", "timeStamp": "2026-04-20T09:12:44Z", "links": links,
                "numberReturned": len(page)}
        if self.number_matched:
            head["numberMatched"] = len(found)
        body = json.dumps(head)[:-1] + ', "features": [' + ",".join(collection.texts[i] for i in page) + "]}"
        return 200, body

    def handle(self, path: str, query: dict) -> tuple[int, str]:
        with self._lock:
            self.requests.append({"path": path, **query})
            self._active += 1
            self.max_concurrent = max(self.max_concurrent, self._active)
        try:
            time.sleep(self.latency_s)
            return self.answer(path, query)
        finally:
            with self._lock:
                self._active -= 1


def _handler(replay: Replay):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self):  # noqa: N802 - the name http.server calls
            parts = urlsplit(self.path)
            status, body = replay.handle(parts.path, dict(parse_qsl(parts.query, keep_blank_values=True)))
            data = body.encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "application/geo+json" if status == 200 else "application/problem+json")
            self.send_header("Content-Crs", f"<{RD_URI}>")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):  # quiet
            pass
    return Handler


@contextlib.contextmanager
def serving(replay: Replay):
    """The replay on 127.0.0.1:<free port> in a background thread; yields its base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(replay))
    server.daemon_threads = True
    replay.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield replay.base
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
