"""Kavels: terrein by largest overlap, clipped, outside dropped; terrein-as-kavel fallback."""
import geopandas as gpd
import pytest

from fixtures.ingest.builders import RD, make_config, make_world, sq
from pipeline.ingest import kavels, terreinen
from pipeline.ingest.errors import IngestError
from pipeline.ingest.quality import Report


def run(tmp_path, sources):
    config = make_config(tmp_path, sources)
    report = Report()
    ter = terreinen.ingest(config, report)
    return kavels.ingest(config, report, ter), report.tallies[-1]


def test_assigned_clipped_and_outside_dropped(tmp_path):
    out, tally = run(tmp_path, make_world(tmp_path / "raw"))
    out = out.set_index("kavel_id")
    assert list(out.index) == ["K1", "K2", "K3", "K4", "K5"]  # K6 lies outside every terrein
    assert (out["bron"] == "kavellaag").all()
    assert out.loc["K1", "rin_nummer"] == "1001" and out.loc["K5", "rin_nummer"] == "1002"
    assert out.loc["K5"].geometry.area == pytest.approx(100 * 200)  # 200x200 kavel, half outside terrein 1002
    assert out.loc["K2", "uitgifte_status"] == "uitgeefbaar"
    assert tally.dropped["buiten alle terreinen"] == 1 and tally.repaired["bijgesneden tot het terrein"] == 1


def test_largest_overlap_wins(tmp_path):
    sources = make_world(tmp_path / "raw")
    # x 800..2100: 200 m inside terrein 1001 (x 0..1000), 100 m inside terrein 1002 (x 2000..2500)
    straddle = gpd.GeoDataFrame({"kavel_id": ["S"]}, geometry=[sq(800, 0, 1300, 100)], crs=RD)
    straddle.to_parquet(tmp_path / "k.parquet")
    sources["kavels"] = {"path": str(tmp_path / "k.parquet")}
    out, _ = run(tmp_path, sources)
    assert out["rin_nummer"].tolist() == ["1001"]
    assert out.geometry.iloc[0].area == pytest.approx(200 * 100)


def test_no_kavel_layer_each_terrein_is_a_kavel(tmp_path):
    out, tally = run(tmp_path, make_world(tmp_path / "raw", kavels=False))
    assert sorted(out["kavel_id"]) == ["T1001", "T1002"]
    assert (out["bron"] == "terrein").all() and out["uitgifte_status"].isna().all()
    assert tally.kept == 2


def test_brk_percelen_ids(tmp_path):
    sources = make_world(tmp_path / "raw")
    brk = gpd.GeoDataFrame({"kadastraleGemeenteWaarde": ["Breda"], "sectie": ["A"], "perceelnummer": [1234]},
                           geometry=[sq(100, 100, 50)], crs=RD)
    brk.to_parquet(tmp_path / "brk.parquet")
    sources["kavels"] = {"path": str(tmp_path / "brk.parquet")}
    out, _ = run(tmp_path, sources)
    assert out["kavel_id"].tolist() == ["Breda-A-1234"]


def test_no_kavel_inside_refused(tmp_path):
    sources = make_world(tmp_path / "raw")
    gpd.GeoDataFrame({"kavel_id": ["X"]}, geometry=[sq(9000, 9000, 10)], crs=RD).to_parquet(tmp_path / "x.parquet")
    sources["kavels"] = {"path": str(tmp_path / "x.parquet")}
    with pytest.raises(IngestError, match="no kavel overlaps any terrein"):
        run(tmp_path, sources)


def test_kavel_within_the_clip_tolerance_is_kept_and_clipping_is_counted(tmp_path):
    """Terrein 1001 is x 0..1000. A kavel sticking out 5 mm (within the 0.01 m tolerance) keeps its shape and
    area; one sticking out 2 cm is clipped and counted, although it loses only 0.02% of its area (the former
    0.999-share rule let that pass without a trace). A tolerance of 0 clips the first as well."""
    sources = make_world(tmp_path / "raw")
    frame = gpd.GeoDataFrame({"kavel_id": ["mm", "cm"]},
                             geometry=[sq(900, 0, 100.005, 100), sq(900, 200, 100.02, 100)], crs=RD)
    frame.to_parquet(tmp_path / "k.parquet")
    sources["kavels"] = {"path": str(tmp_path / "k.parquet")}
    out, tally = run(tmp_path, sources)
    area = dict(zip(out["kavel_id"], out.geometry.area))
    assert area["mm"] == pytest.approx(100.005 * 100, abs=1e-6)
    assert area["cm"] == pytest.approx(100 * 100, abs=1e-6)
    assert tally.repaired["bijgesneden tot het terrein"] == 1
    config = make_config(tmp_path, sources)
    config.analyse.kavel_clip_tolerantie_m = 0.0
    report = Report()
    strict = kavels.ingest(config, report, terreinen.ingest(config, report))
    assert dict(zip(strict["kavel_id"], strict.geometry.area))["mm"] == pytest.approx(100 * 100, abs=1e-6)
    assert report.tallies[-1].repaired["bijgesneden tot het terrein"] == 2
