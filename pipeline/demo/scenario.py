"""The hand-made part of the demo: the situations the analyses exist for, at fixed places.

Everything here is given in metres relative to the region centre (sizes.CENTRE) and is the same for
every seed and scale, so tests of later stages can rely on it (the package docstring lists the cases).
Kavels are laid out as a grid per terrein; a kavel's *role* says what happens on it:
an SBI code = one vestiging with that code, "vrij" = uitgeefbaar and empty, "leeg" = uitgegeven but
no vestiging (vacant building), "*" = an ordinary light company drawn at random.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import shapely

from pipeline.demo.geometry import grid_cells, rectangles
from pipeline.demo.sizes import CENTRE

OX, OY = CENTRE

# Rows are listed bottom (row 0, south) to top; one word per kavel column.
TERREINEN = [
    dict(rin=900001, naam="Demo-haven Oost", kern="Demohaven", gm="GM1709", wloc="A", cat=5,
         box=(-965, -2420, 1035, -1120), grid=(8, 4), water="J", spoor="J", gsi=0.45,
         rows=["52.24 46.71 24.10 46.90 62.01 vrij vrij 20.14",
               "46.73 20.14 24.10 46.90 vrij 38.32 49.41 vrij",
               "52.10 24.42 vrij 62.01 20.16 leeg 46.90 23.51",
               "vrij vrij 46.90 24.10 vrij 52.10 62.01 19.20"],
         gsi_by_role={"62.01": 0.08, "46.90": 0.25, "leeg": 0.35},
         vlakken=[((0, 5), "bedrijf tot en met categorie 5.1", 80.0),
                  ((6, 7), "bedrijf tot en met categorie 4.2", 80.0)]),
    dict(rin=900002, naam="Demo-haven West", kern="Demohaven", gm="GM1709", wloc="B", cat=5,
         box=(-2600, -2420, -1035, -1400), grid=(6, 3), water="J", spoor="N", gsi=0.4,
         rows=["23.51 38.11 vrij 10.61 46.90 vrij",
               "24.10 20.14 vrij 46.90 38.32 46.77",
               "leeg 23.63 08.12 vrij 25.11 vrij"],
         gsi_by_role={"46.90": 0.2},
         vlakken=[(None, "bedrijf tot en met categorie 5.1", 70.0)]),
    dict(rin=900003, naam="Demo-industriepark Noord", kern="Demohaven", gm="GM1709", wloc="B", cat=4,
         box=(-600, -900, 1000, 0), grid=(6, 3), water="N", spoor="J", gsi=0.35,
         rows=["46.90 vrij 62.01 vrij vrij 24.10",
               "62.01 46.90 vrij 46.90 20.14 vrij",
               "vrij 47.91 46.90 vrij 62.01 vrij"],
         gsi_by_role={"62.01": 0.1},
         vlakken=[((0, 2), "bedrijf tot en met categorie 4.2", None),
                  ((3, 5), "bedrijf tot en met categorie 5.1", None)]),
    dict(rin=900004, naam="Demo-kanaalzone", kern="Demohaven", gm="GM1709", wloc="B", cat=3,
         box=(-1800, 900, -1035, 1600), grid=(3, 4), water="J", spoor="N", gsi=0.45,
         rows=["* 46.90 45.20", "* * 49.41", "43.22 * vrij", "* vrij 46.90"],
         gsi_by_role={},
         vlakken=[(None, "bedrijf tot en met milieucategorie 3.2", 75.0)]),
    dict(rin=900005, naam="Demo-binnenhaven", kern="Demodorp", gm="GM0855", wloc="B", cat=4,
         box=(1400, 1700, 2400, 2155), grid=(4, 2), water="J", spoor="N", gsi=0.4,
         rows=["25.62 vrij 43.22 62.01", "52.24 46.72 vrij 46.90"],
         gsi_by_role={},
         vlakken=[(None, "bedrijf tot en met categorie 4.1", 80.0)]),
    dict(rin=900006, naam="Demo-stadsrand", kern="Demodorp", gm="GM0855", wloc="B", cat=4,
         box=(3400, 0, 4200, 250), grid=(4, 1), water="N", spoor="N", gsi=0.5,
         rows=["25.62 43.22 leeg 28.29"],
         gsi_by_role={"25.62": 0.1, "leeg": 0.08, "43.22": 0.55},
         vlakken=[(None, "bedrijf tot en met categorie 4.2", 60.0)]),
    dict(rin=900007, naam="Demo-bedrijvenpark Centrum", kern="Demodorp", gm="GM0855", wloc="B", cat=3,
         box=(4700, 1300, 5100, 1700), grid=(2, 2), water="N", spoor="N", gsi=0.4,
         rows=["47.19 56.10", "vrij 33.12"], gsi_by_role={}, split_x=4900,
         vlakken=[(None, "bedrijf tot en met milieucategorie 3.1", None)]),
    dict(rin=900008, naam="Demo-logistiek A16", kern="Demodorp", gm="GM0855", wloc="B", cat=3,
         box=(1700, -850, 2500, -100), grid=(4, 3), water="N", spoor="N", gsi=0.62,
         rows=["52.10 52.10 49.41 52.10", "52.10 vrij 52.10 49.41", "52.10 52.10 46.90 52.10"],
         gsi_by_role={},
         vlakken=[(None, "bedrijf tot en met categorie 3.2", 85.0)]),
    dict(rin=900009, naam="Demo-spoorpark", kern="Demohoeve", gm="GM0758", wloc="B", cat=4,
         box=(-4800, 0, -4100, 500), grid=(3, 2), water="N", spoor="J", gsi=0.4,
         rows=["20.14 vrij 25.11", "vrij 46.90 vrij"], gsi_by_role={},
         vlakken=[(None, "bedrijf tot en met categorie 4.2", 70.0)]),
    dict(rin=900010, naam="Demo-werkhoven", kern="Demohoeve", gm="GM0758", wloc="B", cat=2,
         box=(-4000, 2300, -3700, 2500), grid=(2, 1), water="N", spoor="N", gsi=0.45,
         rows=["43.22 45.20"], gsi_by_role={}, duplicate=True, tottuit_null=True,
         vlakken=[(None, None, None)]),
    dict(rin=900011, naam="Demo-ambachtshof", kern="Demohoeve", gm="GM0758", wloc="B1", cat=2,
         box=(-3000, 2400, -2700, 2600), grid=(2, 1), water="N", spoor="N", gsi=0.4,
         rows=["16.23 vrij"], gsi_by_role={}, tottuit_null=True, years=(2023, 2024),
         vlakken=[]),
]
SPECIAL_RINS = [t["rin"] for t in TERREINEN]
SBI_NAMES = {"52.24": "Overslag", "46.71": "Brandstoffen", "46.72": "Metaalhandel", "46.73": "Bouwstoffen",
             "46.77": "Schroothandel", "24.10": "Staal", "24.42": "Aluminium", "20.14": "Chemie",
             "20.16": "Kunststoffen", "23.51": "Cement", "23.63": "Betoncentrale", "08.12": "Zand en grind",
             "10.61": "Meelfabriek", "38.11": "Afvalinzameling", "38.32": "Recycling & Sloop", "19.20": "Raffinaderij",
             "46.90": "Groothandel", "62.01": "Software", "52.10": "Opslag", "49.41": "Transport",
             "47.91": "Webwinkel", "45.20": "Autoservice", "43.22": "Installatietechniek", "25.62": "Metaalbewerking",
             "25.11": "Staalbouw", "28.29": "Machinebouw", "47.19": "Winkel", "56.10": "Eetcafé",
             "33.12": "Reparatie", "16.23": "Timmerfabriek"}

# Quays and other BGT lines along the scenario's banks: (lokaal name, layer, bgt-type, start, ..., end)
# layer "s" = scheiding, "k" = kunstwerkdeel. Banks: river y=-2425 (north) / -2575 (south),
# main canal x=-970 (east) / -1030 (west), basin y=2160 (south bank), basin head x=2330.
# bgt.py writes most port quays as thin areas, "binnenhaven-kop" as an L-shaped one round the basin's corner.
QUAYS = (
    [(f"haven-oost-rivier-{i}", "s", "kademuur", (x, -2425), (x + 250, -2425))
     for i, x in enumerate(np.linspace(-965, 785, 8))]
    + [(f"haven-oost-kanaal-{i}", "s", "kademuur", (-970, y), (-970, y + 325))
       for i, y in enumerate(np.linspace(-2420, -1445, 4))]
    + [(f"haven-west-rivier-{i}", "s", t, (x, -2425), (x + 1565 / 6, -2425))
       for i, (x, t) in enumerate(zip(np.linspace(-2600, -2600 + 5 * 1565 / 6, 6),
                                      ["damwand"] * 3 + ["kademuur"] * 2 + ["walbescherming"]))]
    + [(f"haven-west-kanaal-{i}", "s", "kademuur", (-1030, y), (-1030, y + 340))
       for i, y in enumerate(np.linspace(-2420, -1740, 3))]
    + [("kanaalzone-0", "s", "kademuur", (-1030, 900), (-1030, 1075)),
       ("kanaalzone-1", "s", "kademuur", (-1030, 1075), (-1030, 1250)),
       ("kanaalzone-2", "s", "damwand", (-1030, 1250), (-1030, 1425)),
       ("kanaalzone-3", "k", "keermuur", (-1030, 1425), (-1030, 1600)),
       ("binnenhaven-0", "s", "kademuur", (1500, 2160), (1650, 2160)),
       ("binnenhaven-1", "s", "kademuur", (1650, 2160), (1900, 2160)),
       ("binnenhaven-2", "s", "kademuur", (1900, 2160), (2150, 2160)),
       ("binnenhaven-3", "s", "walbescherming", (2150, 2160), (2300, 2160)),
       ("binnenhaven-kop", "s", "kademuur", (2300, 2165), (2330, 2165), (2330, 2235)),
       ("binnenhaven-steiger", "k", "steiger", (1750, 2160), (1750, 2200)),
       ("rivier-zuidoever", "s", "walbescherming", (-3000, -2575), (3000, -2575)),
       ("a16-scherm", "s", "geluidsscherm", (2720, 800), (2720, 2400)),
       ("demodorp-muur", "s", "muur", (3900, 1900), (4000, 1900))]
)
# historic versions (same lokaalID, eindRegistratie set): name -> bgt-type it had then
QUAY_HISTORY = {"haven-oost-rivier-0": "kademuur", "kanaalzone-2": "walbescherming",
                "binnenhaven-1": "kademuur", "kanaalzone-3": "keermuur"}

# Waterways of the scenario (relative); water.py extends the river and the main canal beyond the box.
RIVER_Y = -2500.0            # "Demo-Maas", class Vb, 150 m wide
CANAL_X = -1000.0            # "Demo-hoofdkanaal", class Va, 60 m wide, north from the river
VAART_X = 3500.0             # "Demo-vaart", class IV, south from the river
SIDE_Y = 2200.0              # "Demo-zijkanaal" class II from the canal east to x=1500,
BASIN = (1500.0, 2300.0)     # then "Demo-binnenhaven" class Va (dead end)

# Infrastructure (relative): main rail line y=600 across the region, sidings, motorways and ramps.
RAIL_Y = 600.0
SIDINGS = [("siding", [(1200, 600), (1200, -1200), (900, -1500), (300, -1500)]),   # into 900001
           ("siding", [(700, 600), (700, -300)]),                                    # into 900003
           ("siding", [(-4450, 600), (-4450, 250)]),                                 # into 900009
           ("yard", [(3600, 615), (4300, 615)]), ("yard", [(3600, 630), (4300, 630)])]
MOTORWAYS = [("A59", "x", -1010.0), ("A16", "y", 2700.0), ("A27", "y", -5300.0)]  # W-E at y / N-S at x
RAMPS = [("A59", "aansluiting", (1300, -1010)), ("A59", "oprit", (1250, -990)), ("A59", "afrit", (1350, -1030)),
         ("A16", "aansluiting", (2700, -400)), ("A16", "aansluiting", (2700, 2600)),
         ("A27", "aansluiting", (-5300, 300))]

# Grid supply areas (relative boxes): id, name, afname, opwek, boxes
GRID = [("NB-DEMO-101", "Demo-haven 150kV", 3, 2, [(-5500, -3000, 1500, 300)]),
        ("NB-DEMO-102", "Demodorp-Zuid", 2, 3, [(1500, -3000, 5500, 300)]),
        ("NB-DEMO-103", "Demohoeve", 0, 1, [(-5500, 300, -2500, 3000), (-2500, 300, 0, 3000)]),
        ("0", "", 0, 0, [(0, 300, 5500, 3000)])]

# Towns of the scenario: Demodorp (a town with a centre in "gemengd gebied"), Demohoeve (a hamlet)
DEMODORP = dict(x=4000.0, y=1600.0, sigma=450.0, radius=1100.0, woningen=1500, min_y=380.0)
GEMENGD = dict(x=4300.0, y=1500.0, r=1000.0)      # centrum Demodorp
RUSTIG = dict(x=4000.0, y=1600.0, r=1800.0)
STREET = [(x, 345.0) for x in np.arange(3450, 4200, 100)]    # houses 95 m north of 900006
HAMLET = [(x, 900.0) for x in np.arange(-4600, -4150, 100)]  # houses 400 m north of 900009
SCHOOL = (4550.0, 1500.0)                                     # onderwijsfunctie, 150 m from 900007
BEDRIJFSWONINGEN = [("900006", 1), ("900006", 3), ("900010", 0)]  # (rin, kavel column)


def _abs(xy):
    return (OX + xy[0], OY + xy[1])


def terrein_table() -> pd.DataFrame:
    """One row per scenario terrein polygon (900007 is drawn as two polygons)."""
    rows = []
    for t in TERREINEN:
        x0, y0, x1, y1 = t["box"]
        parts = [(x0, y0, x1, y1)]
        if "split_x" in t:
            parts = [(x0, y0, t["split_x"], y1), (t["split_x"], y0, x1, y1)]
        for p in parts:
            rows.append(dict(rin=t["rin"], naam=t["naam"], kern=t["kern"], gm=t["gm"], wloc=t["wloc"],
                             cat=t["cat"], water=t["water"], spoor=t["spoor"],
                             duplicate=t.get("duplicate", False), tottuit_null=t.get("tottuit_null", False),
                             first_year=t.get("years", (2021,))[0],
                             geometry=shapely.box(OX + p[0], OY + p[1], OX + p[2], OY + p[3])))
    return pd.DataFrame(rows)


def kavel_table() -> pd.DataFrame:
    """The scenario's kavels with role, target GSI and zoning text."""
    out = []
    for t in TERREINEN:
        x0, y0, x1, y1 = t["box"]
        nx, ny = t["grid"]
        boxes, col, row = grid_cells(OX + x0, OY + y0, OX + x1, OY + y1, nx, ny)
        roles = [r.split() for r in t["rows"]]
        for k, (b, c, r) in enumerate(zip(boxes, col, row)):
            role = roles[r][c]
            zoning = next(((text, pct) for cols, text, pct in t["vlakken"]
                           if cols is None or cols[0] <= c <= cols[1]), (None, None))
            out.append(dict(kavel_id=f"K{t['rin']}-{k + 1:03d}", rin=t["rin"], col=int(c), row=int(r),
                            role=role, gsi=0.0 if role == "vrij" else t["gsi_by_role"].get(role, t["gsi"]),
                            vlak_text=zoning[0], vlak_pct=zoning[1],
                            has_vlak=bool(t["vlakken"]), geometry=b))
    return pd.DataFrame(out)


QUAY_INSET = 0.5  # m off both ends: a quay in front of one kavel must not reach its neighbours' corners


def quay_table() -> pd.DataFrame:
    """The scenario's BGT lines, each QUAY_INSET shorter at both ends.

    Why the inset: a quay counts for its nearest kavel, and a quay exactly as long as the kavel it fronts is
    as near to both neighbours (at its ends) as to that kavel; which one wins is then down to rounding.
    """
    rows = []
    for n, layer, t, *points in QUAYS:  # a few dozen hand-made lines
        xy = np.array([_abs(p) for p in points], dtype=float)
        for end, nxt in ((0, 1), (-1, -2)):
            step = xy[nxt] - xy[end]
            xy[end] += step / np.hypot(*step) * QUAY_INSET
        rows.append(dict(name=n, layer=layer, bgt_type=t, geometry=shapely.linestrings(xy)))
    return pd.DataFrame(rows)


def sidings():
    return [(service, shapely.linestrings([_abs(p) for p in pts])) for service, pts in SIDINGS]


def ramps():
    return [(road, soort, shapely.points(*_abs(p))) for road, soort, p in RAMPS]


def grid_areas() -> pd.DataFrame:
    rows = []
    for gid, name, afname, opwek, boxes in GRID:
        for b in boxes:
            rows.append(dict(gid=gid, name=name, afname=afname, opwek=opwek,
                             geometry=shapely.box(OX + b[0], OY + b[1], OX + b[2], OY + b[3])))
    return pd.DataFrame(rows)


def crafted_houses():
    """Houses at fixed places: the street next to 900006 and the hamlet next to 900009 (10 x 8 m)."""
    pts = np.array([_abs(p) for p in STREET + HAMLET])
    n = len(pts)
    return rectangles(pts[:, 0], pts[:, 1], np.full(n, 10.0), np.full(n, 8.0), np.zeros(n)), pts


def school():
    x, y = _abs(SCHOOL)
    return rectangles(np.array([x]), np.array([y]), np.array([60.0]), np.array([40.0]), np.zeros(1))[0], (x, y)
