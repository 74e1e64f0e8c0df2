"""Part files of a paged download and the merge into one GeoJSON FeatureCollection.

Why part files: each page is written to `.parts/<target name>/` as soon as it arrives, so a crash
loses at most the page in flight. The merge streams the parts into a temporary file beside the
target and renames it into place, then removes the parts; a reader never sees half a file.

The merged file carries a `crs` member naming the working CRS: OGC API servers answer `crs=...28992`
with plain RFC 7946-shaped GeoJSON (the CRS only in a `Content-Crs` header), which GDAL would
otherwise read as WGS84.
"""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Iterable, Iterator

from pipeline.crs import WORKING_CRS, WORKING_EPSG
from pipeline.fetch.http import FetchError
from pipeline.io import atomic_path, write_json

CRS_MEMBER = {"type": "name", "properties": {"name": f"urn:ogc:def:crs:EPSG::{WORKING_EPSG}"}}
# RD New covers the Netherlands roughly within these bounds; lon/lat pairs fall far outside
RD_X = (-10_000.0, 300_000.0)
RD_Y = (280_000.0, 640_000.0)


def parts_dir(target: Path) -> Path:
    return target.parent / ".parts" / target.name


def part_path(target: Path, stream: str, number: int) -> Path:
    return parts_dir(target) / f"{stream}-{number:06d}.json"


def write_part(path: Path, features: list, meta: dict | None = None) -> None:
    write_json({"meta": meta or {}, "features": features}, path)


def read_part(path: Path) -> list:
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)["features"]


def remove_parts(target: Path) -> None:
    folder = parts_dir(target)
    if folder.exists():
        shutil.rmtree(folder)
    root = folder.parent
    if root.is_dir() and not any(root.iterdir()):
        root.rmdir()


def write_feature_collection(target: Path, features: Iterable[dict], *, name: str | None = None,
                             crs: dict | None = CRS_MEMBER) -> int:
    """Stream features into a GeoJSON FeatureCollection at a temporary path, then rename; returns count."""
    count = 0
    with atomic_path(target) as tmp:
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write('{"type": "FeatureCollection"')
            if name:
                fh.write(f', "name": {json.dumps(name)}')
            if crs:
                fh.write(f', "crs": {json.dumps(crs)}')
            fh.write(', "features": [\n')
            for feature in features:
                if count:
                    fh.write(",\n")
                fh.write(json.dumps(feature, ensure_ascii=False, separators=(",", ":")))
                count += 1
            fh.write("\n]}\n")
            fh.flush()
            os.fsync(fh.fileno())
    return count


def first_xy(features: list) -> tuple[float, float] | None:
    """The first coordinate pair of the first feature with a geometry (for a CRS sanity check)."""
    for feature in features:
        coords = (feature.get("geometry") or {}).get("coordinates")
        while isinstance(coords, list) and coords and isinstance(coords[0], list):
            coords = coords[0]
        if isinstance(coords, list) and len(coords) >= 2:
            try:
                return float(coords[0]), float(coords[1])
            except (TypeError, ValueError):
                return None
    return None


def check_working_crs(features: list, url: str) -> None:
    """Refuse a page whose coordinates are clearly not RD New: the server ignored the CRS parameter."""
    xy = first_xy(features)
    if xy is None:
        return
    x, y = xy
    if not (RD_X[0] <= x <= RD_X[1] and RD_Y[0] <= y <= RD_Y[1]):
        raise FetchError(f"{url}: coordinates ({x}, {y}) are not in {WORKING_CRS}; "
                         "the server ignored the requested output CRS")


def iter_parts(paths: Iterable[Path]) -> Iterator[dict]:
    for path in paths:
        yield from read_part(path)
