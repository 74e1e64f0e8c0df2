"""The fairway network: CEMT class per section and the class reachable from the main network.

Settings: `analyse.kades` (netwerk_snap_m, hoofdnet_min_klasse, hoofdnet_vaarwegen).
Sections are edges, their end points (snapped within netwerk_snap_m) nodes; the network is assumed to be split
at junctions (as NWB-Vaarwegen / VNDS sections are). The main network is the connected group of sections of
class >= hoofdnet_min_klasse with the greatest total length, or the sections named in hoofdnet_vaarwegen. The
reachable class of a node is the bottleneck (lowest class) on the widest (maximin) path to the main network:
that path runs through the maximum spanning tree, so it is found with networkx.maximum_spanning_tree after
joining all main-network nodes to one source. A section's reachable class is min(own class, best reachable class
of its two end nodes); a section on the main network keeps its own class.
"""
from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd
import shapely

from pipeline.analyse._geo import geoms
from pipeline.categories import CEMT_KLASSEN, cemt_from_rank, cemt_rank

_SOURCE = "__hoofdnet__"


def knooppunten(vaarwegen, snap_m: float) -> tuple[np.ndarray, np.ndarray]:
    """Node ids (u, v) of the start and end point of each section; end points within snap_m merge."""
    g = geoms(vaarwegen)
    n = len(g)
    ends = np.concatenate([shapely.get_point(g, 0), shapely.get_point(g, -1)])
    if snap_m > 0:
        a, b = shapely.STRtree(ends).query(ends, predicate="dwithin", distance=snap_m)
    else:
        a, b = shapely.STRtree(ends).query(ends, predicate="equals")
    graph = nx.Graph()
    graph.add_nodes_from(range(2 * n))
    graph.add_edges_from(zip(a.tolist(), b.tolist()))
    label = np.empty(2 * n, dtype=np.int64)
    for k, comp in enumerate(nx.connected_components(graph)):
        label[list(comp)] = k
    return label[:n], label[n:]


def vaarwegnetwerk(vaarwegen, snap_m: float = 1.0) -> nx.MultiGraph:
    """A networkx MultiGraph: one edge per section (key = positional index) with klasse (rank) and lengte."""
    u, v = knooppunten(vaarwegen, snap_m)
    rank = cemt_rank(vaarwegen["cemt_klasse"])
    length = shapely.length(geoms(vaarwegen))
    graph = nx.MultiGraph()
    graph.add_edges_from((int(a), int(b), int(k), {"klasse": int(r), "lengte": float(l)})
                         for k, (a, b, r, l) in enumerate(zip(u, v, rank, length)))
    return graph


def hoofdnet(graph: nx.MultiGraph, vaarwegen, *, min_klasse: str = "Va",
             namen: list[str] | None = None) -> np.ndarray:
    """Boolean per section: on the main network (named waterways, else the longest class >= min_klasse group)."""
    n = len(vaarwegen)
    if namen:
        return vaarwegen["naam"].astype("string").isin(namen).fillna(False).to_numpy(bool)
    rmin = CEMT_KLASSEN.index(min_klasse)
    sub = nx.MultiGraph()
    sub.add_edges_from((a, b, k, d) for a, b, k, d in graph.edges(keys=True, data=True) if d["klasse"] >= rmin)
    best, best_len = set(), 0.0
    for comp in nx.connected_components(sub):
        edges = sub.subgraph(comp).edges(keys=True, data="lengte")
        total = sum(l for _, _, _, l in edges)
        if total > best_len:
            best, best_len = {k for _, _, k, _ in edges}, total
    out = np.zeros(n, dtype=bool)
    out[list(best)] = True
    return out


def bereikbare_klasse(graph: nx.MultiGraph, op_hoofdnet: np.ndarray) -> np.ndarray:
    """Reachable class rank per section: the bottleneck of the widest path to the main network.

    -1 for sections not connected to the main network (or when there is no main network).
    """
    n = len(op_hoofdnet)
    edges = list(graph.edges(keys=True, data="klasse"))
    out = np.full(n, -1, dtype=np.int16)
    if not op_hoofdnet.any():
        return out
    # simple graph with the best parallel edge; all main-network nodes joined to one source
    simple = nx.Graph()
    big = len(CEMT_KLASSEN) + 1
    for a, b, k, r in edges:
        if a == b:
            continue
        if not simple.has_edge(a, b) or simple[a][b]["klasse"] < r:
            simple.add_edge(a, b, klasse=r)
    main_nodes = {x for a, b, k, _ in edges if op_hoofdnet[k] for x in (a, b)}
    simple.add_edges_from((_SOURCE, x, {"klasse": big}) for x in main_nodes)
    tree = nx.maximum_spanning_tree(simple.subgraph(nx.node_connected_component(simple, _SOURCE)),
                                    weight="klasse")
    bottleneck = {_SOURCE: big}
    for parent, child in nx.bfs_edges(tree, _SOURCE):
        bottleneck[child] = min(bottleneck[parent], tree[parent][child]["klasse"])
    for a, b, k, r in edges:
        if op_hoofdnet[k]:
            out[k] = r
        else:
            best = max(bottleneck.get(a, -1), bottleneck.get(b, -1))
            out[k] = min(r, best) if best >= 0 else -1
    return out


def vaarweg_klassen(vaarwegen, *, snap_m: float = 1.0, min_klasse: str = "Va",
                    namen: list[str] | None = None) -> pd.DataFrame:
    """Per section: op_hoofdnet, cemt_klasse, cemt_bereikbaar (same index as vaarwegen)."""
    out = pd.DataFrame(index=vaarwegen.index)
    if len(vaarwegen) == 0:
        out["op_hoofdnet"] = pd.Series(dtype=bool)
        out["cemt_klasse"] = cemt_from_rank(np.zeros(0, int)).values
        out["cemt_bereikbaar"] = cemt_from_rank(np.zeros(0, int)).values
        return out
    graph = vaarwegnetwerk(vaarwegen, snap_m)
    main = hoofdnet(graph, vaarwegen, min_klasse=min_klasse, namen=namen)
    out["op_hoofdnet"] = main
    out["cemt_klasse"] = cemt_from_rank(cemt_rank(vaarwegen["cemt_klasse"])).values
    out["cemt_bereikbaar"] = cemt_from_rank(bereikbare_klasse(graph, main)).values
    return out
