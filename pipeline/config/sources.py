"""Settings of the sources: where each is read from (path) or downloaded (url), how, and what ingest may accept."""
from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator, model_validator

from pipeline.config.base import Strict

HALOS = ("richtafstand", "kade_tolerantie")


class Source(Strict):
    """Where one source is read from: a local file (path) and/or where `fetch` downloads it (url)."""
    path: Path | None = Field(
        None, description="Local file (GeoPackage, GeoJSON, Shapefile, GML, GeoParquet, CSV, JSON)")
    layer: str | None = Field(None, description="Layer name inside the file (GeoPackage); None = the only/first layer")
    format: Literal["auto", "gpkg", "geojson", "shp", "gml", "parquet", "json", "csv"] = Field(
        "auto", description="File format; auto = from the file extension")
    fields: dict[str, str] = Field(
        default_factory=dict,
        description="Field-name overrides: canonical name -> name in this file (beats the alias table)")
    crs: str | None = Field(None, description="CRS to assume when the file declares none (else such a file is refused)")
    geometrie: str | None = Field(
        None, description="GML: the geometry property to read (e.g. begrenzingPerceel) when a feature has several; "
                          "None = the polygon property where the layer needs polygons, else GDAL's first")
    negeer_velden: list[str] = Field(
        default_factory=list, description="Fields of the file to ignore, as if absent (e.g. a junk JAAR column)")
    # delimited text (CSV): a table with coordinate columns
    x_veld: str | None = Field(None, description="CSV: column with x (RD) or longitude; None = detected (x, lon, ...)")
    y_veld: str | None = Field(None, description="CSV: column with y (RD) or latitude; None = detected (y, lat, ...)")
    scheidingsteken: str | None = Field(None, description="CSV: field separator; None = detected (; , tab |)")
    decimaalteken: Literal["auto", ".", ","] = Field(
        "auto", description="CSV: decimal mark of the coordinates; auto = ',' when the values use it")
    codering: str | None = Field(
        None, description="CSV: text encoding (utf-8, cp1252, latin-1); None = UTF-8 (with or without BOM), "
                          "else cp1252")
    # what ingest may accept without stopping (each is an error otherwise)
    accepteer_geen_rijen: bool = Field(
        False, description="Accept that this source ends up with 0 rows (else an error names it)")
    accepteer_verlies: list[str] = Field(
        default_factory=list,
        description="Feature kinds (e.g. BGT types; '*' = all) that may lose more than ingest.max_verlies_aandeel")
    accepteer_leeg: list[str] = Field(
        default_factory=list,
        description="Analysis fields (canonical names, e.g. sbi_code) that may be empty in every row")
    # fetch
    url: str | None = Field(None, description="Download endpoint used by `pipeline fetch`")
    kind: str | None = Field(None, description="Kind of endpoint for fetch: arcgis, ogcapi, file, capaciteitskaart")
    params: dict[str, str | int | float] = Field(default_factory=dict, description="Extra query parameters for fetch")
    pagina_grootte: int | None = Field(
        None, ge=1, description="Features per request for this source; None = fetch.pagina_grootte")
    per_terrein: bool = Field(
        False, description="Download only what lies in boxes around the (fetched) terreinen, grown by `halo`, instead "
                           "of the whole region bbox; for large sources only needed near the terreinen (BAG, BGT). "
                           "kind ogcapi: the boxes are asked for page by page; kind file: the whole file is "
                           "downloaded to `bulk_pad` and its `layer` cut to the boxes into `path`")
    bulk_pad: Path | None = Field(
        None, description="per_terrein with kind file: where the published bulk GeoPackage is downloaded (e.g. PDOK's "
                          "bag-light.gpkg); sources with the same url and bulk_pad share one download")
    halo: Literal["richtafstand", "kade_tolerantie"] | float = Field(
        "richtafstand", description="per_terrein: how far around each terrein to download, in m, or the analysis "
                                    "setting that decides it: 'richtafstand' (the largest of "
                                    "analyse.milieuruimte.richtafstanden_*) or 'kade_tolerantie' "
                                    "(analyse.kades.tolerantie_m); analyse.meettolerantie_m and "
                                    "kavel_clip_tolerantie_m are added")

    @field_validator("scheidingsteken")
    @classmethod
    def _one_char(cls, value: str | None) -> str | None:
        if value is not None and len(value) != 1 and value != "\\t":
            raise ValueError(f"expected one character such as ';' or ',', got {value!r}")
        return "\t" if value == "\\t" else value

    @field_validator("halo")
    @classmethod
    def _halo(cls, value: str | float) -> str | float:
        if not isinstance(value, str) and not 0 <= value < 100_000:
            raise ValueError(f"expected {' or '.join(HALOS)} or a distance in m (0 to 100000), got {value!r}")
        return value

    @model_validator(mode="after")
    def _per_terrein_needs_ogcapi_or_bulk(self) -> "Source":
        if self.per_terrein and not self.url:
            raise ValueError("per_terrein: true needs a url to download from (an OGC API Features collection or a "
                             "bulk GeoPackage)")
        if self.per_terrein and self.kind not in (None, "ogcapi", "file"):
            raise ValueError(f"per_terrein: true works for kind ogcapi or file only, not {self.kind!r}")
        if self.per_terrein and self.kind == "file" and (self.bulk_pad is None or self.layer is None):
            raise ValueError("per_terrein with kind file downloads a bulk GeoPackage and cuts one layer of it: set "
                             "bulk_pad (where the whole file goes) and layer (the layer to cut into `path`)")
        if self.bulk_pad is not None and not (self.per_terrein and self.kind == "file"):
            raise ValueError("bulk_pad is used only with per_terrein: true and kind: file")
        if self.bulk_pad is not None and self.bulk_pad == self.path:
            raise ValueError(f"bulk_pad and path are both {self.path}: the cut cannot replace the file it is cut from")
        return self

    @field_validator("crs")
    @classmethod
    def _known_crs(cls, value: str | None) -> str | None:
        if value is None:
            return value
        from pyproj import CRS
        from pyproj.exceptions import CRSError
        try:
            CRS.from_user_input(value)
        except CRSError:
            raise ValueError(f"expected a coordinate reference system such as 'EPSG:28992', got {value!r}") from None
        return value


class Sources(Strict):
    terreinen: Source = Field(description="IBIS bedrijventerreinen (required)")
    kavels: Source | None = Field(None, description="Kavel (plot) layer or BRK percelen; none = each terrein is one kavel")
    panden: Source = Field(description="BAG panden")
    verblijfsobjecten: Source = Field(description="BAG verblijfsobjecten")
    kades: Source = Field(description="BGT scheiding (kademuur, damwand, walbescherming): lines and/or areas")
    kades_vlak: Source | None = Field(
        None, description="BGT scheiding drawn as areas when delivered separately (PDOK scheiding_vlak)")
    kunstwerkdelen: Source | None = Field(None, description="BGT kunstwerkdeel (keermuur): lines and/or areas")
    kunstwerkdelen_vlak: Source | None = Field(
        None, description="BGT kunstwerkdeel drawn as areas when delivered separately (PDOK kunstwerkdeel_vlak)")
    vaarwegen: Source = Field(description="Fairway sections with CEMT class")
    milieuzones: Source = Field(description="Zoning plots with 'bedrijf tot en met categorie X'")
    geluidzones: Source | None = Field(None, description="Geluidzones of gezoneerde industrieterreinen")
    netcapaciteit: Source = Field(description="Capaciteitskaart polygons (feature-service fields) or im-capaciteitskaart JSON")
    netcapaciteit_postcodes: Source | None = Field(
        None, description="PC6 polygons to place an im-capaciteitskaart JSON (which has no geometry)")
    vestigingen: Source | None = Field(None, description="Vestigingen with SBI code (points, or a CSV with coordinates)")
    spoor: Source | None = Field(None, description="Rail tracks and sidings (optional)")
    opritten: Source | None = Field(None, description="Motorway ramps / aansluitingen (optional)")
    omgevingstypen: Source | None = Field(None, description="Omgevingstype areas (optional)")
    gemeenten: Source | None = Field(
        None, description="Gemeentegrenzen with names for the maps (CBS gebiedsindelingen gemeente_gegeneraliseerd, "
                          "PDOK WFS); none = the packaged CBS 2022 borders (ingest.grenzen_uit_pakket)")
    provincies: Source | None = Field(
        None, description="Provinciegrenzen with names for the maps (CBS gebiedsindelingen provincie_gegeneraliseerd); "
                          "none = the packaged CBS 2022 borders (ingest.grenzen_uit_pakket)")

    @model_validator(mode="after")
    def _terreinen_first(self) -> "Sources":
        if self.terreinen.per_terrein:
            raise ValueError("sources.terreinen.per_terrein: the terreinen are what the other sources' boxes are "
                             "drawn around; download them by region.bbox (per_terrein: false)")
        return self

    @model_validator(mode="after")
    def _one_url_per_bulk_file(self) -> "Sources":
        urls: dict[Path, tuple[str, str]] = {}
        for name, source in self:
            if source is None or source.bulk_pad is None:
                continue
            first, url = urls.setdefault(source.bulk_pad, (name, source.url))
            if url != source.url:
                raise ValueError(f"sources.{name}.bulk_pad: {source.bulk_pad} is also the bulk file of "
                                 f"sources.{first}, downloaded from another url ({url}); one file, one url")
        return self
