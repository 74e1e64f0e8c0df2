"""Stage `score`: flag the terreinen of bovenmatig strategisch belang, transparently and with a robustness check.

Settings: `score` (pipeline/config/score.py: weights or AHP matrix, 'sterk' thresholds, flag rule, Monte Carlo,
the onderbenut thresholds of the typology), `analyse.milieuruimte.hmc_vanaf` (which HMC variant counts as
milieuruimte). Regions: pipeline/regios.py (package table gemeente -> regio).
Input: `<processed>/terreinen_indicatoren.parquet` (checked against the catalogue: every quality the score reads is
an indicator column written by analyse; score does no spatial work).
Output: `<processed>/terreinen_strategisch.parquet`: every input column plus the score columns of the catalogue
(pipeline/catalogue/results.py).

Steps: raw value per criterion (qualities and supporting criteria only; unused room is no criterion) -> normalise ->
'sterk' -> sieve -> weighted score -> flag (sieve AND (aantal_sterk >= k OR score >= percentile)) -> Monte Carlo
stability -> rank -> rank of each raw value in the region and the province -> explanation -> benutting (second
axis) and the typology with its policy action.
Each step is one module of this package; see their docstrings for the definitions.
"""
from __future__ import annotations

import logging
import time

import geopandas as gpd
import numpy as np
import pandas as pd

from pipeline import catalogue, workspace
from pipeline.config import CRITERIA
from pipeline.config.weights import resolve_weights
from pipeline.crs import assert_working_crs
from pipeline.regios import add_gemeente_regio
from pipeline.score import explain, flag, qualities, rangen, sieve, stability, typologie

log = logging.getLogger(__name__)

OUTPUT = "terreinen_strategisch"


def score_terreinen(terreinen: gpd.GeoDataFrame, config) -> tuple[gpd.GeoDataFrame, dict]:
    """The whole score on the indicator table: the result frame and a summary. Pure: no files."""
    s = config.score
    assert_working_crs(terreinen, "terreinen_indicatoren")
    t = add_gemeente_regio(terreinen.reset_index(drop=True))
    w, bron, cr = resolve_weights(s)

    raw = qualities.raw_values(t, hmc_vanaf=config.analyse.milieuruimte.hmc_vanaf,
                               netcapaciteit_waarden=s.netcapaciteit_waarden)
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

    result = pd.concat([t, cols, aantal.to_frame(), zeef, vlag], axis=1)
    result["flag_stabiliteit"] = stab
    result["grensgeval"] = grens
    rang = rangen.ranks(raw, t["regio"])
    result = pd.concat([result, flag.rank(result["score"]), rang], axis=1)
    result["rang_kwaliteiten"] = rangen.rank_text(raw, rang, t["regio"])
    result["waarom"] = explain.reasons(result, min_sterk=s.min_sterk, percentiel=s.score_percentiel, cut=cut)
    ben, reden = typologie.benutting(result, s, qualities.hmc_column(config.analyse.milieuruimte.hmc_vanaf))
    result = pd.concat([result, ben, typologie.typologie(result["vlag"], result["grensgeval"], ben, reden)], axis=1)
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
        **{f"type {typ}": int((result["typologie"] == typ).sum()) for typ in typologie.TYPES},
        f"score-drempel (P{s.score_percentiel:g})": cut,
        "gewichten": "score.gewichten" if cr is None else f"AHP-matrix (CR {cr:.3f})",
        "Monte Carlo runs": s.monte_carlo_runs,
        "Monte Carlo (s)": mc_seconds,
    }
    return result, summary


def run(config) -> dict:
    """Read the analyse output, score, write terreinen_strategisch.parquet; return the summary."""
    processed = config.paths.processed
    terreinen = catalogue.read("terreinen_indicatoren", processed, config.analyse)
    result, summary = score_terreinen(terreinen, config)
    with workspace.output_set("score", [processed]) as out:  # one file, but killed runs leave no half of it
        catalogue.write(result, OUTPUT, out.folder(processed), config.analyse)
    path = catalogue.path(OUTPUT, processed)
    log.info("score: wrote %s (%d terreinen, %d flagged)", path.name, len(result), int(result["vlag"].sum()))
    summary["uitvoer"] = str(path)
    return summary
