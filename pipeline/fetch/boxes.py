"""Download boxes around the terreinen, for sources the analyses only need near them (BAG, BGT).

Why: the analyses look at BAG verblijfsobjecten up to the largest richtafstand (1,500 m) from a kavel and at BGT
quays within `analyse.kades.tolerantie_m` of one, yet a province bbox downloads every building of the province
(hours at 1,000 features a request). Each terrein's envelope is grown by the source's halo and rounded outward to
whole metres; overlapping boxes are merged (their union, then the envelope of each part, again until no two
envelopes overlap), so few boxes cover every terrein with its halo and no area is asked for twice. With a 1,500 m
halo a province's terreinen merge into one box as large as the province: a merged box larger than a grid cell
(`fetch.tegel_m`) is therefore cut into the envelopes of the needed area within each cell, which drops the empty
corners and gives boxes that can be fetched side by side. A feature that crosses the edge of two boxes comes in
both answers; the merge of the download keeps it once (by its id).
The boxes are clipped to the region's request extent, so a box never asks for more than the region bbox did.
"""
from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

from pipeline.crs import WORKING_CRS
from pipeline.fetch.http import FetchError

Box = tuple[float, float, float, float]


def halo_m(source, analyse) -> float:
    """The source's halo in m: a number as given, or the analysis setting it names plus the measuring margins.

    The margins: `meettolerantie_m` (a distance that much short of a richtafstand still reaches it) and
    `kavel_clip_tolerantie_m` (a kavel may stick out of its terrein by that much).
    """
    if not isinstance(source.halo, str):
        return float(source.halo)
    if source.halo == "richtafstand":
        base = analyse.milieuruimte.grootste_richtafstand
    else:
        base = analyse.kades.tolerantie_m
    return float(base) + analyse.meettolerantie_m + analyse.kavel_clip_tolerantie_m


def read_terreinen(source) -> np.ndarray:
    """The terrein geometries of sources.terreinen (the downloaded or user-supplied file) in the working CRS."""
    path = source.path
    if path is None or not Path(path).is_file():
        raise FetchError(f"sources.terreinen: file {path} is not there to draw the per_terrein download boxes "
                         "around; fetch or supply the terreinen first")
    frame = gpd.read_file(path, layer=source.layer, columns=[])
    if frame.crs is None:
        if source.crs is None:
            raise FetchError(f"sources.terreinen: {path} declares no CRS (set sources.terreinen.crs)")
        frame = frame.set_crs(source.crs)
    return frame.to_crs(WORKING_CRS).geometry.to_numpy()


def merge_boxes(bounds: np.ndarray) -> np.ndarray:
    """(n, 4) boxes -> boxes of which no two overlap, each the envelope of a group of overlapping input boxes."""
    boxes = shapely.box(*bounds.T)
    while True:
        merged = shapely.bounds(shapely.get_parts(shapely.union_all(boxes)))
        if len(merged) == len(boxes):  # every part is one box: nothing overlaps any more
            break
        boxes = shapely.box(*merged.T)
    return merged[np.lexsort((merged[:, 1], merged[:, 0]))]


def split_large(boxes: np.ndarray, grown: np.ndarray, cell: float) -> np.ndarray:
    """Boxes wider or taller than `cell` replaced by the envelopes of the needed area (the union of the grown
    terrein boxes) within each cell of a grid of that size; the other boxes as they are."""
    big = (boxes[:, 2] - boxes[:, 0] > cell) | (boxes[:, 3] - boxes[:, 1] > cell)
    if not big.any():
        return boxes
    x0, y0 = np.floor(boxes[big, :2].min(axis=0) / cell) * cell
    x1, y1 = boxes[big, 2:].max(axis=0)
    gx, gy = (a.ravel() for a in np.meshgrid(np.arange(x0, x1, cell), np.arange(y0, y1, cell)))
    pieces = shapely.intersection(shapely.union_all(shapely.box(*grown.T)), shapely.box(gx, gy, gx + cell, gy + cell))
    pieces = shapely.bounds(pieces[shapely.area(pieces) > 0])
    found, _ = shapely.STRtree(shapely.box(*boxes[big].T)).query(shapely.box(*pieces.T), predicate="within")
    return np.vstack([boxes[~big], pieces[np.unique(found)]])


def around_terreinen(source, config, extent: Box | None) -> tuple[float, list[Box]]:
    """A per_terrein source's halo (m) and its download boxes around the terreinen, within `extent`."""
    halo = halo_m(source, config.analyse)
    return halo, download_boxes(read_terreinen(config.sources.terreinen), halo, extent, cell=config.fetch.tegel_m)


def download_boxes(geometries: np.ndarray, halo: float, extent: Box | None = None, *,
                   cell: float | None = None) -> list[Box]:
    """Boxes (xmin, ymin, xmax, ymax, whole metres) covering every geometry grown by `halo`, within `extent`;
    a merged box larger than `cell` is cut into the needed parts of the cells of a grid of that size."""
    bounds = shapely.bounds(geometries)
    bounds = bounds[np.isfinite(bounds).all(axis=1)]  # empty or missing geometries
    if len(bounds) == 0:
        raise FetchError("sources.terreinen: no terrein geometries to draw the per_terrein download boxes around")
    grown = np.column_stack([np.floor(bounds[:, :2] - halo), np.ceil(bounds[:, 2:] + halo)])
    boxes = merge_boxes(grown)
    if cell is not None:
        boxes = split_large(boxes, grown, cell)
        boxes = boxes[np.lexsort((boxes[:, 1], boxes[:, 0]))]
    if extent is not None:
        boxes = np.column_stack([np.maximum(boxes[:, :2], extent[:2]), np.minimum(boxes[:, 2:], extent[2:])])
        boxes = boxes[(boxes[:, 0] < boxes[:, 2]) & (boxes[:, 1] < boxes[:, 3])]
        if len(boxes) == 0:
            raise FetchError(f"sources.terreinen: no terrein lies within the region's request extent {extent}")
    return [tuple(float(v) for v in row) for row in boxes]
