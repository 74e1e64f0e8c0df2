"""Kavels -> canonical `kavels`: each kavel assigned to one terrein and clipped to it.

Reads: sources.kavels (optional; a plot layer or BRK percelen), the ingested terreinen,
analyse.kavel_clip_tolerantie_m.
BRK kadastrale kaart GML has two geometries per perceel (outline and label point): the reader takes the
outline (gml.py; sources.kavels.geometrie to choose), and the kadastrale aanduiding (gemeente-sectie-nummer)
becomes the kavel_id.
The terrein is not taken from the file: a kavel belongs to the terrein it overlaps most (kavel
layers and BRK parcels do not carry RIN numbers and often stick out over the contour), and is clipped
to that terrein, unless it lies within kavel_clip_tolerantie_m of the contour: then it is kept as it is (a
contour reprojected from another CRS differs by millimetres, and clipping every kavel to it would shave
areas without a trace). Every kavel whose area clipping changes is counted in the quality report. Kavels outside every terrein are dropped (counted). Without a kavel layer each
terrein is one kavel (`bron` "terrein", kavel_id "T" + rin_nummer), and the outputs say so.
"""
from __future__ import annotations

import logging

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from pipeline.config import Config
from pipeline.ingest.base import load
from pipeline.ingest.errors import IngestError
from pipeline.ingest.fields import Spec, as_text, fill_ids
from pipeline.ingest.geometry import to_multipolygon
from pipeline.ingest.quality import Report

log = logging.getLogger(__name__)

SPECS = [
    Spec("kavel_id", ("kavelid", "kavel_nr", "kavelnummer", "identificatieLokaalID", "identificatie", "id",
                      "perceel_id")),
    Spec("kadastrale_gemeente", ("kadastraleGemeenteWaarde", "kadastrale_gemeente", "kadastrale_gemeente_waarde",
                                 "AKRKadastraleGemeenteCodeWaarde")),
    Spec("sectie", ("sectie",)),
    Spec("perceelnummer", ("perceelnummer",)),
    Spec("uitgifte_status", ("uitgiftestatus", "status", "uitgifte")),
]
STATUSES = {"uitgegeven": "uitgegeven", "uitgeefbaar": "uitgeefbaar", "verkocht": "uitgegeven",
            "beschikbaar": "uitgeefbaar", "te koop": "uitgeefbaar", "vrij": "uitgeefbaar"}


def ingest(config: Config, report: Report, terreinen: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    if config.sources.kavels is None:
        tally = report.tally("kavels", "terreinen (geen kavellaag)", config.sources.terreinen.path)
        tally.read = tally.kept = len(terreinen)
        log.info("kavels: no kavel layer configured; each terrein is one kavel")
        return gpd.GeoDataFrame({"kavel_id": "T" + terreinen["rin_nummer"].astype("str"),
                                 "rin_nummer": terreinen["rin_nummer"].to_numpy(),
                                 "uitgifte_status": pd.Series([None] * len(terreinen), dtype="str"),
                                 "bron": "terrein"},
                                geometry=terreinen.geometry.to_numpy(), crs=terreinen.crs)

    src = load(config.sources.kavels, "kavels", "kavels", SPECS, report, "Polygon", config=config)
    frame, tally = src.frame.reset_index(drop=True), src.tally
    ids = as_text(src.col("kavel_id")).reset_index(drop=True)
    brk = (as_text(src.col("kadastrale_gemeente")) + "-" + as_text(src.col("sectie")) + "-"
           + as_text(src.col("perceelnummer"))).reset_index(drop=True)
    ids = brk.where(brk.notna(), ids) if src.found["perceelnummer"] else ids
    missing = ids.isna()
    ids = fill_ids(ids, "K")
    tally.repair(int(missing.sum()), "geen kavel_id: volgnummer toegekend")
    status_text = as_text(src.col("uitgifte_status")).reset_index(drop=True).str.lower()
    status = status_text.map(STATUSES)
    unknown = status_text.notna() & status.isna()
    if unknown.any():
        log.warning("kavels: uitgifte_status values %s not recognised; stored as unknown",
                    sorted(status_text[unknown].unique()))

    kavel_geoms = frame.geometry.to_numpy()
    terrein_geoms = terreinen.geometry.to_numpy()
    tree = shapely.STRtree(terrein_geoms)
    k_idx, t_idx = tree.query(kavel_geoms, predicate="intersects")
    pieces = shapely.intersection(kavel_geoms[k_idx], terrein_geoms[t_idx])
    area = shapely.area(pieces)
    pairs = pd.DataFrame({"k": k_idx, "t": t_idx, "area": area})
    pairs = pairs[pairs["area"] > 0]
    best = pairs.loc[pairs.groupby("k")["area"].idxmax()] if len(pairs) else pairs
    outside = np.ones(len(frame), bool)
    outside[best["k"].to_numpy()] = False
    tally.drop(int(outside.sum()), "buiten alle terreinen")
    if best.empty:
        raise IngestError("no kavel overlaps any terrein", path=src.where.path, layer=src.where.layer,
                          expected="kavels inside the terreinen", found=f"{len(frame)} kavels, none inside")
    k = best["k"].to_numpy()
    best_pieces = _clip(kavel_geoms[k], terrein_geoms, best["t"].to_numpy(), pieces[best.index.to_numpy()],
                        config.analyse.kavel_clip_tolerantie_m, tally)
    out = gpd.GeoDataFrame({
        "kavel_id": ids.iloc[k].to_numpy(),
        "rin_nummer": terreinen["rin_nummer"].to_numpy()[best["t"].to_numpy()],
        "uitgifte_status": status.iloc[k].to_numpy(),
        "bron": "kavellaag",
    }, geometry=to_multipolygon(best_pieces), crs=terreinen.crs)
    tally.kept = len(out)
    return out


def _clip(kavel_geoms, terrein_geoms, t_index, pieces, tolerance: float, tally) -> np.ndarray:
    """Each kavel as it is when it lies within `tolerance` of its terrein, else clipped (`pieces`); counted."""
    used = np.unique(t_index)
    reach = np.empty(len(terrein_geoms), dtype=object)
    reach[used] = shapely.buffer(terrein_geoms[used], tolerance) if tolerance > 0 else terrein_geoms[used]
    inside = shapely.covered_by(kavel_geoms, reach[t_index])
    lost = np.where(inside, 0.0, shapely.area(kavel_geoms) - shapely.area(pieces))
    clipped = lost > 1e-6
    tally.repair(int(clipped.sum()), "bijgesneden tot het terrein")
    if clipped.any():
        log.info("kavels: %d clipped to their terrein, %.2f m² cut off in total", int(clipped.sum()), lost[clipped].sum())
    return np.where(inside, kavel_geoms, pieces)
