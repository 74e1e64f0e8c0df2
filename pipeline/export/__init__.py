"""Export stage: the deliverables users open.

Settings: `export` (gpkg_naam, gpkg_versie, gpkg_invoer, qgis_project, kaart_vereenvoudiging_m,
kaart_vereenvoudiging_net_m, kaart_decimalen, kaart_max_mb, kaart_context_m, achtergrondkaart), `paths.processed`,
`paths.maps`, `region.name`, and `score`
(cluster distance, for the cluster outlines; the settings table of the report).
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
"""
from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from pathlib import Path

from pipeline import workspace
from pipeline.export.common import read_inputs
from pipeline.export.gpkg import write_gpkg
from pipeline.export.kaartdata import detail_slug
from pipeline.export.paginas import write_maps
from pipeline.export.register import write_register
from pipeline.export.report import render_ranglijst, write_report

log = logging.getLogger(__name__)


def run(config, **_options) -> dict:
    """Build the GeoPackage, the maps and the report as one set of outputs; return a summary (label -> value)."""
    started = datetime.now(timezone.utc)
    processed, maps_folder = Path(config.paths.processed), Path(config.paths.maps)
    inputs = read_inputs(config)
    # detail links are known only after the maps are written; the ranked table links to them as well
    links = {}
    if inputs.kavels is not None and len(inputs.kavels) and "rin_nummer" in inputs.kavels:
        with_kavels = set(inputs.kavels["rin_nummer"].astype(str))
        links = {str(r): f"terreinen/{detail_slug(r)}.html" for r in inputs.terreinen["rin_nummer"]
                 if str(r) in with_kavels}
    with workspace.output_set("export", [processed, maps_folder]) as out, ThreadPoolExecutor(1) as pool:
        # the GeoPackage is mostly GDAL work, which releases the GIL: it is written beside the pages
        gpkg_job = pool.submit(write_gpkg, config, inputs, started=started, folder=out.folder(processed))
        maps = write_maps(config, inputs, render_ranglijst(config, inputs, links=links),
                          folder=out.folder(maps_folder))
        write_report(config, inputs, links=links, processed=out.folder(processed), maps=out.folder(maps_folder))
        register = write_register(config, inputs, folder=out.folder(processed))
        from pipeline.zoek.pagina import write_page as write_zoekpagina  # here: zoek imports export helpers
        write_zoekpagina(config, inputs.terreinen, out.folder(maps_folder))
        gpkg = gpkg_job.result()
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
