"""SBI codes -> milieucategorie, read the way the VNG list ("Bedrijven en milieuzonering", 2009) is read.

Settings: `analyse.milieuruimte.sbi_tabel` (a municipality's Staat van Bedrijfsactiviteiten, CSV; None = the
built-in table only) and `sbi_tabel_aanvullen`.

The table (built in: pipeline/data/sbi_milieucategorie.csv, provenance in sbi_milieucategorie.md) has one row
per activity, keyed like the VNG list by SBI-2008 groups written without dots, often as lists ("101, 102") or
ranges ("1102 t/m 1104"). One group can have several rows, split by size or activity ("p.o. > 1000 m2").
Every row has cat_min and cat_max (one categorie: both the same) and a `bron`: the VNG 2009 edition and the
annex it was read from, or "onbevestigd" (written from memory, not yet checked against a published row).

Lookup: a vestiging's code as digits ("10.11" -> "1011") matches the most specific group that is a prefix of
it ("1011" matches "101" before "10"; "1082" does not match "10821") and gets cat_min = the lowest and cat_max
= the highest category over all rows of that group, with their row numbers, descriptions and sources. A code
that no group matches gets nulls (unknown, not light).

A municipal Staat van Bedrijfsactiviteiten (CSV, `,` or `;`, UTF-8 or Windows-1252) wins over the built-in
table: a code found there uses its rows only; a code not found there falls back to the built-in table when
sbi_tabel_aanvullen (default), else stays unknown. Column names are matched without case, spaces, dashes and
underscores: SBI (`sbi`, `sbi_code`, `sbi2008`, `sbi-code`), description (`omschrijving`, `activiteit`),
category (`categorie`, `milieucategorie`, `cat`; or `cat_min` and `cat_max`), optional `bron` and `rij`/`nr`.
Categories may be written "3,1" or "D 3.1"; rows without SBI or category (section headings) are skipped.
Every result names its table (`sbi_tabel`: "gemeentelijk" or "ingebouwd").
"""
from __future__ import annotations

import functools
import logging
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline.categories import MILIEUCATEGORIE_DTYPE, MILIEUCATEGORIEEN

log = logging.getLogger(__name__)

SBI_TABEL = Path(__file__).resolve().parent.parent / "data" / "sbi_milieucategorie.csv"
ONBEVESTIGD = "onbevestigd"
INGEBOUWD, GEMEENTELIJK = "ingebouwd", "gemeentelijk"
COLUMNS = {  # canonical column -> accepted names (lower case, without spaces, dashes and underscores)
    "sbi": ("sbi", "sbicode", "sbi2008", "sbi2008code", "sbicode2008", "sbigroep"),
    "omschrijving": ("omschrijving", "activiteit", "bedrijfsactiviteit", "omschrijvingactiviteit"),
    "categorie": ("categorie", "milieucategorie", "cat", "grootstecategorie"),
    "cat_min": ("catmin", "categoriemin", "mincategorie"), "cat_max": ("catmax", "categoriemax", "maxcategorie"),
    "bron": ("bron",), "rij": ("rij", "nr", "nummer", "volgnummer"),
}
RESULT = ["sbi_groep", "cat_min", "cat_max", "sbi_rijen", "sbi_omschrijving", "sbi_bron", "sbi_bevestigd", "sbi_tabel"]


@dataclass(frozen=True)
class SbiTabel:
    """One table: its rows as read, and per group the aggregated categories and provenance."""
    soort: str              # "ingebouwd" or "gemeentelijk"
    pad: Path
    rijen: pd.DataFrame     # rij, sbi, omschrijving, cat_min, cat_max, bron
    groepen: pd.DataFrame   # index groep (digits): cat_min, cat_max, sbi_rijen, sbi_omschrijving, sbi_bron, ...

    @property
    def naam(self) -> str:
        return "ingebouwde tabel (VNG 2009)" if self.soort == INGEBOUWD else f"gemeentelijke tabel {self.pad.name}"


def normalise_sbi(codes) -> pd.Series:
    """SBI codes as digit strings without dots: "45.20" -> "4520", "8.1" -> "081", 4520 -> "4520".

    A one-digit division before the dot gets its leading zero back ("8.12" -> "0812"); codes are
    text, so "45.20" and "45.2" stay distinguishable only in their digits ("4520" vs "452").
    """
    s = pd.Series(codes, dtype="object").astype("string").str.strip()
    s = s.str.replace(r"^(\d)(\.|$)", r"0\1\2", regex=True)
    s = s.str.replace(r"[^0-9]", "", regex=True)
    return s.mask(s == "")


def _digits(code: str) -> str:
    """normalise_sbi for one code, in plain Python (tables are parsed cell by cell)."""
    code = re.sub(r"^(\d)(\.|$)", r"0\1\2", str(code).strip())
    return re.sub(r"[^0-9]", "", code)


def sbi_groepen(text: str) -> list[str]:
    """The groups of one table cell: "101, 102" -> ["101", "102"]; "1102 t/m 1104" -> ["1102", "1103", "1104"]."""
    cell = re.sub(r"\s*(t/m|tot en met)\s*", "~", str(text).strip(), flags=re.I)
    out = []
    for token in filter(None, (t.strip() for t in re.split(r"[,;/]|\s+en\s+", cell))):
        if "~" in token or re.fullmatch(r"\d+\s*-\s*\d+", token):
            a, b = (_digits(p) for p in re.split(r"~|-", token))
            if not a or not b or len(a) != len(b) or int(b) < int(a):
                raise ValueError(f"range {token!r} is not two SBI groups of the same length")
            out += [str(v).zfill(len(a)) for v in range(int(a), int(b) + 1)]
            continue
        digits = _digits(token)
        if not re.fullmatch(r"\d{2,5}", digits) or re.search(r"[^\d.\s]", token):
            raise ValueError(f"{token!r} is not an SBI-2008 group (2 to 5 digits, dots allowed)")
        out.append(digits)
    if not out:
        raise ValueError("no SBI group")
    return out


def _categorie(value) -> str | None:
    """"3,1", "D 3.1", "cat. 4.2" -> "3.1"; None for an empty cell."""
    if value is None or pd.isna(value) or not str(value).strip():
        return None
    m = re.search(r"(\d)(?:[.,](\d))?", str(value))
    cat = None if m is None else (m.group(1) + (f".{m.group(2)}" if m.group(2) else ""))
    if cat not in MILIEUCATEGORIEEN:
        raise ValueError(f"{value!r} is not a milieucategorie (one of {MILIEUCATEGORIEEN})")
    return cat


def _read_csv(path: Path) -> pd.DataFrame:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return pd.read_csv(path, dtype=str, sep=None, engine="python", encoding=encoding, keep_default_na=False)
        except UnicodeDecodeError:
            continue
    raise ValueError(f"SBI table {path}: not readable as UTF-8 or Windows-1252 text")


def _canonical_columns(frame: pd.DataFrame, path: Path) -> pd.DataFrame:
    key = {re.sub(r"[\s_\-.]", "", str(c)).lower(): c for c in frame.columns}
    found = {canon: key[a] for canon, names in COLUMNS.items() for a in names if a in key}
    if "sbi" not in found or not ("categorie" in found or {"cat_min", "cat_max"} <= set(found)):
        raise ValueError(f"SBI table {path}: expected a column with the SBI code (sbi, sbi_code, sbi2008) and one "
                         f"with the category (categorie, milieucategorie, or cat_min and cat_max); "
                         f"found columns {list(frame.columns)}")
    return frame.rename(columns={v: k for k, v in found.items()})[list(found)]


def read_tabel(path: str | Path | None = None) -> SbiTabel:
    """The built-in table (path None) or a municipal Staat van Bedrijfsactiviteiten, checked and aggregated.

    Read once per file version (the result is shared: callers must not change its frames)."""
    soort = INGEBOUWD if path is None else GEMEENTELIJK
    path = Path(path) if path is not None else SBI_TABEL
    if not path.is_file():
        raise ValueError(f"SBI table {path} not found (setting analyse.milieuruimte.sbi_tabel)")
    stat = path.stat()
    return _read_tabel(soort, path.resolve(), stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=8)
def _read_tabel(soort: str, path: Path, _mtime: int, _size: int) -> SbiTabel:
    frame = _canonical_columns(_read_csv(path), path)
    line = pd.Series(np.arange(len(frame)) + 2, index=frame.index)  # line 1 is the header
    rows, skipped = [], 0
    for i, r in zip(frame.index, frame.to_dict("records")):  # a table of a few hundred rows, read once per run
        where = f"SBI table {path}, line {line[i]}"
        try:
            if "categorie" in r and str(r["categorie"]).strip():
                cmin = cmax = _categorie(r["categorie"])
            else:
                cmin, cmax = _categorie(r.get("cat_min")), _categorie(r.get("cat_max"))
            if not str(r["sbi"]).strip() or cmin is None or cmax is None:
                skipped += 1
                continue
            groepen = sbi_groepen(r["sbi"])
        except ValueError as exc:
            raise ValueError(f"{where}: {exc}") from None
        if MILIEUCATEGORIEEN.index(cmin) > MILIEUCATEGORIEEN.index(cmax):
            raise ValueError(f"{where}: cat_min {cmin} is above cat_max {cmax}")
        bron = str(r.get("bron", "") or "").strip() or (
            ONBEVESTIGD if soort == INGEBOUWD else f"Staat van Bedrijfsactiviteiten {path.name}")
        rij = str(r.get("rij", "") or "").strip() or str(line[i])
        rows.append(dict(rij=rij, sbi=str(r["sbi"]).strip(), omschrijving=str(r.get("omschrijving", "") or "").strip(),
                         cat_min=cmin, cat_max=cmax, bron=bron, groepen=groepen))
    if skipped:
        log.info("SBI table %s: %d row(s) without SBI code or category skipped (headings)", path, skipped)
    if not rows:
        raise ValueError(f"SBI table {path}: no row with an SBI code and a category")
    rijen = pd.DataFrame(rows)
    return SbiTabel(soort, path, rijen.drop(columns="groepen"), _per_groep(rijen))


def _per_groep(rijen: pd.DataFrame) -> pd.DataFrame:
    """Per group: the lowest cat_min, the highest cat_max, and the rows that give them."""
    long = rijen.explode("groepen").rename(columns={"groepen": "groep"})
    long["rmin"] = long["cat_min"].map(MILIEUCATEGORIEEN.index)
    long["rmax"] = long["cat_max"].map(MILIEUCATEGORIEEN.index)
    long["bevestigd"] = long["bron"] != ONBEVESTIGD
    g = long.groupby("groep", sort=True)
    out = pd.DataFrame({
        "cat_min": g["rmin"].min().map(lambda r: MILIEUCATEGORIEEN[r]),
        "cat_max": g["rmax"].max().map(lambda r: MILIEUCATEGORIEEN[r]),
        "sbi_rijen": g["rij"].agg(", ".join),
        "sbi_omschrijving": g["omschrijving"].agg(lambda s: " | ".join(dict.fromkeys(s))),
        "sbi_bron": g["bron"].agg(lambda s: "; ".join(dict.fromkeys(p for b in s for p in b.split("; ")))),
        "sbi_bevestigd": g["bevestigd"].all(),
    })
    out.index.name = "groep"
    return out


def load_sbi_tabel(path: str | Path | None = None) -> SbiTabel:
    """One table: the built-in one (None) or the file at path."""
    return read_tabel(path)


def sbi_tabellen(settings) -> list[SbiTabel]:
    """The tables of a run in the order they are asked (analyse.milieuruimte settings)."""
    if settings.sbi_tabel is None:
        return [read_tabel(None)]
    eigen = read_tabel(settings.sbi_tabel)
    return [eigen, read_tabel(None)] if settings.sbi_tabel_aanvullen else [eigen]


def _most_specific(norm: pd.Series, groepen: pd.Index) -> pd.Series:
    """The longest group that is a prefix of each code (one dictionary lookup per group length)."""
    match = pd.Series(pd.NA, index=norm.index, dtype="string")
    known = set(groepen)
    for n in sorted({len(g) for g in known}, reverse=True):
        todo = match.isna() & norm.notna() & (norm.str.len() >= n)
        if not todo.any():
            continue
        cand = norm[todo].str.slice(0, n)
        hit = cand.isin(known).to_numpy(bool)
        match[cand.index[hit]] = cand[hit]
    return match


def sbi_categorie(codes, tabel: SbiTabel | list[SbiTabel]) -> pd.DataFrame:
    """Per code (positional, same length): sbi_groep, cat_min, cat_max, sbi_rijen, sbi_omschrijving, sbi_bron,
    sbi_bevestigd, sbi_tabel; nulls where no table has a group for the code."""
    tabellen = [tabel] if isinstance(tabel, SbiTabel) else list(tabel)
    norm = normalise_sbi(codes).reset_index(drop=True)
    out = pd.DataFrame({c: pd.Series(pd.NA, index=norm.index, dtype="object") for c in RESULT})
    for t in tabellen:
        todo = out["sbi_groep"].isna()
        match = _most_specific(norm[todo], t.groepen.index)
        match = match[match.notna()]
        if match.empty:
            continue
        per = t.groepen.reindex(match.to_numpy())
        out.loc[match.index, "sbi_groep"] = match.to_numpy(dtype=object)
        for col in per.columns:
            out.loc[match.index, col] = per[col].to_numpy(dtype=object)
        out.loc[match.index, "sbi_tabel"] = t.soort
    for col in ("cat_min", "cat_max"):
        out[col] = pd.Categorical(out[col].astype(object), dtype=MILIEUCATEGORIE_DTYPE)
    out["sbi_bevestigd"] = out["sbi_bevestigd"].astype("boolean")
    for col in ("sbi_groep", "sbi_rijen", "sbi_omschrijving", "sbi_bron", "sbi_tabel"):
        out[col] = out[col].astype("string")
    return out


def herkomst(result: pd.DataFrame) -> dict:
    """How many looked-up codes got their category from confirmed rows, unconfirmed rows or no row at all."""
    found = result["sbi_groep"].notna()
    bevestigd = result["sbi_bevestigd"].fillna(False).to_numpy(bool)
    return {"vestigingen": int(len(result)), "uit_bevestigde_rijen": int(bevestigd.sum()),
            "uit_onbevestigde_rijen": int((found & ~bevestigd).sum()), "niet_in_tabel": int((~found).sum()),
            "per_tabel": {str(k): int(v) for k, v in result["sbi_tabel"].value_counts().items()}}


def beschrijf(codes: list[str], tabellen: list[SbiTabel]) -> list[dict]:
    """Per code what the analysis uses, with the matching rows: for `pipeline sbi` and reviewers."""
    result = sbi_categorie(codes, tabellen)
    by_soort = {t.soort: t for t in tabellen}
    out = []
    for code, r in zip(codes, result.to_dict("records")):
        item = {"sbi_code": code, "cat_min": _text(r["cat_min"]), "cat_max": _text(r["cat_max"]),
                "bron": _text(r["sbi_bron"]),
                "bevestigd": None if pd.isna(r["sbi_bevestigd"]) else bool(r["sbi_bevestigd"]),
                "groep": _text(r["sbi_groep"]), "tabel": _text(r["sbi_tabel"]), "rijen": []}
        if item["groep"] is not None:
            t = by_soort[item["tabel"]]
            item["tabel_pad"] = str(t.pad)
            rows = t.rijen[[item["groep"] in sbi_groepen(s) for s in t.rijen["sbi"]]]
            item["rijen"] = rows.to_dict("records")
        out.append(item)
    return out


def _text(value) -> str | None:
    return None if value is None or pd.isna(value) else str(value)


def sbi_prefix_match(codes, prefixes: list[str]) -> np.ndarray:
    """True where an SBI code starts with one of the prefixes ("46.71" matches "46.71.2", "38" "38.32")."""
    norm = normalise_sbi(codes)
    pre = tuple(p for p in normalise_sbi(prefixes).dropna())
    if not pre:
        return np.zeros(len(norm), dtype=bool)
    return norm.str.startswith(pre).fillna(False).to_numpy(dtype=bool)
