"""One HTTP client for every download: proxy-aware, patient with flaky servers, loud about real errors.

Why a wrapper around `requests`: public services (ArcGIS Online, PDOK) throttle (429), have bad
minutes (5xx, timeouts, cut-off bodies) and answer mistakes with an error document. Transient faults
are retried with exponential back-off (a server's `Retry-After` wins); a 4xx is a mistake in the
request that no retry fixes, so it fails at once with the URL and the server's own message.

A host that cannot be reached at all (its name is not found, or it refuses the connection) on its first
request is no flaky server: that fails at once (`Unreachable`), without minutes of retries. Log lines name the
host and path, not the whole query string. Big single files stream to a `.part` file and resume with an HTTP
Range request where the server supports it (`get_file`).

Proxies: the session keeps `trust_env`, so HTTP_PROXY / HTTPS_PROXY / NO_PROXY from the environment
apply as usual. Threads (the boxes of a per_terrein source) each get a session of their own, as requests does not
promise that one Session is safe to share; the request count is kept under a lock.
"""
from __future__ import annotations

import email.utils
import json
import logging
import re
import socket
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable
from urllib.parse import urlsplit

import requests
import urllib3

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
    urllib3.exceptions.HTTPError,  # read timeouts and cut-off bodies while streaming a file (get_file)
)


class FetchError(ValueError):
    """A download that cannot succeed (bad request, or still failing after every attempt).

    A ValueError so the CLI reports it as a plain error message, not a traceback.
    """


class Unreachable(FetchError):
    """The host cannot be reached at all (name not found, connection refused): retrying will not help."""


def unreachable_reason(exc: BaseException) -> str | None:
    """'name not found (DNS)' / 'connection refused' when that is what lies under a requests error."""
    stack, seen = [exc], set()
    while stack:
        e = stack.pop()
        if e is None or id(e) in seen:
            continue
        seen.add(id(e))
        if isinstance(e, socket.gaierror) or type(e).__name__ == "NameResolutionError":
            return "its name is not found (DNS)"
        if isinstance(e, ConnectionRefusedError):
            return "it refuses the connection"
        stack += [e.__cause__, e.__context__, getattr(e, "reason", None),
                  *[a for a in getattr(e, "args", ()) if isinstance(a, BaseException)]]
    return None


def where(url: str) -> str:
    """Host and path of a URL, for log lines and messages (no query string)."""
    parts = urlsplit(url)
    return f"{parts.netloc}{parts.path}"


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
        self._lock = threading.Lock()
        self._local = threading.local()
        self._sessions: list[requests.Session] = []
        self._local.session = self._register(session or requests.Session())
        self.requests_made = 0
        self.reached: set[str] = set()  # hosts that answered at least once

    @classmethod
    def from_config(cls, fetch, **kwargs) -> "Http":
        return cls(pogingen=fetch.pogingen, wachttijd_s=fetch.wachttijd_s, timeout_s=fetch.timeout_s,
                   max_wachttijd_s=fetch.max_wachttijd_s, **kwargs)

    def _register(self, session: requests.Session) -> requests.Session:
        session.trust_env = True  # HTTP(S)_PROXY / NO_PROXY from the environment
        session.headers.setdefault("User-Agent", USER_AGENT)
        with self._lock:
            self._sessions.append(session)
        return session

    @property
    def session(self) -> requests.Session:
        """This thread's session (the one given to the constructor in the thread that made this client)."""
        session = getattr(self._local, "session", None)
        if session is None:
            session = self._local.session = self._register(requests.Session())
        return session

    def _count(self) -> None:
        with self._lock:
            self.requests_made += 1

    def close(self) -> None:
        with self._lock:
            sessions, self._sessions = self._sessions, []
        for session in sessions:
            session.close()

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

    # -----------------------------------------------------------------------------------------
    def _request(self, url: str, params: dict | None, parse, *, accept: str) -> Response:
        problem = ""
        for attempt in range(1, self.pogingen + 1):
            wait_hint = None
            try:
                self._count()
                resp = self._get(url, params, headers={"Accept": accept})
                status = resp.status_code
                if status == 429 or status >= 500:
                    raise _Transient(f"HTTP {status}: {server_message(resp.content)}",
                                     retry_after_seconds(resp.headers.get("Retry-After")))
                if status >= 400:
                    raise FetchError(f"HTTP {status} from {where(resp.url)}: {server_message(resp.content)}")
                return parse(resp)
            except TRANSIENT_EXCEPTIONS as exc:
                problem = f"{type(exc).__name__}: {exc}"
            except _Transient as exc:
                problem, wait_hint = str(exc), exc.wait
            except requests.RequestException as exc:  # bad URL, too many redirects, ...: not transient
                raise FetchError(f"{where(url)}: {type(exc).__name__}: {exc}") from exc
            if attempt == self.pogingen:
                break
            wait = wait_hint if wait_hint is not None else self.wachttijd_s * 2 ** (attempt - 1)
            wait = min(wait, self.max_wachttijd_s)
            log.warning("%s: attempt %d/%d failed (%s); retrying in %.1f s",
                        where(url), attempt, self.pogingen, _short(problem), wait)
            self.sleep(wait)
        raise FetchError(f"{where(url)}: still failing after {self.pogingen} attempt(s); last problem: {problem}")

    def _get(self, url: str, params: dict | None, *, headers: dict, stream: bool = False) -> requests.Response:
        """One GET; a host never reached that cannot be reached at all raises Unreachable at once."""
        host = urlsplit(url).netloc
        try:
            resp = self.session.get(url, params=params, timeout=self.timeout_s, headers=headers, stream=stream)
        except requests.ConnectionError as exc:
            reason = unreachable_reason(exc)
            if reason and host not in self.reached:
                raise Unreachable(f"cannot reach {host}: {reason}. Without a network, work with local files "
                                  "(a source's `path` without `url`), or run `pipeline fetch` where there is one") \
                    from None
            raise
        self.reached.add(host)
        return resp

    def size(self, url: str, params: dict | None = None) -> int | None:
        """The file's size from a HEAD request's Content-Length, or None when the server does not say (or fails):
        only for telling the user what a download will take, so no retries."""
        self._count()
        try:
            resp = self.session.head(url, params=params, timeout=self.timeout_s, allow_redirects=True)
        except requests.RequestException:
            return None
        length = resp.headers.get("Content-Length", "")
        return int(length) if resp.ok and length.isdigit() else None

    # -----------------------------------------------------------------------------------------
    def get_file(self, url: str, params: dict | None, part: Path) -> dict:
        """Stream a file into `part`, resuming with HTTP Range after a break (or from an earlier run's part);
        returns the response headers. A body shorter than announced is a break, retried from where it stopped."""
        problem = ""
        for attempt in range(1, self.pogingen + 1):
            try:
                self._count()
                return self._stream_once(url, params, part)
            except TRANSIENT_EXCEPTIONS as exc:
                problem = f"{type(exc).__name__}: {exc}"
            except _Transient as exc:
                problem = str(exc)
            if attempt < self.pogingen:
                wait = min(self.wachttijd_s * 2 ** (attempt - 1), self.max_wachttijd_s)
                log.warning("%s: download broke off at %s bytes (%s); resuming in %.1f s", where(url),
                            f"{part.stat().st_size:,}" if part.exists() else 0, _short(problem), wait)
                self.sleep(wait)
        raise FetchError(f"{where(url)}: download still incomplete after {self.pogingen} attempt(s); "
                         f"last problem: {problem}")

    def _stream_once(self, url: str, params: dict | None, part: Path) -> dict:
        have = part.stat().st_size if part.exists() else 0
        headers = {"Accept": "*/*", **({"Range": f"bytes={have}-"} if have else {})}
        with self._get(url, params, headers=headers, stream=True) as resp:
            if resp.status_code == 416:  # the part is already whole (or stale): start over
                part.unlink(missing_ok=True)
                raise _Transient("range not satisfiable; starting over")
            if resp.status_code == 429 or resp.status_code >= 500:
                raise _Transient(f"HTTP {resp.status_code}: {server_message(resp.content)}")
            if resp.status_code >= 400:
                raise FetchError(f"HTTP {resp.status_code} from {where(url)}: {server_message(resp.content)}")
            resumed = resp.status_code == 206 and _range_start(resp.headers.get("Content-Range")) == have
            total = _expected_size(resp, have if resumed else 0)
            part.parent.mkdir(parents=True, exist_ok=True)
            with open(part, "ab" if resumed else "wb") as fh:
                while chunk := resp.raw.read1(1 << 20):  # what has arrived: a break keeps all it got
                    fh.write(chunk)
            if total is not None and part.stat().st_size < total:
                raise _Transient(f"body ended at {part.stat().st_size:,} of {total:,} bytes")
            return dict(resp.headers)


def _range_start(content_range: str | None) -> int | None:
    match = re.match(r"bytes (\d+)-\d+/", content_range or "")
    return int(match.group(1)) if match else None


def _expected_size(resp: requests.Response, offset: int) -> int | None:
    """The complete file's size: from Content-Range (206) or offset + Content-Length (200)."""
    match = re.match(r"bytes \d+-\d+/(\d+)", resp.headers.get("Content-Range") or "")
    if match:
        return int(match.group(1))
    length = resp.headers.get("Content-Length")
    return offset + int(length) if length and length.isdigit() and "Content-Encoding" not in resp.headers else None


def _short(text: str, limit: int = 160) -> str:
    return text if len(text) <= limit else text[:limit] + "..."
