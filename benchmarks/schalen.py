"""The pipeline's stages at several demo scales, each stage in a child process: wall time and peak memory.

- `scale_config(base, scale)`: the benchmark configuration at one scale, written to
  data/bench/schaal-<scale>/bench.yaml: the same YAML with demo.scale set and every `data/bench/` path moved
  into that folder, so the scales never share files (make bench-nationaal keeps scale 1 and 4 in place).
- `run_scale(config, scale)`: demo (generated once per scale and seed: the demo stage reuses a region whose
  manifest matches), then ingest, analyse, score and export, each as `python -m pipeline <stage>` in a child;
  wall time, CPU time (user + system: on a shared machine wall time also counts waiting for a core), peak
  memory (`run_child`: helper processes included) and the load average before and after. `pipeline_s` = ingest ->
  export.
- `exponents(stages)`: per stage the scaling exponent b of time ~ scale^b and memory ~ scale^b (least squares on
  log-log over the scales measured: 1 = linear, 0 = independent of the data size), and the memory ratio of the
  largest scale to scale 1.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np

STAGES = ["demo", "ingest", "analyse", "score", "export"]
PIPELINE = ["ingest", "analyse", "score", "export"]  # ingest -> export: what the time limits are about


def scale_key(scale: float) -> str:
    return f"{float(scale):.1f}"


def scale_config(base: Path, scale: float, root: Path = Path("data/bench")) -> Path:
    """The base configuration at `scale`, in a folder of its own under `root` (see module doc)."""
    folder = root / f"schaal-{scale_key(scale)}"
    folder.mkdir(parents=True, exist_ok=True)
    text = Path(base).read_text(encoding="utf-8")
    text = re.sub(r"(?m)^(\s*scale:\s*)[0-9.]+", lambda m: f"{m.group(1)}{float(scale)}", text)
    text = text.replace(f"{root.as_posix()}/", f"{folder.as_posix()}/")
    target = folder / "bench.yaml"
    target.write_text(text, encoding="utf-8")
    return target


def tree_pss_mb(pid: int) -> float:
    """Proportional set size (MB) of a process and all its descendants: what a stage that forks helper processes
    (export.processen) holds in memory, pages the processes share counted once. 0 once the process is gone."""
    pids, total = [pid], 0
    while pids:
        p = pids.pop()
        try:
            for task in Path(f"/proc/{p}/task").iterdir():
                pids += [int(c) for c in (task / "children").read_text().split()]
            rollup = Path(f"/proc/{p}/smaps_rollup").read_text()
        except OSError:  # ended between two reads
            continue
        total += int(re.search(r"^Pss:\s+(\d+) kB", rollup, re.M).group(1))
    return total / 1024


def run_child(cmd: list[str], log: Path, env: dict | None = None) -> dict:
    """Run cmd as a child process (output to log; `env`: its environment, default this one's); its wall time, CPU
    time, peak memory and exit code.

    peak_rss_mb is the larger of the child's peak RSS (ru_maxrss via os.wait4: the largest single process, helpers
    included) and the peak of the summed PSS of the child and its helpers, sampled 5 times a second (a stage with
    helper processes holds more than its largest process); both are kept as well."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "w") as fh:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=fh, stderr=subprocess.STDOUT, env=env)
        tree_peak, done = [0.0], threading.Event()

        def sample() -> None:
            while not done.wait(0.2):
                tree_peak[0] = max(tree_peak[0], tree_pss_mb(proc.pid))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        done.set()
        sampler.join()
    largest = usage.ru_maxrss / 1024
    # cpu_s (user + system, all threads and helpers) next to wall_s: on a shared machine wall time also counts waiting
    return {"wall_s": round(wall, 2), "cpu_s": round(usage.ru_utime + usage.ru_stime, 2),
            "peak_rss_mb": round(max(largest, tree_peak[0])), "peak_rss_largest_process_mb": round(largest),
            "peak_pss_tree_mb": round(tree_peak[0]), "exit": os.waitstatus_to_exitcode(status), "log": str(log)}


def run_scale(config: Path, scale: float, *, stages=STAGES) -> dict:
    """Every stage at one scale (see module doc); raises when a stage fails."""
    logs = config.parent / "bench_logs"
    out: dict = {}
    for stage in stages:
        print(f"scale {scale_key(scale)}: stage {stage} ...", flush=True)
        load = round(os.getloadavg()[0], 2)
        res = run_child([sys.executable, "-m", "pipeline", stage, "--config", str(config)], logs / f"{stage}.log")
        res["load_voor"], res["load_na"] = load, round(os.getloadavg()[0], 2)
        out[stage] = res
        if res["exit"]:
            raise RuntimeError(f"scale {scale}: stage {stage} failed (exit {res['exit']}), see {res['log']}")
    out["pipeline_s"] = round(sum(out[s]["wall_s"] for s in PIPELINE if s in out), 2)
    out["pipeline_cpu_s"] = round(sum(out[s]["cpu_s"] for s in PIPELINE if s in out), 2)
    out["pipeline_peak_rss_mb"] = max(out[s]["peak_rss_mb"] for s in PIPELINE if s in out)
    return out


def median_run(runs: list[dict]) -> dict:
    """Of several runs of the stages at one scale, the run with the median ingest -> export time (the lower one of an
    even number), with every run's totals under "rondes": on a shared machine the same code took 284.6 and 388.6 s
    minutes apart, so one run says little. A whole run, not medians per stage: its stages add up to its total."""
    order = sorted(range(len(runs)), key=lambda i: runs[i]["pipeline_s"])
    chosen = dict(runs[order[(len(runs) - 1) // 2]])
    if len(runs) > 1:
        keys = ("datum", "pipeline_s", "pipeline_cpu_s", "pipeline_peak_rss_mb", "kalibratie_voor_s", "kalibratie_na_s")
        # each run's peak per stage too: which helper processes peak together varies from run to run
        chosen["rondes"] = [{**{k: r[k] for k in keys if k in r},
                             "piek_mb": {s: r[s]["peak_rss_mb"] for s in PIPELINE if "peak_rss_mb" in r.get(s, {})}}
                            for r in runs]
    return chosen


def exponents(stages: dict[str, dict]) -> dict:
    """Scaling exponents of wall time and peak memory per stage (and ingest -> export) over the scales measured."""
    scales = sorted(stages, key=float)
    if len(scales) < 2:
        return {}
    x = np.log([float(s) for s in scales])
    out = {}
    for stage in [*PIPELINE, "demo", "pipeline"]:
        wall_key, mem_key = ("pipeline_s", "pipeline_peak_rss_mb") if stage == "pipeline" else (None, None)
        try:
            wall = [stages[s][wall_key] if wall_key else stages[s][stage]["wall_s"] for s in scales]
            mem = [stages[s][mem_key] if mem_key else stages[s][stage]["peak_rss_mb"] for s in scales]
        except KeyError:
            continue
        out[stage] = {"tijd": round(float(np.polyfit(x, np.log(wall), 1)[0]), 2),
                      "geheugen": round(float(np.polyfit(x, np.log(mem), 1)[0]), 2),
                      "geheugen_verhouding": round(mem[-1] / mem[0], 2), "schalen": scales}
    return out


def print_stages(stages: dict[str, dict], exps: dict) -> None:
    print("\n== stages per scale (each in a child process; wall s / cpu s / peak MB / load average before)")
    scales = sorted(stages, key=float)
    print(f"  {'stage':<14}" + "".join(f" {'schaal ' + s:>32}" for s in scales))
    for stage in [*STAGES, "pipeline"]:
        cells = []
        for s in scales:
            r = stages[s]
            if stage == "pipeline":
                cells.append(f"{r.get('pipeline_s', float('nan')):>8.1f} {r.get('pipeline_cpu_s', float('nan')):>7.1f} "
                             f"{r.get('pipeline_peak_rss_mb', 0):>7} {'':>7}")
            elif stage in r:
                x = r[stage]
                cells.append(f"{x['wall_s']:>8.1f} {x.get('cpu_s', float('nan')):>7.1f} {x['peak_rss_mb']:>7} "
                             f"{x.get('load_voor', float('nan')):>7.2f}")
            else:
                cells.append(f"{'-':>8} {'-':>7} {'-':>7} {'-':>7}")
        label = "ingest->export" if stage == "pipeline" else stage
        print(f"  {label:<14}" + "".join(f" {c:>32}" for c in cells))
    if exps:
        print("  scaling exponents (time, memory; 1 = linear) and memory ratio largest/smallest scale:")
        for stage, e in exps.items():
            print(f"    {stage:<10} tijd {e['tijd']:>5.2f}  geheugen {e['geheugen']:>5.2f}  "
                  f"geheugen x{e['geheugen_verhouding']:.2f}")
