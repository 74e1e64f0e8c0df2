"""The BAG layers (panden, verblijfsobjecten) ingested batch by batch into their canonical files.

Settings: `ingest.batch_rijen`, and what bag.py reads.
`write_streamed(name, config, report, folder)` gives exactly the layer `ingest.build` holds in memory (the same
row rules of bag.py per batch, the same duplicate rule of duplicates.py, the same Hilbert order as
pipeline.io.write_parquet), without ever holding the layer: see pipeline/ingest/stream.py. The rules that need the
whole source are decided after the last batch: the older of two current voorkomens of one object
(bag.older_rows) and exact copies of a repeated id (duplicates.exact_copies), and counted like in memory.
"""
from __future__ import annotations

import logging
from pathlib import Path

from pipeline import catalogue
from pipeline.config import Config
from pipeline.ingest import bag, duplicates
from pipeline.ingest.base import load_batches
from pipeline.ingest.quality import Report
from pipeline.ingest.schema import conform
from pipeline.ingest.stream import KeyedSpill, LayerWriter

log = logging.getLogger(__name__)

# layer -> (specs, geometry kind, default layer in a GeoPackage, id field, canonical frame of a batch)
LAYERS = {
    "panden": (bag.PAND_SPECS, "Polygon", "pand", "pand_id", bag.panden),
    "verblijfsobjecten": (bag.VBO_SPECS, "Point", "verblijfsobject", "vbo_id", bag.verblijfsobjecten),
}


def write_streamed(name: str, config: Config, report: Report, folder: Path) -> dict:
    """Ingest layer `name` into `folder` batch by batch; returns {rows, bounds} of the canonical file."""
    specs, kind, default_layer, id_spec, build = LAYERS[name]
    source = getattr(config.sources, name)
    writer = LayerWriter(catalogue.path(name, folder), multi=kind == "Polygon")  # load_batches keeps single polygons
    versions = KeyedSpill(writer.scratch / "voorkomens")
    id_col = duplicates.id_column(name)
    src = None
    filled_any = False
    try:
        for src in load_batches(source, name, name, specs, report, kind, config=config, default_layer=default_layer,
                                select=bag._current(config, id_spec, versions)):
            out = build(src, config)
            filled_any |= name != "verblijfsobjecten" or bool(out["gebruiksdoel"].notna().any())
            writer.add(conform(out, name, multi=not writer.multi), src.rows, id_col)
            log.debug("ingest: %s: %d rows so far", name, writer.rows)
        older = bag.older_rows(versions, src.tally)
        stats = writer.finish(drop_rows=older, id_column=id_col, on_repeated=duplicates.exact_copies)
    except BaseException:
        writer.discard()
        raise
    duplicates.count_streamed(src.tally, id_col, stats)
    if not filled_any:  # checks.filled, for the whole source
        src.tally.empty_fields.append("gebruiksdoel")
    return stats
