"""Gemeente- and provinciegrenzen with names -> canonical `gemeenten` and `provincies` (context on the maps).

Reads: sources.gemeenten, sources.provincies (CBS gebiedsindelingen from PDOK: `statcode`, `statnaam`), or,
when a source is not configured and `ingest.grenzen_uit_pakket` is true, the simplified CBS 2022 borders shipped
in pipeline/ingest/grenzen/ (source, licence and simplification in its SOURCE.md), so the demo and offline runs
have context without a download. No analysis uses these layers.
"""
from __future__ import annotations

from importlib import resources
from pathlib import Path

import geopandas as gpd

from pipeline.config import Config, Source
from pipeline.ingest.base import load
from pipeline.ingest.fields import Spec, as_text
from pipeline.ingest.quality import Report

LAYERS = ("gemeenten", "provincies")
PACKAGED_PEILDATUM = "2022-01-01"  # CBS gebiedsindelingen 2022: the borders as of 1 January 2022
PACKAGED = {"gemeenten": "gemeenten_2022.geojson", "provincies": "provincies_2022.geojson"}
GEMEENTE_SPECS = [
    Spec("gemeente_code", ("statcode", "gemeentecode", "gm_code", "gemeente_code", "code"), required=True),
    Spec("gemeente_naam", ("statnaam", "gemeentenaam", "gm_naam", "gemeente_naam", "naam"), required=True),
    Spec("provincie_naam", ("provincie", "provincienaam", "provincie_naam", "prov_naam")),
]
PROVINCIE_SPECS = [
    Spec("provincie_code", ("statcode", "provinciecode", "pv_code", "provincie_code", "code")),
    Spec("provincie_naam", ("statnaam", "provincienaam", "provincie_naam", "naam"), required=True),
]


def packaged(name: str) -> Path:
    """The packaged file of a border layer (pipeline/ingest/grenzen/)."""
    return Path(str(resources.files("pipeline").joinpath(f"ingest/grenzen/{PACKAGED[name]}")))


def source_of(config: Config, name: str) -> Source | None:
    """The configured source, else the packaged file (when ingest.grenzen_uit_pakket), else None."""
    configured = getattr(config.sources, name)
    if configured is not None:
        return configured
    return Source(path=packaged(name)) if config.ingest.grenzen_uit_pakket else None


def wanted(config: Config, name: str) -> bool:
    return source_of(config, name) is not None


def ingest_gemeenten(config: Config, report: Report) -> gpd.GeoDataFrame:
    src = _load(config, "gemeenten", GEMEENTE_SPECS, report)
    frame = gpd.GeoDataFrame({"gemeente_code": as_text(src.col("gemeente_code")).str.upper().to_numpy(),
                              "gemeente_naam": as_text(src.col("gemeente_naam")).to_numpy(),
                              "provincie_naam": as_text(src.col("provincie_naam")).to_numpy()},
                             geometry=src.frame.geometry.to_numpy(), crs=src.frame.crs)
    return _one_per_key(frame, "gemeente_code", src)


def ingest_provincies(config: Config, report: Report) -> gpd.GeoDataFrame:
    src = _load(config, "provincies", PROVINCIE_SPECS, report)
    frame = gpd.GeoDataFrame({"provincie_code": as_text(src.col("provincie_code")).str.upper().to_numpy(),
                              "provincie_naam": as_text(src.col("provincie_naam")).to_numpy()},
                             geometry=src.frame.geometry.to_numpy(), crs=src.frame.crs)
    return _one_per_key(frame, "provincie_naam", src)


def _load(config: Config, name: str, specs: list[Spec], report: Report):
    """Read the layer's source; the packaged file's provenance gets the peildatum of its borders."""
    source = source_of(config, name)
    src = load(source, name, name, specs, report, "Polygon", config=config)
    if getattr(config.sources, name) is None:
        src.provenance["peildatum"] = PACKAGED_PEILDATUM
    return src


def _one_per_key(frame: gpd.GeoDataFrame, key: str, src) -> gpd.GeoDataFrame:
    """Parts of one gemeente / provincie (a WFS delivers islands as separate features) joined into one."""
    missing = frame[key].isna().to_numpy()
    src.tally.drop(int(missing.sum()), f"{key} leeg", rows=src.rows[missing], loss=True)
    frame, rows = frame[~missing], src.rows[~missing]
    merged = frame.dissolve(key, sort=True, as_index=False)
    if len(merged) < len(frame):
        src.tally.merge(len(frame) - len(merged))
    src.tally.keep(rows)
    return merged[[c for c in frame.columns]]
