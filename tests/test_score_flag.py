"""Sieve, flag branches and the Dutch explanation on hand-made scenarios."""
import pandas as pd
import pytest

from pipeline.score import score_terreinen
from score_fixtures import example_scenario, make_config, make_kades, make_terreinen, with_qualities


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    terreinen, kades = example_scenario()
    out, summary = score_terreinen(terreinen, make_config(tmp_path_factory.mktemp("p")))
    return out.set_index("rin_nummer"), summary


def test_big_terrein_with_only_green_grid_is_not_flagged(result):
    t, _ = result
    grid = t.loc["GRID"]
    assert grid["netcapaciteit_sterk"] and grid["omvang_sterk"] and grid["aantal_sterk"] == 2
    assert not grid["zeef"]
    assert not grid["vlag"]
    assert grid["waarom"] == ("geen bepalende kwaliteit sterk (zeef niet gehaald); "
                              "alleen omvang, netcapaciteit sterk")
    assert grid["zeef_reden"].startswith("geen bepalende kwaliteit sterk")


def test_va_quay_and_hmc_room_is_flagged_by_the_sterk_branch(result):
    t, _ = result
    a = t.loc["A"]
    assert a["water_ruw"] == 300.0          # the class III quay does not count
    assert a["water_sterk"] and a["milieuruimte_sterk"] and a["zeef"]
    assert a["vlag"] and a["vlag_tak"] == "sterk"
    assert a["flag_stabiliteit"] == 1.0 and not a["grensgeval"]


def test_explanation_string(result):
    t, _ = result
    assert t.loc["A", "waarom"] == "kade 300 m aan CEMT Va; 12 ha HMC-ruimte"
    assert t.loc["B1", "waarom"] == "kade 1.000 m aan CEMT Vb; 60 ha HMC-ruimte; 100 ha bruto"
    assert t.loc["F0", "waarom"] == "geen bepalende kwaliteit sterk (zeef niet gehaald)"
    assert t.loc["A", "zeef_reden"] == "zeef gehaald: water, milieuruimte sterk"


def test_top_scores_fire_both_branches(result):
    t, summary = result
    assert (t.loc[["B1", "B2", "B3"], "vlag_tak"] == "beide").all()
    assert summary["vlag (strategisch)"] == int(t["vlag"].sum())
    assert t["vlag_tak"].isna().sum() == (~t["vlag"]).sum()


def test_explanation_columns_add_up(result):
    t, _ = result
    from pipeline.config import CRITERIA
    total = sum(t[f"{c}_bijdrage"] for c in CRITERIA)
    assert t["score"].to_numpy() == pytest.approx(total.to_numpy())
    assert sum(t[f"{c}_gewicht"].iloc[0] for c in CRITERIA) == pytest.approx(1.0)
    for c in CRITERIA:
        assert t[f"{c}_bijdrage"].to_numpy() == pytest.approx((t[f"{c}_norm"] * t[f"{c}_gewicht"]).to_numpy())


def test_ranks_and_bands(result):
    t, _ = result
    assert t.loc[["B1", "B2", "B3"], "rang"].tolist() == [1, 1, 1]   # equal scores share a rank
    assert t["rang"].min() == 1
    assert set(t["rangband"]) <= {"top 10%", "10-25%", "25-50%", "onderste 50%"}
    assert t.loc["B1", "rangband"] == "top 10%"
    assert t.loc["F0", "rangband"] == "onderste 50%"


def _w_among_big_terreinen(w: dict):
    """W with a 400 m class IV quay beside three terreinen with 50 ha HMC room, 100 ha bruto and rail (score
    0,30 + 0,15 + 0,10 = 0,55: milieuruimte, multimodaal with their one modality, omvang) and six plain ones."""
    big = [{"rin_nummer": f"B{i}", "ha_hmc_41": 50.0, "ha_bruto": 100.0, "spoor_ontsluiting": True} for i in range(3)]
    terreinen = make_terreinen([{"rin_nummer": "W", **w}, *big, *[{} for _ in range(6)]])
    return with_qualities(terreinen, make_kades([{"rin_nummer": "W", "lengte_m": 400.0, "cemt_bereikbaar": "IV"}]))


def test_zeef_passed_but_not_enough_explains_why(tmp_path):
    """W: water (0,30 x norm 1) + multimodaal (0,15 x norm 1: one modality, as many as the most) = 0,45;
    P90 of [0,45, 3 x 0,55, 6 x 0] = 0,55."""
    t, _ = score_terreinen(_w_among_big_terreinen({}), make_config(tmp_path))
    w = t.set_index("rin_nummer").loc["W"]
    assert w["zeef"] and not w["vlag"]
    assert w["waarom"] == ("kade 400 m aan CEMT IV; maar 1 sterke kwaliteit (minimaal 2 nodig) en score 0,45 "
                           "onder P90 (0,55)")


def test_a_flag_that_rested_on_unused_room_is_gone(tmp_path):
    """W also has 8 ha uitgeefbaar (of 8 ha netto). The former rule counted onbenut = HMC used by non-HMC (0) +
    max(HMC vacant 0, uitgeefbaar 8) = 8 ha >= sterk_onbenut_ha 5 as a second strong quality: water + onbenut =
    2 >= k, flagged by the 'sterk' branch (and 'beschermen en benutten'). Unused room is no quality now: one
    strong quality, score 0,45 < P90 0,55 (onbenut no longer adds to the score either), not flagged; the unused
    8 ha (100 % of netto >= 25 %, >= 5 ha) make it 'benutten / herstructureren'."""
    t, summary = score_terreinen(_w_among_big_terreinen({"ha_uitgeefbaar": 8.0, "potentie_uitgeefbaar_ha": 8.0}),
                                 make_config(tmp_path))
    assert not {"onbenut_ruw", "onbenut_sterk", "onbenut_bijdrage", "beschermen_en_benutten"} & set(t.columns)
    w = t.set_index("rin_nummer").loc["W"]
    assert w["water_sterk"] and w["aantal_sterk"] == 1
    assert w["score"] == pytest.approx(0.45)
    assert not w["vlag"] and pd.isna(w["vlag_tak"]) and w["flag_stabiliteit"] < 0.2
    assert w["benutting"] == "onderbenut" and w["aandeel_uitgeefbaar"] == pytest.approx(1.0)
    assert w["typologie"] == "benutten / herstructureren"
    assert w["typologie_reden"] == "niet strategisch; onderbenut: 8,0 ha uitgeefbaar (100%)"
    assert summary["vlag (strategisch)"] == 3 and summary["type benutten / herstructureren"] == 1


def test_score_branch_alone(tmp_path):
    """One quay alone among plain terreinen has the top score (0,30 + 0,15): only the score branch fires."""
    terreinen = make_terreinen([{"rin_nummer": "W"}, *[{} for _ in range(9)]])
    kades = make_kades([{"rin_nummer": "W", "lengte_m": 400.0, "cemt_bereikbaar": "IV"}])
    t, _ = score_terreinen(with_qualities(terreinen, kades), make_config(tmp_path))
    w = t.set_index("rin_nummer").loc["W"]
    assert w["vlag"] and w["vlag_tak"] == "score" and w["aantal_sterk"] == 1
    assert w["waarom"] == "kade 400 m aan CEMT IV; score 0,45 ≥ P90 (0,04)"
    assert w["typologie"] == "beschermen"
