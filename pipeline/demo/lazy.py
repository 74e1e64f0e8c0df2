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
            data[name] = pd.Series(values[rows], dtype=dtype) if dtype else values[rows]
        return gpd.GeoDataFrame(data, geometry=self.geometry(rows), crs=self.crs)

    def chunks(self, size: int = CHUNK) -> Iterator[gpd.GeoDataFrame]:
        for start in range(0, len(self), size):
            yield self.frame(np.arange(start, min(start + size, len(self))))


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
