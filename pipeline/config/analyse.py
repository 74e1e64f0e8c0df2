"""Settings of the analyses (domain.md, section "Analyses", gives the numbers and their sources)."""
from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator, model_validator

from pipeline.categories import CEMT_KLASSEN, MILIEUCATEGORIEEN
from pipeline.config.base import Strict, check_category

class Raster(Strict):
    name: str = Field(description="Indicator name used as column prefix, e.g. 'geluid'")
    path: Path = Field(description="GeoTIFF file")
    band: int = Field(1, ge=1)

VNG_RUSTIG = {"1": 10, "2": 30, "3.1": 50, "3.2": 100, "4.1": 200, "4.2": 300,
              "5.1": 500, "5.2": 700, "5.3": 1000, "6": 1500}
VNG_GEMENGD = {"1": 0, "2": 10, "3.1": 30, "3.2": 50, "4.1": 100, "4.2": 200,
               "5.1": 300, "5.2": 500, "5.3": 700, "6": 1000}
# BAG 2.0 gebruiksdoelen of a verblijfsobject
BAG_GEBRUIKSDOELEN = ["woonfunctie", "bijeenkomstfunctie", "celfunctie", "gezondheidszorgfunctie",
                      "industriefunctie", "kantoorfunctie", "logiesfunctie", "onderwijsfunctie", "sportfunctie",
                      "winkelfunctie", "overige gebruiksfunctie"]


class Milieuruimte(Strict):
    richtafstanden_rustig: dict[str, float] = Field(
        default_factory=lambda: dict(VNG_RUSTIG),
        description="VNG 2009 richtafstand (m) per category, rustige woonwijk / rustig buitengebied; the values for "
                    "5.2, 5.3 and 6 (700/1000/1500 m) are not yet confirmed from a published source (onbevestigd)")
    richtafstanden_gemengd: dict[str, float] = Field(
        default_factory=lambda: dict(VNG_GEMENGD),
        description="VNG 2009 richtafstand (m), gemengd gebied (one step lower); the values for 5.2, 5.3 and 6 "
                    "(500/700/1000 m) follow from the unconfirmed rustig values (onbevestigd)")
    standaard_omgevingstype: Literal["rustige woonwijk", "gemengd gebied"] = Field(
        "rustige woonwijk", description="Omgevingstype where no omgevingstypen layer says otherwise")
    gevoelige_gebruiksdoelen: list[str] = Field(
        default_factory=lambda: ["woonfunctie", "onderwijsfunctie", "gezondheidszorgfunctie"],
        description="BAG gebruiksdoelen that make a verblijfsobject a gevoelig object")
    bedrijfswoningen_meetellen: bool = Field(
        False, description="Count dwellings on the terreinen themselves (bedrijfswoningen) as gevoelig")
    hmc_vanaf: str = Field("4.1", description="Lowest category that counts as HMC")
    hmc_varianten: list[str] = Field(default_factory=lambda: ["4.1", "4.2", "5.1"],
                                     description="HMC thresholds every HMC figure is also reported for")
    sbi_tabel: Path | None = Field(
        None, description="A municipality's Staat van Bedrijfsactiviteiten (CSV, ',' or ';'): columns SBI (sbi, "
                          "sbi_code, sbi2008), omschrijving and categorie (or cat_min and cat_max), optional bron; it "
                          "wins over the built-in VNG 2009 table (pipeline/analyse/sbi.py). None = the built-in table")
    sbi_tabel_aanvullen: bool = Field(
        True, description="SBI codes the municipal sbi_tabel has no row for are looked up in the built-in table "
                          "(false: they stay unknown)")
    lage_categorie_max: str = Field(
        "2", description="Highest category that counts as a 'lage categorie' occupying bedrijventerrein land in the "
                         "register of vestigingen (IPO: on bedrijventerreinen in principle only 3.1 or higher)")
    contour_categorieen: list[str] = Field(default_factory=lambda: ["3.2", "4.1", "4.2", "5.1"],
                                           description="Categories to draw 'fits here' contours for")
    contour_resolutie_m: float = Field(
        10.0, gt=0, le=100,
        description="Cell size (m) of the raster the contours are computed on; the contours are indicatief: "
                    "their edges are accurate to about this size (the outer edge follows the terrein exactly)")

    @field_validator("hmc_vanaf", "hmc_varianten", "contour_categorieen", "lage_categorie_max")
    @classmethod
    def _cats(cls, value: str | list[str]) -> str | list[str]:
        return check_category(value) if isinstance(value, str) else [check_category(v) for v in value]

    @field_validator("richtafstanden_rustig", "richtafstanden_gemengd")
    @classmethod
    def _table(cls, table: dict[str, float]) -> dict[str, float]:
        if set(table) != set(MILIEUCATEGORIEEN):
            raise ValueError(f"expected one distance for each of {MILIEUCATEGORIEEN}, got keys {sorted(table)}")
        distances = [table[c] for c in MILIEUCATEGORIEEN]
        if any(d < 0 for d in distances):
            raise ValueError(f"distances must not be negative, got {distances}")
        if any(b < a for a, b in zip(distances, distances[1:])):
            raise ValueError(f"distances must not decrease with the category, got {distances}")
        return table

    @field_validator("gevoelige_gebruiksdoelen")
    @classmethod
    def _doelen(cls, value: list[str]) -> list[str]:
        bad = [v for v in value if v.strip().lower() not in BAG_GEBRUIKSDOELEN]
        if bad:
            raise ValueError(f"expected BAG gebruiksdoelen, one of {BAG_GEBRUIKSDOELEN}, got {bad}")
        return value

    @model_validator(mode="after")
    def _hmc_reported(self) -> "Milieuruimte":
        if self.hmc_vanaf not in self.hmc_varianten:
            raise ValueError(f"hmc_vanaf {self.hmc_vanaf!r} must be one of hmc_varianten {self.hmc_varianten} "
                             "(its figures are what the score reads)")
        return self

    @property
    def grootste_richtafstand(self) -> float:
        """The largest richtafstand of either table: how far any gevoelig object can matter (halo of reads)."""
        return float(max(*self.richtafstanden_rustig.values(), *self.richtafstanden_gemengd.values()))


class Kades(Strict):
    tolerantie_m: float = Field(25.0, gt=0, description="Max distance quay segment - kavel")
    bgt_types: dict[str, Literal["hoog", "middel", "laag"]] = Field(
        default_factory=lambda: {"kademuur": "hoog", "damwand": "middel", "keermuur": "middel"},
        description="BGT types that count as quay, with their confidence; walbescherming excluded by default")
    vaarweg_zoekafstand_m: float = Field(200.0, gt=0, description="Max distance quay - fairway section")
    water_min_klasse: str = Field("IV", description="Quay metres count for the 'water' quality on a reachable class >= this")
    netwerk_snap_m: float = Field(1.0, ge=0, description="Fairway end points closer than this are one node")
    hoofdnet_min_klasse: str = Field("Va", description="Main network: largest connected group of sections with at least this class")
    hoofdnet_vaarwegen: list[str] = Field(default_factory=list,
                                          description="Names of the main waterways (overrides the automatic main network)")
    watergebonden_sbi: list[str] = Field(
        default_factory=lambda: ["50.4", "52.24", "46.71", "46.72", "46.73", "46.74", "46.75", "46.76", "46.77",
                                 "38", "23.5", "23.6", "24", "20.1", "10.6", "08.1"],
        description="SBI code prefixes of water-bound activities")

    @field_validator("hoofdnet_min_klasse", "water_min_klasse")
    @classmethod
    def _cemt(cls, v: str) -> str:
        if v not in CEMT_KLASSEN:
            raise ValueError(f"expected a CEMT class, one of {CEMT_KLASSEN}, got {v!r}")
        return v

class Bebouwing(Strict):
    standaard_max_bebouwingspercentage: float = Field(80.0, ge=0, le=100,
                                                      description="Assumed max % where the zoning says nothing")
    max_bebouwingspercentage_per_type: dict[str, float] = Field(
        default_factory=dict, description="Assumed max % per IBIS WLOC_TYPE (overrides the default)")
    onderbenut_gsi: float = Field(0.30, ge=0, le=1, description="GSI below which a kavel is under-used")
    onderbenut_min_ha: float = Field(0.5, ge=0, description="Only kavels at least this large count as under-used")

    @field_validator("max_bebouwingspercentage_per_type")
    @classmethod
    def _percentages(cls, value: dict[str, float]) -> dict[str, float]:
        bad = {k: v for k, v in value.items() if not 0 <= v <= 100}
        if bad:
            raise ValueError(f"percentages must lie in 0..100, got {bad}")
        return value


class Ontsluiting(Strict):
    afstand_m: float = Field(1000.0, gt=0, description="A rail siding / motorway ramp serves a terrein within this distance")
    spoor_soorten: list[str] = Field(
        default_factory=lambda: ["raccordement", "emplacement"],
        description="Kinds of spoor that give rail access (tracks of unknown kind count too); empty = every track")


class Clusters(Strict):
    afstand_m: float = Field(500.0, ge=0, description="Terreinen within this distance of each other form a cluster")


class Analyse(Strict):
    milieuruimte: Milieuruimte = Field(default_factory=Milieuruimte)
    kades: Kades = Field(default_factory=Kades)
    bebouwing: Bebouwing = Field(default_factory=Bebouwing)
    ontsluiting: Ontsluiting = Field(default_factory=Ontsluiting)
    clusters: Clusters = Field(default_factory=Clusters)
    rasters: list[Raster] = Field(default_factory=list, description="Optional GeoTIFF indicators (zonal mean/max)")
    meettolerantie_m: float = Field(
        0.01, ge=0, le=1,
        description="Coordinate noise (m) the results must not depend on: a distance within this of a richtafstand or "
                    "search distance counts as reaching it; kavels (for a quay, a vestiging, a dwelling) and fairways "
                    "nearer than this to being equally near are ties, decided by a fixed rule")
    kavel_clip_tolerantie_m: float = Field(
        0.01, ge=0, le=10,
        description="Used by ingest: a kavel lying within this distance (m) of its terrein contour is kept as it is; only "
                    "kavels sticking out further are clipped to the terrein (counted in ingest_kwaliteit)")
    zonering_min_aandeel: float = Field(
        0.1, ge=0, le=1,
        description="A zoning plot (max category, max bebouwingspercentage) applies to a kavel only when its largest "
                    "overlap covers at least this share of the kavel (ignores slivers of misaligned sources)")
