"""SBI codes -> milieucategorie (VNG 2009 "Bedrijven en milieuzonering"), and SBI prefix lists.

Settings: `analyse.milieuruimte.sbi_tabel` (None = the table shipped in pipeline/data).
A code matches the table row with the longest prefix ("24.10" matches "24.1" before "24"); an SBI lookup
gives a min and a max category, because one activity can fall in several categories by size.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from pipeline.categories import MILIEUCATEGORIE_DTYPE, MILIEUCATEGORIEEN

SBI_TABEL = Path(__file__).resolve().parent.parent / "data" / "sbi_milieucategorie.csv"


def normalise_sbi(codes) -> pd.Series:
    """SBI codes as digit strings without dots: "45.20" -> "4520", "8.1" -> "081", 4520 -> "4520".

    A one-digit division before the dot gets its leading zero back ("8.12" -> "0812"); codes are
    text, so "45.20" and "45.2" stay distinguishable only in their digits ("4520" vs "452").
    """
    s = pd.Series(codes, dtype="object").astype("string").str.strip()
    s = s.str.replace(r"^(\d)(\.|$)", r"0\1\2", regex=True)
    s = s.str.replace(r"[^0-9]", "", regex=True)
    return s.mask(s == "")


def load_sbi_tabel(path: str | Path | None = None) -> pd.DataFrame:
    """The SBI -> (cat_min, cat_max) table (CSV: sbi_code, omschrijving, cat_min, cat_max)."""
    tabel = pd.read_csv(path or SBI_TABEL, dtype=str)
    missing = {"sbi_code", "cat_min", "cat_max"} - set(tabel.columns)
    if missing:
        raise ValueError(f"SBI table {path or SBI_TABEL}: missing columns {sorted(missing)}")
    for col in ("cat_min", "cat_max"):
        bad = ~tabel[col].isin(MILIEUCATEGORIEEN)
        if bad.any():
            raise ValueError(f"SBI table {path or SBI_TABEL}: {col} not a milieucategorie in rows "
                             f"{tabel.index[bad].tolist()[:10]} (values {tabel.loc[bad, col].tolist()[:10]})")
    tabel["prefix"] = normalise_sbi(tabel["sbi_code"])
    if tabel.prefix.duplicated().any():
        raise ValueError(f"SBI table {path or SBI_TABEL}: duplicate codes "
                         f"{tabel.sbi_code[tabel.prefix.duplicated()].tolist()}")
    return tabel


def sbi_categorie(codes, tabel: pd.DataFrame) -> pd.DataFrame:
    """cat_min, cat_max and the matched table code for each SBI code, by longest-prefix match.

    "24.10" matches "24.1" before "24"; unmatched codes give nulls. Vectorised: one dictionary
    lookup per prefix length (a handful), not one per code.
    """
    norm = normalise_sbi(codes)
    index = norm.index
    match = pd.Series(pd.NA, index=index, dtype="string")
    lengths = sorted(tabel.prefix.str.len().unique(), reverse=True)
    prefixes = set(tabel.prefix)
    for n in lengths:
        todo = match.isna() & norm.notna() & (norm.str.len() >= n)
        if not todo.any():
            continue
        cand = norm[todo].str.slice(0, int(n))
        hit = cand.isin(prefixes)
        match[cand.index[hit.values]] = cand[hit]
    by_prefix = tabel.set_index("prefix")
    out = pd.DataFrame(index=index)
    out["sbi_match"] = match.map(by_prefix["sbi_code"])
    for col in ("cat_min", "cat_max"):
        out[col] = pd.Categorical(match.map(by_prefix[col]).astype(object), dtype=MILIEUCATEGORIE_DTYPE)
    return out


def sbi_prefix_match(codes, prefixes: list[str]) -> np.ndarray:
    """True where an SBI code starts with one of the prefixes ("46.71" matches "46.71.2", "38" "38.32")."""
    norm = normalise_sbi(codes)
    pre = tuple(p for p in normalise_sbi(prefixes).dropna())
    if not pre:
        return np.zeros(len(norm), dtype=bool)
    return norm.str.startswith(pre).fillna(False).to_numpy(dtype=bool)
