"""Raw value, normalised value and 'sterk' (strong) flag per criterion of a terrein.

Raw values (one column per criterion in `CRITERIA`):
- water: metres of quay (kades_status) whose reachable CEMT class >= `score.water_min_klasse`.
- milieuruimte: ha HMC-capable (`ha_hmc_41`, or the variant matching `analyse.milieuruimte.hmc_vanaf`).
- multimodaal: number of modalities 0..3: water (water > 0 or IBIS water_ontsluiting), spoor (a track of
  `score.spoor_soorten` within `score.infra_afstand_m`, or IBIS spoor_ontsluiting), weg (an oprit within
  `score.infra_afstand_m`).
- cluster: ha bruto of the terrein's cluster; 0 for a terrein alone (its size already counts as omvang).
- omvang: ha bruto (geometry area where IBIS gives none).
- netcapaciteit: sum over afname statuses of area share x `score.netcapaciteit_waarden` (default groen 1,
  geel 0.5, oranje 0.25, rood 0, onbekend 0); area not covered by the capaciteitskaart counts as 0.
- onbenut: HMC room used by non-HMC activities + the larger of vacant HMC room and IBIS uitgeefbaar ha.
  Vacant kavels are usually the issuable ones, so adding the two would count the same land twice. Unused
  quay (potentie_kades_m) is not added: quay land lies on kavels already counted in those ha; it is named
  in the explanation instead.

Normalisation (`score.normalisatie`) maps each criterion to 0..1 over all terreinen; a criterion whose
values are all equal gets 0 everywhere (it does not discriminate). 'sterk' = raw > 0 and raw >= threshold.
"""
from __future__ import annotations

import logging

import geopandas as gpd
import numpy as np
import pandas as pd

from pipeline.categories import cemt_from_rank, cemt_rank
from pipeline.config import CRITERIA

log = logging.getLogger(__name__)

DEFINING = ["water", "milieuruimte", "multimodaal"]  # the sieve: at least one of these must be sterk
MODALITEITEN = ["water", "spoor", "weg"]
NOT_PERTURBED = ["multimodaal"]  # an integer count: +-10 % of 3 modalities is meaningless


def bruto_ha(terreinen: gpd.GeoDataFrame) -> pd.Series:
    """IBIS ha_bruto, or the polygon area where IBIS gives none."""
    ha = pd.to_numeric(terreinen["ha_bruto"], errors="coerce").astype(float)
    return ha.fillna(terreinen.geometry.area / 10_000)


def water_quay(terreinen: pd.DataFrame, kades: pd.DataFrame, *, min_klasse: str) -> pd.DataFrame:
    """Quay metres on a reachable class >= min_klasse per terrein, and the best such class (for the text)."""
    rin = terreinen["rin_nummer"].astype("string")
    if kades is None or len(kades) == 0:
        return pd.DataFrame({"water_m": 0.0, "water_klasse": pd.Series(pd.NA, index=terreinen.index,
                                                                        dtype="string")}, index=terreinen.index)
    rank = cemt_rank(kades["cemt_bereikbaar"])
    lengte = pd.to_numeric(kades["lengte_m"], errors="coerce").astype(float).to_numpy()
    if "geometry" in kades and np.isnan(lengte).any():
        lengte = np.where(np.isnan(lengte), kades.geometry.length.to_numpy(), lengte)
    ok = rank >= cemt_rank([min_klasse])[0]
    counted = pd.DataFrame({"rin": kades["rin_nummer"].astype("string").to_numpy()[ok],
                            "m": lengte[ok], "rank": rank[ok]})
    per = counted.groupby("rin").agg(m=("m", "sum"), rank=("rank", "max"))
    metres = rin.map(per["m"]).astype(float).fillna(0.0).to_numpy()
    best = rin.map(per["rank"]).astype(float).fillna(-1).astype(int).to_numpy()
    klasse = cemt_from_rank(best).astype("string")
    klasse.index = terreinen.index
    return pd.DataFrame({"water_m": metres, "water_klasse": klasse}, index=terreinen.index)


def near(terreinen: gpd.GeoDataFrame, features: gpd.GeoDataFrame | None, distance: float) -> np.ndarray:
    """True where a terrein lies within `distance` of any feature (one STRtree dwithin query)."""
    hit = np.zeros(len(terreinen), dtype=bool)
    if features is None or len(features) == 0:
        return hit
    idx, _ = features.sindex.query(terreinen.geometry.values, predicate="dwithin", distance=distance)
    hit[np.unique(idx)] = True
    return hit


def modalities(terreinen: gpd.GeoDataFrame, water_m: pd.Series, spoor: gpd.GeoDataFrame | None,
               opritten: gpd.GeoDataFrame | None, *, afstand: float, spoor_soorten: list[str]) -> pd.DataFrame:
    """Which of water, spoor and weg a terrein is served by, their count and a Dutch text."""
    if spoor is not None and spoor_soorten and "soort" in spoor:
        soort = spoor["soort"].astype("string").str.lower()
        spoor = spoor[soort.isna() | soort.isin([s.lower() for s in spoor_soorten])]
    flags = pd.DataFrame({
        "water": (water_m.to_numpy() > 0) | _bool(terreinen, "water_ontsluiting"),
        "spoor": near(terreinen, spoor, afstand) | _bool(terreinen, "spoor_ontsluiting"),
        "weg": near(terreinen, opritten, afstand),
    }, index=terreinen.index)
    text = pd.Series("", index=terreinen.index, dtype="object")
    for name in MODALITEITEN:
        text = text.where(~flags[name], text + np.where(text == "", "", ", ") + name)
    flags["aantal"] = flags[MODALITEITEN].sum(axis=1).astype(int)
    flags["modaliteiten"] = text.astype("string")
    return flags


def grid_value(terreinen: pd.DataFrame, values: dict[str, float]) -> pd.Series:
    """Weighted afname status shares: 1 = all groen, 0 = all rood/onbekend/not covered."""
    total = pd.Series(0.0, index=terreinen.index)
    for status, value in values.items():
        column = f"afname_aandeel_{status}"
        if column not in terreinen:
            log.warning("score: column %s missing; counted as share 0", column)
            continue
        total += pd.to_numeric(terreinen[column], errors="coerce").astype(float).fillna(0.0) * float(value)
    return total.clip(0.0, 1.0)


def _bool(frame: pd.DataFrame, column: str) -> np.ndarray:
    if column not in frame:
        return np.zeros(len(frame), dtype=bool)
    return frame[column].astype("boolean").fillna(False).to_numpy(dtype=bool)


def onbenut_ha(terreinen: pd.DataFrame, hmc: str) -> pd.Series:
    """Unused land (ha) without double counting: HMC used by non-HMC + max(HMC vacant, uitgeefbaar)."""
    vacant_or_issuable = np.maximum(number_column(terreinen, f"{hmc}_vacant"),
                                    number_column(terreinen, "ha_uitgeefbaar"))
    return number_column(terreinen, f"{hmc}_niet_hmc") + vacant_or_issuable


def number_column(frame: pd.DataFrame, column: str) -> pd.Series:
    if column not in frame:
        log.warning("score: column %s missing; counted as 0", column)
        return pd.Series(0.0, index=frame.index)
    values = pd.to_numeric(frame[column], errors="coerce").astype(float)
    if values.isna().any():
        log.info("score: %d terreinen without %s; counted as 0", int(values.isna().sum()), column)
    return values.fillna(0.0)


def hmc_column(hmc_vanaf: str) -> str:
    """`ha_hmc_41` for HMC >= 4.1, `ha_hmc_42`, `ha_hmc_51`: the indicator variant the settings name."""
    return "ha_hmc_" + hmc_vanaf.replace(".", "")


def raw_values(terreinen: gpd.GeoDataFrame, *, water_m: pd.Series, modal: pd.DataFrame, cluster_ha: pd.Series,
               grid: pd.Series, hmc: str = "ha_hmc_41") -> pd.DataFrame:
    """One raw value per criterion (columns in CRITERIA order), never NaN."""
    raw = pd.DataFrame({
        "water": water_m.astype(float),
        "milieuruimte": number_column(terreinen, hmc if hmc in terreinen else "ha_hmc_41"),
        "multimodaal": modal["aantal"].astype(float),
        "cluster": cluster_ha.astype(float),
        "omvang": bruto_ha(terreinen),
        "netcapaciteit": grid.astype(float),
        "onbenut": onbenut_ha(terreinen, hmc if hmc in terreinen else "ha_hmc_41"),
    }, index=terreinen.index)
    return raw[CRITERIA].fillna(0.0)


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
        "onbenut": score.sterk_onbenut_ha,
    })[CRITERIA].astype(float)


def strong(raw: np.ndarray, limits: np.ndarray) -> np.ndarray:
    """raw > 0 and raw >= threshold; broadcasts (n, C) against (C,) or (runs, 1, C) for the Monte Carlo."""
    return (raw > 0) & (raw >= limits)
