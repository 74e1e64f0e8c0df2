"""Settings of the run itself: folders, the demo region, the region, exports and downloads."""
from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field

from pipeline.config.base import Strict

class Paths(Strict):
    raw: Path = Field(Path("data/raw"), description="Folder of downloaded / generated source files")
    processed: Path = Field(Path("data/processed"), description="Folder of canonical layers and results")
    maps: Path = Field(Path("maps"), description="Folder of HTML maps and the report")

class Demo(Strict):
    seed: int = Field(20261122, description="Random seed of the synthetic region")
    scale: float = Field(0.05, gt=0, le=10,
                         description="1.0 = province size (650 terreinen); 8.5 = the whole country (~5,500 terreinen, "
                                     "~11M panden); default 0.05 = about 30 terreinen")
    peildatum: int | None = Field(
        None, ge=2021, le=2024, description="Generate the region as it was in this year, an earlier peildatum to "
                                            "compare with (`make vergelijk`, pipeline/demo/peildatum.py); None = 2024")

class Region(Strict):
    name: str = Field("Noord-Brabant", description="Province / region name used in titles and filters")
    bbox: tuple[float, float, float, float] | None = Field(
        None, description="Extent in EPSG:28992 (xmin, ymin, xmax, ymax) for fetch requests")
    gemeente_codes: list[str] = Field(default_factory=list, description="Restrict to these GM codes (empty = all)")
    gemeente_tabel: Path | None = Field(
        None, description="CSV with a gemeente_code column (e.g. pipeline/data/gemeente_regio.csv): restrict to "
                          "these gemeenten too; a terrein counts when any of its GEM_CODES is listed")

class Export(Strict):
    gpkg_naam: str = Field("strategische_vestigingsplaatsen.gpkg")
    gpkg_versie: Literal["1.2", "1.3", "1.4"] = Field("1.2", description="GeoPackage version (1.2 for QGIS 3.22 / GDAL 3.6)")
    kaart_vereenvoudiging_m: float = Field(2.0, ge=0, description="Simplify tolerance (m, in EPSG:28992) for maps")
    kaart_decimalen: int = Field(5, ge=3, le=8, description="Decimals of lon/lat in maps (5 = ~1 m)")
    kaart_max_mb: float = Field(15.0, gt=0, description="Size budget of the overview map (index.html): its "
                                "geometries are simplified harder until it fits, unless the page without its "
                                "coordinates is over the budget by itself (then it is kept, with a warning)")
    achtergrondkaart: bool = Field(
        True, description="Offer an OpenStreetMap background in the layer control (off until ticked: no requests)")
    kaart_context_m: float = Field(
        10_000.0, ge=0, description="The overview's offline base layer: gemeente- and provinciegrenzen with names "
                                    "within this distance (m) of the terreinen")
    kaart_vereenvoudiging_net_m: float = Field(
        10.0, ge=0, description="Simplify tolerance (m, EPSG:28992) for the large netcapaciteit areas in maps")
    gpkg_invoer: bool = Field(True, description="Also write the canonical input layers (invoer_*) to the GeoPackage")
    gpkg_invoer_afstand_m: float | None = Field(
        100.0, ge=0, description="invoer_panden and invoer_verblijfsobjecten hold only the objects whose bbox lies "
                                 "within about this distance (m) of a terrein's bbox, plus every object of "
                                 "gevoelige_objecten (a national BAG is millions of buildings; the full layers are "
                                 "the canonical GeoParquet files); the layer description says so. None: all objects")
    trend_grafieken: bool = Field(
        True, description="Draw the IBIS trend chart (bruto/netto/uitgeefbaar ha per year, an SVG written as text, "
                          "well under 1 ms per terrein) on every detail page; the report's charts per regio are "
                          "always drawn")
    qgis_project: str = Field(
        "strategische_vestigingsplaatsen", pattern=r"^[A-Za-z0-9_-]*$",
        description="Name of the QGIS project stored in the GeoPackage (QGIS: Project > Open From > GeoPackage); "
                    "empty = no project")
    processen: int | None = Field(
        None, ge=1, description="Processes that write the export side by side: forked after the inputs are read (they "
                                "share them, nothing is copied), one writes the GeoPackage, and all take blocks "
                                "of detail pages as they are free. 1 = one process (the GeoPackage in a thread). "
                                "Default: 2 where the machine has two cores or more and can fork (Linux), else 1")

class Fetch(Strict):
    pagina_grootte: int = Field(1000, ge=1, description="Features per request page")
    pogingen: int = Field(5, ge=1, description="Attempts per request on 429/5xx/timeouts")
    wachttijd_s: float = Field(1.0, ge=0, description="First back-off wait; doubles per attempt")
    timeout_s: float = Field(60.0, gt=0)
    buffer_m: float = Field(1500.0, ge=0, description="Buffer around region.bbox (or, without one, the terreinen' "
                                                        "extent) for requests by extent; per_terrein boxes are "
                                                        "clipped to the same extent")
    max_wachttijd_s: float = Field(
        300.0, ge=0, description="Longest single wait between attempts (caps back-off and a server's Retry-After)")
    gelijktijdig: int = Field(
        2, ge=1, le=4, description="Requests in flight at once for a per_terrein source (one box each; the pages "
                                   "of a box follow each other). PDOK's Fair Use level names no number, only a "
                                   "limited capacity: kept small, at most 4")
    tegel_m: float = Field(
        10_000.0, ge=1000, description="per_terrein: a merged box wider or taller than this (m) is cut by a grid of this "
                                       "size into the envelopes of the needed area in each cell, so a province full "
                                       "of terreinen is not one box and its boxes can run side by side")


class Ingest(Strict):
    boog_max_afwijking_m: float = Field(
        0.1, gt=0, le=10, description="Curved geometry (gml:Arc, CurvePolygon): largest distance (m) between the "
                                      "arc and the straight segments it is replaced by")
    max_verlies_aandeel: float = Field(
        0.5, ge=0, le=1, description="Largest share of a source's feature kind that may be lost (dropped for a "
                                     "reason other than a deliberate selection) before ingest stops")
    bag_vervallen_statussen: list[str] = Field(
        default_factory=lambda: ["Pand gesloopt", "Niet gerealiseerd pand", "Pand ten onrechte opgevoerd",
                                 "Verblijfsobject ingetrokken", "Niet gerealiseerd verblijfsobject",
                                 "Verblijfsobject ten onrechte opgevoerd"],
        description="BAG statuses of objects that no longer exist or never did (dropped)")
    batch_rijen: int = Field(
        100_000, ge=1000, description="BAG panden and verblijfsobjecten are read, cleaned and written this many rows "
                                      "at a time and sorted on disk (pipeline/ingest/stream.py): memory is bounded "
                                      "by the batch, not by the source (a national BAG)")
    processen: int | None = Field(
        None, ge=1, description="Processes that ingest side by side: a helper forked at the start ingests the BAG "
                                "panden while this one ingests the other layers. 1 = one process. Default: 2 where "
                                "the machine has two cores or more and can fork (Linux), else 1")
    bag_bouwjaar_onbekend: list[int] = Field(
        default_factory=lambda: [9999], description="BAG bouwjaar values that mean 'unknown' (become empty)")
    grenzen_uit_pakket: bool = Field(
        True, description="Without sources.gemeenten / sources.provincies: use the borders shipped with the package "
                          "(CBS 2022, Noord-Brabant and 10 km around it, simplified; "
                          "pipeline/ingest/grenzen/SOURCE.md) so the maps have context offline; false = no borders")


class Rekenen(Strict):
    """Where the heavy joins of the analyse stage run (pipeline/analyse/partities.py). The results do not depend on
    it: the same code runs in every engine, one task per spatial partition of terreinen."""
    engine: Literal["lokaal", "processen", "cluster"] = Field(
        "processen", description="processen (default): dask's local multi-process scheduler (rekenen.werkers "
                                 "processes forked from this one); lokaal: in this process (rekenen.werkers "
                                 "partitions side by side in threads, dask's threaded scheduler; the partitions take "
                                 "turns at the GIL); cluster: a dask.distributed scheduler at rekenen.scheduler")
    scheduler: str | None = Field(
        None, description="Address of a dask.distributed scheduler (engine cluster), e.g. tcp://10.0.0.5:8786")
    werkers: int | None = Field(None, ge=1, description="Threads (engine lokaal; 1 = one partition at a time) or "
                                                        "processes (engine processen); default: one per core")
    partitie_terreinen: int = Field(
        150, ge=1, description="Terreinen per spatial partition (Hilbert order): a partition reads the panden and "
                               "verblijfsobjecten within its halo only, so memory is bounded by this, not the region")


class Toets(Strict):
    max_kandidaten: int = Field(
        10, ge=1, description="Transformatie-toets: replacement candidates listed per block (same region; rest of the "
                              "province), per kind (HMC-ruimte, kade) and for terreinen")
    woningen_marge_m: float = Field(
        0.0, ge=0, description="Transformatie-toets --woningen: the new dwellings stand at least this far inside the "
                               "transformed area (0 = up to its edge, the strictest assumption)")
