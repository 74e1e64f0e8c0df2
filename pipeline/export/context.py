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

import functools
import os
from collections import OrderedDict
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import shapely

from pipeline import catalogue, io

GEBRUIK = ["wonen en werken", "wonen", "industrie", "kantoor", "winkel", "maatschappelijk en overig",
           "geen verblijfsobject"]
# one bit per kind of function found in the BAG gebruiksdoel text of a verblijfsobject
_BITS = {"woonfunctie": 1, "industriefunctie": 2, "kantoorfunctie": 4, "winkelfunctie": 8}
_OTHER = 16


def _vbo_bits(gebruiksdoel: pd.Series) -> np.ndarray:
    """Per verblijfsobject the bits of its gebruiksdoelen (comma-separated BAG values); worked out once per distinct
    text (a handful in a million verblijfsobjecten)."""
    codes, uniques = pd.factorize(gebruiksdoel.astype("string"), use_na_sentinel=False)
    return np.array([_doel_bits(text) for text in uniques], dtype=np.int64)[codes]


@functools.lru_cache(maxsize=4096)
def _doel_bits(text) -> int:
    """The bits of one gebruiksdoel text: a bit per known function in it, _OTHER when it names more functions than
    known ones; none for a missing or empty text."""
    text = text.lower() if isinstance(text, str) else ""
    bits = sum(bit for doel, bit in _BITS.items() if doel in text)
    parts = text.count(",") + 1 if text else 0
    return bits | (_OTHER if parts > sum(text.count(doel) for doel in _BITS) else 0)


def pand_gebruik(panden: gpd.GeoDataFrame, verblijfsobjecten: gpd.GeoDataFrame | None) -> pd.Series:
    """The gebruik of each pand (index of `panden`) from the verblijfsobjecten that lie in it."""
    if verblijfsobjecten is None or not len(verblijfsobjecten):
        return gebruik_of(panden, np.array([], dtype=object), np.array([], dtype=np.int64))
    return gebruik_of(panden, verblijfsobjecten.geometry.to_numpy(), _vbo_bits(verblijfsobjecten["gebruiksdoel"]))


def gebruik_of(panden: gpd.GeoDataFrame, points: np.ndarray, vbo_bits: np.ndarray) -> pd.Series:
    """pand_gebruik from the verblijfsobjecten's points and their gebruiksdoel bits (_vbo_bits)."""
    bits = np.zeros(len(panden), dtype=np.int64)
    if len(points) and len(panden):
        vbo, pand = shapely.STRtree(panden.geometry.to_numpy()).query(points, predicate="intersects")
        np.bitwise_or.at(bits, pand, vbo_bits[vbo].astype(np.int64))
    wonen = (bits & 1) > 0
    choices = [wonen & (bits > 1), wonen, (bits & 2) > 0, (bits & 4) > 0, (bits & 8) > 0, (bits & _OTHER) > 0]
    out = np.select(choices, GEBRUIK[:-1], GEBRUIK[-1])
    return pd.Series(out, index=panden.index, dtype="string", name="gebruik")


class Gebruiksdoelen:
    """The verblijfsobjecten as gebruik_of needs them, near the panden asked for: of verblijfsobjecten.parquet only
    gebruiksdoel (as a dictionary: its bits worked out per distinct text) and the xmin and ymin of the bbox covering
    (a point is those, as pipeline.io reads points) are read, a row group at a time, in a third of the time of every
    column. The last KEEP row groups are kept (KEEP * 32,768 * 17 bytes): panden come in Hilbert order a batch or a
    block of pages at a time, as the verblijfsobjecten lie, so the next batch needs many of the same row groups (at
    national scale a row group was read 2.6 times, 1.3 times with these kept). Opened in the process that reads:
    made before a fork, it is used by each process on its own."""
    KEEP = 32
    CELL = 50.0  # the grid of the panden's bboxes the points are picked by (pipeline.boxgrid)
    COLUMNS = ["gebruiksdoel", f"{io.BBOX}.xmin", f"{io.BBOX}.ymin"]

    def __init__(self, path: Path, analyse, *, name: str = "verblijfsobjecten"):
        self.path, self.analyse, self.name = Path(path), analyse, name
        self._pid = None

    def near(self, geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(points, gebruiksdoel bits) of the verblijfsobjecten within the bboxes of `geoms` (and some near them)."""
        if self._pid != os.getpid():
            io.open_covered(self.path, self.name)  # the covering and the CRS checked
            self._file = pq.ParquetFile(self.path, read_dictionary=["gebruiksdoel"])
            self._boxes = io.row_group_boxes(self._file)  # once, not for every batch (15 ms at national scale)
            self._groups, self._pid = OrderedDict(), os.getpid()
        groups, grid = io.groups_near(self._boxes, shapely.bounds(geoms), self.CELL)
        parts = [self._group(int(g)) for g in groups]
        xy = np.concatenate([xy for xy, _ in parts] + [np.zeros((0, 2))])
        bits = np.concatenate([b for _, b in parts] + [np.zeros(0, np.uint8)])
        keep = grid(np.hstack([xy, xy]))
        return shapely.points(xy[keep]), bits[keep]

    def _group(self, g: int) -> tuple[np.ndarray, np.ndarray]:
        if g in self._groups:
            self._groups.move_to_end(g)
            return self._groups[g]
        table = self._file.read_row_groups([g], columns=self.COLUMNS)
        doel = table.column("gebruiksdoel").combine_chunks()
        texts = catalogue.check(pd.DataFrame({"gebruiksdoel": doel.dictionary.to_pandas()}), self.name,
                                self.analyse, where=f"{self.name} ({self.path})", only=["gebruiksdoel"])
        known = np.array([_doel_bits(text) for text in texts["gebruiksdoel"].tolist()] + [0])  # last: missing
        codes = doel.indices.fill_null(len(known) - 1).to_numpy(zero_copy_only=False)
        box = table.column(io.BBOX).combine_chunks()
        xy = np.column_stack([box.field(k).to_numpy(zero_copy_only=False) for k in ("xmin", "ymin")])
        present = ~np.isnan(xy).any(axis=1)  # a missing or empty point lies in no pand
        self._groups[g] = (xy[present], known[codes][present].astype(np.uint8))
        if len(self._groups) > self.KEEP:
            self._groups.popitem(last=False)
        return self._groups[g]


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
