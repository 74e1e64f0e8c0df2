"""Layers too big to hold as shapely objects (the BAG at national scale): columns as arrays, geometry on demand.

Why: at scale 8.5 the demo has ~11M panden and ~10M verblijfsobjecten; as GeoDataFrames they need over 20 GB.
A `LazyLayer` keeps the attribute columns as numpy arrays and makes the geometries of a chunk of rows only when
that chunk is written (writers.write_gpkg appends chunk by chunk), so the generator streams. The rows, values
and their order are exactly those of the GeoDataFrame it stands for.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterator

import geopandas as gpd
import numpy as np
import pandas as pd

CHUNK = 250_000


@dataclass
class LazyLayer:
    columns: dict[str, np.ndarray]                  # name -> values (one per row), in column order
    geometry: Callable[[np.ndarray], np.ndarray]    # row numbers -> shapely geometries
    crs: str
    dtypes: dict[str, str] | None = None            # pandas dtype per column in a chunk (default: inferred)

    def __len__(self) -> int:
        return len(next(iter(self.columns.values())))

    def __contains__(self, name: str) -> bool:
        return name in self.columns

    def frame(self, rows: np.ndarray) -> gpd.GeoDataFrame:
        """The GeoDataFrame of these rows."""
        data = {}
        for name, values in self.columns.items():
            dtype = (self.dtypes or {}).get(name)
            picked = values[rows].values() if isinstance(values, Coded) else values[rows]
            data[name] = pd.Series(picked, dtype=dtype) if dtype else picked
        return gpd.GeoDataFrame(data, geometry=self.geometry(rows), crs=self.crs)

    def chunks(self, size: int = CHUNK) -> Iterator[gpd.GeoDataFrame]:
        for start in range(0, len(self), size):
            yield self.frame(np.arange(start, min(start + size, len(self))))


class Coded:
    """A column of a few distinct values (status, gebruiksdoel, dates) as one small code per row into the table of
    its values: one byte per row, where an object array holds an 8-byte pointer per row and its copies more (at
    scale 8.5 a column has 10-11 M rows). `values()` gives the object array it stands for."""

    def __init__(self, codes: np.ndarray, table):
        self.table = np.asarray(table, dtype=object)
        self.codes = np.asarray(codes, dtype=np.int8 if len(self.table) <= 127 else np.int32)

    @classmethod
    def full(cls, n: int, value) -> "Coded":
        return cls(np.zeros(n, dtype=np.int8), [value])

    def __len__(self) -> int:
        return len(self.codes)

    def __getitem__(self, rows) -> "Coded":
        return Coded(self.codes[rows], self.table)

    def values(self) -> np.ndarray:
        return self.table[self.codes]

    def __add__(self, other: "Coded") -> "Coded":
        """The rows of both, one after the other."""
        table = list(dict.fromkeys([*self.table, *other.table]))
        where = {v: i for i, v in enumerate(table)}
        recode = [np.array([where[v] for v in c.table])[c.codes] for c in (self, other)]
        return Coded(np.concatenate(recode), table)


class Rects:
    """Rotated rectangles (geometry.rectangles) made on demand: centre, length, width, angle per rectangle."""

    def __init__(self, x, y, length, width, angle):
        self.x, self.y, self.length, self.width, self.angle = x, y, length, width, angle

    def __len__(self) -> int:
        return len(self.x)

    def __getitem__(self, rows) -> np.ndarray:
        from pipeline.demo.geometry import rectangles
        return rectangles(self.x[rows], self.y[rows], self.length[rows], self.width[rows], self.angle[rows])


def pieces(parts: list) -> Callable[[np.ndarray], np.ndarray]:
    """Row numbers -> geometries for a layer whose rows are the concatenation of `parts` (arrays or Rects)."""
    sizes = np.array([len(p) for p in parts], dtype=np.int64)
    starts = np.cumsum(sizes) - sizes

    def geometry(rows: np.ndarray) -> np.ndarray:
        rows = np.asarray(rows, dtype=np.int64)
        out = np.empty(len(rows), dtype=object)
        which = np.searchsorted(starts, rows, side="right") - 1
        for k in np.unique(which):
            sel = which == k
            out[sel] = parts[k][rows[sel] - starts[k]]
        return out
    return geometry
