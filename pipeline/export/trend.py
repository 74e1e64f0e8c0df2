"""The IBIS history as trends: per terrein and per regio the bruto, netto and uitgeefbaar ha over the years, as
tables and as small charts embedded in the pages as data: URIs, so the report, the detail pages and the comparison
page stay single offline files: every chart, a regio's (titled) and a terrein's (one per detail page, thousands
nationally), written as SVG text (svgchart.py).

Input: terreinen_historie (ingest; one row per terrein and year). A regio's series sums its terreinen per year
(the regio of the terrein today, from its gemeente; a year counts only the terreinen IBIS had then, so a new
terrein shows as a step). The same history gives the same bytes.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from pipeline import catalogue
from pipeline.export.svgchart import svg_chart

SERIES = [("ha_bruto", "bruto", "#1f78b4"), ("ha_netto", "netto", "#33a02c"), ("ha_uitgeefbaar", "uitgeefbaar", "#e31a1c")]
TOTAAL = "Totaal"


def read_history(processed: str | Path) -> pd.DataFrame | None:
    """terreinen_historie of a run, or None when the run has none (an older run)."""
    return catalogue.read("terreinen_historie", processed, optional=True)


def _regio_of(history: pd.DataFrame, terreinen: pd.DataFrame | None) -> pd.Series:
    from pipeline.export.common import add_gemeente_regio
    latest = history.sort_values("jaar").groupby("rin_nummer").tail(1).set_index("rin_nummer")
    regio = add_gemeente_regio(latest)["regio"]
    if terreinen is not None and "regio" in terreinen.columns:
        now = pd.Series(terreinen["regio"].to_numpy(), index=terreinen["rin_nummer"].astype(str))
        regio = now.reindex(regio.index).fillna(regio)
    return history["rin_nummer"].map(regio).fillna("onbekend")


def regio_series(history: pd.DataFrame, terreinen: pd.DataFrame | None = None) -> pd.DataFrame:
    """regio, jaar, aantal_terreinen and the summed ha per regio and year, then the same for 'Totaal'."""
    h = history.assign(regio=_regio_of(history, terreinen).to_numpy())
    cols = [c for c, _, _ in SERIES]
    per = h.groupby(["regio", "jaar"]).agg(aantal_terreinen=("rin_nummer", "nunique"),
                                          **{c: (c, lambda s: s.sum(min_count=1)) for c in cols}).reset_index()
    total = h.groupby("jaar").agg(aantal_terreinen=("rin_nummer", "nunique"),
                                  **{c: (c, lambda s: s.sum(min_count=1)) for c in cols}).reset_index()
    out = pd.concat([per, total.assign(regio=TOTAAL)], ignore_index=True)
    out[cols] = out[cols].astype(float).round(6)
    return out[["regio", "jaar", "aantal_terreinen", *cols]]


def terrein_table(history: pd.DataFrame) -> pd.DataFrame:
    """Per terrein: first and last year and the three measures then, and the change."""
    h = history.sort_values(["rin_nummer", "jaar"])
    first, last = h.groupby("rin_nummer").head(1).set_index("rin_nummer"), h.groupby("rin_nummer").tail(1)
    last = last.set_index("rin_nummer")
    out = pd.DataFrame({"rin_nummer": last.index, "naam": last["naam"].to_numpy(),
                        "jaar_eerst": first["jaar"].reindex(last.index).to_numpy(), "jaar_laatst": last["jaar"].to_numpy()})
    for c, _, _ in SERIES:
        a, b = first[c].reindex(last.index).to_numpy(float), last[c].to_numpy(float)
        out[f"{c}_eerst"], out[f"{c}_laatst"], out[f"{c}_verschil"] = a, b, b - a
    return out.reset_index(drop=True)


def terrein_charts(history: pd.DataFrame | None) -> dict[str, str]:
    """rin_nummer -> chart of that terrein, for every terrein of the history."""
    if history is None or history.empty:
        return {}
    return {str(rin): svg_chart(part, SERIES) for rin, part in history.sort_values("jaar").groupby("rin_nummer")}


def regio_charts(series: pd.DataFrame) -> dict[str, str]:
    """regio -> chart of its summed series ('Totaal' included). SVG text as the terreinen's: matplotlib drew these
    five as PNG in 0.6 s, plus a second to import it, on the export's main process before its detail pages."""
    return {str(regio): svg_chart(part.sort_values("jaar"), SERIES, title=f"{regio}: bedrijventerreinen (IBIS)")
            for regio, part in series.groupby("regio", sort=False)}


def context(history: pd.DataFrame | None, terreinen: pd.DataFrame | None = None) -> dict:
    """What a page's trend section needs: the regio series (table rows), their charts and the terrein table."""
    if history is None or history.empty:
        return {"trend": None}
    from pipeline.export.report import nl
    series = regio_series(history, terreinen)
    return {"trend": {"regio_reeks": series, "regio_grafieken": regio_charts(series),
                      "terreinen": terrein_table(history), "nl": nl,
                      "jaren": sorted(int(j) for j in history["jaar"].unique())}}


def detail_rows(history: pd.DataFrame | None) -> dict[str, list[dict]]:
    """rin_nummer -> its years with the three measures as Dutch text (the table beside the chart of a detail page)."""
    from pipeline.export.report import nl
    if history is None or history.empty:
        return {}
    h = history.sort_values(["rin_nummer", "jaar"], kind="stable")
    columns = {"jaar": h["jaar"].astype(int).tolist(), **{c: [nl(v, 1) for v in h[c].tolist()] for c, _, _ in SERIES}}
    rows: dict[str, list[dict]] = {}
    for rin, *values in zip(h["rin_nummer"].astype(str).tolist(), *columns.values()):
        rows.setdefault(rin, []).append(dict(zip(columns, values)))
    return rows
