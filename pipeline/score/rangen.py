"""Rank of each criterion's raw value in the terrein's region and in the whole run (the province), so that
'bovenmatig' is visible rather than asserted: "kademeters: 3e van 58 in West-Brabant, 5e van 650 in de provincie".

- {c}_rang_regio / {c}_rang_provincie: 1 = the largest raw value; equal values share the lowest rank
  (pandas rank method 'min'); null where the raw value is 0 (a terrein without that quality has no rank on it).
- regio_aantal: the number of terreinen in the region (the denominator of the regional rank).
- rang_kwaliteiten: the Dutch line for the qualities that can carry the flag (KWALITEITEN) with a raw value > 0;
  a shared rank says 'gedeeld'.
Regions come from pipeline/regios.py (gemeente_code -> regio, unknown -> 'onbekend').
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from pipeline.config.weights import KWALITEITEN
from pipeline.regios import ONBEKEND

# what the rank is 'on', per quality
ONDERWERP = {"water": "kademeters", "milieuruimte": "HMC-ruimte", "multimodaal": "modaliteiten",
             "cluster": "clusteroppervlak", "omvang": "omvang", "netcapaciteit": "netcapaciteit"}
GEEN = "geen van de kwaliteiten water, milieuruimte, multimodale ontsluiting of cluster aanwezig"


def ranks(raw: pd.DataFrame, regio: pd.Series) -> pd.DataFrame:
    """{c}_rang_regio and {c}_rang_provincie (nullable int) for every column of `raw`, and regio_aantal."""
    regio = pd.Series(regio, index=raw.index).astype("string").fillna(ONBEKEND)
    out = {}
    for c in raw.columns:
        value = raw[c].astype(float).where(raw[c].astype(float) > 0)
        out[f"{c}_rang_regio"] = value.groupby(regio).rank(ascending=False, method="min").round().astype("Int64")
        out[f"{c}_rang_provincie"] = value.rank(ascending=False, method="min").round().astype("Int64")
    frame = pd.DataFrame(out, index=raw.index)
    frame["regio_aantal"] = regio.map(regio.value_counts()).astype("int64")
    return frame


def _shared(rank: pd.Series, groups: pd.Series | None) -> np.ndarray:
    """True where another terrein (in the same group) has the same rank."""
    keys = pd.DataFrame({"g": groups if groups is not None else 0, "r": rank})
    return (keys.duplicated(keep=False) & rank.notna()).to_numpy(bool)


def _ordinal(rank: pd.Series, shared: np.ndarray) -> pd.Series:
    text = rank.astype("string") + "e"
    return pd.Series(np.where(shared, "gedeeld ", ""), index=rank.index) + text


def rank_text(raw: pd.DataFrame, rang: pd.DataFrame, regio: pd.Series) -> pd.Series:
    """rang_kwaliteiten: '<onderwerp>: 3e van 58 in West-Brabant, 5e van 650 in de provincie; ...' per terrein."""
    regio = pd.Series(regio, index=raw.index).astype("string").fillna(ONBEKEND)
    place = regio.where(regio != ONBEKEND, "regio onbekend")
    n_prov = str(len(raw))
    text = pd.Series("", index=raw.index, dtype="object")
    for c in KWALITEITEN:
        r_reg, r_prov = rang[f"{c}_rang_regio"], rang[f"{c}_rang_provincie"]
        part = (ONDERWERP[c] + ": " + _ordinal(r_reg, _shared(r_reg, regio)) + " van "
                + rang["regio_aantal"].astype(str) + " in " + place + ", "
                + _ordinal(r_prov, _shared(r_prov, None)) + f" van {n_prov} in de provincie").astype("object")
        has = (raw[c].astype(float) > 0).to_numpy(bool)
        joined = text + np.where(text == "", "", "; ") + part.fillna("")
        text = text.where(~has, joined)
    return text.where(text != "", GEEN).astype("string")
