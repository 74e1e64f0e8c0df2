"""The one place where coordinate reference systems are named.

Everything is computed in RD New; maps are shown in WGS84 (Leaflet reprojects to Web Mercator).
"""
WORKING_CRS = "EPSG:28992"
WORKING_EPSG = 28992
MAP_CRS = "EPSG:4326"
GEOJSON_DEFAULT_CRS = "EPSG:4326"  # RFC 7946: GeoJSON without a crs member is WGS84
LONLAT_CRS = "EPSG:4326"  # longitude/latitude columns of tables (CSV) without a declared CRS


def assert_working_crs(gdf, what: str) -> None:
    """Refuse a layer that is not in the working CRS: analyses never reproject silently."""
    if gdf.crs is None or gdf.crs.to_epsg() != WORKING_EPSG:
        raise ValueError(f"{what}: expected CRS {WORKING_CRS}, found {gdf.crs}")
