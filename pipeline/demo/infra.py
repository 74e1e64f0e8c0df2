"""Rail (OSM-like ways with sidings) and motorway ramps (aansluitingen).

Why: the multimodality criterion counts a rail siding and a motorway ramp near a terrein. The
scenario's main line, sidings and ramps are fixed (scenario.py); background lines cross the region
and background terreinen close to a line get a siding.
"""
from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely

from pipeline.crs import WORKING_CRS
from pipeline.demo import scenario as sc
from pipeline.demo.geometry import random_walk, split_polyline, straight
from pipeline.demo.sizes import count_for, in_box, scenario_box

ROADS = ["A2", "A58", "A50", "A65", "A67", "A73", "A270", "A17", "A29", "A4"]


# a line ends where it first strays this far outside the region: long random walks (a national demo) drift
# tens of kilometres sideways, out of the Netherlands' extent that ingest checks
MARGE_M = 2000.0


def _within(coords: np.ndarray, ext) -> np.ndarray:
    """The walk up to (not including) its first point more than MARGE_M outside the extent `ext`."""
    outside = ~in_box(coords[:, 0], coords[:, 1], (ext[0] - MARGE_M, ext[1] - MARGE_M, ext[2] + MARGE_M,
                                                   ext[3] + MARGE_M))
    return coords[:np.argmax(outside)] if outside.any() else coords


def _across(rng, ext, y_or_x, horizontal, wiggle=0.01, step=250.0):
    x0, y0, x1, y1 = ext
    if horizontal:
        n = int((x1 - x0) / step) + 2
        return _within(random_walk(rng, (x0 - step, y_or_x), 0.0, step, n, wiggle), ext)
    n = int((y1 - y0) / step) + 2
    return _within(random_walk(rng, (y_or_x, y0 - step), np.pi / 2, step, n, wiggle), ext)


def main_lines(rng, scale, ext):
    """Rail main lines (coordinate arrays): the scenario line plus random lines outside the scenario box."""
    box = scenario_box()
    inner = straight((box[0], sc.OY + sc.RAIL_Y), (box[2], sc.OY + sc.RAIL_Y), 250.0)
    west = _within(random_walk(rng, inner[0], np.pi, 250.0, int((inner[0, 0] - ext[0]) / 250) + 2, 0.01), ext)[::-1]
    east = _within(random_walk(rng, inner[-1], 0.0, 250.0, int((ext[2] - inner[-1, 0]) / 250) + 2, 0.01), ext)
    lines = [np.vstack([west[:-1], inner, east[1:]])]
    far = scenario_box(2000.0)
    for i in range(count_for("spoorlijnen", scale) - 1):
        horizontal = rng.random() < 0.6
        lo, hi = (ext[1], ext[3]) if horizontal else (ext[0], ext[2])
        flo, fhi = (far[1], far[3]) if horizontal else (far[0], far[2])
        options = [v for v in rng.uniform(lo, hi, 50) if not flo < v < fhi]
        if options:
            lines.append(_across(rng, ext, options[0], horizontal))
    return lines


def build_spoor(rng, scale, ext, terreinen_bg):
    """OSM-like rail ways: main lines (split into ways), yards and sidings. Returns (gdf, siding geometries)."""
    rows = []
    for coords in main_lines(rng, scale, ext):
        for part in split_polyline(coords, range(8, len(coords), 8)):
            rows.append((None, shapely.linestrings(part)))
    mains = shapely.union_all([g for _, g in rows])
    rows += [(service, g) for service, g in sc.sidings()]
    # background sidings: 40 % of background terreinen within 1.5 km of a main line
    if len(terreinen_bg):
        inner = shapely.point_on_surface(terreinen_bg)
        d = shapely.distance(inner, mains)
        pick = (d < 1500.0) & (rng.random(len(inner)) < 0.4)
        for g in shapely.shortest_line(mains, inner[pick]):
            rows.append(("siding", g))
    service, geoms = zip(*rows)
    gdf = gpd.GeoDataFrame({"id": [f"way/{70000000 + i}" for i in range(len(rows))], "railway": "rail",
                            "service": list(service)}, geometry=list(geoms), crs=WORKING_CRS)
    sid = gdf.geometry.values[gdf["service"].values == "siding"]
    return gdf, sid


def build_opritten(rng, scale, ext):
    """Motorway ramps: the scenario's, plus aansluitingen every 4-6 km along the motorways outside the box."""
    rows = [(road, soort, g) for road, soort, g in sc.ramps()]
    roads = []
    for name, axis, v in sc.MOTORWAYS:   # scenario motorways continue across the region
        if axis == "x":
            roads.append((name, shapely.linestrings([(ext[0], sc.OY + v), (ext[2], sc.OY + v)])))
        else:
            roads.append((name, shapely.linestrings([(sc.OX + v, ext[1]), (sc.OX + v, ext[3])])))
    for i in range(max(0, count_for("snelwegen", scale) - len(sc.MOTORWAYS))):
        horizontal = rng.random() < 0.5
        v = rng.uniform(ext[1], ext[3]) if horizontal else rng.uniform(ext[0], ext[2])
        roads.append((ROADS[i % len(ROADS)], shapely.linestrings(_across(rng, ext, v, horizontal, 0.02, 500.0))))
    box = scenario_box(300.0)
    for name, line in roads:
        d = np.arange(rng.uniform(1000, 4000), shapely.length(line), 5000.0) + rng.uniform(-800, 800)
        pts = shapely.line_interpolate_point(line, np.clip(d, 0, None))
        c = shapely.get_coordinates(pts)
        ok = ~in_box(c[:, 0], c[:, 1], box) & in_box(c[:, 0], c[:, 1], ext)
        rows += [(name, "aansluiting", p) for p in pts[ok]]
    road, soort, geoms = zip(*rows)
    return gpd.GeoDataFrame({"id": [f"oprit-{i + 1:05d}" for i in range(len(rows))], "wegnummer": list(road),
                             "soort": list(soort)}, geometry=list(geoms), crs=WORKING_CRS), roads
