"""Find a source's fields by alias, and parse their values the way real exports store them.

Real exports of the same source spell fields differently (upper/lower case, 10-character Shapefile
names, legacy names, typos, GML paths flattened by GDAL such as `kadastraleGemeente|KadastraleGemeente|waarde`),
so every canonical field has an alias list. Matching ignores case and the separators `_`, `-`, `.` and spaces,
and a flattened path also answers to its last two parts; a `fields` override in the Source beats the table,
and `negeer_velden` hides junk columns. Values arrive as text more often than as numbers ("12,5" with a Dutch
decimal comma), so the parsers accept both. What cannot be read is never silently dropped: in a required
field it stops the run with an IngestError naming the offending values; in an optional field it becomes
empty and is counted per field, with examples, in the quality report (a junk column in a legacy export
must not block a run).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline.ingest.errors import IngestError
from pipeline.ingest.quality import Tally


@dataclass(frozen=True)
class Spec:
    """A canonical field: its name, the names seen in real files (best first), whether it must exist."""
    name: str
    aliases: tuple[str, ...]
    required: bool = False


@dataclass(frozen=True)
class Where:
    """File and layer of the values being parsed, for messages; with a tally, unreadable values of fields not in
    `strict` (the required ones) are counted there and set empty instead of stopping the run."""
    path: Path | None
    layer: str | None
    tally: Tally | None = None
    strict: frozenset = frozenset()


def reject(bad: pd.Series, values: pd.Series, *, where: Where, field: str | None, problem: str,
           expected: object) -> pd.Series:
    """Values flagged `bad`: an IngestError for a required field (or without a tally), else counted as emptied.

    Returns the mask of values to set empty (all False when nothing is bad).
    """
    bad = bad.fillna(False).astype(bool)
    if not bad.any():
        return bad
    examples = sorted(values[bad].astype(str).unique().tolist())[:10]
    if where.tally is None or field in where.strict:
        raise IngestError(f"{int(bad.sum())} {problem}", path=where.path, layer=where.layer, field=field,
                          expected=expected, found=examples)
    where.tally.nulled(field or "?", int(bad.sum()), examples[:5], problem)
    return bad


def _norm(name: str) -> str:
    return re.sub(r"[\s_\-.]", "", str(name)).lower()


def _keys(column: str) -> list[str]:
    """The names a column answers to: itself, and for a GDAL-flattened GML path (a|B|c) its last two parts."""
    keys = [_norm(column)]
    parts = str(column).split("|")
    if len(parts) > 2:
        keys.append(_norm("".join(parts[-2:])))
    return keys


def resolve(columns, specs: list[Spec], *, overrides: dict[str, str], where: Where,
            source_name: str, ignore: list[str] = ()) -> dict[str, str | None]:
    """Canonical name -> column in the file (None when absent and optional).

    Raises an IngestError for an override naming an unknown canonical field or an absent column, and
    for missing required fields, listing what was expected and what the file has. Columns named in `ignore`
    (sources.<name>.negeer_velden) are treated as absent.
    """
    ignored = {_norm(i) for i in ignore}
    columns = [str(c) for c in columns if str(c) != "geometry" and _norm(c) not in ignored]
    by_norm: dict[str, str] = {}
    for col in columns:
        for key in _keys(col):
            by_norm.setdefault(key, col)
    known = {s.name for s in specs}
    unknown = sorted(set(overrides) - known)
    if unknown:
        raise IngestError(f"sources.{source_name}.fields names unknown canonical field(s) {unknown}",
                          path=where.path, layer=where.layer, expected=sorted(known), found=unknown)
    found: dict[str, str | None] = {}
    missing = []
    for spec in specs:
        if spec.name in overrides:
            wanted = overrides[spec.name]
            column = wanted if wanted in columns else by_norm.get(_norm(wanted))
            if column is None:
                raise IngestError(f"sources.{source_name}.fields.{spec.name} names a field the layer does not have",
                                  path=where.path, layer=where.layer, field=wanted, expected=wanted, found=columns)
            found[spec.name] = column
            continue
        column = next((by_norm[_norm(a)] for a in (spec.name, *spec.aliases) if _norm(a) in by_norm), None)
        found[spec.name] = column
        if column is None and spec.required:
            missing.append(spec)
    if missing:
        names = ", ".join(f"{s.name} (one of {', '.join((s.name, *s.aliases))})" for s in missing)
        raise IngestError(f"missing required field(s): {names}", path=where.path, layer=where.layer,
                          field=missing[0].name, expected=[s.name for s in missing], found=columns)
    return found


def column(frame: pd.DataFrame, found: dict[str, str | None], name: str) -> pd.Series:
    """The values of a canonical field, or an all-null Series when the file lacks it."""
    col = found.get(name)
    if col is None:
        return pd.Series([None] * len(frame), index=frame.index, dtype=object)
    return frame[col]


# ---------------------------------------------------------------------------------------------
# Value parsers (vectorised over a column)
# ---------------------------------------------------------------------------------------------
NULL_TEXT = {"", "null", "none", "nan", "<null>", "n/a", "nvt", "-"}


def as_text(values: pd.Series) -> pd.Series:
    """Strings, stripped; blanks -> null; integral numbers without '.0' (1234.0 -> '1234').

    An object column mixing numbers and text renders floats the Python way ('1234.0'), so a trailing
    '.0' is dropped there too: ids and codes are never written with a single trailing zero.
    """
    if pd.api.types.is_float_dtype(values):
        whole = values.notna() & (values == np.floor(values.fillna(0)))
        text = values.astype("str")
        text = text.where(~whole, values.where(whole, 0).astype("int64").astype("str"))
        return text.where(values.notna())
    missing = values.isna().to_numpy()  # NaT and None as well: their text ('NaT') is not a value
    text = values.astype("str").str.strip()
    if values.dtype == object:
        text = text.str.replace(r"^(-?\d+)\.0$", r"\1", regex=True)
    return text.where(~text.str.lower().isin(NULL_TEXT) & text.notna() & ~missing)


def as_number(values: pd.Series, *, where: Where, field: str) -> pd.Series:
    """Floats from numbers or text ('12,5', '1.234,5', '12.5'); unparseable text -> `reject`."""
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        return values.astype("float64")
    text = as_text(values)
    comma = text.str.contains(",", regex=False, na=False)
    cleaned = text.where(~comma, text.str.replace(".", "", regex=False).str.replace(",", ".", regex=False))
    cleaned = cleaned.str.replace(r"\s+", "", regex=True)
    numbers = pd.to_numeric(cleaned, errors="coerce")
    reject(text.notna() & numbers.isna(), text, where=where, field=field, problem="value(s) are not numbers",
           expected="a number (decimal point or comma)")
    return numbers.astype("float64")


def as_int(values: pd.Series, *, where: Where, field: str) -> pd.Series:
    numbers = as_number(values, where=where, field=field)
    fractional = reject(numbers.notna() & (numbers != np.round(numbers)), numbers, where=where, field=field,
                        problem="value(s) are not whole numbers", expected="an integer")
    return numbers.where(~fractional).round().astype("Int64")


TRUE = {"j", "ja", "y", "yes", "true", "t", "1", "waar", "x"}
FALSE = {"n", "nee", "no", "false", "f", "0", "onwaar"}


def as_bool(values: pd.Series, *, where: Where, field: str, default: bool = False) -> pd.Series:
    """J/N, ja/nee, 1/0, true/false -> bool; null -> default; anything else -> IngestError."""
    if pd.api.types.is_bool_dtype(values):
        return values.fillna(default).astype(bool)
    text = as_text(values).str.lower()
    text = text.str.replace(r"\.0+$", "", regex=True)
    bad = reject(~(text.isin(TRUE | FALSE) | text.isna()), text, where=where, field=field,
                 problem="value(s) are not yes/no", expected=["J", "N", "ja", "nee", "1", "0", "true", "false"])
    text = text.where(~bad)
    return text.isin(TRUE).where(text.notna(), default).astype(bool)


def as_year(values: pd.Series, *, where: Where, field: str) -> pd.Series:
    """Year of a date field (PEILDATUM as date, datetime, '2024-01-01', '01-01-2024' or 2024)."""
    if pd.api.types.is_datetime64_any_dtype(values):
        return values.dt.year.astype("Int64")
    text = as_text(values)
    year = text.str.extract(r"((?:19|20)\d\d)", expand=False)
    reject(text.notna() & year.isna(), text, where=where, field=field, problem="value(s) are not dates",
           expected="a date such as 2024-01-01")
    return pd.to_numeric(year).astype("Int64")


def check_vocabulary(values: pd.Series, allowed: list[str], *, where: Where, field: str) -> pd.Series:
    """Values outside a closed vocabulary are `reject`ed (listing the valid ones), never silently dropped."""
    bad = reject(values.notna() & ~values.isin(allowed), values, where=where, field=field,
                 problem="value(s) outside the valid list", expected=allowed)
    return values.where(~bad)


def map_vocabulary(text: pd.Series, mapping: dict[str, str], allowed: list[str], *, where: Where,
                   field: str) -> pd.Series:
    """Spellings -> canonical values via `mapping`; non-null text that maps to nothing is refused."""
    mapped = text.map(mapping)
    check_vocabulary(mapped.where(text.isna() | mapped.notna(), text), allowed, where=where, field=field)
    return mapped


def fill_ids(ids: pd.Series, prefix: str, *, start: int = 1) -> pd.Series:
    """Null ids replaced by `prefix` + the row's sequence number (counting from `start`)."""
    numbers = pd.Series(range(start, start + len(ids)), index=ids.index).astype("str")
    return ids.where(ids.notna(), prefix + numbers)


def unique_ids(ids: pd.Series) -> tuple[pd.Series, int]:
    """Ids made unique: every repeat of an id gets '-1', '-2', ... (in row order); returns (ids, rows changed)."""
    dup = ids.duplicated(keep=False) & ids.notna()
    if not dup.any():
        return ids, 0
    numbered = ids[dup] + "-" + (ids[dup].groupby(ids[dup]).cumcount() + 1).astype("str")
    return ids.where(~dup, numbered), int(dup.sum())
