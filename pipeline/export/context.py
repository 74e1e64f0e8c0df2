"""What the exports add to the canonical layers only to show them: the use of each pand, and what lies in view.

- `pand_gebruik`: BAG panden carry no use of their own; the verblijfsobjecten inside a pand do (gebruiksdoel).
  A pand's `gebruik` is the first that applies: 'wonen en werken' (a woonfunctie and another function),
  'wonen', 'industrie', 'kantoor', 'winkel', 'maatschappelijk en overig' (any other gebruiksdoel), and
  'geen verblijfsobject' (no address inside: a shed, storage, a garage). GeoPackage layer invoer_panden
  (style panden_gebruik.qml) and the detail pages colour panden by it.
- `in_view`: the rows of a layer within a distance of an area (the context of a map: borders, fairways).
"""
from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

GEBRUIK = ["wonen en werken", "wonen", "industrie", "kantoor", "winkel", "maatschappelijk en overig",
           "geen verblijfsobject"]
# one bit per kind of function found in the BAG gebruiksdoel text of a verblijfsobject
_BITS = {"woonfunctie": 1, "industriefunctie": 2, "kantoorfunctie": 4, "winkelfunctie": 8}
_OTHER = 16


def _vbo_bits(gebruiksdoel: pd.Series) -> np.ndarray:
    """Per verblijfsobject the bits of its gebruiksdoelen (comma-separated BAG values)."""
    text = gebruiksdoel.astype("string").str.lower().fillna("")
    bits = np.zeros(len(text), dtype=np.int64)
    for doel, bit in _BITS.items():
        bits |= np.where(text.str.contains(doel, regex=False).to_numpy(), bit, 0)
    known = sum(text.str.count(doel).to_numpy() for doel in _BITS)
    parts = np.where(text.to_numpy() == "", 0, text.str.count(",").to_numpy() + 1)
    return bits | np.where(parts > known, _OTHER, 0)


def pand_gebruik(panden: gpd.GeoDataFrame, verblijfsobjecten: gpd.GeoDataFrame | None) -> pd.Series:
    """The gebruik of each pand (index of `panden`) from the verblijfsobjecten that lie in it."""
    bits = np.zeros(len(panden), dtype=np.int64)
    if verblijfsobjecten is not None and len(verblijfsobjecten) and len(panden):
        tree = shapely.STRtree(panden.geometry.to_numpy())
        vbo, pand = tree.query(verblijfsobjecten.geometry.to_numpy(), predicate="intersects")
        np.bitwise_or.at(bits, pand, _vbo_bits(verblijfsobjecten["gebruiksdoel"])[vbo])
    wonen = (bits & 1) > 0
    choices = [wonen & (bits > 1), wonen, (bits & 2) > 0, (bits & 4) > 0, (bits & 8) > 0, (bits & _OTHER) > 0]
    out = np.select(choices, GEBRUIK[:-1], GEBRUIK[-1])
    return pd.Series(out, index=panden.index, dtype="string", name="gebruik")


def in_view(frame: gpd.GeoDataFrame | None, area, distance: float) -> gpd.GeoDataFrame | None:
    """The rows of `frame` within `distance` (m) of `area` (a shapely geometry in the frame's CRS)."""
    if frame is None or not len(frame) or area is None or area.is_empty:
        return None
    tree = shapely.STRtree(frame.geometry.to_numpy())
    hits = np.unique(tree.query(area, predicate="dwithin", distance=distance))
    return frame.iloc[hits] if len(hits) else None


def basis(gemeenten: gpd.GeoDataFrame | None, provincies: gpd.GeoDataFrame | None, view, *, tolerance: float,
          decimals: int) -> dict | None:
    """The offline base layer of a map for the rectangle `view` (EPSG:28992): gemeente and provincie borders as
    lines clipped to it, and their names at a point inside each (part in view). None without borders."""
    from pipeline.export.kaartdata import features
    lines, names = [], []
    for soort, frame, key in (("provincie", provincies, "provincie_naam"), ("gemeente", gemeenten, "gemeente_naam")):
        shown = in_view(frame, view, 0.0)
        if shown is None:
            continue
        areas = shapely.intersection(shown.geometry.to_numpy(), view)
        border = shapely.intersection(shapely.union_all(shapely.boundary(shown.geometry.to_numpy())), view)
        lines.append(gpd.GeoDataFrame({"soort": [soort]}, geometry=[border], crs=shown.crs))
        names.append(gpd.GeoDataFrame({"soort": soort, "naam": shown[key].to_numpy()},
                                      geometry=shapely.point_on_surface(areas), crs=shown.crs))
    if not lines:
        return None
    return {"grenzen": features(pd.concat(lines, ignore_index=True), None, tolerance, decimals),
            "namen": features(pd.concat(names, ignore_index=True), None, 0.0, decimals)}
