"""The second axis (benutting) and the typology strategisch x benutting; ranks per quality in region and province.

Hand-made terreinen whose outcome is computed by hand; each boundary is chosen so a plausible wrong rule (only the
absolute threshold, only the relative one, ascending or dense ranks, only terreinen with the quality as the
denominator) gives a different answer.
"""
import pytest

from pipeline.score import score_terreinen
from pipeline.score.typologie import ACTIES
from score_fixtures import make_config, make_kades, make_terreinen, with_qualities

STRONG = {"ha_hmc_41": 40.0, "ha_bruto": 60.0, "kade_m": 300.0}


@pytest.fixture(scope="module")
def two_by_two(tmp_path_factory):
    """One terrein per type, plus six plain ones.

    BB: 40 ha HMC (sterk >= 10) and 300 m quay on Va (sterk >= 250): 2 sterk, flagged. 12 of 40 ha HMC unused
        (30 % >= 25 %, 12 >= 5 ha) and 150 of 300 m quay onbenut or vrij (50 %, >= 100 m): onderbenut.
    B:  the same qualities; 6 of 40 ha HMC unused: >= 5 ha but 15 % < 25 %; 50 of 300 m quay: 17 %, < 100 m;
        nothing issuable: goed benut (an absolute-only rule would call it onderbenut).
    BH: no quality (zeef fails); 6 of 8 ha netto uitgeefbaar: 75 % and >= 5 ha: onderbenut.
    R:  no quality; 4 of 8 ha netto uitgeefbaar: 50 % but < 5 ha: goed benut (a relative-only rule would not).
    """
    rows = [{"rin_nummer": "BB", **STRONG, "potentie_milieuruimte_ha": 12.0, "ha_hmc_41_vacant": 12.0,
             "potentie_kades_m": 150.0, "kade_vrij_m": 150.0},
            {"rin_nummer": "B", **STRONG, "potentie_milieuruimte_ha": 6.0, "ha_hmc_41_niet_hmc": 6.0,
             "potentie_kades_m": 50.0, "kade_onbenut_m": 50.0},
            {"rin_nummer": "BH", "ha_uitgeefbaar": 6.0, "potentie_uitgeefbaar_ha": 6.0},
            {"rin_nummer": "R", "ha_uitgeefbaar": 4.0, "potentie_uitgeefbaar_ha": 4.0},
            *[{} for _ in range(6)]]
    kades = make_kades([{"rin_nummer": r, "lengte_m": 300.0, "cemt_bereikbaar": "Va"} for r in ("BB", "B")])
    t, summary = score_terreinen(with_qualities(make_terreinen(rows), kades),
                                 make_config(tmp_path_factory.mktemp("p")))
    return t.set_index("rin_nummer"), summary


def test_one_terrein_per_type(two_by_two):
    t, summary = two_by_two
    assert t.loc[["BB", "B", "BH", "R"], "vlag"].tolist() == [True, True, False, False]
    assert t.loc[["BB", "B", "BH", "R"], "benutting"].tolist() == ["onderbenut", "goed benut", "onderbenut",
                                                                   "goed benut"]
    assert t.loc[["BB", "B", "BH", "R"], "typologie"].tolist() == [
        "beschermen en benutten", "beschermen", "benutten / herstructureren", "regulier"]
    assert (t.loc[t.index.str.startswith("T"), "typologie"] == "regulier").all()
    assert {k: v for k, v in summary.items() if k.startswith("type ")} == {
        "type beschermen en benutten": 1, "type beschermen": 1, "type benutten / herstructureren": 1,
        "type regulier": 7}


def test_shares_and_reasons(two_by_two):
    t, _ = two_by_two
    assert t.loc["BB", ["aandeel_hmc_onbenut", "aandeel_kade_onbenut"]].tolist() == pytest.approx([0.30, 0.50])
    assert t.loc["B", ["aandeel_hmc_onbenut", "aandeel_kade_onbenut"]].tolist() == pytest.approx([0.15, 50 / 300])
    assert t.loc["BH", "aandeel_uitgeefbaar"] == pytest.approx(0.75)
    assert t.loc["BB", "typologie_reden"] == ("strategisch; onderbenut: 12,0 ha HMC-ruimte onbenut (30%), "
                                              "150 m kade onbenut of vrij (50%)")
    assert t.loc["R", "typologie_reden"] == ("niet strategisch; goed benut (niets onbenut boven 5,0 ha HMC-ruimte, "
                                             "100 m kade of 5,0 ha uitgeefbaar én 25% ervan)")
    assert t.loc["BB", "typologie_actie"] == ACTIES["beschermen en benutten"]
    assert t.loc["BB", "typologie_actie"].startswith("Prioriteit: ")
    assert t.loc["BH", "typologie_actie"].startswith("Benutten of herstructureren")


def test_thresholds_are_settings(tmp_path):
    """With a relative threshold of 0.15 B's 6 ha (15 %) is onderbenut; with 7 ha absolute it is not."""
    rows = [{"rin_nummer": "B", **STRONG, "potentie_milieuruimte_ha": 6.0, "ha_hmc_41_niet_hmc": 6.0},
            *[{} for _ in range(9)]]
    kades = make_kades([{"rin_nummer": "B", "lengte_m": 300.0, "cemt_bereikbaar": "Va"}])
    inputs = with_qualities(make_terreinen(rows), kades)
    loose = score_terreinen(inputs, make_config(tmp_path, onderbenut_aandeel=0.15))[0].set_index("rin_nummer")
    assert loose.loc["B", "typologie"] == "beschermen en benutten"
    strict = score_terreinen(inputs, make_config(tmp_path, onderbenut_aandeel=0.15, onderbenut_hmc_ha=7.0))[0]
    assert strict.set_index("rin_nummer").loc["B", "typologie"] == "beschermen"


def test_unknown_hmc_use_is_said(tmp_path):
    rows = [{"rin_nummer": "U", **STRONG, "potentie_milieuruimte_ha": None, "ha_hmc_41_niet_hmc": None,
             "ha_hmc_41_vacant": None}, *[{} for _ in range(5)]]
    t, _ = score_terreinen(make_terreinen(rows), make_config(tmp_path))
    u = t.set_index("rin_nummer").loc["U"]
    assert u["benutting"] == "goed benut"
    assert u["typologie_reden"].endswith("; gebruik van de HMC-ruimte onbekend (geen vestigingen)")


def test_ranks_per_quality_in_region_and_province(tmp_path):
    """Quay metres (reachable class IV): West-Brabant W1 500, W2 300, W3 0; Midden-Brabant M1 800, M2 300.
    Province (descending, ties share the lowest rank): M1 1, W1 2, W2 and M2 3, W3 none.
    West-Brabant: W1 1, W2 2, W3 none; 3 terreinen in the region (W3 counts in the denominator)."""
    west, midden = "GM0748", "GM0766"  # Bergen op Zoom (West-Brabant), Dongen (Midden-Brabant)
    rows = [{"rin_nummer": "W1", "gemeente_code": west}, {"rin_nummer": "W2", "gemeente_code": west},
            {"rin_nummer": "W3", "gemeente_code": west}, {"rin_nummer": "M1", "gemeente_code": midden},
            {"rin_nummer": "M2", "gemeente_code": midden}]
    kades = make_kades([{"rin_nummer": r, "lengte_m": m, "cemt_bereikbaar": "IV"}
                        for r, m in [("W1", 500.0), ("W2", 300.0), ("M1", 800.0), ("M2", 300.0)]])
    t, _ = score_terreinen(with_qualities(make_terreinen(rows), kades), make_config(tmp_path))
    t = t.set_index("rin_nummer")
    assert t["regio"].to_dict() == {"W1": "West-Brabant", "W2": "West-Brabant", "W3": "West-Brabant",
                                    "M1": "Midden-Brabant", "M2": "Midden-Brabant"}
    assert t["water_rang_provincie"].astype("float").fillna(0).tolist() == [2, 3, 0, 1, 3]  # 0 = no rank (null)
    assert t["water_rang_regio"].astype("float").fillna(0).tolist() == [1, 2, 0, 1, 2]
    assert t["regio_aantal"].tolist() == [3, 3, 3, 2, 2]
    assert t.loc["W2", "rang_kwaliteiten"] == (
        "kademeters: 2e van 3 in West-Brabant, gedeeld 3e van 5 in de provincie; "
        "modaliteiten: gedeeld 1e van 3 in West-Brabant, gedeeld 1e van 5 in de provincie")
    assert t.loc["W3", "rang_kwaliteiten"] == ("geen van de kwaliteiten water, milieuruimte, multimodale ontsluiting "
                                               "of cluster aanwezig")
