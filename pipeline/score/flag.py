"""The flag: passes the sieve AND (aantal_sterk >= `score.min_sterk` OR score >= the
`score.score_percentiel` percentile of all scores). A score of 0 never fires the score branch (with many
terreinen at 0 the percentile itself can be 0). Also the ranking: rang 1 = highest score.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

RANGBANDEN = [(0.10, "top 10%"), (0.25, "10-25%"), (0.50, "25-50%"), (1.0, "onderste 50%")]


def branches(zeef: np.ndarray, aantal_sterk: np.ndarray, score: np.ndarray, *, min_sterk: int,
             percentiel: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(by_sterk, by_score, cut) — each branch already AND the sieve. Works on (n,) and on (runs, n)."""
    if score.shape[-1] == 0:
        cut = np.zeros(score.shape[:-1] + (1,))
    else:
        cut = np.percentile(score, percentiel, axis=-1, keepdims=True)
    by_sterk = zeef & (aantal_sterk >= min_sterk)
    by_score = zeef & (score >= cut) & (score > 0)
    return by_sterk, by_score, cut


def flag(zeef: pd.Series, aantal_sterk: pd.Series, score: pd.Series, *, min_sterk: int,
         percentiel: float) -> tuple[pd.DataFrame, float]:
    """vlag and vlag_tak ('sterk', 'score', 'beide', null) per terrein, and the score cut-off used."""
    by_sterk, by_score, cut = branches(zeef.to_numpy(bool), aantal_sterk.to_numpy(), score.to_numpy(float),
                                       min_sterk=min_sterk, percentiel=percentiel)
    tak = np.select([by_sterk & by_score, by_sterk, by_score], ["beide", "sterk", "score"], default="")
    frame = pd.DataFrame({"vlag": by_sterk | by_score,
                          "vlag_tak": pd.Series(tak, index=zeef.index, dtype="string").replace("", pd.NA)},
                         index=zeef.index)
    return frame, float(cut.ravel()[0]) if cut.size else 0.0


def rank(score: pd.Series) -> pd.DataFrame:
    """rang (1 = highest score; equal scores share a rank) and rangband by the rank's share of all."""
    rang = score.rank(ascending=False, method="min").fillna(len(score)).astype(np.int64)
    share = rang / max(len(score), 1)
    band = np.select([share <= upper for upper, _ in RANGBANDEN], [label for _, label in RANGBANDEN],
                     default=RANGBANDEN[-1][1])
    return pd.DataFrame({"rang": rang, "rangband": pd.Series(band, index=score.index, dtype="string")},
                        index=score.index)
