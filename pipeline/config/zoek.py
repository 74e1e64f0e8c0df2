"""Settings of the two questions asked of a finished run: `pipeline zoek` (where can this company go?) and
`pipeline vergelijk` (what changed between two runs). Neither is a stage: they read a run's processed outputs.
"""
from __future__ import annotations

from pydantic import Field, field_validator

from pipeline.categories import CEMT_KLASSEN, NET_STATUSSEN
from pipeline.config.base import Strict


class Zoek(Strict):
    spoor_afstand_m: float | None = Field(
        None, gt=0, description="A candidate fits a company that needs rail when a track of "
                                "analyse.ontsluiting.spoor_soorten lies within this distance (m) of one of its kavels; "
                                "None = analyse.ontsluiting.afstand_m")
    oprit_afstand_m: float | None = Field(
        None, gt=0, description="A candidate fits a company that needs the motorway when a ramp lies within this "
                                "distance (m) of one of its kavels; None = analyse.ontsluiting.afstand_m")
    cemt_standaard: str | None = Field(
        None, description="CEMT class a water-bound company needs when none is given (--watergebonden without "
                          "--cemt, or an SBI code in analyse.kades.watergebonden_sbi); None = "
                          "analyse.kades.water_min_klasse")
    kade_min_m: float = Field(
        50.0, ge=0, description="Quay metres a water-bound company needs at least: quays on a reachable class >= the "
                                "one asked that no water-bound company uses (status vrij, onbenut or onbekend)")
    net_passend: list[str] = Field(
        default_factory=lambda: ["groen", "geel"],
        description=f"Grid statuses (capaciteitskaart, of {NET_STATUSSEN}) that count as fitting for a company "
                    "that asks MW afname or invoeding")
    net_min_aandeel: float = Field(
        0.5, gt=0, le=1, description="Share of a candidate's area that must lie in a fitting grid status")
    aangrenzend_m: float = Field(
        1.0, ge=0, le=50, description="Kavels of one terrein this close to each other (m) are adjacent: a company "
                                      "can use them together")
    aangrenzend_min_grens_m: float = Field(
        10.0, ge=0, description="... and share at least this much boundary (m): plots that touch only at a corner are "
                               "no site together")
    max_kavels: int = Field(8, ge=1, le=50, description="Most kavels one candidate group may consist of")
    max_overmaat: float = Field(
        0.5, ge=0, description="A candidate larger than (1 + this) x the ha asked counts as 'ruim groter dan nodig' "
                               "and ranks after candidates that fit more tightly")
    aantal: int = Field(20, ge=1, le=500, description="Candidates listed (the fitting ones, then the near misses)")

    @field_validator("cemt_standaard")
    @classmethod
    def _cemt(cls, v: str | None) -> str | None:
        if v is not None and v not in CEMT_KLASSEN:
            raise ValueError(f"expected a CEMT class, one of {CEMT_KLASSEN}, got {v!r}")
        return v

    @field_validator("net_passend")
    @classmethod
    def _statuses(cls, value: list[str]) -> list[str]:
        bad = [v for v in value if v not in NET_STATUSSEN]
        if bad:
            raise ValueError(f"expected grid statuses, of {NET_STATUSSEN}, got {bad}")
        return value


class Vergelijk(Strict):
    krimp_min_ha: float = Field(
        0.1, ge=0, description="A terrein 'gekrompen' when its contour lost, or its IBIS bruto ha fell by, at least "
                               "this many ha between the two runs")
