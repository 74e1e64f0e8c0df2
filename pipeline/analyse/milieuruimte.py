"""Milieuruimte: how heavy an activity each kavel can host, and how heavy what is there now is.

Settings: `analyse.milieuruimte` (richtafstanden per omgevingstype, standaard_omgevingstype,
bedrijfswoningen_meetellen, hmc_vanaf, hmc_varianten, sbi_tabel), `analyse.zonering_min_aandeel`.
Inputs: kavels, terreinen, verblijfsobjecten (gevoelig), milieuzones (soort "bestemmingsvlak" with
max_milieucategorie), optional omgevingstypen and vestigingen.
Outputs: `per_kavel` (keyed by kavel_id) and `per_terrein` (keyed by rin_nummer); the columns are described
in the catalogue (pipeline/catalogue/indicators.py). The SBI lookup is sbi.py, the contours contouren.py.

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

import numpy as np
import pandas as pd
import shapely

from pipeline.analyse._geo import (geoms, group_max, keyed, largest_overlap, nearest_distance, per_kavel_van_terrein,
                                  points_in_polygons)
from pipeline.analyse.sbi import load_sbi_tabel, sbi_categorie
from pipeline.categories import (IBIS_HOOFDCATEGORIE, MILIEUCATEGORIE_DTYPE, MILIEUCATEGORIEEN,
                                 milieucategorie_from_rank, milieucategorie_rank, variant_label)

RUSTIG, GEMENGD = "rustige woonwijk", "gemengd gebied"


def per_kavel(kavels, gevoelig: np.ndarray, *, milieuzones, terreinen, vestigingen, omgevingstypen, settings,
              min_aandeel: float, tree: shapely.STRtree | None = None) -> pd.DataFrame:
    """The milieuruimte columns of every kavel, keyed by kavel_id."""
    afstand = afstand_gevoelig(kavels, gevoelig, tree=tree)
    omgevingstype = omgevingstype_per_vlak(kavels, omgevingstypen, settings.standaard_omgevingstype)
    plan = cat_plan(kavels, milieuzones, terreinen, min_aandeel=min_aandeel)
    benut = cat_benut(kavels, vestigingen, load_sbi_tabel(settings.sbi_tabel))
    out = milieuruimte_per_kavel(kavels, afstand=afstand, omgevingstype=omgevingstype, plan=plan, benut=benut,
                                 settings=settings)
    out.loc[~np.isfinite(out["afstand_gevoelig_m"]), "afstand_gevoelig_m"] = np.nan
    return keyed(out, kavels["kavel_id"])


def per_terrein(kavel_table: pd.DataFrame, rin_nummers, settings, *, vestigingen_bekend: bool) -> pd.DataFrame:
    """HMC hectares per variant, niet waarmaakbaar and the highest potential, keyed by rin_nummer.

    kavel_table: per_kavel's columns plus oppervlakte_m2 and rin_nummer. Terreinen without kavels get 0 ha
    (and null for the use-dependent columns when the use is unknown)."""
    table = hmc_per_terrein(kavel_table, kavel_table["oppervlakte_m2"], kavel_table["rin_nummer"],
                            settings.hmc_varianten, vestigingen_bekend=vestigingen_bekend)
    table = table.reindex(pd.Index(rin_nummers, name="rin_nummer"))
    zero = [c for c in table.columns if c != "cat_potentie_max"
            and (vestigingen_bekend or not c.endswith(("_niet_hmc", "_vacant")))]
    table[zero] = table[zero].fillna(0.0)
    return table


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
