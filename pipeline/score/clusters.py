"""Clusters of terreinen: terreinen within `score.cluster_afstand_m` of each other, transitively.

Neighbours come from one STRtree `dwithin` query (no pairwise loop); the connected components of the
networkx graph of neighbours are the clusters. Cluster ids are 1.. by descending cluster ha (ties: the
smallest rin_nummer), so the largest cluster is cluster 1 and ids are stable between runs.
"""
from __future__ import annotations

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd


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
