"""Every setting of the pipeline, with its type, default and meaning (domain.md gives the numbers).

A run reads one YAML file (default `config/demo.yaml`) into `Config`. Relative paths are resolved
against the repository root (the folder holding `config/`), so `make all` works from anywhere.
Errors list every problem at once, each naming its key and what was expected.
"""
from __future__ import annotations

from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from pipeline.categories import CEMT_KLASSEN, MILIEUCATEGORIEEN

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONFIG = REPO_ROOT / "config" / "demo.yaml"


class ConfigError(ValueError):
    """A configuration file that cannot be used; the message names the file and every bad key."""


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_default=True)


def _check_category(value: str | None) -> str | None:
    if value is not None and str(value) not in MILIEUCATEGORIEEN:
        raise ValueError(f"expected a milieucategorie, one of {MILIEUCATEGORIEEN}, got {value!r}")
    return None if value is None else str(value)


# ---------------------------------------------------------------------------------------------
# Sources
# ---------------------------------------------------------------------------------------------
class Source(Strict):
    """Where one source is read from: a local file (path) and/or where `fetch` downloads it (url)."""
    path: Path | None = Field(None, description="Local file (GeoPackage, GeoJSON, Shapefile, GML, GeoParquet, JSON)")
    layer: str | None = Field(None, description="Layer name inside the file (GeoPackage); None = the only/first layer")
    format: Literal["auto", "gpkg", "geojson", "shp", "gml", "parquet", "json"] = Field(
        "auto", description="File format; auto = from the file extension")
    fields: dict[str, str] = Field(
        default_factory=dict,
        description="Field-name overrides: canonical name -> name in this file (beats the alias table)")
    crs: str | None = Field(None, description="CRS to assume when the file declares none (else such a file is refused)")
    url: str | None = Field(None, description="Download endpoint used by `pipeline fetch`")
    kind: str | None = Field(None, description="Kind of endpoint for fetch: arcgis, ogcapi, file, capaciteitskaart")
    params: dict[str, str | int | float] = Field(default_factory=dict, description="Extra query parameters for fetch")


class Sources(Strict):
    terreinen: Source = Field(description="IBIS bedrijventerreinen (required)")
    kavels: Source | None = Field(None, description="Kavel (plot) layer; none = each terrein is one kavel")
    panden: Source = Field(description="BAG panden")
    verblijfsobjecten: Source = Field(description="BAG verblijfsobjecten")
    kades: Source = Field(description="BGT scheiding (kademuur, damwand, walbescherming)")
    kunstwerkdelen: Source | None = Field(None, description="BGT kunstwerkdeel (keermuur)")
    vaarwegen: Source = Field(description="Fairway sections with CEMT class")
    milieuzones: Source = Field(description="Zoning plots with 'bedrijf tot en met categorie X'")
    geluidzones: Source | None = Field(None, description="Geluidzones of gezoneerde industrieterreinen")
    netcapaciteit: Source = Field(description="Capaciteitskaart polygons (feature-service fields) or im-capaciteitskaart JSON")
    netcapaciteit_postcodes: Source | None = Field(
        None, description="PC6 polygons to place an im-capaciteitskaart JSON (which has no geometry)")
    vestigingen: Source | None = Field(None, description="Vestigingen with SBI code (optional)")
    spoor: Source | None = Field(None, description="Rail tracks and sidings (optional)")
    opritten: Source | None = Field(None, description="Motorway ramps / aansluitingen (optional)")
    omgevingstypen: Source | None = Field(None, description="Omgevingstype areas (optional)")


class Raster(Strict):
    name: str = Field(description="Indicator name used as column prefix, e.g. 'geluid'")
    path: Path = Field(description="GeoTIFF file")
    band: int = Field(1, ge=1)


class Paths(Strict):
    raw: Path = Field(Path("data/raw"), description="Folder of downloaded / generated source files")
    processed: Path = Field(Path("data/processed"), description="Folder of canonical layers and results")
    maps: Path = Field(Path("maps"), description="Folder of HTML maps and the report")


class Demo(Strict):
    seed: int = Field(20261122, description="Random seed of the synthetic region")
    scale: float = Field(0.05, gt=0, le=2,
                         description="1.0 = province size (650 terreinen); default 0.05 = about 30 terreinen")


class Region(Strict):
    name: str = Field("Noord-Brabant", description="Province / region name used in titles and filters")
    bbox: tuple[float, float, float, float] | None = Field(
        None, description="Extent in EPSG:28992 (xmin, ymin, xmax, ymax) for fetch requests")
    gemeente_codes: list[str] = Field(default_factory=list, description="Restrict to these GM codes (empty = all)")


# ---------------------------------------------------------------------------------------------
# Analyses
# ---------------------------------------------------------------------------------------------
VNG_RUSTIG = {"1": 10, "2": 30, "3.1": 50, "3.2": 100, "4.1": 200, "4.2": 300,
              "5.1": 500, "5.2": 700, "5.3": 1000, "6": 1500}
VNG_GEMENGD = {"1": 0, "2": 10, "3.1": 30, "3.2": 50, "4.1": 100, "4.2": 200,
               "5.1": 300, "5.2": 500, "5.3": 700, "6": 1000}


class Milieuruimte(Strict):
    richtafstanden_rustig: dict[str, float] = Field(
        default_factory=lambda: dict(VNG_RUSTIG),
        description="VNG 2009 richtafstand (m) per category, rustige woonwijk / rustig buitengebied")
    richtafstanden_gemengd: dict[str, float] = Field(
        default_factory=lambda: dict(VNG_GEMENGD), description="VNG 2009 richtafstand (m), gemengd gebied")
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
    sbi_tabel: Path | None = Field(None, description="CSV sbi_code,cat_min,cat_max; None = the table shipped in the package")
    contour_categorieen: list[str] = Field(default_factory=lambda: ["3.2", "4.1", "4.2", "5.1"],
                                           description="Categories to draw 'fits here' contours for")
    contour_resolutie_m: float = Field(
        10.0, gt=0, le=100,
        description="Cell size (m) of the raster the contours are computed on; the contours are indicatief: "
                    "their edges are accurate to about this size (the outer edge follows the terrein exactly)")

    @field_validator("hmc_vanaf", "hmc_varianten", "contour_categorieen")
    @classmethod
    def _cats(cls, value: str | list[str]) -> str | list[str]:
        return _check_category(value) if isinstance(value, str) else [_check_category(v) for v in value]

    @field_validator("richtafstanden_rustig", "richtafstanden_gemengd")
    @classmethod
    def _table(cls, table: dict[str, float]) -> dict[str, float]:
        if set(table) != set(MILIEUCATEGORIEEN):
            raise ValueError(f"expected one distance for each of {MILIEUCATEGORIEEN}, got keys {sorted(table)}")
        distances = [table[c] for c in MILIEUCATEGORIEEN]
        if any(b < a for a, b in zip(distances, distances[1:])):
            raise ValueError(f"distances must not decrease with the category, got {distances}")
        return table


class Kades(Strict):
    tolerantie_m: float = Field(25.0, gt=0, description="Max distance quay segment - kavel")
    bgt_types: dict[str, Literal["hoog", "middel", "laag"]] = Field(
        default_factory=lambda: {"kademuur": "hoog", "damwand": "middel", "keermuur": "middel"},
        description="BGT types that count as quay, with their confidence; walbescherming excluded by default")
    vaarweg_zoekafstand_m: float = Field(200.0, gt=0, description="Max distance quay - fairway section")
    netwerk_snap_m: float = Field(1.0, ge=0, description="Fairway end points closer than this are one node")
    hoofdnet_min_klasse: str = Field("Va", description="Main network: largest connected group of sections with at least this class")
    hoofdnet_vaarwegen: list[str] = Field(default_factory=list,
                                          description="Names of the main waterways (overrides the automatic main network)")
    watergebonden_sbi: list[str] = Field(
        default_factory=lambda: ["50.4", "52.24", "46.71", "46.72", "46.73", "46.74", "46.75", "46.76", "46.77",
                                 "38", "23.5", "23.6", "24", "20.1", "10.6", "08.1"],
        description="SBI code prefixes of water-bound activities")

    @field_validator("hoofdnet_min_klasse")
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


class Netcapaciteit(Strict):
    statussen: list[str] = Field(default_factory=lambda: ["groen", "geel", "oranje", "rood", "onbekend"],
                                 description="Status vocabulary, best to worst (onbekend last)")


class Analyse(Strict):
    milieuruimte: Milieuruimte = Field(default_factory=Milieuruimte)
    kades: Kades = Field(default_factory=Kades)
    bebouwing: Bebouwing = Field(default_factory=Bebouwing)
    netcapaciteit: Netcapaciteit = Field(default_factory=Netcapaciteit)
    rasters: list[Raster] = Field(default_factory=list, description="Optional GeoTIFF indicators (zonal mean/max)")
    zonering_min_aandeel: float = Field(
        0.1, ge=0, le=1,
        description="A zoning plot (max category, max bebouwingspercentage) applies to a kavel only when its largest "
                    "overlap covers at least this share of the kavel (ignores slivers of misaligned sources)")


# ---------------------------------------------------------------------------------------------
# Strategic flag
# ---------------------------------------------------------------------------------------------
CRITERIA = ["water", "milieuruimte", "multimodaal", "cluster", "omvang", "netcapaciteit", "onbenut"]


class Score(Strict):
    gewichten: dict[str, float] = Field(
        default_factory=lambda: {"water": 0.25, "milieuruimte": 0.25, "multimodaal": 0.15, "cluster": 0.10,
                                 "omvang": 0.10, "netcapaciteit": 0.05, "onbenut": 0.10},
        description=f"Weight per criterion {CRITERIA}; normalised to sum 1")
    ahp_matrix: list[list[float]] | None = Field(
        None, description="Optional AHP pairwise matrix in the order of CRITERIA; replaces gewichten")
    water_min_klasse: str = Field("IV", description="Quay metres count for 'water' on a reachable class >= this")
    sterk_water_m: float = Field(250.0, ge=0, description="'sterk' water: quay metres on a reachable class >= IV")
    sterk_milieuruimte_ha: float = Field(10.0, ge=0, description="'sterk' milieuruimte: ha HMC-capable")
    sterk_multimodaal: int = Field(3, ge=1, le=3, description="'sterk' multimodal: number of modalities (water, rail, road)")
    sterk_cluster_ha: float = Field(200.0, ge=0, description="'sterk' cluster: total ha of the cluster")
    sterk_omvang_ha: float = Field(50.0, ge=0, description="'sterk' size: ha bruto")
    sterk_onbenut_ha: float = Field(5.0, ge=0, description="'sterk' unused potential: ha HMC used by non-HMC + max(HMC vacant, uitgeefbaar)")
    infra_afstand_m: float = Field(1000.0, gt=0, description="Rail siding / motorway ramp counts within this distance")
    cluster_afstand_m: float = Field(500.0, ge=0, description="Terreinen within this distance form a cluster")
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
        description="Grid criterion = sum over statuses of afname_aandeel_{status} x this value (0..1)")
    sterk_netcapaciteit: float = Field(0.75, ge=0, le=1, description="'sterk' grid: grid value (0..1) at least this")
    spoor_soorten: list[str] = Field(
        default_factory=lambda: ["raccordement", "emplacement"],
        description="Kinds of spoor that give rail access (tracks of unknown kind count too); empty = every track")


# ---------------------------------------------------------------------------------------------
# Exports and fetch
# ---------------------------------------------------------------------------------------------
class Export(Strict):
    gpkg_naam: str = Field("strategische_vestigingsplaatsen.gpkg")
    gpkg_versie: Literal["1.2", "1.3", "1.4"] = Field("1.2", description="GeoPackage version (1.2 for QGIS 3.22 / GDAL 3.6)")
    kaart_vereenvoudiging_m: float = Field(2.0, ge=0, description="Simplify tolerance (m, in EPSG:28992) for maps")
    kaart_decimalen: int = Field(5, ge=3, le=8, description="Decimals of lon/lat in maps (5 = ~1 m)")
    kaart_max_mb: float = Field(15.0, gt=0, description="Size budget of one HTML map")
    achtergrondkaart: bool = Field(
        True, description="Offer an OpenStreetMap background in the layer control (off until ticked: no requests)")
    kaart_vereenvoudiging_net_m: float = Field(
        10.0, ge=0, description="Simplify tolerance (m, EPSG:28992) for the large netcapaciteit areas in maps")
    gpkg_invoer: bool = Field(True, description="Also write the canonical input layers (invoer_*) to the GeoPackage")


class Fetch(Strict):
    pagina_grootte: int = Field(1000, ge=1, description="Features per request page")
    pogingen: int = Field(5, ge=1, description="Attempts per request on 429/5xx/timeouts")
    wachttijd_s: float = Field(1.0, ge=0, description="First back-off wait; doubles per attempt")
    timeout_s: float = Field(60.0, gt=0)
    buffer_m: float = Field(1500.0, ge=0, description="Buffer around the terreinen for BAG/BGT requests")
    max_wachttijd_s: float = Field(
        300.0, ge=0, description="Longest single wait between attempts (caps back-off and a server's Retry-After)")


class Config(Strict):
    naam: str = Field("demo", description="Name of this configuration (shown in outputs)")
    region: Region = Field(default_factory=Region)
    paths: Paths = Field(default_factory=Paths)
    demo: Demo | None = Field(None, description="When set, `pipeline demo` generates the sources first")
    sources: Sources
    analyse: Analyse = Field(default_factory=Analyse)
    score: Score = Field(default_factory=Score)
    export: Export = Field(default_factory=Export)
    fetch: Fetch = Field(default_factory=Fetch)

    # set by load_config, not by the YAML
    config_path: Path | None = Field(None, exclude=True)

    @model_validator(mode="after")
    def _resolve_paths(self) -> "Config":
        root = REPO_ROOT
        for name in ("raw", "processed", "maps"):
            p = getattr(self.paths, name)
            if not p.is_absolute():
                setattr(self.paths, name, root / p)
        for _, source in self.sources:
            if source is not None and source.path is not None and not source.path.is_absolute():
                source.path = root / source.path
        for raster in self.analyse.rasters:
            if not raster.path.is_absolute():
                raster.path = root / raster.path
        return self


def _format_errors(path: Path, err: ValidationError) -> str:
    lines = [f"configuration {path}: {err.error_count()} problem(s)"]
    for e in err.errors():
        key = ".".join(str(p) for p in e["loc"]) or "(top level)"
        got = e.get("input")
        got_text = "" if isinstance(got, dict) else f" (got {got!r})"
        lines.append(f"  - {key}: {e['msg']}{got_text}")
    return "\n".join(lines)


def load_config(path: str | Path | None = None) -> Config:
    """Read and validate a YAML configuration; raise ConfigError naming the file and every bad key."""
    path = Path(path) if path else DEFAULT_CONFIG
    if not path.is_file():
        raise ConfigError(f"configuration file not found: {path}")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"configuration {path}: not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"configuration {path}: expected a mapping of settings at the top level")
    try:
        config = Config.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_format_errors(path, exc)) from None
    config.config_path = path.resolve()
    return config


def config_as_dict(config: Config) -> dict:
    """The settings as plain data (for provenance in outputs)."""
    return config.model_dump(mode="json")
