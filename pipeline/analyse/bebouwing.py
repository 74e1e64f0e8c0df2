"""Bebouwing: building footprint per kavel, GSI, allowed building share and unused building room.

Settings: `config.analyse.bebouwing` (standaard_max_bebouwingspercentage, max_bebouwingspercentage_per_type,
onderbenut_gsi, onderbenut_min_ha), `analyse.meettolerantie_m`.
Inputs: kavels, panden, milieuzones (bestemmingsvlak with max_bebouwingspercentage), terreinen (wloc_type).
Outputs: `per_kavel` (keyed by kavel_id: footprint_m2, gsi, max_bebouwingspercentage, max_bebouwing_aangenomen,
onbenut_bebouwing_m2, onderbenut) and `per_terrein` (keyed by rin_nummer: footprint_m2, gsi = footprint / kavel
area, onbenut_bebouwing_m2, aantal_onderbenut, ha_onderbenut, aandeel_aangenomen = area share of kavels whose
max % is assumed); see the catalogue.

Footprint = sum over panden of area(pand ∩ kavel). Panden are not merged first: overlapping
footprints each count (as the bench's C1 does); BAG panden do not overlap in practice. The
intersection is computed only for panden that cross a kavel boundary; panden properly inside count
whole. The under-used flag is noise-proof: with tolerance t (meettolerantie_m) and kavel perimeter P a kavel is
under-used when footprint < onderbenut_gsi x area - t x P (clearly below) and area >= onderbenut_min_ha - t x P, so
moving the coordinates by a millimetre never flips it on a kavel exactly at a threshold.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import shapely

from pipeline.analyse._geo import (by_owner_in_threads, geoms, group_sum, intersection_area, keyed, largest_overlap,
                                  per_kavel_van_terrein, prepared, query_pairs, ranks)


def per_kavel(kavels, panden, milieuzones, terreinen, settings, *, min_aandeel: float,
              tol: float = 0.0, footprint=None) -> pd.DataFrame:
    """The bebouwing columns of every kavel, keyed by kavel_id (footprint: per kavel when computed already)."""
    if footprint is None:
        footprint = footprint_per_zone(kavels, panden, order=panden["pand_id"].astype("str").to_numpy())
    pct = max_bebouwingspercentage(kavels, milieuzones, terreinen, settings, min_aandeel=min_aandeel, tol=tol)
    return keyed(bebouwing_per_kavel(kavels, footprint, pct, settings, tol=tol), kavels["kavel_id"])


def per_terrein(kavel_table: pd.DataFrame, rin_nummers) -> pd.DataFrame:
    """The bebouwing totals per terrein, keyed by rin_nummer (0 m² / null GSI for a terrein without kavels).

    kavel_table: per_kavel's columns plus oppervlakte_m2 and rin_nummer."""
    table = bebouwing_per_terrein(kavel_table, kavel_table["oppervlakte_m2"], kavel_table["rin_nummer"])
    table = table.reindex(pd.Index(pd.Series(rin_nummers).astype("str"), name="rin_nummer"))
    zero = ["footprint_m2", "onbenut_bebouwing_m2", "aantal_onderbenut", "ha_onderbenut"]
    table[zero] = table[zero].fillna(0.0)
    table["aantal_onderbenut"] = table["aantal_onderbenut"].astype("int64")
    return table


def footprint_per_zone(zones, buildings, *, tree: shapely.STRtree | None = None, order=None) -> np.ndarray:
    """Summed area of building ∩ zone per zone (numpy array aligned with zones).

    Candidate pairs come from one bounding-box query of the buildings against an STRtree on the zones
    (in threads; much cheaper than a tree on a million buildings), or against `tree` on the buildings
    when given. The prepared zones then test "contains_properly" and, for the rest, "intersects" (in threads, each
    zone in one thread): buildings wholly inside count their own area, buildings crossing the boundary are
    intersected in threads (the GEOS intersection is most of the time; shapely releases the GIL). With `order` (a
    key per building, e.g. pand_id) each zone's areas are added in that key's order, so the sum does not depend on
    the order of the layer or a partition.
    """
    z = geoms(zones)
    b = geoms(buildings)
    if len(z) == 0 or len(b) == 0:
        return np.zeros(len(z))
    if tree is not None:
        iz, ib = query_pairs(tree, z)
    else:
        ib, iz = query_pairs(shapely.STRtree(z), b)
    with prepared(z):  # prepared zones, each zone's pairs in one thread (GEOS builds their indexes lazily)
        inside = by_owner_in_threads(shapely.contains_properly, z[iz], b[ib], iz)  # most pairs: one test
        rest = ~inside
        hit = inside.copy()
        hit[rest] = by_owner_in_threads(shapely.intersects, z[iz[rest]], b[ib[rest]], iz[rest])
    iz, ib, inside = iz[hit], ib[hit], inside[hit]
    area = shapely.area(b[ib])
    cross = ~inside
    if cross.any():
        area[cross] = intersection_area(b[ib[cross]], z[iz[cross]])
    if order is not None and len(iz):
        seq = np.lexsort((ranks(np.asarray(order, dtype=object)[ib]), iz))
        iz, area = iz[seq], area[seq]
    return group_sum(iz, area, len(z))


def max_bebouwingspercentage(kavels, milieuzones, terreinen, settings, *, min_aandeel: float = 0.0,
                             tol: float = 0.0) -> pd.DataFrame:
    """max_bebouwingspercentage (0..100) and max_bebouwing_aangenomen per kavel.

    From the bestemmingsvlak (any milieuzone with a max_bebouwingspercentage) with the largest overlap
    (when it covers >= min_aandeel of the kavel); else assumed: the per-type setting for the
    terrein's wloc_type, else the default.
    """
    n = len(kavels)
    pct = np.full(n, np.nan)
    if milieuzones is not None and len(milieuzones) and "max_bebouwingspercentage" in milieuzones:
        vlak = milieuzones[milieuzones["max_bebouwingspercentage"].notna().to_numpy()]
        if len(vlak):
            best = largest_overlap(geoms(kavels), geoms(vlak), min_aandeel=min_aandeel, tol=tol)
            found = best >= 0
            pct[found] = vlak["max_bebouwingspercentage"].to_numpy(float)[best[found]]
    assumed = np.isnan(pct)
    default = np.full(n, float(settings.standaard_max_bebouwingspercentage))
    if settings.max_bebouwingspercentage_per_type and terreinen is not None and "wloc_type" in terreinen:
        typ = per_kavel_van_terrein(kavels, terreinen, terreinen["wloc_type"].astype("string").values)
        by_type = typ.map(settings.max_bebouwingspercentage_per_type).astype(float).to_numpy()
        default = np.where(np.isnan(by_type), default, by_type)
    pct[assumed] = default[assumed]
    return pd.DataFrame({"max_bebouwingspercentage": pct, "max_bebouwing_aangenomen": assumed}, index=kavels.index)


def bebouwing_per_kavel(kavels, footprint_m2, max_pct: pd.DataFrame, settings, *, tol: float = 0.0) -> pd.DataFrame:
    """gsi, unused building room and the under-used flag per kavel."""
    area = shapely.area(geoms(kavels))
    margin = tol * shapely.length(geoms(kavels))
    fp = np.asarray(footprint_m2, dtype=float)
    out = pd.DataFrame(index=kavels.index)
    out["footprint_m2"] = fp
    with np.errstate(divide="ignore", invalid="ignore"):
        out["gsi"] = np.where(area > 0, fp / area, np.nan)
    out["max_bebouwingspercentage"] = max_pct["max_bebouwingspercentage"].to_numpy(float)
    out["max_bebouwing_aangenomen"] = max_pct["max_bebouwing_aangenomen"].to_numpy(bool)
    out["onbenut_bebouwing_m2"] = np.maximum(0.0, out["max_bebouwingspercentage"].to_numpy() / 100.0 * area - fp)
    out["onderbenut"] = ((fp < settings.onderbenut_gsi * area - margin)
                         & (area >= settings.onderbenut_min_ha * 1e4 - margin) & (area > 0))
    return out


def bebouwing_per_terrein(kavel_ind: pd.DataFrame, oppervlakte_m2, rin_nummer) -> pd.DataFrame:
    """Per rin_nummer: footprint_m2, gsi, onbenut_bebouwing_m2, aantal_onderbenut, ha_onderbenut, aandeel_aangenomen."""
    area = np.asarray(oppervlakte_m2, float)
    onder = kavel_ind["onderbenut"].to_numpy(bool)
    frame = pd.DataFrame({
        "footprint_m2": kavel_ind["footprint_m2"].to_numpy(float),
        "opp": area,
        "onbenut_bebouwing_m2": kavel_ind["onbenut_bebouwing_m2"].to_numpy(float),
        "aantal_onderbenut": onder.astype(np.int64),
        "ha_onderbenut": np.where(onder, area / 1e4, 0.0),
        "opp_aangenomen": np.where(kavel_ind["max_bebouwing_aangenomen"].to_numpy(bool), area, 0.0),
    })
    table = frame.groupby(pd.Series(rin_nummer).astype("string").values).sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        table["gsi"] = table["footprint_m2"] / table["opp"]
        table["aandeel_aangenomen"] = table["opp_aangenomen"] / table["opp"]
    return table.drop(columns=["opp", "opp_aangenomen"])
