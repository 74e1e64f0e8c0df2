"""Raw value, normalised value and 'sterk' (strong) flag per criterion of a terrein.

Every raw value is read from a column of terreinen_indicatoren (the analyse stage does the spatial work):
- water: kade_water_m, quay metres whose reachable CEMT class >= `analyse.kades.water_min_klasse`.
- milieuruimte: ha HMC-capable, ha_hmc_{v} for v = `analyse.milieuruimte.hmc_vanaf`.
- multimodaal: aantal_modaliteiten, 0..3 (water, spoor, weg; see pipeline/analyse/ontsluiting.py).
- cluster: cluster_ha, ha bruto of the terrein's cluster; 0 for a terrein alone (its size already counts as omvang).
- omvang: ha bruto (geometry area where IBIS gives none).
- netcapaciteit: sum over afname statuses of area share x `score.netcapaciteit_waarden` (default groen 1,
  geel 0.5, oranje 0.25, rood 0, onbekend 0); area not covered by the capaciteitskaart counts as 0.
Unused potential is not a criterion (domain.md, decision 2026-11-25): it says whether the qualities are used,
not whether they exist; it is the typology's second axis (typologie.py).

Normalisation (`score.normalisatie`) maps each criterion to 0..1 over all terreinen; a criterion whose
values are all equal gets 0 everywhere (it does not discriminate). 'sterk' = raw > 0 and raw >= threshold.
"""
from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from pipeline.categories import variant_label
from pipeline.config import CRITERIA

log = logging.getLogger(__name__)

DEFINING = ["water", "milieuruimte", "multimodaal"]  # the sieve: at least one of these must be sterk
NOT_PERTURBED = ["multimodaal"]  # an integer count: +-10 % of 3 modalities is meaningless


def grid_value(terreinen: pd.DataFrame, values: dict[str, float]) -> pd.Series:
    """Weighted afname status shares: 1 = all groen, 0 = all rood/onbekend/not covered."""
    total = pd.Series(0.0, index=terreinen.index)
    for status, value in values.items():
        total += terreinen[f"afname_aandeel_{status}"].astype(float) * float(value)
    return total.clip(0.0, 1.0)


def number_column(frame: pd.DataFrame, column: str) -> pd.Series:
    """A numeric indicator whose null means 'unknown' (e.g. HMC use without vestigingen): counted as 0, logged."""
    values = frame[column].astype(float)
    if values.isna().any():
        log.info("score: %d terreinen without %s (unknown); counted as 0", int(values.isna().sum()), column)
    return values.fillna(0.0)


def hmc_column(hmc_vanaf: str) -> str:
    """`ha_hmc_41` for HMC >= 4.1, `ha_hmc_42`, `ha_hmc_51`: the indicator variant the settings name."""
    return "ha_hmc_" + variant_label(hmc_vanaf)


def bruto_ha(terreinen) -> pd.Series:
    """IBIS ha_bruto, or the polygon area where IBIS gives none."""
    return terreinen["ha_bruto"].astype(float).fillna(terreinen.geometry.area / 10_000)


def raw_values(terreinen, *, hmc_vanaf: str, netcapaciteit_waarden: dict[str, float]) -> pd.DataFrame:
    """One raw value per criterion (columns in CRITERIA order), never NaN, from the indicator columns."""
    hmc = hmc_column(hmc_vanaf)
    alone = terreinen["cluster_aantal"].to_numpy() <= 1
    raw = pd.DataFrame({
        "water": terreinen["kade_water_m"].astype(float),
        "milieuruimte": terreinen[hmc].astype(float),
        "multimodaal": terreinen["aantal_modaliteiten"].astype(float),
        "cluster": terreinen["cluster_ha"].astype(float).where(~alone, 0.0),
        "omvang": bruto_ha(terreinen),
        "netcapaciteit": grid_value(terreinen, netcapaciteit_waarden),
    }, index=terreinen.index)
    return raw[CRITERIA]


def normalise(raw: pd.DataFrame, method: str = "minmax") -> pd.DataFrame:
    """Each column to 0..1: min-max, or rank (ties at their lowest rank, so the minimum stays 0).

    A column whose values are all equal (or a single terrein) gets 0: it does not tell terreinen apart.
    """
    values = raw.to_numpy(dtype=float)
    if values.size == 0:
        return raw.astype(float)
    if method == "minmax":
        lo, hi = values.min(axis=0), values.max(axis=0)
        span = hi - lo
        out = np.where(span > 0, (values - lo) / np.where(span > 0, span, 1.0), 0.0)
    elif method == "rang":
        ranks = raw.rank(method="min").to_numpy(dtype=float)
        top = ranks.max(axis=0)
        out = np.where(top > 1, (ranks - 1) / np.where(top > 1, top - 1, 1.0), 0.0)
    else:
        raise ValueError(f"score.normalisatie: expected 'minmax' or 'rang', got {method!r}")
    return pd.DataFrame(out, index=raw.index, columns=raw.columns)


def thresholds(score) -> pd.Series:
    """The 'sterk' threshold per criterion from the settings."""
    return pd.Series({
        "water": score.sterk_water_m, "milieuruimte": score.sterk_milieuruimte_ha,
        "multimodaal": float(score.sterk_multimodaal), "cluster": score.sterk_cluster_ha,
        "omvang": score.sterk_omvang_ha, "netcapaciteit": score.sterk_netcapaciteit,
    })[CRITERIA].astype(float)


def strong(raw: np.ndarray, limits: np.ndarray) -> np.ndarray:
    """raw > 0 and raw >= threshold; broadcasts (n, C) against (C,) or (runs, 1, C) for the Monte Carlo."""
    return (raw > 0) & (raw >= limits)
