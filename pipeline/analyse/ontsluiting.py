"""Ontsluiting: how a terrein is reached — over water, by rail and by road (multimodality).

Settings: `analyse.ontsluiting` (afstand_m, spoor_soorten).
Inputs: terreinen (IBIS water_ontsluiting, spoor_ontsluiting), kade_water_m (kades.per_terrein), optional spoor
and opritten layers.
Outputs (`per_terrein`, keyed by rin_nummer): afstand_spoor_m, afstand_oprit_m (null without the layer),
ontsluiting_water (kade_water_m > 0 or IBIS), ontsluiting_spoor (a track of spoor_soorten within afstand_m, or
IBIS; tracks of unknown kind count too), ontsluiting_weg (a ramp within afstand_m), aantal_modaliteiten and the
text modaliteiten ("water, spoor, weg").
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from pipeline.analyse._geo import geoms, keyed, nearest_distance

MODALITEITEN = ["water", "spoor", "weg"]


def afstand_tot(terreinen, features) -> np.ndarray:
    """Distance (m) from each terrein to the nearest feature; NaN without features (a layer not configured)."""
    if features is None or len(features) == 0:
        return np.full(len(terreinen), np.nan)
    dist, _ = nearest_distance(geoms(terreinen), geoms(features))
    return dist


def rail_kinds(spoor, soorten: list[str]):
    """The tracks that give rail access: of the configured kinds, or of unknown kind; all when none is named."""
    if spoor is None or not soorten:
        return spoor
    soort = spoor["soort"].astype("string").str.lower()
    return spoor[(soort.isna() | soort.isin([s.lower() for s in soorten])).to_numpy(bool)]


def per_terrein(terreinen, kade_water_m: pd.Series, spoor, opritten, settings) -> pd.DataFrame:
    """The ontsluiting columns of every terrein, keyed by rin_nummer (kade_water_m keyed the same way)."""
    out = pd.DataFrame(index=terreinen.index)
    out["afstand_spoor_m"] = afstand_tot(terreinen, rail_kinds(spoor, settings.spoor_soorten))
    out["afstand_oprit_m"] = afstand_tot(terreinen, opritten)
    water = kade_water_m.reindex(terreinen["rin_nummer"].astype("str")).to_numpy(float) > 0
    out["ontsluiting_water"] = water | terreinen["water_ontsluiting"].to_numpy(bool)
    out["ontsluiting_spoor"] = (out["afstand_spoor_m"] <= settings.afstand_m).to_numpy() \
        | terreinen["spoor_ontsluiting"].to_numpy(bool)
    out["ontsluiting_weg"] = (out["afstand_oprit_m"] <= settings.afstand_m).to_numpy()
    flags = out[[f"ontsluiting_{m}" for m in MODALITEITEN]].to_numpy(bool)
    out["aantal_modaliteiten"] = flags.sum(axis=1).astype(np.int64)
    text = pd.Series("", index=out.index, dtype="object")
    for j, name in enumerate(MODALITEITEN):  # three modalities, vectorised over the terreinen
        text = text.where(~flags[:, j], text + np.where(text == "", "", ", ") + name)
    out["modaliteiten"] = text.astype("str")
    return keyed(out, terreinen["rin_nummer"])
