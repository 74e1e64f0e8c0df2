"""The second axis: is the terrein's strategic capacity used? And the typology strategisch x benutting with the
policy action each type implies (domain.md, 'Bovenmatig strategisch belang'; REH B.1 'beschermen en benutten').

Settings: `score.onderbenut_hmc_ha`, `score.onderbenut_kade_m`, `score.onderbenut_uitgeefbaar_ha` (absolute) and
`score.onderbenut_aandeel` (relative); `analyse.milieuruimte.hmc_vanaf` names the HMC room.

Three parts of the strategic capacity, each unused amount against its capacity:
- HMC room: potentie_milieuruimte_ha (HMC-capable ha used by non-HMC activities or vacant) of ha_hmc_{hmc_vanaf};
- quay: potentie_kades_m (quay metres onbenut or vrij) of kade_m;
- issuable land: ha_uitgeefbaar (IBIS) of ha_netto (ha_bruto where IBIS gives no netto).
A part is onderbenut when its unused amount is > 0, at least the absolute threshold AND at least
onderbenut_aandeel of its capacity; the terrein is onderbenut when any part is. An unknown part (HMC use without a
vestigingen layer) counts as not onderbenut and the reason says it is unknown.

Types: strategisch (vlag) x benutting -> beschermen / beschermen en benutten (prioriteit) / regulier /
benutten / herstructureren.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from pipeline.categories import TYPOLOGIE_ACTIES, TYPOLOGIEEN
from pipeline.score.explain import nl

ONDERBENUT, GOED_BENUT = "onderbenut", "goed benut"
TYPES, ACTIES = TYPOLOGIEEN, TYPOLOGIE_ACTIES


def _share(unused: pd.Series, capacity: pd.Series) -> pd.Series:
    cap = capacity.astype(float)
    return (unused.astype(float) / cap.where(cap > 0)).clip(upper=1.0)


def parts(t: pd.DataFrame, hmc_column: str) -> dict[str, tuple[pd.Series, pd.Series]]:
    """(unused, share) per part of the strategic capacity; NaN where unknown or without capacity."""
    netto = t["ha_netto"].astype(float)
    netto = netto.where(netto > 0, t["ha_bruto"].astype(float))
    hmc = t["potentie_milieuruimte_ha"].astype(float)
    kade = t["potentie_kades_m"].astype(float)
    uitg = t["ha_uitgeefbaar"].astype(float)
    return {"hmc": (hmc, _share(hmc, t[hmc_column])), "kade": (kade, _share(kade, t["kade_m"])),
            "uitgeefbaar": (uitg, _share(uitg, netto))}


def _num(value: float, decimals: int = 0) -> str:
    return nl(pd.Series([value]), decimals).iloc[0]


def benutting(t: pd.DataFrame, score, hmc_column: str) -> tuple[pd.DataFrame, pd.Series]:
    """(aandeel_hmc_onbenut, aandeel_kade_onbenut, aandeel_uitgeefbaar, benutting; the Dutch reason)."""
    limits = {"hmc": score.onderbenut_hmc_ha, "kade": score.onderbenut_kade_m,
              "uitgeefbaar": score.onderbenut_uitgeefbaar_ha}
    what = {"hmc": (" ha HMC-ruimte onbenut (", 1), "kade": (" m kade onbenut of vrij (", 0),
            "uitgeefbaar": (" ha uitgeefbaar (", 1)}
    p = parts(t, hmc_column)
    reason = pd.Series("", index=t.index, dtype="object")
    under = np.zeros(len(t), dtype=bool)
    for key, (unused, share) in p.items():
        over = ((unused > 0) & (unused >= limits[key]) & (share >= score.onderbenut_aandeel)).to_numpy(bool)
        under |= over
        text = nl(unused.fillna(0.0), what[key][1]) + what[key][0] + nl(share.fillna(0.0) * 100) + "%)"
        reason = reason.where(~over, reason + np.where(reason == "", "", ", ") + text)
    good = (f"goed benut (niets onbenut boven {_num(score.onderbenut_hmc_ha, 1)} ha HMC-ruimte, "
            f"{_num(score.onderbenut_kade_m)} m kade of {_num(score.onderbenut_uitgeefbaar_ha, 1)} ha uitgeefbaar "
            f"én {_num(score.onderbenut_aandeel * 100)}% ervan)")
    reason = pd.Series(np.where(under, "onderbenut: " + reason.astype(str), good), index=t.index, dtype="object")
    unknown = p["hmc"][0].isna().to_numpy(bool) & (t[hmc_column].astype(float) > 0).to_numpy(bool)
    reason = reason.where(~unknown, reason + "; gebruik van de HMC-ruimte onbekend (geen vestigingen)")
    return pd.DataFrame({"aandeel_hmc_onbenut": p["hmc"][1], "aandeel_kade_onbenut": p["kade"][1],
                         "aandeel_uitgeefbaar": p["uitgeefbaar"][1],
                         "benutting": pd.Series(np.where(under, ONDERBENUT, GOED_BENUT), index=t.index,
                                                dtype="string")}, index=t.index), reason


def typologie(vlag: pd.Series, grensgeval: pd.Series, ben: pd.DataFrame, reason: pd.Series) -> pd.DataFrame:
    """typologie, typologie_reden and typologie_actie per terrein (ben, reason: what `benutting` returns)."""
    strategisch = vlag.to_numpy(bool)
    onder = (ben["benutting"] == ONDERBENUT).to_numpy(bool)
    typ = np.select([strategisch & onder, strategisch, onder], TYPES[:3], default=TYPES[3])
    kop = np.where(strategisch, np.where(grensgeval.to_numpy(bool), "strategisch (grensgeval)", "strategisch"),
                   np.where(grensgeval.to_numpy(bool), "niet strategisch (grensgeval)", "niet strategisch"))
    reden = pd.Series(kop, index=vlag.index, dtype="object") + "; " + reason.astype(str)
    return pd.DataFrame({"typologie": pd.Series(typ, index=vlag.index, dtype="string"),
                         "typologie_reden": reden.astype("string"),
                         "typologie_actie": pd.Series(typ, index=vlag.index).map(ACTIES).astype("string")},
                        index=vlag.index)
