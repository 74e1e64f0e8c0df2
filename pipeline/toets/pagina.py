"""The toets as plain data (the JSON file) and as a Dutch offline page (template toets.html with toets.js).

The page is rendered by the one jinja2 environment of the exports (pipeline/export/paginas.py): Leaflet inlined
from xstatic-leaflet, the map data as one JSON value, no network request; map features go through the exports'
`features` (simplified in EPSG:28992, then EPSG:4326, rounded).
"""
from __future__ import annotations

import json

import geopandas as gpd
import pandas as pd
import shapely

from pipeline import __version__
from pipeline.analyse._geo import geoms
from pipeline.categories import MILIEUCATEGORIEEN, milieucategorie_rank
from pipeline.crs import WORKING_CRS
from pipeline.export.kaartdata import features
from pipeline.export.paginas import leaflet_css, leaflet_js, render
from pipeline.export.report import nl
from pipeline.io import atomic_path
from pipeline.toets import verlies, vervanging

KLEUREN = {"terrein": "#000000", "omgezet": "#d7191c", "overig": "#bababa", "buren": "#fdae61", "zone": "#7b3294",
           "kades_weg": "#d7191c", "hmc": "#1a9641", "kade": "#2b83ba", "terreinen": "#1a9641"}


def _records(frame: pd.DataFrame) -> list[dict]:
    return [{k: verlies.plain(v) for k, v in row.items()} for row in frame.to_dict("records")]


def _share(ranked: pd.DataFrame, same_only: bool) -> float | None:
    """The share of the loss all candidates (of the region, or of the province) cover together."""
    if not len(ranked):
        return 0.0
    part = ranked[ranked["zelfde_regio"]] if same_only else ranked
    return float(part["cumulatief"].iloc[-1]) if len(part) else 0.0


def _dekking(k: dict, after: pd.DataFrame, regio: str, lost: dict) -> dict:
    """Per kind of capacity lost: the share the candidates of the region and of the province cover together (None
    for a kind nothing of is lost)."""
    uitg = after["ha_uitgeefbaar"].astype(float).fillna(0.0)
    in_regio = float(uitg[after["regio"].astype(str) == regio].sum())
    lost_ha = lost["terrein"]
    out = {name: {"regio": _share(k[name], True), "provincie": _share(k[name], False)} if lost[name] > 0 else
           {"regio": None, "provincie": None} for name in ("hmc", "kade")}
    out["terrein"] = ({"regio": min(in_regio, lost_ha) / lost_ha, "provincie": min(float(uitg.sum()), lost_ha) / lost_ha}
                      if lost_ha > 0 else {"regio": None, "provincie": None})
    return out


def _varianten(hmc: pd.DataFrame, varianten: list[str]) -> dict:
    rank = milieucategorie_rank(hmc["categorie"])
    return {f"≥ {v}": float(hmc["totaal"].to_numpy(float)[rank >= MILIEUCATEGORIEEN.index(v)].sum()) for v in varianten}


def _buren_per_terrein(buren: list[dict]) -> list[dict]:
    if not buren:
        return []
    frame = pd.DataFrame(buren)
    g = frame.groupby(["rin_nummer", "terrein"], dropna=False)
    out = g.agg(kavels=("kavel_id", "count"), potentie_lager=("potentie_lager", "sum"), ha=("ha", "sum"),
                hmc_verloren_ha=("hmc_verloren_ha", "sum"))
    return _records(out.reset_index().sort_values(["hmc_verloren_ha", "rin_nummer"], ascending=[False, True]))


def result(config, *, rin, transformed, geheel, woningen, invoer, loss, before, after, regio, buren, demand_hmc,
           kandidaten, n) -> dict:
    """Every number of the page, as plain data (the JSON file)."""
    t = before[before["rin_nummer"].astype(str) == rin].iloc[0]
    m = config.analyse.milieuruimte
    lost = {"hmc_per_categorie": _records(loss["hmc"]), "hmc_ha": float(loss["hmc"]["totaal"].sum()),
            "hmc_varianten": _varianten(loss["hmc"], m.hmc_varianten), "kade_per_klasse": _records(loss["kade"]),
            "kade_m": float(loss["kade"]["totaal"].sum()), "kade_water_m": loss["kade_water_m"],
            "netcapaciteit": loss["netcapaciteit"]}
    out = {
        "titel": f"Transformatie-toets {t['naam'] if pd.notna(t['naam']) else rin} ({rin})",
        "terrein": {"rin_nummer": rin, "naam": verlies.plain(t["naam"]), "gemeente": verlies.plain(t["gemeente_naam"]),
                    "regio": regio, "ha_bruto": verlies.plain(t["ha_bruto"]), "aantal_kavels": int(t["aantal_kavels"])},
        "omzetting": {"kavels": transformed, "aantal": len(transformed), "ha": loss["ha"], "geheel": geheel,
                      "woningen": woningen},
        "verlies": lost, "terrein_voor_na": verlies.terrein_voor_na(before, after, rin),
        "voorraad": verlies.voorraad(before, after, regio, config),
        "woningen": {"berekend": woningen, "reikwijdte_m": float(max(m.richtafstanden_rustig.values())),
                     "marge_m": config.toets.woningen_marge_m, "kavels": buren,
                     "per_terrein": _buren_per_terrein(buren),
                     "hmc_verloren_ha": float(sum(b["hmc_verloren_ha"] for b in buren))},
        "andere_terreinen": verlies.andere_veranderingen(before, after, rin),
        "vervanging": {"vraag_hmc": _records(demand_hmc),
                       **{k: _records(vervanging.blocks(v, n)) for k, v in kandidaten.items()},
                       "dekking": _dekking(kandidaten, after, regio, {
                           "hmc": float(demand_hmc["totaal"].sum()), "kade": lost["kade_m"], "terrein": loss["ha"]}),
                       "max_kandidaten": n},
        "instellingen": {"configuratie": str(config.config_path) if config.config_path else None,
                         "hmc_vanaf": m.hmc_vanaf, "water_min_klasse": config.analyse.kades.water_min_klasse,
                         "woningen_marge_m": config.toets.woningen_marge_m, "max_kandidaten": n,
                         "software_versie": __version__},
    }
    out["conclusie"] = conclusions(out)
    return out


def _pct(v) -> str:
    return "–" if v is None else nl(100 * v, 0) + "%"


def conclusions(r: dict) -> list[str]:
    """The page's first lines: what goes, what it costs, what it does to the flag and the region, where to replace."""
    o, v, t = r["omzetting"], r["verlies"], r["terrein"]
    lines = [(f"Het hele terrein ({nl(o['ha'], 1)} ha, {o['aantal']} kavels)" if o["geheel"] else
              f"{o['aantal']} kavel(s), {nl(o['ha'], 1)} ha van {nl(t['ha_bruto'], 1)} ha bruto")
             + " verliest de functie bedrijventerrein" + (" en wordt woongebied." if o["woningen"] else ".")]
    lines.append(f"Verloren strategische capaciteit: {nl(v['hmc_ha'], 1)} ha HMC-ruimte, {nl(v['kade_m'], 0)} m kade "
                 f"(waarvan {nl(v['kade_water_m'], 0)} m aan bereikbare klasse ≥ {r['instellingen']['water_min_klasse']}).")
    vn = r["terrein_voor_na"]
    if vn["na"] is None:
        lines.append(f"Het terrein verdwijnt; het was {'strategisch' if vn['voor']['vlag'] else 'niet strategisch'} "
                     f"({vn['voor']['typologie']}).")
    else:
        lines.append(f"Vlag: {_ja(vn['voor']['vlag'])} → {_ja(vn['na']['vlag'])}; typologie: "
                     f"{vn['voor']['typologie']} → {vn['na']['typologie']}.")
    for row in r["voorraad"][:2]:
        if row["regio_voor"] > 0 and row["regio_na"] < row["regio_voor"]:
            lines.append(f"Regio {t['regio']}: {row['post']} {nl(row['regio_voor'], 0)} → {nl(row['regio_na'], 0)} "
                         f"{row['eenheid']} (−{_pct(1 - row['regio_na'] / row['regio_voor'])}).")
    w = r["woningen"]
    if w["berekend"]:
        lager = sum(k["potentie_lager"] for k in w["kavels"])
        lines.append(f"De nieuwe woningen verlagen de categorie volgens afstand van {len(w['kavels'])} kavel(s) binnen "
                     f"{nl(w['reikwijdte_m'], 0)} m, bij {lager} daarvan ook de mogelijke categorie; "
                     f"{nl(w['hmc_verloren_ha'], 1)} ha HMC-ruimte gaat daardoor verloren.")
    d = r["vervanging"]["dekking"]
    what = {"hmc": f"de {nl(sum(x['totaal'] for x in r['vervanging']['vraag_hmc']), 1)} ha HMC-ruimte",
            "kade": f"de {nl(v['kade_m'], 0)} m kade", "terrein": f"de {nl(o['ha'], 1)} ha terrein (uitgeefbaar)"}
    parts = [(what[k], d[k]) for k in ("hmc", "kade", "terrein") if d[k]["regio"] is not None]
    if parts:
        lines.append("Vervangende ruimte dekt " + "; ".join(
            f"{w}: {_pct(x['regio'])} in {t['regio']}, {_pct(x['provincie'])} in de provincie" for w, x in parts) + ".")
    return lines


def _fc(frame: gpd.GeoDataFrame, columns: list[str], decimals: int) -> dict:
    return features(frame, [c for c in columns if c in frame.columns], 0.5, decimals)


def map_layers(config, invoer, *, rin, transformed, zone, buren, after, shown) -> dict:
    """The page's GeoJSON layers (EPSG:4326): the terrein, what goes, the dwellings' reach and who it hits, the
    candidates shown in the tables."""
    dec = config.export.kaart_decimalen
    k, t = invoer.kavels, invoer.terreinen
    gone = k["kavel_id"].astype(str).isin(transformed)
    kcols = ["kavel_id", "rin_nummer", "cat_potentie", "cat_benut", "vacant", "oppervlakte_m2"]
    layers = {"terrein": _fc(t[t["rin_nummer"].astype(str) == rin], ["rin_nummer", "naam"], dec),
              "omgezet": _fc(k[gone], kcols, dec),
              "overig": _fc(after.kavels[after.kavels["rin_nummer"].astype(str) == rin], kcols, dec),
              "kades_weg": _fc(invoer.kades[invoer.kades["kavel_id"].astype(str).isin(transformed)],
                               ["kade_id", "lengte_m", "cemt_bereikbaar", "status"], dec)}
    if zone is not None and not shapely.is_empty(zone):
        reach = max(config.analyse.milieuruimte.richtafstanden_rustig.values())
        ring = gpd.GeoDataFrame({"naam": ["reikwijdte woningen"]}, geometry=[shapely.buffer(zone, reach)],
                                crs=WORKING_CRS)
        layers["zone"] = features(ring, ["naam"], 5.0, dec)
        ids = [b["kavel_id"] for b in buren]
        sel = after.kavels[after.kavels["kavel_id"].astype(str).isin(ids)]
        layers["buren"] = _fc(sel.assign(cat_voor=sel["kavel_id"].astype(str).map(
            {b["kavel_id"]: b["cat_potentie_voor"] for b in buren})), ["kavel_id", "rin_nummer", "cat_voor",
                                                                        "cat_potentie"], dec)
    layers.update(_candidate_layers(shown, after, dec))
    return layers


def _candidate_layers(shown: dict, after, dec: int) -> dict:
    kv = after.kavels.set_index(after.kavels["kavel_id"].astype(str))
    hmc = shown["hmc"]
    h = gpd.GeoDataFrame(hmc[["rang", "kavel_id", "terrein", "categorie", "ha"]].reset_index(drop=True),
                         geometry=geoms(kv.loc[hmc["kavel_id"].astype(str)]) if len(hmc) else [], crs=WORKING_CRS)
    kade = shown["kade"]
    q = after.kades.merge(kade[["kavel_id", "klasse", "status", "rang"]],
                          left_on=["kavel_id", "cemt_bereikbaar", "status"], right_on=["kavel_id", "klasse", "status"])
    ts = after.strategisch.set_index(after.strategisch["rin_nummer"].astype(str))
    tr = shown["terreinen"]
    tg = gpd.GeoDataFrame(tr[["rang", "rin_nummer", "naam"]].reset_index(drop=True),
                          geometry=geoms(ts.loc[tr["rin_nummer"].astype(str)]) if len(tr) else [], crs=WORKING_CRS)
    return {"hmc": _fc(h, ["rang", "kavel_id", "terrein", "categorie", "ha"], dec),
            "kade": _fc(gpd.GeoDataFrame(q, geometry=q.geometry.name, crs=WORKING_CRS),
                        ["rang", "kavel_id", "klasse", "status", "lengte_m"], dec),
            "terreinen": features(tg, ["rang", "rin_nummer", "naam"], 5.0, dec)}


def render_page(r: dict, layers: dict) -> str:
    data = {"lagen": layers, "kleuren": KLEUREN}
    return render("toets.html", r=r, data=data, nl=nl, pct=_pct, leaflet_js=leaflet_js(), leaflet_css=leaflet_css())


def write(r: dict, layers: dict, *, html, json_path) -> None:
    with atomic_path(json_path) as tmp:
        tmp.write_text(json.dumps(r, ensure_ascii=False, indent=1, allow_nan=False), encoding="utf-8")
    with atomic_path(html) as tmp:
        tmp.write_text(render_page(r, layers), encoding="utf-8")


def _ja(v: bool) -> str:
    return "strategisch" if v else "niet strategisch"


def summary(r: dict) -> dict:
    """The CLI's table: the headline numbers."""
    vn, d, v = r["terrein_voor_na"], r["vervanging"]["dekking"], r["verlies"]
    out = {"terrein": f"{r['terrein']['naam']} ({r['terrein']['rin_nummer']}), {r['terrein']['regio']}",
           "omgezet": f"{r['omzetting']['aantal']} kavel(s), {r['omzetting']['ha']:.1f} ha"
                      + (" (hele terrein)" if r["omzetting"]["geheel"] else ""),
           "HMC-ruimte verloren (ha)": v["hmc_ha"], "kade verloren (m)": v["kade_m"],
           "vlag voor": _ja(vn["voor"]["vlag"]), "vlag na": "terrein verdwijnt" if vn["na"] is None else
           _ja(vn["na"]["vlag"]),
           "typologie na": "terrein verdwijnt" if vn["na"] is None else vn["na"]["typologie"]}
    if r["woningen"]["berekend"]:
        out["kavels lagere categorie (woningen)"] = (f"{len(r['woningen']['kavels'])} volgens afstand, "
                                                     f"{sum(k['potentie_lager'] for k in r['woningen']['kavels'])} "
                                                     "mogelijke categorie")
        out["HMC-ruimte verloren door woningen (ha)"] = r["woningen"]["hmc_verloren_ha"]
    for name in ("hmc", "kade", "terrein"):
        out[f"dekking {name} regio / provincie"] = f"{_pct(d[name]['regio'])} / {_pct(d[name]['provincie'])}"
    out["andere terreinen met andere vlag of typologie"] = len(r["andere_terreinen"])
    return out
