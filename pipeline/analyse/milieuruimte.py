"""Milieuruimte: how heavy an activity each kavel can host, and how heavy what is there now is.

Settings: `config.analyse.milieuruimte` (richtafstanden per omgevingstype, standaard_omgevingstype,
bedrijfswoningen_meetellen, hmc_vanaf, hmc_varianten, sbi_tabel, contour_categorieen).
Inputs: kavels, terreinen, verblijfsobjecten (gevoelig), milieuzones (soort "bestemmingsvlak" with
max_milieucategorie), optional omgevingstypen and vestigingen.
Outputs (per kavel, same index as the kavels): afstand_gevoelig_m, omgevingstype, cat_afstand, cat_plan,
cat_plan_bron, cat_potentie, cat_benut, vacant, gap_stappen, niet_waarmaakbaar, hmc_potentie,
hmc_benut; per terrein: ha_hmc_{v}, ha_hmc_{v}_niet_hmc, ha_hmc_{v}_vacant, ha_niet_waarmaakbaar,
cat_potentie_max; contours "where category X fits" per terrein.

Notes (definitions from domain.md):
- cat_afstand = highest category whose richtafstand <= distance from the kavel boundary to the nearest
  gevoelig object (0 when one lies on the kavel). Richtafstanden are indicative ("indicatief").
  No gevoelig object anywhere = infinitely far = the highest category.
- cat_plan = the max category of the bestemmingsvlak with the largest overlap; else the IBIS main
  category of the terrein, mapped to its highest sub-category (IBIS "4" -> "4.2").
- cat_potentie = min(cat_afstand, cat_plan); with no plan information at all it is cat_afstand.
- cat_benut = highest cat_max (SBI table, longest-prefix match) of the vestigingen on the kavel;
  null = vacant (vacant True) or unknown (no vestigingen layer: vacant null; or only SBI codes that
  are not in the table: vacant False).
- gap_stappen = rank(cat_potentie) - rank(cat_benut); a vacant kavel counts as rank -1 (one step below
  category 1), so its gap is every step up to its potential. Null when either side is unknown.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import rasterio.features
import shapely
from rasterio.transform import Affine

from pipeline.analyse._geo import (geoms, group_max, in_threads, largest_overlap, nearest_distance,
                                  per_kavel_van_terrein, points_in_polygons)
from pipeline.categories import (IBIS_HOOFDCATEGORIE, MILIEUCATEGORIE_DTYPE, MILIEUCATEGORIEEN,
                                 milieucategorie_from_rank, milieucategorie_rank)

SBI_TABEL = Path(__file__).resolve().parent.parent / "data" / "sbi_milieucategorie.csv"
RUSTIG, GEMENGD = "rustige woonwijk", "gemengd gebied"


# ---------------------------------------------------------------------------------------------
# SBI codes
# ---------------------------------------------------------------------------------------------
def normalise_sbi(codes) -> pd.Series:
    """SBI codes as digit strings without dots: "45.20" -> "4520", "8.1" -> "081", 4520 -> "4520".

    A one-digit division before the dot gets its leading zero back ("8.12" -> "0812"); codes are
    text, so "45.20" and "45.2" stay distinguishable only in their digits ("4520" vs "452").
    """
    s = pd.Series(codes, dtype="object").astype("string").str.strip()
    s = s.str.replace(r"^(\d)(\.|$)", r"0\1\2", regex=True)
    s = s.str.replace(r"[^0-9]", "", regex=True)
    return s.mask(s == "")


def load_sbi_tabel(path: str | Path | None = None) -> pd.DataFrame:
    """The SBI -> (cat_min, cat_max) table (CSV: sbi_code, omschrijving, cat_min, cat_max)."""
    tabel = pd.read_csv(path or SBI_TABEL, dtype=str)
    missing = {"sbi_code", "cat_min", "cat_max"} - set(tabel.columns)
    if missing:
        raise ValueError(f"SBI table {path or SBI_TABEL}: missing columns {sorted(missing)}")
    for col in ("cat_min", "cat_max"):
        bad = ~tabel[col].isin(MILIEUCATEGORIEEN)
        if bad.any():
            raise ValueError(f"SBI table {path or SBI_TABEL}: {col} not a milieucategorie in rows "
                             f"{tabel.index[bad].tolist()[:10]} (values {tabel.loc[bad, col].tolist()[:10]})")
    tabel["prefix"] = normalise_sbi(tabel["sbi_code"])
    if tabel.prefix.duplicated().any():
        raise ValueError(f"SBI table {path or SBI_TABEL}: duplicate codes "
                         f"{tabel.sbi_code[tabel.prefix.duplicated()].tolist()}")
    return tabel


def sbi_categorie(codes, tabel: pd.DataFrame) -> pd.DataFrame:
    """cat_min, cat_max and the matched table code for each SBI code, by longest-prefix match.

    "24.10" matches "24.1" before "24"; unmatched codes give nulls. Vectorised: one dictionary
    lookup per prefix length (a handful), not one per code.
    """
    norm = normalise_sbi(codes)
    index = norm.index
    match = pd.Series(pd.NA, index=index, dtype="string")
    lengths = sorted(tabel.prefix.str.len().unique(), reverse=True)
    prefixes = set(tabel.prefix)
    for n in lengths:
        todo = match.isna() & norm.notna() & (norm.str.len() >= n)
        if not todo.any():
            continue
        cand = norm[todo].str.slice(0, int(n))
        hit = cand.isin(prefixes)
        match[cand.index[hit.values]] = cand[hit]
    by_prefix = tabel.set_index("prefix")
    out = pd.DataFrame(index=index)
    out["sbi_match"] = match.map(by_prefix["sbi_code"])
    for col in ("cat_min", "cat_max"):
        out[col] = pd.Categorical(match.map(by_prefix[col]).astype(object), dtype=MILIEUCATEGORIE_DTYPE)
    return out


def sbi_prefix_match(codes, prefixes: list[str]) -> np.ndarray:
    """True where an SBI code starts with one of the prefixes ("46.71" matches "46.71.2", "38" "38.32")."""
    norm = normalise_sbi(codes)
    pre = tuple(p for p in normalise_sbi(prefixes).dropna())
    if not pre:
        return np.zeros(len(norm), dtype=bool)
    return norm.str.startswith(pre).fillna(False).to_numpy(dtype=bool)


# ---------------------------------------------------------------------------------------------
# Distance to gevoelige objecten and cat_afstand
# ---------------------------------------------------------------------------------------------
def gevoelige_objecten(verblijfsobjecten, terreinen, *, bedrijfswoningen_meetellen: bool = False) -> np.ndarray:
    """Geometries of the gevoelige objecten; those on a terrein (bedrijfswoningen) left out unless counted."""
    vbo = verblijfsobjecten
    mask = vbo["gevoelig"].fillna(False).to_numpy(dtype=bool) if "gevoelig" in vbo else np.ones(len(vbo), bool)
    pts = geoms(vbo)[mask]
    if not bedrijfswoningen_meetellen and len(pts) and len(terreinen):
        on_terrein = shapely.STRtree(geoms(terreinen)).query(pts, predicate="intersects")[0]
        keep = np.ones(len(pts), dtype=bool)
        keep[on_terrein] = False
        pts = pts[keep]
    return pts


def afstand_gevoelig(kavels, gevoelig: np.ndarray, *, tree: shapely.STRtree | None = None) -> pd.Series:
    """Distance (m) from each kavel to the nearest gevoelig object, 0 when one lies on it; inf when none."""
    dist, _ = nearest_distance(geoms(kavels), np.asarray(gevoelig, dtype=object), tree)
    return pd.Series(dist, index=kavels.index, name="afstand_gevoelig_m")


def rank_uit_afstand(afstand, richtafstanden: dict[str, float]) -> np.ndarray:
    """Rank (0..9) of the highest category whose richtafstand <= afstand; -1 when none fits."""
    thresholds = np.asarray([richtafstanden[c] for c in MILIEUCATEGORIEEN], dtype=float)
    d = np.asarray(afstand, dtype=float)
    rank = np.searchsorted(thresholds, d, side="right") - 1
    return np.where(np.isnan(d), -1, rank).astype(np.int16)


def cat_afstand(afstand, omgevingstype, *, rustig: dict[str, float], gemengd: dict[str, float]) -> pd.Series:
    """cat_afstand per object: the table of its omgevingstype applied to its distance."""
    afstand = pd.Series(afstand)
    typ = pd.Series(omgevingstype, index=afstand.index).astype("string")
    rank = np.where(typ.eq(GEMENGD).fillna(False).to_numpy(bool),
                    rank_uit_afstand(afstand, gemengd), rank_uit_afstand(afstand, rustig))
    out = milieucategorie_from_rank(rank)
    out.index = afstand.index
    return out.rename("cat_afstand")


def omgevingstype_per_vlak(vlakken, omgevingstypen, standaard: str) -> pd.Series:
    """Omgevingstype of each polygon: the omgevingstypen area with the largest overlap, else the default."""
    out = pd.Series(standaard, index=vlakken.index, dtype="string", name="omgevingstype")
    if omgevingstypen is None or len(omgevingstypen) == 0 or len(vlakken) == 0:
        return out
    best = largest_overlap(geoms(vlakken), geoms(omgevingstypen))
    found = best >= 0
    values = omgevingstypen["omgevingstype"].astype("string").to_numpy()
    out[found] = values[best[found]]
    return out.fillna(standaard)


# ---------------------------------------------------------------------------------------------
# cat_plan and cat_benut
# ---------------------------------------------------------------------------------------------
def ibis_naar_categorie(values) -> pd.Series:
    """IBIS main category "1".."6" -> highest sub-category it allows; sub-categories pass through."""
    s = pd.Series(values, dtype="object").astype("string").str.strip()
    mapped = s.map(lambda v: IBIS_HOOFDCATEGORIE.get(v, v if v in MILIEUCATEGORIEEN else None)
                   if isinstance(v, str) else None)
    return pd.Series(pd.Categorical(mapped.astype(object), dtype=MILIEUCATEGORIE_DTYPE), index=s.index)


def cat_plan(kavels, milieuzones, terreinen, *, min_aandeel: float = 0.0) -> pd.DataFrame:
    """cat_plan and cat_plan_bron ("milieuzone" / "ibis" / null) per kavel.

    The bestemmingsvlak with the largest overlap counts when it covers >= min_aandeel of the kavel.
    """
    out = pd.DataFrame(index=kavels.index)
    rank = np.full(len(kavels), -1, dtype=np.int16)
    bron = np.full(len(kavels), None, dtype=object)
    if milieuzones is not None and len(milieuzones):
        vlak = milieuzones[(milieuzones["soort"].astype("string") == "bestemmingsvlak").fillna(False).to_numpy(bool)
                           & milieuzones["max_milieucategorie"].notna().to_numpy()]
        if len(vlak):
            best = largest_overlap(geoms(kavels), geoms(vlak), min_aandeel=min_aandeel)
            vlak_rank = milieucategorie_rank(vlak["max_milieucategorie"])
            found = best >= 0
            rank[found] = vlak_rank[best[found]]
            bron[found & (rank >= 0)] = "milieuzone"
    todo = rank < 0
    if todo.any() and terreinen is not None and len(terreinen):
        ibis = ibis_naar_categorie(terreinen["max_milieucategorie"])
        r = per_kavel_van_terrein(kavels, terreinen, milieucategorie_rank(ibis)).fillna(-1).to_numpy(np.int16)
        use = todo & (r >= 0)
        rank[use] = r[use]
        bron[use] = "ibis"
    out["cat_plan"] = milieucategorie_from_rank(rank).values
    out["cat_plan_bron"] = pd.Series(bron, index=kavels.index, dtype="string")
    return out


def cat_benut(kavels, vestigingen, tabel: pd.DataFrame) -> pd.DataFrame:
    """cat_benut (highest cat_max of the vestigingen on the kavel), vacant, aantal_vestigingen.

    With no vestigingen layer (None) every value is null: unknown, not vacant.
    """
    out = pd.DataFrame(index=kavels.index)
    n = len(kavels)
    if vestigingen is None:
        out["cat_benut"] = pd.Categorical([None] * n, dtype=MILIEUCATEGORIE_DTYPE)
        out["vacant"] = pd.array([pd.NA] * n, dtype="boolean")
        out["aantal_vestigingen"] = pd.array([pd.NA] * n, dtype="Int64")
        return out
    iv, ik = points_in_polygons(kavels, vestigingen)
    cats = sbi_categorie(vestigingen["sbi_code"].to_numpy(), tabel)
    vrank = milieucategorie_rank(cats["cat_max"].astype(object))
    rank = group_max(ik, vrank[iv], n, np.int16(-1))
    count = np.bincount(ik, minlength=n)[:n] if len(ik) else np.zeros(n, dtype=np.int64)
    out["cat_benut"] = milieucategorie_from_rank(rank).values
    out["vacant"] = pd.array(count == 0, dtype="boolean")
    out["aantal_vestigingen"] = pd.array(count, dtype="Int64")
    return out


# ---------------------------------------------------------------------------------------------
# Per kavel and per terrein
# ---------------------------------------------------------------------------------------------
def variant_label(categorie: str) -> str:
    """"4.1" -> "41", "6" -> "6": the suffix used in column names such as ha_hmc_41."""
    return categorie.replace(".", "")


def milieuruimte_per_kavel(kavels, *, afstand, omgevingstype, plan: pd.DataFrame, benut: pd.DataFrame,
                           settings) -> pd.DataFrame:
    """Combine distance, plan and use into the per-kavel milieuruimte indicators (same index)."""
    out = pd.DataFrame(index=kavels.index)
    out["afstand_gevoelig_m"] = np.asarray(afstand, dtype=float)
    out["omgevingstype"] = pd.Series(omgevingstype, index=kavels.index).astype("string")
    out["cat_afstand"] = cat_afstand(out["afstand_gevoelig_m"], out["omgevingstype"],
                                     rustig=settings.richtafstanden_rustig,
                                     gemengd=settings.richtafstanden_gemengd).values
    out["cat_plan"] = plan["cat_plan"].values
    out["cat_plan_bron"] = plan["cat_plan_bron"].values
    r_afst = milieucategorie_rank(out["cat_afstand"].astype(object))
    r_plan = milieucategorie_rank(out["cat_plan"].astype(object))
    r_pot = np.where(r_plan >= 0, np.minimum(r_afst, r_plan), r_afst)
    out["cat_potentie"] = milieucategorie_from_rank(r_pot).values
    out["cat_benut"] = benut["cat_benut"].values
    out["vacant"] = benut["vacant"].values
    r_ben = milieucategorie_rank(out["cat_benut"].astype(object))
    vacant = benut["vacant"].fillna(False).to_numpy(bool)
    known_use = (r_ben >= 0) | vacant
    gap = np.where(vacant, r_pot + 1, r_pot - r_ben)
    out["gap_stappen"] = pd.array(np.where(known_use & (r_pot >= 0), gap, 0), dtype="Int64")
    out.loc[~(known_use & (r_pot >= 0)), "gap_stappen"] = pd.NA
    out["niet_waarmaakbaar"] = (r_plan >= 0) & (r_plan > r_afst)
    hmc = MILIEUCATEGORIEEN.index(settings.hmc_vanaf)
    out["hmc_potentie"] = r_pot >= hmc
    hmc_benut = pd.array(r_ben >= hmc, dtype="boolean")
    hmc_benut[~known_use] = pd.NA
    out["hmc_benut"] = hmc_benut
    return out


def hmc_per_terrein(kavel_ind: pd.DataFrame, oppervlakte_m2, rin_nummer, varianten: list[str],
                    *, vestigingen_bekend: bool = True) -> pd.DataFrame:
    """Per rin_nummer: ha_hmc_{v}, ha_hmc_{v}_niet_hmc, ha_hmc_{v}_vacant, ha_niet_waarmaakbaar, cat_potentie_max.

    HMC room used by non-HMC counts kavels whose use has a known category below v; kavels whose
    vestigingen all have SBI codes outside the table count in neither. With no vestigingen layer the
    use-dependent columns are null.
    """
    ha = pd.Series(np.asarray(oppervlakte_m2, float) / 1e4, index=kavel_ind.index)
    rin = pd.Series(rin_nummer, index=kavel_ind.index).astype("string")
    r_pot = milieucategorie_rank(kavel_ind["cat_potentie"].astype(object))
    r_ben = milieucategorie_rank(kavel_ind["cat_benut"].astype(object))
    vacant = kavel_ind["vacant"].fillna(False).to_numpy(bool)
    cols = {}
    for v in varianten:
        rv = MILIEUCATEGORIEEN.index(v)
        pot = r_pot >= rv
        lab = variant_label(v)
        cols[f"ha_hmc_{lab}"] = ha.where(pot, 0.0)
        cols[f"ha_hmc_{lab}_niet_hmc"] = ha.where(pot & (r_ben >= 0) & (r_ben < rv), 0.0)
        cols[f"ha_hmc_{lab}_vacant"] = ha.where(pot & vacant, 0.0)
    cols["ha_niet_waarmaakbaar"] = ha.where(kavel_ind["niet_waarmaakbaar"].to_numpy(bool), 0.0)
    table = pd.DataFrame(cols).groupby(rin.values).sum()
    if not vestigingen_bekend:
        for v in varianten:
            lab = variant_label(v)
            table[f"ha_hmc_{lab}_niet_hmc"] = np.nan
            table[f"ha_hmc_{lab}_vacant"] = np.nan
    pot_max = pd.Series(r_pot, index=kavel_ind.index).groupby(rin.values).max()
    table["cat_potentie_max"] = milieucategorie_from_rank(pot_max.reindex(table.index).fillna(-1)
                                                          .astype(int).values).values
    return table


# ---------------------------------------------------------------------------------------------
# Contours: where a category fits inside each terrein (raster, indicative)
# ---------------------------------------------------------------------------------------------
BLOKKEN = (16, 4)  # block sizes (cells) of the coarse-to-fine distance search (see afstand_cellen)


def contouren(terreinen, gevoelig: np.ndarray, categorieen: list[str], omgevingstype, *,
              rustig: dict[str, float], gemengd: dict[str, float], resolutie_m: float = 10.0,
              tree: shapely.STRtree | None = None) -> pd.DataFrame:
    """Per category and terrein: the part of the terrein at least the richtafstand from every gevoelig object.

    Raster method (indicative, to about resolutie_m): every terrein's bounding-box window of one grid
    is packed into a compact atlas raster (`atlas`), so terreinen never share a cell. Every cell the
    terrein touches gets the distance from its centre to the nearest gevoelig object (`afstand_cellen`),
    a category fits the cell when that distance >= its richtafstand (the terrein's omgevingstype table).
    Per category one rasterio.features.shapes call outlines the fitting cells, and the outlines are
    clipped to their terrein. A terrein where every cell fits gets its own exact outline.
    Returns columns categorie, omgevingstype, terrein (positional index), geometry; a category that
    fits nowhere gives an empty polygon.
    """
    tgeom = geoms(terreinen)
    n = len(tgeom)
    typ = pd.Series(omgevingstype).astype("string").to_numpy()
    columns = ["categorie", "omgevingstype", "terrein", "geometry"]
    if not categorieen or n == 0:
        return pd.DataFrame(columns=columns)
    tables = {RUSTIG: rustig, GEMENGD: gemengd}
    thr = np.array([[tables.get(t, rustig)[c] for c in categorieen] for t in typ], dtype=float).reshape(n, -1)
    pts = np.asarray(gevoelig, dtype=object)
    r = float(resolutie_m)
    ok = ~(shapely.is_missing(tgeom) | shapely.is_empty(tgeom))
    labels, shift, window = atlas(np.where(ok, tgeom, None), r, blok=max(BLOKKEN))
    rows, cols = np.nonzero(labels)
    lab = labels[rows, cols] - 1
    x, y = (cols + 0.5) * r - shift[lab, 0], -(rows + 0.5) * r - shift[lab, 1]
    if len(pts):
        tree = tree if tree is not None else shapely.STRtree(pts)
        d = afstand_cellen(x, y, rows, cols, lab, thr, tree, r)
    else:
        d = np.full(len(x), np.inf)
    ncell = np.bincount(lab, minlength=n)
    empty = shapely.from_wkt("POLYGON EMPTY")
    frames = []
    for k, c in enumerate(categorieen):  # a handful of categories
        fits = d >= thr[lab, k]
        nfit = np.bincount(lab[fits], minlength=n)
        out = np.full(n, empty, dtype=object)
        full = ok & (nfit == ncell)
        out[full] = tgeom[full]
        part = ok & (nfit > 0) & (nfit < ncell)
        if part.any():
            keep = fits & part[lab]
            out[part] = _vectoriseer(rows[keep], cols[keep], lab[keep], window, shift, r, tgeom, np.flatnonzero(part))
        frames.append(pd.DataFrame({"categorie": c, "omgevingstype": typ, "terrein": np.arange(n), "geometry": out}))
    return pd.concat(frames, ignore_index=True)


def atlas(tgeom: np.ndarray, r: float, blok: int = 1) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Label raster (0 = none, i + 1 = terrein i) of the terreinen packed side by side, shift (n, 2) and
    window (n, 4: first row, first column, rows, columns).

    Each terrein gets a window of one global r-grid around its bounding box (at least one empty cell
    margin), its edges on multiples of `blok` cells; the windows are shelf-packed, tallest first, at
    multiples of `blok` too, so a blok x blok block of the atlas never holds two terreinen. Every cell
    a terrein touches is burnt in (all_touched). Atlas coordinates = RD coordinates + shift[i]; the
    atlas transform is (r, 0, 0, 0, -r, 0).
    """
    n = len(tgeom)
    present = shapely.is_geometry(tgeom)
    if not present.any():
        return np.zeros((1, 1), dtype=np.int32), np.zeros((n, 2)), np.zeros((n, 4), dtype=np.int64)
    b = shapely.bounds(tgeom)
    b[~present] = np.nanmin(b[present], axis=0)[[0, 1, 0, 1]]
    step = r * blok
    gx0, gy1 = np.floor(b[:, 0].min() / step) * step, np.ceil(b[:, 3].max() / step) * step
    c0 = np.floor(((b[:, 0] - gx0) / r - 1) / blok).astype(np.int64) * blok
    c1 = np.ceil(((b[:, 2] - gx0) / r + 1) / blok).astype(np.int64) * blok
    r0 = np.floor(((gy1 - b[:, 3]) / r - 1) / blok).astype(np.int64) * blok
    r1 = np.ceil(((gy1 - b[:, 1]) / r + 1) / blok).astype(np.int64) * blok
    w, h = c1 - c0, r1 - r0
    order = np.argsort(-h, kind="stable")
    width = max(int(w.max()), int(np.ceil(np.sqrt((w * h).sum()) / blok)) * blok)
    start = np.cumsum(w[order]) - w[order]
    shelf = start // width
    shelf_h = np.zeros(int(shelf.max()) + 1, dtype=np.int64)
    np.maximum.at(shelf_h, shelf, h[order])
    ac, ar = np.empty(n, dtype=np.int64), np.empty(n, dtype=np.int64)
    ac[order] = start - shelf * width
    ar[order] = (np.cumsum(shelf_h) - shelf_h)[shelf]
    shift = np.column_stack([(ac - c0) * r - gx0, (r0 - ar) * r - gy1])
    moved = _verschuif(tgeom, shift)
    labels = rasterio.features.rasterize(
        ((g, i + 1) for i, g in enumerate(moved) if present[i]), out_shape=(int(shelf_h.sum()), width + int(w.max())),
        transform=Affine(r, 0, 0, 0, -r, 0), fill=0, all_touched=True, dtype="int32")
    return labels, shift, np.column_stack([ar, ac, h, w])


def _verschuif(g: np.ndarray, shift: np.ndarray, index: np.ndarray | None = None) -> np.ndarray:
    """Every geometry moved by its own (dx, dy): shift[index[i]] (index defaults to 0..n-1)."""
    _, part = shapely.get_coordinates(g, return_index=True)
    off = shift[part if index is None else np.asarray(index)[part]]
    return shapely.transform(g, lambda xy: xy + off)


def afstand_cellen(x, y, rows, cols, lab, thr: np.ndarray, tree: shapely.STRtree, r: float,
                   blokken: tuple[int, ...] | None = None) -> np.ndarray:
    """Per cell a value v that classifies it exactly: v >= thr[lab, k] iff the distance from the cell
    centre (x, y) to the nearest gevoelig object >= thr[lab, k].

    rows, cols: the cell in an atlas aligned to the first block size (`atlas`), so a block holds the
    cells of one terrein only. Coarse to fine: the cells of a B x B block share one nearest query from
    the block centre (distance d_b). Every cell lies within h = (B - 1) / 2 * r * sqrt(2) of that
    centre, so its distance lies in [d_b - h, d_b + h]; where no richtafstand of the terrein falls in
    there, the block is settled (v = max(d_b - h, 0)). Open blocks go to the next, smaller block size.
    The open blocks of the last size get exact distances: each cell's nearest object lies within
    d_b + 2h of its block centre, so one "dwithin" query per block gives the candidates.
    """
    d = np.full(len(x), np.inf)
    todo = np.arange(len(x))
    sizes = blokken or BLOKKEN
    for level, size in enumerate(sizes):
        if len(todo) == 0:
            break
        br, bc = rows[todo] // size, cols[todo] // size
        nbc = int(bc.max()) + 1
        key = br * nbc + bc
        lookup = np.full(int(key.max()) + 1, -1, dtype=np.int64)
        lookup[key] = 0
        ids = np.flatnonzero(lookup == 0)
        lookup[ids] = np.arange(len(ids))
        inv = lookup[key]  # block of each cell, 0..nblocks-1 (no sort needed)
        first = np.empty(len(ids), dtype=np.int64)
        first[inv] = todo
        cx = ((ids % nbc) * size + size / 2 - (cols[first] + 0.5)) * r + x[first]
        cy = ((rows[first] + 0.5) - (ids // nbc) * size - size / 2) * r + y[first]
        db, _ = nearest_distance(in_threads(shapely.points, cx, cy), None, tree)
        h = (size - 1) / 2 * r * np.sqrt(2)
        t = thr[lab[first]]
        lo = np.maximum(db - h, 0.0)
        open_ = ((t > lo[:, None]) & (t <= (db + h)[:, None])).any(axis=1)
        done = ~open_[inv]
        d[todo[done]] = lo[inv[done]]
        todo, inv = todo[~done], inv[~done]
        if level == len(sizes) - 1 and len(todo):
            blocks, blk = np.unique(inv, return_inverse=True)
            d[todo] = _exact_per_blok(x[todo], y[todo], blk.ravel(), cx[blocks], cy[blocks], db[blocks] + 2 * h, tree)
    return d


def _exact_per_blok(x, y, blk, cx, cy, radius, tree: shapely.STRtree, max_elements: int = 4_000_000) -> np.ndarray:
    """Exact nearest distance of each cell (x, y) in block blk, from the candidates of its block.

    Candidates: the objects within radius[b] of block centre b (one STRtree "dwithin" query); then
    every cell x candidate distance with numpy, in chunks of about max_elements, minimum per cell.
    """
    ib, ip = tree.query(in_threads(shapely.points, cx, cy), predicate="dwithin", distance=radius)
    o = np.argsort(ib, kind="stable")
    ib, ip = ib[o], ip[o]
    cand = tree.geometries[ip]
    point = bool((shapely.get_type_id(cand) == 0).all())
    pxy = shapely.get_coordinates(cand) if point else None
    m = np.bincount(ib, minlength=len(cx))
    pstart = np.cumsum(m) - m
    mc = m[blk]  # candidates per cell (>= 1: the block's nearest object is within d_b)
    out = np.full(len(x), np.inf)
    bounds = np.searchsorted(np.cumsum(mc), np.arange(max_elements, mc.sum() + max_elements, max_elements))
    lo = 0
    for hi in np.unique(np.r_[bounds, len(x)]):  # a few chunks, bounding memory
        hi = max(int(hi), lo + 1)
        if lo >= len(x):
            break
        c = np.arange(lo, min(hi, len(x)))
        cnt = mc[c]
        rep = np.repeat(c, cnt)
        seg = np.cumsum(cnt) - cnt
        pair = pstart[blk[rep]] + np.arange(len(rep)) - np.repeat(seg, cnt)
        if point:
            dist = np.hypot(x[rep] - pxy[pair, 0], y[rep] - pxy[pair, 1])
        else:
            dist = shapely.distance(shapely.points(x[rep], y[rep]), cand[pair])
        out[c] = np.minimum.reduceat(dist, seg)
        lo = int(c[-1]) + 1
    return out


def _vectoriseer(rows, cols, lab, window: np.ndarray, shift: np.ndarray, r: float, tgeom: np.ndarray,
                 which: np.ndarray) -> np.ndarray:
    """The atlas cells (rows, cols) of each terrein in `which` as polygons, clipped to the terrein outline.

    The atlas rows and columns that cross no window of `which` are left out first (windows stay
    whole and apart), so rasterio.features.shapes scans a smaller grid.
    """
    kept = []
    for first, size, idx in ((window[which, 0], window[which, 2], rows), (window[which, 1], window[which, 3], cols)):
        edge = np.zeros(int((first + size).max()) + 1, dtype=np.int64)
        np.add.at(edge, first, 1)
        np.add.at(edge, first + size, -1)
        use = np.cumsum(edge)[:-1] > 0
        kept.append((np.cumsum(use) - 1, int(use.sum())))
    (new_row, nr), (new_col, nc) = kept
    grid = np.zeros((nr, nc), dtype=np.int32)
    grid[new_row[rows], new_col[cols]] = lab + 1
    shift = shift.copy()
    shift[which, 0] -= (window[which, 1] - new_col[window[which, 1]]) * r
    shift[which, 1] += (window[which, 0] - new_row[window[which, 0]]) * r
    found = list(rasterio.features.shapes(grid, mask=grid > 0, transform=Affine(r, 0, 0, 0, -r, 0), connectivity=4))
    # one GeoJSON GeometryCollection parsed by GEOS: much faster than shapely.geometry.shape per polygon
    polys = shapely.get_parts(shapely.from_geojson(
        '{"type":"GeometryCollection","geometries":' + json.dumps([g for g, _ in found]) + "}"))
    lab = np.array([v for _, v in found], dtype=np.int64) - 1
    order = np.argsort(lab, kind="stable")
    polys, lab = _verschuif(polys[order], -shift, lab[order]), lab[order]
    uniq, idx = np.unique(lab, return_inverse=True)
    multi = shapely.multipolygons(polys, indices=idx)
    bad = ~shapely.is_valid(multi)
    multi[bad] = shapely.make_valid(multi[bad])
    clipped = np.empty(len(uniq), dtype=object)
    clipped[:] = in_threads(shapely.intersection, multi, tgeom[uniq])
    out = pd.Series(clipped, index=uniq).reindex(which).to_numpy()
    mixed = shapely.get_type_id(out) == 7  # a GeometryCollection: keep its polygonal parts only
    if mixed.any():
        parts, pi = shapely.get_parts(out[mixed], return_index=True)
        keep = shapely.get_type_id(parts) == 3
        fixed = np.full(int(mixed.sum()), shapely.from_wkt("POLYGON EMPTY"), dtype=object)
        if keep.any():
            u, ix = np.unique(pi[keep], return_inverse=True)
            fixed[u] = shapely.multipolygons(parts[keep], indices=ix)
        out[mixed] = fixed
    return out
