"""Make every step of the score visible: per criterion the raw value, normalised value, weight,
contribution (normalised x weight) and 'sterk'; and one Dutch line per terrein saying why it is (not)
flagged. Numbers in the text use Dutch notation (1.250 m; 0,62).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from pipeline.config import CRITERIA
from pipeline.score.qualities import DEFINING
from pipeline.score.sieve import join_labels


def nl(values: pd.Series, decimals: int = 0) -> pd.Series:
    """Dutch number text: thousands '.', decimal ','."""
    swap = str.maketrans(",.", ".,")
    return values.astype(float).map(lambda v: f"{v:,.{decimals}f}".translate(swap))


def criterion_columns(raw: pd.DataFrame, norm: pd.DataFrame, weights: pd.Series,
                      sterk: pd.DataFrame) -> pd.DataFrame:
    """{c}_ruw, {c}_norm, {c}_gewicht, {c}_bijdrage, {c}_sterk for every criterion, plus score."""
    columns = {}
    for c in CRITERIA:
        columns[f"{c}_ruw"] = raw[c].astype(float)
        columns[f"{c}_norm"] = norm[c].astype(float)
        columns[f"{c}_gewicht"] = pd.Series(float(weights[c]), index=raw.index)
        columns[f"{c}_bijdrage"] = norm[c].astype(float) * float(weights[c])
        columns[f"{c}_sterk"] = sterk[c].astype(bool)
    frame = pd.DataFrame(columns, index=raw.index)
    frame["score"] = frame[[f"{c}_bijdrage" for c in CRITERIA]].sum(axis=1)
    return frame


def _append(text: pd.Series, part: pd.Series, when) -> pd.Series:
    """Append '; part' (or part) where `when` holds — vectorised over terreinen."""
    when = np.asarray(when, dtype=bool)
    joined = text + np.where(text == "", "", "; ") + part
    return text.where(~when, joined)


def quality_parts(t: pd.DataFrame) -> dict[str, pd.Series]:
    """The Dutch phrase per criterion, e.g. 'kade 850 m aan CEMT Va' (used where that criterion matters)."""
    klasse = t["water_klasse"].astype("string").fillna("?")
    groen = t["afname_aandeel_groen"].astype(float) * 100
    return {
        "water": "kade " + nl(t["water_ruw"]) + " m aan CEMT " + klasse,
        "milieuruimte": nl(t["milieuruimte_ruw"]) + " ha HMC-ruimte",
        "multimodaal": "multimodaal (" + t["modaliteiten"].astype("string").fillna("") + ")",
        "cluster": "cluster van " + t["cluster_aantal"].astype(str) + " terreinen (" + nl(t["cluster_ha"])
                   + " ha)",
        "omvang": nl(t["omvang_ruw"]) + " ha bruto",
        "netcapaciteit": "ruime netcapaciteit afname (" + nl(groen) + "% groen)",
    }


def reasons(t: pd.DataFrame, *, min_sterk: int, percentiel: float, cut: float) -> pd.Series:
    """One line per terrein: what makes it strategic, or why not; '; grensgeval (...)' when borderline."""
    parts = quality_parts(t)
    sterk = pd.DataFrame({c: t[f"{c}_sterk"].to_numpy(bool) for c in CRITERIA}, index=t.index)
    strong = pd.Series("", index=t.index, dtype="object")
    for c in CRITERIA:
        strong = _append(strong, parts[c].astype("object"), sterk[c])
    vlag = t["vlag"].to_numpy(bool)
    zeef = t["zeef"].to_numpy(bool)
    text = pd.Series("", index=t.index, dtype="object")

    # flagged: the strong qualities, cluster context, the score branch (how much is unused: typologie_reden)
    flagged = strong.copy()
    flagged = _append(flagged, "cluster van " + t["cluster_aantal"].astype(str) + " terreinen",
                      (t["cluster_aantal"] > 1) & ~t["cluster_sterk"])
    p = f"{percentiel:g}"
    cut_text = nl(pd.Series(cut, index=t.index), 2)
    flagged = _append(flagged, "score " + nl(t["score"], 2) + f" ≥ P{p} (" + cut_text + ")",
                      (t["vlag_tak"] == "score").fillna(False))
    text = text.where(~vlag, flagged)

    # passed the sieve but not enough
    aantal = t["aantal_sterk"].astype(int)
    noun = np.where(aantal == 1, " sterke kwaliteit", " sterke kwaliteiten")
    short = (strong + "; maar " + aantal.astype(str) + noun + f" (minimaal {min_sterk} nodig) en score "
             + nl(t["score"], 2) + f" onder P{p} (" + cut_text + ")")
    text = text.where(~(zeef & ~vlag), short)

    # failed the sieve
    others = join_labels(sterk, [c for c in CRITERIA if c not in DEFINING])
    failed = pd.Series("geen bepalende kwaliteit sterk (zeef niet gehaald)", index=t.index, dtype="object")
    failed = failed.where(others == "", failed + "; alleen " + others + " sterk")
    text = text.where(zeef, failed)

    text = _append(text, "grensgeval (stabiliteit " + nl(t["flag_stabiliteit"], 2) + ")", t["grensgeval"])
    return text.astype("string")

