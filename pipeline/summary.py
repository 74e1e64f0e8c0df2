"""What a run produced, as one table: rows per file, the headline totals, what ingest did per source and
feature kind, and, one line per output, where it is and how to open it.

Reads only Parquet metadata, a few columns and the quality report, so `make all` can print it on every call
cheaply. The per-source lines are there so a loss is seen where the results are read, not only in a CSV.
"""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq

from pipeline import catalogue
from pipeline.categories import TYPOLOGIEEN


def _rows(path: Path) -> int:
    return pq.ParquetFile(path).metadata.num_rows


def _register(strategic: Path, processed: Path) -> dict:
    """The register totals (vestigingen on a scarce quality they do not need) and the SBI provenance."""
    cols = ["register_aantal", "register_hmc_ha", "register_kade_m", "register_laag_ha"]
    if not set(cols) <= set(pq.ParquetFile(strategic).schema_arrow.names):
        return {}
    r = pd.read_parquet(strategic, columns=cols)
    if r["register_aantal"].isna().all():
        return {}
    out = {"vestigingen op een schaarse kwaliteit": int(r["register_aantal"].sum()),
           "  HMC-ruimte bezet zonder HMC-behoefte (ha)": float(r["register_hmc_ha"].sum()),
           "  kade bezet door niet-watergebonden (m)": float(r["register_kade_m"].sum()),
           "  terrein bezet door lage categorie (ha)": float(r["register_laag_ha"].sum())}
    meta = processed / "analyse_instellingen.json"
    sbi = json.loads(meta.read_text(encoding="utf-8")).get("sbi") if meta.is_file() else None
    if sbi and sbi.get("vestigingen"):
        out["  categorie uit bevestigde SBI-rijen"] = f"{sbi['uit_bevestigde_rijen']} van {sbi['vestigingen']}"
    return out


def run(config) -> dict:
    processed = config.paths.processed
    summary: dict[str, object] = {}
    for name, entry in catalogue.DATASETS.items():
        path = catalogue.path(name, processed)
        if entry.format == "parquet" and path.is_file():
            summary[f"rijen {name}"] = _rows(path)
    strategic = processed / "terreinen_strategisch.parquet"
    if strategic.is_file():
        names = set(pq.ParquetFile(strategic).schema_arrow.names)
        cols = ["vlag", "grensgeval", "ha_bruto", "potentie_milieuruimte_ha", "potentie_kades_m",
                "potentie_bebouwing_m2", "potentie_uitgeefbaar_ha", "typologie"]
        t = pd.read_parquet(strategic, columns=[c for c in cols if c in names])
        summary["terreinen strategisch (vlag)"] = int(t["vlag"].sum())
        summary["terreinen grensgeval"] = int(t["grensgeval"].sum())
        for typ in TYPOLOGIEEN if "typologie" in t else []:
            summary[f"  type {typ}"] = int((t["typologie"] == typ).sum())
        summary["ha bruto totaal"] = float(t["ha_bruto"].sum())
        summary["onbenutte HMC-ruimte (ha)"] = float(t["potentie_milieuruimte_ha"].sum())
        summary["onbenutte kades (m)"] = float(t["potentie_kades_m"].sum())
        summary["onbenutte bebouwingsruimte (ha)"] = float(t["potentie_bebouwing_m2"].sum()) / 10_000
        summary["uitgeefbaar (ha)"] = float(t["potentie_uitgeefbaar_ha"].sum())
        summary.update(_register(strategic, processed))
    summary.update(per_source(processed / "ingest_kwaliteit.csv"))
    summary.update(where(config))
    if not summary:
        summary["uitvoer"] = f"nog niets in {processed}"
    return summary


def _shown(path: Path) -> str:
    """A path as typed in the folder the command runs in (relative when it lies below it)."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def where(config) -> dict[str, str]:
    """One line per output that exists: where it is and how to open it."""
    processed, maps = Path(config.paths.processed), Path(config.paths.maps)
    gpkg, project = processed / config.export.gpkg_naam, config.export.qgis_project
    pages = sorted((maps / "terreinen").glob("*.html")) if (maps / "terreinen").is_dir() else []
    html = "in een browser (werkt offline)"
    lines = [
        ("open: GeoPackage", gpkg, None, f"QGIS: Project > Open From > GeoPackage > project '{project}' (groepen, "
                                         "stijlen, printlay-out)" if project else "in QGIS (lagen met stijl)"),
        ("open: overzichtskaart", maps / "index.html", "uri", html),
        ("open: detailpagina's", maps / "terreinen", None,
         f"{len(pages)} pagina's, via de popup van een terrein op de kaart of de ranglijst"),
        ("open: ranglijst", maps / "ranglijst.html", "uri", html),
        ("open: rapport", maps / "rapport.html", "uri", html),
        ("open: zoek een plek", maps / "zoek.html", "uri", "in een browser (werkt offline): waar kan dit bedrijf "
                                                           "terecht?"),
        ("open: transformatie-toets", maps / "toets", None, "pagina's van `make toets TERREIN=<rin>`"),
        ("open: rapport (csv)", processed / "rapport.csv", None,
         "spreadsheet (komma-gescheiden, decimale punt, UTF-8)"),
        ("open: register (csv)", processed / "register_vestigingen.csv", None,
         "spreadsheet; totalen per terrein: register_terreinen.csv"),
        ("open: datakwaliteit (csv)", processed / "ingest_kwaliteit.csv", None,
         "spreadsheet: per bron gelezen, behouden, verwijderd en waarom"),
        ("open: notebook", Path("notebooks/verkenning.ipynb"), None, "jupyter lab (leest de uitvoer van deze run)"),
    ]
    return {label: f"{path.resolve().as_uri() if shown == 'uri' else _shown(path)} – {how}"
            for label, path, shown, how in lines if path.exists()}


def per_source(quality: Path) -> dict[str, str]:
    """One line per source and per feature kind of the quality report: read, kept, repaired, dropped and why."""
    if not quality.is_file():
        return {}
    q = pd.read_csv(quality, dtype=str, keep_default_na=False)
    out = {}
    for row in q.to_dict("records"):
        key = f"bron {row['bron']}" + (f" / {row['soort']}" if row.get("soort") else "")
        text = f"gelezen {row['gelezen']}, behouden {row['behouden']}"
        for label, column in (("gerepareerd", "gerepareerd"), ("verwijderd", "verwijderd"),
                              ("waarvan verlies", "waarvan_verlies"), ("leeg gemaakt", "leeg_gemaakt")):
            if row.get(column, "0") not in ("", "0"):
                text += f", {label} {row[column]}"
        out[key] = text + (f" ({row['reden']})" if row.get("reden") else "")
    return out
