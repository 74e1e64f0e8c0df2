"""Report: `maps/rapport.html`, the sortable ranked table `maps/ranglijst.html` (written by paginas.py) and
`<processed>/rapport.csv`, `rapport_gemeenten.csv`, `rapport_regios.csv`, `rapport_typologie.csv`.

The ranking's columns are the catalogue columns of `terreinen_uitvoer` marked `rapport=True`, in catalogue
order, so an indicator registered with rapport=True appears in the CSV and in both pages without code changes;
the page headers are the catalogue's Dutch labels with unit, numbers use its decimals. Totals per gemeente and
per regio (the regio column the score stage adds from pipeline/data/gemeente_regio.csv) count terreinen
(the `aantal_*` columns, the only ones here that are not in the catalogue) and sum every ranking column
measured in ha, m or m² (areas and lengths add up; scores and shares do not). The typology (strategisch x
benutting) is counted per regio and type with its ha bruto and policy action (`rapport_typologie.csv`, a section of
the page). The settings and sources used close the report.
The CSVs are for machines: the column names as header, comma separated, decimal point, UTF-8, no labels; the
HTML pages use the labels and Dutch number formatting.
"""
from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd

from pipeline import __version__, catalogue
from pipeline.config import config_as_dict
from pipeline.export import register, trend
from pipeline.export.common import Inputs, bool_column, jsonable
from pipeline.export.paginas import render
from pipeline.io import atomic_path
from pipeline.categories import TYPOLOGIE_ACTIES as ACTIES, TYPOLOGIEEN as TYPES

DATASET = "terreinen_uitvoer"
# counts per gemeente / regio: not catalogue columns, so their labels live here (whole numbers)
COUNT_LABELS = {"aantal_terreinen": "Terreinen", "aantal_strategisch": "Strategisch (vlag)",
                "aantal_grensgeval": "Grensgevallen"}
ADDITIVE_UNITS = ("ha", "m", "m²")
TEXT_DTYPES = ("str", "cat", "cemt")
# ranglijst.html stays narrow: waarom gets its own last column, gemeente_naam and vlag_klasse already say what
# gemeente_code and vlag say, and zeef is in the report and the map popups; the long texts of the typology and
# the ranks per quality are the tooltips of the typologie and rang cells (and columns of the report)
RANGLIJST_WITHOUT = ("waarom", "gemeente_code", "vlag", "zeef", "rang_kwaliteiten", "typologie_reden",
                     "typologie_actie")


def report_columns(analyse=None) -> list[catalogue.Column]:
    """The catalogue columns of the ranking, in catalogue order."""
    return [c for c in catalogue.columns(DATASET, analyse) if c.rapport]


def ranking(terreinen: pd.DataFrame, analyse=None) -> pd.DataFrame:
    """One row per terrein in rank order with the report columns that exist."""
    cols = [c.name for c in report_columns(analyse) if c.name in terreinen.columns]
    out = pd.DataFrame(terreinen[cols]).copy()
    if "rang" in out:
        out = out.sort_values(["rang", "rin_nummer"], kind="stable", na_position="last")
    return out.reset_index(drop=True)


def total_columns(analyse=None) -> list[str]:
    """The counts, then the report columns that add up over terreinen (areas and lengths)."""
    return [*COUNT_LABELS, *(c.name for c in report_columns(analyse)
                             if c.dtype == "float" and c.unit in ADDITIVE_UNITS)]


def totals(terreinen: pd.DataFrame, by: str, analyse=None) -> pd.DataFrame:
    """Totals per `by` (gemeente_naam or regio), sorted by name, with a final 'Totaal' row."""
    frame = pd.DataFrame(terreinen.drop(columns=terreinen.geometry.name, errors="ignore")
                         if hasattr(terreinen, "geometry") else terreinen)
    frame = frame.assign(
        aantal_terreinen=1,
        aantal_strategisch=bool_column(frame, "vlag").astype(int),
        aantal_grensgeval=bool_column(frame, "grensgeval").astype(int))
    cols = [c for c in total_columns(analyse) if c in frame.columns]
    keys = [by] if by == "regio" else ["gemeente_code", "gemeente_naam", "regio"]
    keys = [k for k in keys if k in frame.columns]
    grouped = frame.astype({k: "string" for k in keys}).fillna({k: "onbekend" for k in keys})
    out = grouped.groupby(keys, dropna=False)[cols].sum(min_count=0).reset_index()
    out = out.sort_values(keys[-1] if by == "regio" else "gemeente_naam", kind="stable").reset_index(drop=True)
    total = {k: "" for k in keys}
    total[keys[0]] = "Totaal"
    total.update(frame[cols].sum(min_count=0).to_dict())
    out = pd.concat([out, pd.DataFrame([total])], ignore_index=True)
    counts = [c for c in cols if c.startswith("aantal_")]
    out[counts] = out[counts].astype("int64")  # whole numbers, also after the concat with the total row
    sums = [c for c in cols if c not in counts]
    out[sums] = out[sums].astype(float).round(6)  # no float noise (14.799999999999999) in the CSVs
    return out


def typologie_totals(terreinen: pd.DataFrame) -> pd.DataFrame:
    """Per regio and type (every type in every regio, 0 where none): aantal terreinen and ha bruto; then 'Totaal'."""
    frame = pd.DataFrame(terreinen.drop(columns=terreinen.geometry.name, errors="ignore")
                         if hasattr(terreinen, "geometry") else terreinen)
    frame = frame.assign(regio=frame["regio"].astype("string").fillna("onbekend"), aantal=1,
                         ha_bruto=frame["ha_bruto"].astype(float).fillna(0.0))
    regios = sorted(frame["regio"].unique())
    full = pd.MultiIndex.from_product([[*regios, "Totaal"], TYPES], names=["regio", "typologie"])
    per = frame.groupby(["regio", "typologie"])[["aantal", "ha_bruto"]].sum()
    total = frame.groupby("typologie")[["aantal", "ha_bruto"]].sum()
    total.index = pd.MultiIndex.from_product([["Totaal"], total.index], names=["regio", "typologie"])
    out = pd.concat([per, total]).reindex(full, fill_value=0).reset_index()
    out["actie"] = out["typologie"].map(ACTIES)
    out["aantal"] = out["aantal"].astype("int64")
    out["ha_bruto"] = out["ha_bruto"].astype(float).round(6)
    return out[["regio", "typologie", "aantal", "ha_bruto", "actie"]]


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


def _headers(columns) -> dict[str, dict]:
    """Per column of a page table: its label with unit, decimals and kind (text or number, for sorting)."""
    out = {}
    for c in columns:
        entry = catalogue.find(c, DATASET)
        if c in COUNT_LABELS or entry is None:
            out[c] = {"label": COUNT_LABELS.get(c) or catalogue.label(c, DATASET), "decimals": 0, "tekst": False}
        else:
            out[c] = {"label": catalogue.unit_label(c, DATASET), "decimals": entry.shown_decimals,
                      "tekst": entry.dtype in TEXT_DTYPES}
    return out


def _cell_formatter(headers: dict[str, dict]):
    """cell(column, value) for the templates: Dutch formatting with the column's decimals."""
    return lambda column, value: nl(value, headers[column]["decimals"] if column in headers else 0)


def sort_value(value):
    """A cell's value for the table's client-side sort: a number (ja = 1), '' when missing (sorts lowest)."""
    v = jsonable(value)
    if isinstance(v, bool):
        return int(v)
    return v if isinstance(v, (int, float)) else ""


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
        ("Sterk: cluster / omvang", f"{nl(s.sterk_cluster_ha, 0)} ha / {nl(s.sterk_omvang_ha, 0)} ha"),
        ("Onderbenut (typologie)", f"≥ {nl(s.onderbenut_hmc_ha, 1)} ha HMC-ruimte onbenut, ≥ {nl(s.onderbenut_kade_m, 0)} m "
                                   f"kade onbenut of vrij of ≥ {nl(s.onderbenut_uitgeefbaar_ha, 1)} ha uitgeefbaar, "
                                   f"telkens ook ≥ {nl(s.onderbenut_aandeel * 100, 0)}% van de capaciteit"),
        ("Clusterafstand", f"{nl(config.analyse.clusters.afstand_m, 0)} m"),
        ("Robuustheid", f"{s.monte_carlo_runs} runs, gewichten ±{nl(s.gewicht_variatie * 100, 0)}%, drempels "
                        f"±{nl(s.drempel_variatie * 100, 0)}%; grensgeval bij stabiliteit < {nl(s.grensgeval_onder, 2)}"),
        ("Onderbenut", f"GSI < {nl(config.analyse.bebouwing.onderbenut_gsi, 2)} op kavels ≥ "
                       f"{nl(config.analyse.bebouwing.onderbenut_min_ha, 1)} ha"),
    ]


def render_rapport(config, inputs: Inputs, *, links: dict[str, str] | None = None) -> str:
    """The report page. No wall-clock time in it (the same data gives the same bytes): it names the data's
    peiljaar and the software version; the run time is in the GeoPackage metadata and the log."""
    t = inputs.terreinen
    rank = ranking(t, config.analyse)
    regios = totals(t, "regio", config.analyse)
    totaal_kolommen = [c for c in total_columns(config.analyse) if c in regios.columns]
    kop = _headers([*rank.columns, *totaal_kolommen])
    return render(
        "rapport.html", titel=f"Strategische vestigingsplaatsen – {config.region.name}",
        peiljaar=_peiljaar(t), versie=__version__,
        aantal=len(t), aantal_vlag=int(bool_column(t, "vlag").sum()),
        aantal_grens=int(bool_column(t, "grensgeval").sum()),
        rank=rank, kolommen=[c for c in rank.columns if c != "waarom"], kop=kop, cell=_cell_formatter(kop),
        regios=regios, gemeenten=totals(t, "gemeente", config.analyse), totaal_kolommen=totaal_kolommen,
        typologie=typologie_context(t),
        instellingen=_settings(config), bronnen=inputs.bronnen, links=links or {},
        config_json=json.dumps(config_as_dict(config), ensure_ascii=False, indent=2), **register.context(inputs),
        **trend.context(inputs.historie, inputs.terreinen))


def render_ranglijst(config, inputs: Inputs, *, links: dict[str, str] | None = None) -> str:
    rank = ranking(inputs.terreinen, config.analyse)
    kop = _headers(rank.columns)
    return render(
        "ranglijst.html", titel=f"Ranglijst bedrijventerreinen – {config.region.name}", rank=rank,
        kolommen=[c for c in rank.columns if c not in RANGLIJST_WITHOUT], kop=kop, cell=_cell_formatter(kop),
        sort_value=sort_value, links=links or {})


def typologie_context(terreinen: pd.DataFrame) -> dict:
    """The report's typology section: the 2x2 counts of the province, the actions and a row per regio with
    (aantal, ha bruto) per type."""
    long = typologie_totals(terreinen)
    rows = []
    for regio, part in long.groupby("regio", sort=False):
        cells = part.set_index("typologie")
        rows.append({"regio": regio, "cellen": [(int(cells.loc[typ, "aantal"]), nl(cells.loc[typ, "ha_bruto"], 1))
                                                for typ in TYPES]})
    totaal = long[long["regio"] == "Totaal"].set_index("typologie")["aantal"].astype(int).to_dict()
    return {"types": TYPES, "acties": ACTIES, "rijen": rows, "totaal": totaal}


def _peiljaar(terreinen) -> str:
    jaren = terreinen["jaar"].dropna() if "jaar" in terreinen else []
    return str(int(max(jaren))) if len(jaren) else "onbekend"


def write_report(config, inputs: Inputs, *, links: dict[str, str] | None = None, processed: Path | None = None,
                 maps: Path | None = None) -> dict:
    """rapport.html in `maps`, the CSVs in `processed` (default: the configured folders)."""
    processed = Path(processed or config.paths.processed)
    maps = Path(maps or config.paths.maps)
    maps.mkdir(parents=True, exist_ok=True)
    paths = {"rapport_csv": processed / "rapport.csv", "gemeenten_csv": processed / "rapport_gemeenten.csv",
             "regios_csv": processed / "rapport_regios.csv", "typologie_csv": processed / "rapport_typologie.csv",
             "rapport_html": maps / "rapport.html"}
    t, analyse = inputs.terreinen, config.analyse
    frames = {"rapport_csv": ranking(t, analyse), "gemeenten_csv": totals(t, "gemeente", analyse),
              "regios_csv": totals(t, "regio", analyse), "typologie_csv": typologie_totals(t)}
    for key, frame in frames.items():
        with atomic_path(paths[key]) as tmp:
            frame.to_csv(tmp, index=False, encoding="utf-8")
    with atomic_path(paths["rapport_html"]) as tmp:
        tmp.write_text(render_rapport(config, inputs, links=links), encoding="utf-8")
    return paths
