"""What the exports add to the canonical layers only to show them: the use of each pand, and the borders in view.

- `pand_gebruik`: BAG panden carry no use of their own; the verblijfsobjecten inside a pand do (gebruiksdoel).
  A pand's `gebruik` is the first that applies: 'wonen en werken' (a woonfunctie and another function),
  'wonen', 'industrie', 'kantoor', 'winkel', 'maatschappelijk en overig' (any other gebruiksdoel), and
  'geen verblijfsobject' (no address inside: a shed, storage, a garage). GeoPackage layer invoer_panden
  (style panden_gebruik.qml) and the detail pages colour panden by it.
- `basis` / `bases`: the gemeente and provincie borders with their names, clipped to a map's view (the offline
  base layer of the overview and of each detail page).
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
    """Per verblijfsobject the bits of its gebruiksdoelen (comma-separated BAG values); worked out once per distinct
    text (a handful in a million verblijfsobjecten)."""
    codes, uniques = pd.factorize(gebruiksdoel.astype("string"), use_na_sentinel=False)
    return _text_bits(pd.Series(uniques, dtype="string"))[codes]


def _text_bits(gebruiksdoel: pd.Series) -> np.ndarray:
    text = gebruiksdoel.str.lower().fillna("")
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


def basis(gemeenten: gpd.GeoDataFrame | None, provincies: gpd.GeoDataFrame | None, view, *, tolerance: float,
          decimals: int) -> dict | None:
    """The offline base layer of a map for the rectangle `view` (EPSG:28992): gemeente and provincie borders as
    lines clipped to it, and their names at a point inside each (part in view). None without borders."""
    return bases(gemeenten, provincies, [view], tolerance=tolerance, decimals=decimals)[0]


def bases(gemeenten: gpd.GeoDataFrame | None, provincies: gpd.GeoDataFrame | None, views, *, tolerance: float,
          decimals: int) -> list[dict | None]:
    """`basis` for many views (rectangles, one per detail page): the clipping per view, the GeoJSON of all views in
    one go (kaartdata.features works per feature, so each view gets the features it would get alone)."""
    layers = []
    for soort, frame, key in (("provincie", provincies, "provincie_naam"), ("gemeente", gemeenten, "gemeente_naam")):
        if frame is not None and len(frame):
            g = frame.geometry.to_numpy()
            layers.append((soort, g, frame[key].to_numpy(object), shapely.STRtree(g)))
    lines, names = {"view": [], "soort": [], "geometry": []}, {"view": [], "soort": [], "naam": [], "geometry": []}
    borders: dict[tuple, object] = {}  # the union of the borders of the same features (neighbouring views) once
    for v, view in enumerate(views):
        if view is None or view.is_empty:
            continue
        for soort, geometries, naam, tree in layers:
            hits = np.unique(tree.query(view, predicate="dwithin", distance=0.0))
            if not len(hits):
                continue
            shown = geometries[hits]
            box = view.bounds  # views are rectangles: clipping by one is far cheaper than a general intersection
            areas = shapely.clip_by_rect(shown, *box)
            lines["view"].append(v), lines["soort"].append(soort)
            key_ = (soort, tuple(hits.tolist()))
            if key_ not in borders:
                borders[key_] = shapely.union_all(shapely.boundary(shown))
            lines["geometry"].append(shapely.clip_by_rect(borders[key_], *box))
            names["view"] += [v] * len(hits)
            names["soort"] += [soort] * len(hits)
            names["naam"] += naam[hits].tolist()
            names["geometry"] += list(shapely.point_on_surface(areas))
    out: list[dict | None] = [None] * len(views)
    if not lines["view"]:
        return out
    crs = (provincies if provincies is not None and len(provincies) else gemeenten).crs
    drawn = [_per_view(pd.DataFrame(d), crs, cols, tol, decimals, len(views))
             for d, cols, tol in ((lines, ["soort"], tolerance), (names, ["soort", "naam"], 0.0))]
    for v in sorted(set(lines["view"])):
        out[v] = {"grenzen": {"type": "FeatureCollection", "features": drawn[0][v]},
                  "namen": {"type": "FeatureCollection", "features": drawn[1][v]}}
    return out


def _per_view(table: pd.DataFrame, crs, columns: list[str], tolerance: float, decimals: int, n: int) -> list[list]:
    """The features of `table` (column view, columns, geometry) as GeoJSON, grouped by view."""
    from pipeline.export.kaartdata import features
    frame = gpd.GeoDataFrame(table[columns].astype("string"), geometry=table["geometry"].to_numpy(), crs=crs)
    grouped: list[list] = [[] for _ in range(n)]
    for v, f in zip(table["view"].tolist(), features(frame, columns, tolerance, decimals, keep_empty=True)["features"]):
        if f is not None:
            grouped[v].append(f)
    return grouped
