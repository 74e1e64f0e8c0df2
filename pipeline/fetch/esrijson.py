"""Esri JSON (an ArcGIS query with f=json) -> GeoJSON features: attributes as sent, geometries by GDAL.

Why: servers that cannot answer f=geojson (older ArcGIS Server) or that only report `exceededTransferLimit` in
Esri JSON (Koop) still page correctly when asked for f=json. Esri polygons are rings whose orientation says
outer or hole; GDAL's ESRIJSON driver assembles them. The attributes are copied as the server sent them and
never through the answer's `fields` list: a server that guesses a field's type from its first value (Koop
declares HA_BRUTO an integer when the first terrein has 68 ha) would otherwise cut 13.38 ha to 13.
"""
from __future__ import annotations

import json

import numpy as np
import pyogrio
import shapely

from pipeline.fetch.http import FetchError

INDEX = "_volgorde"


def to_geojson_features(data: dict, url: str) -> list[dict]:
    """The features of an Esri JSON query answer as GeoJSON feature dicts."""
    features = data.get("features") or []
    if not features:
        return []
    shapes = {key: data[key] for key in ("geometryType", "spatialReference", "hasZ", "hasM") if key in data}
    shapes["fields"] = [{"name": INDEX, "type": "esriFieldTypeInteger"}]
    shapes["features"] = [{"attributes": {INDEX: i}, "geometry": f.get("geometry")} for i, f in enumerate(features)]
    try:
        frame = pyogrio.read_dataframe("ESRIJSON:" + json.dumps(shapes))  # GDAL reads the text itself
    except Exception as exc:  # GDAL's own message names what it could not read
        raise FetchError(f"{url}: Esri JSON geometries that GDAL cannot read: {exc}") from exc
    geometry = np.full(len(features), None, dtype=object)
    text = shapely.to_geojson(frame.geometry.to_numpy())
    geometry[frame[INDEX].to_numpy()] = text
    return [{"type": "Feature", "properties": f.get("attributes") or {},
             "geometry": None if g is None else json.loads(g)} for f, g in zip(features, geometry)]
