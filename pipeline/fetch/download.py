"""A single file downloaded as-is (kind `file`, the im-capaciteitskaart JSON, a bulk GeoPackage), no paging.

Why its own module: every kind of source that is one published file shares it (`capaciteitskaart`, `bulk`, and
`fetch_source` for kind file): resumable with HTTP Range, checked to be whole before it counts as complete, and
skipped on a rerun with the same url and parameters (its manifest, as a paged download has).
"""
from __future__ import annotations

import logging
from pathlib import Path

from pipeline.fetch.http import FetchError, Http, where
from pipeline.fetch.manifest import Manifest
from pipeline.fetch.paging import Outcome, skip_if_complete
from pipeline.fetch.validate import check_download
from pipeline.io import sha256_file

log = logging.getLogger(__name__)


def part_path(target: Path) -> Path:
    """Where the body of `target` streams to until it is whole (kept for the next attempt after a break)."""
    return target.with_name(f".{target.name}.part")


def fetch_file(*, source: str, target: Path, url: str, params: dict, http: Http, kind: str,
               force: bool = False, validate=None, describe=None) -> Outcome:
    """A single file downloaded as-is (no paging), resumable with HTTP Range, checked before it counts as complete.

    The body streams into `.<name>.part` beside the target (kept for the next attempt when the run breaks off);
    it must be a whole file of the kind its name says (pipeline.fetch.validate) and pass `validate`, then it is
    renamed into place and the manifest marked complete."""
    request = dict(params)
    if not force and (done := skip_if_complete(source, target, url, kind, request)) is not None:
        return done
    part = part_path(target)
    if force:
        part.unlink(missing_ok=True)
    manifest = Manifest.new(target, source=source, url=url, kind=kind, request=request)
    manifest.save()
    before = http.requests_made
    headers = http.get_file(url, request or None, part)
    try:
        check_download(part, target, headers.get("Content-Type"))
        content = part.read_bytes() if (validate or describe) else b""
        if validate is not None:
            validate(content)
    except ValueError as exc:
        part.unlink()
        raise FetchError(f"{where(url)}: the download is not usable: {exc}; nothing was stored") from None
    part.replace(target)
    facts = describe(content) if describe else {}
    if headers.get("Last-Modified"):
        facts.setdefault("last_modified", headers["Last-Modified"])
    size = target.stat().st_size
    digest = sha256_file(target)
    manifest.complete(bytes=size, sha256=digest, **facts)
    log.info("%s: downloaded %s (%.1f MB)", source, target, size / 1e6)
    return Outcome(source, "downloaded", target, facts.get("features"), size, digest,
                   facts.get("peildatum"), http.requests_made - before)
