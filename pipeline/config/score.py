"""Settings of the strategic flag: criteria weights (or an AHP matrix), 'sterk' thresholds, the flag rule and
the Monte Carlo robustness check. Weights and the AHP matrix are checked here, when the file is loaded, so a bad
weight stops the run before ingest.
"""
from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from pipeline.categories import NET_STATUSSEN
from pipeline.config.base import Strict
from pipeline.config.weights import CRITERIA, ahp_weights, normalise_weights


class Score(Strict):
    gewichten: dict[str, float] = Field(
        default_factory=lambda: {"water": 0.30, "milieuruimte": 0.30, "multimodaal": 0.15, "cluster": 0.10,
                                 "omvang": 0.10, "netcapaciteit": 0.05},
        description=f"Weight per criterion {CRITERIA}; each >= 0, normalised to sum 1. Unused potential is no "
                    "criterion (it is the typology's second axis)")
    ahp_matrix: list[list[float]] | None = Field(
        None, description="Optional AHP pairwise matrix in the order of the criteria; replaces gewichten; "
                          "must be reciprocal with a consistency ratio below 0.1")
    sterk_water_m: float = Field(250.0, ge=0, description="'sterk' water: quay metres on a reachable class >= "
                                                          "analyse.kades.water_min_klasse")
    sterk_milieuruimte_ha: float = Field(10.0, ge=0, description="'sterk' milieuruimte: ha HMC-capable")
    sterk_multimodaal: int = Field(3, ge=1, le=3, description="'sterk' multimodal: number of modalities (water, rail, road)")
    sterk_cluster_ha: float = Field(200.0, ge=0, description="'sterk' cluster: total ha of the cluster")
    sterk_omvang_ha: float = Field(50.0, ge=0, description="'sterk' size: ha bruto")
    onderbenut_hmc_ha: float = Field(
        5.0, ge=0, description="Typology, second axis: HMC room (analyse.milieuruimte.hmc_vanaf) used by non-HMC "
                               "activities or vacant of at least this many ha (and onderbenut_aandeel) is onderbenut")
    onderbenut_kade_m: float = Field(
        100.0, ge=0, description="... quay metres onbenut or vrij of at least this (and onderbenut_aandeel); 100 m is "
                                 "about one berth for a CEMT class IV ship")
    onderbenut_uitgeefbaar_ha: float = Field(
        5.0, ge=0, description="... IBIS uitgeefbaar ha of at least this (and onderbenut_aandeel of ha netto)")
    onderbenut_aandeel: float = Field(
        0.25, gt=0, le=1, description="Relative threshold of onderbenut: the unused part is also at least this share "
                                      "of its capacity (HMC-capable ha, quay metres, ha netto)")
    min_sterk: int = Field(2, ge=1, description="k: flag when strong qualities >= k (and the sieve passed)")
    score_percentiel: float = Field(90.0, gt=0, lt=100, description="... or when the score >= this percentile")
    monte_carlo_runs: int = Field(1000, ge=1, description="Perturbation runs for flag_stabiliteit")
    monte_carlo_seed: int = Field(42)
    gewicht_variatie: float = Field(0.20, ge=0, lt=1, description="Relative weight perturbation (uniform +-)")
    drempel_variatie: float = Field(0.10, ge=0, lt=1, description="Relative perturbation of the 'sterk' thresholds")
    grensgeval_onder: float = Field(0.8, gt=0, le=1, description="flag_stabiliteit below this = grensgeval")
    normalisatie: Literal["minmax", "rang"] = Field(
        "minmax", description="Scale of each criterion to 0..1: minmax = (x - min) / (max - min); "
                              "rang = (rank - 1) / (n - 1) with ties at their lowest rank; all values equal -> 0")
    netcapaciteit_waarden: dict[str, float] = Field(
        default_factory=lambda: {"groen": 1.0, "geel": 0.5, "oranje": 0.25, "rood": 0.0, "onbekend": 0.0},
        description=f"Grid criterion = sum over statuses {NET_STATUSSEN} of afname_aandeel_{{status}} x this value (0..1)")
    sterk_netcapaciteit: float = Field(0.75, ge=0, le=1, description="'sterk' grid: grid value (0..1) at least this")

    @field_validator("gewichten")
    @classmethod
    def _weights(cls, value: dict[str, float]) -> dict[str, float]:
        normalise_weights(value)
        return value

    @field_validator("ahp_matrix")
    @classmethod
    def _ahp(cls, value: list[list[float]] | None) -> list[list[float]] | None:
        if value is not None:
            ahp_weights(value)
        return value

    @field_validator("netcapaciteit_waarden")
    @classmethod
    def _grid(cls, value: dict[str, float]) -> dict[str, float]:
        if set(value) != set(NET_STATUSSEN):
            raise ValueError(f"expected one value for each status {NET_STATUSSEN}, got keys {sorted(value)}")
        bad = {k: v for k, v in value.items() if not 0 <= v <= 1}
        if bad:
            raise ValueError(f"values must lie in 0..1, got {bad}")
        return value
