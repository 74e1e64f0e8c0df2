"""Which bboxes lie near a set of query boxes, on a grid: the row filter of pipeline.io's reads near the terreinen,
and the row groups of a GeoParquet file those rows can be in (by the statistics of its bbox covering column)."""
from __future__ import annotations

import numpy as np
import pyarrow.parquet as pq

NEAR_CELL = 250.0  # metres: the grid BoxGrid marks the query boxes on
BBOX = "bbox"      # the covering column of the pipeline's GeoParquet files


class BoxGrid:
    """Which rows ((n, 4) bboxes) meet a grid cell of `cell` m touched by one of `boxes`: every row meeting a box, and
    possibly rows up to `cell` m from one (a superset; callers that need it exact filter again). Works with numpy on
    a grid (a summed-area table), so thousands of overlapping boxes cost what one does; built once, then called on
    each batch of rows."""

    def __init__(self, boxes: np.ndarray, cell: float = NEAR_CELL):
        boxes = np.asarray(boxes, dtype=float).reshape(-1, 4)
        self.empty = len(boxes) == 0
        if self.empty:
            return
        x0, y0 = boxes[:, 0].min(), boxes[:, 1].min()
        span = max(boxes[:, 2].max() - x0, boxes[:, 3].max() - y0, 1.0)
        cell = max(cell, span / 2048)  # at most ~4M cells: a coarser grid is still a superset
        nx = int(np.floor((boxes[:, 2].max() - x0) / cell)) + 1
        ny = int(np.floor((boxes[:, 3].max() - y0) / cell)) + 1
        c0, c1 = ((boxes[:, [0, 2]] - x0) // cell).astype(np.int64).T
        r0, r1 = ((boxes[:, [1, 3]] - y0) // cell).astype(np.int64).T
        # +1 / -1 at the corners of every box, summed per cell (one bincount: np.add.at is ten times slower)
        corners = np.concatenate([r0 * (nx + 1) + c0, r0 * (nx + 1) + c1 + 1, (r1 + 1) * (nx + 1) + c0,
                                  (r1 + 1) * (nx + 1) + c1 + 1])
        diff = np.bincount(corners, weights=np.repeat([1.0, -1.0, -1.0, 1.0], len(boxes)),
                           minlength=(ny + 1) * (nx + 1)).reshape(ny + 1, nx + 1)
        np.cumsum(diff, axis=0, out=diff)
        np.cumsum(diff, axis=1, out=diff)
        self.marked = diff[:ny, :nx] > 0.5
        self.area = np.zeros((ny + 1, nx + 1), dtype=np.int32)  # at most ~4M cells
        np.cumsum(self.marked, axis=0, dtype=np.int32, out=self.area[1:, 1:])
        np.cumsum(self.area[1:, 1:], axis=1, out=self.area[1:, 1:])
        self.x0, self.y0, self.cell, self.nx, self.ny = x0, y0, cell, nx, ny

    def __call__(self, rows: np.ndarray) -> np.ndarray:
        rows = np.asarray(rows, dtype=float).reshape(-1, 4)
        if len(rows) == 0 or self.empty:
            return np.zeros(len(rows), dtype=bool)
        x0, y0, cell, nx, ny = self.x0, self.y0, self.cell, self.nx, self.ny
        inside = (rows[:, 2] >= x0) & (rows[:, 0] < x0 + nx * cell) & (rows[:, 3] >= y0) & (rows[:, 1] < y0 + ny * cell)
        out = np.zeros(len(rows), dtype=bool)
        pick = rows[inside]  # rows outside the grid (or with NaN bounds: an empty geometry) stay False
        a0 = np.clip((pick[:, 0] - x0) // cell, 0, nx - 1).astype(np.int64)
        b0 = np.clip((pick[:, 1] - y0) // cell, 0, ny - 1).astype(np.int64)
        if np.array_equal(pick[:, 0], pick[:, 2]) and np.array_equal(pick[:, 1], pick[:, 3]):
            out[inside] = self.marked[b0, a0]  # points (the verblijfsobjecten): the one cell each lies in
            return out
        a1 = np.clip((pick[:, 2] - x0) // cell, 0, nx - 1).astype(np.int64)
        b1 = np.clip((pick[:, 3] - y0) // cell, 0, ny - 1).astype(np.int64)
        area = self.area
        out[inside] = (area[b1 + 1, a1 + 1] - area[b0, a1 + 1] - area[b1 + 1, a0] + area[b0, a0]) > 0
        return out


def row_group_boxes(pf: pq.ParquetFile) -> np.ndarray:
    """(n, 4) xmin, ymin, xmax, ymax of each row group from its bbox statistics (NaN where they are missing): read
    once per file, for every `groups_near` on it."""
    stats = np.full((pf.metadata.num_row_groups, 4), np.nan)
    for g, columns in enumerate(_bbox_statistics(pf)):
        for k, (s, pick) in enumerate(zip(columns, ("min", "min", "max", "max"))):
            stats[g, k] = getattr(s, pick) if s is not None and s.has_min_max else np.nan
    return stats


def groups_near(group_boxes: np.ndarray, boxes: np.ndarray, cell: float) -> tuple[np.ndarray, BoxGrid]:
    """The row groups (of `row_group_boxes`) that meet the grid of `boxes` (a group without statistics too), and that
    grid, which the rows of those groups are filtered by."""
    grid = BoxGrid(boxes, cell)
    known = ~np.isnan(group_boxes).any(axis=1)
    hit = ~known
    hit[known] = grid(group_boxes[known])
    return np.flatnonzero(hit), grid


def every_row_has_a_bbox(pf: pq.ParquetFile) -> bool:
    """The statistics of every row group say no row lacks its bbox (a missing or empty geometry has none)."""
    return all(s is not None and s.has_null_count and s.null_count == 0
               for columns in _bbox_statistics(pf) for s in columns)


def _bbox_statistics(pf: pq.ParquetFile) -> list[list]:
    """Per row group the statistics of the covering's xmin, ymin, xmax, ymax (None where not written)."""
    meta = pf.metadata
    leaf = {meta.schema.column(i).path: i for i in range(meta.num_columns)}
    return [[meta.row_group(g).column(leaf[f"{BBOX}.{n}"]).statistics for n in ("xmin", "ymin", "xmax", "ymax")]
            for g in range(meta.num_row_groups)]
