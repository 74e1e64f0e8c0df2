"""benchmarks/ab.py: two versions' stages run in turns and compared by their medians (the runs themselves are
`make bench-ab`; timing is never asserted in a test)."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import ab  # noqa: E402  (benchmarks/ is not part of the package)


def test_versions_take_turns_and_are_compared_by_their_medians():
    calls = []
    figures = {"old": iter([10.0, 14.0, 11.0]), "new": iter([9.0, 8.0, 30.0])}  # a slow third run of new

    def run(version, stage):
        calls.append((version, stage))
        wall = next(figures[version])
        return {"wall_s": wall, "cpu_s": 2 * wall, "peak_rss_mb": 100.0 if version == "old" else 90.0}

    samples = ab.compare(run, ["analyse"], rounds=3)
    # old first, then new first, then old first: neither version always has the machine to itself first
    assert calls == [("old", "analyse"), ("new", "analyse"), ("new", "analyse"), ("old", "analyse"),
                     ("old", "analyse"), ("new", "analyse")]
    result = ab.summary(samples)["analyse"]
    assert result["old"]["wall_s"] == 11.0 and result["new"]["wall_s"] == 9.0  # medians: the outlier 30 s does not count
    assert result["nieuw_gedeeld_door_oud"] == {"wall_s": round(9 / 11, 3), "cpu_s": round(18 / 22, 3),
                                                "peak_rss_mb": 0.9}


def test_stages_follow_each_other_in_pipeline_order_within_a_turn():
    calls = []
    ab.compare(lambda v, s: calls.append((v, s)) or {"wall_s": 1.0, "cpu_s": 1.0, "peak_rss_mb": 1.0},
               ["ingest", "analyse"], rounds=2)
    assert calls == [("old", "ingest"), ("new", "ingest"), ("old", "analyse"), ("new", "analyse"),
                     ("new", "ingest"), ("old", "ingest"), ("new", "analyse"), ("old", "analyse")]


def test_repeated_runs_keep_the_whole_run_with_the_median_total():
    import schalen  # noqa: E402  (benchmarks/schalen.py)

    def run(total, ingest, datum):
        return {"ingest": {"wall_s": ingest, "peak_rss_mb": total // 10}, "pipeline_s": total,
                "pipeline_cpu_s": 2 * total, "pipeline_peak_rss_mb": 1000, "datum": datum}

    runs = [run(326.8, 140.0, "07:53"), run(270.3, 96.6, "07:36"), run(363.9, 132.7, "08:00")]
    chosen = schalen.median_run(runs)
    # the middle total (326.8 s) with its own stages, not the middle of each stage (that would be ingest 132.7 s)
    assert chosen["pipeline_s"] == 326.8 and chosen["ingest"]["wall_s"] == 140.0
    assert [r["pipeline_s"] for r in chosen["rondes"]] == [326.8, 270.3, 363.9]  # in the order they ran
    assert [r["piek_mb"] for r in chosen["rondes"]] == [{"ingest": 32}, {"ingest": 27}, {"ingest": 36}]
    assert schalen.median_run(runs[:2])["pipeline_s"] == 270.3  # an even number: the lower of the two middle ones
    assert "rondes" not in schalen.median_run(runs[:1])


def test_the_child_imports_the_version_on_its_pythonpath_not_the_checkout(tmp_path):
    """Run from this checkout (as `make bench-ab` does), the child of the "old" version must import that version's
    pipeline: `python -m` alone puts the working directory first, so every old run used to be the working tree."""
    import os
    import subprocess

    old = tmp_path / "old"
    (old / "pipeline").mkdir(parents=True)
    (old / "pipeline" / "__init__.py").write_text("")
    (old / "pipeline" / "__main__.py").write_text("import sys\nprint('old version', sys.argv[1:])\n")
    root = Path(__file__).resolve().parents[1]
    done = subprocess.run(ab.child_command("ingest", tmp_path / "bench.yaml"), cwd=root, capture_output=True,
                          text=True, env={**os.environ, "PYTHONPATH": str(old)}, timeout=60)
    assert done.stdout.strip() == f"old version ['ingest', '--config', '{tmp_path / 'bench.yaml'}']"
