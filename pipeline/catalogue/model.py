"""What a catalogue entry is: a dataset (one file between stages) and its columns.

A column name may hold placeholders such as `ha_hmc_{hmc}` or `{richting}_aandeel_{status}`: a family of
columns whose members depend on the run's settings (the HMC variants, the grid statuses, the configured
rasters). `Placeholder` says which tokens a run has, how to recognise one in a column name and how to show
it in a Dutch label, so a family is written down once and expanded per run.
"""
from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field, replace
from typing import Callable

DTYPES = {
    "str": "text",
    "float": "number (float64)",
    "int": "whole number (int64; Int64 when nullable)",
    "bool": "yes/no (bool; boolean when nullable)",
    "cat": "milieucategorie as text, '1'..'6' (pipeline/categories.py)",
    "cemt": "CEMT class as text, '0'..'VII' (pipeline/categories.py)",
    "json": "any JSON value",
}
STAGES = ["demo", "fetch", "ingest", "analyse", "score", "export"]
GEOMETRIES = {"Polygon", "LineString", "Point", None}


@dataclass(frozen=True)
class Placeholder:
    """A `{name}` inside column names: the tokens a run has, their regex, their text in labels."""
    name: str
    pattern: str
    values: Callable  # config -> list of tokens
    display: Callable[[str], str] = str
    description: str = ""


@dataclass(frozen=True)
class Column:
    name: str
    dtype: str
    label: str                  # Dutch, for maps, reports, QGIS aliases; may hold placeholders too
    unit: str = ""              # "ha", "m", "m²", "MW", "%", "" (a count or a text)
    decimals: int | None = None  # shown decimals; None = by dtype (float 2, others 0)
    nullable: bool = True
    description: str = ""
    groep: str = "Overige indicatoren"  # section in popups and detail panels
    rapport: bool = False       # a column of the ranked report (HTML and CSV)

    def __post_init__(self):
        if self.dtype not in DTYPES:
            raise ValueError(f"catalogue column {self.name}: dtype {self.dtype!r} not one of {sorted(DTYPES)}")

    @property
    def shown_decimals(self) -> int:
        if self.decimals is not None:
            return self.decimals
        return 2 if self.dtype == "float" else 0

    @property
    def placeholders(self) -> list[str]:
        return re.findall(r"\{(\w+)\}", self.name)


@dataclass(frozen=True)
class Dataset:
    name: str
    stage: str                  # the stage that writes it
    description: str
    columns: tuple[Column, ...]
    geometry: str | None = None  # "Polygon" (stored as MultiPolygon), "LineString", "Point"; None = a table
    key: str | None = None       # unique, non-null id column
    required: bool = True        # False: written only when its source is configured
    format: str = "parquet"      # parquet, csv, json
    extends: str | None = None   # all columns of that dataset come first
    readers: tuple[str, ...] = field(default_factory=tuple)  # stages that read it
    spatial_sort: bool = False   # rows in Hilbert order (pipeline.io): the layers that scale with the buildings

    def __post_init__(self):
        if self.stage not in STAGES:
            raise ValueError(f"catalogue dataset {self.name}: stage {self.stage!r} not one of {STAGES}")
        if self.geometry not in GEOMETRIES:
            raise ValueError(f"catalogue dataset {self.name}: geometry {self.geometry!r}")

    @property
    def filename(self) -> str:
        return f"{self.name}.{self.format}"


def expand(column: Column, placeholders: dict[str, Placeholder], config) -> list[Column]:
    """The concrete columns of a family for one run (a plain column is itself)."""
    names = column.placeholders
    if not names:
        return [column]
    tokens = [placeholders[n].values(config) for n in names]
    out = []
    for combo in itertools.product(*tokens):
        name, label = column.name, column.label
        for n, token in zip(names, combo):
            name = name.replace("{" + n + "}", token)
            label = label.replace("{" + n + "}", placeholders[n].display(token))
        out.append(replace(column, name=name, label=label))
    return out


def family_regex(column: Column, placeholders: dict[str, Placeholder]) -> re.Pattern:
    """A regex matching every member of a family, with one named group per placeholder."""
    parts = re.split(r"(\{\w+\})", column.name)
    regex = "".join(f"(?P<{p[1:-1]}>{placeholders[p[1:-1]].pattern})" if p.startswith("{") else re.escape(p)
                    for p in parts)
    return re.compile(regex + r"\Z")


def member(column: Column, name: str, placeholders: dict[str, Placeholder]) -> Column | None:
    """The concrete column `name` when it belongs to the family `column`, else None."""
    match = family_regex(column, placeholders).match(name)
    if not match:
        return None
    label = column.label
    for n, token in match.groupdict().items():
        label = label.replace("{" + n + "}", placeholders[n].display(token))
    return replace(column, name=name, label=label)
