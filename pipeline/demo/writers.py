"""Write the raw files in the real sources' formats, each atomically (temporary path, then rename).

Why one module: the format rules live here — GeoPackage layers, RFC 7946 GeoJSON (WGS84, no crs
member), GeoJSON in EPSG:28992 with a crs member (the capaciteitskaart), Shapefile with .prj, GML with
lines, areas and arcs (bgt.py), CSV as a register delivers it (`;`, decimal comma, cp1252, x/y in RD) and
GeoParquet through pipeline.io.
"""
from __future__ import annotations

import contextlib
import os
import shutil
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

from pipeline.crs import GEOJSON_DEFAULT_CRS
from pipeline.demo.bgt import FORM, write_gml
from pipeline.demo.lazy import LazyLayer
from pipeline.io import atomic_path, scratch_folder, write_parquet

SHAPEFILE_PARTS = (".dbf", ".shx", ".prj", ".cpg", ".shp")  # .shp last: it is what readers look for
# the date the demo's files carry (GeoPackage last_change, .dbf header): the same seed gives the same bytes
DEMO_DATE = "2026-01-01T00:00:00.000Z"


@contextlib.contextmanager
def fixed_gdal_date():
    """GDAL stamps GeoPackages with the current time unless OGR_CURRENT_DATE is set: set it while writing."""
    old = pyogrio.get_gdal_config_option("OGR_CURRENT_DATE")
    pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": DEMO_DATE})
    try:
        yield
    finally:
        pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": old})


def write_gpkg(layers: dict, target: Path) -> None:
    """All layers into one new GeoPackage (built at a temporary path, then renamed); a lazy.LazyLayer is written
    chunk by chunk (appended), so a national BAG never exists in memory as shapely objects."""
    with atomic_path(target) as tmp, fixed_gdal_date():
        for name, gdf in layers.items():
            chunks = gdf.chunks() if isinstance(gdf, LazyLayer) else [gdf]
            for i, chunk in enumerate(chunks):
                pyogrio.write_dataframe(chunk, tmp, layer=name, driver="GPKG", use_arrow=True, append=i > 0)


def write_geojson(gdf: gpd.GeoDataFrame, target: Path, *, rfc7946: bool) -> None:
    """RFC 7946 (WGS84 lon/lat, no crs member) or, with rfc7946=False, the data's own CRS with a crs member."""
    with atomic_path(target) as tmp:
        if rfc7946:
            pyogrio.write_dataframe(gdf.to_crs(GEOJSON_DEFAULT_CRS), tmp, driver="GeoJSON",
                                    layer_options={"RFC7946": "YES", "WRITE_NAME": "NO"})
        else:
            pyogrio.write_dataframe(gdf, tmp, driver="GeoJSON", layer_options={"WRITE_NAME": "NO"})


def write_shapefile(gdf: gpd.GeoDataFrame, target: Path) -> None:
    """Shapefile (+ .dbf/.shx/.prj/.cpg) written in a temporary folder, then each part renamed into place."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmpdir = scratch_folder(target)
    try:
        pyogrio.write_dataframe(gdf, tmpdir / target.name, driver="ESRI Shapefile", encoding="UTF-8")
        dbf = (tmpdir / target.name).with_suffix(".dbf")
        with open(dbf, "r+b") as fh:  # header bytes 1-3: date of last update (YY-1900, MM, DD)
            fh.seek(1)
            fh.write(bytes([int(DEMO_DATE[:4]) - 1900, int(DEMO_DATE[5:7]), int(DEMO_DATE[8:10])]))
        for suffix in SHAPEFILE_PARTS:
            part = (tmpdir / target.name).with_suffix(suffix)
            if part.exists():
                os.replace(part, target.with_suffix(suffix))
    finally:
        shutil.rmtree(tmpdir, ignore_errors=True)


def write_csv(gdf: gpd.GeoDataFrame, target: Path) -> None:
    """Points as a register's CSV export: `;`-separated, x/y in RD New with a decimal comma, cp1252, all text."""
    xy = shapely.get_coordinates(gdf.geometry.to_numpy())
    table = pd.DataFrame(gdf.drop(columns=gdf.geometry.name)).astype(str)
    for i, axis in enumerate("xy"):
        table[axis] = np.char.replace(np.char.mod("%.2f", xy[:, i]), ".", ",")
    with atomic_path(target) as tmp:
        table.to_csv(tmp, sep=";", index=False, encoding="cp1252")


def write_any(target: Path, layers: dict[str, gpd.GeoDataFrame], *, rfc7946: bool = True) -> None:
    """Write by file extension: .gpkg (all layers), .geojson/.json, .shp, .gml, .csv, .parquet (first layer)."""
    suffix = target.suffix.lower()
    first = next(iter(layers.values()))
    if suffix != ".gml" and FORM in first:
        first = first.drop(columns=FORM)
    if suffix == ".gpkg":
        write_gpkg(layers, target)
    elif suffix == ".gml":
        write_gml(first, target)
    elif suffix == ".csv":
        write_csv(first, target)
    elif suffix in (".geojson", ".json"):
        write_geojson(first, target, rfc7946=rfc7946)
    elif suffix == ".shp":
        write_shapefile(first, target)
    elif suffix == ".parquet":
        write_parquet(first, target)
    else:
        raise ValueError(f"demo: cannot write {target}: unknown file type {suffix!r} "
                         "(use .gpkg, .geojson, .shp, .gml, .csv, .parquet)")
