"""The one place where coordinate reference systems are named.

Everything is computed in RD New; maps are shown in WGS84 (Leaflet reprojects to Web Mercator).
"""
WORKING_CRS = "EPSG:28992"
WORKING_EPSG = 28992
MAP_CRS = "EPSG:4326"
GEOJSON_DEFAULT_CRS = "EPSG:4326"  # RFC 7946: GeoJSON without a crs member is WGS84
# the Netherlands (with a margin for border areas) in RD New: data outside it was read in the wrong CRS
NL_EXTENT_RD = (-50_000.0, 250_000.0, 350_000.0, 700_000.0)
# what the Netherlands' coordinates look like in the systems files are mislabelled with
NL_LOOKS_LIKE = {"EPSG:28992": (-10_000.0, 280_000.0, 310_000.0, 640_000.0),
                 "EPSG:4326": (2.5, 50.5, 7.5, 54.0),
                 "EPSG:3857": (280_000.0, 6_500_000.0, 840_000.0, 7_200_000.0)}
LONLAT_CRS = "EPSG:4326"  # longitude/latitude columns of tables (CSV) without a declared CRS


def assert_working_crs(gdf, what: str) -> None:
    """Refuse a layer that is not in the working CRS: analyses never reproject silently."""
    if gdf.crs is None or gdf.crs.to_epsg() != WORKING_EPSG:
        raise ValueError(f"{what}: expected CRS {WORKING_CRS}, found {gdf.crs}")
