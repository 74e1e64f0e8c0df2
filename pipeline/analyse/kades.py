"""Kades: quay segments along the kavels, their fairway class, reachable class and use status.

Settings: `analyse.kades` (tolerantie_m, bgt_types, vaarweg_zoekafstand_m, water_min_klasse,
watergebonden_sbi, and the network settings of vaarwegnet.py), `analyse.meettolerantie_m`.
Inputs: kades (quay lines), vaarwegen (fairway sections with CEMT class), kavels, optional vestigingen.
Outputs: `kades_status` (keyed by kade_id), `per_kavel` (kade_m by kavel_id), `per_terrein` (by rin_nummer);
columns in the catalogue (pipeline/catalogue/indicators.py).

A quay counts for the nearest kavel within tolerantie_m and gets the class and reachable class of its nearest
fairway section (vaarwegnet.py). Ties are decided so that a millimetre of noise (or a reprojection round trip)
never moves a quay: kavels within meettolerantie_m of the nearest distance are equally near; among them the quay
goes to the kavel it runs along (the longest part of the quay within the nearest distance + FRONT_MARGE_M of the
kavel; a quay ending at the corner of the next kavel has a few metres there), then to the lowest kavel_id. Fairway
sections equally near (a quay at a junction) give the best reachable class. Status (from that kavel's use): benut =
a watergebonden vestiging (SBI prefix list) on the kavel; onbenut = occupied by other vestigingen only; vrij = no
vestiging on the kavel, or no vestigingen layer but the kavel is uitgeefbaar; onbekend = no vestigingen layer (and
the kavel not known to be uitgeefbaar). The 'water' quality is kade_water_m: quay metres whose reachable class >=
water_min_klasse.
"""
from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from pipeline.analyse._geo import geoms, group_max, group_sum, keyed, near_ties, points_in_polygons, query_pairs
from pipeline.analyse.sbi import sbi_prefix_match
from pipeline.analyse.vaarwegnet import vaarweg_klassen
from pipeline.categories import cemt_from_rank, cemt_rank
from pipeline.crs import WORKING_CRS

STATUSSEN = ["benut", "onbenut", "vrij", "onbekend"]
FRONT_MARGE_M = 1.0    # a quay runs along a kavel where it lies within the nearest distance + this
FRONT_GELIJK_M = 0.1   # fronts differing less than this are equal (then the lowest kavel_id)


def kavel_gebruik(kavels, vestigingen, watergebonden_sbi: list[str], *, plaats=None, tol: float = 0.0) -> pd.DataFrame:
    """Per kavel_id: bezet (any vestiging), watergebonden (a water-bound vestiging); null without a layer.

    plaats: the (vestiging, kavel) pairs of points_in_polygons (computed here when None)."""
    out = pd.DataFrame(index=kavels.index)
    n = len(kavels)
    if vestigingen is None:
        out["bezet"] = pd.array([pd.NA] * n, dtype="boolean")
        out["watergebonden"] = pd.array([pd.NA] * n, dtype="boolean")
        return keyed(out, kavels["kavel_id"])
    iv, ik = plaats if plaats is not None else points_in_polygons(kavels, vestigingen, tol=tol)
    water = sbi_prefix_match(vestigingen["sbi_code"].to_numpy(), watergebonden_sbi)
    out["bezet"] = pd.array(np.bincount(ik, minlength=n)[:n] > 0 if len(ik) else np.zeros(n, bool),
                            dtype="boolean")
    wb = group_max(ik, water[iv].astype(np.int8), n, np.int8(0)) > 0
    out["watergebonden"] = pd.array(wb, dtype="boolean")
    return keyed(out, kavels["kavel_id"])


def kade_status(bezet, watergebonden, uitgeefbaar) -> np.ndarray:
    """Status per quay from its kavel's use (nullable booleans; null = no vestigingen layer)."""
    bezet = pd.array(bezet, dtype="boolean")
    water = pd.array(watergebonden, dtype="boolean")
    uitg = np.asarray(pd.array(uitgeefbaar, dtype="boolean").fillna(False), dtype=bool)
    known = ~np.asarray(bezet.isna(), dtype=bool)
    b = np.asarray(bezet.fillna(False), dtype=bool)
    w = np.asarray(water.fillna(False), dtype=bool)
    return np.select([known & w, known & b, known | uitg], ["benut", "onbenut", "vrij"], "onbekend")


def kades_status(kades, kavels, vaarwegen, gebruik: pd.DataFrame, settings, *, tol: float = 0.0) -> gpd.GeoDataFrame:
    """One row per candidate quay segment with its kavel, fairway classes and status, keyed by kade_id.

    Segments with a BGT type not in settings.bgt_types, or farther than tolerantie_m from every kavel, are
    left out; each kept segment goes to its nearest kavel (ties: see the module docstring). `gebruik`:
    kavel_gebruik(...), keyed by kavel_id.
    """
    k = kades[kades["bgt_type"].astype("string").isin(list(settings.bgt_types)).fillna(False).to_numpy(bool)]
    ik = kavel_van_kade(geoms(k), kavels, max_distance=settings.tolerantie_m, tol=tol)
    k, ik = k[ik >= 0], ik[ik >= 0]
    kavel_id = kavels["kavel_id"].astype("str").to_numpy()[ik]
    out = pd.DataFrame({"kade_id": k["kade_id"].astype("str").to_numpy(), "kavel_id": kavel_id,
                        "rin_nummer": kavels["rin_nummer"].astype("str").to_numpy()[ik],
                        "lengte_m": shapely.length(geoms(k))})
    bgt = k["bgt_type"].astype("str").reset_index(drop=True)
    out["bgt_type"] = bgt
    out["betrouwbaarheid"] = k["betrouwbaarheid"].astype("str").reset_index(drop=True).fillna(
        bgt.map(settings.bgt_types))
    out = out.join(fairway_of(k, vaarwegen, settings, tol=tol))
    use = gebruik.reindex(kavel_id)
    uitg = (kavels["uitgifte_status"].astype("string") == "uitgeefbaar").fillna(False).to_numpy(bool)[ik]
    out["status"] = kade_status(use["bezet"].array, use["watergebonden"].array, pd.array(uitg, dtype="boolean"))
    frame = gpd.GeoDataFrame(out, geometry=geoms(k), crs=WORKING_CRS)
    return frame.set_index(pd.Index(out["kade_id"], name="kade_id"), drop=False)


def kavel_van_kade(quays: np.ndarray, kavels, *, max_distance: float, tol: float = 0.0) -> np.ndarray:
    """Positional index of the kavel each quay counts for, -1 when none lies within max_distance.

    Nearest kavel; among kavels within tol of the nearest distance the one the quay runs along (longest
    front), then the lowest kavel_id (module docstring)."""
    kg = geoms(kavels)
    ia, ib, d = near_ties(quays, kg, max_distance=max_distance, tol=tol)
    out = np.full(len(quays), -1, dtype=np.int64)
    if not len(ia):
        return out
    ties = np.bincount(ia, minlength=len(quays))[ia] > 1
    front = np.zeros(len(ia))
    if ties.any():
        dmin = np.full(len(quays), np.inf)
        np.minimum.at(dmin, ia, d)
        reach = shapely.buffer(kg[ib[ties]], dmin[ia[ties]] + FRONT_MARGE_M, quad_segs=4)
        front[ties] = shapely.length(shapely.intersection(quays[ia[ties]], reach))
    top = np.full(len(quays), -np.inf)
    np.maximum.at(top, ia, front)
    keep = front >= top[ia] - FRONT_GELIJK_M
    ia, ib = ia[keep], ib[keep]
    ids = kavels["kavel_id"].astype("str").to_numpy()[ib]
    order = np.lexsort((ids, ia))
    ia, ib = ia[order], ib[order]
    first = np.r_[True, ia[1:] != ia[:-1]]
    out[ia[first]] = ib[first]
    return out


def fairway_of(quays, vaarwegen, settings, *, tol: float = 0.0) -> pd.DataFrame:
    """vaarweg_id, cemt_klasse, cemt_bereikbaar of the nearest fairway section of each quay (positional).

    Sections within tol of the nearest distance are equally near: the best reachable class, then the best
    class, then the lowest vaarweg_id wins."""
    n = len(quays)
    klassen = vaarweg_klassen(vaarwegen, snap_m=settings.netwerk_snap_m, min_klasse=settings.hoofdnet_min_klasse,
                              namen=settings.hoofdnet_vaarwegen)
    iw = np.full(n, -1, dtype=np.int64)
    if len(vaarwegen) and n:
        ia, ib, _ = near_ties(geoms(quays), geoms(vaarwegen), max_distance=settings.vaarweg_zoekafstand_m, tol=tol)
        rb, rk = cemt_rank(klassen["cemt_bereikbaar"])[ib], cemt_rank(klassen["cemt_klasse"])[ib]
        order = np.lexsort((vaarwegen["vaarweg_id"].astype("str").to_numpy()[ib], -rk, -rb, ia))
        ia, ib = ia[order], ib[order]
        first = np.r_[True, ia[1:] != ia[:-1]] if len(ia) else np.zeros(0, bool)
        iw[ia[first]] = ib[first]
    has, at = iw >= 0, np.maximum(iw, 0)
    ids = vaarwegen["vaarweg_id"].astype("str").to_numpy()
    rk = np.where(has, cemt_rank(klassen["cemt_klasse"])[at] if len(vaarwegen) else -1, -1)
    rb = np.where(has, cemt_rank(klassen["cemt_bereikbaar"])[at] if len(vaarwegen) else -1, -1)
    return pd.DataFrame({"vaarweg_id": pd.array(np.where(has, ids[at] if len(ids) else None, None), dtype="str"),
                         "cemt_klasse": cemt_from_rank(rk).values, "cemt_bereikbaar": cemt_from_rank(rb).values})


def per_kavel(status: pd.DataFrame, kavel_ids) -> pd.DataFrame:
    """kade_m: quay metres assigned to each kavel (0 where none) and kade_status (their status: it follows from
    the kavel's use, so all quays of a kavel share it; null without quays), keyed by kavel_id."""
    metres = status.groupby("kavel_id")["lengte_m"].sum()
    first = status.groupby("kavel_id")["status"].first()
    ids = pd.Index(pd.Series(kavel_ids).astype("str"), name="kavel_id")
    return pd.DataFrame({"kade_m": metres.reindex(ids).fillna(0.0).to_numpy(float),
                         "kade_status": first.reindex(ids).astype("string").to_numpy()}, index=ids)


def per_terrein(status: pd.DataFrame, rin_nummers, *, water_min_klasse: str) -> pd.DataFrame:
    """Per rin_nummer: kade_m, kade_{status}_m, cemt_beste, cemt_bereikbaar, kade_water_m, water_klasse."""
    s = status
    rins = pd.Index(pd.Series(rin_nummers).astype("str"), name="rin_nummer")
    table = pd.DataFrame({"kade_m": s.groupby("rin_nummer")["lengte_m"].sum()}).reindex(rins).fillna(0.0)
    per = s.pivot_table(index="rin_nummer", columns="status", values="lengte_m", aggfunc="sum", fill_value=0.0)
    for st in STATUSSEN:
        table[f"kade_{st}_m"] = (per[st] if st in per else pd.Series(dtype=float)).reindex(rins).fillna(0.0)
    rk, rb = cemt_rank(s["cemt_klasse"]), cemt_rank(s["cemt_bereikbaar"])
    table["cemt_beste"] = _best_class(rk, s["rin_nummer"], rins)
    table["cemt_bereikbaar"] = _best_class(rb, s["rin_nummer"], rins)
    water = rb >= cemt_rank([water_min_klasse])[0]
    table["kade_water_m"] = s["lengte_m"][water].groupby(s["rin_nummer"][water]).sum().reindex(rins).fillna(0.0)
    table["water_klasse"] = _best_class(rb[water], s["rin_nummer"][water], rins)
    return table


def _best_class(ranks: np.ndarray, rin: pd.Series, rins: pd.Index) -> np.ndarray:
    best = pd.Series(ranks, index=rin.index).groupby(rin.to_numpy()).max()
    return cemt_from_rank(best.reindex(rins).fillna(-1).astype(int).to_numpy()).values


def lengte_in_zones(lines, zones, *, buffer_m: float = 0.0, quad_segs: int = 8) -> np.ndarray:
    """Total length of lines inside each zone (optionally buffered); lines wholly inside are not clipped.

    This is the bench's C3 (quay metres inside terrein + 25 m, 8 segments per quarter circle).
    """
    z = geoms(zones)
    if buffer_m:
        z = shapely.buffer(z, buffer_m, quad_segs=quad_segs)
    lg = geoms(lines)
    iz, il = query_pairs(shapely.STRtree(lg), z, "intersects")
    shapely.prepare(z)
    inside = shapely.contains_properly(z[iz], lg[il])
    length = shapely.length(lg[il])
    cross = ~inside
    if cross.any():
        length[cross] = shapely.length(shapely.intersection(lg[il[cross]], z[iz[cross]]))
    return group_sum(iz, length, len(z))
