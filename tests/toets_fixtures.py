"""A small hand-made region for the transformatie-toets, run through the real analyse and score stages.

Coordinates are metres from (X0, Y0) in EPSG:28992. Terreinen (gemeente -> regio):
  A "Haven A"   (GM0748 Bergen op Zoom, West-Brabant): 500 x 200 m, five kavels a1..a5 of 100 x 200 m = 2 ha
  B "Haven B"   (GM0744 Baarle-Nassau, West-Brabant): b1 100 x 100 m = 1 ha, b2 200 x 200 m = 4 ha
  C "Park C"    (GM0766 Dongen, Midden-Brabant): c1 200 x 200 m = 4 ha
Zoning (bestemmingsvlak, max category): a1 4.2; a2..a5 5.1; b1 5.1; b2 4.2; c1 4.2. The only dwelling is 5 km
west, so cat_afstand is 6 everywhere and cat_potentie is the zoning.
Vestigingen: SBI 24.10 (category 5.3-6, water-bound) on a2..a5; SBI 46.90 (2-3.1, not water-bound) on b2;
a1, b1 and c1 are vacant.
Quays (reachable class): a2 100 m and a3 100 m on the class Va main fairway (benut: water-bound companies); b1 100 m
(vrij), b2 80 m (onbenut) on Va; c1 150 m (vrij) on a class III canal.
"""
from __future__ import annotations

import geopandas as gpd
from shapely.geometry import LineString, Point, box

from pipeline import analyse, catalogue, score
from pipeline.config import Config
from pipeline.crs import WORKING_CRS

X0, Y0 = 150_000.0, 400_000.0


def _b(x0, y0, x1, y1):
    return box(X0 + x0, Y0 + y0, X0 + x1, Y0 + y1)


def _l(*pts):
    return LineString([(X0 + x, Y0 + y) for x, y in pts])


def gdf(data, geometry):
    return gpd.GeoDataFrame(data, geometry=list(geometry), crs=WORKING_CRS)


KAVELS = {"a1": (0, 0, 100, 200), "a2": (100, 0, 200, 200), "a3": (200, 0, 300, 200), "a4": (300, 0, 400, 200),
          "a5": (400, 0, 500, 200), "b1": (3000, 0, 3100, 100), "b2": (3100, 0, 3300, 200),
          "c1": (6000, 1000, 6200, 1200)}


def layers() -> dict:
    t = {"rin_nummer": ["A", "B", "C"], "naam": ["Haven A", "Haven B", "Park C"],
         "gemeente_code": ["GM0748", "GM0744", "GM0766"], "kern": [None] * 3, "provincie": ["NB"] * 3,
         "jaar": [2024] * 3, "ha_bruto": [10.0, 6.0, 4.0], "ha_netto": [10.0, 5.0, 4.0],
         "ha_uitgeefbaar": [0.0, 3.0, 4.0], "wloc_type": ["B"] * 3, "max_milieucategorie": ["5", "5", "4"],
         "water_ontsluiting": [False] * 3, "spoor_ontsluiting": [False] * 3}
    ids = list(KAVELS)
    zones = [("z-a1", "4.2", (0, 0, 100, 200)), ("z-a", "5.1", (100, 0, 500, 200)), ("z-b1", "5.1", KAVELS["b1"]),
             ("z-b2", "4.2", KAVELS["b2"]), ("z-c", "4.2", KAVELS["c1"])]
    vest = [("v2", "24.10", 150), ("v3", "24.10", 250), ("v4", "24.10", 350), ("v5", "24.10", 450),
            ("vb2", "46.90", 3200)]
    quays = [("q-a2", ((100, -10), (200, -10))), ("q-a3", ((200, -10), (300, -10))),
             ("q-b1", ((3000, -10), (3100, -10))), ("q-b2", ((3100, -10), (3180, -10))),
             ("q-c1", ((6000, 990), (6150, 990)))]
    return {
        "terreinen": gdf(t, [_b(0, 0, 500, 200), _b(3000, 0, 3300, 200), _b(6000, 1000, 6200, 1200)]),
        "kavels": gdf({"kavel_id": ids, "rin_nummer": [k[0].upper() for k in ids],
                       "uitgifte_status": ["uitgeefbaar" if k in ("b1", "c1") else "uitgegeven" for k in ids],
                       "bron": ["kavellaag"] * len(ids)}, [_b(*KAVELS[k]) for k in ids]),
        "panden": gdf({"pand_id": [], "bouwjaar": [], "status": []}, []),
        "verblijfsobjecten": gdf({"vbo_id": ["w-ver"], "gebruiksdoel": ["woonfunctie"], "gevoelig": [True]},
                                 [Point(X0 - 5000, Y0 + 100)]),
        "kades": gdf({"kade_id": [q for q, _ in quays], "bgt_type": ["kademuur"] * 5, "betrouwbaarheid": ["hoog"] * 5,
                      "bron": ["BGT"] * 5, "geometrie_bron": ["LineString"] * 5, "conversie": ["geen"] * 5},
                     [_l(*pts) for _, pts in quays]),
        "vaarwegen": gdf({"vaarweg_id": ["main1", "main2", "canal1", "canal2"], "naam": ["Rivier", "Rivier", "Kanaal",
                                                                                        "Kanaal"],
                          "cemt_klasse": ["Va", "Va", "III", "III"]},
                         [_l((-5000, -40), (6300, -40)), _l((6300, -40), (8000, -40)), _l((6300, -40), (6300, 960)),
                          _l((6300, 960), (5900, 960))]),
        "milieuzones": gdf({"zone_id": [z[0] for z in zones], "soort": ["bestemmingsvlak"] * 5,
                            "max_milieucategorie": [z[1] for z in zones], "max_bebouwingspercentage": [None] * 5,
                            "omschrijving": [f"bedrijf t/m {z[1]}" for z in zones]}, [_b(*z[2]) for z in zones]),
        "netcapaciteit": gdf({"gebied_id": ["n1"], "gebied_naam": ["Voedingsgebied"], "netbeheerder": ["Enexis"],
                              "afname_status": ["groen"], "invoeding_status": ["geel"],
                              "afname_beschikbaar_mw": [10.0], "invoeding_beschikbaar_mw": [2.0],
                              "afname_wachtrij_mw": [0.0], "invoeding_wachtrij_mw": [1.0],
                              "afname_wachtrij_aantal": [0.0], "invoeding_wachtrij_aantal": [1.0]},
                             [_b(-1000, -1000, 9000, 2000)]),
        "vestigingen": gdf({"vestiging_id": [v[0] for v in vest], "naam": [f"Bedrijf {v[0]}" for v in vest],
                            "sbi_code": [v[1] for v in vest], "werkzame_personen": [20.0] * len(vest)},
                           [Point(X0 + v[2], Y0 + 100) for v in vest]),
    }


def make_region(folder) -> Config:
    """Write the canonical layers into folder/processed, run analyse and score; return the config."""
    processed = folder / "processed"
    processed.mkdir(parents=True, exist_ok=True)
    for name, frame in layers().items():
        catalogue.write(frame, name, processed)
    config = Config.model_validate({
        "paths": {"processed": str(processed), "maps": str(folder / "maps")},
        "sources": {k: {"path": "x"} for k in ["terreinen", "panden", "verblijfsobjecten", "kades", "vaarwegen",
                                              "milieuzones", "netcapaciteit"]}})
    analyse.run(config)
    score.run(config)
    return config
