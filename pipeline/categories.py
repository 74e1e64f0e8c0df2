"""Ordered categorical scales used across stages: VNG milieucategorie and CEMT waterway class.

Categories are strings ("3.1" never a float); comparisons go through their rank.
"""
import numpy as np
import pandas as pd

MILIEUCATEGORIEEN = ["1", "2", "3.1", "3.2", "4.1", "4.2", "5.1", "5.2", "5.3", "6"]
CEMT_KLASSEN = ["0", "I", "II", "III", "IV", "Va", "Vb", "VIa", "VIb", "VIc", "VII"]
# grid status (capaciteitskaart), best to worst; "onbekend" = no status or not covered
NET_STATUSSEN = ["groen", "geel", "oranje", "rood", "onbekend"]

MILIEUCATEGORIE_DTYPE = pd.CategoricalDtype(MILIEUCATEGORIEEN, ordered=True)
CEMT_DTYPE = pd.CategoricalDtype(CEMT_KLASSEN, ordered=True)

# IBIS stores only the main category 1..6; the highest sub-category it allows.
IBIS_HOOFDCATEGORIE = {"1": "1", "2": "2", "3": "3.2", "4": "4.2", "5": "5.3", "6": "6"}


def milieucategorie_rank(values) -> np.ndarray:
    """Rank 0..9 of each category, -1 for missing/unknown (no category, vacant)."""
    return pd.Categorical(pd.Series(values, dtype="object").astype("string"),
                          categories=MILIEUCATEGORIEEN, ordered=True).codes.astype(np.int16)


def cemt_rank(values) -> np.ndarray:
    """Rank of each CEMT class (0 = class 0), -1 for missing/unknown."""
    return pd.Categorical(pd.Series(values, dtype="object").astype("string"),
                          categories=CEMT_KLASSEN, ordered=True).codes.astype(np.int16)


def milieucategorie_from_rank(ranks) -> pd.Series:
    ranks = np.asarray(ranks)
    return pd.Series(pd.Categorical.from_codes(np.where(ranks < 0, -1, ranks), dtype=MILIEUCATEGORIE_DTYPE))


def cemt_from_rank(ranks) -> pd.Series:
    ranks = np.asarray(ranks)
    return pd.Series(pd.Categorical.from_codes(np.where(ranks < 0, -1, ranks), dtype=CEMT_DTYPE))


def variant_label(categorie: str) -> str:
    """"4.1" -> "41", "6" -> "6": the suffix of column names such as ha_hmc_41."""
    return categorie.replace(".", "")


def hmc_display(label: str) -> str:
    """"41" -> "4.1", "6" -> "6": the category a column-name suffix stands for."""
    return f"{label[0]}.{label[1:]}" if len(label) > 1 else label
