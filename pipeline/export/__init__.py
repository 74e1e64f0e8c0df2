"""Export stage: the deliverables users open.

Settings: `export` (gpkg_naam, gpkg_versie, gpkg_invoer, qgis_project, kaart_vereenvoudiging_m,
kaart_vereenvoudiging_net_m, kaart_decimalen, kaart_max_mb, kaart_context_m, achtergrondkaart, processen),
`paths.processed`, `paths.maps`, `region.name`, and `score` (cluster distance, for the cluster outlines; the settings
table of the report).
Inputs (`paths.processed`): terreinen_strategisch.parquet (required), kavels_indicatoren, kades_status,
milieuruimte_contouren, the canonical layers and ingest_bronnen.json (optional; see docs/contract.md).
Outputs (swapped in together as one set, pipeline.workspace.output_set):
- `<processed>/<gpkg_naam>`: GeoPackage with styles and provenance (gpkg.py) and the QGIS project stored inside it
  (qgisproject.py, templates/project.qgs)
- `<maps>/index.html` (offline overview map with the base layer of context.py), `<maps>/ranglijst.html`,
  `<maps>/terreinen/<rin>.html` (the evidence per terrein, detaildata.py) and `<maps>/assets/` (Leaflet and the
  detail pages' scripts): overview data in kaartdata.py, pages in paginas.py
- `<maps>/rapport.html`, `<processed>/rapport.csv`, `rapport_gemeenten.csv`, `rapport_regios.csv`,
  `rapport_typologie.csv` (report.py)
- `<processed>/register_vestigingen.csv`, `register_terreinen.csv`: vestigingen that hold a scarce quality they do
  not need, and the totals per terrein and regio (register.py; also a section of rapport.html)
- `<maps>/zoek.html`: "Zoek een plek", the offline form of `pipeline zoek` over the run's kavels
  (pipeline/zoek/pagina.py; settings `zoek`)
Processes (export.processen, `processes`): the inputs are read once, then helper processes are forked beside this
one; the first writes the GeoPackage, and the detail pages are handed out a block at a time to whichever process is
free (detaildata.Blocks).
"""
from __future__ import annotations

import contextlib
from datetime import datetime, timezone
from pathlib import Path

from pipeline import forked, memory, workspace
from pipeline.export.common import read_inputs
from pipeline.export.detaildata import Blocks, page_sources, shared_data
from pipeline.export.gpkg import write_gpkg
from pipeline.export.kaartdata import detail_slug
from pipeline.export.paginas import write_details, write_maps
from pipeline.export.register import write_register
from pipeline.export.report import render_ranglijst, write_report

# what the jobs beside the main process work on: a forked process sees it as it is (the inputs are never pickled)
_SHARED: dict = {}


def processes(config) -> int:
    """How many processes write the export (setting export.processen; see its description)."""
    return forked.count(config.export.processen, "export.processen")


def _side_job(pages: Path, gpkg_folder: Path | None, started: datetime) -> tuple[dict, dict | None]:
    """Beside the main process: the GeoPackage when given a folder, then (in a helper process) detail pages until
    none is left."""
    config, inputs = _SHARED["config"], _SHARED["inputs"]
    gpkg = None
    if gpkg_folder:
        gpkg = write_gpkg(config, inputs, started=started, folder=gpkg_folder)
        memory.release()  # the pages start from what is in use, not from the GeoPackage's high-water mark
    links = write_details(config, inputs, pages, blocks=_SHARED["blocks"], sources=_SHARED["sources"]) \
        if _SHARED["blocks"] is not None else {}
    return links, gpkg


def run(config, **_options) -> dict:
    """Build the GeoPackage, the maps and the report as one set of outputs; return a summary (label -> value)."""
    started = datetime.now(timezone.utc)
    processed, maps_folder = Path(config.paths.processed), Path(config.paths.maps)
    inputs = read_inputs(config)
    # detail links are known before the pages are written: the overview and the ranked table link to them
    links = {}
    if inputs.kavels is not None and len(inputs.kavels) and "rin_nummer" in inputs.kavels:
        with_kavels = set(inputs.kavels["rin_nummer"].astype(str))
        links = {str(r): f"terreinen/{detail_slug(r)}.html" for r in inputs.terreinen["rin_nummer"]
                 if str(r) in with_kavels}
    n = processes(config)
    with workspace.output_set("export", [processed, maps_folder]) as out:
        maps_dir, processed_dir = out.folder(maps_folder), out.folder(processed)
        pages = maps_dir / "terreinen"
        # the features the pages draw, made once: a forked helper shares them instead of making its own; the pages
        # are handed out a block at a time to whichever process is free (detaildata.Blocks)
        blocks = Blocks() if links else None
        _SHARED.update(config=config, inputs=inputs, sources=page_sources(config, inputs) if links else None,
                       blocks=blocks if n > 1 else None)
        try:
            with forked.frozen() if n > 1 else contextlib.nullcontext(), forked.pool(n) as pool:
                # beside this process: the GeoPackage, then pages; here: the overview, report, register and search
                # page, then pages
                jobs = [pool.submit(_side_job, pages, processed_dir if k == 1 else None, started)
                        for k in range(1, max(n, 2))]
                shared = shared_data(config, inputs, _SHARED["sources"]) if links else None
                maps = write_maps(config, inputs, render_ranglijst(config, inputs, links=links), folder=maps_dir,
                                  links=links, shared=shared)
                write_report(config, inputs, links=links, processed=processed_dir, maps=maps_dir)
                register = write_register(config, inputs, folder=processed_dir)
                from pipeline.zoek.pagina import write_page as write_zoekpagina  # here: zoek imports export helpers
                write_zoekpagina(config, inputs.terreinen, maps_dir, kavels=inputs.kavels)
                memory.release()  # the whole-region pages are done: the detail pages start from what is in use
                written = write_details(config, inputs, pages, blocks=blocks, sources=_SHARED["sources"]) \
                    if blocks is not None else {}
                results = [job.result() for job in jobs]
        finally:
            _SHARED.clear()
        for side_links, _ in results:
            written.update(side_links)
        if written != links:
            raise RuntimeError(f"export: {len(written)} detail pages written, but the maps link to {len(links)}")
        gpkg = results[0][1]
    summary = {"geopackage": str(processed / config.export.gpkg_naam)}
    if gpkg.get("project"):
        summary["qgis-project in de geopackage"] = gpkg["project"]
    for name, count in gpkg["lagen"].items():
        summary[f"laag {name}"] = count
    summary.update({
        "kaart": str(maps_folder / "index.html"), "kaart MB": maps["kaart_mb"],
        "kaart vereenvoudiging m": maps["vereenvoudiging_m"], "detailpagina's": maps["detailpaginas"],
        "ranglijst": str(maps_folder / "ranglijst.html"), "rapport": str(maps_folder / "rapport.html"),
        "rapport csv": str(processed / "rapport.csv"), "zoek een plek": str(maps_folder / "zoek.html"),
    })
    summary.update({k.replace("_csv", " csv").replace("_", " "): str(processed / v.name) for k, v in register.items()})
    return summary
