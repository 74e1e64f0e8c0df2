"""The trend chart of a terrein or (with a title) a regio (bruto, netto, uitgeefbaar ha per IBIS year) as a small
SVG, written as text.

Why: a detail page per terrein means thousands of charts nationally; matplotlib needed ~0.1 s for each (text layout
and PNG encoding), this needs well under a millisecond. The chart keeps matplotlib's look (4.2 x 2.4 inch at 80 dpi,
colours, markers, grid, y from 0, legend below) and goes into the page as an SVG data: URI, so the page stays one
offline file. The same series give the same bytes.
"""
from __future__ import annotations

import base64
import math
from xml.sax.saxutils import escape

import numpy as np
import pandas as pd

W, H = 336, 192                                   # pixels: a 4.2 x 2.4 inch figure at 80 dpi
LEFT, RIGHT, BOTTOM, TOP = 0.13 * W, 0.97 * W, (1 - 0.27) * H, (1 - 0.27 - 0.68) * H
TOP_TITLED = (1 - 0.27 - 0.62) * H                # room for a title above the axes
FONT = 'font-family="DejaVu Sans, Arial, sans-serif"'


def nice_ticks(top: float, most: int = 6) -> np.ndarray:
    """0 and round steps (1, 2, 2.5, 5 x 10^k) up to at least `top`, at most `most` + 1 ticks."""
    if not np.isfinite(top) or top <= 0:
        return np.array([0.0, 1.0])
    raw = top / most
    power = 10.0 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    return np.round(np.arange(0, math.ceil(top / step - 1e-9) + 1) * step, 10)


def _label(value: float) -> str:
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return text if text != "-0" else "0"


def _axes(years: np.ndarray, ticks: np.ndarray, sx, sy, top: float) -> list[str]:
    """Grid, frame, tick labels and the y label of axes from `top` down to BOTTOM."""
    out = []
    for t in ticks:
        y = sy(t)
        out.append(f'<line x1="{LEFT:.1f}" y1="{y:.1f}" x2="{RIGHT:.1f}" y2="{y:.1f}" stroke="#b0b0b0" '
                   f'stroke-opacity="0.3"/><text x="{LEFT - 4:.1f}" y="{y + 2.5:.1f}" font-size="7.8" '
                   f'text-anchor="end">{_label(t)}</text>')
    for year in years:
        x = sx(year)
        out.append(f'<line x1="{x:.1f}" y1="{top:.1f}" x2="{x:.1f}" y2="{BOTTOM:.1f}" stroke="#b0b0b0" '
                   f'stroke-opacity="0.3"/><text x="{x:.1f}" y="{BOTTOM + 11:.1f}" font-size="7.8" '
                   f'text-anchor="middle">{int(year)}</text>')
    out.append(f'<rect x="{LEFT:.1f}" y="{top:.1f}" width="{RIGHT - LEFT:.1f}" height="{BOTTOM - top:.1f}" '
               'fill="none" stroke="#000" stroke-width="0.8"/>')
    out.append(f'<text x="12" y="{(top + BOTTOM) / 2:.1f}" font-size="8.9" text-anchor="middle" '
               f'transform="rotate(-90 12 {(top + BOTTOM) / 2:.1f})">ha</text>')
    return out


def _series(x: np.ndarray, y: np.ndarray, colour: str) -> list[str]:
    """A line broken where a value is missing (as matplotlib draws NaN), with a dot on every value."""
    out, run = [], []
    for xi, yi in zip(x.tolist() + [None], y.tolist() + [math.nan]):
        if xi is not None and math.isfinite(yi):
            run.append(f"{xi:.1f},{yi:.1f}")
            continue
        if len(run) > 1:
            out.append(f'<polyline points="{" ".join(run)}" fill="none" stroke="{colour}" stroke-width="1.7"/>')
        run = []
    out += [f'<circle cx="{xi:.1f}" cy="{yi:.1f}" r="1.7" fill="{colour}"/>' for xi, yi in zip(x, y)
            if math.isfinite(yi)]
    return out


def svg_chart(series: pd.DataFrame, columns: list[tuple[str, str, str]], title: str | None = None) -> str:
    """The chart of `series` (columns jaar and each (column, label, colour)) as an SVG data: URI; with `title`, that
    text centred above the axes (a regio's chart)."""
    years = series["jaar"].to_numpy(int)
    values = {c: series[c].to_numpy(float) for c, _, _ in columns}
    finite = np.concatenate([v[np.isfinite(v)] for v in values.values()] + [np.zeros(1)])
    ticks = nice_ticks(float(finite.max()) * 1.05)
    lo, hi = (years.min() - 0.5, years.max() + 0.5) if years.min() == years.max() else \
        (years.min() - 0.05 * np.ptp(years), years.max() + 0.05 * np.ptp(years))

    def sx(v):
        return LEFT + (np.asarray(v, float) - lo) / (hi - lo) * (RIGHT - LEFT)

    top = TOP if title is None else TOP_TITLED

    def sy(v):
        return BOTTOM - np.asarray(v, float) / ticks[-1] * (BOTTOM - top)

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" viewBox="0 0 {W} {H}" {FONT}>',
             f'<rect width="{W}" height="{H}" fill="#fff"/>', *_axes(np.unique(years), ticks, sx, sy, top)]
    if title is not None:  # matplotlib's 9 pt at 80 dpi
        parts.append(f'<text x="{(LEFT + RIGHT) / 2:.1f}" y="{top - 5:.1f}" font-size="10" text-anchor="middle">'
                     f'{escape(title)}</text>')
    for c, _, colour in columns:
        parts += _series(sx(years), sy(values[c]), colour)
    for i, (_, label, colour) in enumerate(columns):  # legend: below the axes, centred, one row
        x = W / 2 + (i - (len(columns) - 1) / 2) * 80 - 30
        parts.append(f'<line x1="{x:.1f}" y1="{H - 19:.1f}" x2="{x + 16:.1f}" y2="{H - 19:.1f}" stroke="{colour}" '
                     f'stroke-width="1.7"/><circle cx="{x + 8:.1f}" cy="{H - 19:.1f}" r="1.7" fill="{colour}"/>'
                     f'<text x="{x + 20:.1f}" y="{H - 16:.1f}" font-size="7.8">{escape(label)}</text>')
    parts.append("</svg>")
    return "data:image/svg+xml;base64," + base64.b64encode("".join(parts).encode("utf-8")).decode("ascii")
