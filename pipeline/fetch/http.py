"""One HTTP client for every download: proxy-aware, patient with flaky servers, loud about real errors.

Why a wrapper around `requests`: public services (ArcGIS Online, PDOK) throttle (429), have bad
minutes (5xx, timeouts, cut-off bodies) and answer mistakes with an error document. Transient faults
are retried with exponential back-off (a server's `Retry-After` wins); a 4xx is a mistake in the
request that no retry fixes, so it fails at once with the URL and the server's own message.

Proxies: the session keeps `trust_env`, so HTTP_PROXY / HTTPS_PROXY / NO_PROXY from the environment
apply as usual.
"""
from __future__ import annotations

import email.utils
import json
import logging
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Callable

import requests

from pipeline import __version__

log = logging.getLogger(__name__)

USER_AGENT = f"strategische-vestigingsplaatsen/{__version__} (pipeline fetch; python-requests)"

# ArcGIS answers many errors with HTTP 200 and {"error": {"code": ...}}: these codes are transient
TRANSIENT_ERROR_CODES = {429, 498, 499, 500, 502, 503, 504}
TRANSIENT_EXCEPTIONS = (
    requests.Timeout,
    requests.ConnectionError,
    requests.exceptions.ChunkedEncodingError,
    requests.exceptions.ContentDecodingError,
)


class FetchError(ValueError):
    """A download that cannot succeed (bad request, or still failing after every attempt).

    A ValueError so the CLI reports it as a plain error message, not a traceback.
    """


class _Transient(Exception):
    """A fault worth another attempt; `wait` is the server's Retry-After in seconds, if it gave one."""

    def __init__(self, message: str, wait: float | None = None):
        super().__init__(message)
        self.wait = wait


@dataclass
class Response:
    """What a caller needs from one successful request."""
    url: str
    data: Any = None              # parsed JSON (get_json)
    content: bytes = b""          # raw body (get_bytes)
    headers: dict = field(default_factory=dict)


def retry_after_seconds(value: str | None) -> float | None:
    """Parse Retry-After: either delta-seconds or an HTTP date (RFC 9110)."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())


def server_message(body: bytes | str, limit: int = 500) -> str:
    """The server's own explanation: ArcGIS {"error": ...}, OGC problem+json, or the start of the text."""
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    try:
        data = json.loads(text)
    except ValueError:
        data = None
    if isinstance(data, dict):
        err = data.get("error")
        if isinstance(err, dict):
            parts = [str(err.get("message") or "").strip()]
            details = [str(d) for d in (err.get("details") or []) if d]
            if details:
                parts.append("; ".join(details))
            if err.get("code") is not None:
                parts.append(f"(code {err['code']})")
            return " ".join(p for p in parts if p)
        if "title" in data or "detail" in data:  # RFC 7807 problem details (PDOK gokoala)
            return ": ".join(str(data[k]) for k in ("title", "detail") if data.get(k))
        if isinstance(data.get("description"), str):  # OGC exception JSON
            return data["description"]
    text = " ".join(text.split())
    return text[:limit] + ("..." if len(text) > limit else "") if text else "(empty body)"


class Http:
    """A requests Session with retries; one per `pipeline fetch` run."""

    def __init__(self, *, pogingen: int = 5, wachttijd_s: float = 1.0, timeout_s: float = 60.0,
                 max_wachttijd_s: float = 300.0, session: requests.Session | None = None,
                 sleep: Callable[[float], None] = time.sleep):
        self.pogingen = pogingen
        self.wachttijd_s = wachttijd_s
        self.timeout_s = timeout_s
        self.max_wachttijd_s = max_wachttijd_s
        self.sleep = sleep
        self.session = session or requests.Session()
        self.session.trust_env = True  # HTTP(S)_PROXY / NO_PROXY from the environment
        self.session.headers.setdefault("User-Agent", USER_AGENT)
        self.requests_made = 0

    @classmethod
    def from_config(cls, fetch, **kwargs) -> "Http":
        return cls(pogingen=fetch.pogingen, wachttijd_s=fetch.wachttijd_s, timeout_s=fetch.timeout_s,
                   max_wachttijd_s=fetch.max_wachttijd_s, **kwargs)

    def close(self) -> None:
        self.session.close()

    # -----------------------------------------------------------------------------------------
    def get_json(self, url: str, params: dict | None = None, *, accept: str = "application/json") -> Response:
        """GET a JSON document; a body that does not parse (cut off) counts as a transient fault."""
        def parse(resp: requests.Response) -> Response:
            try:
                data = json.loads(resp.content)
            except ValueError as exc:
                raise _Transient(f"response is not valid JSON ({exc}; {len(resp.content):,} bytes, "
                                 f"starts {resp.content[:80]!r})") from None
            if isinstance(data, dict) and isinstance(data.get("error"), dict):
                code = data["error"].get("code")
                if isinstance(code, int) and code in TRANSIENT_ERROR_CODES:
                    raise _Transient(f"server error in body: {server_message(resp.content)}")
                raise FetchError(f"request refused by {resp.url}: {server_message(resp.content)}")
            return Response(url=resp.url, data=data, headers=dict(resp.headers))
        return self._request(url, params, parse, accept=accept)

    def get_bytes(self, url: str, params: dict | None = None, *,
                  validate: Callable[[bytes], None] | None = None) -> Response:
        """GET a file as-is; `validate` may raise ValueError to mark a damaged body (retried)."""
        def parse(resp: requests.Response) -> Response:
            if validate is not None:
                try:
                    validate(resp.content)
                except ValueError as exc:
                    raise _Transient(f"damaged body ({exc}; {len(resp.content):,} bytes)") from None
            return Response(url=resp.url, content=resp.content, headers=dict(resp.headers))
        return self._request(url, params, parse, accept="*/*")

    # -----------------------------------------------------------------------------------------
    def _request(self, url: str, params: dict | None, parse, *, accept: str) -> Response:
        problem = ""
        for attempt in range(1, self.pogingen + 1):
            wait_hint = None
            try:
                self.requests_made += 1
                resp = self.session.get(url, params=params, timeout=self.timeout_s,
                                        headers={"Accept": accept})
                status = resp.status_code
                if status == 429 or status >= 500:
                    raise _Transient(f"HTTP {status}: {server_message(resp.content)}",
                                     retry_after_seconds(resp.headers.get("Retry-After")))
                if status >= 400:
                    raise FetchError(f"HTTP {status} from {resp.url}: {server_message(resp.content)}")
                return parse(resp)
            except TRANSIENT_EXCEPTIONS as exc:
                problem = f"{type(exc).__name__}: {exc}"
            except _Transient as exc:
                problem, wait_hint = str(exc), exc.wait
            except requests.RequestException as exc:  # bad URL, too many redirects, ...: not transient
                raise FetchError(f"{_with_query(url, params)}: {type(exc).__name__}: {exc}") from exc
            if attempt == self.pogingen:
                break
            wait = wait_hint if wait_hint is not None else self.wachttijd_s * 2 ** (attempt - 1)
            wait = min(wait, self.max_wachttijd_s)
            log.warning("%s: attempt %d/%d failed (%s); retrying in %.1f s",
                        _short(url), attempt, self.pogingen, problem, wait)
            self.sleep(wait)
        raise FetchError(f"{_with_query(url, params)}: still failing after {self.pogingen} attempt(s); "
                         f"last problem: {problem}")


def _short(url: str, limit: int = 120) -> str:
    return url if len(url) <= limit else url[:limit] + "..."


def _with_query(url: str, params: dict | None) -> str:
    if not params:
        return url
    return requests.Request("GET", url, params=params).prepare().url or url
