"""Milieuruimte: how heavy an activity each kavel can host, and how heavy what is there now is.

Settings: `analyse.milieuruimte` (richtafstanden per omgevingstype, standaard_omgevingstype,
bedrijfswoningen_meetellen, hmc_vanaf, hmc_varianten, sbi_tabel), `analyse.zonering_min_aandeel`,
`analyse.meettolerantie_m`.
Inputs: kavels, terreinen, verblijfsobjecten (gevoelig), milieuzones (soort "bestemmingsvlak" with
max_milieucategorie), optional omgevingstypen and vestigingen.
Outputs: `per_kavel` (keyed by kavel_id) and `per_terrein` (keyed by rin_nummer); the columns are described
in the catalogue (pipeline/catalogue/indicators.py). The SBI lookup is sbi.py, the gevoelige objecten
gevoelig.py, the contours contouren.py.

Notes (definitions from domain.md):
- cat_afstand = highest category whose richtafstand <= distance from the kavel boundary to the nearest
  gevoelig object (0 when one lies on the kavel). Richtafstanden are indicative ("indicatief").
  No gevoelig object anywhere = infinitely far = the highest category. The object that sets it is named
  (gevoelig_vbo_id, gevoelig_gebruiksdoel). A distance within meettolerantie_m short of a richtafstand
  counts as reaching it (coordinate noise must not change a category).
- cat_plan = the max category of the bestemmingsvlak with the largest overlap; else the IBIS main
  category of the terrein, mapped to its highest sub-category (IBIS "4" -> "4.2"). The plot that sets it
  is named (cat_plan_zone_id, cat_plan_omschrijving). Overlaps within meettolerantie_m x the kavel's
  perimeter of the largest count as equal: the first plot in the layer wins.
- cat_potentie = min(cat_afstand, cat_plan); with no plan information at all it is cat_afstand.
- cat_benut = highest cat_max (SBI table, longest-prefix match) of the vestigingen on the kavel;
  null = vacant (vacant True) or unknown (no vestigingen layer: vacant null; or only SBI codes that
  are not in the table: vacant False).
- gap_stappen = rank(cat_potentie) - rank(cat_benut); a vacant kavel counts as rank -1 (one step below
  category 1), so its gap is every step up to its potential. Null when either side is unknown.
- onbenutte_hmc_ha = the kavel's ha when its potential is HMC (hmc_vanaf) and it is vacant or used below HMC;
  0 without HMC potential; null when the use is unknown. Summed per terrein it is potentie_milieuruimte_ha.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import shapely

from pipeline.analyse._geo import geoms, group_max, keyed, largest_overlap, per_kavel_van_terrein, points_in_polygons
from pipeline.analyse.gevoelig import afstand_gevoelig, dichtstbij, gevoelige_objecten  # noqa: F401 (re-exported)
from pipeline.analyse.sbi import sbi_categorie, sbi_tabellen
from pipeline.categories import (IBIS_HOOFDCATEGORIE, MILIEUCATEGORIE_DTYPE, MILIEUCATEGORIEEN,
                                 milieucategorie_from_rank, milieucategorie_rank, variant_label)

RUSTIG, GEMENGD = "rustige woonwijk", "gemengd gebied"


def per_kavel(kavels, gevoelig: np.ndarray, *, milieuzones, terreinen, vestigingen, omgevingstypen, settings,
              min_aandeel: float, tree: shapely.STRtree | None = None, tol: float = 0.0,
              gevoelig_info: pd.DataFrame | None = None, tabellen=None, plaats=None,
              near: pd.DataFrame | None = None) -> pd.DataFrame:
    """The milieuruimte columns of every kavel, keyed by kavel_id.

    gevoelig_info: vbo_id and gebruiksdoel aligned with `gevoelig`; plaats: (vestiging, kavel) index pairs of
    points_in_polygons (computed here when None); tabellen: the SBI tables (from the settings when None);
    near: gevoelig.dichtstbij of the kavels when computed already (pipeline/analyse/partities.py)."""
    near = near if near is not None else dichtstbij(kavels, gevoelig, gevoelig_info, tree=tree)
    omgevingstype = omgevingstype_per_vlak(kavels, omgevingstypen, settings.standaard_omgevingstype, tol=tol)
    plan = cat_plan(kavels, milieuzones, terreinen, min_aandeel=min_aandeel, tol=tol)
    benut = cat_benut(kavels, vestigingen, tabellen if tabellen is not None else sbi_tabellen(settings),
                      plaats=plaats, tol=tol)
    out = milieuruimte_per_kavel(kavels, afstand=near["afstand_gevoelig_m"], omgevingstype=omgevingstype, plan=plan,
                                 benut=benut, settings=settings, tol=tol)
    out.loc[~np.isfinite(out["afstand_gevoelig_m"]), "afstand_gevoelig_m"] = np.nan
    out["gevoelig_vbo_id"] = near["gevoelig_vbo_id"].values
    out["gevoelig_gebruiksdoel"] = near["gevoelig_gebruiksdoel"].values
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
# cat_afstand (the gevoelige objecten and their distances: gevoelig.py)
# ---------------------------------------------------------------------------------------------
def rank_uit_afstand(afstand, richtafstanden: dict[str, float]) -> np.ndarray:
    """Rank (0..9) of the highest category whose richtafstand <= afstand; -1 when none fits."""
    thresholds = np.asarray([richtafstanden[c] for c in MILIEUCATEGORIEEN], dtype=float)
    d = np.asarray(afstand, dtype=float)
    rank = np.searchsorted(thresholds, d, side="right") - 1
    return np.where(np.isnan(d), -1, rank).astype(np.int16)


def cat_afstand(afstand, omgevingstype, *, rustig: dict[str, float], gemengd: dict[str, float],
                tol: float = 0.0) -> pd.Series:
    """cat_afstand per object: the table of its omgevingstype applied to its distance (tol short counts as reached)."""
    afstand = pd.Series(afstand) + tol
    typ = pd.Series(omgevingstype, index=afstand.index).astype("string")
    rank = np.where(typ.eq(GEMENGD).fillna(False).to_numpy(bool),
                    rank_uit_afstand(afstand, gemengd), rank_uit_afstand(afstand, rustig))
    out = milieucategorie_from_rank(rank)
    out.index = afstand.index
    return out.rename("cat_afstand")


def omgevingstype_per_vlak(vlakken, omgevingstypen, standaard: str, *, tol: float = 0.0) -> pd.Series:
    """Omgevingstype of each polygon: the omgevingstypen area with the largest overlap, else the default."""
    out = pd.Series(standaard, index=vlakken.index, dtype="string", name="omgevingstype")
    if omgevingstypen is None or len(omgevingstypen) == 0 or len(vlakken) == 0:
        return out
    best = largest_overlap(geoms(vlakken), geoms(omgevingstypen), tol=tol)
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


def cat_plan(kavels, milieuzones, terreinen, *, min_aandeel: float = 0.0, tol: float = 0.0) -> pd.DataFrame:
    """cat_plan, cat_plan_bron ("milieuzone" / "ibis" / null) and the plot that sets it, per kavel.

    The bestemmingsvlak with the largest overlap counts when it covers >= min_aandeel of the kavel.
    """
    out = pd.DataFrame(index=kavels.index)
    rank = np.full(len(kavels), -1, dtype=np.int16)
    bron = np.full(len(kavels), None, dtype=object)
    zone_id = np.full(len(kavels), None, dtype=object)
    tekst = np.full(len(kavels), None, dtype=object)
    if milieuzones is not None and len(milieuzones):
        vlak = milieuzones[(milieuzones["soort"].astype("string") == "bestemmingsvlak").fillna(False).to_numpy(bool)
                           & milieuzones["max_milieucategorie"].notna().to_numpy()]
        if len(vlak):
            best = largest_overlap(geoms(kavels), geoms(vlak), min_aandeel=min_aandeel, tol=tol)
            vlak_rank = milieucategorie_rank(vlak["max_milieucategorie"])
            found = best >= 0
            rank[found] = vlak_rank[best[found]]
            found &= rank >= 0
            bron[found] = "milieuzone"
            zone_id[found] = _column(vlak, "zone_id")[best[found]]
            tekst[found] = _column(vlak, "omschrijving")[best[found]]
    todo = rank < 0
    if todo.any() and terreinen is not None and len(terreinen):
        ibis = ibis_naar_categorie(terreinen["max_milieucategorie"])
        r = per_kavel_van_terrein(kavels, terreinen, milieucategorie_rank(ibis)).fillna(-1).to_numpy(np.int16)
        use = todo & (r >= 0)
        rank[use] = r[use]
        bron[use] = "ibis"
    out["cat_plan"] = milieucategorie_from_rank(rank).values
    out["cat_plan_bron"] = pd.Series(bron, index=kavels.index, dtype="string")
    out["cat_plan_zone_id"] = pd.Series(zone_id, index=kavels.index, dtype="string")
    out["cat_plan_omschrijving"] = pd.Series(tekst, index=kavels.index, dtype="string")
    return out


def _column(frame, name: str) -> np.ndarray:
    """A column as an object array of text, or all nulls when the frame lacks it."""
    if name not in frame:
        return np.full(len(frame), None, dtype=object)
    return frame[name].astype("string").to_numpy(dtype=object, na_value=None)


def cat_benut(kavels, vestigingen, tabel, *, plaats=None, tol: float = 0.0) -> pd.DataFrame:
    """cat_benut (highest cat_max of the vestigingen on the kavel), vacant, aantal_vestigingen.

    With no vestigingen layer (None) every value is null: unknown, not vacant. plaats: the (vestiging,
    kavel) pairs of points_in_polygons, so every analysis places each vestiging on the same kavel.
    """
    out = pd.DataFrame(index=kavels.index)
    n = len(kavels)
    if vestigingen is None:
        out["cat_benut"] = pd.Categorical([None] * n, dtype=MILIEUCATEGORIE_DTYPE)
        out["vacant"] = pd.array([pd.NA] * n, dtype="boolean")
        out["aantal_vestigingen"] = pd.array([pd.NA] * n, dtype="Int64")
        return out
    iv, ik = plaats if plaats is not None else points_in_polygons(kavels, vestigingen, tol=tol)
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
                           settings, tol: float = 0.0) -> pd.DataFrame:
    """Combine distance, plan and use into the per-kavel milieuruimte indicators (same index)."""
    out = pd.DataFrame(index=kavels.index)
    out["afstand_gevoelig_m"] = np.asarray(afstand, dtype=float)
    out["omgevingstype"] = pd.Series(omgevingstype, index=kavels.index).astype("string")
    out["cat_afstand"] = cat_afstand(out["afstand_gevoelig_m"], out["omgevingstype"],
                                     rustig=settings.richtafstanden_rustig,
                                     gemengd=settings.richtafstanden_gemengd, tol=tol).values
    for col in ("cat_plan", "cat_plan_bron", "cat_plan_zone_id", "cat_plan_omschrijving"):
        out[col] = plan[col].values if col in plan else pd.array([pd.NA] * len(out), dtype="string")
    r_afst = milieucategorie_rank(out["cat_afstand"].astype(object))
    r_plan = milieucategorie_rank(out["cat_plan"].astype(object))
    r_pot = np.where(r_plan >= 0, np.minimum(r_afst, r_plan), r_afst)
    out["cat_potentie"] = milieucategorie_from_rank(r_pot).values
    out["cat_benut"] = benut["cat_benut"].values
    out["vacant"] = benut["vacant"].values
    out["aantal_vestigingen"] = benut["aantal_vestigingen"].values if "aantal_vestigingen" in benut else \
        pd.array([pd.NA] * len(out), dtype="Int64")
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
    ha = shapely.area(geoms(kavels)) / 1e4
    onbenut = np.where(out["hmc_potentie"].to_numpy(bool) & (vacant | (r_ben < hmc)), ha, 0.0)
    out["onbenutte_hmc_ha"] = np.where(out["hmc_potentie"].to_numpy(bool) & ~known_use, np.nan, onbenut)
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
