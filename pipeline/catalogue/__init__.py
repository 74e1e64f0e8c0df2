"""The catalogue: every dataset one stage writes and another reads, with every column described once.

Per column: name, dtype, unit, nullable, Dutch label, decimals, description; per dataset: the stage that
writes it, its geometry, its key and the stages that read it (`model.py`; entries in `canonical.py`,
`indicators.py`, `results.py`). Stages read and write their files through `read` and `write`, which check a
frame against its entry: a missing or wrongly typed column, a null in a non-nullable column, a duplicate key
or a column nobody declared is an error naming the dataset and the column. The exports take labels, units
and decimals from here, and docs/contract.md is generated from it (`pipeline contract`).

A new indicator column is one entry here (or one `register` call next to the function that computes it,
see pipeline/analyse/registry.py).
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from pipeline.catalogue.canonical import CANONICAL, SHOWN
from pipeline.catalogue.indicators import INDICATORS
from pipeline.catalogue.model import DTYPES, Column, Dataset, Placeholder, expand, member
from pipeline.catalogue.results import CRITERION_LABELS, METADATA, RESULTS
from pipeline.categories import CEMT_KLASSEN, MILIEUCATEGORIEEN, NET_STATUSSEN, hmc_display, variant_label
from pipeline.config import CRITERIA, Analyse

__all__ = ["Column", "Dataset", "CatalogueError", "DATASETS", "dataset", "columns", "find", "label", "unit_label",
           "register", "unregister", "conform", "check", "read", "write", "path"]


class CatalogueError(ValueError):
    """A frame or file that does not match its catalogue entry; the message names dataset and column."""


PLACEHOLDERS = {p.name: p for p in [
    Placeholder("hmc", r"\d{1,2}", lambda a: [variant_label(v) for v in a.milieuruimte.hmc_varianten],
                hmc_display, "HMC variant: analyse.milieuruimte.hmc_varianten without the dot (41 = HMC >= 4.1)"),
    Placeholder("richting", "afname|invoeding", lambda a: ["afname", "invoeding"], str.capitalize,
                "grid direction: afname (offtake), invoeding (feed-in)"),
    Placeholder("status", "|".join(NET_STATUSSEN), lambda a: list(NET_STATUSSEN), str,
                f"grid status: {', '.join(NET_STATUSSEN)}"),
    Placeholder("criterium", "|".join(CRITERIA), lambda a: list(CRITERIA), lambda c: CRITERION_LABELS[c],
                f"score criterion: {', '.join(CRITERIA)}"),
    Placeholder("raster", r"[a-z0-9_]+?", lambda a: [r.name for r in a.rasters],
                lambda r: r.replace("_", " ").capitalize(), "name of a configured raster (analyse.rasters)"),
]}

DATASETS: dict[str, Dataset] = {d.name: d for d in [*CANONICAL, *SHOWN, *INDICATORS, *RESULTS, *METADATA]}
_EXTRA: dict[str, list[Column]] = {}


def dataset(name: str) -> Dataset:
    if name not in DATASETS:
        raise CatalogueError(f"dataset {name!r} is not in the catalogue (known: {sorted(DATASETS)})")
    return DATASETS[name]


def register(dataset_name: str, column: Column) -> None:
    """Add a column to a dataset for this process (an indicator defined outside the catalogue modules)."""
    if any(c.name == column.name for c in declared(dataset_name)):
        raise CatalogueError(f"{dataset_name}: column {column.name!r} is already in the catalogue")
    _EXTRA.setdefault(dataset(dataset_name).name, []).append(column)
    _FOUND.clear()


def unregister(dataset_name: str, column_name: str) -> None:
    _EXTRA[dataset_name] = [c for c in _EXTRA.get(dataset_name, []) if c.name != column_name]
    _FOUND.clear()


def declared(name: str) -> list[Column]:
    """The columns of a dataset as written down (families unexpanded), those it extends first."""
    d = dataset(name)
    own = [*d.columns, *_EXTRA.get(name, [])]
    if d.extends is None:
        return own
    inherited = declared(d.extends)
    names = {c.name for c in own}
    return [c for c in inherited if c.name not in names] + own


def columns(name: str, analyse: Analyse | None = None) -> list[Column]:
    """The concrete columns of a dataset for a run's analyse settings (defaults when None), in order."""
    settings = analyse if analyse is not None else Analyse()
    return [member for c in declared(name) for member in expand(c, PLACEHOLDERS, settings)]


_FOUND: dict = {}  # (column, dataset) -> entry: the exports ask thousands of times; emptied by register/unregister


def find(column_name: str, dataset_name: str | None = None) -> Column | None:
    """The entry of a column: in the given dataset (and what it extends) first, then anywhere."""
    key = (column_name, dataset_name)
    if key not in _FOUND:
        _FOUND[key] = _find(column_name, dataset_name)
    return _FOUND[key]


def _find(column_name: str, dataset_name: str | None) -> Column | None:
    names = [dataset_name] if dataset_name else []
    names += [n for n in DATASETS if n != dataset_name]
    for n in names:
        for c in declared(n):
            found = member(c, column_name, PLACEHOLDERS) if c.placeholders else (c if c.name == column_name else None)
            if found is not None:
                return found
    return None


def label(column_name: str, dataset_name: str | None = None) -> str:
    """The Dutch label, without unit ('Bruto oppervlakte'); a readable fallback for an unknown name."""
    c = find(column_name, dataset_name)
    return c.label if c is not None else column_name.replace("_", " ").capitalize()


def unit_label(column_name: str, dataset_name: str | None = None) -> str:
    """The Dutch label with its unit: 'Bruto oppervlakte (ha)'."""
    c = find(column_name, dataset_name)
    text = label(column_name, dataset_name)
    return f"{text} ({c.unit})" if c is not None and c.unit else text


# ---------------------------------------------------------------------------------------------
# Checking frames against their entries
# ---------------------------------------------------------------------------------------------
def _kind_ok(series: pd.Series, dtype: str) -> bool:
    t = pd.api.types
    if dtype in ("str", "cat", "cemt"):
        return t.is_string_dtype(series) or series.dtype == object or series.isna().all()
    if dtype == "float":
        return t.is_float_dtype(series)
    if dtype == "int":
        return t.is_integer_dtype(series)
    if dtype == "bool":
        return t.is_bool_dtype(series)
    return True


def _coerce(series: pd.Series, column: Column, where: str) -> pd.Series:
    if isinstance(series.dtype, pd.CategoricalDtype):
        series = series.astype(object)
    try:
        if column.dtype in ("str", "cat", "cemt"):
            return series.astype("str")
        if column.dtype == "float":
            return series.astype("float64")
        if column.dtype == "int":
            return series.astype("Int64" if column.nullable else "int64")
        if column.dtype == "bool":
            return series.astype("boolean" if column.nullable else bool)
    except (TypeError, ValueError) as exc:
        raise CatalogueError(f"{where}: column {column.name!r}: expected {DTYPES[column.dtype]}, "
                             f"found {series.dtype} ({exc})") from None
    return series


def check(frame: pd.DataFrame, name: str, analyse: Analyse | None = None, *, coerce: bool = False,
          where: str | None = None, only: list[str] | None = None) -> pd.DataFrame:
    """The frame, checked against the entry (and with coerce: typed and in catalogue order); `only`: the frame holds
    just these attribute columns of it (a lookup read without its geometry)."""
    d = dataset(name)
    where = where or f"dataset {name}"
    cols = [c for c in columns(name, analyse) if only is None or c.name in only]
    geometry = getattr(frame, "_geometry_column_name", None) if d.geometry else None
    present = [c for c in frame.columns if c != geometry]
    missing = [c.name for c in cols if c.name not in frame.columns]
    extra = [c for c in present if c not in {c.name for c in cols}]
    if missing:
        raise CatalogueError(f"{where}: missing column(s) {missing} (stage {d.stage} writes them; run it again)")
    if extra:
        raise CatalogueError(f"{where}: column(s) {extra} are not in the catalogue for {name}; "
                             "declare them in pipeline/catalogue")
    if d.geometry and geometry is None and only is None:
        raise CatalogueError(f"{where}: expected a {d.geometry} geometry column")
    out = {}
    for c in cols:
        s = _coerce(frame[c.name], c, where) if coerce else frame[c.name]
        if c.dtype != "json" and not c.nullable and s.isna().any():
            raise CatalogueError(f"{where}: column {c.name!r} has {int(s.isna().sum())} null value(s); "
                                 "the catalogue says it is never null")
        if not coerce and not _kind_ok(s, c.dtype):
            raise CatalogueError(f"{where}: column {c.name!r}: expected {DTYPES[c.dtype]}, found {s.dtype}")
        if c.dtype in ("cat", "cemt"):
            allowed = MILIEUCATEGORIEEN if c.dtype == "cat" else CEMT_KLASSEN
            bad = s.notna() & ~s.astype(object).isin(allowed)
            if bad.any():
                raise CatalogueError(f"{where}: column {c.name!r}: values {sorted(set(s[bad].astype(str)))} "
                                     f"outside {allowed}")
        out[c.name] = s
    if d.key is not None and d.key in out and out[d.key].duplicated().any():
        dup = out[d.key][out[d.key].duplicated()].astype(str).unique().tolist()[:10]
        raise CatalogueError(f"{where}: key {d.key!r} is not unique: {dup}")
    if not coerce:
        return frame
    result = pd.DataFrame(out, index=frame.index)
    if geometry:
        import geopandas as gpd
        return gpd.GeoDataFrame(result, geometry=frame.geometry.values, crs=frame.crs)
    return result


def conform(frame: pd.DataFrame, name: str, analyse: Analyse | None = None) -> pd.DataFrame:
    """Typed, ordered and checked: what `write` stores."""
    return check(frame, name, analyse, coerce=True)


def path(name: str, folder: str | Path) -> Path:
    return Path(folder) / dataset(name).filename


def write(frame: pd.DataFrame, name: str, folder: str | Path, analyse: Analyse | None = None) -> Path:
    """Conform the frame to its entry and write it atomically (GeoParquet in EPSG:28992, or CSV)."""
    from pipeline import io

    target = path(name, folder)
    out = conform(frame, name, analyse)
    if dataset(name).format == "csv":
        with io.atomic_path(target) as tmp:
            out.to_csv(tmp, index=False, encoding="utf-8")
        return target
    return io.write_parquet(out, target, sort=dataset(name).spatial_sort)


def read(name: str, folder: str | Path, analyse: Analyse | None = None, *, optional: bool = False,
         boxes=None, cell: float | None = None, columns: list[str] | None = None, rows=None):
    """A dataset written by an earlier stage, checked against its entry; None when optional and absent.

    boxes: (n, 4) xmin, ymin, xmax, ymax in EPSG:28992: only the rows whose bbox meets one of them (pyarrow reads
    only the row groups whose bbox statistics allow it, and possibly rows up to `cell` m beyond a box; see
    pipeline.io.read_parquet). columns: only these attribute columns, as a DataFrame without geometry (a lookup:
    the geometries of a national layer are most of its memory). rows: only these rows (positions in the file)."""
    from pipeline import io

    d = dataset(name)
    target = path(name, folder)
    if not target.is_file():
        if optional or not d.required:
            return None
        raise CatalogueError(f"{name}: {target} does not exist; run the {d.stage} stage first")
    if d.format == "csv":
        return check(pd.read_csv(target, dtype=str, keep_default_na=False, na_values=[""]), name, analyse,
                     coerce=True, where=f"{name} ({target})")
    if columns is not None:
        return check(io.read_columns(target, columns, what=name), name, analyse, where=f"{name} ({target})",
                     only=columns)
    return check(io.read_parquet(target, what=name, boxes=boxes, cell=cell, rows=rows), name, analyse,
                 where=f"{name} ({target})")
