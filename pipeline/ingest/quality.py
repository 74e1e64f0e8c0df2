"""The data-quality report: per layer, source and feature kind: rows read, kept, repaired and dropped, and why.

Users of the results need to know what ingest changed in their data (a repaired polygon, dropped historic
records, areas converted from m², values that could not be read), so every change is counted here with a
Dutch reason and written to `ingest_kwaliteit.csv`; `ingest_bronnen.json` records which files (by sha256)
were used. A drop is either a deliberate selection (a historic version, a BGT type that is no quay) or a
loss (a geometry of the wrong type, a row without coordinates): losses are what pipeline/ingest/checks.py
stops the run on. Feature kinds (e.g. the BGT type) are counted separately when a source has them, because
a kind can vanish inside a source that looks healthy as a whole.
"""
from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import tempfile
from collections import Counter
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline.io import sha256_file, write_json


_SHARED: dict = {"folder": None}  # set by `shared_checksums`, inherited by forked helpers
_HASHING: dict = {}  # pid -> the thread that hashes this process's sources (a forked helper makes its own)


@contextlib.contextmanager
def shared_checksums():
    """While open, the processes of one ingest (a forked helper included) hash each file once between them: the
    first to ask hashes it, the others wait for its result (a lock file per file state in a temporary folder). The
    BAG GeoPackage feeds panden and verblijfsobjecten, read in two processes: a national one is 5 GB, 5 s to hash."""
    with tempfile.TemporaryDirectory(prefix="svp-sha256-") as folder:
        _SHARED["folder"] = folder
        try:
            yield
        finally:
            _SHARED["folder"] = None


@lru_cache(maxsize=64)
def _checksum(path: str, size: int, mtime_ns: int) -> str:
    """sha256 of a file, once per run for one state of it (the BAG GeoPackage feeds two layers)."""
    if _SHARED["folder"] is None:
        return sha256_file(path)
    key = hashlib.sha256(f"{path}|{size}|{mtime_ns}".encode()).hexdigest()
    with open(Path(_SHARED["folder"]) / key, "a+", encoding="ascii") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)  # released on closing; meanwhile another process (or thread) waits here
        fh.seek(0)
        digest = fh.read().strip()
        if not digest:
            digest = sha256_file(path)
            fh.write(digest)
        return digest


def checksum(path) -> str:
    st = Path(path).stat()
    return _checksum(str(path), st.st_size, st.st_mtime_ns)


def checksum_soon(path) -> Future:
    """checksum(path) in this process's hashing thread: a source is hashed while it is read (reading and hashing
    release the GIL), not before."""
    if os.getpid() not in _HASHING:
        _HASHING.clear()  # a forked process does not have its parent's thread
        _HASHING[os.getpid()] = ThreadPoolExecutor(1, thread_name_prefix="sha256")
    return _HASHING[os.getpid()].submit(checksum, path)


CSV_COLUMNS = ["laag", "bron", "soort", "bronbestand", "gelezen", "behouden", "gerepareerd", "verwijderd",
               "waarvan_verlies", "samengevoegd", "leeg_gemaakt", "reden"]
ALL = ""  # the kind of the total row


@dataclass
class Tally:
    """Counts for one source feeding one canonical layer, in total and per feature kind.

    `kinds` holds the kind of every row as read (index = row number as read); methods that take `rows`
    (row numbers as read) count per kind too.
    """
    layer: str
    source: str
    path: Path | None
    read: int = 0
    kept: int = 0
    merged: int = 0
    repaired: Counter = field(default_factory=Counter)
    dropped: Counter = field(default_factory=Counter)
    lost: Counter = field(default_factory=Counter)        # reason -> rows (a subset of dropped)
    invalid: dict = field(default_factory=dict)            # file field -> (count, examples, problem)
    empty_fields: list = field(default_factory=list)       # analysis fields empty in every row
    kinds: pd.Series | None = None
    per_kind: dict = field(default_factory=dict)           # kind -> Counter("gelezen", "behouden", (reason, loss))

    def set_kinds(self, kinds: pd.Series) -> None:
        """The feature kind of each row as read (e.g. the BGT type); rows without a kind count as '(leeg)'."""
        self.kinds = kinds.fillna("(leeg)").astype(str).reset_index(drop=True)
        for kind, n in self.kinds.value_counts().items():
            self.per_kind.setdefault(kind, Counter())["gelezen"] += int(n)

    def _by_kind(self, rows) -> pd.Series:
        if self.kinds is None or rows is None:
            return pd.Series(dtype=int)
        return self.kinds.iloc[np.asarray(rows, dtype=np.int64)].value_counts()

    def repair(self, n: int, reason: str) -> None:
        if n:
            self.repaired[reason] += int(n)

    def drop(self, n: int, reason: str, *, rows=None, loss: bool = False) -> None:
        """Count `n` dropped rows; `rows` (row numbers as read) adds the per-kind counts; `loss` marks data that
        should have been used (wrong geometry type, no coordinates) rather than a deliberate selection."""
        if not n:
            return
        self.dropped[reason] += int(n)
        if loss:
            self.lost[reason] += int(n)
        for kind, k in self._by_kind(rows).items():
            self.per_kind.setdefault(kind, Counter())[(reason, loss)] += int(k)

    def keep(self, rows) -> None:
        """The rows (numbers as read) that made it into the canonical layer."""
        rows = np.asarray(rows, dtype=np.int64)
        self.kept += len(rows)  # added up over the batches of a source read in batches
        for kind, k in self._by_kind(rows).items():
            self.per_kind.setdefault(kind, Counter())["behouden"] += int(k)

    def merge(self, n: int) -> None:
        self.merged += int(n)

    def nulled(self, field_name: str, n: int, examples: list, problem: str) -> None:
        """Unreadable values of an optional field, set to empty (counted with a few examples)."""
        count, old, _ = self.invalid.get(field_name, (0, [], problem))
        self.invalid[field_name] = (count + int(n), sorted(set(old) | set(examples))[:5], problem)

    def reason(self) -> str:
        parts = [f"{n} verwijderd: {r}" + (" (verlies)" if r in self.lost else "") for r, n in self.dropped.items()]
        parts += [f"{n} gerepareerd: {r}" for r, n in self.repaired.items()]
        if self.merged:
            parts.append(f"{self.merged} delen samengevoegd tot één object")
        parts += [f"{n} leeg gemaakt in {f}: {p} (bv. {', '.join(map(repr, ex))})"
                  for f, (n, ex, p) in self.invalid.items()]
        parts += [f"veld {f} is in geen enkele rij gevuld" for f in self.empty_fields]
        return "; ".join(parts)

    def kind_rows(self) -> list[dict]:
        """One report row per feature kind (only when the source has kinds)."""
        rows = []
        for kind, c in sorted(self.per_kind.items()):
            drops = {key: n for key, n in c.items() if isinstance(key, tuple)}
            reason = "; ".join(f"{n} verwijderd: {r}" + (" (verlies)" if loss else "")
                               for (r, loss), n in drops.items())
            rows.append({"soort": kind, "gelezen": c["gelezen"], "behouden": c["behouden"],
                         "verwijderd": sum(drops.values()),
                         "waarvan_verlies": sum(n for (_, loss), n in drops.items() if loss), "reden": reason})
        return rows


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
        entry = {"bron": name, "pad": str(path), "laag": layer, "formaat": fmt, "sha256": checksum_soon(path),
                 "rijen": int(rows), "crs": crs, "peildatum": peildatum, **extra}
        self.sources.append(entry)
        return entry

    def frame(self) -> pd.DataFrame:
        rows = []
        for t in self.tallies:
            base = {"laag": t.layer, "bron": t.source, "bronbestand": "" if t.path is None else str(t.path)}
            rows.append({**base, "soort": ALL, "gelezen": t.read, "behouden": t.kept,
                         "gerepareerd": sum(t.repaired.values()), "verwijderd": sum(t.dropped.values()),
                         "waarvan_verlies": sum(t.lost.values()), "samengevoegd": t.merged,
                         "leeg_gemaakt": sum(n for n, _, _ in t.invalid.values()), "reden": t.reason()})
            rows += [{**base, "gerepareerd": 0, "samengevoegd": 0, "leeg_gemaakt": 0, **k} for k in t.kind_rows()]
        return pd.DataFrame(rows, columns=CSV_COLUMNS)

    def write_csv(self, path: Path) -> None:
        self.frame().to_csv(path, index=False, encoding="utf-8")

    def checksums(self) -> "Report":
        """Wait for the sha256 of every source (record_source hashes them in a thread)."""
        for entry in self.sources:
            if isinstance(entry.get("sha256"), Future):
                entry["sha256"] = entry["sha256"].result()
        return self

    def write_json(self, path: Path) -> None:
        write_json({"bronnen": self.checksums().sources}, path)

    def totals(self) -> tuple[int, int]:
        return (sum(sum(t.repaired.values()) for t in self.tallies),
                sum(sum(t.dropped.values()) for t in self.tallies))
