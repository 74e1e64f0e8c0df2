"""A small, fabricated set of processed files matching docs/contract.md, for the export tests.

`make_processed(folder)` writes terreinen_strategisch, kavels_indicatoren, kades_status,
milieuruimte_contouren, the canonical layers and ingest_bronnen.json for a handful of fictitious terreinen
(EPSG:28992), so the exports can be tested without running the earlier stages.
"""
from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import numpy as np
from shapely.geometry import LineString, MultiPolygon, Point, box

from pipeline import catalogue
from pipeline.analyse.clusters import outlines
from pipeline.crs import WORKING_CRS
from pipeline.config import CRITERIA
from pipeline.regios import add_gemeente_regio

TERREINEN = [
    # rin, naam, gemeente, x0, y0, w, h, vlag, grensgeval, stabiliteit
    ("NB-001", "Haven Noord", "GM0772", 155000, 385000, 900, 600, True, False, 0.97),
    ("NB-002", "De Hurk", "GM0772", 157000, 385500, 700, 500, True, True, 0.62),
    ("NB-003", "Kraaiven", "GM0855", 133000, 397000, 800, 700, False, False, 0.02),
    ("NB-004", "Loven", "GM0855", 131000, 398500, 500, 400, True, False, 0.88),
    ("NB-005", "Vossenberg", "GM0855", 129500, 396000, 600, 600, False, True, 0.35),
    ("NB-006", "Onbekend Veld", "GM0000", 170000, 410000, 400, 300, False, False, 0.0),
]


def _terreinen() -> gpd.GeoDataFrame:
    rng = np.random.default_rng(7)
    rows = []
    for i, (rin, naam, gm, x0, y0, w, h, vlag, grens, stab) in enumerate(TERREINEN):
        geom = MultiPolygon([box(x0, y0, x0 + w, y0 + h)])
        ha = w * h / 1e4
        row = {
            "rin_nummer": rin, "naam": naam, "gemeente_code": gm, "kern": naam.split()[0], "provincie": "Noord-Brabant",
            "jaar": 2024, "ha_bruto": ha, "ha_netto": ha * 0.8, "ha_uitgeefbaar": round(ha * 0.1 * (i % 3), 2),
            "wloc_type": ["A", "B", "C1", "X", "B1", "C2"][i], "max_milieucategorie": str(3 + i % 3),
            "water_ontsluiting": i in (0, 3), "spoor_ontsluiting": i == 0,
            "aantal_kavels": 2, "kavels_bron": "kavellaag",
        }
        for v in (41, 42, 51):
            row[f"ha_hmc_{v}"] = round(ha * 0.5 / (1 + (v - 41) / 10), 2)
            row[f"ha_hmc_{v}_niet_hmc"] = round(ha * 0.1, 2)
            row[f"ha_hmc_{v}_vacant"] = round(ha * 0.05 * (i % 2), 2)
        row.update({
            "ha_niet_waarmaakbaar": 0.5 * i, "cat_potentie_max": ["5.1", "4.2", "3.2", "4.1", "3.1", None][i],
            "kade_m": 300.0 * (i in (0, 3)), "kade_benut_m": 100.0 * (i in (0, 3)),
            "kade_onbenut_m": 150.0 * (i in (0, 3)), "kade_vrij_m": 50.0 * (i == 0), "kade_onbekend_m": 0.0,
            "cemt_beste": "Va" if i in (0, 3) else None, "cemt_bereikbaar": "IV" if i in (0, 3) else None,
            "footprint_m2": ha * 3000.0, "gsi": 0.3, "onbenut_bebouwing_m2": ha * 5000.0, "aantal_onderbenut": i % 2,
            "ha_onderbenut": 0.7 * (i % 2), "aandeel_aangenomen": 0.5,
        })
        # the register totals of the vestigingen written by make_processed (two per terrein, on kavel K1)
        hmc, kade = i in (0, 1), i in (0, 3)
        row.update({"vestigingen_aantal": 2, "register_aantal": int(hmc or kade or i == 2),
                    "register_hmc_aantal": int(hmc), "register_hmc_ha": round(ha / 2, 2) if hmc else 0.0,
                    "register_kade_aantal": int(kade), "register_kade_m": 150.0 if kade else 0.0,
                    "register_laag_aantal": int(i == 2), "register_laag_ha": round(ha / 2, 2) if i == 2 else 0.0})
        for richting in ("afname", "invoeding"):
            shares = rng.dirichlet(np.ones(5))
            for s, share in zip(["groen", "geel", "oranje", "rood", "onbekend"], shares):
                row[f"{richting}_aandeel_{s}"] = float(share)
            row[f"{richting}_dominant"] = ["groen", "geel", "oranje", "rood", "onbekend"][int(np.argmax(shares))]
        row.update({"afname_beschikbaar_mw": 2.5, "afname_wachtrij_mw": 10.0, "invoeding_beschikbaar_mw": float("nan"),
                    "invoeding_wachtrij_mw": 4.0})
        row.update({
            "potentie_milieuruimte_ha": row["ha_hmc_41_niet_hmc"] + row["ha_hmc_41_vacant"],
            "potentie_kades_m": row["kade_onbenut_m"] + row["kade_vrij_m"],
            "potentie_bebouwing_m2": row["onbenut_bebouwing_m2"], "potentie_uitgeefbaar_ha": row["ha_uitgeefbaar"],
        })
        score = [0.82, 0.61, 0.20, 0.55, 0.41, 0.05][i]
        for c in CRITERIA:
            norm = float(rng.uniform(0, 1))
            row.update({f"{c}_ruw": norm * 100, f"{c}_norm": norm, f"{c}_gewicht": 1 / len(CRITERIA),
                        f"{c}_bijdrage": norm / len(CRITERIA), f"{c}_sterk": norm > 0.6})
        row.update({
            "kade_water_m": 300.0 * (i in (0, 3)), "water_klasse": "IV" if i in (0, 3) else None,
            "afstand_spoor_m": 200.0 + 1000 * i, "afstand_oprit_m": 500.0,
            "ontsluiting_water": i in (0, 3), "ontsluiting_spoor": i == 0, "ontsluiting_weg": True,
            "aantal_modaliteiten": 3 if i == 0 else (2 if i == 3 else 1),
            "modaliteiten": "water, spoor, weg" if i == 0 else ("water, weg" if i == 3 else "weg"),
            "cluster_id": 1 if i in (0, 1) else (2 if i in (2, 3, 4) else 3),
            "cluster_aantal": 2 if i in (0, 1) else (3 if i in (2, 3, 4) else 1),
            "cluster_ha": 90.0, "cluster_aandeel_hmc": 0.4, "cluster_aandeel_water": 0.3,
            "aantal_sterk": [3, 2, 0, 2, 1, 0][i], "zeef": i in (0, 1, 3, 4),
            "zeef_reden": "zeef gehaald: water sterk" if i in (0, 1, 3, 4) else "geen sterke water-, milieuruimte- of multimodale kwaliteit",
            "score": score, "vlag": vlag, "vlag_tak": ["beide", "sterk", None, "sterk", None, None][i],
            "waarom": f"{naam}: kade {300 * (i in (0, 3))} m aan CEMT Va; {round(ha * 0.5, 1)} ha HMC-ruimte",
            "flag_stabiliteit": stab, "grensgeval": grens,
        })
        # the typology: NB-001 beschermen en benutten, NB-002 and NB-004 beschermen, NB-003 benutten /
        # herstructureren, NB-005 and NB-006 regulier
        onder = i in (0, 2)
        typ = ("beschermen en benutten" if vlag and onder else "beschermen" if vlag else
               "benutten / herstructureren" if onder else "regulier")
        row.update({"aandeel_hmc_onbenut": 0.3 if onder else 0.1, "aandeel_kade_onbenut": 0.5 if i in (0, 3) else None,
                    "aandeel_uitgeefbaar": 0.1 * (i % 3), "benutting": "onderbenut" if onder else "goed benut",
                    "typologie": typ, "typologie_reden": f"{'strategisch' if vlag else 'niet strategisch'}; test",
                    "typologie_actie": f"actie {typ}"})
        row["geometry"] = geom
        rows.append(row)
    frame = add_gemeente_regio(gpd.GeoDataFrame(rows, geometry="geometry", crs=WORKING_CRS))
    for c in CRITERIA:
        raw = frame[f"{c}_ruw"].where(frame[f"{c}_ruw"] > 0)
        frame[f"{c}_rang_regio"] = raw.groupby(frame["regio"]).rank(ascending=False, method="min").astype("Int64")
        frame[f"{c}_rang_provincie"] = raw.rank(ascending=False, method="min").astype("Int64")
    frame["regio_aantal"] = frame["regio"].map(frame["regio"].value_counts()).astype(int)
    frame["rang_kwaliteiten"] = "kademeters: " + frame["water_rang_regio"].astype(str) + "e van " + \
        frame["regio_aantal"].astype(str) + " in " + frame["regio"]
    frame["rang"] = frame["score"].rank(ascending=False, method="first").astype(int)
    frame["rangband"] = np.select([frame["rang"] <= 1, frame["rang"] <= 2, frame["rang"] <= 3],
                                  ["top 10%", "10-25%", "25-50%"], "onderste 50%")
    for col in ("cemt_beste", "cemt_bereikbaar", "cat_potentie_max", "zeef_reden", "vlag_tak"):
        frame[col] = frame[col].astype("string")
    return frame


def _register(terreinen: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Two vestigingen per terrein on kavel K1, classified consistently with the register_* totals."""
    rows = []
    for i, t in enumerate(terreinen.itertuples()):
        x0, y0, x1, y1 = t.geometry.bounds
        ha = (x1 - x0) * (y1 - y0) / 1e4
        hmc, kade, laag = t.register_hmc_aantal > 0, t.register_kade_aantal > 0, t.register_laag_aantal > 0
        klasse = ("HMC-kavel, geen HMC nodig" if hmc else "kadekavel, niet watergebonden" if kade
                  else "lage categorie op bedrijventerrein" if laag else "passend")
        for j, (sbi, cmin, cmax) in enumerate([("46.90", "2", "3.1"), ("24.10", "5.3", "6")]):
            first = j == 0
            rows.append({
                "vestiging_id": f"V{i}{j}", "naam": f"Demo {i}{j} B.V.", "sbi_code": sbi, "werkzame_personen": 10.0,
                "kavel_id": f"{t.rin_nummer}-K1", "rin_nummer": t.rin_nummer, "terrein_naam": t.naam,
                "sbi_groep": sbi.replace(".", "")[:3], "sbi_omschrijving": "Groothandel" if first else "Staal",
                "sbi_rijen": "145" if first else "100", "cat_min": cmin, "cat_max": cmax, "sbi_bron": "onbevestigd",
                "sbi_bevestigd": False, "sbi_tabel": "ingebouwd", "hmc_nodig": "nee" if first else "ja",
                "watergebonden": not first, "kavel_cat_potentie": "5.1", "kavel_hmc_mogelijk": True,
                "kavel_kade_m": 300.0 if kade else 0.0, "bezet_hmc": hmc and first, "bezet_kade": kade and first,
                "lage_categorie": laag and first, "hmc_ha": ha / 2 if hmc and first else 0.0,
                "kade_m": 150.0 if kade and first else 0.0, "laag_ha": ha / 2 if laag and first else 0.0,
                "klasse": klasse if first else "passend", "reden": "test", "geometry": Point(x0 + 10 + j, y0 + 10),
            })
    frame = gpd.GeoDataFrame(rows, crs=WORKING_CRS)
    return frame.sort_values(["kade_m", "hmc_ha", "laag_ha"], ascending=False).reset_index(drop=True)


def make_processed(folder: str | Path) -> dict[str, int]:
    """Write the fabricated processed files into `folder`; return feature counts per file stem."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    terreinen = _terreinen()
    counts: dict[str, int] = {}

    def write(frame, name):
        catalogue.write(frame, name, folder)
        counts[name] = len(frame)

    write(terreinen, "terreinen_strategisch")
    write(outlines(terreinen, 500.0), "clusters")
    base_cols = ["rin_nummer", "naam", "gemeente_code", "kern", "provincie", "jaar", "ha_bruto", "ha_netto",
                 "ha_uitgeefbaar", "wloc_type", "max_milieucategorie", "water_ontsluiting", "spoor_ontsluiting",
                 "geometry"]
    write(terreinen[base_cols], "terreinen")

    kavels, kades, contouren = [], [], []
    for t in terreinen.itertuples():
        x0, y0, x1, y1 = t.geometry.bounds
        xm = (x0 + x1) / 2
        for j, (a, b) in enumerate([(x0, xm), (xm, x1)]):
            kid = f"{t.rin_nummer}-K{j + 1}"
            area = (b - a) * (y1 - y0)
            kavels.append({
                "kavel_id": kid, "rin_nummer": t.rin_nummer, "oppervlakte_m2": area, "afstand_gevoelig_m": 250.0 + j,
                "omgevingstype": "rustige woonwijk", "cat_afstand": "4.2", "cat_plan": "4.1",
                "cat_plan_bron": "milieuzone", "cat_potentie": "4.1", "cat_benut": None if j else "3.2",
                "gap_stappen": 2, "niet_waarmaakbaar": False, "hmc_potentie": True, "hmc_benut": False,
                "vacant": bool(j), "watergebonden": False, "footprint_m2": area * 0.3 * (1 - j), "gsi": 0.3 * (1 - j),
                "max_bebouwingspercentage": 80.0, "max_bebouwing_aangenomen": True,
                "onbenut_bebouwing_m2": area * 0.5, "onderbenut": j == 0, "kade_m": 100.0 * j,
                "gevoelig_vbo_id": f"VBO-{t.rin_nummer}", "gevoelig_gebruiksdoel": "woonfunctie",
                "cat_plan_zone_id": f"Z-{t.rin_nummer}",
                "cat_plan_omschrijving": "bedrijf tot en met categorie 4.1", "aantal_vestigingen": 1 - j,
                "onbenutte_hmc_ha": area / 1e4, "kade_status": "onbenut" if j else None,
                **{f"{r}_aandeel_{s}": float(s == "rood") for r in ("afname", "invoeding")
                   for s in ("groen", "geel", "oranje", "rood", "onbekend")},
                "geometry": MultiPolygon([box(a, y0, b, y1)]),
            })
        if t.kade_m > 0:
            for j, status in enumerate(["benut", "onbenut", "vrij"]):
                kades.append({"kade_id": f"{t.rin_nummer}-Q{j + 1}", "kavel_id": f"{t.rin_nummer}-K2",
                              "rin_nummer": t.rin_nummer, "lengte_m": 100.0, "bgt_type": "kademuur",
                              "betrouwbaarheid": "hoog", "vaarweg_id": "V1", "cemt_klasse": "Va",
                              "cemt_bereikbaar": "IV", "status": status,
                              "geometry": LineString([(x0 + 100 * j, y0 - 5), (x0 + 100 * (j + 1), y0 - 5)])})
        for j, cat in enumerate(["3.2", "4.1", "4.2", "5.1"]):
            shrink = 40 * (j + 1)
            contouren.append({"categorie": cat, "omgevingstype": "rustige woonwijk", "rin_nummer": t.rin_nummer,
                              "geometry": MultiPolygon([box(x0 + shrink, y0 + shrink, x1 - shrink, y1 - shrink)])})
    kavels = gpd.GeoDataFrame(kavels, crs=WORKING_CRS)
    for col in ("cat_benut", "kade_status"):
        kavels[col] = kavels[col].astype("string")
    write(kavels, "kavels_indicatoren")
    write(_register(terreinen), "vestigingen_register")
    context = _context(terreinen)
    write(context["verblijfsobjecten_gebruik"], "verblijfsobjecten_gebruik")
    write(kavels[["kavel_id", "rin_nummer", "geometry"]].assign(uitgifte_status=np.where(
        kavels["kavel_id"].str.endswith("K2"), "uitgeefbaar", "uitgegeven"), bron="kavellaag"), "kavels")
    kades = gpd.GeoDataFrame(kades, crs=WORKING_CRS)
    write(kades, "kades_status")
    write(kades[["kade_id", "bgt_type", "betrouwbaarheid", "geometry"]].assign(
        bron="BGT scheiding", geometrie_bron="LineString", conversie="geen"), "kades")
    write(gpd.GeoDataFrame(contouren, crs=WORKING_CRS), "milieuruimte_contouren")

    net = []
    for k, (x0, y0, x1, y1) in enumerate([(125000, 390000, 145000, 405000), (150000, 380000, 175000, 415000)]):
        net.append({"gebied_id": f"G{k + 1}", "gebied_naam": f"Voedingsgebied {k + 1}", "netbeheerder": "Enexis",
                    "afname_status": ["oranje", "rood"][k], "invoeding_status": ["geel", "onbekend"][k],
                    "afname_beschikbaar_mw": 5.0, "invoeding_beschikbaar_mw": float("nan"), "afname_wachtrij_mw": 12.0,
                    "invoeding_wachtrij_mw": 3.0, "afname_wachtrij_aantal": 4.0, "invoeding_wachtrij_aantal": 1.0,
                    "geometry": MultiPolygon([box(x0, y0, x1, y1)])})
    write(gpd.GeoDataFrame(net, crs=WORKING_CRS), "netcapaciteit")
    write(gpd.GeoDataFrame({"vaarweg_id": ["V1"], "naam": ["Kanaal"], "cemt_klasse": ["Va"]},
                           geometry=[LineString([(150000, 384990), (160000, 384990)])], crs=WORKING_CRS), "vaarwegen")
    for name in ("verblijfsobjecten", "panden", "milieuzones", "gemeenten", "provincies"):
        write(context[name], name)

    # what analyse writes about the SBI table(s) (analyse_instellingen.json, key "sbi")
    sbi = {"tabellen": [{"soort": "ingebouwd", "naam": "ingebouwde tabel (VNG 2009)", "pad": "x", "rijen": 182,
                         "rijen_bevestigd": 54}], "vestigingen": 12, "uit_bevestigde_rijen": 0,
           "uit_onbevestigde_rijen": 12, "niet_in_tabel": 0, "per_tabel": {"ingebouwd": 12}, "buiten_kavels": 0}
    (folder / "analyse_instellingen.json").write_text(json.dumps({"instellingen": {"milieuruimte": {"hmc_vanaf": "4.1"}},
                                                                  "sbi": sbi}), encoding="utf-8")

    # the format ingest writes: {"bronnen": [{bron, pad, laag, formaat, sha256, rijen, crs, peildatum, ...}]}
    bronnen = [
        {"bron": "terreinen", "pad": "data/raw/demo/ibis/IBIS_Bedrijventerreinen.gpkg",
         "laag": "IBIS_Bedrijventerreinen", "formaat": "gpkg", "sha256": "ab" * 32, "rijen": 6,
         "peildatum": "2024-01-01", "download_datum": "2026-01-15"},
        {"bron": "netcapaciteit", "pad": "data/raw/demo/netcapaciteit/capaciteitskaart.geojson", "laag": None,
         "formaat": "geojson", "sha256": "cd" * 32, "rijen": 2, "peildatum": "2025-12-01",
         "url": "https://example.org/capaciteitskaart"},
    ]
    (folder / "ingest_bronnen.json").write_text(json.dumps({"bronnen": bronnen}, indent=2), encoding="utf-8")
    return counts


def build_outputs(folder: str | Path, *, achtergrondkaart: bool = True, processen: int | None = None):
    """Fabricate the processed files in `folder`/processed and run the export stage on them.

    Returns (config, summary); maps go to `folder`/maps. Used by the tests and the notebook test.
    """
    from pipeline.config import load_config
    from pipeline import export

    folder = Path(folder)
    make_processed(folder / "processed")
    config = load_config()
    config.paths.processed = folder / "processed"
    config.paths.maps = folder / "maps"
    config.export.achtergrondkaart = achtergrondkaart
    config.export.processen = processen
    summary = export.run(config)
    return config, summary


def _context(terreinen: gpd.GeoDataFrame) -> dict[str, gpd.GeoDataFrame]:
    """Per terrein the dwelling that sets both kavels' distance (250 m and 251 m: 250 m above K1, 22.38 m to the
    left of the kavels' shared corner), a bedrijfswoning on NB-001, panden (an industrial hall on K1, the dwelling,
    a shed without address), the zoning plot and a geluidzone; the gemeente- and provinciegrenzen are the packaged
    CBS borders around the terreinen."""
    vbo, panden, zones = [], [], []
    for t in terreinen.itertuples():
        x0, y0, x1, y1 = t.geometry.bounds
        xm, rin = (x0 + x1) / 2, t.rin_nummer
        house = Point(xm - (251 ** 2 - 250 ** 2) ** 0.5, y1 + 250)
        vbo += [{"vbo_id": f"VBO-{rin}", "gebruiksdoel": "woonfunctie", "gevoelig": True, "geometry": house,
                 "gevoelig_doel": True, "bedrijfswoning": False, "rin_nummer": None, "kavels_dichtstbij": 2},
                {"vbo_id": f"VBO-{rin}-hal", "gebruiksdoel": "industriefunctie,kantoorfunctie", "gevoelig": False,
                 "geometry": Point(x0 + 50, y0 + 50)}]
        panden += [{"pand_id": f"P-{rin}-hal", "bouwjaar": 1990, "status": "Pand in gebruik",
                    "geometry": box(x0 + 20, y0 + 20, xm - 20, y0 + 20 + 0.3 * (y1 - y0))},
                   {"pand_id": f"P-{rin}-woning", "bouwjaar": 1965, "status": "Pand in gebruik",
                    "geometry": house.buffer(6, cap_style="square")},
                   {"pand_id": f"P-{rin}-schuur", "bouwjaar": None, "status": "Pand in gebruik",
                    "geometry": box(xm + 30, y1 - 40, xm + 45, y1 - 25)}]
        zones.append({"zone_id": f"Z-{rin}", "soort": "bestemmingsvlak", "max_milieucategorie": "4.1",
                      "max_bebouwingspercentage": 80.0, "omschrijving": "bedrijf tot en met categorie 4.1",
                      "geometry": t.geometry})
    first = terreinen.geometry.iloc[0].bounds
    vbo.append({"vbo_id": "VBO-NB-001-bw", "gebruiksdoel": "woonfunctie", "gevoelig": False, "gevoelig_doel": True,
                "bedrijfswoning": True, "rin_nummer": "NB-001", "kavels_dichtstbij": 0,
                "geometry": Point(first[2] - 30, first[3] - 30)})
    zones.append({"zone_id": "GZ-1", "soort": "geluidzone", "max_milieucategorie": None,
                  "max_bebouwingspercentage": None, "omschrijving": "geluidzone industrieterrein",
                  "geometry": terreinen.geometry.iloc[0].buffer(300)})
    vbo = gpd.GeoDataFrame(vbo, crs=WORKING_CRS)
    used = vbo[~vbo["vbo_id"].str.endswith("-hal")].reset_index(drop=True)  # the gevoelige objecten
    return {"verblijfsobjecten": vbo[["vbo_id", "gebruiksdoel", "gevoelig", "geometry"]],
            "verblijfsobjecten_gebruik": used,
            "panden": gpd.GeoDataFrame(panden, crs=WORKING_CRS).astype({"bouwjaar": "Int64"}),
            "milieuzones": gpd.GeoDataFrame(zones, crs=WORKING_CRS), **_borders(terreinen)}


def _borders(terreinen: gpd.GeoDataFrame) -> dict[str, gpd.GeoDataFrame]:
    from pipeline.ingest.grenzen import packaged
    area = terreinen.union_all().buffer(15_000)
    g = gpd.read_file(packaged("gemeenten"))
    g = g[g.intersects(area)].rename(columns={"statcode": "gemeente_code", "statnaam": "gemeente_naam",
                                               "provincie": "provincie_naam"})
    p = gpd.read_file(packaged("provincies"))
    p = p.rename(columns={"statcode": "provincie_code", "statnaam": "provincie_naam"})
    return {"gemeenten": g.reset_index(drop=True), "provincies": p.reset_index(drop=True)}


def expand_columns(collection: dict) -> dict:
    """A FeatureCollection written by columns (kaartdata.features by_column) as plain GeoJSON: each feature's
    properties rebuilt from its values, missing values left out (what opmaak.js uitpakken does in the page)."""
    if "velden" not in collection:
        return collection
    names = collection["velden"]
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": f["geometry"],
         "properties": {k: v for k, v in zip(names, f["waarden"]) if v is not None}} for f in collection["features"]]}


def unpacked(data: dict) -> dict:
    """A page's data with its layers written by columns made plain GeoJSON, as the page does on loading."""
    return {k: expand_columns(v) if isinstance(v, dict) else v for k, v in data.items()}
