"""The bench's four computations (../shared/bench, C1-C4) done with the pipeline's own analysis functions.

    python benchmarks/benchmark.py --data /tmp/bench-data/s0.1 [--engines duckdb,postgis] [--volledig]
    python benchmarks/benchmark.py --config config/bench.yaml      (`make bench`)

- `--config` (`make bench`; `make bench-nationaal` with --schalen 8.5 --zonder-c1c4): at every scale of
  --schalen (default 1,4) the demo region of the config at that scale (schalen.py: its own folder
  data/bench/schaal-<scale>/, generated once; the demo stage reuses a region whose manifest matches), then the
  stages ingest, analyse, score and export, each in a child process (`python -m pipeline <stage>`), with wall
  time and peak memory (schalen.run_child: helper processes included), ingest -> export in total and the scaling
  exponents of time and memory; then C1-C4 with the pipeline functions (in a spawned child) against the
  bench's DuckDB and PostGIS engines on the bench data (--data, default /tmp/bench-data/s1.0, made with the
  bench's gen.py when absent), in the same run, best of --repeat runs each, with the ratio of compute times
  and the agreement verdict. Prints a table; writes <data root>/results.json (data/bench/results.json for
  config/bench.yaml): `stages` keyed by scale ("1.0", "4.0", "8.5"), each holding every stage with wall_s and
  peak_rss_mb; the scales measured earlier are kept, so bench-nationaal adds 8.5 to the figures of make bench.
  Engines are skipped, with the reason, when the bench venv is missing.

- `bench_layers(data)` reads the bench GeoParquet files and renames their simple field names to the
  canonical ones (terrein_id -> rin_nummer, woningen -> verblijfsobjecten with gevoelig, max_categorie ->
  max_milieucategorie, status -> afname_status/invoeding_status, ...). This bypasses ingest on purpose:
  it is a direct read for the cross-check; the same mapping could later be expressed as field overrides
  in a config and routed through `pipeline ingest`.
- `c1` .. `c4` return DataFrames with exactly the bench's keys and columns (see engines.py):
  C1 terrein_id, bebouwd_m2, dekking  -- bebouwing.footprint_per_zone on the terreinen
  C2 kavel_id, afstand_m, max_categorie -- milieuruimte.afstand_gevoelig + cat_afstand (rustige woonwijk)
  C3 terrein_id, kade_m -- kades.lengte_in_zones with a 25 m buffer, 8 segments per quarter circle
  C4 terrein_id, status, opp_m2, aandeel -- netcapaciteit.oppervlak_per_status
- `run_engines` runs the bench's own run.py (its venv, DuckDB / PostGIS) and reads back its result tables;
  `compare` applies the bench's agreement rules (run.compare, including the C3 buffer tolerance).
- `--volledig` also times the complete analyse stage (all analyses of pipeline.analyse.analyse) on the
  bench data as canonical layers, and reports the peak memory.
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import os
import re
import resource
import subprocess
import sys
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from pipeline import io

sys.path.insert(0, str(Path(__file__).resolve().parent))
import schalen  # noqa: E402  (benchmarks/schalen.py)
from pipeline.analyse import analyse, bebouwing, kades, milieuruimte, netcapaciteit
from pipeline.analyse._geo import geoms
from pipeline.config import VNG_GEMENGD, VNG_RUSTIG, Analyse, load_config

BENCH_DIR = Path(__file__).resolve().parents[2] / "shared" / "bench"
BENCH_PYTHON = Path("/tmp/bench-venv/bin/python")
COMPUTATIONS = ["C1", "C2", "C3", "C4"]
# bench grid status -> canonical colour (domain.md: 0 room, 1 limited, 2 queue, 3 shortage)
NET_STATUS = {"beschikbaar": "groen", "beperkt": "geel", "wachtrij": "oranje", "geen_capaciteit": "rood"}
CEMT_CYCLE = ["Va", "IV", "II", "Vb", "III", "VIa"]


def _read(data: Path, name: str) -> gpd.GeoDataFrame:
    return gpd.read_parquet(Path(data) / f"{name}.parquet")


def bench_layers(data: str | Path) -> dict[str, gpd.GeoDataFrame | None]:
    """The bench data as canonical layers (column names of pipeline/layers.py), read directly."""
    data = Path(data)
    t = _read(data, "terreinen")
    terreinen = gpd.GeoDataFrame({
        "rin_nummer": t["terrein_id"].astype(str).astype("string"), "naam": t["naam"].astype("string"),
        "gemeente_code": pd.array([pd.NA] * len(t), dtype="string"), "kern": pd.array([pd.NA] * len(t), dtype="string"),
        "provincie": "Noord-Brabant", "jaar": 2024, "ha_bruto": t["bruto_ha"].astype(float),
        "ha_netto": t["bruto_ha"].astype(float) * 0.8, "ha_uitgeefbaar": t["bruto_ha"].astype(float) * 0.05,
        "wloc_type": "B", "max_milieucategorie": pd.array([pd.NA] * len(t), dtype="string"),
        "water_ontsluiting": False, "spoor_ontsluiting": False}, geometry=t.geometry.values, crs=t.crs)
    k = _read(data, "kavels")
    kavels = gpd.GeoDataFrame({"kavel_id": k["kavel_id"].astype(str).astype("string"),
                               "rin_nummer": k["terrein_id"].astype(str).astype("string"),
                               "uitgifte_status": pd.array([pd.NA] * len(k), dtype="string"), "bron": "kavellaag"},
                              geometry=k.geometry.values, crs=k.crs)
    p = _read(data, "panden")
    panden = gpd.GeoDataFrame({"pand_id": p["pand_id"].astype(str).astype("string"),
                               "bouwjaar": p["bouwjaar"].astype("int64"), "status": "Pand in gebruik"},
                              geometry=p.geometry.values, crs=p.crs)
    w = _read(data, "woningen")
    vbo = gpd.GeoDataFrame({"vbo_id": w["woning_id"].astype(str).astype("string"), "gebruiksdoel": "woonfunctie",
                            "gevoelig": True}, geometry=w.geometry.values, crs=w.crs)
    q = _read(data, "kades")
    kd = gpd.GeoDataFrame({"kade_id": q["kade_id"].astype(str).astype("string"), "bgt_type": "kademuur",
                           "betrouwbaarheid": "hoog", "bron": "bench"}, geometry=q.geometry.values, crs=q.crs)
    v = _read(data, "vaarwegen")
    vw = gpd.GeoDataFrame({"vaarweg_id": v["vaarweg_id"].astype(str).astype("string"),
                           "naam": v["naam"].astype("string"),
                           "cemt_klasse": [CEMT_CYCLE[i % len(CEMT_CYCLE)] for i in range(len(v))]},
                          geometry=v.geometry.values, crs=v.crs)
    z = _read(data, "milieuzones")
    mz = gpd.GeoDataFrame({"zone_id": z["zone_id"].astype(str).astype("string"), "soort": "bestemmingsvlak",
                           "max_milieucategorie": z["max_categorie"].astype("string"),
                           "max_bebouwingspercentage": np.nan, "omschrijving": pd.NA},
                          geometry=z.geometry.values, crs=z.crs)
    n = _read(data, "netcapaciteit")
    colour = n["status"].map(NET_STATUS).astype("string")
    net = gpd.GeoDataFrame({"gebied_id": n["netvlak_id"].astype(str).astype("string"), "gebied_naam": pd.NA,
                            "netbeheerder": pd.NA, "afname_status": colour, "invoeding_status": colour,
                            "afname_beschikbaar_mw": np.nan, "invoeding_beschikbaar_mw": np.nan,
                            "afname_wachtrij_mw": np.nan, "invoeding_wachtrij_mw": np.nan,
                            "afname_wachtrij_aantal": np.nan, "invoeding_wachtrij_aantal": np.nan},
                           geometry=n.geometry.values, crs=n.crs)
    return {"terreinen": terreinen, "kavels": kavels, "panden": panden, "verblijfsobjecten": vbo, "kades": kd,
            "vaarwegen": vw, "milieuzones": mz, "netcapaciteit": net, "vestigingen": None, "omgevingstypen": None}


# ---------------------------------------------------------------------------------------------
# C1-C4 with the pipeline's functions, in the bench's column names
# ---------------------------------------------------------------------------------------------
def c1(t: gpd.GeoDataFrame, panden: gpd.GeoDataFrame) -> pd.DataFrame:
    fp = bebouwing.footprint_per_zone(t, panden)
    return pd.DataFrame({"terrein_id": t["terrein_id"].values, "bebouwd_m2": fp,
                         "dekking": fp / shapely.area(geoms(t))})


def c2(kavels: gpd.GeoDataFrame, woningen: gpd.GeoDataFrame) -> pd.DataFrame:
    d = milieuruimte.afstand_gevoelig(kavels, geoms(woningen))
    cat = milieuruimte.cat_afstand(d, pd.Series(milieuruimte.RUSTIG, index=d.index), rustig=VNG_RUSTIG,
                                   gemengd=VNG_GEMENGD)
    return pd.DataFrame({"kavel_id": kavels["kavel_id"].values, "afstand_m": d.values,
                         "max_categorie": cat.astype(object).where(cat.notna(), None).values})


def c3(t: gpd.GeoDataFrame, kd: gpd.GeoDataFrame) -> pd.DataFrame:
    return pd.DataFrame({"terrein_id": t["terrein_id"].values,
                         "kade_m": kades.lengte_in_zones(kd, t, buffer_m=25.0, quad_segs=8)})


def c4(t: gpd.GeoDataFrame, net: gpd.GeoDataFrame) -> pd.DataFrame:
    long = netcapaciteit.oppervlak_per_status(t, net, net["status"])  # only pairs with area > 0
    area = shapely.area(geoms(t))
    out = pd.DataFrame({"terrein_id": t["terrein_id"].values[long.zone.values], "status": long.status.astype(str).values,
                        "opp_m2": long.opp_m2.values, "aandeel": long.opp_m2.values / area[long.zone.values]})
    return out.sort_values(["terrein_id", "status"]).reset_index(drop=True)


def run_pipeline(data: str | Path, computations=COMPUTATIONS, repeat: int = 1
                 ) -> tuple[dict[str, pd.DataFrame], dict[str, float]]:
    """C1-C4 with the pipeline functions on the raw bench files; returns results and compute seconds
    (the fastest of `repeat` runs, as the bench reports its engines)."""
    data = Path(data)
    need = {"C1": ["terreinen", "panden"], "C2": ["kavels", "woningen"], "C3": ["terreinen", "kades"],
            "C4": ["terreinen", "netcapaciteit"]}
    d = {n: _read(data, n) for n in sorted({x for c in computations for x in need[c]})}
    funcs = {"C1": c1, "C2": c2, "C3": c3, "C4": c4}
    results, seconds = {}, {}
    for c in computations:
        for _ in range(max(1, repeat)):
            t0 = time.perf_counter()
            results[c] = funcs[c](*(d[n] for n in need[c]))
            seconds[c] = min(seconds.get(c, np.inf), time.perf_counter() - t0)
    return results, seconds


# ---------------------------------------------------------------------------------------------
# The bench's engines and its agreement rules
# ---------------------------------------------------------------------------------------------
def bench_module(name: str, bench_dir: Path = BENCH_DIR):
    """Import run.py / engines.py from the bench folder (they need only numpy and pandas at import)."""
    if str(bench_dir) not in sys.path:
        sys.path.insert(0, str(bench_dir))
    spec = importlib.util.spec_from_file_location(f"bench_{name}", bench_dir / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def run_engines(data: str | Path, engines=("duckdb", "postgis"), *, out: str | Path | None = None,
                computations=COMPUTATIONS, python: Path = BENCH_PYTHON, bench_dir: Path = BENCH_DIR,
                timeout: float = 1800, repeat: int = 1) -> tuple[dict[str, dict[str, pd.DataFrame]], dict]:
    """Run the bench's run.py for the engines; returns ({engine: {C: table}}, report json)."""
    out = Path(out) if out else Path(data) / "results_engines.json"
    cmd = [str(python), str(bench_dir / "run.py"), "--data", str(data), "--engines", ",".join(engines),
           "--computations", ",".join(computations), "--out", str(out), "--repeat", str(repeat)]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    found = re.search(r"engine result tables: (\S+)", proc.stdout)
    if not found:
        raise RuntimeError(f"bench run.py failed (exit {proc.returncode}):\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    workdir = Path(found.group(1))
    report = json.loads(out.read_text())
    tables = {}
    for e in engines:
        if "error" in report["engines"].get(e, {"error": "missing"}):
            raise RuntimeError(f"bench engine {e} failed: {report['engines'].get(e)}\n{proc.stdout[-3000:]}")
        tables[e] = {c: pd.read_parquet(workdir / f"{e}_{c}.parquet") for c in computations}
    return tables, report


def compare(ours: dict[str, pd.DataFrame], theirs: dict[str, pd.DataFrame], name: str = "engine",
            bench_dir: Path = BENCH_DIR) -> dict[str, list[str]]:
    """The bench's own agreement check (run.compare), pipeline as reference: {C: issue lines} ([] = agree).

    Lines containing "not counted as a disagreement" are notes (the C3 buffer-vertex tolerance).
    """
    run = bench_module("run", bench_dir)
    return {c: run.compare("pipeline", name, c, ours[c], theirs[c]) for c in ours if c in theirs}


def disagreements(issues: dict[str, list[str]]) -> list[str]:
    return [f"{c}: {line}" for c, lines in issues.items() for line in lines
            if "not counted as a disagreement" not in line]


# ---------------------------------------------------------------------------------------------
def time_full(data: str | Path) -> dict:
    """Time the complete analyse stage on the bench data as canonical layers (load excluded)."""
    t0 = time.perf_counter()
    layers = bench_layers(data)
    load = time.perf_counter() - t0
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    out = analyse(layers, Analyse(), timings=timings)
    total = time.perf_counter() - t0
    return {"load_s": load, "analyse_total_s": total, "per_analyse_s": timings,
            "rows": {k: len(v) for k, v in out.items()},
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def _pipeline_c1_c4(data: str, repeat: int):
    """Child-process body: C1-C4 with the pipeline functions, plus this process's peak RSS."""
    results, seconds = run_pipeline(data, repeat=repeat)
    return results, seconds, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bench_data_ready(data: Path, scale: float = 1.0) -> str | None:
    """Make sure the bench data exist (generate them with the bench's gen.py); None or why not."""
    if (data / "manifest.json").is_file():
        return None
    if not BENCH_PYTHON.is_file():
        return f"{data} missing and {BENCH_PYTHON} absent: cannot generate the bench data"
    subprocess.run([str(BENCH_PYTHON), str(BENCH_DIR / "gen.py"), "--scale", str(scale), "--out", str(data),
                    "--no-gpkg"], check=True, capture_output=True)
    return None


def engines_skip_reason() -> str | None:
    if not (BENCH_DIR / "run.py").is_file():
        return f"{BENCH_DIR}/run.py not found"
    if not BENCH_PYTHON.is_file():
        return f"{BENCH_PYTHON} absent (see ../shared/bench/README.md): DuckDB / PostGIS skipped"
    return None


def machine() -> dict:
    """What the figures were measured on: cores, memory, load, date (the speed of one core: per scale, run_config)."""
    mem = next((int(line.split()[1]) // 1024 for line in Path("/proc/meminfo").read_text().splitlines()
                if line.startswith("MemTotal")), None) if Path("/proc/meminfo").is_file() else None
    return {"cpus": os.cpu_count(), "geheugen_mb": mem, "load_1_5_15": [round(v, 2) for v in os.getloadavg()],
            "datum": time.strftime("%Y-%m-%d %H:%M")}


def calibration(repeat: int = 3) -> float:
    """Seconds (best of `repeat`) for a fixed single-core workload of the kinds the stages do: a Python loop, a numpy
    sort and GEOS buffers. The same code on the same data every run, timed before and after each scale's stages, so
    a shared machine's speed at the time can be compared between runs (and between scales measured in different
    runs) before their stage times are."""
    rng = np.random.default_rng(0)
    values = rng.random(2_000_000)
    points = shapely.points(rng.random((20_000, 2)) * 1000)
    best = np.inf
    for _ in range(repeat):
        t0 = time.perf_counter()
        total = 0
        for k in range(1_000_000):
            total += k
        np.sort(values)
        shapely.buffer(points, 5.0)
        best = min(best, time.perf_counter() - t0)
    return round(best, 3)


def run_config(config_path: str, config, data: Path, engines: list[str], repeat: int, scales: list[float],
               c1_c4: bool = True, rounds: int = 1) -> tuple[dict, int]:
    """The `make bench` run: the stages at every scale in child processes (schalen.py), `rounds` times in a row,
    the median run kept (schalen.median_run); then C1-C4 against the engines (see module doc). Earlier scales in
    <root>/results.json are kept, so bench-nationaal adds 8.5.

    config: load_config(config_path), already read by the caller.
    """
    root = Path(config.paths.raw).parent
    previous = root / "results.json"
    report: dict = json.loads(previous.read_text()) if previous.is_file() else {}
    report.update({"config": str(config_path), "machine": machine()})
    report["stages"] = {k: v for k, v in report.get("stages", {}).items() if k[0].isdigit()}
    for scale in scales:
        runs, scaled = [], schalen.scale_config(Path(config_path), scale)
        for _ in range(rounds):
            before = calibration()
            figures = schalen.run_scale(scaled, scale)
            figures.update(datum=time.strftime("%Y-%m-%d %H:%M"), kalibratie_voor_s=before,
                           kalibratie_na_s=calibration())
            runs.append(figures)
        report["stages"][schalen.scale_key(scale)] = schalen.median_run(runs)
    report["schaalexponenten"] = schalen.exponents(report["stages"])
    report["machine"]["load_na"] = [round(v, 2) for v in os.getloadavg()]
    if not c1_c4:
        return report, 0
    status = 0
    why = bench_data_ready(data)
    if why:
        report["c1_c4"] = {"skipped": why}
        return report, status
    report["c1_c4"], status = run_c1_c4(data, engines, repeat, root)
    return report, status


def run_c1_c4(data: Path, engines: list[str], repeat: int, root: Path) -> tuple[dict, int]:
    """C1-C4 with the pipeline functions (in a spawned child) and the bench's engines, with agreement."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    status = 0
    print(f"C1-C4 pipeline on {data} ...", flush=True)
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        import benchmark as this  # by module name (benchmarks/ is on sys.path), also when run as __main__
        ours, seconds, rss = pool.submit(this._pipeline_c1_c4, str(data), repeat).result()
    cc = {"data": str(data), "repeat": repeat,
          "pipeline": {"compute_s": {c: round(v, 3) for c, v in seconds.items()},
                       "total_s": round(sum(seconds.values()), 3), "peak_rss_mb": round(rss)}}
    why = engines_skip_reason()
    if why or not engines:
        cc["engines_skipped"] = why or "no engines asked for"
        print(f"engines skipped: {cc['engines_skipped']}")
        return cc, status
    print(f"C1-C4 {', '.join(engines)} (bench run.py) ...", flush=True)
    tables, bench = run_engines(data, engines, out=root / "results_engines.json", repeat=repeat)
    for e in engines:
        comp = bench["engines"][e]["compute_s"]
        issues = compare(ours, tables[e], e)
        bad = disagreements(issues)
        status = 2 if bad else status
        cc[e] = {"compute_s": {c: round(v, 3) for c, v in comp.items()},
                 "total_s": round(sum(comp.values()), 3), "peak_rss_mb": round(bench["engines"][e]["peak_rss_mb"]),
                 "ratio_pipeline": round(cc["pipeline"]["total_s"] / sum(comp.values()), 3),
                 "agreement": "agree" if not bad else bad,
                 "notes": [f"{c}: {line}" for c, lines in issues.items() for line in lines if line not in bad]}
    return cc, status


def print_report(report: dict) -> None:
    schalen.print_stages(report["stages"], report.get("schaalexponenten", {}))
    for scale, figures in report["stages"].items():
        if figures.get("rondes"):
            runs = ", ".join(f"{r['pipeline_s']:.1f} s ({r['pipeline_cpu_s']:.1f} s CPU)" for r in figures["rondes"])
            print(f"  schaal {scale}: {len(figures['rondes'])} runs, ingest -> export {runs}; the median run is shown")
    m = report["machine"]
    print(f"  machine: {m['cpus']} cores, {m['geheugen_mb']} MB, load {m['load_1_5_15']} -> {m.get('load_na')}, "
          f"{m['datum']}")
    cc = report.get("c1_c4", {})
    if "skipped" in cc:
        print(f"\n== C1-C4 skipped: {cc['skipped']}")
        return
    print(f"\n== C1-C4 on {cc['data']} (best of {cc['repeat']}; seconds)")
    engines = ["pipeline"] + [e for e in ("duckdb", "postgis") if e in cc]
    print(f"  {'engine':<9} " + " ".join(f"{c:>7}" for c in COMPUTATIONS) + f" {'total':>7} {'peak MB':>8} "
          f"{'pipeline/engine':>15}  agreement")
    for e in engines:
        r = cc[e]
        ratio = f"{r['ratio_pipeline']:.2f}x" if "ratio_pipeline" in r else "-"
        agree = r.get("agreement", "(reference)")
        agree = agree if isinstance(agree, str) else f"DISAGREE ({len(agree)} issues)"
        print(f"  {e:<9} " + " ".join(f"{r['compute_s'].get(c, float('nan')):>7.2f}" for c in COMPUTATIONS)
              + f" {r['total_s']:>7.2f} {r['peak_rss_mb']:>8} {ratio:>15}  {agree}")
        for note in r.get("notes", [])[:3]:
            print(f"      note: {note[:150]}")
    if "engines_skipped" in cc:
        print(f"  engines skipped: {cc['engines_skipped']}")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default=None, help="bench data folder (with --config default /tmp/bench-data/s1.0)")
    ap.add_argument("--config", default=None, help="full run: demo + stages of this config, then C1-C4 vs engines")
    ap.add_argument("--engines", default=None, help="bench engines to compare with, e.g. duckdb,postgis "
                                                    "(with --config default duckdb,postgis)")
    ap.add_argument("--repeat", type=int, default=None, help="runs per computation, fastest counts "
                                                             "(with --config default 3, else 1)")
    ap.add_argument("--volledig", action="store_true", help="also time the complete analyse stage")
    ap.add_argument("--schalen", default="1,4", help="with --config: demo scales to run the stages at (default 1,4; "
                                                      "make bench-nationaal: 8.5)")
    ap.add_argument("--zonder-c1c4", action="store_true", help="with --config: only the stages")
    ap.add_argument("--rondes", type=int, default=1, help="with --config: run the stages this many times per scale "
                                                         "and keep the run with the median ingest -> export time")
    args = ap.parse_args(argv)
    if args.config:
        engines = [e for e in (args.engines if args.engines is not None else "duckdb,postgis").split(",") if e]
        data = Path(args.data or "/tmp/bench-data/s1.0")
        config = load_config(args.config)
        scales = [float(x) for x in args.schalen.split(",") if x]
        report, status = run_config(args.config, config, data, engines, args.repeat or 3, scales,
                                    c1_c4=not args.zonder_c1c4, rounds=args.rondes)
        out = io.write_json(report, Path(config.paths.raw).parent / "results.json")
        print_report(report)
        print(f"\nresults: {out}")
        return status
    if not args.data:
        ap.error("--data or --config is required")
    results, seconds = run_pipeline(args.data, repeat=args.repeat or 1)
    report = {"pipeline_compute_s": {c: round(s, 3) for c, s in seconds.items()},
              "pipeline_compute_total_s": round(sum(seconds.values()), 3),
              "peak_rss_mb_c1_c4": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}
    status = 0
    if args.engines:
        engines = [e for e in args.engines.split(",") if e]
        tables, bench = run_engines(args.data, engines, repeat=args.repeat or 1)
        report["engines_compute_s"] = {e: bench["engines"][e]["compute_s"] for e in engines}
        for e in engines:
            issues = compare(results, tables[e], e)
            report[f"vs_{e}"] = {c: (v or "agree") for c, v in issues.items()}
            if disagreements(issues):
                status = 2
    if args.volledig:
        report["volledig"] = time_full(args.data)
    print(json.dumps(report, indent=2, default=str))
    return status


if __name__ == "__main__":
    raise SystemExit(main())
