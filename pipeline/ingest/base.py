"""The steps every source goes through: read, find fields, count, clean geometries, record provenance."""
from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd

from pipeline.config import Source
from pipeline.ingest import fields, geometry, readers
from pipeline.ingest.fields import Spec, Where
from pipeline.ingest.quality import Report, Tally


@dataclass
class Loaded:
    frame: gpd.GeoDataFrame      # working CRS, clean geometries of the expected kind
    found: dict[str, str | None]  # canonical field -> column in the file
    where: Where
    tally: Tally
    provenance: dict             # the ingest_bronnen.json entry (modules add peildatum)

    def col(self, name: str):
        return fields.column(self.frame, self.found, name)


def load(source: Source, name: str, layer_name: str, specs: list[Spec], report: Report, kind: str, *,
         default_layer: str | None = None) -> Loaded:
    """Read `source`, resolve its fields (errors before any work), clean its geometries, count all."""
    read = readers.read_source(source, name, default_layer=default_layer)
    where = Where(read.path, read.layer)
    found = fields.resolve(read.frame.columns, specs, overrides=source.fields, where=where, source_name=name)
    tally = report.tally(layer_name, name, read.path)
    tally.read = len(read.frame)
    tally.repair(read.rings_closed, "open ring gesloten")
    frame = geometry.clean(read.frame, kind, tally)
    provenance = report.record_source(name, read.path, layer=read.layer, fmt=read.format, rows=len(read.frame),
                                      crs=read.source_crs)
    return Loaded(frame, found, where, tally, provenance)
