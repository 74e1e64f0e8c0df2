"""Stage `score`: flag the terreinen of bovenmatig strategisch belang, transparently and with a robustness check.

Settings: `score` (pipeline/config.py: weights or AHP matrix, 'sterk' thresholds, sieve/flag rule, Monte
Carlo), `analyse.milieuruimte.hmc_vanaf` (which HMC variant counts as milieuruimte).
Inputs (`<processed>/`): terreinen_indicatoren.parquet, kades_status.parquet; optional canonical
spoor.parquet and opritten.parquet (absent = that modality is not known, only IBIS fields count).
Output: `<processed>/terreinen_strategisch.parquet` — every input column plus the columns of
docs/contract.md (score section).

Steps: qualities (raw per criterion) -> clusters -> normalise -> 'sterk' -> sieve -> weighted score ->
flag (sieve AND (aantal_sterk >= k OR score >= percentile)) -> Monte Carlo stability -> rank -> explanation.
Each step is one module of this package; see their docstrings for the definitions.
"""
from __future__ import annotations

import logging
import time

import geopandas as gpd
import numpy as np
import pandas as pd

from pipeline.config import CRITERIA
from pipeline.crs import assert_working_crs
from pipeline.io import read_parquet, write_parquet
from pipeline.score import clusters, explain, flag, qualities, sieve, stability, weights

log = logging.getLogger(__name__)

REQUIRED = ["rin_nummer", "ha_bruto"]
OUTPUT = "terreinen_strategisch.parquet"


def _optional_layer(processed, name: str) -> gpd.GeoDataFrame | None:
    path = processed / f"{name}.parquet"
    if not path.is_file():
        log.warning("score: %s not found; modality '%s' only from IBIS fields (or unknown)", path.name, name)
        return None
    return read_parquet(path, what=name)


def score_terreinen(terreinen: gpd.GeoDataFrame, kades: pd.DataFrame | None, config, *,
                    spoor: gpd.GeoDataFrame | None = None,
                    opritten: gpd.GeoDataFrame | None = None) -> tuple[gpd.GeoDataFrame, dict]:
    """The whole score on in-memory frames: the result frame and a summary. Pure: no files."""
    s = config.score
    missing = [c for c in REQUIRED if c not in terreinen]
    if missing:
        raise ValueError(f"terreinen_indicatoren: missing columns {missing}; run the analyse stage again")
    assert_working_crs(terreinen, "terreinen_indicatoren")
    t = terreinen.reset_index(drop=True)
    w, bron, cr = weights.resolve_weights(s)

    water = qualities.water_quay(t, kades, min_klasse=s.water_min_klasse)
    modal = qualities.modalities(t, water["water_m"], spoor, opritten, afstand=s.infra_afstand_m,
                                 spoor_soorten=s.spoor_soorten)
    hmc = qualities.hmc_column(config.analyse.milieuruimte.hmc_vanaf)
    if hmc not in t:
        log.warning("score: column %s missing; milieuruimte uses ha_hmc_41", hmc)
        hmc = "ha_hmc_41"
    ha = qualities.bruto_ha(t)
    hmc_ha = qualities.number_column(t, hmc)
    clus = clusters.find_clusters(t, s.cluster_afstand_m, ha=ha, hmc_ha=hmc_ha, water=water["water_m"] > 0)
    cluster_value = clus["cluster_ha"].where(clus["cluster_aantal"] > 1, 0.0)
    grid = qualities.grid_value(t, s.netcapaciteit_waarden)
    raw = qualities.raw_values(t, water_m=water["water_m"], modal=modal, cluster_ha=cluster_value, grid=grid,
                               hmc=hmc)
    norm = qualities.normalise(raw, s.normalisatie)
    limits = qualities.thresholds(s)
    sterk = pd.DataFrame(qualities.strong(raw.to_numpy(float), limits.to_numpy(float)),
                         index=t.index, columns=CRITERIA)

    cols = explain.criterion_columns(raw, norm, w, sterk)
    zeef = sieve.apply_sieve(sterk)
    aantal = sterk.sum(axis=1).astype(np.int64).rename("aantal_sterk")
    vlag, cut = flag.flag(zeef["zeef"], aantal, cols["score"], min_sterk=s.min_sterk,
                          percentiel=s.score_percentiel)

    started = time.perf_counter()
    stab = stability.flag_stability(
        raw.to_numpy(float), norm.to_numpy(float), w.to_numpy(float), limits.to_numpy(float),
        criteria=CRITERIA, perturb=~limits.index.isin(qualities.NOT_PERTURBED), runs=s.monte_carlo_runs,
        seed=s.monte_carlo_seed, gewicht_variatie=s.gewicht_variatie, drempel_variatie=s.drempel_variatie,
        min_sterk=s.min_sterk, percentiel=s.score_percentiel)
    mc_seconds = time.perf_counter() - started
    grens = stability.borderline(vlag["vlag"].to_numpy(bool), stab, s.grensgeval_onder)

    added = [cols.drop(columns="score"), modal[["modaliteiten"]], clus, aantal.to_frame(), zeef, cols[["score"]],
             vlag]
    clash = [c for part in added for c in part.columns if c in t.columns]
    if clash:
        log.warning("score: input columns %s are replaced by the score's own", clash)
    result = pd.concat([t.drop(columns=clash), *added], axis=1)
    result["flag_stabiliteit"] = stab
    result["grensgeval"] = grens
    result = pd.concat([result, flag.rank(result["score"])], axis=1)
    result["beschermen_en_benutten"] = explain.protect_and_use(result["vlag"], result["onbenut_sterk"])
    result["waarom"] = explain.reasons(result.assign(water_klasse=water["water_klasse"]), min_sterk=s.min_sterk,
                                       percentiel=s.score_percentiel, cut=cut)
    result = gpd.GeoDataFrame(result, geometry=t.geometry.name, crs=t.crs)

    takken = result["vlag_tak"].value_counts()
    summary = {
        "terreinen": len(result),
        "zeef gehaald": int(result["zeef"].sum()),
        "vlag (strategisch)": int(result["vlag"].sum()),
        "  tak sterk": int(takken.get("sterk", 0)),
        "  tak score": int(takken.get("score", 0)),
        "  tak beide": int(takken.get("beide", 0)),
        "grensgeval": int(result["grensgeval"].sum()),
        "beschermen en benutten": int(result["beschermen_en_benutten"].sum()),
        f"score-drempel (P{s.score_percentiel:g})": cut,
        "gewichten": "score.gewichten" if cr is None else f"AHP-matrix (CR {cr:.3f})",
        "clusters (>1 terrein)": int((clus.drop_duplicates("cluster_id")["cluster_aantal"] > 1).sum()),
        "Monte Carlo runs": s.monte_carlo_runs,
        "Monte Carlo (s)": mc_seconds,
    }
    return result, summary


def run(config) -> dict:
    """Read the analyse outputs, score, write terreinen_strategisch.parquet; return the summary."""
    processed = config.paths.processed
    terreinen = read_parquet(processed / "terreinen_indicatoren.parquet", what="terreinen_indicatoren")
    kades = read_parquet(processed / "kades_status.parquet", what="kades_status")
    spoor = _optional_layer(processed, "spoor")
    opritten = _optional_layer(processed, "opritten")
    result, summary = score_terreinen(terreinen, kades, config, spoor=spoor, opritten=opritten)
    write_parquet(result, processed / OUTPUT)
    log.info("score: wrote %s (%d terreinen, %d flagged)", OUTPUT, len(result), int(result["vlag"].sum()))
    summary["uitvoer"] = str(processed / OUTPUT)
    return summary
