"""The offline page maps/zoek.html ("Zoek een plek"): the profile as a form over the run's available kavels,
embedded in the page; results listed and highlighted on the map; no server, no network.

Written by the export stage (with the other pages, as one set). The page embeds the table of tabel.py (the same
whole numbers `pipeline zoek` computes with), the neighbours, the usable quays, the terreinen, the SBI groups of
the run's SBI table(s) and the zoek settings; zoek.js implements groepen.py, regels.py and rangorde.py, so the
page lists exactly what `pipeline zoek` lists for the same profile (tests/test_zoek_browser.py).
"""
from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np

from pipeline.analyse.sbi import normalise_sbi, sbi_tabellen
from pipeline.categories import CEMT_KLASSEN, MILIEUCATEGORIEEN, NET_STATUSSEN
from pipeline.export.kaartdata import features, map_bounds
from pipeline.export.paginas import leaflet_css, leaflet_js, render
from pipeline.io import atomic_path
from pipeline.zoek import tabel as tabel_mod
from pipeline.zoek.regels import REGELS, Limieten

PAGE = "zoek.html"


def _nullable(values) -> list:
    return [None if not np.isfinite(v) else float(v) for v in np.asarray(values, dtype=float)]


def kavel_data(t: tabel_mod.Tabel) -> dict:
    """The table as columns (lists), index-aligned with the rows of tabel.py."""
    k = t.kavels
    quays = [[] for _ in range(len(k))]
    for kavel, klasse, m in t.kades[["kavel", "klasse", "m"]].itertuples(index=False):  # usable quays (dozens)
        quays[int(kavel)].append([int(klasse), int(m)])
    return {
        "id": k["kavel_id"].tolist(), "rin": k["rin_nummer"].tolist(), "m2": k["m2"].astype(int).tolist(),
        "cat": k["cat"].astype(int).tolist(), "nw": k["niet_waarmaakbaar"].astype(int).tolist(),
        "besch": k["beschikbaar"].astype(int).tolist(), "hmc": k["hmc"].astype(int).tolist(),
        "kadeAlle": k["kade_m"].astype(int).tolist(), "spoor": _nullable(k["spoor_m"]),
        "oprit": _nullable(k["oprit_m"]), "gsi": _nullable(k["gsi"]),
        **{r: k[[f"{r}_{s}_m2" for s in NET_STATUSSEN]].astype(int).to_numpy().tolist()
           for r in tabel_mod.RICHTINGEN},
        "buren": [t.neighbours(i).astype(int).tolist() for i in range(len(k))],
        "kades": quays,
    }


def terrein_data(t: tabel_mod.Tabel) -> dict:
    r = t.terreinen
    values = zip(r.index.astype(str), r["naam"].tolist(), r["strategisch"].astype(bool).tolist(),
                 r["vlag_klasse"].tolist(), r["gemeente_naam"].tolist(), r["regio"].tolist(),
                 _nullable(r["afname_mw"]), _nullable(r["invoeding_mw"]))
    return {rin: {"naam": naam, "strategisch": strategisch, "vlagKlasse": klasse, "gemeente": gemeente,
                  "regio": regio, "afnameMw": afname, "invoedingMw": invoeding}
            for rin, naam, strategisch, klasse, gemeente, regio, afname, invoeding in values}


def sbi_data(config) -> dict:
    """The SBI groups of the run's table(s), in lookup order, and the water-bound prefixes (as digits)."""
    tables = []
    for t in sbi_tabellen(config.analyse.milieuruimte):
        g = t.groepen
        tables.append({"soort": t.soort, "groepen": {str(k): [str(a), str(b), str(o)] for k, a, b, o in
                                                     zip(g.index, g["cat_min"], g["cat_max"], g["sbi_omschrijving"])}})
    water = normalise_sbi(config.analyse.kades.watergebonden_sbi).dropna().tolist()
    return {"tabellen": tables, "watergebonden": water}


def _geo(config, t: tabel_mod.Tabel, terreinen: gpd.GeoDataFrame) -> tuple[dict, dict]:
    dec = config.export.kaart_decimalen
    fine = min(config.export.kaart_vereenvoudiging_m, 1.0)
    kavels = gpd.GeoDataFrame({"i": np.arange(len(t))}, geometry=t.kavels.geometry.values, crs=t.kavels.crs)
    fc = features(kavels, ["i"], fine, dec)
    outline = terreinen[terreinen["rin_nummer"].astype(str).isin(set(t.kavels["rin_nummer"]))]
    return fc, features(outline, ["rin_nummer", "naam"], config.export.kaart_vereenvoudiging_m, dec)


def page_data(config, t: tabel_mod.Tabel, terreinen: gpd.GeoDataFrame) -> dict:
    lim = Limieten.of(config, t)
    kavels_fc, terreinen_fc = _geo(config, t, terreinen)
    bounds = map_bounds(t.kavels.geometry.to_numpy(), t.kavels.crs) if len(t) else None
    return {
        "kavels": kavel_data(t), "terreinen": terrein_data(t), "kavelGeo": kavels_fc, "terreinGeo": terreinen_fc,
        "sbi": sbi_data(config), "regios": sorted(set(t.terreinen["regio"])),
        "instellingen": {"spoorM": lim.spoor_m, "opritM": lim.oprit_m, "kadeMinM": lim.kade_min_m,
                         "netPassend": list(lim.net_passend), "netMinAandeel": lim.net_min_aandeel,
                         "maxOvermaat": lim.max_overmaat, "maxKavels": lim.max_kavels, "hmcRank": lim.hmc_rank,
                         "aantal": config.zoek.aantal,
                         "cemtStandaard": config.zoek.cemt_standaard or config.analyse.kades.water_min_klasse},
        "categorieen": MILIEUCATEGORIEEN, "cemt": CEMT_KLASSEN, "statussen": NET_STATUSSEN,
        "beschikbaar": tabel_mod.BESCHIKBAAR, "regels": REGELS,
        "grenzen": [round(float(v), 6) for v in bounds] if bounds is not None else None,
    }


def write_page(config, terreinen: gpd.GeoDataFrame, folder: Path, *, kavels: gpd.GeoDataFrame | None = None) -> Path:
    """maps/zoek.html for the run in config.paths.processed, written into `folder`; `kavels`: kavels_indicatoren
    when read already (tabel.build)."""
    t = tabel_mod.build(config, kavels)
    html = render("zoek.html", titel=f"Zoek een plek – {config.region.name}", leaflet_js=leaflet_js(),
                  leaflet_css=leaflet_css(), data=page_data(config, t, terreinen))
    target = Path(folder) / PAGE
    with atomic_path(target) as tmp:
        tmp.write_text(html, encoding="utf-8")
    return target
