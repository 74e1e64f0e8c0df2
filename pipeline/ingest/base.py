"""The steps every source goes through: read, find fields, count, clean geometries, record provenance."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import geopandas as gpd
import numpy as np

from pipeline.config import Config, Source
from pipeline.ingest import fields, geometry, readers
from pipeline.ingest.errors import IngestError
from pipeline.ingest.fields import Spec, Where
from pipeline.ingest.quality import Report, Tally

ROW = "_rij"  # column: the row number as read, kept through exploding parts, for counts per feature kind


@dataclass
class Loaded:
    frame: gpd.GeoDataFrame      # working CRS, clean geometries of the expected kind
    found: dict[str, str | None]  # canonical field -> column in the file
    where: Where
    tally: Tally
    provenance: dict             # the ingest_bronnen.json entry (modules add peildatum)

    def col(self, name: str):
        return fields.column(self.frame, self.found, name)

    def field(self, name: str) -> str:
        """The file's name of a canonical field (for messages), or the canonical name when absent."""
        return self.found.get(name) or name

    @property
    def rows(self) -> np.ndarray:
        return self.frame[ROW].to_numpy()


Select = Callable[["Loaded"], np.ndarray]


def load(source: Source, name: str, layer_name: str, specs: list[Spec], report: Report, kind: str, *,
         config: Config | None = None, default_layer: str | None = None, kinds_field: str | None = None,
         areas_as_lines: bool = False, select: Select | None = None) -> Loaded:
    """Read `source`, resolve its fields (errors before any work), clean its geometries, count all.

    `kinds_field`: the canonical field whose values are the feature kinds counted separately (e.g. bgt_type);
    `areas_as_lines`: polygons become their centre line (quays drawn as areas, see centreline.py);
    `select`: the rows to keep before geometries are cleaned (historic versions, types that are not wanted),
    given the Loaded as read; it counts what it drops itself.
    """
    tolerance = config.ingest.boog_max_afwijking_m if config is not None else 0.1
    read = readers.read_source(source, name, default_layer=default_layer, kind=kind, tolerance=tolerance)
    state = _State(source, name, layer_name, specs, report, kinds_field, areas_as_lines, select, tolerance)
    loaded = state.batch(read, kind)
    state.done(kind)
    return loaded


def load_batches(source: Source, name: str, layer_name: str, specs: list[Spec], report: Report, kind: str, *,
                 config: Config, default_layer: str | None = None, select: Select | None = None):
    """`load` batch by batch (pipeline/ingest/stream.py): one Loaded per batch of ingest.batch_rijen rows, with
    one tally for the whole source and row numbers of the whole file."""
    from pipeline.ingest import stream

    tolerance = config.ingest.boog_max_afwijking_m
    # single Polygons stay Polygons (multi=False): the LayerWriter writes them as MultiPolygons
    state = _State(source, name, layer_name, specs, report, None, False, select, tolerance, multi=False)
    for read in stream.read_batches(source, name, default_layer=default_layer, kind=kind, tolerance=tolerance,
                                    batch_rows=config.ingest.batch_rijen):
        yield state.batch(read, kind)
    state.done(kind)


class _State:
    """What `load` carries from one batch to the next: fields found, the tally, provenance, row offset."""

    def __init__(self, source, name, layer_name, specs, report, kinds_field, areas_as_lines, select, tolerance,
                 multi: bool = True):
        self.source, self.name, self.layer_name, self.specs, self.report = source, name, layer_name, specs, report
        self.kinds_field, self.areas_as_lines, self.select, self.tolerance = kinds_field, areas_as_lines, select, \
            tolerance
        self.tally = self.found = self.where = self.provenance = self.read = None
        self.offset, self.kept_any = 0, False
        self.multi = multi

    def _first(self, read: readers.Layer) -> None:
        self.read = read
        self.tally = self.report.tally(self.layer_name, self.name, read.path)
        self.found = fields.resolve(read.frame.columns, self.specs, overrides=self.source.fields,
                                    where=Where(read.path, read.layer), source_name=self.name,
                                    ignore=self.source.negeer_velden)
        strict = frozenset(self.found[s.name] for s in self.specs if s.required and self.found[s.name])
        self.where = Where(read.path, read.layer, self.tally, strict)
        extra = {k: v for k, v in (("geometrie_eigenschap", read.geometry_property), ("csv", read.detected)) if v}
        self.provenance = self.report.record_source(self.name, read.path, layer=read.layer, fmt=read.format, rows=0,
                                                    crs=read.source_crs, **extra)

    def batch(self, read: readers.Layer, kind: str) -> Loaded:
        if self.tally is None:
            self._first(read)
        tally, frame = self.tally, read.frame
        frame[ROW] = np.arange(self.offset, self.offset + len(frame))
        self.offset += len(frame)
        tally.read += len(frame)
        self.provenance["rijen"] = int(tally.read)
        if self.kinds_field is not None:
            tally.set_kinds(fields.as_text(fields.column(frame, self.found, self.kinds_field)).str.lower())
        tally.repair(read.rings_closed, "open ring gesloten")
        tally.repair(read.curves_linearised,
                     f"bogen (gml:Arc, CurvePolygon) gelinealiseerd tot lijnstukken (max. {self.tolerance:g} m "
                     f"afwijking)".replace(".", ","))
        if self.select is not None:
            frame = frame.loc[self.select(Loaded(frame, self.found, self.where, tally, self.provenance))]
        frame = geometry.clean(frame, kind, tally, areas_as_lines=self.areas_as_lines, multi=self.multi)
        self.kept_any |= not frame.empty
        return Loaded(frame, self.found, self.where, tally, self.provenance)

    def done(self, kind: str) -> None:
        tally, read = self.tally, self.read
        if not self.kept_any and not tally.dropped.keys() - tally.lost.keys() and not self.source.accepteer_geen_rijen:
            raise IngestError(f"source {self.name!r}: none of the {tally.read} feature(s) is usable as {kind} "
                              f"({tally.reason() or 'no reason recorded'})", path=read.path, layer=read.layer,
                              expected=f"{kind} geometries (GML with several geometries: sources.{self.name}."
                                       f"geometrie; or sources.{self.name}.accepteer_geen_rijen: true)",
                              found=sorted(set(read.frame[readers.SOURCE_TYPE].dropna().astype(str))))
