"""Cross-check: the bench's C1-C4 (../shared/bench/README.md) computed with the pipeline's own analysis
functions (benchmarks/benchmark.py) agree with the bench's DuckDB and PostGIS engines.

Agreement uses the bench's own rule (run.compare): areas 1e-3 m² (rel 1e-7), distances 1e-6 m,
categories equal, quay lengths 1e-3 m (rel 1e-6). For C3 the bench accepts rows within 1 m / 0.2 %
as a note, because GEOS 3.14 (shapely 2.2) places buffer-arc vertices differently from the GEOS in
PostGIS (3.11) and DuckDB; such notes are not failures here either.

Needs /tmp/bench-venv (duckdb + duckdb-extension-spatial + psycopg2), PostgreSQL 15 with PostGIS and
../shared/bench; skipped with the reason otherwise. Uses /tmp/bench-data/s0.1 when present, else
generates scale 0.1 data into a temporary folder (~5 s).
"""
import shutil
import subprocess
from pathlib import Path

import pytest

import sys

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import benchmark  # noqa: E402  (benchmarks/ is not part of the package)

DATA = Path("/tmp/bench-data/s0.1")


def _skip_reason() -> str | None:
    if not (benchmark.BENCH_DIR / "run.py").is_file():
        return f"../shared/bench not found at {benchmark.BENCH_DIR}"
    if not benchmark.BENCH_PYTHON.is_file():
        return f"{benchmark.BENCH_PYTHON} missing: create the bench venv (see ../shared/bench/README.md)"
    probe = subprocess.run([str(benchmark.BENCH_PYTHON), "-c", "import duckdb, duckdb_extension_spatial, psycopg2"],
                           capture_output=True)
    if probe.returncode:
        return "the bench venv lacks duckdb / duckdb-extension-spatial / psycopg2"
    if not (shutil.which("pg_ctl") or list(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))):
        return "PostgreSQL (pg_ctl) not installed: apt-get install postgresql postgresql-15-postgis-3"
    if not list(Path("/usr/share/postgresql").glob("*/extension/postgis.control")):
        return "PostGIS not installed: apt-get install postgresql-15-postgis-3"
    return None


@pytest.fixture(scope="module")
def bench_data(tmp_path_factory):
    reason = _skip_reason()
    if reason:
        pytest.skip(reason)
    if (DATA / "manifest.json").is_file():
        return DATA
    out = tmp_path_factory.mktemp("bench") / "s0.1"
    subprocess.run([str(benchmark.BENCH_PYTHON), str(benchmark.BENCH_DIR / "gen.py"), "--scale", "0.1",
                    "--out", str(out), "--no-gpkg"], check=True, capture_output=True)
    return out


def test_pipeline_agrees_with_duckdb_and_postgis(bench_data, tmp_path):
    ours, _ = benchmark.run_pipeline(bench_data)
    theirs, report = benchmark.run_engines(bench_data, ("duckdb", "postgis"), out=tmp_path / "engines.json")
    for engine in ("duckdb", "postgis"):
        issues = benchmark.compare(ours, theirs[engine], engine)
        assert not benchmark.disagreements(issues), f"pipeline vs {engine}: {issues}"
    # same rows as the engines (C4: pairs with area > 0)
    assert len(ours["C1"]) == len(theirs["duckdb"]["C1"])
    assert len(ours["C2"]) == len(theirs["duckdb"]["C2"])
    assert ours["C3"]["kade_m"].sum() > 0
