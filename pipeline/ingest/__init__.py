"""Stage `ingest`: every configured source -> the canonical layers of the catalogue (pipeline/catalogue).

Settings: `sources.*` (path, layer, format, fields overrides, crs, geometrie, negeer_velden, CSV settings and
what each source may accept: accepteer_geen_rijen, accepteer_verlies, accepteer_leeg), `ingest.*` (arc
tolerance, largest share lost, BAG statuses), `region.gemeente_codes` / `region.gemeente_tabel`,
`analyse.kades.bgt_types`, `analyse.milieuruimte.gevoelige_gebruiksdoelen`.
Inputs: the source files (real downloads or the demo in data/raw/demo/), see docs/raw_formats.md.
Outputs in `paths.processed`: `<layer>.parquet` (GeoParquet, EPSG:28992, exactly the catalogue's columns),
`terreinen_historie.csv` (every IBIS year of those terreinen, historie.py), `ingest_kwaliteit.csv` (per layer and source: read, kept, repaired, dropped, why) and
`ingest_bronnen.json` (per source file: path, layer, sha256, rows, peildatum).
Nothing is lost silently: a configured source with 0 rows, a feature kind that loses more than
ingest.max_verlies_aandeel, or an analysis field empty in every row stops the run (checks.py) unless the
source's settings accept it; values emptied because they could not be read are warned about in the summary.
Notes: all layers are built into a staging folder and swapped in as one set (pipeline.workspace.output_set),
so a failing source or a killed run leaves the previous outputs untouched rather than a half-updated set. The
BAG layers (panden, verblijfsobjecten; millions of rows nationally) are read, cleaned and written batch by batch
(`ingest.batch_rijen` rows) and sorted on disk (large.py, stream.py), so memory is bounded by a batch; the other
layers are built in memory.
Optional layers are written only when configured; a stale optional file from an earlier run is removed. The
context layers gemeenten and provincies come from their sources or, without one, from the borders shipped in
pipeline/ingest/grenzen/ (ingest.grenzen_uit_pakket).
"""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Callable

import geopandas as gpd

from pipeline import catalogue, forked, memory, progress, workspace
from pipeline.catalogue import CatalogueError
from pipeline.config import Config
from pipeline.ingest import (bag, checks, duplicates, grenzen, infra, kades, kavels, large, milieuzones, netcapaciteit,
                             omgevingstypen, terreinen, vaarwegen, vestigingen)
from pipeline.ingest.errors import IngestError
from pipeline.ingest.quality import Report, shared_checksums
from pipeline.ingest.schema import conform

__all__ = ["run", "build", "IngestError"]

log = logging.getLogger(__name__)

QUALITY_CSV = "ingest_kwaliteit.csv"
SOURCES_JSON = "ingest_bronnen.json"

# layer -> (builder, source key deciding whether an optional layer is configured)
Builder = Callable[[Config, Report, dict], gpd.GeoDataFrame]
STEPS: dict[str, tuple[Builder, str | None]] = {
    "terreinen": (lambda c, r, done: terreinen.ingest(c, r, history=done), None),  # + done["terreinen_historie"]
    "kavels": (lambda c, r, done: kavels.ingest(c, r, done["terreinen"]), None),
    "panden": (lambda c, r, done: bag.ingest_panden(c, r), None),
    "verblijfsobjecten": (lambda c, r, done: bag.ingest_verblijfsobjecten(c, r), None),
    "kades": (lambda c, r, done: kades.ingest(c, r), None),
    "vaarwegen": (lambda c, r, done: vaarwegen.ingest(c, r), None),
    "milieuzones": (lambda c, r, done: milieuzones.ingest(c, r), None),
    "netcapaciteit": (lambda c, r, done: netcapaciteit.ingest(c, r), None),
    "vestigingen": (lambda c, r, done: vestigingen.ingest(c, r), "vestigingen"),
    "spoor": (lambda c, r, done: infra.ingest_spoor(c, r), "spoor"),
    "opritten": (lambda c, r, done: infra.ingest_opritten(c, r), "opritten"),
    "omgevingstypen": (lambda c, r, done: omgevingstypen.ingest(c, r), "omgevingstypen"),
    # context for the maps: the configured source or the packaged borders (grenzen.wanted)
    "gemeenten": (lambda c, r, done: grenzen.ingest_gemeenten(c, r), "gemeenten"),
    "provincies": (lambda c, r, done: grenzen.ingest_provincies(c, r), "provincies"),
}


def _configured(config: Config, name: str, key: str | None) -> bool:
    if name in grenzen.LAYERS:
        return grenzen.wanted(config, name)
    return key is None or getattr(config.sources, key) is not None


def build(config: Config) -> tuple[dict[str, gpd.GeoDataFrame], Report]:
    """All configured canonical layers in memory, plus the quality report; nothing is written."""
    layers, _, report = _build(config)
    return layers, report


def _build(config: Config, stream_to: Path | None = None) -> tuple[dict, dict[str, int], Report]:
    """The canonical layers in memory with their row counts, plus the quality report. With `stream_to` every layer
    is written there as soon as it is built (the BAG layers batch by batch, large.py) and let go, so that the
    layers already built do not sit in memory beside the BAG batches (terreinen stays until kavels is built); and
    with ingest.processen > 1, a helper forked before anything is read ingests the panden meanwhile (APART). The
    processes hash a source file they share once (quality.shared_checksums)."""
    with shared_checksums():
        done, rows, report = _layers(config, stream_to)
        return done, rows, report.checksums()


def _layers(config: Config, stream_to: Path | None) -> tuple[dict, dict[str, int], Report]:
    report = Report()
    done: dict[str, gpd.GeoDataFrame] = {}
    rows: dict[str, int] = {}
    todo = [name for name, (_, key) in STEPS.items() if _configured(config, name, key)]
    helper = stream_to is not None and APART in todo and forked.count(config.ingest.processen, "ingest.processen") > 1
    apart = forked.Beside(_streamed_apart, APART, config, stream_to) if helper else None
    try:
        for name in (steps := progress.bar(todo, desc="ingest", unit=" laag")):
            steps.set_postfix_str(name)
            builder, _ = STEPS[name]
            log.debug("ingest: building %s", name)
            if apart is not None and name == APART:
                marks = len(report.tallies), len(report.sources)  # where its report goes
                continue
            if stream_to is not None and name in large.LAYERS:
                rows[name] = _streamed(name, config, report, stream_to)
                continue
            try:
                done[name] = conform(duplicates.handle(builder(config, report, done), name, report), name)
            except CatalogueError as exc:  # e.g. an id field that is empty in every row of the file
                raise _in_file(exc, name, report) from None
            check_region(done[name], name, config.region.bbox)
            log.info("ingest: %s: %d rows", name, len(done[name]))
            for layer in [n for n in done if n not in rows]:  # + what a step adds (terreinen_historie)
                rows[layer] = len(done[layer])
                if stream_to is not None:
                    catalogue.write(done[layer], layer, stream_to)
            if stream_to is not None:
                done = {"terreinen": done["terreinen"]} if "kavels" in todo and "kavels" not in rows else {}
                memory.release()
        if apart is not None:
            rows[APART], part = apart.result()
            report.tallies[marks[0]:marks[0]] = part.tallies
            report.sources[marks[1]:marks[1]] = part.sources
    finally:
        if apart is not None:
            apart.stop()
    checks.verify(report, config)
    return done, rows, report


APART = "panden"  # the largest source: ingested beside the others when there are two processes


def _streamed(name: str, config: Config, report: Report, folder: Path) -> int:
    """A BAG layer read, cleaned and written batch by batch into `folder` (large.py); its row count."""
    try:
        stats = large.write_streamed(name, config, report, folder)
    except CatalogueError as exc:
        raise _in_file(exc, name, report) from None
    check_region_bounds(stats["bounds"], name, config.region.bbox)
    log.info("ingest: %s: %d rows (in batches)", name, stats["rows"])
    return stats["rows"]


def _streamed_apart(name: str, config: Config, folder: Path) -> tuple[int, Report]:
    """_streamed in a helper process, with a report of its own (_build puts it in its place in the main one)."""
    report = Report()
    return _streamed(name, config, report, folder), report.checksums()


def _in_file(exc: CatalogueError, name: str, report: Report) -> IngestError:
    files = sorted({str(t.path) for t in report.tallies if t.layer == name and t.path is not None})
    return IngestError(f"{exc}", path=files[0] if files else None)


def check_region(frame: gpd.GeoDataFrame, name: str, bbox) -> None:
    """A layer that does not touch the configured region at all was read in the wrong place (or is the wrong
    file): refuse it rather than analyse a region without its data."""
    if len(frame):
        check_region_bounds(frame.total_bounds, name, bbox)


def check_region_bounds(bounds, name: str, bbox) -> None:
    if bbox is None or bounds is None:
        return
    x0, y0, x1, y1 = bounds
    if x1 < bbox[0] or x0 > bbox[2] or y1 < bbox[1] or y0 > bbox[3]:
        raise IngestError(f"canonical layer {name}: extent {tuple(round(v) for v in (x0, y0, x1, y1))} does not "
                          f"overlap region.bbox {tuple(bbox)}", expected="data inside the region")


def run(config: Config) -> dict:
    """Ingest every configured source; write the canonical layers and the two report files."""
    processed = Path(config.paths.processed)
    with workspace.output_set("ingest", [processed]) as out, memory.fewer_collections():
        _, rows, report = _build(config, stream_to=out.folder(processed))
        report.write_csv(out.folder(processed) / QUALITY_CSV)
        report.write_json(out.folder(processed) / SOURCES_JSON)
        for name in STEPS:  # an optional layer whose source is no longer configured goes, with the new set
            if name not in rows and not catalogue.dataset(name).required:
                out.remove(catalogue.path(name, processed))

    repaired, dropped = report.totals()
    order = [*STEPS, *(name for name in rows if name not in STEPS)]
    summary: dict = {f"rijen {name}": rows[name] for name in order if name in rows}
    summary["kavels uit"] = "kavellaag" if config.sources.kavels is not None else "terreinen (1 kavel per terrein)"
    summary["gerepareerd"] = repaired
    summary["verwijderd"] = dropped
    summary.update(checks.summary_warnings(report))
    summary["kwaliteitsrapport"] = str(processed / QUALITY_CSV)
    summary["uitvoermap"] = str(processed)
    return summary
