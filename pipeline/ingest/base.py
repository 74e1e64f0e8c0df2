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
    tally = report.tally(layer_name, name, read.path)
    found = fields.resolve(read.frame.columns, specs, overrides=source.fields,
                           where=Where(read.path, read.layer), source_name=name, ignore=source.negeer_velden)
    strict = frozenset(found[s.name] for s in specs if s.required and found[s.name])
    where = Where(read.path, read.layer, tally, strict)
    frame = read.frame
    frame[ROW] = np.arange(len(frame))
    tally.read = len(frame)
    if kinds_field is not None:
        tally.set_kinds(fields.as_text(fields.column(frame, found, kinds_field)).str.lower())
    tally.repair(read.rings_closed, "open ring gesloten")
    tally.repair(read.curves_linearised,
                 f"bogen (gml:Arc, CurvePolygon) gelinealiseerd tot lijnstukken (max. {tolerance:g} m afwijking)"
                 .replace(".", ","))
    extra = {k: v for k, v in (("geometrie_eigenschap", read.geometry_property), ("csv", read.detected)) if v}
    provenance = report.record_source(name, read.path, layer=read.layer, fmt=read.format, rows=len(read.frame),
                                      crs=read.source_crs, **extra)
    if select is not None:
        frame = frame.loc[select(Loaded(frame, found, where, tally, provenance))]
    frame = geometry.clean(frame, kind, tally, areas_as_lines=areas_as_lines)
    if frame.empty and not tally.dropped.keys() - tally.lost.keys() and not source.accepteer_geen_rijen:
        raise IngestError(f"source {name!r}: none of the {tally.read} feature(s) is usable as {kind} "
                          f"({tally.reason() or 'no reason recorded'})", path=read.path, layer=read.layer,
                          expected=f"{kind} geometries (GML with several geometries: sources.{name}.geometrie; "
                                   f"or sources.{name}.accepteer_geen_rijen: true)",
                          found=sorted(set(read.frame[readers.SOURCE_TYPE].dropna().astype(str))))
    return Loaded(frame, found, where, tally, provenance)
