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

from pathlib import Path

import numpy as np
import pandas as pd
import shapely

from pipeline.analyse._geo import geoms, group_max, largest_overlap, nearest_distance
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
        per_rin = pd.Series(milieucategorie_rank(ibis), index=terreinen["rin_nummer"].astype("string").values)
        per_rin = per_rin[~per_rin.index.duplicated()]
        r = kavels["rin_nummer"].astype("string").map(per_rin).fillna(-1).to_numpy(np.int16)
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
    iv, ik = shapely.STRtree(geoms(kavels)).query(geoms(vestigingen), predicate="intersects")
    # a point on a shared boundary belongs to one kavel only: the first (lowest index) match
    order = np.lexsort((ik, iv))
    iv, ik = iv[order], ik[order]
    first = np.r_[True, iv[1:] != iv[:-1]] if len(iv) else np.zeros(0, bool)
    iv, ik = iv[first], ik[first]
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
# Contours: where a category fits inside each terrein
# ---------------------------------------------------------------------------------------------
def contouren(terreinen, gevoelig: np.ndarray, categorieen: list[str], omgevingstype, *,
              rustig: dict[str, float], gemengd: dict[str, float], quad_segs: int = 8,
              tree: shapely.STRtree | None = None) -> pd.DataFrame:
    """Per category and terrein: the terrein minus the union of richtafstand-buffers of gevoelige objecten.

    Only objects closer to the terrein than its largest richtafstand are used (one STRtree "dwithin"
    query). The union of disks of radius d is built as a Minkowski sum in two steps:
    P ⊕ D(d) = (P ⊕ D(a)) ⊕ D(d - a), with a = the terrein's smallest positive richtafstand among the
    categories. The first step (a cascaded union of the small disks, one union per terrein) is done
    once; each category is then a single polygon buffer by d - a. This is exact up to the polygonal
    approximation of arcs (sub-metre); GEOS's own buffer of a MultiPoint is pathologically slow here.
    Returns columns categorie, omgevingstype, terrein (positional index), geometry; a category that
    fits nowhere gives an empty polygon.
    """
    tgeom = geoms(terreinen)
    n = len(tgeom)
    typ = pd.Series(omgevingstype).astype("string").to_numpy()
    pts = np.asarray(gevoelig, dtype=object)
    tables = {RUSTIG: rustig, GEMENGD: gemengd}
    dist_cat = {c: np.array([tables.get(t, rustig)[c] for t in typ], dtype=float) for c in categorieen}
    columns = ["categorie", "omgevingstype", "terrein", "geometry"]
    if not categorieen or n == 0:
        return pd.DataFrame(columns=columns)
    stack = np.column_stack([dist_cat[c] for c in categorieen])
    dmax_t = stack.max(axis=1)
    a_t = np.where(stack > 0, stack, np.inf).min(axis=1)
    base = np.full(n, None, dtype=object)
    if len(pts) and np.isfinite(a_t).any():
        tree = tree if tree is not None else shapely.STRtree(pts)
        it, ip = tree.query(tgeom, predicate="dwithin", distance=float(dmax_t.max()))
        keep = shapely.distance(tgeom[it], pts[ip]) < dmax_t[it]
        it, ip = it[keep], ip[keep]
        order = np.argsort(it, kind="stable")
        it, ip = it[order], ip[order]
        if len(it):
            disks = shapely.buffer(pts[ip], a_t[it], quad_segs=quad_segs)
            starts = np.r_[0, np.flatnonzero(np.diff(it)) + 1]
            ends = np.r_[starts[1:], len(it)]
            # one cascaded union per terrein that has objects nearby (a loop over terreinen)
            base[it[starts]] = [shapely.union_all(disks[s:e]) for s, e in zip(starts, ends)]
    has = shapely.is_geometry(base)
    rows = []
    for c in categorieen:  # a handful of categories
        dc = dist_cat[c]
        fits = tgeom.copy()
        sel = has & (dc > 0)
        if sel.any():
            zones = shapely.buffer(base[sel], dc[sel] - a_t[sel], quad_segs=quad_segs)
            fits[sel] = shapely.difference(tgeom[sel], zones)
        rows.append(pd.DataFrame({"categorie": c, "omgevingstype": typ, "terrein": np.arange(n), "geometry": fits}))
    return pd.concat(rows, ignore_index=True)
