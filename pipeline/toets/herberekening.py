"""The region before and after the transformation, recomputed with the analyse and score functions themselves.

- The transformed kavels leave the kavel, quay and register tables; the terrein loses their area (geometry, ha
  bruto and netto, and ha uitgeefbaar for the issuable ones), or disappears when all its kavels go.
- With woningen the transformed area becomes a gevoelig object: every kavel within the largest richtafstand
  (analyse.milieuruimte.richtafstanden_rustig, 1,500 m) gets afstand_gevoelig_m = min(its old distance, the distance
  to the area, shrunk by toets.woningen_marge_m) and its milieuruimte is recomputed by
  pipeline.analyse.milieuruimte.milieuruimte_per_kavel (cat_afstand, cat_potentie, HMC potential, unused HMC ha).
- The per-terrein table is analyse.terrein_tabel on these inputs (HMC ha, quays, bebouwing, grid, access,
  clusters, potentials), the flag and typology score_terreinen on that table; 'before' goes through the same
  functions on the unchanged inputs, so any difference is the transformation's.
"""
from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from pipeline import catalogue
from pipeline.analyse import milieuruimte, netcapaciteit, terrein_tabel
from pipeline.analyse._geo import geoms
from pipeline.crs import WORKING_CRS
from pipeline.score import score_terreinen
from pipeline.toets.invoer import Invoer

MILIEU = ["afstand_gevoelig_m", "cat_afstand", "cat_potentie", "gap_stappen", "niet_waarmaakbaar", "hmc_potentie",
          "hmc_benut", "onbenutte_hmc_ha"]
PLAN = ["cat_plan", "cat_plan_bron", "cat_plan_zone_id", "cat_plan_omschrijving"]
NIEUWE_WONINGEN = "nieuwe woningen (toets)"


@dataclass
class Toestand:
    """One state of the region: kavels, quays, the per-terrein indicators and their score."""
    kavels: gpd.GeoDataFrame
    kades: gpd.GeoDataFrame
    indicatoren: gpd.GeoDataFrame
    strategisch: gpd.GeoDataFrame


def woningen_zone(kavels: gpd.GeoDataFrame, transformed: list[str], marge_m: float):
    """The area where the new dwellings may stand: the transformed kavels, shrunk by marge_m."""
    area = shapely.union_all(geoms(kavels[kavels["kavel_id"].astype(str).isin(transformed)]))
    return shapely.buffer(area, -marge_m) if marge_m > 0 else area


def with_woningen(kavels: gpd.GeoDataFrame, zone, settings) -> tuple[gpd.GeoDataFrame, np.ndarray]:
    """Kavels with their milieuruimte recomputed where the dwellings in `zone` are nearer than the nearest
    gevoelig object today; returns (kavels, positions recomputed). Kavels inside the zone are not passed."""
    m = settings.milieuruimte
    out = kavels.copy()
    if zone is None or shapely.is_empty(zone):
        return out, np.zeros(0, dtype=int)
    reach = max(m.richtafstanden_rustig.values())
    near = shapely.STRtree(geoms(kavels)).query(zone, predicate="dwithin", distance=reach)
    near = np.sort(near)
    old = kavels["afstand_gevoelig_m"].to_numpy(float)[near]
    new = shapely.distance(geoms(kavels)[near], zone)
    closer = new < np.where(np.isnan(old), np.inf, old)
    near, new = near[closer], new[closer]
    if not len(near):
        return out, near
    sub = kavels.iloc[near]
    plan = sub[PLAN]
    benut = sub[["cat_benut", "vacant", "aantal_vestigingen"]]
    mr = milieuruimte.milieuruimte_per_kavel(sub, afstand=new, omgevingstype=sub["omgevingstype"], plan=plan,
                                             benut=benut, settings=m, tol=settings.meettolerantie_m)
    for col in MILIEU:
        values = mr[col].astype(str).where(mr[col].notna(), None) if col in ("cat_afstand", "cat_potentie") \
            else mr[col]
        out.loc[out.index[near], col] = values.to_numpy()
    out.loc[out.index[near], "gevoelig_vbo_id"] = NIEUWE_WONINGEN
    out.loc[out.index[near], "gevoelig_gebruiksdoel"] = "woonfunctie"
    return catalogue.conform(out, "kavels_indicatoren", settings), near


def terreinen_after(invoer: Invoer, rin: str, transformed: list[str], geheel: bool) -> gpd.GeoDataFrame:
    """The canonical terreinen with the transformed kavels taken out (the terrein dropped when geheel)."""
    cols = [c.name for c in catalogue.columns("terreinen")]
    t = gpd.GeoDataFrame(invoer.terreinen[cols].reset_index(drop=True),
                         geometry=invoer.terreinen.geometry.to_numpy(), crs=WORKING_CRS)
    at = (t["rin_nummer"].astype(str) == rin).to_numpy()
    if geheel:
        return t[~at].reset_index(drop=True)
    k = invoer.kavels[invoer.kavels["kavel_id"].astype(str).isin(transformed)]
    ha = float(shapely.area(geoms(k)).sum() / 1e4)
    issued = invoer.uitgifte.reindex(k["kavel_id"].astype(str)).astype("string").eq("uitgeefbaar").fillna(False)
    ha_uitg = float(shapely.area(geoms(k))[issued.to_numpy(bool)].sum() / 1e4)
    i = np.flatnonzero(at)[0]
    t.loc[i, "geometry"] = shapely.difference(t.geometry.iloc[i], shapely.union_all(geoms(k)))
    for col, minus in (("ha_bruto", ha), ("ha_netto", ha), ("ha_uitgeefbaar", ha_uitg)):
        if pd.notna(t.loc[i, col]):
            t.loc[i, col] = max(0.0, float(t.loc[i, col]) - minus)
    return t


def indicatoren(terreinen: gpd.GeoDataFrame, kavels: gpd.GeoDataFrame, kades: gpd.GeoDataFrame, invoer: Invoer,
                settings) -> gpd.GeoDataFrame:
    """terreinen_indicatoren for these terreinen, kavels and quays: analyse.terrein_tabel on them."""
    bron = invoer.terreinen.set_index(invoer.terreinen["rin_nummer"].astype(str))["kavels_bron"]
    kav = gpd.GeoDataFrame({"kavel_id": kavels["kavel_id"].astype(str).to_numpy(),
                            "rin_nummer": kavels["rin_nummer"].astype(str).to_numpy(),
                            "bron": kavels["rin_nummer"].astype(str).map(bron).fillna("kavellaag").to_numpy()},
                           geometry=geoms(kavels), crs=WORKING_CRS)
    kv = pd.DataFrame(kavels.drop(columns=kavels.geometry.name)).set_index(kavels["kavel_id"].astype(str))
    kv.index.name = "kavel_id"
    kv = kv.drop(columns="kavel_id")
    reg = None
    if invoer.register is not None:
        reg = invoer.register[invoer.register["kavel_id"].astype(str).isin(kv.index)]
    net = netcapaciteit.per_terrein(terreinen, invoer.netcapaciteit, tol=settings.meettolerantie_m)
    layers = {"vestigingen": reg, "spoor": invoer.spoor, "opritten": invoer.opritten}
    tv = terrein_tabel(terreinen, kav, kv, kades, net, reg, layers, settings)
    tv = gpd.GeoDataFrame(tv.reset_index(drop=True), geometry=geoms(terreinen), crs=WORKING_CRS)
    return catalogue.conform(tv, "terreinen_indicatoren", settings)


def state(invoer: Invoer, config, *, terreinen: gpd.GeoDataFrame, kavels: gpd.GeoDataFrame,
          kades: gpd.GeoDataFrame) -> Toestand:
    tv = indicatoren(terreinen, kavels, kades, invoer, config.analyse)
    return Toestand(kavels, kades, tv, score_terreinen(tv, config)[0])


def before_and_after(invoer: Invoer, config, rin: str, transformed: list[str], geheel: bool,
                     woningen: bool) -> tuple[Toestand, Toestand, np.ndarray, object]:
    """(before, after, positions of the kavels whose milieuruimte the dwellings changed, the dwelling zone)."""
    cols = [c.name for c in catalogue.columns("terreinen")]
    base = gpd.GeoDataFrame(invoer.terreinen[cols].reset_index(drop=True),
                            geometry=invoer.terreinen.geometry.to_numpy(), crs=WORKING_CRS)
    before = state(invoer, config, terreinen=base, kavels=invoer.kavels, kades=invoer.kades)
    keep = ~invoer.kavels["kavel_id"].astype(str).isin(transformed).to_numpy()
    kavels = invoer.kavels[keep].reset_index(drop=True)
    zone, changed = None, np.zeros(0, dtype=int)
    if woningen:
        zone = woningen_zone(invoer.kavels, transformed, config.toets.woningen_marge_m)
        kavels, changed = with_woningen(kavels, zone, config.analyse)
    kades = invoer.kades[~invoer.kades["kavel_id"].astype(str).isin(transformed)].reset_index(drop=True)
    after = state(invoer, config, terreinen=terreinen_after(invoer, rin, transformed, geheel), kavels=kavels,
                  kades=kades)
    return before, after, changed, zone
