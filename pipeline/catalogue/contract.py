"""docs/contract.md, generated from the catalogue (`pipeline contract` writes it; a test fails when it is stale)."""
from __future__ import annotations

from pipeline.catalogue import DATASETS, PLACEHOLDERS
from pipeline.catalogue.model import DTYPES, STAGES

HEADER = """# Contract between the stages

Generated from the catalogue (`pipeline/catalogue/`) by `pipeline contract`; do not edit by hand.

Every stage is a package `pipeline/<stage>/` with `run(config, **options) -> dict` (a summary printed by the CLI).
Stages talk only through the files below in `config.paths.processed` (GeoParquet in EPSG:28992, CSV, JSON), and
read and write them through `pipeline.catalogue.read` / `write`, which check every column against this contract.
GeoParquet files carry a bbox covering column (GeoParquet 1.1, `bbox`: xmin, ymin, xmax, ymax per row) and are written
in row groups of 32,768 rows; datasets marked "sorted along a Hilbert curve" keep their rows in that order, so a read
of the rows near given boxes (`catalogue.read(..., boxes=...)`) skips the row groups that cannot hold any.
Settings come from `pipeline/config/` (defaults from `../shared/design/domain.md`).

Types: {types}.

A column name with `{{placeholder}}` is a family, one column per value:
{placeholders}
"""


def _cell(text) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def render_contract() -> str:
    types = "; ".join(f"`{k}` {v}" for k, v in DTYPES.items())
    placeholders = "\n".join(f"- `{{{p.name}}}`: {p.description}" for p in PLACEHOLDERS.values())
    parts = [HEADER.format(types=types, placeholders=placeholders)]
    for stage in STAGES:
        datasets = [d for d in DATASETS.values() if d.stage == stage]
        if not datasets:
            continue
        parts.append(f"## {stage}\n")
        for d in datasets:
            facts = [f"file `{d.filename}`", f"geometry {d.geometry or 'none'}"]
            if d.key:
                facts.append(f"key `{d.key}`")
            facts.append("required" if d.required else "optional (only when its source is configured)")
            if d.spatial_sort:
                facts.append("sorted along a Hilbert curve")
            if d.readers:
                facts.append("read by " + ", ".join(d.readers))
            parts.append(f"### {d.name}\n\n{d.description}.\n\n" + "; ".join(facts) + ".\n")
            if d.extends:
                parts.append(f"Every column of `{d.extends}` first, then:\n")
            own = list(d.columns)
            rows = ["| column | type | unit | null | label (nl) | decimals | description |",
                    "|---|---|---|---|---|---|---|"]
            rows += [f"| `{c.name}` | {c.dtype} | {c.unit} | {'yes' if c.nullable else 'no'} | {_cell(c.label)} | "
                     f"{c.shown_decimals if c.dtype in ('float', 'int') else ''} | {_cell(c.description)} |"
                     for c in own]
            parts.append("\n".join(rows) + "\n")
    return "\n".join(parts)
