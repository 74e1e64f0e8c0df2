"""Kades: quay segments along the kavels, their fairway class, reachable class and use status.

Settings: `config.analyse.kades` (tolerantie_m, bgt_types, vaarweg_zoekafstand_m, netwerk_snap_m,
hoofdnet_min_klasse, hoofdnet_vaarwegen, watergebonden_sbi).
Inputs: kades (quay lines), vaarwegen (fairway sections with CEMT class), kavels, optional vestigingen.
Outputs: per quay segment kade_id, kavel_id, rin_nummer, lengte_m, bgt_type, betrouwbaarheid,
vaarweg_id, cemt_klasse, cemt_bereikbaar, status; per kavel kade_m; per terrein kade_m,
kade_{benut,onbenut,vrij,onbekend}_m, cemt_beste, cemt_bereikbaar.

Fairway network: sections are edges, their end points (snapped within netwerk_snap_m) nodes; the
network is assumed to be split at junctions (as NWB-Vaarwegen / VNDS sections are). The main network is
the connected group of sections of class >= hoofdnet_min_klasse with the greatest total length, or the
sections named in hoofdnet_vaarwegen. The reachable class of a node is the bottleneck (lowest class) on
the widest (maximin) path to the main network: that path runs through the maximum spanning tree, so
it is found with networkx.maximum_spanning_tree after joining all main-network nodes to one source.
A section's reachable class is min(own class, best reachable class of its two end nodes); a section on
the main network keeps its own class. A quay gets the class and reachable class of its nearest section.

Status of a quay (from the kavel it is assigned to = the nearest kavel within tolerantie_m):
benut = a watergebonden vestiging (SBI prefix list) on the kavel; onbenut = occupied by other
vestigingen only; vrij = no vestiging on the kavel, or no vestigingen layer but the kavel is
uitgeefbaar; onbekend = no vestigingen layer (and the kavel not known to be uitgeefbaar).
"""
from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd
import shapely

from pipeline.analyse._geo import geoms, group_max, group_sum, nearest_distance, points_in_polygons, query_pairs
from pipeline.analyse.milieuruimte import sbi_prefix_match
from pipeline.categories import CEMT_KLASSEN, cemt_from_rank, cemt_rank

STATUSSEN = ["benut", "onbenut", "vrij", "onbekend"]
_SOURCE = "__hoofdnet__"


# ---------------------------------------------------------------------------------------------
# Fairway network
# ---------------------------------------------------------------------------------------------
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


# ---------------------------------------------------------------------------------------------
# Quays
# ---------------------------------------------------------------------------------------------
def kavel_gebruik(kavels, vestigingen, watergebonden_sbi: list[str]) -> pd.DataFrame:
    """Per kavel: bezet (any vestiging), watergebonden (a water-bound vestiging); null without a layer."""
    out = pd.DataFrame(index=kavels.index)
    n = len(kavels)
    if vestigingen is None:
        out["bezet"] = pd.array([pd.NA] * n, dtype="boolean")
        out["watergebonden"] = pd.array([pd.NA] * n, dtype="boolean")
        return out
    iv, ik = points_in_polygons(kavels, vestigingen)
    water = sbi_prefix_match(vestigingen["sbi_code"].to_numpy(), watergebonden_sbi)
    out["bezet"] = pd.array(np.bincount(ik, minlength=n)[:n] > 0 if len(ik) else np.zeros(n, bool),
                            dtype="boolean")
    wb = group_max(ik, water[iv].astype(np.int8), n, np.int8(0)) > 0
    out["watergebonden"] = pd.array(wb, dtype="boolean")
    return out


def kade_status(bezet, watergebonden, uitgeefbaar) -> np.ndarray:
    """Status per quay from its kavel's use (nullable booleans; null = no vestigingen layer)."""
    bezet = pd.array(bezet, dtype="boolean")
    water = pd.array(watergebonden, dtype="boolean")
    uitg = np.asarray(pd.array(uitgeefbaar, dtype="boolean").fillna(False), dtype=bool)
    known = ~np.asarray(bezet.isna(), dtype=bool)
    b = np.asarray(bezet.fillna(False), dtype=bool)
    w = np.asarray(water.fillna(False), dtype=bool)
    return np.select([known & w, known & b, known | uitg], ["benut", "onbenut", "vrij"], "onbekend")


def kades_status(kades, kavels, vaarwegen, vestigingen, settings, *, gebruik: pd.DataFrame | None = None
                 ) -> pd.DataFrame:
    """The quay table of the contract (without geometry), one row per candidate segment.

    Segments with a BGT type not in settings.bgt_types, or farther than tolerantie_m from every
    kavel, are left out; each kept segment goes to its nearest kavel. The index is the kades index of
    the kept rows. `gebruik`: kavel_gebruik(kavels, vestigingen, ...) when the caller has it already.
    """
    k = kades[kades["bgt_type"].astype("string").isin(list(settings.bgt_types)).fillna(False).to_numpy(bool)]
    _, ik = nearest_distance(geoms(k), geoms(kavels), max_distance=settings.tolerantie_m)
    k = k[ik >= 0]
    ik = ik[ik >= 0]
    out = pd.DataFrame(index=k.index)
    out["kade_id"] = k["kade_id"].astype("string").values
    out["kavel_id"] = kavels["kavel_id"].astype("string").to_numpy()[ik]
    out["rin_nummer"] = kavels["rin_nummer"].astype("string").to_numpy()[ik]
    out["lengte_m"] = shapely.length(geoms(k))
    out["bgt_type"] = k["bgt_type"].astype("string").values
    conf = k["betrouwbaarheid"].astype("string") if "betrouwbaarheid" in k else pd.Series(pd.NA, index=k.index)
    out["betrouwbaarheid"] = conf.fillna(k["bgt_type"].astype("string").map(settings.bgt_types)).values
    # fairway class of the nearest section
    klassen = vaarweg_klassen(vaarwegen, snap_m=settings.netwerk_snap_m, min_klasse=settings.hoofdnet_min_klasse,
                              namen=settings.hoofdnet_vaarwegen)
    _, iw = nearest_distance(geoms(k), geoms(vaarwegen), max_distance=settings.vaarweg_zoekafstand_m)
    has = iw >= 0
    out["vaarweg_id"] = pd.array(np.where(has, vaarwegen["vaarweg_id"].astype("string").to_numpy()[np.maximum(iw, 0)],
                                          None), dtype="string")
    rk = np.where(has, cemt_rank(klassen["cemt_klasse"])[np.maximum(iw, 0)] if len(vaarwegen) else -1, -1)
    rb = np.where(has, cemt_rank(klassen["cemt_bereikbaar"])[np.maximum(iw, 0)] if len(vaarwegen) else -1, -1)
    out["cemt_klasse"] = cemt_from_rank(rk).values
    out["cemt_bereikbaar"] = cemt_from_rank(rb).values
    if gebruik is None:
        gebruik = kavel_gebruik(kavels, vestigingen, settings.watergebonden_sbi)
    uitg = (kavels["uitgifte_status"].astype("string") == "uitgeefbaar").to_numpy()[ik] \
        if "uitgifte_status" in kavels else np.zeros(len(ik), bool)
    out["status"] = kade_status(gebruik["bezet"].array[ik], gebruik["watergebonden"].array[ik],
                                pd.array(uitg, dtype="boolean"))
    out["kavel"] = ik  # positional index into kavels (helper column, dropped before writing)
    return out


def kade_m_per_kavel(status: pd.DataFrame, n_kavels: int) -> np.ndarray:
    return group_sum(status["kavel"].to_numpy(np.int64), status["lengte_m"].to_numpy(float), n_kavels)


def kades_per_terrein(status: pd.DataFrame) -> pd.DataFrame:
    """Per rin_nummer: kade_m, kade_{status}_m, cemt_beste, cemt_bereikbaar."""
    s = status
    table = pd.DataFrame({"kade_m": s.groupby("rin_nummer")["lengte_m"].sum()})
    per = s.pivot_table(index="rin_nummer", columns="status", values="lengte_m", aggfunc="sum", fill_value=0.0)
    for st in STATUSSEN:
        table[f"kade_{st}_m"] = per[st] if st in per else 0.0
    rk = pd.Series(cemt_rank(s["cemt_klasse"]), index=s.index).groupby(s["rin_nummer"].values).max()
    rb = pd.Series(cemt_rank(s["cemt_bereikbaar"]), index=s.index).groupby(s["rin_nummer"].values).max()
    table["cemt_beste"] = cemt_from_rank(rk.reindex(table.index).fillna(-1).astype(int).values).values
    table["cemt_bereikbaar"] = cemt_from_rank(rb.reindex(table.index).fillna(-1).astype(int).values).values
    return table


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
