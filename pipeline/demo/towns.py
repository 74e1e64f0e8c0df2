"""Towns (kernen): where dwellings cluster, which gemeente a place belongs to, and the kern names.

Why: milieuruimte depends on the distance to dwellings, so terreinen must sit near towns like in
Brabant. Background towns stay clear of the scenario box; the scenario's own town is Demodorp.
GM codes are real Noord-Brabant gemeente codes (CBS 2022); the names are fictitious.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from pipeline.demo import scenario as sc
from pipeline.demo.sizes import in_box, scenario_box

# real Noord-Brabant gemeente codes (CBS 2022), used in turn for the background towns
GM_CODES = ["GM0855", "GM0772", "GM0796", "GM0758", "GM1674", "GM0794", "GM0828", "GM0826", "GM0748",
            "GM1948", "GM0867", "GM0777", "GM0861", "GM1982", "GM0797", "GM0757", "GM0753", "GM1655",
            "GM0784", "GM1771", "GM0779", "GM0824", "GM0823", "GM1721", "GM0766", "GM0851", "GM0873",
            "GM0840", "GM1719", "GM0785", "GM0809", "GM0845", "GM0865", "GM1652", "GM0762", "GM0743",
            "GM1959", "GM1991", "GM0858", "GM0847", "GM1728", "GM1724", "GM1706", "GM0879", "GM0744"]
SUFFIXES = ["stad", "hoven", "beek", "rode", "donk", "hout", "veld", "sel", "dijk", "oord", "wijk",
            "hem", "loon", "schot", "mond", "brug", "berg", "laar", "meer", "horst"]
WONING_DENSITY_PER_KM2 = 2500.0


def make_towns(rng, n: int, n_woningen: int, ext) -> pd.DataFrame:
    """Background towns (x, y, sigma, woningen share, kern, gm) outside the scenario box, plus Demodorp."""
    x0, y0, x1, y1 = ext
    w = np.sort(np.minimum(rng.pareto(1.1, n) + 1.0, 40.0))[::-1]
    share = w / w.sum()
    sigma = np.clip(np.sqrt(share * n_woningen / (WONING_DENSITY_PER_KM2 * math.pi)) * 1000.0, 300.0, 4500.0)
    cx, cy = np.full(n, np.nan), np.full(n, np.nan)
    margin = min(1500.0, 0.05 * (x1 - x0))
    for i in range(n):
        for attempt in range(400):
            x, y = rng.uniform(x0 + margin, x1 - margin), rng.uniform(y0 + margin, y1 - margin)
            keep_off = 1500.0 + (2 * sigma[i] if attempt < 250 else 0.0)
            if in_box(np.array([x]), np.array([y]), scenario_box(keep_off))[0]:
                continue
            d = np.hypot(cx[:i] - x, cy[:i] - y)
            if np.all(~(d < (sigma[:i] + sigma[i]) * (1.3 if attempt < 150 else 0.6))):
                break
        cx[i], cy[i] = x, y
    names = [f"Demo{SUFFIXES[i % len(SUFFIXES)]}" + (f" {i // len(SUFFIXES) + 1}" if i >= len(SUFFIXES) else "")
             for i in range(n)]
    towns = pd.DataFrame(dict(x=cx, y=cy, sigma=sigma, share=share, kern=names,
                              gm=[GM_CODES[i % len(GM_CODES)] for i in range(n)], scenario=False))
    d = sc.DEMODORP
    demodorp = pd.DataFrame([dict(x=sc.OX + d["x"], y=sc.OY + d["y"], sigma=d["sigma"], share=0.0,
                                  kern="Demodorp", gm="GM0855", scenario=True)])
    return pd.concat([towns, demodorp], ignore_index=True)


def nearest_town(towns: pd.DataFrame, x: np.ndarray, y: np.ndarray, cells: int = 4_000_000) -> np.ndarray:
    """Index of the nearest town centre for each point (in chunks of at most `cells` point-town distances: memory
    stays bounded however many towns and points there are)."""
    out = np.empty(len(x), np.int64)
    tx, ty = towns.x.values, towns.y.values
    chunk = max(1, cells // max(len(tx), 1))
    for s in range(0, len(x), chunk):
        d = (x[s:s + chunk, None] - tx[None, :]) ** 2 + (y[s:s + chunk, None] - ty[None, :]) ** 2
        out[s:s + chunk] = np.argmin(d, axis=1)
    return out
