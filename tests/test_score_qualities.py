"""Raw qualities, normalisation edge cases and 'sterk'."""
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.score import qualities
from score_fixtures import make_config, make_terreinen


# --- normalisation -------------------------------------------------------------------------------
def test_minmax_scales_to_zero_one():
    raw = pd.DataFrame({"a": [0.0, 5.0, 10.0], "b": [2.0, 4.0, 3.0]})
    out = qualities.normalise(raw, "minmax")
    assert out["a"].tolist() == [0.0, 0.5, 1.0]
    assert out["b"].tolist() == [0.0, 1.0, 0.5]


def test_all_equal_values_normalise_to_zero():
    raw = pd.DataFrame({"a": [3.0, 3.0, 3.0], "b": [0.0, 0.0, 0.0]})
    for method in ("minmax", "rang"):
        assert (qualities.normalise(raw, method).to_numpy() == 0).all()


def test_single_terrein_and_empty_frame():
    one = pd.DataFrame({"a": [7.0]})
    assert qualities.normalise(one, "minmax")["a"].tolist() == [0.0]
    assert qualities.normalise(one, "rang")["a"].tolist() == [0.0]
    assert len(qualities.normalise(pd.DataFrame({"a": pd.Series([], dtype=float)}))) == 0


def test_rank_normalisation_keeps_ties_at_their_lowest_rank():
    raw = pd.DataFrame({"a": [0.0, 0.0, 5.0, 1000.0]})
    assert qualities.normalise(raw, "rang")["a"].tolist() == pytest.approx([0.0, 0.0, 2 / 3, 1.0])


def test_unknown_method_names_the_setting():
    with pytest.raises(ValueError, match="score.normalisatie"):
        qualities.normalise(pd.DataFrame({"a": [1.0]}), "z")


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(0, 1e6, allow_nan=False), min_size=1, max_size=40),
       st.sampled_from(["minmax", "rang"]))
def test_normalised_values_stay_in_range_and_keep_order(values, method):
    out = qualities.normalise(pd.DataFrame({"a": values}), method)["a"].to_numpy()
    assert ((out >= 0) & (out <= 1)).all()
    order = np.argsort(values, kind="stable")
    assert (np.diff(out[order]) >= -1e-12).all()


# --- raw qualities -----------------------------------------------------------------------------------
def test_grid_value_weights_the_status_shares():
    t = make_terreinen([{"afname_aandeel_groen": 0.5, "afname_aandeel_geel": 0.5, "afname_aandeel_onbekend": 0.0},
                        {"afname_aandeel_rood": 1.0, "afname_aandeel_onbekend": 0.0},
                        {"afname_aandeel_oranje": 0.4, "afname_aandeel_onbekend": 0.6}])
    values = make_config(".").score.netcapaciteit_waarden
    assert qualities.grid_value(t, values).tolist() == pytest.approx([0.75, 0.0, 0.1])


def test_strong_needs_a_positive_value_at_the_threshold():
    raw = np.array([[0.0, 250.0, 249.9]]).T
    assert qualities.strong(raw, np.array([250.0])).ravel().tolist() == [False, True, False]
    assert qualities.strong(raw, np.array([0.0])).ravel().tolist() == [False, True, True]


def test_missing_hmc_values_count_as_zero():
    t = make_terreinen([{"ha_hmc_41_niet_hmc": None}, {"ha_hmc_41_niet_hmc": 4.0}])
    assert qualities.number_column(t, "ha_hmc_41_niet_hmc").tolist() == [0.0, 4.0]
    assert qualities.hmc_column("4.2") == "ha_hmc_42"
