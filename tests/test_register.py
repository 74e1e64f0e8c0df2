"""Down to the object: which dwelling sets cat_afstand, which plot sets cat_plan, unused HMC per kavel, and the
register of vestigingen (which company holds HMC room, quay or terrein land it does not need), on one small
hand-made terrein whose every number is worked out below.

Terrein T: five kavels of 1 ha in a row, k1 x 0..100, k2 100..200, ..., k5 400..500 (y 0..100).
Zoning: 5.1 over k1, k2 (plot z-west) and k5 (z-oost), 3.2 over k3, k4 (z-licht). Dwelling w_a at (50, 1100) is
1000 m from k1 (5.3), the school at (450, 1150) 1050 m from k5, a bedrijfswoning w_bw at (350, 50) on k4.
Quays 5 m south of k1 and k3 (100 m each). Vestigingen: k1 46.90 (2-3.1) + 62.01 (1); k2 24.10 (5.3-6) + 62.01;
k3 52.24 (water-bound, 3.2-5.1) + 47.91 (1-2); k4 47.91 + 99.99 (not in the table); k5 vacant.
"""
import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import LineString, Point, box

from pipeline.analyse import analyse
from pipeline.config import Analyse
from pipeline.crs import WORKING_CRS


def gdf(data, geometry):
    return gpd.GeoDataFrame(data, geometry=list(geometry), crs=WORKING_CRS)


def layers():
    ids = [f"k{i}" for i in range(1, 6)]
    vest = [("v1", "46.90", 30), ("v2", "62.01", 70), ("v3", "24.10", 130), ("v4", "62.01", 170),
            ("v5", "52.24", 230), ("v6", "47.91", 270), ("v7", "47.91", 320), ("v8", "99.99", 380)]
    return {
        "terreinen": gdf({"rin_nummer": ["T"], "naam": ["Proefterrein"], "gemeente_code": ["GM0001"], "kern": [None],
                          "provincie": ["NB"], "jaar": [2024], "ha_bruto": [5.0], "ha_netto": [5.0],
                          "ha_uitgeefbaar": [1.0], "wloc_type": ["B"], "max_milieucategorie": ["4"],
                          "water_ontsluiting": [True], "spoor_ontsluiting": [False]}, [box(0, 0, 500, 100)]),
        "kavels": gdf({"kavel_id": ids, "rin_nummer": ["T"] * 5, "uitgifte_status": ["uitgegeven"] * 5,
                       "bron": ["kavellaag"] * 5}, [box(100 * i, 0, 100 * i + 100, 100) for i in range(5)]),
        "panden": gdf({"pand_id": [], "bouwjaar": [], "status": []}, []),
        "verblijfsobjecten": gdf({"vbo_id": ["w_a", "school", "w_bw", "kantoor"],
                                  "gebruiksdoel": ["woonfunctie", "onderwijsfunctie", "woonfunctie", "kantoorfunctie"],
                                  "gevoelig": [True, True, True, False]},
                                 [Point(50, 1100), Point(450, 1150), Point(350, 50), Point(250, 150)]),
        "kades": gdf({"kade_id": ["q1", "q3"], "bgt_type": ["kademuur"] * 2, "betrouwbaarheid": ["hoog"] * 2,
                      "bron": ["BGT"] * 2}, [LineString([(0, -5), (100, -5)]), LineString([(200, -5), (300, -5)])]),
        "vaarwegen": gdf({"vaarweg_id": ["r"], "naam": ["Rivier"], "cemt_klasse": ["Va"]},
                         [LineString([(-5000, -40), (5000, -40)])]),
        "milieuzones": gdf({"zone_id": ["z-west", "z-licht", "z-oost"], "soort": ["bestemmingsvlak"] * 3,
                            "max_milieucategorie": ["5.1", "3.2", "5.1"], "max_bebouwingspercentage": [None] * 3,
                            "omschrijving": ["bedrijf t/m 5.1", "bedrijf t/m 3.2", "bedrijf t/m 5.1 (oost)"]},
                           [box(-1, -1, 200, 101), box(200, -1, 400, 101), box(400, -1, 501, 101)]),
        "netcapaciteit": gdf({"gebied_id": [], "gebied_naam": [], "netbeheerder": [], "afname_status": [],
                              "invoeding_status": []}, []),
        "vestigingen": gdf({"vestiging_id": [v[0] for v in vest], "naam": [f"Bedrijf {v[0]}" for v in vest],
                            "sbi_code": [v[1] for v in vest], "werkzame_personen": [10.0] * len(vest)},
                           [Point(v[2], 50) for v in vest]),
        "spoor": None, "opritten": None, "omgevingstypen": None,
    }


@pytest.fixture(scope="module")
def result():
    return analyse(layers(), Analyse())


def test_the_dwelling_that_sets_cat_afstand_is_named_and_bedrijfswoningen_are_skipped(result):
    kv = result["kavels_indicatoren"].set_index("kavel_id")
    # k4 (x 300..400): w_bw lies on it but is a bedrijfswoning (ignored): w_a at sqrt(250² + 1000²) = 1030.8 m
    # beats the school at sqrt(50² + 1050²) = 1051.2 m; k5 (x 400..500): the school, straight above, 1050 m
    assert kv["gevoelig_vbo_id"].tolist() == ["w_a", "w_a", "w_a", "w_a", "school"]
    assert kv["gevoelig_gebruiksdoel"].tolist()[3:] == ["woonfunctie", "onderwijsfunctie"]
    assert kv["afstand_gevoelig_m"].tolist() == pytest.approx([1000.0, (50 ** 2 + 1000 ** 2) ** 0.5,
                                                                (150 ** 2 + 1000 ** 2) ** 0.5,
                                                                (250 ** 2 + 1000 ** 2) ** 0.5, 1050.0], rel=1e-6)
    counted = analyse(layers(), Analyse.model_validate({"milieuruimte": {"bedrijfswoningen_meetellen": True}}))
    k = counted["kavels_indicatoren"].set_index("kavel_id")
    assert k.loc["k4", "gevoelig_vbo_id"] == "w_bw" and k.loc["k4", "afstand_gevoelig_m"] == 0.0
    assert k.loc["k3", "gevoelig_vbo_id"] == "w_bw" and k.loc["k3", "cat_afstand"] == "3.1"  # 50 m


def test_verblijfsobjecten_used_says_which_are_gevoelig_and_which_are_bedrijfswoningen(result):
    vbo = result["verblijfsobjecten_gebruik"].set_index("vbo_id")
    assert sorted(vbo.index) == ["school", "w_a", "w_bw"]  # the office is no gevoelig object
    assert vbo.loc["w_a", "kavels_dichtstbij"] == 4 and vbo.loc["school", "kavels_dichtstbij"] == 1
    assert bool(vbo.loc["w_bw", "bedrijfswoning"]) and not bool(vbo.loc["w_bw", "gevoelig"])
    assert vbo.loc["w_bw", "rin_nummer"] == "T" and pd.isna(vbo.loc["w_a", "rin_nummer"])
    assert bool(vbo.loc["w_bw", "gevoelig_doel"]) and vbo.loc["w_bw", "kavels_dichtstbij"] == 0


def test_the_zoning_plot_that_sets_cat_plan_is_named(result):
    kv = result["kavels_indicatoren"].set_index("kavel_id")
    assert kv["cat_plan_zone_id"].tolist() == ["z-west", "z-west", "z-licht", "z-licht", "z-oost"]
    assert kv.loc["k5", "cat_plan_omschrijving"] == "bedrijf t/m 5.1 (oost)"
    assert kv["cat_potentie"].astype(object).tolist() == ["5.1", "5.1", "3.2", "3.2", "5.1"]


def test_unused_hmc_per_kavel_adds_up_to_the_terrein(result):
    kv = result["kavels_indicatoren"].set_index("kavel_id")
    tv = result["terreinen_indicatoren"].set_index("rin_nummer")
    # k1: HMC-capable, used by 3.1 at most -> 1 ha; k2: 24.10 needs HMC -> 0; k3/k4: not HMC-capable -> 0;
    # k5: HMC-capable and vacant -> 1 ha
    assert kv["onbenutte_hmc_ha"].tolist() == pytest.approx([1.0, 0.0, 0.0, 0.0, 1.0])
    assert kv["aantal_vestigingen"].tolist() == [2, 2, 2, 2, 0]
    assert kv["cat_benut"].astype(object).tolist()[:4] == ["3.1", "6", "5.1", "2"]  # 99.99 counts for nothing
    assert tv.loc["T", "potentie_milieuruimte_ha"] == pytest.approx(kv["onbenutte_hmc_ha"].sum())
    unknown = analyse({**layers(), "vestigingen": None}, Analyse())["kavels_indicatoren"].set_index("kavel_id")
    assert unknown["onbenutte_hmc_ha"].isna().tolist() == [True, True, False, False, True]  # 0 without HMC room


def test_each_vestiging_is_classified_with_what_it_holds(result):
    reg = result["vestigingen_register"]
    assert reg["vestiging_id"].tolist() == ["v1", "v2", "v7", "v3", "v4", "v5", "v6", "v8"]  # by capacity held
    r = reg.set_index("vestiging_id")
    assert r["klasse"].to_dict() == {
        "v1": "HMC-kavel, geen HMC nodig", "v2": "HMC-kavel, geen HMC nodig",
        "v3": "passend",
        "v4": "passend",  # 62.01 beside the steelworks on k2: the HMC room is in use
        "v5": "passend", "v6": "passend",  # k3's quay is used by the water-bound 52.24
        "v7": "lage categorie op bedrijventerrein", "v8": "onbekend (SBI niet in tabel)"}
    assert [None if pd.isna(v) else v for v in r["hmc_nodig"]] == [
        "nee", "nee", "nee", "ja", "nee", "afhankelijk van omvang", "nee", None]
    assert r.loc["v1", "bezet_kade"] and r.loc["v2", "bezet_kade"] and not r.loc["v6", "bezet_kade"]
    assert r["hmc_ha"].tolist() == pytest.approx([0.5, 0.5, 0, 0, 0, 0, 0, 0])  # k1's 1 ha shared by v1, v2
    assert r["kade_m"].tolist() == pytest.approx([50, 50, 0, 0, 0, 0, 0, 0])
    assert r.loc["v7", "laag_ha"] == pytest.approx(1.0)  # v8 (unknown) takes no share
    assert r.loc["v1", ["kavel_id", "rin_nummer", "terrein_naam"]].tolist() == ["k1", "T", "Proefterrein"]
    assert (r.loc["v1", "sbi_groep"], r.loc["v1", "cat_min"], r.loc["v1", "cat_max"]) == ("469", "2", "3.1")
    assert r.loc["v1", "sbi_tabel"] == "ingebouwd" and r.loc["v1", "sbi_bron"] == "onbevestigd"
    assert r.loc["v1", "reden"] == ("categorie 2–3.1 (SBI 46.90), geen HMC nodig, op HMC-kavel k1 (mogelijk 5.1): "
                                    "0,50 ha HMC-ruimte; niet watergebonden (SBI 46.90) op kavel met 100 m kade: "
                                    "50 m kade bezet")
    assert reg.crs.to_epsg() == 28992 and reg.geometry.iloc[0].equals(Point(30, 50))


def test_register_totals_per_terrein_equal_the_kavel_indicators(result):
    t = result["terreinen_indicatoren"].set_index("rin_nummer").loc["T"]
    assert (t["vestigingen_aantal"], t["register_aantal"]) == (8, 3)
    assert (t["register_hmc_aantal"], t["register_kade_aantal"], t["register_laag_aantal"]) == (2, 2, 1)
    assert t["register_hmc_ha"] == pytest.approx(t["ha_hmc_41_niet_hmc"]) == pytest.approx(1.0)
    assert t["register_kade_m"] == pytest.approx(t["kade_onbenut_m"]) == pytest.approx(100.0)
    assert t["register_laag_ha"] == pytest.approx(1.0)


def test_lage_categorie_follows_the_setting(result):
    high = analyse(layers(), Analyse.model_validate({"milieuruimte": {"lage_categorie_max": "1"}}))
    r = high["vestigingen_register"].set_index("vestiging_id")
    assert r.loc["v7", "klasse"] == "passend"  # 47.91 reaches 2: not 'laag' when only 1 counts
