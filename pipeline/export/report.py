"""Report: `maps/rapport.html` and `<processed>/rapport.csv` (+ rapport_gemeenten.csv, rapport_regios.csv).

Terreinen ranked (rang) with the four unused potentials side by side (milieuruimte ha, kades m, bebouwing m²,
uitgeefbaar ha), flag class and stability; totals per gemeente and per regio (package table
pipeline/data/gemeente_regio.csv, unknown gemeente -> 'onbekend'); the settings and sources used.
The CSVs are plain CSV (comma, decimal point, UTF-8); the HTML uses Dutch number formatting.
Also renders the sortable ranked table page `maps/ranglijst.html` (written by maps.py).
"""
from __future__ import annotations

import json
import math
from datetime import datetime
from pathlib import Path

import jinja2
import pandas as pd

from pipeline import __version__
from pipeline.config import config_as_dict
from pipeline.export import register
from pipeline.export.common import Inputs, bool_column, jsonable, label, template_text
from pipeline.io import atomic_path

POTENTIES = ["potentie_milieuruimte_ha", "potentie_kades_m", "potentie_bebouwing_m2", "potentie_uitgeefbaar_ha"]
RANKING_COLUMNS = ["rang", "rin_nummer", "naam", "gemeente_code", "gemeente_naam", "regio", "vlag_klasse", "vlag",
                   "vlag_tak", "grensgeval", "flag_stabiliteit", "score", "rangband", "aantal_sterk", "zeef",
                   "ha_bruto", *POTENTIES, "waarom"]
TOTAL_COLUMNS = ["aantal_terreinen", "aantal_strategisch", "aantal_grensgeval", "ha_bruto", *POTENTIES]
TOTAL_LABELS = {"aantal_terreinen": "Terreinen", "aantal_strategisch": "Strategisch (vlag)",
                "aantal_grensgeval": "Grensgevallen", "ha_bruto": "Bruto (ha)",
                "potentie_milieuruimte_ha": "Onbenutte milieuruimte (ha)", "potentie_kades_m": "Onbenutte kades (m)",
                "potentie_bebouwing_m2": "Onbenutte bouwruimte (m²)", "potentie_uitgeefbaar_ha": "Uitgeefbaar (ha)"}
DECIMALS = {"aantal_terreinen": 0, "aantal_strategisch": 0, "aantal_grensgeval": 0, "aantal_sterk": 0, "rang": 0,
            "score": 3, "flag_stabiliteit": 2, "ha_bruto": 1, "potentie_milieuruimte_ha": 1, "potentie_kades_m": 0,
            "potentie_bebouwing_m2": 0, "potentie_uitgeefbaar_ha": 1}


def ranking(terreinen: pd.DataFrame) -> pd.DataFrame:
    """One row per terrein in rank order with the report columns that exist."""
    cols = [c for c in RANKING_COLUMNS if c in terreinen.columns]
    out = pd.DataFrame(terreinen[cols]).copy()
    if "rang" in out:
        out = out.sort_values(["rang", "rin_nummer"], kind="stable", na_position="last")
    return out.reset_index(drop=True)


def totals(terreinen: pd.DataFrame, by: str) -> pd.DataFrame:
    """Totals per `by` (gemeente_naam or regio), sorted by name, with a final 'Totaal' row."""
    frame = pd.DataFrame(terreinen.drop(columns=terreinen.geometry.name, errors="ignore")
                         if hasattr(terreinen, "geometry") else terreinen)
    frame = frame.assign(
        aantal_terreinen=1,
        aantal_strategisch=bool_column(frame, "vlag").astype(int),
        aantal_grensgeval=bool_column(frame, "grensgeval").astype(int))
    cols = [c for c in TOTAL_COLUMNS if c in frame.columns]
    keys = [by] if by == "regio" else ["gemeente_code", "gemeente_naam", "regio"]
    keys = [k for k in keys if k in frame.columns]
    grouped = frame.astype({k: "string" for k in keys}).fillna({k: "onbekend" for k in keys})
    out = grouped.groupby(keys, dropna=False)[cols].sum(min_count=0).reset_index()
    out = out.sort_values(keys[-1] if by == "regio" else "gemeente_naam", kind="stable").reset_index(drop=True)
    total = {k: "" for k in keys}
    total[keys[0]] = "Totaal"
    total.update(frame[cols].sum(min_count=0).to_dict())
    return pd.concat([out, pd.DataFrame([total])], ignore_index=True)


def nl(value, decimals: int = 1) -> str:
    """Dutch number formatting: 1.234,5; booleans ja/nee; missing -> '–'."""
    v = jsonable(value)
    if v is None or v == "":
        return "–"
    if isinstance(v, bool):
        return "ja" if v else "nee"
    if isinstance(v, (int, float)):
        if isinstance(v, float) and not math.isfinite(v):
            return "–"
        text = f"{v:,.{decimals}f}" if isinstance(v, float) else f"{v:,d}"
        return text.replace(",", "\u2009").replace(".", ",").replace("\u2009", ".")
    return str(v)


def _cell(column: str, value) -> str:
    return nl(value, DECIMALS.get(column, 1))


def _env() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FunctionLoader(template_text), autoescape=True)
    env.globals["cell"] = _cell
    return env


def _settings(config) -> list[tuple[str, str]]:
    s = config.score
    gewichten = ", ".join(f"{k} {nl(v, 2)}" for k, v in s.gewichten.items())
    return [
        ("Configuratie", f"{config.naam} ({config.config_path or 'standaard'})"),
        ("Regio", config.region.name),
        ("Gewichten", gewichten + (" (AHP-matrix)" if s.ahp_matrix else "")),
        ("Vlag", f"door de zeef én (minstens {s.min_sterk} sterke kwaliteiten of score ≥ {nl(s.score_percentiel, 0)}e percentiel)"),
        ("Sterk: water", f"≥ {nl(s.sterk_water_m, 0)} m kade aan bereikbare CEMT ≥ "
                         f"{config.analyse.kades.water_min_klasse}"),
        ("Sterk: milieuruimte", f"≥ {nl(s.sterk_milieuruimte_ha, 1)} ha HMC-ruimte (vanaf {config.analyse.milieuruimte.hmc_vanaf})"),
        ("Sterk: multimodaal", f"{s.sterk_multimodaal} modaliteiten binnen {nl(config.analyse.ontsluiting.afstand_m, 0)} m"),
        ("Sterk: cluster / omvang / onbenut", f"{nl(s.sterk_cluster_ha, 0)} ha / {nl(s.sterk_omvang_ha, 0)} ha / {nl(s.sterk_onbenut_ha, 1)} ha"),
        ("Clusterafstand", f"{nl(config.analyse.clusters.afstand_m, 0)} m"),
        ("Robuustheid", f"{s.monte_carlo_runs} runs, gewichten ±{nl(s.gewicht_variatie * 100, 0)}%, drempels "
                        f"±{nl(s.drempel_variatie * 100, 0)}%; grensgeval bij stabiliteit < {nl(s.grensgeval_onder, 2)}"),
        ("Onderbenut", f"GSI < {nl(config.analyse.bebouwing.onderbenut_gsi, 2)} op kavels ≥ "
                       f"{nl(config.analyse.bebouwing.onderbenut_min_ha, 1)} ha"),
    ]


def render_rapport(config, inputs: Inputs, *, created: datetime, links: dict[str, str] | None = None) -> str:
    t = inputs.terreinen
    rank = ranking(t)
    regios = totals(t, "regio")
    return _env().get_template("rapport.html").render(
        titel=f"Strategische vestigingsplaatsen – {config.region.name}",
        gemaakt=created.astimezone().strftime("%d-%m-%Y %H:%M"), versie=__version__,
        aantal=len(t), aantal_vlag=int(bool_column(t, "vlag").sum()),
        aantal_grens=int(bool_column(t, "grensgeval").sum()),
        rank=rank, kolommen=[c for c in rank.columns if c not in ("waarom",)],
        labels={**{c: label(c) for c in rank.columns}, **TOTAL_LABELS}, regios=regios, gemeenten=totals(t, "gemeente"),
        totaal_kolommen=[c for c in TOTAL_COLUMNS if c in regios.columns],
        instellingen=_settings(config), bronnen=inputs.bronnen, links=links or {},
        config_json=json.dumps(config_as_dict(config), ensure_ascii=False, indent=2), **register.context(inputs))


def render_ranglijst(config, inputs: Inputs, *, links: dict[str, str] | None = None) -> str:
    rank = ranking(inputs.terreinen)
    return _env().get_template("ranglijst.html").render(
        titel=f"Ranglijst bedrijventerreinen – {config.region.name}", rank=rank,
        kolommen=[c for c in rank.columns if c not in ("waarom", "gemeente_code", "vlag", "zeef")],
        labels={c: label(c) for c in rank.columns}, links=links or {})


def write_report(config, inputs: Inputs, *, created: datetime, links: dict[str, str] | None = None) -> dict:
    processed = Path(config.paths.processed)
    maps = Path(config.paths.maps)
    maps.mkdir(parents=True, exist_ok=True)
    paths = {"rapport_csv": processed / "rapport.csv", "gemeenten_csv": processed / "rapport_gemeenten.csv",
             "regios_csv": processed / "rapport_regios.csv", "rapport_html": maps / "rapport.html"}
    frames = {"rapport_csv": ranking(inputs.terreinen), "gemeenten_csv": totals(inputs.terreinen, "gemeente"),
              "regios_csv": totals(inputs.terreinen, "regio")}
    for key, frame in frames.items():
        with atomic_path(paths[key]) as tmp:
            frame.to_csv(tmp, index=False, encoding="utf-8")
    with atomic_path(paths["rapport_html"]) as tmp:
        tmp.write_text(render_rapport(config, inputs, created=created, links=links), encoding="utf-8")
    return paths
