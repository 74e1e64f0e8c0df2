"""Reading and writing the pipeline's own files: atomically, in the working CRS.

Every output is written to a temporary path in the same folder and renamed into place, so a crash
never leaves a half-written file that a later run would mistake for a finished one.
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from pathlib import Path

import geopandas as gpd
import pandas as pd

from pipeline.crs import assert_working_crs


@contextlib.contextmanager
def atomic_path(target: str | Path):
    """Yield a temporary path beside `target`; rename it onto `target` only if the block succeeds."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp" + target.suffix, dir=target.parent)
    os.close(fd)
    os.unlink(tmp)  # writers (GDAL) want to create the file themselves
    tmp = Path(tmp)
    try:
        yield tmp
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def write_parquet(frame: pd.DataFrame | gpd.GeoDataFrame, target: str | Path) -> Path:
    """Write a (Geo)DataFrame as (Geo)Parquet atomically; GeoDataFrames must be in EPSG:28992."""
    target = Path(target)
    with atomic_path(target) as tmp:
        if isinstance(frame, gpd.GeoDataFrame):
            assert_working_crs(frame, str(target))
            frame.to_parquet(tmp, index=False, geometry_encoding="WKB", write_covering_bbox=False)
        else:
            frame.to_parquet(tmp, index=False)
    return target


def read_parquet(path: str | Path, *, what: str | None = None) -> gpd.GeoDataFrame | pd.DataFrame:
    """Read a file written by write_parquet; clear error when a previous stage has not run."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{what or path.name}: {path} does not exist; run the earlier stage first")
    try:
        frame = gpd.read_parquet(path)
    except ValueError:  # no geometry metadata: a plain table
        return pd.read_parquet(path)
    assert_working_crs(frame, str(path))
    return frame


def write_json(data, target: str | Path) -> Path:
    """Write JSON atomically (UTF-8, readable indentation)."""
    target = Path(target)
    with atomic_path(target) as tmp:
        tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
    return target


def sha256_file(path: str | Path) -> str:
    """Checksum of a file, read in blocks (source files can be GBs)."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
