"""The sieve: a terrein is only a candidate when a defining quality (water, milieuruimte, multimodaal)
is 'sterk'. Good grid capacity or size alone never qualify a terrein (unused room is no criterion at all).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from pipeline.score.qualities import DEFINING

LABELS = {"water": "water", "milieuruimte": "milieuruimte", "multimodaal": "multimodale ontsluiting",
          "cluster": "cluster", "omvang": "omvang", "netcapaciteit": "netcapaciteit"}


def passes(sterk: np.ndarray, criteria: list[str]) -> np.ndarray:
    """zeef per terrein; works on (n, C) and on the Monte Carlo's (runs, n, C)."""
    columns = [criteria.index(c) for c in DEFINING]
    return sterk[..., columns].any(axis=-1)


def join_labels(sterk: pd.DataFrame, columns: list[str]) -> pd.Series:
    """'water, milieuruimte' — the labels of the given columns that are sterk, per terrein."""
    text = pd.Series("", index=sterk.index, dtype="object")
    for c in columns:
        text = text.where(~sterk[c], text + np.where(text == "", "", ", ") + LABELS[c])
    return text


def apply_sieve(sterk: pd.DataFrame) -> pd.DataFrame:
    """zeef (bool) and zeef_reden (Dutch) per terrein."""
    zeef = passes(sterk.to_numpy(bool), list(sterk.columns))
    defining = join_labels(sterk, DEFINING)
    others = join_labels(sterk, [c for c in sterk.columns if c not in DEFINING])
    failed = np.where(others != "",
                      "geen bepalende kwaliteit sterk (water, milieuruimte of multimodaal); alleen " + others
                      + " sterk, dat volstaat niet",
                      "geen bepalende kwaliteit sterk (water, milieuruimte of multimodaal)")
    reden = np.where(zeef, "zeef gehaald: " + defining + " sterk", failed)
    return pd.DataFrame({"zeef": zeef, "zeef_reden": pd.Series(reden, index=sterk.index, dtype="string")},
                        index=sterk.index)
