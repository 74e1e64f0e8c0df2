"""IBIS history (terreinen_historie): every year of each terrein, one row per RIN_NUMMER and year."""
import geopandas as gpd
import pandas as pd
import pytest

import pipeline.ingest as ingest
from fixtures.ingest.builders import RD, ibis_row, make_config, make_world, sq
from pipeline import catalogue
from pipeline.ingest import terreinen
from pipeline.ingest.quality import Report


def _history_frame() -> gpd.GeoDataFrame:
    rows = [
        # 1001: three years, values change; the 2022 record is listed after 2024 (order must not matter)
        ibis_row(1001, 2021, "HAVEN", "GM0855", 100.0, 80.0, 20.0, 5, "J", "N", sq(0, 0, 1000)),
        ibis_row(1001, 2024, "HAVEN", "GM0855", 100.0, 85.0, 6.5, 5, "J", "N", sq(0, 0, 1000)),
        ibis_row(1001, 2022, "HAVEN", "GM0855", 100.0, 82.0, 15.0, 5, "J", "N", sq(0, 0, 1000)),
        # 1002: two polygons in 2023 and 2024 (attributes of the first record), one exact duplicate in 2024
        ibis_row(1002, 2023, "WEST", "GM0772", 30.0, 25.0, 4.0, 3, "N", "J", sq(2000, 0, 500)),
        ibis_row(1002, 2023, "WEST", "GM0772", 20.0, 15.0, 1.0, 3, "N", "J", sq(2000, 600, 500)),
        ibis_row(1002, 2024, "WEST", "GM0772", 30.0, 26.0, 3.0, 3, "N", "J", sq(2000, 0, 500)),
        ibis_row(1002, 2024, "WEST", "GM0772", 20.0, 16.0, 2.0, 3, "N", "J", sq(2000, 600, 500)),
        ibis_row(1002, 2024, "WEST", "GM0772", 20.0, 16.0, 2.0, 3, "N", "J", sq(2000, 600, 500)),
        # an undated record of 1002: in no year
        ibis_row(1002, None, "WEST", "GM0772", 99.0, 99.0, 99.0, 3, "N", "J", sq(5000, 5000, 100)),
        # 1003 lies outside the region (gemeente GM0363 not listed)
        ibis_row(1003, 2024, "ELDERS", "GM0363", 10.0, 8.0, 1.0, 2, "N", "N", sq(8000, 0, 300)),
    ]
    return gpd.GeoDataFrame(rows, crs=RD)


@pytest.fixture()
def history(tmp_path):
    sources = make_world(tmp_path / "raw")
    path = tmp_path / "ibis_hist.gpkg"
    _history_frame().to_file(path, layer="IBIS_Bedrijventerreinen")
    sources["terreinen"] = {"path": str(path), "layer": "IBIS_Bedrijventerreinen"}
    config = make_config(tmp_path, sources, region={"gemeente_codes": ["GM0855", "GM0772"]})
    report, out = Report(), {}
    layer = terreinen.ingest(config, report, history=out)
    return layer.set_index("rin_nummer"), out["terreinen_historie"], report


def test_one_row_per_terrein_and_year_with_that_years_values(history):
    layer, hist, _ = history
    h = hist.set_index(["rin_nummer", "jaar"])
    assert list(h.index) == [("1001", 2021), ("1001", 2022), ("1001", 2024), ("1002", 2023), ("1002", 2024)]
    assert h.loc[("1001", 2021), ["ha_bruto", "ha_netto", "ha_uitgeefbaar"]].tolist() == [100.0, 80.0, 20.0]
    assert h.loc[("1001", 2022), "ha_uitgeefbaar"] == 15.0
    # two polygons: the first record's values, as the current layer keeps them; the duplicate is no polygon
    assert h.loc[("1002", 2023), ["ha_bruto", "ha_netto", "aantal_records"]].tolist() == [30.0, 25.0, 2]
    assert h.loc[("1002", 2024), "aantal_records"] == 2
    # the latest year equals the current layer
    for rin, year in (("1001", 2024), ("1002", 2024)):
        for col in ("ha_bruto", "ha_netto", "ha_uitgeefbaar"):
            assert h.loc[(rin, year), col] == layer.loc[rin, col]


def test_history_is_counted_in_the_quality_report(history):
    _, _, report = history
    t = next(t for t in report.tallies if t.layer == "terreinen_historie")
    # 10 records; 3 dropped (1003 outside, 1002 undated, the 2024 duplicate of 1002) leave 7; 1002's two polygons
    # in 2023 and in 2024 are 2 merges, so 5 rows (= terrein-years) are kept
    assert (t.read, t.kept, t.merged) == (10, 5, 2)
    assert t.dropped["terrein niet in de laag terreinen (buiten de regio)"] == 1
    assert t.dropped["geen JAAR of PEILDATUM (hoort bij geen jaar)"] == 1
    assert t.dropped["exact dubbel record"] == 1


def test_ingest_run_writes_the_history_as_a_csv_dataset(tmp_path):
    config = make_config(tmp_path)
    summary = ingest.run(config)
    hist = catalogue.read("terreinen_historie", config.paths.processed)
    assert summary["rijen terreinen_historie"] == 3  # 1001 in 2023 and 2024, 1002 (two polygons) in 2024
    assert sorted(zip(hist["rin_nummer"], hist["jaar"])) == [("1001", 2023), ("1001", 2024), ("1002", 2024)]
    assert hist.set_index(["rin_nummer", "jaar"]).loc[("1001", 2023), "ha_bruto"] == 90.0
    quality = pd.read_csv(config.paths.processed / "ingest_kwaliteit.csv")
    assert "terreinen_historie" in set(quality["laag"])
