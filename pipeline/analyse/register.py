"""Register of vestigingen: per company on a kavel, what it is, what it needs, and whether it holds a scarce
quality it does not need ("het juiste bedrijf op de juiste plek": keep HMC and water-bound plots for the
companies that need them, IPO position paper; domain.md).

Settings: `analyse.milieuruimte` (hmc_vanaf, lage_categorie_max, the SBI tables), `analyse.kades.watergebonden_sbi`.
Inputs: vestigingen, kavels and where each vestiging lies (points_in_polygons, shared with the other analyses),
the per-kavel table (hmc_potentie, hmc_benut, cat_benut, cat_potentie, kade_m, watergebonden, oppervlakte_m2),
terreinen (naam).
Outputs: `register` (dataset vestigingen_register, keyed by vestiging_id, sorted by the scarce capacity held)
and `per_terrein` (the register_* columns of terreinen_indicatoren).

Per vestiging: the SBI lookup (sbi.py: group, rows, min-max category, source, table), hmc_nodig ("ja" when
cat_min >= hmc_vanaf, "nee" when cat_max < hmc_vanaf, else "afhankelijk van omvang"), watergebonden (SBI prefix
list), and three findings. Each is judged per kavel, like the kavel indicators, so the register adds up to them:
- bezet_hmc: the vestiging needs no HMC, its kavel is HMC-capable (hmc_potentie) and nothing on the kavel needs
  HMC (hmc_benut false). The kavel's ha is shared equally by these vestigingen (hmc_ha): per terrein the sum is
  ha_hmc_{hmc_vanaf}_niet_hmc.
- bezet_kade: the vestiging is not water-bound, its kavel has quay (kade_m > 0) and nothing on it is water-bound
  (the quay status "onbenut"). The quay metres are shared equally (kade_m): per terrein the sum is kade_onbenut_m.
- lage_categorie: cat_max <= lage_categorie_max and nothing heavier on the kavel (cat_benut <= it): terrein land
  used by light activities (IPO: on bedrijventerreinen in principle only 3.1 or higher); laag_ha = kavel ha shared.
A company next to one that does need the quality (an office beside a steelworks on one kavel) is not counted:
the quality is in use. klasse is the first finding of "HMC-kavel, geen HMC nodig", "kadekavel, niet
watergebonden", "lage categorie op bedrijventerrein", else "onbekend (SBI niet in tabel)" when the code has no
category, else "passend". Vestigingen outside every kavel are not in the register.
"""
from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from pipeline.analyse._geo import geoms
from pipeline.analyse.sbi import sbi_categorie, sbi_prefix_match
from pipeline.categories import MILIEUCATEGORIEEN, milieucategorie_rank
from pipeline.crs import WORKING_CRS

HMC, KADE, LAAG = "HMC-kavel, geen HMC nodig", "kadekavel, niet watergebonden", "lage categorie op bedrijventerrein"
ONBEKEND, PASSEND = "onbekend (SBI niet in tabel)", "passend"
KLASSEN = [HMC, KADE, LAAG, ONBEKEND, PASSEND]
KAVEL_KOLOMMEN = ["rin_nummer", "oppervlakte_m2", "hmc_potentie", "hmc_benut", "kade_m", "watergebonden", "cat_benut",
                  "cat_potentie"]
SCHAARS = [HMC, KADE, LAAG]


def register(vestigingen, kavels, plaats, kavel_table: pd.DataFrame, tabellen, settings,
             terreinen=None) -> gpd.GeoDataFrame:
    """The register: one row per vestiging on a kavel (see the module docstring), in EPSG:28992."""
    iv, ik = plaats
    m = settings.milieuruimte
    v = vestigingen.iloc[iv].reset_index(drop=True)
    kavel_id = kavels["kavel_id"].astype("str").to_numpy()[ik]
    kt = kavel_table[KAVEL_KOLOMMEN].reindex(kavel_id)  # only the columns used: the table has 150
    cats = sbi_categorie(v["sbi_code"].to_numpy(), tabellen)
    water = sbi_prefix_match(v["sbi_code"].to_numpy(), settings.kades.watergebonden_sbi)
    rmin = milieucategorie_rank(cats["cat_min"].astype(object))
    rmax = milieucategorie_rank(cats["cat_max"].astype(object))
    h, low = MILIEUCATEGORIEEN.index(m.hmc_vanaf), MILIEUCATEGORIEEN.index(m.lage_categorie_max)
    known = rmax >= 0
    bezet_hmc = (known & (rmax < h) & kt["hmc_potentie"].to_numpy(bool)
                 & ~kt["hmc_benut"].astype("boolean").fillna(True).to_numpy(bool))
    bezet_kade = (~water & (kt["kade_m"].to_numpy(float) > 0)
                  & ~kt["watergebonden"].astype("boolean").fillna(True).to_numpy(bool))
    laag = known & (rmax <= low) & (milieucategorie_rank(kt["cat_benut"].astype(object)) <= low)
    ha = kt["oppervlakte_m2"].to_numpy(float) / 1e4
    out = pd.DataFrame({
        "vestiging_id": _unique(v["vestiging_id"].astype("str")),
        "naam": v["naam"].astype("string").to_numpy(), "sbi_code": v["sbi_code"].astype("string").to_numpy(),
        "werkzame_personen": v["werkzame_personen"].to_numpy(float) if "werkzame_personen" in v else np.nan,
        "kavel_id": kavel_id, "rin_nummer": kt["rin_nummer"].astype("string").to_numpy(),
        "terrein_naam": _terrein_naam(kt["rin_nummer"], terreinen),
        **{c: cats[c].to_numpy() for c in ("sbi_groep", "sbi_omschrijving", "sbi_rijen", "cat_min", "cat_max",
                                          "sbi_bron", "sbi_bevestigd", "sbi_tabel")},
        "hmc_nodig": np.select([~known, rmin >= h, rmax < h], [None, "ja", "nee"], "afhankelijk van omvang"),
        "watergebonden": water, "kavel_cat_potentie": kt["cat_potentie"].astype(object).to_numpy(),
        "kavel_hmc_mogelijk": kt["hmc_potentie"].to_numpy(bool), "kavel_kade_m": kt["kade_m"].to_numpy(float),
        "bezet_hmc": bezet_hmc, "bezet_kade": bezet_kade, "lage_categorie": laag,
        "hmc_ha": _shared(ik, bezet_hmc, ha), "kade_m": _shared(ik, bezet_kade, kt["kade_m"].to_numpy(float)),
        "laag_ha": _shared(ik, laag, ha),
    })
    out["klasse"] = np.select([bezet_hmc, bezet_kade, laag, ~known], SCHAARS + [ONBEKEND], PASSEND)
    out["reden"] = reden(out, m)
    frame = gpd.GeoDataFrame(out, geometry=geoms(v), crs=WORKING_CRS)
    order = np.lexsort((frame["vestiging_id"].to_numpy(), -frame["laag_ha"].to_numpy(),
                        -frame["hmc_ha"].to_numpy(), -frame["kade_m"].to_numpy()))
    return frame.iloc[order].reset_index(drop=True)


def _unique(ids: pd.Series) -> np.ndarray:
    """Ids as given; a repeated id gets '#2', '#3' (the register's key must be unique)."""
    n = ids.groupby(ids).cumcount().to_numpy()
    return np.where(n > 0, ids.to_numpy(dtype=object) + "#" + (n + 1).astype(str), ids.to_numpy(dtype=object))


def _terrein_naam(rin: pd.Series, terreinen) -> np.ndarray:
    if terreinen is None or "naam" not in terreinen:
        return np.full(len(rin), None, dtype=object)
    names = pd.Series(terreinen["naam"].astype("string").to_numpy(), index=terreinen["rin_nummer"].astype("str"))
    names = names[~names.index.duplicated()]
    return rin.astype("str").map(names).to_numpy(dtype=object)


def _shared(kavel: np.ndarray, hit: np.ndarray, amount: np.ndarray) -> np.ndarray:
    """The kavel's amount shared equally among the vestigingen on it with `hit`; 0 for the others."""
    n = np.bincount(kavel[hit], minlength=int(kavel.max()) + 1 if len(kavel) else 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(hit, amount / np.maximum(n[kavel] if len(kavel) else 1, 1), 0.0)


def _nl(values: pd.Series, decimals: int) -> pd.Series:
    return values.map(lambda x: f"{x:,.{decimals}f}".replace(",", " ").replace(".", ",").replace(" ", "."))


def reden(reg: pd.DataFrame, settings) -> np.ndarray:
    """One Dutch line per vestiging: what it is, what it holds and why. Each text is made only for the rows it
    applies to (a few of the vestigingen each)."""
    joined = np.full(len(reg), "", dtype=object)
    for column, text in (("bezet_hmc", _hmc_tekst), ("bezet_kade", _kade_tekst), ("lage_categorie", _laag_tekst)):
        hit = np.flatnonzero(reg[column].to_numpy(bool))
        if len(hit):
            part = text(reg.iloc[hit], settings).to_numpy(dtype=object)
            joined[hit] = np.where(joined[hit] == "", part, joined[hit] + "; " + part)
    rest = np.flatnonzero(joined == "")
    if len(rest):
        r = reg.iloc[rest]
        passend = (_cat(r) + " (" + _sbi(r) + ")" + np.where(r["watergebonden"], ", watergebonden", "")
                   + ": passend op kavel " + r["kavel_id"])
        onbekend = _sbi(r) + " staat niet in de SBI-tabel: categorie onbekend"
        joined[rest] = np.where(r["cat_max"].isna(), onbekend, passend)
    return joined


def _sbi(r: pd.DataFrame) -> pd.Series:
    return "SBI " + r["sbi_code"].astype("string").fillna("?")


def _cat(r: pd.DataFrame) -> pd.Series:
    return "categorie " + r["cat_min"].astype("string").fillna("?") + "–" + r["cat_max"].astype("string").fillna("?")


def _hmc_tekst(r: pd.DataFrame, settings) -> pd.Series:
    return (_cat(r) + " (" + _sbi(r) + "), geen HMC nodig, op HMC-kavel " + r["kavel_id"] + " (mogelijk "
            + r["kavel_cat_potentie"].astype("string").fillna("?") + "): " + _nl(r["hmc_ha"], 2) + " ha HMC-ruimte")


def _kade_tekst(r: pd.DataFrame, settings) -> pd.Series:
    return ("niet watergebonden (" + _sbi(r) + ") op kavel met " + _nl(r["kavel_kade_m"], 0) + " m kade: "
            + _nl(r["kade_m"], 0) + " m kade bezet")


def _laag_tekst(r: pd.DataFrame, settings) -> pd.Series:
    return _cat(r) + " (≤ " + settings.lage_categorie_max + ") op bedrijventerrein: " + _nl(r["laag_ha"], 2) + " ha"


def per_terrein(reg: pd.DataFrame | None, rin_nummers) -> pd.DataFrame:
    """Per rin_nummer: vestigingen_aantal and the register totals; null without a vestigingen layer."""
    rins = pd.Index(pd.Series(rin_nummers).astype("str"), name="rin_nummer")
    cols = ["vestigingen_aantal", "register_aantal", "register_hmc_aantal", "register_hmc_ha", "register_kade_aantal",
            "register_kade_m", "register_laag_aantal", "register_laag_ha"]
    if reg is None:
        return pd.DataFrame({c: pd.array([pd.NA] * len(rins), dtype="Float64") for c in cols}, index=rins)
    r = pd.DataFrame({"rin": reg["rin_nummer"].astype("str").to_numpy(), "een": 1,
                      "schaars": reg["klasse"].isin(SCHAARS).to_numpy(int),
                      "hmc": reg["bezet_hmc"].to_numpy(int), "hmc_ha": reg["hmc_ha"].to_numpy(float),
                      "kade": reg["bezet_kade"].to_numpy(int), "kade_m": reg["kade_m"].to_numpy(float),
                      "laag": reg["lage_categorie"].to_numpy(int), "laag_ha": reg["laag_ha"].to_numpy(float)})
    sums = r.groupby("rin").sum().reindex(rins).fillna(0)
    out = pd.DataFrame(sums.to_numpy(), columns=cols, index=rins)
    for c in cols:
        out[c] = out[c].astype("int64" if c.endswith("aantal") else float)
    return out
