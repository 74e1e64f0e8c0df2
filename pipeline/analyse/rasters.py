"""Rasters: optional GeoTIFF indicators summarised per terrein (zonal mean and max).

Settings: `config.analyse.rasters` (name, path, band). Rasters must be in EPSG:28992 (never
reprojected silently). Inputs: terreinen. Outputs per terrein: {name}_gemiddeld, {name}_max.

Vectorised: only the window covering the terreinen is read; all terreinen are burnt into one label
grid with rasterio.features.rasterize (a pixel belongs to a terrein when its centre lies inside), then
np.bincount gives the sums and counts and np.maximum.at the maxima. Nodata pixels are left out.
A terrein smaller than a pixel takes the value of the pixel under its representative point.
Terreinen do not overlap (one IBIS contour per RIN_NUMMER); where they would, the later one wins.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import rasterio
import rasterio.errors
import rasterio.features
import rasterio.windows
import shapely

from pipeline.analyse._geo import geoms, keyed
from pipeline.crs import assert_working_crs


def zonal_stats(zones, path, *, band: int = 1) -> pd.DataFrame:
    """Mean and max of the raster values under each zone (columns gemiddeld, max; same index)."""
    z = geoms(zones)
    n = len(z)
    out = pd.DataFrame({"gemiddeld": np.full(n, np.nan), "max": np.full(n, np.nan)}, index=zones.index)
    if n == 0:
        return out
    with rasterio.open(path) as src:
        assert_working_crs(src, f"raster {path}")
        xmin, ymin, xmax, ymax = shapely.total_bounds(z)
        win = rasterio.windows.from_bounds(xmin, ymin, xmax, ymax, transform=src.transform)
        c0, r0 = np.floor(win.col_off), np.floor(win.row_off)
        win = rasterio.windows.Window(c0, r0, np.ceil(win.col_off + win.width) - c0,
                                      np.ceil(win.row_off + win.height) - r0)
        try:
            win = win.intersection(rasterio.windows.Window(0, 0, src.width, src.height))
        except rasterio.errors.WindowError:  # the terreinen lie wholly outside the raster
            return out
        data = src.read(band, window=win, masked=True).astype(float)
        transform = src.window_transform(win)
    valid = ~np.ma.getmaskarray(data)
    values = np.ma.getdata(data)
    if np.issubdtype(values.dtype, np.floating):
        valid &= ~np.isnan(values)
    labels = rasterio.features.rasterize(((g, i + 1) for i, g in enumerate(z)), out_shape=data.shape,
                                         transform=transform, fill=0, dtype="int32")
    lab = labels[valid]
    val = values[valid]
    total = np.bincount(lab, weights=val, minlength=n + 1)[1:n + 1]
    count = np.bincount(lab, minlength=n + 1)[1:n + 1]
    mx = np.full(n + 1, -np.inf)
    np.maximum.at(mx, lab, val)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = np.where(count > 0, total / count, np.nan)
    mx = np.where(count > 0, mx[1:], np.nan)
    # zones too small to hold a pixel centre: the pixel under the representative point
    small = np.flatnonzero(count == 0)
    if len(small):
        pts = shapely.get_coordinates(shapely.point_on_surface(z[small]))
        rows, cols = rasterio.transform.rowcol(transform, pts[:, 0], pts[:, 1])
        rows, cols = np.asarray(rows), np.asarray(cols)
        inside = (rows >= 0) & (rows < data.shape[0]) & (cols >= 0) & (cols < data.shape[1])
        r, c = rows[inside], cols[inside]
        ok = valid[r, c]
        sel = small[inside][ok]
        mean[sel] = values[r[ok], c[ok]]
        mx[sel] = values[r[ok], c[ok]]
    out["gemiddeld"] = mean
    out["max"] = mx
    return out


def per_terrein(terreinen, rasters) -> pd.DataFrame:
    """{name}_gemiddeld and {name}_max for every configured raster, keyed by rin_nummer."""
    return keyed(raster_indicatoren(terreinen, rasters), terreinen["rin_nummer"])


def raster_indicatoren(terreinen, rasters) -> pd.DataFrame:
    """{name}_gemiddeld and {name}_max per terrein for every configured raster."""
    out = pd.DataFrame(index=terreinen.index)
    for r in rasters:  # a loop over configured rasters, not over features
        stats = zonal_stats(terreinen, r.path, band=r.band)
        out[f"{r.name}_gemiddeld"] = stats["gemiddeld"].values
        out[f"{r.name}_max"] = stats["max"].values
    return out
