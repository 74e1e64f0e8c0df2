"""Is a downloaded file what it claims to be, and whole? Checked before a download is marked complete.

Servers answer failures with an HTML page and HTTP 200, and a cut-off body can carry a Content-Length that
matches what arrived; neither may be stored as a finished download (a rerun would skip it for ever). So every
file is checked by its kind: an HTML error page is refused for anything that is not .html, and the formats
that say their own length (GeoPackage/SQLite page count, Shapefile header, zip central directory, Parquet
footer) or must parse completely (JSON, GML/XML) are checked for that.
"""
from __future__ import annotations

import json
import struct
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

HTML_STARTS = (b"<!doctype html", b"<html")


def looks_like_html(head: bytes, content_type: str | None) -> bool:
    ctype = (content_type or "").split(";")[0].strip().lower()
    return ctype in ("text/html", "application/xhtml+xml") or head.lstrip()[:20].lower().startswith(HTML_STARTS)


def _head(path: Path, n: int = 100) -> bytes:
    with open(path, "rb") as fh:
        return fh.read(n)


def check_sqlite(path: Path) -> None:
    """A SQLite file (GeoPackage) is exactly page size x page count bytes (header bytes 16-17 and 28-31)."""
    head, size = _head(path), path.stat().st_size
    if not head.startswith(b"SQLite format 3\x00"):
        raise ValueError("not a SQLite/GeoPackage file (header missing)")
    page_size = struct.unpack(">H", head[16:18])[0]
    page_size = 65536 if page_size == 1 else page_size
    pages = struct.unpack(">I", head[28:32])[0]
    if pages and size != page_size * pages:
        raise ValueError(f"GeoPackage is {size:,} bytes but its header says {page_size * pages:,}: cut off")


def check_shapefile(path: Path) -> None:
    """A .shp header says its own length in 16-bit words (bytes 24-27, big-endian)."""
    head, size = _head(path), path.stat().st_size
    if len(head) < 100 or struct.unpack(">i", head[:4])[0] != 9994:
        raise ValueError("not a Shapefile (.shp header missing)")
    if struct.unpack(">i", head[24:28])[0] * 2 != size:
        raise ValueError("Shapefile length differs from its header: cut off")


def check_zip(path: Path) -> None:
    try:
        with zipfile.ZipFile(path) as archive:
            bad = archive.testzip()
    except zipfile.BadZipFile as exc:
        raise ValueError(f"not a complete zip archive ({exc})") from None
    if bad is not None:
        raise ValueError(f"zip member {bad} is damaged")


def check_parquet(path: Path) -> None:
    size = path.stat().st_size
    with open(path, "rb") as fh:
        head = fh.read(4)
        fh.seek(max(0, size - 4))
        tail = fh.read(4)
    if head != b"PAR1" or tail != b"PAR1":
        raise ValueError("not a complete Parquet file (PAR1 markers missing)")


def check_json(path: Path) -> None:
    try:
        with open(path, "rb") as fh:
            json.load(fh)
    except ValueError as exc:
        raise ValueError(f"not complete JSON ({exc})") from None


def check_xml(path: Path) -> None:
    """Well-formed to the end; read as a stream so a large GML needs little memory."""
    try:
        for _, element in ET.iterparse(path, events=("end",)):
            element.clear()
    except ET.ParseError as exc:
        raise ValueError(f"not complete XML/GML ({exc})") from None


CHECKS = {".gpkg": check_sqlite, ".sqlite": check_sqlite, ".shp": check_shapefile, ".zip": check_zip,
          ".parquet": check_parquet, ".geoparquet": check_parquet, ".json": check_json, ".geojson": check_json,
          ".gml": check_xml, ".xml": check_xml}


def check_download(path: Path, target: Path, content_type: str | None = None) -> None:
    """ValueError saying what is wrong when the file at `path` is not a whole file of the kind `target`'s name
    says (path is the partial download, target where it goes)."""
    path = Path(path)
    suffix = Path(target).suffix.lower()
    if path.stat().st_size == 0:
        raise ValueError("empty body")
    if suffix not in (".html", ".htm") and looks_like_html(_head(path, 512), content_type):
        raise ValueError("the server sent an HTML page instead of the file (an error or login page?)")
    check = CHECKS.get(suffix)
    if check is not None:
        check(path)
