"""The kavels a company could go to, with everything the fit rules read: one table shared by `pipeline zoek` and
the offline page maps/zoek.html (which embeds it), so both find exactly the same candidates.

Reads (paths.processed, through the catalogue): kavels_indicatoren (or takes it from the caller: the export has it),
kades_status, terreinen_strategisch, and the canonical kavels (uitgifte_status), spoor and opritten when present.

A kavel is available (`beschikbaar`, best first):
- 0 uitgeefbaar: issuable (uitgifte_status) and no vestiging on it (or no vestigingen layer);
- 1 vacant: issued, but no vestiging on it;
- 2 onderbenut: in use, but under-built (analyse.bebouwing.onderbenut_gsi): only with the owner's consent.
Other kavels are not in the table. Values the rules add up or compare are whole numbers (m², quay metres) or
rounded once here (distances to 0.1 m), so the page's JavaScript and numpy reach the same sums and ties.
Adjacency: kavels of the same terrein within zoek.aangrenzend_m of each other that share at least
zoek.aangrenzend_min_grens_m of boundary (STRtree and pairwise shapely calls, no loop).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from pipeline import catalogue, io
from pipeline.categories import NET_STATUSSEN, cemt_rank, milieucategorie_rank
from pipeline.threads import in_threads

BESCHIKBAAR = ["uitgeefbaar", "vacant (uitgegeven, geen vestiging)", "in gebruik, onderbenut"]
RICHTINGEN = ("afname", "invoeding")
BLOK = 20_000  # kavels buffered at a time (_borders)


@dataclass
class Tabel:
    """Available kavels (row i = kavel i, sorted by kavel_id), their usable quays and their neighbours."""
    kavels: gpd.GeoDataFrame     # kavel_id, rin_nummer, m2, cat, niet_waarmaakbaar, beschikbaar, hmc, kade_m, gsi,
    #                              spoor_m, oprit_m, {richting}_{status}_m2; geometry
    kades: pd.DataFrame          # kavel (row), klasse (CEMT rank, -1 unknown), m: quays not used by a water-bound firm
    buren_ptr: np.ndarray        # CSR: neighbours of kavel i are buren[buren_ptr[i]:buren_ptr[i + 1]] (ascending)
    buren: np.ndarray
    terreinen: pd.DataFrame      # index rin_nummer: naam, strategisch, vlag_klasse, gemeente_naam, regio, {richting}_mw
    hmc_rank: int
    spoor_laag: bool
    oprit_laag: bool

    def __len__(self) -> int:
        return len(self.kavels)

    def neighbours(self, i: int) -> np.ndarray:
        return self.buren[self.buren_ptr[i]:self.buren_ptr[i + 1]]


def _availability(k: pd.DataFrame, uitgifte: pd.Series) -> np.ndarray:
    vacant = k["vacant"].astype("boolean")
    issuable = (uitgifte.reindex(k["kavel_id"]).to_numpy(object) == "uitgeefbaar")
    free = vacant.fillna(True).to_numpy(bool)
    return np.select([issuable & free, vacant.fillna(False).to_numpy(bool), k["onderbenut"].to_numpy(bool)],
                     [0, 1, 2], -1)


def _terreinen(t: pd.DataFrame) -> pd.DataFrame:
    from pipeline.export.common import add_gemeente_regio, vlag_klasse  # not at import: export imports zoek
    out = add_gemeente_regio(pd.DataFrame(t.drop(columns=t.geometry.name)))
    out["vlag_klasse"] = vlag_klasse(out).to_numpy(object)
    out["strategisch"] = out["vlag"].astype(bool)
    cols = ["rin_nummer", "naam", "strategisch", "vlag_klasse", "gemeente_naam", "regio",
            *(f"{r}_beschikbaar_mw" for r in RICHTINGEN)]
    out = out[cols].rename(columns={f"{r}_beschikbaar_mw": f"{r}_mw" for r in RICHTINGEN})
    out["naam"] = out["naam"].fillna(out["rin_nummer"]).astype(str)
    return out.set_index(out["rin_nummer"].astype(str)).drop(columns="rin_nummer")


def _distances(geoms: np.ndarray, layer) -> np.ndarray:
    from pipeline.analyse._geo import nearest_distance  # here: the command line imports zoek, not the analyses
    if layer is None or not len(layer):
        return np.full(len(geoms), np.nan)
    dist, _ = nearest_distance(geoms, np.asarray(layer.geometry.values, dtype=object))
    return np.round(np.where(np.isfinite(dist), dist, np.nan), 1)


def _adjacency(k: gpd.GeoDataFrame, tolerance: float, min_border: float) -> tuple[np.ndarray, np.ndarray]:
    """CSR of the kavels of one terrein that lie within `tolerance` of each other and share at least `min_border`
    metres of boundary (plots touching at a corner are no site together)."""
    geoms = np.asarray(k.geometry.values, dtype=object)
    i, j = shapely.STRtree(geoms).query(geoms, predicate="dwithin", distance=tolerance)
    rin = k["rin_nummer"].to_numpy(object)
    keep = (i != j) & (rin[i] == rin[j])
    i, j = i[keep], j[keep]
    keep = _borders(geoms, i, j, max(tolerance, 0.01)) >= min_border
    i, j = i[keep], j[keep]
    order = np.lexsort((j, i))
    i, j = i[order], j[order]
    ptr = np.zeros(len(k) + 1, dtype=np.int64)
    np.add.at(ptr, i + 1, 1)
    return np.cumsum(ptr), j.astype(np.int64)


def _borders(geoms: np.ndarray, i: np.ndarray, j: np.ndarray, tolerance: float) -> np.ndarray:
    """Per pair (i ascending, as STRtree.query gives them): the length of kavel j's boundary within `tolerance` of
    kavel i (inside i's buffer). The buffers are made BLOK kavels at a time: a buffer has several times the vertices
    of its kavel, so all of them at once held hundreds of MB at national scale; in threads (GEOS releases the GIL)."""
    out = np.empty(len(i))
    starts = np.searchsorted(i, np.arange(0, len(geoms) + BLOK, BLOK))
    for k, (a, b) in enumerate(zip(starts[:-1], starts[1:])):
        if a == b:
            continue
        grown = in_threads(lambda g: shapely.buffer(g, tolerance), geoms[k * BLOK:(k + 1) * BLOK])
        out[a:b] = in_threads(lambda g, h: shapely.length(shapely.intersection(g, shapely.boundary(h))),
                              grown[i[a:b] - k * BLOK], geoms[j[a:b]])
    return out


def _kavel_columns(k: gpd.GeoDataFrame, settings) -> gpd.GeoDataFrame:
    m2 = np.round(k["oppervlakte_m2"].to_numpy(float)).astype(np.int64)
    out = gpd.GeoDataFrame({
        "kavel_id": k["kavel_id"].astype(str).to_numpy(), "rin_nummer": k["rin_nummer"].astype(str).to_numpy(),
        "m2": m2, "cat": milieucategorie_rank(k["cat_potentie"]).astype(np.int64),
        "niet_waarmaakbaar": k["niet_waarmaakbaar"].to_numpy(bool),
        "beschikbaar": k["beschikbaar"].to_numpy(np.int64),
        "kade_m": np.round(k["kade_m"].to_numpy(float)).astype(np.int64),
        "gsi": np.round(k["gsi"].to_numpy(float), 2)}, geometry=k.geometry.values, crs=k.crs)
    out["hmc"] = out["cat"].to_numpy() >= milieucategorie_rank([settings.milieuruimte.hmc_vanaf])[0]
    for r in RICHTINGEN:
        for s in NET_STATUSSEN:
            out[f"{r}_{s}_m2"] = np.round(k[f"{r}_aandeel_{s}"].to_numpy(float) * m2).astype(np.int64)
    return out


def _used_columns(k: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The columns of kavels_indicatoren the table reads (of 40 or more): what is filtered and sorted stays small."""
    net = [f"{r}_aandeel_{s}" for r in RICHTINGEN for s in NET_STATUSSEN]
    return k[["kavel_id", "rin_nummer", "oppervlakte_m2", "cat_potentie", "niet_waarmaakbaar", "vacant", "onderbenut",
              "kade_m", "gsi", *net, k.geometry.name]]


def build(config, kavels: gpd.GeoDataFrame | None = None) -> Tabel:
    """The table of the run in config.paths.processed, for the run's settings; `kavels`: kavels_indicatoren when
    the caller has read it already (the export)."""
    from pipeline.analyse.ontsluiting import rail_kinds
    processed = Path(config.paths.processed)
    settings = config.analyse
    k = _used_columns(kavels if kavels is not None else catalogue.read("kavels_indicatoren", processed, settings))
    canonical = catalogue.read("kavels", processed, settings, optional=True, columns=["kavel_id", "uitgifte_status"])
    uitgifte = canonical.set_index("kavel_id")["uitgifte_status"] if canonical is not None else pd.Series(dtype=object)
    k = k.assign(beschikbaar=_availability(k, uitgifte))
    k = k[k["beschikbaar"] >= 0].sort_values("kavel_id", kind="stable").reset_index(drop=True)
    kavels = _kavel_columns(k, settings)
    geoms = np.asarray(kavels.geometry.values, dtype=object)
    spoor = catalogue.read("spoor", processed, settings, optional=True)
    opritten = catalogue.read("opritten", processed, settings, optional=True)
    kavels["spoor_m"] = _distances(geoms, rail_kinds(spoor, settings.ontsluiting.spoor_soorten))
    kavels["oprit_m"] = _distances(geoms, opritten)
    ptr, buren = _adjacency(kavels, config.zoek.aangrenzend_m, config.zoek.aangrenzend_min_grens_m)
    kades = catalogue.read("kades_status", processed, settings)
    row = pd.Series(np.arange(len(kavels)), index=kavels["kavel_id"])
    kades = kades[io.is_in(kades["kavel_id"], row.index) & (kades["status"] != "benut")]
    kades = pd.DataFrame({"kavel": row.reindex(kades["kavel_id"]).to_numpy(np.int64),
                          "klasse": cemt_rank(kades["cemt_bereikbaar"]).astype(np.int64),
                          "m": np.round(kades["lengte_m"].to_numpy(float)).astype(np.int64)})
    kades = kades.sort_values(["kavel", "klasse", "m"], kind="stable").reset_index(drop=True)
    terreinen = _terreinen(catalogue.read("terreinen_strategisch", processed, settings))
    return Tabel(kavels=kavels, kades=kades, buren_ptr=ptr, buren=buren, terreinen=terreinen,
                 hmc_rank=int(milieucategorie_rank([settings.milieuruimte.hmc_vanaf])[0]),
                 spoor_laag=spoor is not None, oprit_laag=opritten is not None)
