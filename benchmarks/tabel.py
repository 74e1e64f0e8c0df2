"""The README's benchmark table, written from data/bench/results.json (`python benchmarks/tabel.py`).

Why: the figures in the README are exactly those of the last `make bench` / `make bench-nationaal`, with the
machine, the date and the load they were measured under (wall time on a shared machine also counts waiting for
a core, so CPU time is shown beside it).
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from schalen import STAGES  # benchmarks/schalen.py: the stages run per scale

COMPUTATIONS = ["C1", "C2", "C3", "C4"]


def _cell(r: dict | None) -> str:
    if not r:
        return "–"
    return f"{r['wall_s']:.1f} s / {r.get('cpu_s', float('nan')):.1f} s / {r['peak_rss_mb']:,} MB"


def stages_table(stages: dict) -> list[str]:
    scales = sorted(stages, key=float)
    out = ["| stage | " + " | ".join(f"schaal {s}" for s in scales) + " |",
           "|---|" + "---|" * len(scales)]
    for stage in STAGES:
        out.append(f"| {stage} | " + " | ".join(_cell(stages[s].get(stage)) for s in scales) + " |")
    out.append("| **ingest → export** | " + " | ".join(
        f"**{stages[s]['pipeline_s']:.1f} s** / {stages[s].get('pipeline_cpu_s', float('nan')):.1f} s / "
        f"{stages[s]['pipeline_peak_rss_mb']:,} MB" for s in scales) + " |")
    out.append("| load average before each stage | " + " | ".join(
        ", ".join(f"{stages[s][x].get('load_voor', float('nan')):.1f}" for x in STAGES if x in stages[s])
        for s in scales) + " |")
    if any(stages[s].get("rondes") for s in scales):  # schalen.median_run: the run shown is the median of these
        out.append("| ingest → export of every run (the median shown) | " + " | ".join(
            ", ".join(f"{r['pipeline_s']:.1f} s" for r in stages[s].get("rondes", [])) or "one run"
            for s in scales) + " |")
    if any("kalibratie_voor_s" in stages[s] for s in scales):  # benchmark.calibration: the speed of one core then
        out.append("| finished at (UTC); calibration before / after (s) | " + " | ".join(
            f"{stages[s].get('datum', '?')}; {stages[s].get('kalibratie_voor_s', float('nan')):.2f} / "
            f"{stages[s].get('kalibratie_na_s', float('nan')):.2f}" for s in scales) + " |")
    return out


def exponents_table(exps: dict) -> list[str]:
    if not exps:
        return []
    out = ["| stage | time exponent | memory exponent | memory largest / smallest scale |", "|---|---|---|---|"]
    for stage, e in exps.items():
        label = "ingest → export" if stage == "pipeline" else stage
        out.append(f"| {label} | {e['tijd']:.2f} | {e['geheugen']:.2f} | ×{e['geheugen_verhouding']:.2f} |")
    return out


def c1_c4_table(cc: dict) -> list[str]:
    if not cc or "pipeline" not in cc:
        return [f"C1–C4 not measured: {cc.get('skipped', 'no result')}"] if cc else []
    engines = ["pipeline"] + [e for e in ("duckdb", "postgis") if e in cc]
    out = ["| engine | " + " | ".join(COMPUTATIONS) + " | total | peak MB | pipeline / engine | agreement |",
           "|---|" + "---|" * (len(COMPUTATIONS) + 4)]
    for e in engines:
        r = cc[e]
        agree = r.get("agreement", "(reference)")
        agree = agree if isinstance(agree, str) else f"DISAGREE ({len(agree)})"
        ratio = f"{r['ratio_pipeline']:.2f}×" if "ratio_pipeline" in r else "–"
        out.append(f"| {e} | " + " | ".join(f"{r['compute_s'].get(c, float('nan')):.2f}" for c in COMPUTATIONS)
                   + f" | {r['total_s']:.2f} | {r['peak_rss_mb']:,} | {ratio} | {agree} |")
    return out


def markdown(report: dict) -> str:
    m = report.get("machine", {})
    after = m.get("load_na") or []
    head = (f"Measured {m.get('datum', '?')} UTC on {m.get('cpus', '?')} cores / "
            f"{(m.get('geheugen_mb') or 0) / 1024:.1f} GB, shared with other jobs (load average 1/5/15 min at the "
            f"start {', '.join(str(v) for v in m.get('load_1_5_15', []))}; at the end "
            f"{', '.join(str(v) for v in after)}). "
            "Cells: wall time / CPU time (user + system) / peak memory of the stage, its helper processes included.")
    parts = [head, "", *stages_table(report.get("stages", {})), "", "Scaling exponents (1 = linear, 0 = flat):", "",
             *exponents_table(report.get("schaalexponenten", {}))]
    cc = report.get("c1_c4")
    if cc:
        parts += ["", f"C1–C4 on the bench data ({cc.get('data', '?')}, best of {cc.get('repeat', '?')}; compute "
                      "seconds):", "", *c1_c4_table(cc)]
    return "\n".join(parts)


if __name__ == "__main__":
    path = Path(sys.argv[1] if len(sys.argv) > 1 else "data/bench/results.json")
    print(markdown(json.loads(path.read_text(encoding="utf-8"))))
