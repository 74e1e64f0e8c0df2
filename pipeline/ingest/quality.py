"""The data-quality report: per layer and source, rows read, kept, repaired and dropped, and why.

Users of the results need to know what ingest changed in their data (a repaired polygon, dropped
historic records, areas converted from m²), so every change is counted here with a Dutch reason and
written to `ingest_kwaliteit.csv`; `ingest_bronnen.json` records which files (by sha256) were used.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from pipeline.io import sha256_file, write_json

CSV_COLUMNS = ["laag", "bron", "bronbestand", "gelezen", "behouden", "gerepareerd", "verwijderd",
               "samengevoegd", "reden"]


@dataclass
class Tally:
    """Counts for one source feeding one canonical layer."""
    layer: str
    source: str
    path: Path | None
    read: int = 0
    kept: int = 0
    merged: int = 0
    repaired: Counter = field(default_factory=Counter)
    dropped: Counter = field(default_factory=Counter)

    def repair(self, n: int, reason: str) -> None:
        if n:
            self.repaired[reason] += int(n)

    def drop(self, n: int, reason: str) -> None:
        if n:
            self.dropped[reason] += int(n)

    def merge(self, n: int) -> None:
        self.merged += int(n)

    def reason(self) -> str:
        parts = [f"{n} verwijderd: {r}" for r, n in self.dropped.items()]
        parts += [f"{n} gerepareerd: {r}" for r, n in self.repaired.items()]
        if self.merged:
            parts.append(f"{self.merged} delen samengevoegd tot één object")
        return "; ".join(parts)


@dataclass
class Report:
    tallies: list[Tally] = field(default_factory=list)
    sources: list[dict] = field(default_factory=list)

    def tally(self, layer: str, source: str, path: Path | None) -> Tally:
        t = Tally(layer, source, path)
        self.tallies.append(t)
        return t

    def record_source(self, name: str, path: Path, *, layer: str | None, fmt: str, rows: int,
                      crs: str | None = None, peildatum: str | None = None, **extra) -> dict:
        """Add (and return, for later additions such as peildatum) the ingest_bronnen.json entry."""
        entry = {"bron": name, "pad": str(path), "laag": layer, "formaat": fmt, "sha256": sha256_file(path),
                 "rijen": int(rows), "crs": crs, "peildatum": peildatum, **extra}
        self.sources.append(entry)
        return entry

    def frame(self) -> pd.DataFrame:
        rows = [{"laag": t.layer, "bron": t.source, "bronbestand": "" if t.path is None else str(t.path),
                 "gelezen": t.read, "behouden": t.kept, "gerepareerd": sum(t.repaired.values()),
                 "verwijderd": sum(t.dropped.values()), "samengevoegd": t.merged, "reden": t.reason()}
                for t in self.tallies]
        return pd.DataFrame(rows, columns=CSV_COLUMNS)

    def write_csv(self, path: Path) -> None:
        self.frame().to_csv(path, index=False, encoding="utf-8")

    def write_json(self, path: Path) -> None:
        write_json({"bronnen": self.sources}, path)

    def totals(self) -> tuple[int, int]:
        return (sum(sum(t.repaired.values()) for t in self.tallies),
                sum(sum(t.dropped.values()) for t in self.tallies))

