"""Make the packaged borders (pipeline/ingest/grenzen/) from the CBS gemeentegrenzen 2022 sample.

Input: ../shared/data/real/cbs-gemeenten-2022/ (CBS gebiedsindelingen via PDOK, layer gemeente_gegeneraliseerd,
345 gemeenten, WGS84; the province per gemeente from gemeente_provincie_2022.csv). Output, in EPSG:28992 with
whole metres:
- gemeenten_2022.geojson: the gemeenten of Noord-Brabant and every gemeente within 10 km of it (statcode,
  statnaam, provincie), simplified as one coverage (shared borders stay shared, no gaps or overlaps)
- provincies_2022.geojson: the provinces that intersect that area (statcode, statnaam), each the union of its
  simplified gemeenten (so province and gemeente borders coincide)
Run: .venv/bin/python tools/make_grenzen.py [--bron DIR] [--tolerantie 25]
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

REPO = Path(__file__).resolve().parents[1]
TARGET = REPO / "pipeline" / "ingest" / "grenzen"
PROVINCIE_CODES = {"Groningen": "PV20", "Friesland": "PV21", "Drenthe": "PV22", "Overijssel": "PV23",
                   "Flevoland": "PV24", "Gelderland": "PV25", "Utrecht": "PV26", "Noord-Holland": "PV27",
                   "Zuid-Holland": "PV28", "Zeeland": "PV29", "Noord-Brabant": "PV30", "Limburg": "PV31"}
PROVINCIE, MARGE_M = "Noord-Brabant", 10_000


def write(frame: gpd.GeoDataFrame, path: Path, name: str) -> None:
    """GeoJSON with a crs member (EPSG:28992) and integer coordinates, one feature per line (small diffs)."""
    lines = []
    for props, geom in zip(frame.drop(columns="geometry").to_dict("records"), frame.geometry):
        coords = json.dumps(shapely.geometry.mapping(geom)["coordinates"], separators=(",", ":"))
        coords = coords.replace(".0,", ",").replace(".0]", "]")
        lines.append(json.dumps({"type": "Feature", "properties": props}, ensure_ascii=False)[:-1]
                     + f', "geometry": {{"type": "{geom.geom_type}", "coordinates": {coords}}}}}')
    head = (f'{{"type": "FeatureCollection", "name": "{name}", '
            '"crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::28992"}}, "features": [\n')
    path.write_text(head + ",\n".join(lines) + "\n]}\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bron", type=Path, default=REPO.parent / "shared/data/real/cbs-gemeenten-2022")
    parser.add_argument("--tolerantie", type=float, default=25.0,
                        help="shapely.coverage_simplify tolerance in metres (default %(default)s)")
    args = parser.parse_args()
    g = gpd.read_file(args.bron / "gemeenten_2022_wgs84.geojson").to_crs(28992)
    prov = pd.read_csv(args.bron / "gemeente_provincie_2022.csv", dtype=str)
    g = g.merge(prov[["statcode", "provincie"]], on="statcode", how="left", validate="one_to_one")
    g = g.sort_values("statcode").reset_index(drop=True)
    simple = shapely.set_precision(shapely.coverage_simplify(g.geometry.values, args.tolerantie), 1.0)
    g = gpd.GeoDataFrame(g[["statcode", "statnaam", "provincie"]], geometry=simple, crs=28992)
    core = g[g["provincie"] == PROVINCIE].union_all()
    near = g[g.distance(core) <= MARGE_M].reset_index(drop=True)
    provincies = g.dissolve("provincie", method="coverage").reset_index()
    provincies = provincies[provincies.intersects(near.union_all())].reset_index(drop=True)
    provincies = gpd.GeoDataFrame({"statcode": provincies["provincie"].map(PROVINCIE_CODES),
                                   "statnaam": provincies["provincie"]}, geometry=provincies.geometry, crs=28992)
    write(near, TARGET / "gemeenten_2022.geojson", "gemeente_gegeneraliseerd")
    write(provincies.sort_values("statcode"), TARGET / "provincies_2022.geojson", "provincie_gegeneraliseerd")
    print(f"{len(near)} gemeenten, {len(provincies)} provincies -> {TARGET}")


if __name__ == "__main__":
    main()
