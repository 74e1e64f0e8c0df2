"""Netcapaciteit: area shares of each grid status per terrein, for afname and invoeding.

Settings: `analyse.meettolerantie_m` (the status vocabulary is pipeline.categories.NET_STATUSSEN, best to worst,
"onbekend" last).
Inputs: terreinen, netcapaciteit (supply-area polygons with afname_status / invoeding_status and MW).
Outputs (`per_terrein`, keyed by rin_nummer): {richting}_aandeel_{status} for every status, {richting}_dominant,
{richting}_beschikbaar_mw, {richting}_wachtrij_mw, for richting in afname, invoeding; (`per_kavel`, keyed by
kavel_id) the same shares per kavel, so a terrein's share can be traced to its kavels.

Shares are of the terrein's area (overlay in EPSG:28992). Area not covered by any supply area counts
as "onbekend", and so does a null status. Where supply-area polygons overlap each other (one area
drawn twice, sometimes with conflicting status), the overlapping part is shared out in proportion to
the pieces, so the shares of one terrein always sum to 1. MW figures are area-weighted means over the
supply areas touched (pieces with a null figure left out; null when all are null).
The dominant status is the one with the largest share; a tie goes to the worse status, and shares within
meettolerantie_m x perimeter / area of the largest (what a millimetre of noise can move) count as a tie.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import shapely

from pipeline.analyse._geo import geoms, group_sum, keyed, overlap_per_pair
from pipeline.categories import NET_STATUSSEN

RICHTINGEN = ["afname", "invoeding"]


def oppervlak_per_status(zones, vlakken, status) -> pd.DataFrame:
    """Long table: zone (positional), status, opp_m2 = summed area(zone ∩ vlak) per zone and status.

    Raw intersection areas (overlapping vlakken both count): this is the bench's C4.
    """
    pairs = overlap_per_pair(geoms(zones), geoms(vlakken))
    st = pd.Series(status).astype("string").fillna("onbekend").to_numpy()
    frame = pd.DataFrame({"zone": pairs.ia.values, "status": st[pairs.ib.values], "opp_m2": pairs.area.values})
    return frame.groupby(["zone", "status"], as_index=False)["opp_m2"].sum()


def gedekt_oppervlak(zones, vlakken, pairs: pd.DataFrame) -> np.ndarray:
    """Area of each zone covered by the union of the vlakken (overlaps counted once)."""
    z = geoms(zones)
    v = geoms(vlakken)
    covered = group_sum(pairs.ia.values, pairs.area.values, len(z))
    multi = pairs.ia.value_counts()
    multi = multi[multi > 1].index.to_numpy()
    if len(multi):
        sub = pairs[pairs.ia.isin(multi)]
        pieces = shapely.intersection(z[sub.ia.values], v[sub.ib.values])
        union = pd.Series(pieces).groupby(sub.ia.values).agg(lambda s: shapely.union_all(s.values))
        covered[union.index.to_numpy()] = shapely.area(union.to_numpy())
    return covered


def per_terrein(terreinen, netcapaciteit, *, tol: float = 0.0) -> pd.DataFrame:
    """The netcapaciteit indicators of every terrein, keyed by rin_nummer."""
    return keyed(netcapaciteit_per_terrein(terreinen, netcapaciteit, tol=tol), terreinen["rin_nummer"])


def per_kavel(kavels, netcapaciteit) -> pd.DataFrame:
    """{richting}_aandeel_{status} of every kavel, keyed by kavel_id."""
    out = netcapaciteit_per_terrein(kavels, netcapaciteit)
    return keyed(out[[c for c in out.columns if "_aandeel_" in c]], kavels["kavel_id"])


def netcapaciteit_per_terrein(terreinen, netcapaciteit, statussen: list[str] = NET_STATUSSEN, *,
                              tol: float = 0.0) -> pd.DataFrame:
    """The netcapaciteit indicators per terrein (same index as terreinen)."""
    z = geoms(terreinen)
    n = len(z)
    zone_area = shapely.area(z)
    net_g = geoms(netcapaciteit)
    pairs = overlap_per_pair(z, net_g)
    covered = gedekt_oppervlak(z, net_g, pairs)
    pieces_sum = group_sum(pairs.ia.values, pairs.area.values, n)
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = np.where(pieces_sum > 0, covered / pieces_sum, 0.0)
        onbedekt = np.where(zone_area > 0, np.clip(1.0 - covered / zone_area, 0.0, 1.0), 1.0)
    onbedekt[onbedekt < 1e-9] = 0.0  # floating-point noise of the overlay, not a real gap
    out = pd.DataFrame(index=terreinen.index)
    vocab = list(dict.fromkeys([*statussen, "onbekend"]))
    for richting in RICHTINGEN:
        col = f"{richting}_status"
        st = netcapaciteit[col].astype("string").str.lower() if col in netcapaciteit else \
            pd.Series(pd.NA, index=netcapaciteit.index, dtype="string")
        st = st.where(st.isin(vocab), "onbekend").fillna("onbekend").to_numpy()
        a = pairs.area.values * scale[pairs.ia.values]
        shares = np.zeros((n, len(vocab)))
        code = pd.Categorical(st[pairs.ib.values], categories=vocab).codes
        with np.errstate(divide="ignore", invalid="ignore"):
            np.add.at(shares, (pairs.ia.values, code), np.where(zone_area[pairs.ia.values] > 0,
                                                                a / zone_area[pairs.ia.values], 0.0))
        shares[:, vocab.index("onbekend")] += onbedekt
        shares /= np.maximum(shares.sum(axis=1, keepdims=True), 1e-300)  # exact sum 1 against rounding
        for j, s in enumerate(vocab):
            out[f"{richting}_aandeel_{s}"] = shares[:, j]
        # dominant: largest share, (near) ties to the worse status: the last status within the margin of the top
        with np.errstate(divide="ignore", invalid="ignore"):
            margin = np.where(zone_area > 0, tol * shapely.length(z) / zone_area, 0.0)
        near = shares >= shares.max(axis=1, keepdims=True) - margin[:, None] - 1e-12
        last = len(vocab) - 1 - near[:, ::-1].argmax(axis=1)
        out[f"{richting}_dominant"] = pd.array(np.asarray(vocab)[last], dtype="string")
        for what in ("beschikbaar_mw", "wachtrij_mw"):
            c = f"{richting}_{what}"
            vals = netcapaciteit[c].to_numpy(float) if c in netcapaciteit else np.full(len(netcapaciteit), np.nan)
            v = vals[pairs.ib.values]
            ok = ~np.isnan(v)
            num = group_sum(pairs.ia.values[ok], (pairs.area.values * v)[ok], n)
            den = group_sum(pairs.ia.values[ok], pairs.area.values[ok], n)
            with np.errstate(divide="ignore", invalid="ignore"):
                out[c] = np.where(den > 0, num / den, np.nan)
    return out
