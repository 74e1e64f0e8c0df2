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
