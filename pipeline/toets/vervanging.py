"""Where the replacement space is (REH B.1: "dan zal er vervangende ruimte ontwikkeld moeten worden").

Candidates are taken from the region *after* the transformation (with --woningen, a kavel the new dwellings cost
its HMC room no longer offers it):
- HMC-ruimte: kavels with unused HMC room (onbenutte_hmc_ha > 0: vacant, or used by an activity below hmc_vanaf)
  whose cat_potentie is at least a lost category;
- kade: quay metres with status vrij or onbenut whose reachable CEMT class is at least a lost class (a lost quay of
  unknown class can be replaced by any);
- terrein: issuable land (ha_uitgeefbaar) for the transformed hectares.
Coverage: room of category p can replace lost room of any category <= p. The part of the loss a set of candidates
covers is the loss minus its largest shortfall over the levels, max_r(lost(>= r) - offered(>= r)), so a candidate
never counts for a category above its own; for one candidate that is min(its amount, the loss at or below its
category). 'dekking' is that share of the loss; 'cumulatief' the share the list covers down to that row.
Order: the same region first, then the rest of the province; within each, larger dekking first (to 0.1 %), then
vacant (quay: vrij) before occupied, higher category or class, more ha or m, kavel_id. Terreinen: same region first, then the mean dekking over the kinds of
capacity lost.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import shapely

from pipeline.analyse._geo import geoms
from pipeline.categories import CEMT_KLASSEN, MILIEUCATEGORIEEN, milieucategorie_rank
from pipeline.toets.verlies import cemt_or_lowest


def supply(rank: np.ndarray, amount: np.ndarray, levels: int) -> np.ndarray:
    """(n, levels): each candidate's amount at every level up to its own rank (what it can replace)."""
    return amount[:, None] * (rank[:, None] >= np.arange(levels)[None, :])


def covered(demand: np.ndarray, offered: np.ndarray) -> np.ndarray:
    """The part of `demand` (per level) that `offered` (rows of supply at level >= r) can replace, per row."""
    at_least = np.cumsum(demand[::-1])[::-1]  # lost at level >= r; a supply row is already 'offered at >= r'
    shortfall = np.max(at_least[None, :] - offered, axis=1)
    return demand.sum() - np.maximum(shortfall, 0.0)


def demand_by_level(rank: np.ndarray, amount: np.ndarray, levels: int) -> np.ndarray:
    return np.bincount(np.clip(rank, 0, levels - 1), weights=amount, minlength=levels)[:levels]


def _order(same_region: np.ndarray, keys: list[np.ndarray]) -> np.ndarray:
    """Positions: the same region first, then by the keys (the first key most significant, ascending)."""
    return np.lexsort([*reversed(keys), ~same_region])


def rank_candidates(frame: pd.DataFrame, demand: np.ndarray, rank: np.ndarray, amount: np.ndarray,
                    regio: str, extra_keys: list[np.ndarray]) -> pd.DataFrame:
    """frame with dekking and cumulatief (shares of the total demand), in ranked order."""
    total = demand.sum()
    if total <= 0 or not len(frame):
        return frame.iloc[0:0].assign(dekking=pd.Series(dtype=float), cumulatief=pd.Series(dtype=float),
                                      zelfde_regio=pd.Series(dtype=bool))
    m = supply(rank, amount, len(demand))
    dekking = covered(demand, m) / total
    same = (frame["regio"].astype(str) == regio).to_numpy()
    # dekking to 0.1 % as the first key: millimetres of quay or m² of kavel must not outrank vacant before occupied
    order = _order(same, [-np.round(dekking, 3), *extra_keys, frame["kavel_id"].astype(str).to_numpy()])
    cumulative = covered(demand, np.cumsum(m[order], axis=0)) / total
    out = frame.iloc[order].assign(dekking=dekking[order], cumulatief=cumulative)
    return out.assign(zelfde_regio=same[order]).reset_index(drop=True)


def with_terrein(frame: pd.DataFrame, terreinen: pd.DataFrame) -> pd.DataFrame:
    """Add terrein, gemeente_naam and regio by rin_nummer."""
    info = terreinen.set_index(terreinen["rin_nummer"].astype(str))
    rin = frame["rin_nummer"].astype(str)
    return frame.assign(terrein=rin.map(info["naam"]).fillna(rin), gemeente=rin.map(info["gemeente_naam"]),
                        regio=rin.map(info["regio"]).fillna("onbekend"))


def hmc_candidates(kavels: pd.DataFrame, terreinen: pd.DataFrame, lost: pd.DataFrame, regio: str,
                   hmc_vanaf: str) -> pd.DataFrame:
    """Kavels with unused HMC room of at least a lost category, ranked (see the module doc)."""
    levels = len(MILIEUCATEGORIEEN)
    demand = demand_by_level(milieucategorie_rank(lost["categorie"]), lost["totaal"].to_numpy(float), levels)
    free = kavels["onbenutte_hmc_ha"].astype(float).fillna(0.0).to_numpy() > 0
    k = kavels[free]
    rank = milieucategorie_rank(k["cat_potentie"].astype(object)).astype(int)
    lowest = np.flatnonzero(demand > 0)
    ok = rank >= (lowest[0] if len(lowest) else levels)
    k, rank = k[ok], rank[ok]
    vacant = k["vacant"].astype("boolean").fillna(False).to_numpy(bool)
    frame = with_terrein(pd.DataFrame({
        "kavel_id": k["kavel_id"].astype(str).to_numpy(), "rin_nummer": k["rin_nummer"].astype(str).to_numpy(),
        "categorie": k["cat_potentie"].astype(str).to_numpy(), "ha": k["onbenutte_hmc_ha"].astype(float).to_numpy(),
        "gebruik": np.where(vacant, "vacant", "bezet door niet-HMC (categorie " +
                            k["cat_benut"].astype("string").fillna("?").to_numpy(dtype=object) + ")")}), terreinen)
    return rank_candidates(frame, demand, rank, frame["ha"].to_numpy(float), regio,
                           [~vacant, -rank, -frame["ha"].to_numpy(float)])


def kade_candidates(kades: pd.DataFrame, terreinen: pd.DataFrame, lost: pd.DataFrame, regio: str) -> pd.DataFrame:
    """Quay metres vrij or onbenut on at least a lost reachable class, per kavel and class, ranked."""
    levels = len(CEMT_KLASSEN)
    lost_rank = cemt_or_lowest(lost["klasse"].where(lost["klasse"] != "onbekend"))
    demand = demand_by_level(lost_rank, lost["totaal"].to_numpy(float), levels)
    q = kades[kades["status"].isin(["vrij", "onbenut"]).to_numpy() & kades["cemt_bereikbaar"].notna().to_numpy()]
    frame = (pd.DataFrame({"kavel_id": q["kavel_id"].astype(str), "rin_nummer": q["rin_nummer"].astype(str),
                           "klasse": q["cemt_bereikbaar"].astype(str), "status": q["status"].astype(str),
                           "m": q["lengte_m"].astype(float)})
             .groupby(["kavel_id", "rin_nummer", "klasse", "status"], as_index=False)["m"].sum())
    rank = cemt_or_lowest(frame["klasse"]).astype(int)
    lowest = np.flatnonzero(demand > 0)
    ok = rank >= (lowest[0] if len(lowest) else levels)
    frame, rank = with_terrein(frame[ok].reset_index(drop=True), terreinen), rank[ok]
    vrij = (frame["status"] == "vrij").to_numpy()
    return rank_candidates(frame, demand, rank, frame["m"].to_numpy(float), regio,
                           [~vrij, -rank, -frame["m"].to_numpy(float)])


def terrein_candidates(hmc: pd.DataFrame, kade: pd.DataFrame, terreinen: pd.DataFrame, lost_hmc: pd.DataFrame,
                       lost_kade: pd.DataFrame, lost_ha: float, regio: str) -> pd.DataFrame:
    """Terreinen with replacement room, the dekking of each kind of loss and their mean; ranked."""
    t = terreinen.set_index(terreinen["rin_nummer"].astype(str))
    out = pd.DataFrame(index=t.index)
    for name, cand, lost, rank_of, amount, levels in (
            ("hmc", hmc, lost_hmc, lambda c: milieucategorie_rank(c["categorie"]), "ha", len(MILIEUCATEGORIEEN)),
            ("kade", kade, lost_kade, lambda c: cemt_or_lowest(c["klasse"]), "m", len(CEMT_KLASSEN))):
        demand = _lost_demand(name, lost, levels)
        out[f"{name}_aanbod"] = cand.groupby("rin_nummer")[amount].sum().reindex(out.index).fillna(0.0) \
            if len(cand) else 0.0
        out[f"dekking_{name}"] = np.nan
        if demand.sum() > 0 and len(cand):
            m = pd.DataFrame(supply(np.asarray(rank_of(cand), int), cand[amount].to_numpy(float), levels))
            per = m.groupby(cand["rin_nummer"].to_numpy()).sum()
            out.loc[per.index, f"dekking_{name}"] = covered(demand, per.to_numpy()) / demand.sum()
    uitg = t["ha_uitgeefbaar"].astype(float).fillna(0.0)
    out["uitgeefbaar_ha"] = uitg
    out["dekking_terrein"] = np.minimum(uitg, lost_ha) / lost_ha if lost_ha > 0 else np.nan
    cols = [c for c, lost in (("dekking_hmc", lost_hmc["totaal"].sum() if len(lost_hmc) else 0),
                              ("dekking_kade", lost_kade["totaal"].sum() if len(lost_kade) else 0),
                              ("dekking_terrein", lost_ha)) if lost > 0]
    out["dekking_gemiddeld"] = out[cols].fillna(0.0).mean(axis=1) if cols else 0.0
    out = out[out["dekking_gemiddeld"] > 0]
    info = t.loc[out.index, ["naam", "gemeente_naam", "regio", "typologie", "vlag", "modaliteiten"]]
    out = pd.concat([info, out], axis=1).rename_axis("rin_nummer").reset_index()
    same = (out["regio"].astype(str) == regio).to_numpy()
    order = _order(same, [-np.round(out["dekking_gemiddeld"].to_numpy(float), 3),
                          out["rin_nummer"].astype(str).to_numpy()])
    return out.iloc[order].assign(zelfde_regio=same[order]).reset_index(drop=True)


def _lost_demand(name: str, lost: pd.DataFrame, levels: int) -> np.ndarray:
    if not len(lost):
        return np.zeros(levels)
    if name == "hmc":
        return demand_by_level(milieucategorie_rank(lost["categorie"]), lost["totaal"].to_numpy(float), levels)
    return demand_by_level(cemt_or_lowest(lost["klasse"].where(lost["klasse"] != "onbekend")),
                           lost["totaal"].to_numpy(float), levels)


def blocks(ranked: pd.DataFrame, n: int) -> pd.DataFrame:
    """The first n of the same region and the first n of the rest of the province (rang = position in the list)."""
    ranked = ranked.assign(rang=np.arange(1, len(ranked) + 1))
    same = ranked["zelfde_regio"].to_numpy(bool)
    return pd.concat([ranked[same].head(n), ranked[~same].head(n)]).reset_index(drop=True)


def lost_ha(kavels: pd.DataFrame) -> float:
    return float(shapely.area(geoms(kavels)).sum() / 1e4)
