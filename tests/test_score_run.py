"""The score stage end-to-end through run(config) on a temporary processed folder, and its speed."""

import geopandas as gpd
import pytest
from shapely import LineString

from pipeline.config import CRITERIA
from pipeline.crs import WORKING_CRS
from pipeline.io import read_parquet
from pipeline.score import run, score_terreinen
from pipeline import catalogue
from pipeline.catalogue import CatalogueError
from score_fixtures import example_scenario, make_config, synthetic_region, with_qualities

CONTRACT = [*(f"{c}_{part}" for c in CRITERIA for part in ("ruw", "norm", "gewicht", "bijdrage", "sterk",
                                                            "rang_regio", "rang_provincie")),
            "modaliteiten", "cluster_id", "cluster_aantal", "cluster_ha", "cluster_aandeel_hmc",
            "cluster_aandeel_water", "aantal_sterk", "zeef", "zeef_reden", "score", "vlag", "vlag_tak", "waarom",
            "gemeente_naam", "regio", "regio_aantal", "rang_kwaliteiten", "aandeel_hmc_onbenut",
            "aandeel_kade_onbenut", "aandeel_uitgeefbaar", "benutting", "typologie", "typologie_reden",
            "typologie_actie", "flag_stabiliteit", "grensgeval", "rang", "rangband"]


@pytest.fixture
def processed(tmp_path):
    terreinen, _ = example_scenario()
    catalogue.write(terreinen, "terreinen_indicatoren", tmp_path)
    return tmp_path


def test_run_writes_every_contract_column(processed, caplog):
    summary = run(make_config(processed))
    out = read_parquet(processed / "terreinen_strategisch.parquet")
    inputs = read_parquet(processed / "terreinen_indicatoren.parquet")
    assert out.crs == WORKING_CRS
    assert [c for c in inputs.columns if c not in out.columns] == []
    assert [c for c in CONTRACT if c not in out.columns] == []
    assert out["vlag"].dtype == bool and out["grensgeval"].dtype == bool and out["zeef"].dtype == bool
    assert out["rang"].min() == 1 and out["flag_stabiliteit"].between(0, 1).all()
    assert out.loc[~out["vlag"], "vlag_tak"].isna().all()
    assert summary["terreinen"] == 13
    assert summary["vlag (strategisch)"] == 5          # A, B1-B3, C
    assert summary["grensgeval"] == 1                  # C
    assert summary["  tak sterk"] + summary["  tak score"] + summary["  tak beide"] == 5
    assert summary["Monte Carlo (s)"] >= 0


def test_rail_and_road_layers_add_modalities(tmp_path):
    terreinen, kades = example_scenario()
    a = terreinen.set_index("rin_nummer").geometry["A"].centroid
    spoor = gpd.GeoDataFrame({"spoor_id": ["s"], "soort": ["raccordement"]},
                             geometry=[LineString([(a.x, a.y), (a.x + 10, a.y)])], crs=WORKING_CRS)
    opritten = gpd.GeoDataFrame({"oprit_id": ["o"], "wegnummer": ["A16"], "soort": ["oprit"]},
                                geometry=[a.buffer(1).centroid], crs=WORKING_CRS)
    out, _ = score_terreinen(with_qualities(terreinen, kades, spoor=spoor, opritten=opritten), make_config(tmp_path))
    out = out.set_index("rin_nummer")
    assert out.loc["A", "modaliteiten"] == "water, spoor, weg"
    assert out.loc["A", "multimodaal_sterk"]
    assert out.loc["A", "waarom"] == "kade 300 m aan CEMT Va; 12 ha HMC-ruimte; multimodaal (water, spoor, weg)"


def test_missing_input_is_a_clear_error(tmp_path):
    with pytest.raises(CatalogueError, match="terreinen_indicatoren: .* does not exist; run the analyse stage"):
        run(make_config(tmp_path))


def test_province_size_region_scores_every_terrein(tmp_path):
    """650 terreinen with 1,000 Monte Carlo runs (speed is measured by `make bench`, not asserted here)."""
    terreinen, kades, spoor, opritten = synthetic_region(650)
    out, summary = score_terreinen(terreinen, make_config(tmp_path))
    assert len(out) == 650 and summary["Monte Carlo runs"] == 1000
    assert 0 < out["vlag"].sum() < 650
    assert out["flag_stabiliteit"].between(0, 1).all()
