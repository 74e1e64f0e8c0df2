"""Gevoelige objecten: which verblijfsobjecten count for cat_afstand, and which one sets it for each kavel.

Settings: `analyse.milieuruimte.bedrijfswoningen_meetellen`, `analyse.meettolerantie_m`.
Inputs: verblijfsobjecten (canonical; `gevoelig` = a gevoelig gebruiksdoel, decided in ingest), terreinen, kavels.
Outputs: `gevoelig_gebruik` (per verblijfsobject: gevoelig_doel, bedrijfswoning, rin_nummer, gevoelig as the
analysis uses it), `dichtstbij` (per kavel: distance, vbo_id and gebruiksdoel of the nearest counted object) and
`verblijfsobjecten_gebruik` (the dataset of that name: the objects a reviewer needs to check cat_afstand).

A gevoelig object on a terrein (within meettolerantie_m of its contour: noise must not move a dwelling off the
terrein) is a bedrijfswoning; bedrijfswoningen are ignored unless bedrijfswoningen_meetellen.
Among objects exactly as near, the lowest vbo_id is named (whatever the order of the layer or a partition); two objects within millimetres of the same
distance may swap names under noise, the distance and the category cannot.

The dataset verblijfsobjecten_gebruik holds only the objects that matter to a reviewer, so it stays small at
province scale (a million dwellings, tens of thousands here): every gevoelig object that is the nearest of at
least one kavel (it sets that kavel's cat_afstand) and every gevoelig object on a terrein (a bedrijfswoning,
ignored or counted). Objects farther away cannot change a category and are left out.
"""
from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from pipeline import io
from pipeline.analyse._geo import geoms, nearest_first, nearest_tree
from pipeline.crs import WORKING_CRS


def gevoelig_gebruik(verblijfsobjecten, terreinen, *, bedrijfswoningen_meetellen: bool = False,
                     tol: float = 0.0) -> pd.DataFrame:
    """Per verblijfsobject (same index): gevoelig_doel, bedrijfswoning, rin_nummer, gevoelig (as used)."""
    vbo = verblijfsobjecten
    doel = vbo["gevoelig"].fillna(False).to_numpy(dtype=bool) if "gevoelig" in vbo else np.ones(len(vbo), bool)
    rin = np.full(len(vbo), None, dtype=object)
    cand = np.flatnonzero(doel)
    if len(cand) and terreinen is not None and len(terreinen):
        reach = shapely.buffer(geoms(terreinen), tol) if tol > 0 else geoms(terreinen)  # cheaper than dwithin
        ip, it = shapely.STRtree(reach).query(geoms(vbo)[cand], predicate="intersects")
        order = np.lexsort((it, ip))  # on two terreinen at once: the first terrein
        ip, it = ip[order], it[order]
        first = np.r_[True, ip[1:] != ip[:-1]] if len(ip) else np.zeros(0, bool)
        rin[cand[ip[first]]] = terreinen["rin_nummer"].astype("str").to_numpy()[it[first]]
    on_terrein = pd.notna(rin)
    return pd.DataFrame({"gevoelig_doel": doel, "bedrijfswoning": doel & on_terrein,
                         "rin_nummer": pd.array(rin, dtype="string"),
                         "gevoelig": doel & (~on_terrein | bedrijfswoningen_meetellen)}, index=vbo.index)


def gevoelige_objecten(verblijfsobjecten, terreinen, *, bedrijfswoningen_meetellen: bool = False,
                       tol: float = 0.0) -> np.ndarray:
    """Geometries of the gevoelige objecten the analysis counts (bedrijfswoningen left out unless counted)."""
    use = gevoelig_gebruik(verblijfsobjecten, terreinen, bedrijfswoningen_meetellen=bedrijfswoningen_meetellen,
                           tol=tol)["gevoelig"].to_numpy(bool)
    return geoms(verblijfsobjecten)[use]


def dichtstbij(kavels, gevoelig: np.ndarray, info: pd.DataFrame | None = None, *,
               tree: shapely.STRtree | None = None) -> pd.DataFrame:
    """Per kavel (same index): afstand_gevoelig_m (0 when one lies on it, inf when none), and the vbo_id and
    gebruiksdoel of that nearest object (`info`, aligned with `gevoelig`; null without info). Among objects exactly
    as near the lowest vbo_id counts (without info: the first)."""
    tree = tree if tree is not None else nearest_tree(gevoelig)
    key = info["vbo_id"].astype("str").to_numpy() if info is not None and "vbo_id" in info else None
    dist, idx = nearest_first(geoms(kavels), tree, key)
    out = pd.DataFrame({"afstand_gevoelig_m": dist}, index=kavels.index)
    found = idx >= 0
    for col in ("vbo_id", "gebruiksdoel"):
        values = np.full(len(kavels), None, dtype=object)
        if info is not None and col in info and found.any():
            values[found] = info[col].iloc[idx[found]].astype("string").to_numpy(dtype=object, na_value=None)
        out[f"gevoelig_{col}"] = pd.array(values, dtype="string")
    return out


def afstand_gevoelig(kavels, gevoelig: np.ndarray, *, tree: shapely.STRtree | None = None) -> pd.Series:
    """Distance (m) from each kavel to the nearest gevoelig object, 0 when one lies on it; inf when none."""
    return dichtstbij(kavels, gevoelig, tree=tree)["afstand_gevoelig_m"]


def verblijfsobjecten_gebruik(verblijfsobjecten, gebruik: pd.DataFrame, nearest_ids: pd.Series, *,
                              bedrijfswoning: np.ndarray | None = None) -> gpd.GeoDataFrame:
    """The dataset verblijfsobjecten_gebruik: objects that set a kavel's cat_afstand, and all bedrijfswoningen.

    gebruik: gevoelig_gebruik(...) (same index as verblijfsobjecten); nearest_ids: gevoelig_vbo_id per kavel;
    bedrijfswoning: which bedrijfswoningen to list (default all; a partition lists those on its own terreinen).
    """
    vbo_id = verblijfsobjecten["vbo_id"]
    nearest = pd.Series(nearest_ids).dropna().astype("str")
    n = np.zeros(len(vbo_id), dtype=np.int64)
    named = np.flatnonzero(io.is_in(vbo_id, nearest))  # the few objects that are some kavel's nearest
    n[named] = vbo_id.iloc[named].astype("str").map(nearest.value_counts()).to_numpy()
    listed = gebruik["bedrijfswoning"].to_numpy(bool)
    if bedrijfswoning is not None:
        listed = listed & np.asarray(bedrijfswoning, dtype=bool)
    keep = (gebruik["gevoelig"].to_numpy(bool) & (n > 0)) | listed
    out = pd.DataFrame({"vbo_id": vbo_id[keep].astype("str").to_numpy(),
                        "gebruiksdoel": verblijfsobjecten["gebruiksdoel"].astype("string").to_numpy()[keep],
                        "gevoelig_doel": gebruik["gevoelig_doel"].to_numpy(bool)[keep],
                        "bedrijfswoning": gebruik["bedrijfswoning"].to_numpy(bool)[keep],
                        "rin_nummer": gebruik["rin_nummer"].to_numpy(dtype=object)[keep],
                        "gevoelig": gebruik["gevoelig"].to_numpy(bool)[keep],
                        "kavels_dichtstbij": n[keep]})
    return gpd.GeoDataFrame(out, geometry=geoms(verblijfsobjecten)[keep], crs=WORKING_CRS)
