"""Settings of the sources: where each is read from (path) or downloaded (url), and how."""
from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator

from pipeline.config.base import Strict


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

