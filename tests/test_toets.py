"""Transformatie-toets on the hand-made region of toets_fixtures.py (real analyse and score runs).

Turning kavels a1 (2 ha, zoning 4.2, vacant) and a2 (2 ha, 5.1, SBI 24.10, 100 m quay on Va, benut) of Haven A
into housing. Every number below is worked out by hand in the docstrings; a rule that ignores the categories, the
region order, the reachable class or the dwellings gives a different one.
"""
import json

import pandas as pd
import pytest
import yaml

from pipeline import catalogue, toets
from pipeline.cli import main
from pipeline.toets import herberekening
from pipeline.toets.invoer import ToetsError, read_invoer
from conftest import CHROMIUM
from test_maps_browser import Page
from toets_fixtures import make_region


@pytest.fixture(scope="module")
def region(tmp_path_factory):
    return make_region(tmp_path_factory.mktemp("toets"))


@pytest.fixture(scope="module")
def plain(region):
    return toets.toets(region, "A", ["a1", "a2"])[0]


@pytest.fixture(scope="module")
def housing(region):
    return toets.toets(region, "A", ["a1", "a2"], woningen=True)[0]


def frame(rows):
    return pd.DataFrame(rows)


def test_lost_capacity(plain):
    """HMC: a2 2 ha of category 5.1 held by an HMC company, a1 2 ha of 4.2 vacant; quay: a2's 100 m on Va, benut."""
    assert plain["omzetting"] == {"kavels": ["a1", "a2"], "aantal": 2, "ha": pytest.approx(4.0), "geheel": False,
                                  "woningen": False}
    hmc = frame(plain["verlies"]["hmc_per_categorie"]).set_index("categorie")
    assert hmc.index.tolist() == ["5.1", "4.2"]
    assert hmc.loc["5.1", ["HMC-bedrijf", "vacant", "totaal"]].tolist() == pytest.approx([2.0, 0.0, 2.0])
    assert hmc.loc["4.2", ["HMC-bedrijf", "vacant", "totaal"]].tolist() == pytest.approx([0.0, 2.0, 2.0])
    assert plain["verlies"]["hmc_varianten"] == pytest.approx({"≥ 4.1": 4.0, "≥ 4.2": 4.0, "≥ 5.1": 2.0})
    assert plain["verlies"]["kade_per_klasse"] == [{"klasse": "Va", "benut": 100.0, "onbenut": 0.0, "vrij": 0.0,
                                                    "onbekend": 0.0, "totaal": 100.0}]
    assert plain["verlies"]["kade_water_m"] == pytest.approx(100.0)
    assert plain["verlies"]["netcapaciteit"]["afname"]["aandelen"]["groen"] == pytest.approx(1.0)


def test_flag_and_stock_before_and_after(plain):
    """Haven A keeps 6 ha HMC room (a3..a5) < sterk 10 ha: milieuruimte no longer strong, 100 m quay < 250 m: the
    sieve fails and the flag goes. West-Brabant (A and B): HMC room 10 + 5 = 15 -> 11 ha, quay on a reachable class
    >= IV 200 + 180 = 380 -> 280 m; Park C (Midden-Brabant) only counts for the province."""
    vn = plain["terrein_voor_na"]
    assert vn["voor"]["vlag"] and vn["voor"]["zeef"] and vn["voor"]["typologie"] == "beschermen"
    assert not vn["na"]["vlag"] and not vn["na"]["zeef"] and vn["na"]["typologie"] == "regulier"
    assert vn["na"]["ha_bruto"] == pytest.approx(6.0) and vn["na"]["kade_water_m"] == pytest.approx(100.0)
    stock = frame(plain["voorraad"]).set_index("post")
    assert stock.loc["HMC-ruimte (≥ 4.1)", ["regio_voor", "regio_na", "provincie_voor", "provincie_na"]].tolist() == \
        pytest.approx([15.0, 11.0, 19.0, 15.0])
    assert stock.loc["Kade aan bereikbare klasse ≥ IV", ["regio_voor", "regio_na"]].tolist() == \
        pytest.approx([380.0, 280.0])
    assert stock.loc["Strategische terreinen (vlag)", ["regio_voor", "regio_na"]].tolist() == [1.0, 0.0]


def test_replacement_candidates_ranked(plain):
    """Lost HMC room: 2 ha of 4.2 and 2 ha of 5.1 (4 ha). Candidates with unused HMC room: b2 4 ha of 4.2 (occupied
    by a category 3.1 company), b1 1 ha of 5.1 (vacant), both West-Brabant; c1 4 ha of 4.2 (vacant, Midden-Brabant).
    Room of 4.2 cannot replace 5.1: b2 covers min(4, 2) = 2 of 4 = 50 %, b1 min(1, 4) = 25 %, c1 50 %. Region first:
    b2, b1, then c1. Together b2 + b1 cover 2 ha of 4.2 and 1 ha of 5.1 = 75 %; c1 adds nothing (no 5.1 room).
    Quay: 100 m on Va lost; b1 100 m vrij on Va covers all, b2 80 m onbenut 80 %; c1's 150 m on class III does not
    count. Terreinen: B offers 5 ha HMC (75 %), 180 m quay (100 %) and 3 of the 4 ha lost as uitgeefbaar (75 %):
    mean 5/6; C 4 ha HMC (50 %), no quay (0), 4 ha uitgeefbaar (100 %): mean 0.5."""
    hmc = frame(plain["vervanging"]["hmc"])
    assert hmc["kavel_id"].tolist() == ["b2", "b1", "c1"]
    assert hmc["dekking"].tolist() == pytest.approx([0.5, 0.25, 0.5])
    assert hmc["cumulatief"].tolist() == pytest.approx([0.5, 0.75, 0.75])
    assert hmc["zelfde_regio"].tolist() == [True, True, False]
    assert hmc["gebruik"].tolist() == ["bezet door niet-HMC (categorie 3.1)", "vacant", "vacant"]
    kade = frame(plain["vervanging"]["kade"])
    assert kade[["kavel_id", "klasse", "status"]].values.tolist() == [["b1", "Va", "vrij"], ["b2", "Va", "onbenut"]]
    assert kade["dekking"].tolist() == pytest.approx([1.0, 0.8])
    terreinen = frame(plain["vervanging"]["terreinen"])
    assert terreinen["rin_nummer"].tolist() == ["B", "C"]
    assert terreinen["dekking_hmc"].tolist() == pytest.approx([0.75, 0.5])
    assert terreinen["dekking_gemiddeld"].tolist() == pytest.approx([5 / 6, 0.5])
    assert plain["vervanging"]["dekking"] == {"hmc": pytest.approx({"regio": 0.75, "provincie": 0.75}),
                                              "kade": pytest.approx({"regio": 1.0, "provincie": 1.0}),
                                              "terrein": pytest.approx({"regio": 0.75, "provincie": 1.0})}


def test_dwellings_cost_milieuruimte_of_the_neighbouring_kavels(housing):
    """The dwellings stand on a1 + a2 (x 0..200 m). a3 touches them: distance 0, no category fits, HMC room lost;
    a4 at 100 m: rustige woonwijk 3.2 (100 m), lost; a5 at 200 m: 4.1 (200 m), still HMC (>= 4.1) but no longer 5.1;
    Haven B is 2.8 km away (beyond 1,500 m): unchanged. The replacement demand grows by a3 + a4 (4 ha of 5.1) to
    2 ha of 4.2 + 6 ha of 5.1: b2 covers 2 of 8 = 25 %, b1 1 of 8; together 3 of 8."""
    kavels = frame(housing["woningen"]["kavels"]).set_index("kavel_id")
    assert kavels.index.tolist() == ["a3", "a4", "a5"]
    assert kavels["afstand_na_m"].tolist() == pytest.approx([0.0, 100.0, 200.0])
    assert kavels["cat_afstand_voor"].tolist() == ["6", "6", "6"]
    assert [k["cat_potentie_na"] for k in housing["woningen"]["kavels"]] == [None, "3.2", "4.1"]
    assert kavels["hmc_verloren_ha"].tolist() == pytest.approx([2.0, 2.0, 0.0])
    assert [k["potentie_lager"] for k in housing["woningen"]["kavels"]] == [True, True, True]
    assert housing["woningen"]["hmc_verloren_ha"] == pytest.approx(4.0)
    assert housing["woningen"]["reikwijdte_m"] == 1500.0
    demand = frame(housing["vervanging"]["vraag_hmc"]).set_index("categorie")["totaal"]
    assert demand.to_dict() == pytest.approx({"4.2": 2.0, "5.1": 6.0})
    hmc = frame(housing["vervanging"]["hmc"])
    assert hmc["kavel_id"].tolist() == ["b2", "b1", "c1"]
    assert hmc["cumulatief"].tolist() == pytest.approx([0.25, 0.375, 0.375])
    stock = frame(housing["voorraad"]).set_index("post")
    assert stock.loc["HMC-ruimte (≥ 4.1)", ["regio_voor", "regio_na"]].tolist() == pytest.approx([15.0, 7.0])


def test_the_before_state_is_the_run(region):
    """The toets recomputes 'before' with the same analyse and score functions: it equals what the run wrote."""
    invoer = read_invoer(region.paths.processed, region.analyse)
    before, _, _, _ = herberekening.before_and_after(invoer, region, "A", ["a1"], False, False)
    stored = catalogue.read("terreinen_strategisch", region.paths.processed, region.analyse)
    cols = ["rin_nummer", "ha_hmc_41", "kade_water_m", "aantal_modaliteiten", "score", "vlag", "typologie"]
    pd.testing.assert_frame_equal(pd.DataFrame(before.strategisch[cols]), pd.DataFrame(stored[cols]), check_dtype=False)


def test_whole_terrein(region):
    r, _ = toets.toets(region, "A")
    assert r["omzetting"]["geheel"] and r["omzetting"]["kavels"] == ["a1", "a2", "a3", "a4", "a5"]
    assert r["terrein_voor_na"]["na"] is None
    assert r["verlies"]["hmc_ha"] == pytest.approx(10.0) and r["verlies"]["kade_m"] == pytest.approx(200.0)


def test_unknown_terrein_or_kavel_is_named(region):
    with pytest.raises(ToetsError, match=r"terrein 'X9' is not in terreinen_strategisch \(3 terreinen, e\.g\. A, B, C\)"):
        toets.toets(region, "X9")
    with pytest.raises(ToetsError, match=r"kavel\(s\) \['zz'\] not in kavels_indicatoren"):
        toets.toets(region, "A", ["a1", "zz"])
    with pytest.raises(ToetsError, match=r"kavel\(s\) b1 \(terrein B\) do not lie on terrein 'A'"):
        toets.toets(region, "A", ["a1", "b1"])


@pytest.fixture(scope="module")
def config_file(region, tmp_path_factory):
    path = tmp_path_factory.mktemp("cfg") / "toets.yaml"
    path.write_text(yaml.safe_dump({"paths": {"processed": str(region.paths.processed), "maps": str(region.paths.maps)},
                                    "sources": {k: {"path": "x"} for k in ["terreinen", "panden", "verblijfsobjecten",
                                                                           "kades", "vaarwegen", "milieuzones",
                                                                           "netcapaciteit"]}}), encoding="utf-8")
    return path


def test_cli_writes_the_page_and_the_json(config_file, region, capsys):
    assert main(["toets", "--config", str(config_file), "--terrein", "A", "--kavels", "a1,a2", "--woningen"]) == 0
    out = capsys.readouterr().out
    assert "== toets" in out and "dekking hmc regio / provincie" in out and "25% / 25%" not in out
    name = toets.output_name("A", ["a1", "a2"], False, True)
    data = json.loads((region.paths.processed / "toets" / f"{name}.json").read_text(encoding="utf-8"))
    assert data["woningen"]["hmc_verloren_ha"] == pytest.approx(4.0)
    html = (region.paths.maps / "toets" / f"{name}.html").read_text(encoding="utf-8")
    assert "Transformatie-toets Haven A (A)" in html and "<h2>Vervangende ruimte</h2>" in html


def test_cli_error_is_one_line(config_file, capsys):
    assert main(["toets", "--config", str(config_file), "--terrein", "NOPE"]) == 1
    err = [line for line in capsys.readouterr().err.splitlines() if line and not line.startswith("WARNING")]
    assert err[0].startswith("error: toets: terrein 'NOPE' is not in terreinen_strategisch")
    assert len([line for line in err if line.startswith("error:")]) == 1 and err[1].startswith("(log: ")


@pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium not installed; the browser tests need it")
def test_page_offline_in_a_browser(config_file, region, browser):  # noqa: F811
    assert main(["toets", "--config", str(config_file), "--terrein", "A", "--kavels", "a1,a2", "--woningen"]) == 0
    p = Page(browser)
    try:
        page = p.open(region.paths.maps / "toets" / f"{toets.output_name('A', ['a1', 'a2'], False, True)}.html")
        page.wait_for_selector("#toets-kaart .leaflet-overlay-pane svg path", state="attached", timeout=10000)
        assert page.locator("#toets-kaart .leaflet-overlay-pane svg path").count() >= 8
        assert "Omgezette kavels" in page.locator(".legend").inner_text()
        assert "Kavels met lagere categorie door woningen" in page.locator(".legend").inner_text()
        text = page.locator(".conclusie").inner_text()
        assert "Vlag: strategisch → niet strategisch" in text
        assert "4,0 ha HMC-ruimte gaat daardoor verloren" in text
        rows = page.locator("tr[data-laag='hmc']")
        assert rows.count() == 3 and "bezet door niet-HMC" in rows.first.inner_text()
        before = page.evaluate("window.svpToets.map.getCenter().lng")
        page.locator("tr[data-laag='terreinen'][data-id='C']").click()   # zooms to Park C, 6 km east
        after = page.evaluate("window.svpToets.map.getCenter().lng")
        assert after > before + 0.03
        p.check(allow_tiles=False)
        assert not p.requests
    finally:
        p.close()


def test_equal_cover_puts_vacant_room_first_whatever_the_decimals():
    """4 ha of 5.1 lost; an occupied kavel of 2.0004 ha covers 50.01 %, a vacant one of 2 ha 50 %: equal to 0.1 %,
    so the vacant one (ready to use) ranks first; the nested cover of both together is 4 of 4 ha."""
    import numpy as np

    from pipeline.categories import MILIEUCATEGORIEEN
    from pipeline.toets.vervanging import rank_candidates
    demand = np.zeros(len(MILIEUCATEGORIEEN))
    demand[MILIEUCATEGORIEEN.index("5.1")] = 4.0
    cand = pd.DataFrame({"kavel_id": ["bezet", "vrij"], "regio": ["R", "R"]})
    rank = np.full(2, MILIEUCATEGORIEEN.index("5.1"))
    amount = np.array([2.0004, 2.0])
    vacant = np.array([False, True])
    out = rank_candidates(cand, demand, rank, amount, "R", [~vacant, -rank, -amount])
    assert out["kavel_id"].tolist() == ["vrij", "bezet"]
    assert out["cumulatief"].tolist() == pytest.approx([0.5, 1.0])
