"""How big the demo is at a given scale: counts per layer, the extent, and the scenario's place in it.

Counts are given at two anchor scales (the default 0.05 and the province 1.0) and interpolated on a
log-log line, so the default demo has the sizes the issue asks for and scale 1 matches Noord-Brabant. Above the
province they grow in proportion to the scale, as the extent's area does: the country (8.5) is provinces side by
side at a province's density (~11 M panden), not a denser province (the log-log line gave 15.6 M).
The extent keeps its centre and shape and its area grows with the scale (as in the benchmark
generator), so a small scale is a realistic cut-out, not a sparse province. It never shrinks below the
hand-made scenario (see `scenario.py`) plus a margin.
"""
from __future__ import annotations

import math

import numpy as np

CENTRE = (150000.0, 390000.0)        # EPSG:28992, Brabant-like
FULL_SIZE = (100000.0, 60000.0)      # extent at scale 1: x 100000-200000, y 360000-420000
SCENARIO_HALF = (5500.0, 3000.0)     # the scenario box around CENTRE (half width, half height)
SCENARIO_MARGIN = 1200.0             # extent at least this much larger than the scenario box

# (count at scale 0.05, count at scale 1.0)
TARGETS = {
    "terreinen": (30, 650),
    "kavels": (1750, 40000),
    "panden": (40000, 1300000),
    "woningen": (30000, 1100000),
    "kernen": (3, 60),
    "wateren": (2, 40),
    "netvlakken": (10, 150),
    "spoorlijnen": (1, 6),
    "snelwegen": (1, 8),
}
ANCHOR_SMALL, ANCHOR_LARGE = 0.05, 1.0


def count_for(key: str, scale: float, minimum: int = 0) -> int:
    """Count of `key` at `scale`: log-log interpolation between the two anchors, in proportion beyond the province."""
    small, large = TARGETS[key]
    if scale > ANCHOR_LARGE:
        return max(minimum, int(round(large * scale / ANCHOR_LARGE)))
    power = math.log(large / small) / math.log(ANCHOR_LARGE / ANCHOR_SMALL)
    return max(minimum, int(round(small * (scale / ANCHOR_SMALL) ** power)))


def extent_for(scale: float) -> tuple[float, float, float, float]:
    """(xmin, ymin, xmax, ymax) of the region at `scale`."""
    s = math.sqrt(scale)
    hw = max(FULL_SIZE[0] * s / 2, SCENARIO_HALF[0] + SCENARIO_MARGIN)
    hh = max(FULL_SIZE[1] * s / 2, SCENARIO_HALF[1] + SCENARIO_MARGIN)
    return (CENTRE[0] - hw, CENTRE[1] - hh, CENTRE[0] + hw, CENTRE[1] + hh)


def scenario_box(margin: float = 0.0) -> tuple[float, float, float, float]:
    """The scenario box in EPSG:28992, grown by `margin` metres."""
    return (CENTRE[0] - SCENARIO_HALF[0] - margin, CENTRE[1] - SCENARIO_HALF[1] - margin,
            CENTRE[0] + SCENARIO_HALF[0] + margin, CENTRE[1] + SCENARIO_HALF[1] + margin)


def in_box(x: np.ndarray, y: np.ndarray, box: tuple[float, float, float, float]) -> np.ndarray:
    return (x >= box[0]) & (x <= box[2]) & (y >= box[1]) & (y <= box[3])
