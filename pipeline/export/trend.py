"""The IBIS history as trends: per terrein and per regio the bruto, netto and uitgeefbaar ha over the years, as
tables and as small charts embedded in the pages as data: URIs, so the report, the detail pages and the comparison
page stay single offline files: the few regio charts drawn by matplotlib (without pyplot, on an Agg canvas) as PNG,
the chart of every terrein (one per detail page, thousands nationally) written as SVG text (svgchart.py).

Input: terreinen_historie (ingest; one row per terrein and year). A regio's series sums its terreinen per year
(the regio of the terrein today, from its gemeente; a year counts only the terreinen IBIS had then, so a new
terrein shows as a step). PNGs carry no time stamp and no software version: the same history gives the same bytes.
"""
from __future__ import annotations

import base64
import io
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline import catalogue

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


def chart(series: pd.DataFrame, title: str) -> str:
    """A small line chart (years x ha) of bruto, netto and uitgeefbaar, titled, as a PNG data: URI (a regio's; a
    terrein's is svgchart.py). A fixed layout and legend place (no tight_layout, no 'best' legend search): text is
    what costs time in matplotlib."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    fig = Figure(figsize=(4.2, 2.4), dpi=80)
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0.13, 0.27, 0.84, 0.62))
    years = series["jaar"].to_numpy(int)
    for column, label, colour in SERIES:
        ax.plot(years, series[column].to_numpy(float), marker="o", markersize=3, linewidth=1.5, color=colour,
                label=label)
    ax.set_xticks(np.unique(years))
    ax.set_title(title, fontsize=9)
    ax.set_ylabel("ha", fontsize=8)
    ax.tick_params(labelsize=7)
    ax.set_ylim(bottom=0)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.13), ncol=3, frameon=False)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", metadata={"Software": None})
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def terrein_charts(history: pd.DataFrame | None) -> dict[str, str]:
    """rin_nummer -> chart of that terrein, for every terrein of the history."""
    if history is None or history.empty:
        return {}
    from pipeline.export.svgchart import svg_chart
    # one per terrein, thousands nationally: written as SVG text (svgchart.py), not drawn by matplotlib
    return {str(rin): svg_chart(part, SERIES) for rin, part in history.sort_values("jaar").groupby("rin_nummer")}


def regio_charts(series: pd.DataFrame) -> dict[str, str]:
    """regio -> chart of its summed series ('Totaal' included)."""
    return {str(regio): chart(part.sort_values("jaar"), f"{regio}: bedrijventerreinen (IBIS)")
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
