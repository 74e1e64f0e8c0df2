"""A per_terrein `file` source: one published bulk GeoPackage (PDOK's bag-light.gpkg), cut locally near the terreinen.

Why: paging the BAG out of the OGC API at 1,000 features a request takes hours for a province and days for the
country, and boxes around the terreinen hardly lower the count (almost every building lies within 1.5 km of some
terrein). PDOK also publishes the whole BAG as one GeoPackage. Downloading it is a handful of requests, resumable
with HTTP Range (`download.fetch_file`); the cut is local work.

Settings read: `sources.<name>.url / bulk_pad / layer / halo / path`, `sources.terreinen`, `fetch.tegel_m`, and the
analysis settings the halo names.
Steps:
1. Before the first request one line says the file's size (a HEAD request) and what is already on disk.
2. The file is downloaded to `bulk_pad`. Sources with the same url and `bulk_pad` (panden and verblijfsobjecten
   are two layers of the one file) share the download: the second finds it complete and skips it.
3. Layer `layer` is cut to the boxes around the terreinen (`boxes.around_terreinen`, as the OGC API route asks for
   them) into a GeoPackage at `path` with the same layer name, fields and geometry, so ingest reads it as it reads
   the published file. GDAL reads the features intersecting the union of the boxes through the GeoPackage's
   spatial index, in batches of `BATCH_ROWS` streamed into one write, so memory holds a batch plus the spatial
   index GDAL builds at the end (about 40 bytes a feature: 667 MB peak for the country's 11.5 million panden); each
   feature comes once, also where two boxes touch. The cut is written to a temporary file and renamed when whole.
Its manifest (`<path>.manifest.json`) records the bulk file's sha256, the layer and the boxes: a rerun with the
same three skips the cut, another halo or other terreinen cut again without downloading again.
"""
from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pyogrio
import shapely

from pipeline.crs import WORKING_EPSG
from pipeline.fetch.boxes import around_terreinen
from pipeline.fetch.download import fetch_file, part_path
from pipeline.fetch.http import FetchError, Http
from pipeline.fetch.manifest import Manifest
from pipeline.fetch.paging import Outcome, is_complete, skip_if_complete
from pipeline.io import atomic_path, sha256_file

log = logging.getLogger(__name__)

KIND = "file-knip"
BATCH_ROWS = 65_536


def fetch(name: str, source, config, http: Http, *, target: Path, extent, force: bool = False) -> Outcome:
    """Download the bulk file (or find it complete) and cut its layer to the boxes around the terreinen."""
    bulk = Path(source.bulk_pad)
    before = http.requests_made
    halo, boxes = around_terreinen(source, config, extent)
    if force or is_complete(bulk, source.url, "file", dict(source.params), checksum=False) is None:
        print(announcement(name, bulk, http.size(source.url, dict(source.params) or None), len(boxes), halo),
              flush=True)
    download = fetch_file(source=name, target=bulk, url=source.url, params=dict(source.params), http=http,
                          kind="file", force=force)
    request = {"bulk_pad": str(bulk), "sha256": download.sha256, "layer": source.layer, "boxes": boxes}
    if not force and (done := skip_if_complete(name, target, source.url, KIND, request)) is not None:
        done.requests = http.requests_made - before
        return done
    count = cut(bulk, source.layer, boxes, target)
    size, digest = target.stat().st_size, sha256_file(target)
    manifest = Manifest.new(target, source=name, url=source.url, kind=KIND, request=request)
    manifest.complete(bytes=size, sha256=digest, features=count)
    log.info("%s: cut %d feature(s) of layer %s of %s to %d box(es) into %s", name, count, source.layer, bulk,
             len(boxes), target)
    return Outcome(name, f"cut from {download.status} {bulk.name}", target, count, size, digest, None,
                   http.requests_made - before)


def announcement(source: str, bulk: Path, size: int | None, boxes: int, halo: float) -> str:
    """"panden: one file bag-light.gpkg of 7,431.2 MB ...; then cut locally to 72 box(es) ..." for the log."""
    part = part_path(bulk)
    have = part.stat().st_size if part.is_file() else 0
    size_text = "of unknown size (the server gives no Content-Length)" if size is None else f"of {size / 1e6:,.1f} MB"
    on_disk = f", {have / 1e6:,.1f} MB of it already on disk (resumes with HTTP Range)" if have else ""
    return (f"{source}: one file {bulk.name} {size_text}{on_disk}; then cut locally to {boxes:,} box(es) around "
            f"the terreinen (halo {halo:,.0f} m)")


def cut(bulk: Path, layer: str, boxes: list, target: Path) -> int:
    """Write the features of `layer` in `bulk` that intersect any box into a GeoPackage at `target` (same layer
    name, fields and geometry); returns how many. Nothing is left at `target` when it fails."""
    available = [str(name) for name in pyogrio.list_layers(bulk)[:, 0]]
    if layer not in available:
        raise FetchError(f"{bulk}: has no layer {layer!r} (the source's `layer` setting); its layers are {available}")
    area = shapely.union_all(shapely.box(*np.asarray(boxes, dtype=float).T))
    with atomic_path(target) as tmp:
        with pyogrio.open_arrow(bulk, layer=layer, mask=area, batch_size=BATCH_ROWS, use_pyarrow=True) as opened:
            meta, reader = opened
            if meta["crs"] != f"EPSG:{WORKING_EPSG}":
                raise FetchError(f"{bulk}: layer {layer!r} is in {meta['crs'] or 'no declared CRS'}, the boxes in "
                                 f"EPSG:{WORKING_EPSG}; a bulk file in another CRS is not supported")
            # the batches streamed into one write: GDAL builds the spatial index once, at the end (appending batch
            # by batch updated it per feature and took twice as long); no features still make the layer
            pyogrio.write_arrow(reader, tmp, layer=layer, driver="GPKG", geometry_name=meta["geometry_name"] or "geom",
                                geometry_type=meta["geometry_type"], crs=meta["crs"])
        return pyogrio.read_info(tmp, layer=layer)["features"]
