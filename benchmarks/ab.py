"""Two versions of the pipeline timed against each other on the same machine, stage by stage, in turns.

On a shared machine a stage's time varies by a third from one hour to the next (make bench at 03:10 and at 04:02
on 2026-11-27 differ that much with the same code), so one figure before a change and one after cannot show a
gain of 5 %. `make bench-ab VORIGE_VERSIE=<git revision>` runs each stage of that revision (checked out with `git
worktree` into build/ab/<commit>) and of the working tree in turns, ROUNDS times (old-new, then new-old, ...), on
the bench region at SCHAAL (made by `make bench` / `make bench-nationaal`), and reports per stage the median wall
time, CPU time and peak memory of each version and the ratio new/old of the medians.

Both versions run on this checkout's virtualenv (the earlier one through PYTHONPATH, with `python -P`: see
child_command), so they must need the same packages; they write the region's outputs in turn, so each must read what
the other writes (a change of the canonical layers or of the results needs a comparison of its own). Results:
data/bench/ab.json.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from schalen import run_child, scale_config

from pipeline import io

ROOT = Path(__file__).resolve().parents[1]
MEASURES = ("wall_s", "cpu_s", "peak_rss_mb")


def checkout(revision: str) -> Path:
    """The source of `revision` in build/ab/<commit> (a git worktree, made once)."""
    commit = subprocess.run(["git", "rev-parse", "--verify", f"{revision}^{{commit}}"], cwd=ROOT, check=True,
                            capture_output=True, text=True).stdout.strip()
    folder = ROOT / "build" / "ab" / commit[:12]
    if not (folder / "pipeline").is_dir():
        subprocess.run(["git", "worktree", "add", "--force", "--detach", str(folder), commit], cwd=ROOT, check=True,
                       capture_output=True)
    # a version resolves the configuration's relative paths against its own project folder: the bench regions
    # (not in git) are this checkout's
    regions = folder / "data" / "bench"
    if not regions.is_symlink():
        if regions.exists():  # left by a run before the link was made: it holds no region, only its logs
            raise RuntimeError(f"{regions} is a folder, not a link to {ROOT / 'data' / 'bench'}: remove it and run "
                               "again")
        regions.parent.mkdir(parents=True, exist_ok=True)
        regions.symlink_to(ROOT / "data" / "bench", target_is_directory=True)
    return folder


def child_command(stage: str, config: Path) -> list[str]:
    """The stage as a child process of the version on PYTHONPATH. `-P` keeps the working directory (this checkout) off
    sys.path: `python -m` puts it first, before PYTHONPATH, so until 2026-11-27 every "old" run imported the working
    tree's pipeline and every comparison made with this tool compared the working tree with itself."""
    return [sys.executable, "-P", "-m", "pipeline", stage, "--config", str(config)]


def turns(rounds: int) -> list[tuple[str, str]]:
    """The order of the two versions in each round: old first in even rounds, new first in odd ones, so neither
    always runs first."""
    return [("old", "new") if r % 2 == 0 else ("new", "old") for r in range(rounds)]


def compare(run, stages: list[str], rounds: int) -> dict[str, dict[str, list[dict]]]:
    """run(version, stage) -> {wall_s, cpu_s, peak_rss_mb} of one run; every stage of both versions, in turns."""
    samples: dict[str, dict[str, list[dict]]] = {s: {"old": [], "new": []} for s in stages}
    for r, order in enumerate(turns(rounds)):
        for stage in stages:
            for version in order:
                result = run(version, stage)
                samples[stage][version].append(result)
                print(f"round {r + 1}: {stage:8s} {version}: {result['wall_s']:7.1f} s wall {result['cpu_s']:7.1f} s "
                      f"CPU {result['peak_rss_mb']:6.0f} MB", flush=True)
    return samples


def summary(samples: dict[str, dict[str, list[dict]]]) -> dict[str, dict]:
    """Per stage and version the median of each measure, and new/old of the medians."""
    out = {}
    for stage, versions in samples.items():
        med = {v: {m: statistics.median(s[m] for s in runs) for m in MEASURES} for v, runs in versions.items()}
        out[stage] = {**med, "nieuw_gedeeld_door_oud": {m: round(med["new"][m] / med["old"][m], 3)
                                                        if med["old"][m] else None for m in MEASURES}}
    return out


def print_summary(result: dict) -> None:
    print(f"\n== {result['oud']} (old) against the working tree (new), scale {result['schaal']}, "
          f"{result['rondes']} rounds: medians")
    print(f"  {'stage':10s} {'old wall':>9s} {'new wall':>9s} {'ratio':>6s} {'old CPU':>8s} {'new CPU':>8s} "
          f"{'ratio':>6s} {'old MB':>7s} {'new MB':>7s} {'ratio':>6s}")
    for stage, s in result["stages"].items():
        o, n, q = s["old"], s["new"], s["nieuw_gedeeld_door_oud"]
        print(f"  {stage:10s} {o['wall_s']:9.1f} {n['wall_s']:9.1f} {q['wall_s']:6.3f} {o['cpu_s']:8.1f} "
              f"{n['cpu_s']:8.1f} {q['cpu_s']:6.3f} {o['peak_rss_mb']:7.0f} {n['peak_rss_mb']:7.0f} "
              f"{q['peak_rss_mb']:6.3f}")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--vorige", required=True, help="the earlier version: a git revision (commit, tag, HEAD~1)")
    ap.add_argument("--config", default="config/bench.yaml", help="bench configuration (default config/bench.yaml)")
    ap.add_argument("--schaal", type=float, default=1.0, help="demo scale of the bench region (default 1)")
    ap.add_argument("--stages", default="ingest,analyse,export", help="stages to compare, in pipeline order")
    ap.add_argument("--rondes", type=int, default=3, help="rounds; each runs every stage of both versions")
    args = ap.parse_args(argv)
    os.chdir(ROOT)  # the bench configurations' paths are relative to the project
    config = scale_config(Path(args.config), args.schaal).resolve()
    sources = {"old": checkout(args.vorige), "new": ROOT}
    stages = [s for s in args.stages.split(",") if s]
    logs = config.parent / "ab_logs"

    def run(version: str, stage: str) -> dict:
        env = {**os.environ, "PYTHONPATH": str(sources[version])}
        result = run_child(child_command(stage, config), logs / f"{stage}-{version}.log", env=env)
        if result["exit"]:
            raise RuntimeError(f"{version} ({sources[version]}): stage {stage} failed, see {result['log']}")
        return result

    run("new", "demo")  # the region at this scale (reused when it is there)
    samples = compare(run, stages, args.rondes)
    result = {"oud": args.vorige, "oud_pad": str(sources["old"]), "schaal": args.schaal, "rondes": args.rondes,
              "datum": time.strftime("%Y-%m-%d %H:%M"), "stages": summary(samples), "metingen": samples}
    out = io.write_json(result, ROOT / "data" / "bench" / "ab.json")  # atomically: never half a file
    print_summary(result)
    print(f"\nresults: {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
