"""Delimited text (CSV) with coordinate columns -> points, every field kept as text.

Why: establishment registers (LISA, KvK, a municipality's own list) arrive as CSV with x/y (RD) or lon/lat
columns, `;` or `,` separators, decimal commas, Latin-1/cp1252 or UTF-8 with a BOM. Everything is read as
text so codes keep their form ("45.20" is not 45.2, "08.12" keeps its zero); the modules parse what they need.
Settings (sources.<name>): x_veld, y_veld, scheidingsteken, decimaalteken, codering, crs. Without crs,
lon/lat columns (by name, or values within ±180/±90) are WGS84 and others RD New.
"""
from __future__ import annotations

import csv
import io
import logging
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from pipeline.config import Source
from pipeline.crs import LONLAT_CRS, WORKING_CRS
from pipeline.ingest.errors import IngestError

log = logging.getLogger(__name__)

X_NAMES = ("x", "x_rd", "xrd", "rd_x", "x_coord", "xcoord", "x_coordinaat", "xcoordinaat", "coordx")
Y_NAMES = ("y", "y_rd", "yrd", "rd_y", "y_coord", "ycoord", "y_coordinaat", "ycoordinaat", "coordy")
LON_NAMES = ("lon", "lng", "long", "longitude", "lengtegraad", "geo_lon")
LAT_NAMES = ("lat", "latitude", "breedtegraad", "geo_lat")
SEPARATORS = ";,\t|"


def decode(raw: bytes, declared: str | None, path: Path) -> tuple[str, str]:
    """Text and the encoding used: the declared one, else UTF-8 (BOM stripped), else cp1252, else Latin-1."""
    if declared:
        try:
            return raw.decode(declared), declared
        except (UnicodeDecodeError, LookupError) as exc:
            raise IngestError(f"cannot decode as {declared}: {exc}", path=path, expected="sources.*.codering "
                              "matching the file (utf-8, cp1252, latin-1)", found=declared) from exc
    for encoding in ("utf-8-sig", "cp1252", "latin-1"):
        try:
            return raw.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise AssertionError("latin-1 decodes every byte")


def separator(text: str, declared: str | None) -> str:
    if declared:
        return declared
    head = "\n".join(text.splitlines()[:20])
    try:
        return csv.Sniffer().sniff(head, delimiters=SEPARATORS).delimiter
    except csv.Error:
        first = head.splitlines()[0] if head else ""
        return max(SEPARATORS, key=first.count)


def _find(columns: list[str], declared: str | None, names: tuple[str, ...], path: Path, setting: str) -> str | None:
    lower = {c.strip().lower(): c for c in columns}
    if declared is not None:
        if declared.strip().lower() not in lower:
            raise IngestError(f"{setting} names a column the file does not have", path=path, field=declared,
                              expected=declared, found=columns)
        return lower[declared.strip().lower()]
    return next((lower[n] for n in names if n in lower), None)


def coordinates(text: pd.Series, decimal: str) -> pd.Series:
    """Numbers from text with a decimal point or comma ('155000,5'); thousands dots removed with a comma."""
    t = text.str.strip().str.replace(" ", "", regex=False)
    comma = (decimal == ",") | ((decimal == "auto") & t.str.contains(",", regex=False, na=False))
    t = t.where(~comma, t.str.replace(".", "", regex=False).str.replace(",", ".", regex=False))
    return pd.to_numeric(t, errors="coerce")


def read_table(path: Path, source: Source) -> tuple[gpd.GeoDataFrame, CRS, dict]:
    """The CSV as points (all other columns as text), its CRS, and what was detected (for provenance)."""
    text, encoding = decode(path.read_bytes(), source.codering, path)
    sep = separator(text, source.scheidingsteken)
    try:
        frame = pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False, na_values=[""],
                            skipinitialspace=True)
    except (pd.errors.ParserError, ValueError) as exc:
        raise IngestError(f"cannot read as CSV with separator {sep!r}: {exc}", path=path,
                          expected="a delimited table (sources.*.scheidingsteken)") from exc
    frame.columns = [str(c).strip() for c in frame.columns]
    columns = list(frame.columns)
    x = _find(columns, source.x_veld, X_NAMES + LON_NAMES, path, "x_veld")
    y = _find(columns, source.y_veld, Y_NAMES + LAT_NAMES, path, "y_veld")
    if x is None or y is None:
        raise IngestError("no coordinate columns found", path=path, field="x/y",
                          expected="columns such as x/y (RD) or lon/lat, or sources.*.x_veld and y_veld",
                          found=columns)
    xs, ys = coordinates(frame[x], source.decimaalteken), coordinates(frame[y], source.decimaalteken)
    unreadable = (frame[x].notna() & xs.isna()) | (frame[y].notna() & ys.isna())
    if unreadable.any():
        log.warning("%s: %d row(s) with unreadable coordinates (e.g. %s); they get no geometry", path.name,
                    int(unreadable.sum()), frame.loc[unreadable, [x, y]].head(3).values.tolist())
    crs = _crs(source, x, y, xs, ys, path)
    ok = xs.notna() & ys.notna()
    geoms = np.full(len(frame), None, dtype=object)
    geoms[ok.to_numpy()] = shapely.points(xs[ok].to_numpy(), ys[ok].to_numpy())
    out = gpd.GeoDataFrame(frame.drop(columns=[x, y]), geometry=gpd.GeoSeries(geoms, index=frame.index))
    detected = {"codering": encoding, "scheidingsteken": sep, "x_veld": x, "y_veld": y}
    log.info("%s: CSV read as %s", path.name, detected)
    return out, crs, detected


def _crs(source: Source, x: str, y: str, xs: pd.Series, ys: pd.Series, path: Path) -> CRS:
    if source.crs is not None:
        return CRS.from_user_input(source.crs)
    lonlat_named = x.strip().lower() in LON_NAMES or y.strip().lower() in LAT_NAMES
    finite = xs.notna() & ys.notna()
    small = bool(finite.any()) and bool(((xs[finite].abs() <= 180) & (ys[finite].abs() <= 90)).all())
    if lonlat_named or small:
        return CRS.from_user_input(LONLAT_CRS)
    if not finite.any():
        raise IngestError("no row has coordinates", path=path, field=f"{x}/{y}", expected="numbers",
                          found="all empty or unreadable")
    return CRS.from_user_input(WORKING_CRS)
