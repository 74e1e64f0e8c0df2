"""Ordered categorical scales and vocabularies used across stages: VNG milieucategorie, CEMT waterway class, grid
status, and the typology strategisch x benutting with its policy actions.

Categories are strings ("3.1" never a float); comparisons go through their rank.
"""
import numpy as np
import pandas as pd

MILIEUCATEGORIEEN = ["1", "2", "3.1", "3.2", "4.1", "4.2", "5.1", "5.2", "5.3", "6"]
CEMT_KLASSEN = ["0", "I", "II", "III", "IV", "Va", "Vb", "VIa", "VIb", "VIc", "VII"]
# grid status (capaciteitskaart), best to worst; "onbekend" = no status or not covered
NET_STATUSSEN = ["groen", "geel", "oranje", "rood", "onbekend"]

# the typology (domain.md): strategisch x benutting, priority first; each type with the policy action it implies
TYPOLOGIEEN = ["beschermen en benutten", "beschermen", "benutten / herstructureren", "regulier"]
TYPOLOGIE_ACTIES = {
    "beschermen en benutten": "Prioriteit: de strategische kwaliteiten planologisch beschermen én de onbenutte "
                              "ruimte vullen met bedrijven die deze kwaliteiten nodig hebben (HMC, watergebonden)",
    "beschermen": "Beschermen: de strategische kwaliteiten planologisch borgen tegen functieverlies; bij "
                  "(gedeeltelijke) functiewijziging vervangende ruimte ontwikkelen",
    "benutten / herstructureren": "Benutten of herstructureren: de onbenutte ruimte inzetten voor de regionale vraag, "
                                  "of het terrein herstructureren (intensiveren, herverkavelen)",
    "regulier": "Regulier: geen bijzondere provinciale inzet; via de regionale programmering",
}

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
