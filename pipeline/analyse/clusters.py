"""Clusters of terreinen: terreinen within `analyse.clusters.afstand_m` of each other, transitively.

Inputs: the terrein table (ha_bruto, the HMC ha of analyse.milieuruimte.hmc_vanaf, kade_water_m).
Outputs: `per_terrein` (keyed by rin_nummer: cluster_id, cluster_aantal, cluster_ha, cluster_aandeel_hmc,
cluster_aandeel_water) and `outlines` (one polygon per cluster of two or more terreinen, for the maps).

Neighbours come from one STRtree `dwithin` query (no pairwise loop); the connected components of the
networkx graph of neighbours are the clusters. Cluster ids are 1.. by descending cluster ha (ties: the
smallest rin_nummer), so the largest cluster is cluster 1 and ids are stable between runs.
"""
from __future__ import annotations

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd

from pipeline.analyse._geo import keyed
from pipeline.categories import variant_label


def bruto_ha(terreinen) -> pd.Series:
    """IBIS ha_bruto, or the polygon area where IBIS gives none."""
    return terreinen["ha_bruto"].astype(float).fillna(terreinen.geometry.area / 10_000)


def per_terrein(terreinen: gpd.GeoDataFrame, *, afstand_m: float, hmc_vanaf: str) -> pd.DataFrame:
    """The cluster columns of every terrein (a GeoDataFrame with the HMC and quay columns), keyed by rin_nummer.

    HMC ha that is unknown counts as 0; 'water' is a quay on a reachable class >= the minimum (kade_water_m > 0).
    """
    t = terreinen.reset_index(drop=True)
    hmc = t[f"ha_hmc_{variant_label(hmc_vanaf)}"].astype(float).fillna(0.0)
    table = find_clusters(t, afstand_m, ha=bruto_ha(t), hmc_ha=hmc, water=t["kade_water_m"].astype(float) > 0)
    return keyed(table, t["rin_nummer"])


def outlines(terreinen: gpd.GeoDataFrame, afstand_m: float) -> gpd.GeoDataFrame:
    """Outline per cluster of two or more terreinen: the terreinen (simplified 10 m) buffered by half the
    cluster distance and dissolved, with the names of the members."""
    t = terreinen[terreinen["cluster_aantal"].to_numpy() > 1]
    columns = ["cluster_id", "cluster_aantal", "cluster_ha", "cluster_aandeel_hmc", "cluster_aandeel_water"]
    if t.empty:
        return gpd.GeoDataFrame({c: pd.Series(dtype=float) for c in [*columns, "terreinen"]},
                                geometry=gpd.GeoSeries([], crs=terreinen.crs))
    simple = t.geometry.simplify(10.0, preserve_topology=True)
    buffered = gpd.GeoDataFrame(t[columns], geometry=simple.buffer(max(afstand_m / 2, 1.0), quad_segs=4),
                                crs=terreinen.crs)
    out = buffered.dissolve(by="cluster_id", aggfunc="first", as_index=False)
    names = t.groupby("cluster_id")["naam"].apply(lambda s: ", ".join(sorted(s.dropna().astype(str))))
    out["terreinen"] = out["cluster_id"].map(names).fillna("")
    return out.sort_values("cluster_id").reset_index(drop=True)


def cluster_labels(geometry: gpd.GeoSeries, distance: float) -> np.ndarray:
    """Component number (0..) per terrein of the 'within distance' graph."""
    n = len(geometry)
    graph = nx.Graph()
    graph.add_nodes_from(range(n))
    if n:
        left, right = geometry.sindex.query(geometry.values, predicate="dwithin", distance=distance)
        keep = left < right
        graph.add_edges_from(zip(left[keep].tolist(), right[keep].tolist()))
    labels = np.empty(n, dtype=np.int64)
    for number, members in enumerate(nx.connected_components(graph)):
        labels[list(members)] = number
    return labels


def find_clusters(terreinen: gpd.GeoDataFrame, distance: float, *, ha: pd.Series, hmc_ha: pd.Series,
                  water: pd.Series) -> pd.DataFrame:
    """Per terrein: cluster_id, cluster_aantal, cluster_ha, cluster_aandeel_hmc, cluster_aandeel_water.

    cluster_aandeel_hmc = HMC-capable ha / bruto ha of the cluster; cluster_aandeel_water = share of the
    cluster's bruto ha in terreinen with the water quality (quay on a reachable class >= the minimum).
    """
    labels = cluster_labels(terreinen.geometry.reset_index(drop=True), distance)
    parts = pd.DataFrame({"label": labels, "ha": ha.to_numpy(float), "hmc": hmc_ha.to_numpy(float),
                          "water_ha": np.where(water.to_numpy(bool), ha.to_numpy(float), 0.0),
                          "rin": terreinen["rin_nummer"].astype("string").to_numpy()})
    per = parts.groupby("label").agg(aantal=("ha", "size"), ha=("ha", "sum"), hmc=("hmc", "sum"),
                                     water_ha=("water_ha", "sum"), rin=("rin", "min"))
    per = per.sort_values(["ha", "rin"], ascending=[False, True], na_position="last")
    per["cluster_id"] = np.arange(1, len(per) + 1)
    safe = per["ha"].where(per["ha"] > 0)
    per["aandeel_hmc"] = (per["hmc"] / safe).fillna(0.0).clip(0, 1)
    per["aandeel_water"] = (per["water_ha"] / safe).fillna(0.0).clip(0, 1)
    row = per.loc[labels]
    return pd.DataFrame({
        "cluster_id": row["cluster_id"].to_numpy(np.int64),
        "cluster_aantal": row["aantal"].to_numpy(np.int64),
        "cluster_ha": row["ha"].to_numpy(float),
        "cluster_aandeel_hmc": row["aandeel_hmc"].to_numpy(float),
        "cluster_aandeel_water": row["aandeel_water"].to_numpy(float),
    }, index=terreinen.index)
