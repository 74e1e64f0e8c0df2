"""Reading and writing the pipeline's own files: atomically, in the working CRS, read only what is needed.

Every output is written to a temporary path in the same folder and renamed into place, so a crash
never leaves a half-written file that a later run would mistake for a finished one.

GeoParquet files carry a bbox covering column (GeoParquet 1.1 `covering`: xmin, ymin, xmax, ymax per row) and
are written in row groups of ROW_GROUP_ROWS rows; the layers that scale with the buildings (panden,
verblijfsobjecten) are sorted along a Hilbert curve over the Netherlands first (`sort=True`), so a row group
covers a compact area. `read_parquet(..., boxes=...)` then reads only the row groups whose statistics meet
one of the query boxes, keeps only the rows whose bbox does, and decodes only their geometries (in threads):
the analyses read the buildings near the terreinen, not a province or a country of them. `GeoParquetWriter`
appends frames batch by batch (bounded memory for huge sources).
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import shapely
from geopandas.io.arrow import _geopandas_to_arrow
from pyproj import CRS

from pipeline.boxgrid import BBOX, NEAR_CELL, every_row_has_a_bbox, groups_near, row_group_boxes
from pipeline.crs import WORKING_CRS, WORKING_EPSG, assert_working_crs
from pipeline.hilbert import spatial_order
from pipeline.threads import in_threads
from pipeline.wkb import multi_wkb

ROW_GROUP_ROWS = 32_768   # rows per Parquet row group: the unit a bbox read skips or reads
READ_GROUPS = 4           # row groups read at a time by _read_near (by default)
DICTIONARY_SAMPLE = 10_000  # values that decide whether a column is dictionary-encoded (dictionary_columns)


@contextlib.contextmanager
def atomic_path(target: str | Path):
    """Yield a temporary path beside `target`; rename it onto `target` only if the block succeeds."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp" + target.suffix, dir=target.parent)
    os.close(fd)
    os.unlink(tmp)  # writers (GDAL) want to create the file themselves
    tmp = Path(tmp)
    try:
        yield tmp
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def scratch_folder(target: str | Path) -> Path:
    """A new hidden folder beside `target` for work in progress (".<stem>.<random>.tmp"): the caller removes it;
    after a killed run workspace.remove_temporaries does."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=f".{target.stem}.", suffix=".tmp", dir=target.parent))


def to_arrow(frame: gpd.GeoDataFrame, *, multi: bool = False) -> pa.Table:
    """A GeoDataFrame as a GeoParquet Arrow table: WKB geometry plus the bbox covering column. With `multi` its
    Polygons are written as MultiPolygons of one part (wkb.multi_wkb: the frame may keep single polygons as they
    are, which is cheaper than making MultiPolygon objects)."""
    table = _geopandas_to_arrow(frame, index=False, geometry_encoding="WKB", write_covering_bbox=True)
    if not multi:
        return table
    geo = json.loads(table.schema.metadata[b"geo"])
    gcol = geo["primary_column"]
    column = geo["columns"][gcol]
    column["geometry_types"] = sorted({"Multi" + t if t.startswith("Polygon") else t
                                       for t in column.get("geometry_types", [])})
    wkb = multi_wkb(table.column(gcol).combine_chunks())
    table = table.set_column(table.schema.get_field_index(gcol), gcol, wkb)
    return table.replace_schema_metadata({**table.schema.metadata, b"geo": json.dumps(geo).encode()})


def write_parquet(frame: pd.DataFrame | gpd.GeoDataFrame, target: str | Path, *, sort: bool = False) -> Path:
    """Write a (Geo)DataFrame as (Geo)Parquet atomically; GeoDataFrames must be in EPSG:28992.

    GeoParquet gets the bbox covering column and row groups; with sort the rows go in Hilbert order first."""
    target = Path(target)
    with atomic_path(target) as tmp:
        if isinstance(frame, gpd.GeoDataFrame):
            assert_working_crs(frame, str(target))
            if sort and len(frame):
                frame = frame.take(spatial_order(frame.geometry.to_numpy()))
            table = to_arrow(frame)
            pq.write_table(table, tmp, row_group_size=ROW_GROUP_ROWS, compression="snappy",
                           use_dictionary=dictionary_columns(table))
        else:
            frame.to_parquet(tmp, index=False)
    return target


def dictionary_columns(table: pa.Table, sample: int = DICTIONARY_SAMPLE) -> list[str]:
    """The columns Parquet should dictionary-encode: those whose first `sample` values are at most half distinct.
    Parquet tries a dictionary for every column and falls back to plain values only once the dictionary page is
    full, so an id, a geometry (WKB) or a bbox column was encoded twice: writing a province's panden took 1.77
    instead of 1.22 s of CPU, its verblijfsobjecten 1.4 instead of 0.78 s, for larger files. The first batch decides
    for a file written in batches (GeoParquetWriter); a column that is a dictionary already (a category) keeps one."""
    head = table.slice(0, sample)
    out = []
    for field in table.schema:
        kind = field.type
        if pa.types.is_nested(kind) or pa.types.is_binary(kind) or pa.types.is_large_binary(kind):
            continue
        if pa.types.is_dictionary(kind) or pa.types.is_null(kind) or head.num_rows == 0 \
                or pc.count_distinct(head.column(field.name)).as_py() * 2 <= head.num_rows:
            out.append(field.name)
    return out


class GeoParquetWriter:
    """Append GeoDataFrames to one GeoParquet file batch by batch (each batch one or more row groups); the geo
    metadata (bbox, geometry types) covers all batches. Use as a context manager; the file appears atomically."""

    def __init__(self, target: str | Path):
        self.target = Path(target)
        self._atomic = atomic_path(self.target)
        self._writer: pq.ParquetWriter | None = None
        self._geo: dict | None = None
        self._bounds = np.array([np.inf, np.inf, -np.inf, -np.inf])
        self._types: set[str] = set()
        self.rows = 0

    def __enter__(self) -> "GeoParquetWriter":
        self._tmp = self._atomic.__enter__()
        return self

    def write(self, frame: gpd.GeoDataFrame) -> None:
        assert_working_crs(frame, str(self.target))
        self.write_table(to_arrow(frame))

    def write_table(self, table: pa.Table) -> None:
        """An Arrow table made by `to_arrow` (same columns every time); its bbox column extends the file's bbox."""
        geo = json.loads(table.schema.metadata[b"geo"]) if table.schema.metadata and b"geo" in table.schema.metadata \
            else self._geo
        column = geo["columns"][geo["primary_column"]]
        if table.num_rows:
            b = table.column(BBOX)
            lo = [pc.min(pc.struct_field(b, [k])).as_py() for k in (0, 1)]
            hi = [pc.max(pc.struct_field(b, [k])).as_py() for k in (2, 3)]
            self._bounds = np.r_[np.minimum(self._bounds[:2], lo), np.maximum(self._bounds[2:], hi)]
            self._types.update(column.get("geometry_types", []))
        if self._writer is None:  # the geo metadata is added on closing, with the bbox of all batches
            self._geo = geo
            meta = {k: v for k, v in (table.schema.metadata or {}).items() if k != b"geo"}
            self._schema = table.schema.with_metadata(meta)
            self._writer = pq.ParquetWriter(self._tmp, self._schema, compression="snappy", store_schema=False,
                                            use_dictionary=dictionary_columns(table))
        self._writer.write_table(table.cast(self._schema), row_group_size=ROW_GROUP_ROWS)
        self.rows += table.num_rows

    @property
    def bounds(self) -> list[float] | None:
        return [float(v) for v in self._bounds] if self.rows else None

    def __exit__(self, *exc) -> bool:
        """Finish the file (at least one `write`, an empty frame will do, is needed for its schema)."""
        try:
            if self._writer is not None:
                if exc[0] is None:
                    column = self._geo["columns"][self._geo["primary_column"]]
                    column["bbox"] = [float(v) for v in self._bounds] if self.rows else []
                    column["geometry_types"] = sorted(self._types)
                    extra = {k.decode(): v.decode() for k, v in (self._schema.metadata or {}).items()}
                    self._writer.add_key_value_metadata({**extra, "geo": json.dumps(self._geo)})
                self._writer.close()
        except BaseException as failure:
            self._atomic.__exit__(type(failure), failure, failure.__traceback__)
            raise
        return bool(self._atomic.__exit__(*exc))


# ---------------------------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------------------------
def read_parquet(path: str | Path, *, what: str | None = None, boxes: np.ndarray | None = None,
                 cell: float | None = None, rows: np.ndarray | None = None) -> gpd.GeoDataFrame | pd.DataFrame:
    """Read a file written by write_parquet; clear error when a previous stage has not run.

    boxes: (n, 4) xmin, ymin, xmax, ymax: the rows whose bbox meets one of them, and possibly some within NEAR_CELL m
    of one (row groups that cannot hold any are not read at all; needs the covering column); cell: that grid cell
    (m), default NEAR_CELL. rows: only these rows (positions in the file), from the row groups that hold them.
    """
    pf, geo = _open(path, what)
    if geo is None:  # no geometry metadata: a plain table
        return pd.read_parquet(path)
    wanted, gcol = _wanted(pf, geo), geo["primary_column"]
    # a layer of points whose every row has a bbox: the points are made of it (_to_frame), the WKB is never read
    unread = gcol if _points_layer(geo) and every_row_has_a_bbox(pf) else None
    read = [c for c in wanted if c != unread]
    if rows is not None:
        table = _read_rows(pf, read, np.asarray(rows, dtype=np.int64))
    elif boxes is None:
        table = pf.read(columns=read)
    else:
        _need_covering(geo, path)
        table = _read_near(pf, read, np.asarray(boxes, dtype=float).reshape(-1, 4), cell or NEAR_CELL)
    if unread:
        table = table.add_column(wanted.index(unread), unread, pa.nulls(table.num_rows, pa.binary()))
    return _geo_frame(table, geo, path)


def read_columns(path: str | Path, columns: list[str], *, what: str | None = None) -> pd.DataFrame:
    """Only these columns of a Parquet file, without its geometry (a lookup); a clear error naming the file and the
    columns it lacks."""
    pf, _ = _open(path, what)
    missing = [c for c in columns if c not in pf.schema_arrow.names]
    if missing:
        raise ValueError(f"{what or Path(path).name}: {path} has no column(s) {missing}; run the stage that writes "
                         "it again")
    return pf.read(columns=list(columns)).to_pandas()


def _open(path: str | Path, what: str | None) -> tuple[pq.ParquetFile, dict | None]:
    """The file (a clear error when a previous stage has not run) and its GeoParquet metadata (None: a plain
    table)."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{what or path.name}: {path} does not exist; run the earlier stage first")
    pf = pq.ParquetFile(path)
    raw = (pf.schema_arrow.metadata or {}).get(b"geo")
    return pf, (json.loads(raw) if raw is not None else None)


def _covering(geo: dict) -> dict | None:
    return geo["columns"][geo["primary_column"]].get("covering", {}).get("bbox")


def open_covered(path: str | Path, what: str | None = None) -> pq.ParquetFile:
    """A GeoParquet file to be read by row groups without its frame (read_parquet checks that): its covering column
    and the working CRS checked."""
    pf, geo = _open(path, what)
    _need_covering(geo, path)
    crs = geo["columns"][geo["primary_column"]].get("crs")
    if _epsg(json.dumps(crs, sort_keys=True)) != WORKING_EPSG:
        raise ValueError(f"{path}: expected CRS {WORKING_CRS}, found {crs}")
    return pf


def _need_covering(geo: dict | None, path) -> None:
    if geo is None or _covering(geo) is None:
        raise ValueError(f"{path}: no bbox covering column; write it again with pipeline.io.write_parquet")


def _points_layer(geo: dict) -> bool:
    return _covering(geo) is not None and geo["columns"][geo["primary_column"]].get("geometry_types") == ["Point"]


def _wanted(pf: pq.ParquetFile, geo: dict) -> list[str]:
    """The columns read: all but the covering, which a layer of points keeps (_to_frame makes the points of it)."""
    return [n for n in pf.schema_arrow.names if n != BBOX or _covering(geo) is None or _points_layer(geo)]


def _geo_frame(table: pa.Table, geo: dict, path) -> gpd.GeoDataFrame:
    gcol = geo["primary_column"]
    frame = _to_frame(table, gcol, geo["columns"][gcol].get("crs"), points=_points_layer(geo))
    assert_working_crs(frame, str(path))
    return frame


def geo_bbox(path: str | Path) -> list[float]:
    """The bbox a GeoParquet file's geo metadata records for all its rows ([] when it records none)."""
    geo = json.loads(pq.read_schema(path).metadata[b"geo"])
    return geo["columns"][geo["primary_column"]].get("bbox") or []


def _read_near(pf: pq.ParquetFile, columns: list[str], boxes: np.ndarray, cell: float) -> pa.Table:
    """The rows whose bbox meets one of `boxes` (and some within NEAR_CELL of one), from the row groups whose
    statistics allow it."""
    return pa.concat_tables([pf.schema_arrow.empty_table().select(columns), *_near_tables(pf, columns, boxes, cell)])


def _read_rows(pf: pq.ParquetFile, columns: list[str], rows: np.ndarray) -> pa.Table:
    """Rows by position, in the order given, reading only the row groups that hold them."""
    if not len(rows):
        return pf.schema_arrow.empty_table().select(columns)
    sizes = np.array([pf.metadata.row_group(g).num_rows for g in range(pf.metadata.num_row_groups)])
    starts = np.r_[0, np.cumsum(sizes)]
    group_of = np.searchsorted(starts, rows, side="right") - 1
    groups = np.unique(group_of)
    table = pf.read_row_groups(groups.tolist(), columns=columns)
    read_from = np.r_[0, np.cumsum(sizes[groups])][:-1]  # where each group read starts in `table`
    return table.take(rows - starts[group_of] + read_from[np.searchsorted(groups, group_of)])


def _near_tables(pf: pq.ParquetFile, columns: list[str], boxes: np.ndarray | None, cell: float,
                 at_once: int | None = None) -> Iterator[pa.Table]:
    """_read_near `at_once` (default READ_GROUPS) row groups at a time, in file order (every row when `boxes` is
    None)."""
    groups, grid = (np.arange(pf.metadata.num_row_groups), None) if boxes is None else \
        groups_near(row_group_boxes(pf), boxes, cell)
    # a few row groups at a time, each filtered before the next is read: boxes spread over a region can meet every
    # row group, and reading them all before filtering would hold the whole file (a national BAG: gigabytes)
    read = columns if BBOX in columns else [*columns, BBOX]
    at_once = at_once or READ_GROUPS
    for start in range(0, len(groups), at_once):
        table = pf.read_row_groups(groups[start:start + at_once], columns=read)
        if grid is not None:
            table = table.filter(pa.array(grid(_bbox_rows(table))))
        yield table.drop_columns([BBOX]) if BBOX not in columns else table


def read_parquet_tables(path: str | Path, *, what: str | None = None, boxes: np.ndarray | None = None,
                        cell: float | None = None, groups: int | None = None) -> Iterator[pa.Table]:
    """The rows read_parquet gives, `groups` (default READ_GROUPS) row groups at a time in file order, as Arrow
    tables with the geometry still WKB (covering dropped): a layer copied into another file needs no shapely geometry
    (decoding and encoding cost seconds per million rows), and is never held whole."""
    pf = open_covered(path, what)
    yield from _near_tables(pf, [n for n in pf.schema_arrow.names if n != BBOX], boxes, cell or NEAR_CELL, groups)


def read_bounds(path: str | Path, boxes: np.ndarray, cell: float | None = None) -> np.ndarray:
    """(n, 4) bboxes of the rows read_parquet(path, boxes=boxes, cell=cell) gives, from the covering column only."""
    pf = pq.ParquetFile(path)
    parts = [np.zeros((0, 4))]
    for table in _near_tables(pf, [BBOX], boxes, cell or NEAR_CELL):
        parts.append(_bbox_rows(table))
    return np.concatenate(parts)


def _bbox_rows(table: pa.Table) -> np.ndarray:
    """(n, 4) xmin, ymin, xmax, ymax of each row, from the covering column."""
    b = table.column(BBOX).combine_chunks()
    return np.column_stack([b.field(n).to_numpy(zero_copy_only=False) for n in ("xmin", "ymin", "xmax", "ymax")])


@lru_cache(maxsize=16)
def _epsg(crs_json: str) -> int | None:
    return CRS.from_json(crs_json).to_epsg() if crs_json != "null" else None


def _to_frame(table: pa.Table, gcol: str, crs, *, points: bool = False) -> gpd.GeoDataFrame:
    """Arrow table -> GeoDataFrame, the WKB decoded in threads. With `points` (a layer of points, read with its
    covering column) the points are made of the covering's xmin and ymin: doubles, so the very same points, in half
    the time of decoding WKB (which holds the GIL); a row without a bbox (no or an empty point) needs the WKB."""
    epsg = _epsg(json.dumps(crs, sort_keys=True)) if crs is not None else None
    bbox = table.column(BBOX).combine_chunks() if points else None
    if points:
        table = table.drop_columns([BBOX])
    position = table.column_names.index(gcol)
    frame = table.drop_columns([gcol]).to_pandas()
    if bbox is not None and bbox.field("xmin").null_count == 0:
        geoms = shapely.points(*(bbox.field(k).to_numpy(zero_copy_only=False) for k in ("xmin", "ymin")))
    else:
        geoms = decode_wkb(table.column(gcol))
    frame.insert(position, gcol, gpd.GeoSeries(geoms, index=frame.index, crs=WORKING_CRS if epsg == WORKING_EPSG
                                                else (None if crs is None else CRS.from_json_dict(crs))))
    return gpd.GeoDataFrame(frame, geometry=gcol)


def decode_wkb(wkb: pa.ChunkedArray | pa.Array) -> np.ndarray:
    """A WKB column as shapely geometries, decoded in threads."""
    return in_threads(shapely.from_wkb, np.asarray(wkb.to_numpy(zero_copy_only=False), dtype=object))


def is_in(values, allowed) -> np.ndarray:
    """Mask of `values` (text keys: ids, rin_nummers) found in `allowed`, hashed in Arrow: pandas' isin with a Python
    set visits every value in Python, a second or more per million rows. Missing values are never found."""
    def text(v) -> pa.Array:
        series = v if isinstance(v, pd.Series) else pd.Series(np.asarray(list(v) if isinstance(v, set) else v,
                                                                          dtype=object))
        return pa.array(series.astype("string").array).cast(pa.large_string())
    return pc.fill_null(pc.is_in(text(values), value_set=pc.unique(text(allowed))), False).to_numpy(
        zero_copy_only=False)


def write_json(data, target: str | Path) -> Path:
    """Write JSON atomically (UTF-8, readable indentation)."""
    target = Path(target)
    with atomic_path(target) as tmp:
        tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
    return target


def sha256_file(path: str | Path) -> str:
    """Checksum of a file, read in blocks (source files can be GBs)."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
