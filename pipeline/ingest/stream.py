"""Huge sources in batches with bounded memory: read, cleaned and written batch by batch, then sorted spatially.

Settings: `ingest.batch_rijen` (rows per batch).
The layers that scale with the buildings (catalogue `spatial_sort`: panden, verblijfsobjecten; a national BAG
GeoPackage is several GB, 11M panden and 10M verblijfsobjecten) never exist in memory as a whole:

- `read_batches`: the source is read with GDAL's Arrow stream (pyogrio.open_arrow) `batch_rijen` rows at a time
  (GeoPackage, GeoJSON, Shapefile, GML through GDAL; other formats as one batch), each batch decoded and
  reprojected like readers.read_source does for a whole file, one batch ahead in a thread (`prefetched`).
- `load_batches`: base.load per batch: the fields are resolved once, every batch's counts go to one tally of the
  quality report, and row numbers are those of the whole file.
- `LayerWriter`: each canonical batch goes as Arrow (WKB and the bbox covering column, pipeline.io) into one of
  256 bucket files (a `Spill`) by its Hilbert key (a fixed grid over the Netherlands); `finish` reads them in key
  order, drops the rows decided on only after the last batch (older voorkomens, exact copies of a repeated id:
  the same rules as for a layer in memory), sorts each bucket by (key, row) and appends it to the canonical
  file in row groups; the file equals what pipeline.io.write_parquet(sort=True) writes for the layer in memory.
- `KeyedSpill`: what those whole-source rules need of every row (its id as a 64-bit number, for BAG history its
  voorkomen) goes to 64 scratch files by that number, and the rule is decided one file at a time after the last
  batch: an id's rows are all in one file. Peak memory is one batch, one bucket or one such file, whichever is
  largest, and does not grow with the source.
"""
from __future__ import annotations

import logging
import queue
import shutil
import threading
import warnings
from pathlib import Path
from typing import Iterator

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyogrio
from pyproj import CRS

from pipeline import io
from pipeline.hilbert import hilbert_keys
from pipeline.ingest import readers
from pipeline.ingest.errors import IngestError

log = logging.getLogger(__name__)

BUCKET_BITS = 8          # 256 buckets by the top bits of the 32-bit Hilbert key
SPILL_PARTS = 64         # KeyedSpill files (a national BAG: ~170,000 ids per file)
KEY, SEQ, ROW, ID_KEY = "_sleutel", "_volgorde", "_rij", "_id_sleutel"
OGR_FORMATS = {"gpkg", "geojson", "shp"}


def read_batches(source, name: str, *, default_layer: str | None, kind: str | None, tolerance: float,
                 batch_rows: int) -> Iterator[readers.Layer]:
    """The source's layer in batches of `batch_rows` rows (working CRS), or as one batch (see module doc)."""
    path = readers.check_exists(source.path, name)
    fmt = readers.detect_format(path, source.format)
    if fmt not in OGR_FORMATS or source.geometrie is not None:
        yield readers.read_source(source, name, default_layer=default_layer, kind=kind, tolerance=tolerance)
        return
    if fmt == "shp":  # as read_source does: GDAL would read the shorter of .shx and .dbf without a word
        readers.check_shapefile_parts(path)
    layers = readers.list_layers(path, fmt)
    if not layers:
        raise IngestError("the file holds no layers", path=path)
    layer = readers._choose_layer(path, layers, source.layer, default_layer)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Non closed ring detected")
        try:
            with pyogrio.open_arrow(path, layer=layer, batch_size=batch_rows, use_pyarrow=True) as (meta, stream):
                yield from prefetched(_batches(meta, stream, source, name, path, layer, fmt, tolerance))
        except (IngestError, pa.ArrowException) as exc:
            if isinstance(exc, IngestError):
                raise
            raise IngestError(f"cannot read: {exc}", path=path, layer=layer) from exc


def _batches(meta, stream, source, name, path, layer, fmt, tolerance) -> Iterator[readers.Layer]:
    crs = CRS.from_user_input(meta["crs"]) if meta.get("crs") else None
    first = True
    for batch in stream:
        table = pa.Table.from_batches([batch])
        if first and table.num_rows == 0:
            continue
        frame, column = readers.arrow_columns(table, meta)
        geoms, types, closed, curved = readers.geometries([None] * len(frame) if column is None else column,
                                                          tolerance)
        frame[readers.SOURCE_TYPE] = types
        frame = gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geoms, index=frame.index))
        frame = readers._to_working_crs(frame, crs, source, name, path, layer)
        first = False
        yield readers.Layer(frame, path, layer, fmt, None if crs is None else crs.to_string(), closed, curved)
    if first:
        raise IngestError("the layer is empty", path=path, layer=layer, expected="at least one feature", found=0)


def prefetched(items: Iterator, depth: int = 1) -> Iterator:
    """The items of `items`, made `depth` ahead in a thread: the next batch is read and decoded (GDAL, GEOS and Arrow
    release the GIL) while the caller cleans and writes this one, so both cores work. At most depth + 2 items exist
    at once; an error in the thread is raised here, and stopping early stops the thread."""
    box: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()
    end = object()

    def put(item) -> bool:
        while not stop.is_set():
            try:
                box.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for item in items:
                if not put((True, item)):
                    return
            put((True, end))
        except BaseException as exc:  # noqa: BLE001 - handed to the caller's thread
            put((False, exc))

    worker = threading.Thread(target=produce, name="ingest-prefetch", daemon=True)
    worker.start()
    try:
        while True:
            ok, item = box.get()
            if not ok:
                raise item
            if item is end:
                return
            yield item
    finally:
        stop.set()
        worker.join()


class LayerWriter:
    """A canonical layer written batch by batch and sorted on `finish` (see module doc)."""

    def __init__(self, target: Path, *, multi: bool = False):
        self.target = Path(target)
        self.multi = multi  # the batches' single Polygons are written as MultiPolygons (io.to_arrow)
        self.scratch = io.scratch_folder(self.target)
        self.buckets = Spill(self.scratch / "buckets")  # the rows by the top bits of their Hilbert key
        self.schema: pa.Schema | None = None
        self.rows = 0
        self.ids = KeyedSpill(self.scratch / "ids")  # the id key of every row, for repeated_ids
        self.survivors: list[pa.Array] = []  # ids of kept rows whose id is repeated

    def add(self, frame: gpd.GeoDataFrame, rows: np.ndarray, id_column: str | None) -> None:
        """One canonical batch (catalogue-conformed); rows: the row number as read of each row."""
        if not len(frame):
            return
        keys = hilbert_keys(frame.geometry.to_numpy())
        table = io.to_arrow(frame, multi=self.multi)
        if self.schema is None:
            self.schema = table.schema
        table = table.cast(self.schema)
        table = table.append_column(KEY, pa.array(keys)).append_column(
            SEQ, pa.array(np.arange(self.rows, self.rows + len(frame), dtype=np.int64))).append_column(
            ROW, pa.array(np.asarray(rows, dtype=np.int64)))
        if id_column is not None:
            ids = id_keys(frame[id_column])
            table = table.append_column(ID_KEY, pa.array(ids))
            self.ids.append(pd.DataFrame({"id": ids}), ids)
        self.buckets.append(table, keys >> (32 - BUCKET_BITS))
        self.rows += len(frame)

    def repeated_ids(self) -> pa.Array:
        """The id keys (id_keys) that occur more than once in the whole layer, one spill file at a time."""
        repeated = [np.zeros(0, np.int64)]
        for part in self.ids.parts():
            keys = np.sort(part["id"].to_numpy())
            repeated.append(np.unique(keys[1:][keys[1:] == keys[:-1]]))
        return pa.array(np.concatenate(repeated), pa.int64())

    def finish(self, *, drop_rows=None, id_column: str | None = None, on_repeated=None) -> dict:
        """Write the canonical file: buckets in key order, `drop_rows` (row numbers as read) left out, rows with a
        repeated id given to on_repeated(frame) -> keep mask (exact copies), each bucket sorted by (key, seq)."""
        checked = id_column is not None and on_repeated is not None
        repeated = self.repeated_ids() if checked else pa.array([], pa.int64())
        drop = pa.array(np.unique(np.asarray(drop_rows if drop_rows is not None else [], dtype=np.int64)))
        stats = {"rows": 0, "dropped": 0, "copies": 0, "still": 0, "bounds": None}
        try:
            with io.GeoParquetWriter(self.target) as out:
                for table in self.buckets.tables():
                    keep = pc.invert(pc.is_in(table.column(ROW), value_set=drop))
                    stats["dropped"] += table.num_rows - pc.sum(keep).as_py() if len(drop) else 0
                    table = table.filter(keep) if len(drop) else table
                    table = self._copies(table, repeated, id_column, on_repeated, stats, self.survivors)
                    table = table.sort_by([(KEY, "ascending"), (SEQ, "ascending")])
                    out.write_table(table.drop_columns([c for c in (KEY, SEQ, ROW, ID_KEY) if c in table.schema.names]))
                    stats["rows"] += table.num_rows
                if out.rows == 0 and self.schema is not None:
                    out.write_table(self.schema.empty_table())
            stats["bounds"] = out.bounds
            if self.survivors:
                counts = pc.value_counts(pa.chunked_array(self.survivors).combine_chunks())
                c = counts.field("counts").to_numpy()
                stats["still"] = int(c[c > 1].sum())
        finally:
            shutil.rmtree(self.scratch, ignore_errors=True)
        return stats

    @staticmethod
    def _copies(table: pa.Table, repeated: pa.Array, id_column, on_repeated, stats, survivors) -> pa.Table:
        if not len(repeated) or table.num_rows == 0:
            return table
        hit = np.flatnonzero(pc.is_in(table.column(ID_KEY), value_set=repeated).to_numpy(zero_copy_only=False))
        if not len(hit):  # (a key shared by two different ids only hands on_repeated a few rows more)
            return table
        sub = table.take(pa.array(hit)).sort_by([(SEQ, "ascending")])
        frame = io._to_frame(sub.drop_columns([io.BBOX, KEY, SEQ, ROW, ID_KEY]), "geometry", None)
        keep = np.asarray(on_repeated(frame), dtype=bool)
        survivors.append(sub.column(id_column).combine_chunks().cast(pa.large_string()).filter(pa.array(keep)))
        gone = set(sub.column(SEQ).to_numpy()[~keep].tolist())
        stats["copies"] += len(gone)
        if not gone:
            return table
        return table.filter(pc.invert(pc.is_in(table.column(SEQ), value_set=pa.array(sorted(gone), pa.int64()))))

    def discard(self) -> None:
        for spill in (self.buckets, self.ids):
            try:
                spill.close()
            except Exception:  # noqa: BLE001 - cleaning up after a failure
                pass
        shutil.rmtree(self.scratch, ignore_errors=True)


class Spill:
    """Arrow tables split by a part number per row into scratch files (Arrow IPC: no encoding, written once, read once
    memory-mapped), read back one file at a time in part order."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.writers: dict[int, pa.ipc.RecordBatchFileWriter] = {}
        self.schema: pa.Schema | None = None

    def append(self, table: pa.Table, part: np.ndarray) -> None:
        if not table.num_rows:
            return
        self.schema = self.schema or table.schema
        table = table.cast(self.schema)
        part = np.asarray(part, dtype=np.int64)
        order = np.argsort(part, kind="stable")
        part, table = part[order], table.take(pa.array(order))  # one take; each part is then a slice of it
        bounds = np.flatnonzero(np.r_[True, part[1:] != part[:-1], True])
        self.folder.mkdir(parents=True, exist_ok=True)
        for s, e in zip(bounds[:-1], bounds[1:]):
            p = int(part[s])
            if p not in self.writers:
                self.writers[p] = pa.ipc.new_file(str(self.folder / f"{p:03d}.arrow"), self.schema)
            self.writers[p].write_table(table.slice(s, e - s))

    def tables(self) -> Iterator[pa.Table]:
        """Each file's rows (in the order appended), one file at a time, in part order."""
        self.close()
        for path in sorted(self.folder.glob("*.arrow")):
            with pa.memory_map(str(path)) as source:
                yield pa.ipc.open_file(source).read_all()

    def close(self) -> None:
        for w in self.writers.values():
            w.close()
        self.writers = {}


class KeyedSpill(Spill):
    """Rows spilled by a 64-bit key (key modulo SPILL_PARTS), so that a rule per key can be decided after the last
    batch one file at a time: all rows of one key are in one file."""

    def append(self, frame: pd.DataFrame, keys: np.ndarray) -> None:
        table = pa.Table.from_pandas(frame, preserve_index=False)
        super().append(table, np.asarray(keys, dtype=np.int64) % SPILL_PARTS)

    def parts(self) -> Iterator[pd.DataFrame]:
        """Each file's rows as a frame (in the order appended), one file at a time."""
        for table in self.tables():
            yield table.to_pandas()


def _integers(digits: pd.Series) -> np.ndarray:
    """Digit-only text as int64: Arrow's cast (15 times as fast as pandas' astype); text with Unicode digits other than
    0-9, which Arrow does not read, the pandas way."""
    try:
        return pc.cast(pa.array(digits.array), pa.int64()).to_numpy()
    except pa.ArrowInvalid:
        return digits.astype("int64").to_numpy()


def id_keys(ids: pd.Series) -> np.ndarray:
    """A number per id, the same in every batch: the id itself when it is digits only (BAG's 16-digit
    identificatie fits an int64), else a 64-bit hash of it made negative (never equal to a digits id). Two ids can
    share a key ("01" and "1", or a hash collision): rules per key must then look at the ids themselves."""
    text = ids.astype("str").fillna("")
    digits = (text.str.isdigit() & (text.str.len() <= 18)).fillna(False).to_numpy(bool)
    out = np.empty(len(text), dtype=np.int64)
    out[digits] = _integers(text[digits])
    if (~digits).any():
        out[~digits] = pd.util.hash_array(text[~digits].to_numpy(dtype=object)).view(np.int64) | np.int64(-2**63)
    return out
