"""Fairways (a network of CEMT-classed sections) and the BGT lines along their banks (quays).

Why: the kades analysis needs quays next to kavels and a fairway network whose bottleneck decides the
reachable class. Sections share end points exactly where they connect; long waterways are split into
vakken of about 2 km, as in the real VNDS data.
"""
from __future__ import annotations

import hashlib

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from pipeline.crs import WORKING_CRS
from pipeline.demo import scenario as sc
from pipeline.demo.bgt import FORM, forms
from pipeline.demo.geometry import random_walk, split_polyline, straight
from pipeline.demo.sizes import count_for, in_box, scenario_box

HALF_WIDTH = {"Vb": 75.0, "Va": 30.0, "IV": 22.0, "III": 16.0, "II": 12.0, "I": 8.0}
VAK_LENGTH = 2000.0


def _walk_out(rng, start, heading, ext, avoid=None, step=200.0, max_steps=600):
    """Random walk from start until it leaves the extent (or enters `avoid`); excludes the start point."""
    pts = random_walk(rng, start, heading, step, max_steps, wiggle=0.05)[1:]
    inside = in_box(pts[:, 0], pts[:, 1], ext)
    if avoid is not None:
        inside &= ~in_box(pts[:, 0], pts[:, 1], avoid)
    stop = int(np.argmin(inside)) if not inside.all() else len(pts)
    return pts[:stop + 1] if stop < len(pts) else pts


def _breaks(coords, every=VAK_LENGTH, extra=()):
    seg = np.hypot(*np.diff(coords, axis=0).T)
    cum = np.concatenate([[0.0], np.cumsum(seg)])
    idx = np.flatnonzero(np.diff(np.floor(cum / every)) > 0) + 1
    return sorted(set(idx.tolist()) | set(extra))


def build_vaarwegen(rng, scale, ext):
    """All fairway sections (GeoDataFrame with vaarweg name/class) and a water-area polygon for exclusions."""
    ox, oy = sc.OX, sc.OY
    box = scenario_box()
    pieces = []  # (name, class, coords)

    # the river: straight inside the scenario box (vertex every 100 m), wandering outside it
    inner = straight((box[0], oy + sc.RIVER_Y), (box[2], oy + sc.RIVER_Y), 100.0)
    west = _walk_out(rng, inner[0], np.pi, ext)[::-1]
    east = _walk_out(rng, inner[-1], 0.0, ext)
    river = np.vstack([west, inner, east])
    junction = {ox + sc.CANAL_X, ox + sc.VAART_X}
    joins = [len(west) + int(np.argmin(np.abs(inner[:, 0] - x))) for x in junction]

    # background waterways start at river vertices outside the scenario box
    n_bg = count_for("wateren", scale)
    outside = np.flatnonzero(~in_box(river[:, 0], river[:, 1], scenario_box(500.0)))
    outside = outside[(outside > 0) & (outside < len(river) - 1)]
    starts = rng.choice(outside, size=min(n_bg, len(outside)), replace=False) if len(outside) else []
    bg_classes = rng.choice(["IV", "III", "II", "Va", "I"], size=len(starts), p=[0.35, 0.25, 0.2, 0.1, 0.1])
    for i, s in enumerate(sorted(starts)):
        heading = (np.pi / 2 if rng.random() < 0.5 else -np.pi / 2) + rng.normal(0, 0.3)
        walk = _walk_out(rng, river[s], heading, ext, avoid=scenario_box(300.0),
                         max_steps=int(rng.uniform(25, 125)))
        if len(walk) < 3:
            continue
        coords = np.vstack([river[s], walk])
        pieces += [(f"Demo-wetering {i + 1:02d}", bg_classes[i], c) for c in split_polyline(coords, _breaks(coords))]
        joins.append(int(s))
    pieces += [("Demo-Maas", "Vb", c) for c in split_polyline(river, _breaks(river, extra=joins))]

    # the main canal north from the river (class Va), with the class II side canal to a Va basin
    canal_in = straight((ox + sc.CANAL_X, oy + sc.RIVER_Y), (ox + sc.CANAL_X, box[3]), 100.0)
    canal = np.vstack([canal_in, _walk_out(rng, canal_in[-1], np.pi / 2, ext)])
    side_at = int(np.argmin(np.abs(canal[:, 1] - (oy + sc.SIDE_Y))))
    pieces += [("Demo-hoofdkanaal", "Va", c) for c in split_polyline(canal, _breaks(canal, extra=[side_at]))]
    side = straight((ox + sc.CANAL_X, oy + sc.SIDE_Y), (ox + sc.BASIN[0], oy + sc.SIDE_Y), 100.0)
    pieces += [("Demo-zijkanaal", "II", c) for c in split_polyline(side, [len(side) // 2])]
    pieces.append(("Demo-binnenhaven", "Va", straight((ox + sc.BASIN[0], oy + sc.SIDE_Y),
                                                      (ox + sc.BASIN[1], oy + sc.SIDE_Y), 100.0)))
    # "Demo-vaart" (class IV) south from the river
    vaart_in = straight((ox + sc.VAART_X, oy + sc.RIVER_Y), (ox + sc.VAART_X, box[1]), 100.0)
    vaart = np.vstack([vaart_in, _walk_out(rng, vaart_in[-1], -np.pi / 2, ext)])
    pieces += [("Demo-vaart", "IV", c) for c in split_polyline(vaart, _breaks(vaart))]

    names, classes, coords = zip(*pieces)
    lines = np.array([shapely.linestrings(c) for c in coords], dtype=object)
    gdf = gpd.GeoDataFrame({"VWK_ID": [f"VWK{i + 1:05d}" for i in range(len(lines))],
                            "VAARWEGNAA": list(names), "CEMT_KLASS": list(classes)},
                           geometry=lines, crs=WORKING_CRS)
    half = np.array([HALF_WIDTH[c] for c in classes])
    water = shapely.union_all(shapely.buffer(lines, half, cap_style="flat"))
    return gdf, water


def _lokaal_id(prefix: str, key: str) -> str:
    return f"{prefix}." + hashlib.md5(key.encode()).hexdigest()


def _bank_segments(rng, lines, half, near_tree, near_m=20.0, spacing=10.0, max_pts=26):
    """Bank lines of `lines` at both sides, cut into segments; returns (segments, near a terrein?)."""
    length = shapely.length(lines)
    n = np.floor(length / spacing).astype(np.int64) + 1
    owner = np.repeat(np.arange(len(lines)), n)
    first = np.concatenate([[0], np.cumsum(n)[:-1]])
    d = (np.arange(n.sum()) - np.repeat(first, n)) * spacing
    p = shapely.get_coordinates(shapely.line_interpolate_point(lines[owner], d))
    pa = shapely.get_coordinates(shapely.line_interpolate_point(lines[owner], d + 1.0))
    pb = shapely.get_coordinates(shapely.line_interpolate_point(lines[owner], d - 1.0))
    t = pa - pb
    t /= np.maximum(np.linalg.norm(t, axis=1, keepdims=True), 1e-9)
    normal = np.column_stack([-t[:, 1], t[:, 0]])
    segs, nears = [], []
    for side in (1.0, -1.0):
        q = np.round(p + side * (half[owner] + 5.0)[:, None] * normal, 2)
        near = np.zeros(len(q), bool)
        hit = near_tree.query(shapely.points(q), predicate="dwithin", distance=near_m)[0]
        near[hit] = True
        # a new segment starts where the owner or the near-flag changes, or every max_pts points
        change = np.ones(len(q), bool)
        change[1:] = (owner[1:] != owner[:-1]) | (near[1:] != near[:-1])
        run = np.cumsum(change) - 1
        pos = np.arange(len(q)) - np.flatnonzero(change)[run]
        seg = np.cumsum(change | (pos % max_pts == 0) & (pos > 0)) - 1
        counts = np.bincount(seg)
        ok = counts[seg] >= 2
        geoms = shapely.linestrings(q[ok], indices=np.unique(seg[ok], return_inverse=True)[1])
        seg_near = np.zeros(seg.max() + 1, bool)
        seg_near[seg] = near
        segs.append(geoms)
        nears.append(seg_near[np.unique(seg[ok])])
    return np.concatenate(segs), np.concatenate(nears)


def build_bgt(rng, vaarwegen, terreinen_geoms):
    """BGT scheiding and kunstwerkdeel lines (EPSG:28992): scenario quays plus banks along background terreinen.

    Returns two GeoDataFrames in the BGT field names, with historic versions (eindRegistratie set), and the
    form each is written in (bgt.py: line, thin area, arcs) in the column bgt.FORM.
    """
    quays = sc.quay_table()
    frames = [pd.DataFrame(dict(layer=quays["layer"], key="demo-" + quays["name"], type=quays["bgt_type"],
                                geometry=quays["geometry"], history=quays["name"].map(sc.QUAY_HISTORY)))]
    # background: waterway banks outside the scenario box, near terreinen = quay, elsewhere some walbescherming
    lines = vaarwegen.geometry.values
    mid = shapely.get_coordinates(shapely.line_interpolate_point(lines, 0.5, normalized=True))
    bg = ~in_box(mid[:, 0], mid[:, 1], scenario_box(200.0))
    if bg.any() and len(terreinen_geoms):
        half = np.array([HALF_WIDTH[c] for c in vaarwegen["CEMT_KLASS"].values[bg]])
        segs, near = _bank_segments(rng, lines[bg], half, shapely.STRtree(terreinen_geoms))
        m = shapely.get_coordinates(shapely.line_interpolate_point(segs, 0.5, normalized=True))
        keep = ~in_box(m[:, 0], m[:, 1], scenario_box(100.0))
        segs, near = segs[keep], near[keep]
        u = rng.random(len(segs))
        quay_type = np.where(u < 0.5, "kademuur", np.where(u < 0.8, "damwand", "walbescherming"))
        bank = (~near) & (u < 0.12)
        sel = near | bank
        types = np.where(near, quay_type, "walbescherming")[sel]
        layer = np.where((types == "damwand") & (rng.random(len(types)) < 0.2), "k", "s")
        types = np.where(layer == "k", "keermuur", types)
        hist = rng.random(len(types)) < 0.06
        frames.append(pd.DataFrame(dict(layer=layer, key=[f"bg-{i}" for i in range(len(types))], type=types,
                                        geometry=segs[sel], history=np.where(hist, types, None))))
    df = pd.concat(frames, ignore_index=True)
    n = len(df)
    begin = pd.to_datetime("2012-01-01") + pd.to_timedelta(rng.integers(0, 3000, n), unit="D")
    registered = begin + pd.to_timedelta(rng.integers(1, 40, n), unit="D")
    df["lokaalID"] = [_lokaal_id("G1709" if k.startswith("demo") else "W0655", k) for k in df["key"]]
    df["plus-type"] = None
    df["objectBeginTijd"] = begin.strftime("%Y-%m-%d")
    df["eindRegistratie"] = None
    df["tijdstipRegistratie"] = registered.strftime("%Y-%m-%dT%H:%M:%SZ")
    df["bronhouder"] = np.where(df["key"].str.startswith("demo"), "G1709", "W0655")
    # historic versions: an older registration of the same object, slightly different line (and type)
    old = df[df["history"].notna()].copy()
    old["geometry"] = shapely.transform(old["geometry"].values, lambda c: c + [0.4, -0.3])
    old["type"] = old["history"]
    old_begin = pd.to_datetime(df.loc[old.index, "objectBeginTijd"]) - pd.to_timedelta(2000, unit="D")
    old["objectBeginTijd"] = old_begin.dt.strftime("%Y-%m-%d")
    old["tijdstipRegistratie"] = (old_begin + pd.to_timedelta(10, unit="D")).dt.strftime("%Y-%m-%dT%H:%M:%SZ")
    old["eindRegistratie"] = df.loc[old.index, "tijdstipRegistratie"]
    df = pd.concat([df, old], ignore_index=True)
    df = df.rename(columns={"type": "bgt-type"})
    df[FORM] = forms(df["key"].to_numpy())
    cols = ["lokaalID", "bgt-type", "plus-type", "objectBeginTijd", "eindRegistratie", "tijdstipRegistratie",
            "bronhouder", FORM]
    out = {}
    for layer in ("s", "k"):
        part = df[df["layer"] == layer]
        out[layer] = gpd.GeoDataFrame(part[cols].reset_index(drop=True), geometry=part["geometry"].values,
                                      crs=WORKING_CRS)
    return out["s"], out["k"]
