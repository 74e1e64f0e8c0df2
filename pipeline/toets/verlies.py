"""What the transformation costs: the strategic capacity lost, the terrein's flag and type before and after, the
stock of each quality in the region and the province before and after, and the milieuruimte new dwellings cost.

- HMC-ruimte per category: the transformed kavels whose cat_potentie >= analyse.milieuruimte.hmc_vanaf, ha per
  cat_potentie and by use (HMC-bedrijf, niet-HMC, vacant, onbekend).
- Kade per reachable CEMT class: the quay metres on the transformed kavels per cemt_bereikbaar (null: onbekend) and
  status (benut, onbenut, vrij, onbekend); all of it is lost, a used quay's company has to move too.
- Multimodal access and the netcapaciteit on the transformed area (area-weighted, as analyse computes it).
- Voorraad: per quantity the region's and the province's total before and after (quay metres on a reachable class
  >= analyse.kades.water_min_klasse, HMC-capable ha, multimodal and flagged terreinen, unused room).
"""
from __future__ import annotations

from typing import Callable

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from pipeline.analyse import netcapaciteit
from pipeline.analyse._geo import geoms
from pipeline.categories import (CEMT_KLASSEN, MILIEUCATEGORIEEN, NET_STATUSSEN, cemt_rank, milieucategorie_rank,
                                 variant_label)
from pipeline.crs import WORKING_CRS

KADE_STATUSSEN = ["benut", "onbenut", "vrij", "onbekend"]


def hmc_per_categorie(kavels: pd.DataFrame, hmc_vanaf: str) -> pd.DataFrame:
    """Rows per HMC category present (highest first): ha in total and by use."""
    rank = milieucategorie_rank(kavels["cat_potentie"].astype(object))
    hmc = rank >= MILIEUCATEGORIEEN.index(hmc_vanaf)
    k = kavels[hmc]
    ha = shapely.area(geoms(k)) / 1e4
    vacant = k["vacant"].astype("boolean").fillna(False).to_numpy(bool)
    benut = k["hmc_benut"].astype("boolean")
    use = np.select([vacant, benut.fillna(False).to_numpy(bool), benut.notna().to_numpy(bool)],
                    ["vacant", "HMC-bedrijf", "niet-HMC"], default="onbekend")
    frame = pd.DataFrame({"categorie": k["cat_potentie"].astype(str).to_numpy(), "gebruik": use, "ha": ha})
    table = frame.pivot_table(index="categorie", columns="gebruik", values="ha", aggfunc="sum", fill_value=0.0)
    table = table.reindex(columns=["HMC-bedrijf", "niet-HMC", "vacant", "onbekend"], fill_value=0.0)
    table["totaal"] = table.sum(axis=1)
    order = [c for c in reversed(MILIEUCATEGORIEEN) if c in table.index]
    return table.reindex(order).reset_index()


def kade_per_klasse(kades: pd.DataFrame) -> pd.DataFrame:
    """Rows per reachable CEMT class (highest first, 'onbekend' last): metres per status and in total."""
    klasse = kades["cemt_bereikbaar"].astype("string").fillna("onbekend")
    frame = pd.DataFrame({"klasse": klasse.to_numpy(), "status": kades["status"].astype(str).to_numpy(),
                          "m": kades["lengte_m"].astype(float).to_numpy()})
    table = frame.pivot_table(index="klasse", columns="status", values="m", aggfunc="sum", fill_value=0.0)
    table = table.reindex(columns=KADE_STATUSSEN, fill_value=0.0)
    table["totaal"] = table.sum(axis=1)
    order = [c for c in reversed(CEMT_KLASSEN) if c in table.index] + (["onbekend"] if "onbekend" in table.index
                                                                        else [])
    return table.reindex(order).reset_index()


def netcapaciteit_op(zone, net, tol: float) -> dict:
    """Afname and invoeding on the transformed area: status shares, MW available and queued (area-weighted)."""
    frame = gpd.GeoDataFrame({"rin_nummer": ["zone"]}, geometry=[zone], crs=WORKING_CRS)
    out = netcapaciteit.netcapaciteit_per_terrein(frame, net, tol=tol).iloc[0]
    result = {}
    for richting in ("afname", "invoeding"):
        result[richting] = {"aandelen": {s: float(out[f"{richting}_aandeel_{s}"]) for s in NET_STATUSSEN},
                            "beschikbaar_mw": _float(out[f"{richting}_beschikbaar_mw"]),
                            "wachtrij_mw": _float(out[f"{richting}_wachtrij_mw"])}
    return result


def _float(v):
    return None if v is None or pd.isna(v) else float(v)


def terrein_voor_na(before: pd.DataFrame, after: pd.DataFrame, rin: str) -> dict:
    """The terrein's flag, score, qualities and type before and after (after None when it disappears)."""
    cols = ["naam", "regio", "ha_bruto", "vlag", "vlag_tak", "grensgeval", "flag_stabiliteit", "score", "rang",
            "aantal_sterk", "zeef", "kade_water_m", "water_klasse", "aantal_modaliteiten", "modaliteiten",
            "typologie", "typologie_actie", "waarom", "rang_kwaliteiten"]
    def row(frame):
        sel = frame[frame["rin_nummer"].astype(str) == rin]
        return None if sel.empty else {c: plain(sel.iloc[0][c]) for c in cols if c in sel.columns}
    return {"voor": row(before), "na": row(after)}


def plain(v):
    if v is None or (not isinstance(v, str) and pd.isna(v)):
        return None
    if isinstance(v, (np.bool_, bool)):
        return bool(v)
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (np.floating, float)):
        return float(v)
    return v if isinstance(v, (int, str)) else str(v)


def voorraad_posten(config) -> list[tuple[str, str, Callable]]:
    """(label, unit, frame -> value) of the quantities whose stock the toets compares."""
    hmc = "ha_hmc_" + variant_label(config.analyse.milieuruimte.hmc_vanaf)
    klasse = config.analyse.kades.water_min_klasse
    mm = config.score.sterk_multimodaal
    return [
        (f"Kade aan bereikbare klasse ≥ {klasse}", "m", lambda t: t["kade_water_m"].sum()),
        (f"HMC-ruimte (≥ {config.analyse.milieuruimte.hmc_vanaf})", "ha", lambda t: t[hmc].sum()),
        (f"Terreinen met {mm} modaliteiten", "", lambda t: (t["aantal_modaliteiten"] >= mm).sum()),
        (f"Terreinen in een sterk cluster (≥ {config.score.sterk_cluster_ha:g} ha)", "",
         lambda t: t["cluster_sterk"].sum()),
        ("Strategische terreinen (vlag)", "", lambda t: t["vlag"].sum()),
        ("Bruto oppervlakte strategische terreinen", "ha", lambda t: t.loc[t["vlag"], "ha_bruto"].sum()),
        ("Onbenutte HMC-ruimte", "ha", lambda t: t["potentie_milieuruimte_ha"].sum()),
        ("Kade onbenut of vrij", "m", lambda t: t["potentie_kades_m"].sum()),
        ("Uitgeefbaar terrein", "ha", lambda t: t["ha_uitgeefbaar"].sum()),
    ]


def voorraad(before: pd.DataFrame, after: pd.DataFrame, regio: str, config) -> list[dict]:
    """Per quantity: the region's and the province's total before and after."""
    rows = []
    in_before = before["regio"].astype(str) == regio
    in_after = after["regio"].astype(str) == regio
    for label, unit, f in voorraad_posten(config):
        values = [float(f(before[in_before])), float(f(after[in_after])), float(f(before)), float(f(after))]
        rows.append({"post": label, "eenheid": unit, "regio_voor": values[0], "regio_na": values[1],
                     "provincie_voor": values[2], "provincie_na": values[3]})
    return rows


def andere_veranderingen(before: pd.DataFrame, after: pd.DataFrame, rin: str) -> list[dict]:
    """Other terreinen whose flag or type changes (the dwellings, a cluster, the score percentile)."""
    b = before.set_index(before["rin_nummer"].astype(str))
    a = after.set_index(after["rin_nummer"].astype(str))
    common = [r for r in a.index if r in b.index and r != rin]
    b, a = b.loc[common], a.loc[common]
    changed = (b["vlag"] != a["vlag"]) | (b["typologie"] != a["typologie"])
    return [{"rin_nummer": r, "naam": plain(b.loc[r, "naam"]), "regio": plain(b.loc[r, "regio"]),
             "vlag_voor": bool(b.loc[r, "vlag"]), "vlag_na": bool(a.loc[r, "vlag"]),
             "typologie_voor": str(b.loc[r, "typologie"]), "typologie_na": str(a.loc[r, "typologie"]),
             "waarom_na": str(a.loc[r, "waarom"])} for r in changed[changed].index]


def milieuruimte_buren(before_kavels, after_kavels, changed: np.ndarray, terreinen: pd.DataFrame,
                       hmc_vanaf: str) -> list[dict]:
    """Kavels (outside the transformed area) whose category the new dwellings lower, with the HMC ha lost."""
    if not len(changed):
        return []
    after = after_kavels.iloc[changed]
    old = before_kavels.set_index(before_kavels["kavel_id"].astype(str)).loc[after["kavel_id"].astype(str)]
    r_old = milieucategorie_rank(old["cat_potentie"].astype(object))
    r_new = milieucategorie_rank(after["cat_potentie"].astype(object))
    hmc = MILIEUCATEGORIEEN.index(hmc_vanaf)
    ha = shapely.area(geoms(after)) / 1e4
    naam = terreinen.set_index(terreinen["rin_nummer"].astype(str))["naam"]
    rows = []
    for i in np.flatnonzero((r_new < r_old) | (milieucategorie_rank(old["cat_afstand"].astype(object))
                                               > milieucategorie_rank(after["cat_afstand"].astype(object)))):
        rin = str(after["rin_nummer"].iloc[i])
        rows.append({"kavel_id": str(after["kavel_id"].iloc[i]), "rin_nummer": rin, "terrein": plain(naam.get(rin)),
                     "ha": float(ha[i]), "afstand_voor_m": plain(old["afstand_gevoelig_m"].iloc[i]),
                     "afstand_na_m": plain(after["afstand_gevoelig_m"].iloc[i]),
                     "cat_afstand_voor": plain(old["cat_afstand"].iloc[i]),
                     "cat_afstand_na": plain(after["cat_afstand"].iloc[i]),
                     "cat_potentie_voor": plain(old["cat_potentie"].iloc[i]),
                     "cat_potentie_na": plain(after["cat_potentie"].iloc[i]),
                     "potentie_lager": bool(r_new[i] < r_old[i]),
                     "hmc_verloren_ha": float(ha[i]) if r_old[i] >= hmc > r_new[i] else 0.0})
    return sorted(rows, key=lambda r: (-r["hmc_verloren_ha"], r["kavel_id"]))


def cemt_or_lowest(values) -> np.ndarray:
    """CEMT rank, with an unknown class as the lowest (any quay can replace it)."""
    return np.maximum(cemt_rank(values), 0)
