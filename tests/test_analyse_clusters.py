"""Clusters: terreinen within analyse.clusters.afstand_m of each other, transitively (STRtree + networkx)."""
import pandas as pd
import pytest

from pipeline.analyse.clusters import find_clusters
from score_fixtures import make_terreinen


def line_of_four():
    """200 x 200 m squares: gaps of 100 m (T1-T2), 300 m (T2-T3) and 2 km (T3-T4)."""
    return make_terreinen([
        {"x": 0, "ha_bruto": 4.0, "ha_hmc_41": 3.0},
        {"x": 300, "ha_bruto": 5.0},
        {"x": 800, "ha_bruto": 6.0},
        {"x": 3000, "ha_bruto": 7.0, "ha_hmc_41": 7.0},
    ], size_m=200)


def clusters(t, distance, water=(False, False, False, False)):
    return find_clusters(t, distance, ha=t["ha_bruto"], hmc_ha=t["ha_hmc_41"], water=pd.Series(water))


def test_three_close_terreinen_and_one_far_away_make_two_clusters():
    c = clusters(line_of_four(), 500, water=(True, False, False, False))
    assert c["cluster_id"].tolist() == [1, 1, 1, 2]             # largest cluster first
    assert c["cluster_aantal"].tolist() == [3, 3, 3, 1]
    assert c["cluster_ha"].tolist() == pytest.approx([15, 15, 15, 7])
    assert c["cluster_aandeel_hmc"].tolist() == pytest.approx([3 / 15] * 3 + [1.0])
    assert c["cluster_aandeel_water"].tolist() == pytest.approx([4 / 15] * 3 + [0.0])


def test_a_smaller_distance_splits_the_cluster():
    c = clusters(line_of_four(), 250)
    assert c["cluster_aantal"].tolist() == [2, 2, 1, 1]
    assert c["cluster_ha"].tolist() == pytest.approx([9, 9, 6, 7])
    assert c["cluster_id"].nunique() == 3


def test_distance_zero_means_touching_only_and_empty_input_works():
    assert clusters(line_of_four(), 0)["cluster_aantal"].tolist() == [1, 1, 1, 1]
    empty = make_terreinen([])
    assert len(find_clusters(empty, 500, ha=empty["ha_bruto"], hmc_ha=empty["ha_hmc_41"],
                             water=pd.Series([], dtype=bool))) == 0
