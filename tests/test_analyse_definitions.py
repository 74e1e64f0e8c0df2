"""One small hand-made case per definition of domain.md that had no test able to tell the right rule from a
plausible wrong one. Each docstring names the wrong rule and the value it would give."""
import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import LineString, Point, box

from pipeline.analyse import bebouwing, kades, milieuruimte, netcapaciteit, sbi, vaarwegnet
from pipeline.config import VNG_GEMENGD, VNG_RUSTIG, Analyse
from pipeline.crs import WORKING_CRS

# domain.md, "Milieucategorie and richtafstanden (VNG 2009)"
CATS = ["1", "2", "3.1", "3.2", "4.1", "4.2", "5.1", "5.2", "5.3", "6"]
RUSTIG = [10, 30, 50, 100, 200, 300, 500, 700, 1000, 1500]
GEMENGD = [0, 10, 30, 50, 100, 200, 300, 500, 700, 1000]


def gdf(data, geometry):
    return gpd.GeoDataFrame(data, geometry=list(geometry), crs=WORKING_CRS)


def cats(values):
    return [None if pd.isna(v) else v for v in pd.Series(values).astype(object)]


# ---------------------------------------------------------------------------------------------
# milieuruimte
# ---------------------------------------------------------------------------------------------
def test_all_twenty_richtafstanden_as_domain_md_gives_them():
    """Every value of both tables, through the rule: at exactly the richtafstand a category fits, 1 m short it
    does not (the next lower does). A single wrong number anywhere fails here."""
    assert [VNG_RUSTIG[c] for c in CATS] == RUSTIG and [VNG_GEMENGD[c] for c in CATS] == GEMENGD
    for typ, table in (("rustige woonwijk", RUSTIG), ("gemengd gebied", GEMENGD)):
        at = milieuruimte.cat_afstand(pd.Series(table, dtype=float), [typ] * 10, rustig=VNG_RUSTIG,
                                      gemengd=VNG_GEMENGD)
        assert cats(at) == CATS, typ
        short = milieuruimte.cat_afstand(pd.Series(table, dtype=float) - 1, [typ] * 10, rustig=VNG_RUSTIG,
                                         gemengd=VNG_GEMENGD)
        assert cats(short) == [None] + CATS[:-1], typ


def test_omgevingstype_from_the_layer_by_largest_overlap():
    """Kavel a lies 60% in 'gemengd gebied', b 40% (60% in 'rustige woonwijk'); c outside the layer gets the
    default. A dwelling 250 m from each: gemengd fits 4.2, rustig 4.1. Wrong rules: 'any overlap counts' makes b
    gemengd (4.2); ignoring the layer makes a 4.1."""
    kavels = gdf({"kavel_id": ["a", "b", "c"]}, [box(0, 0, 100, 100), box(1000, 0, 1100, 100), box(5000, 0, 5100, 100)])
    layer = gdf({"omgevingstype": ["gemengd gebied", "rustige woonwijk", "gemengd gebied", "rustige woonwijk"]},
                [box(-50, -50, 60, 150), box(60, -50, 200, 150), box(900, -50, 1040, 150), box(1040, -50, 1200, 150)])
    typ = milieuruimte.omgevingstype_per_vlak(kavels, layer, "rustige woonwijk")
    assert typ.tolist() == ["gemengd gebied", "rustige woonwijk", "rustige woonwijk"]
    cat = milieuruimte.cat_afstand(pd.Series([250.0] * 3), typ, rustig=VNG_RUSTIG, gemengd=VNG_GEMENGD)
    assert cats(cat) == ["4.2", "4.1", "4.1"]


def test_a_dwelling_on_a_neighbouring_terrein_is_a_bedrijfswoning_too():
    """Terreinen T and U touch; a woonfunctie on U stands 50 m from T's kavel. It stands on a bedrijventerrein,
    so it is a bedrijfswoning for every kavel, T's included (a 'same terrein only' rule would put T's kavel at
    50 m, category 3.1); the next dwelling is 400 m away (4.2). Counted when bedrijfswoningen_meetellen."""
    terreinen = gdf({"rin_nummer": ["T", "U"]}, [box(0, 0, 100, 100), box(100, 0, 300, 100)])
    kavels = gdf({"kavel_id": ["t1"], "rin_nummer": ["T"]}, [box(0, 0, 100, 100)])
    vbo = gdf({"vbo_id": ["op-U", "dorp"], "gebruiksdoel": ["woonfunctie"] * 2, "gevoelig": [True, True]},
              [Point(150, 50), Point(-400, 50)])
    for meetellen, afstand, cat in ((False, 400.0, "4.2"), (True, 50.0, "3.1")):
        pts = milieuruimte.gevoelige_objecten(vbo, terreinen, bedrijfswoningen_meetellen=meetellen)
        d = milieuruimte.afstand_gevoelig(kavels, pts)
        assert d.iloc[0] == pytest.approx(afstand)
        assert cats(milieuruimte.cat_afstand(d, ["rustige woonwijk"], rustig=VNG_RUSTIG, gemengd=VNG_GEMENGD)) == [cat]


def test_cat_benut_is_the_highest_cat_max_of_several_vestigingen():
    """Kavel a holds 62.01 (max 1), 24.10 (max 6) and 46.90 (max 3.1), in that order: cat_benut 6 (a first, last,
    lowest or most common rule gives 1, 3.1, 1 or 1). Kavel b holds only 52.24 (3.2-5.1): 5.1, its cat_max,
    not its cat_min 3.2."""
    kavels = gdf({"kavel_id": ["a", "b"]}, [box(0, 0, 100, 100), box(100, 0, 200, 100)])
    vest = gdf({"sbi_code": ["62.01", "24.10", "46.90", "52.24"]},
               [Point(10, 10), Point(50, 50), Point(90, 90), Point(150, 50)])
    b = milieuruimte.cat_benut(kavels, vest, sbi.load_sbi_tabel())
    assert cats(b["cat_benut"]) == ["6", "5.1"]
    assert b["aantal_vestigingen"].tolist() == [3, 1]


# ---------------------------------------------------------------------------------------------
# kades and the fairway network
# ---------------------------------------------------------------------------------------------
def test_main_network_is_the_va_group_with_the_greatest_total_length_not_the_most_sections():
    """Group A: three Va sections of 100 m (300 m); group B: one Vb section of 1000 m; a class II canal joins
    them. By length the main network is B, so A's sections reach II; by number of sections it would be A."""
    v = gdf({"vaarweg_id": ["a1", "a2", "a3", "kanaal", "b"], "naam": list("AAAKB"),
             "cemt_klasse": ["Va", "Va", "Va", "II", "Vb"]},
            [LineString([(0, 0), (100, 0)]), LineString([(100, 0), (200, 0)]), LineString([(200, 0), (300, 0)]),
             LineString([(300, 0), (1300, 0)]), LineString([(1300, 0), (2300, 0)])])
    kl = vaarwegnet.vaarweg_klassen(v)
    assert kl["op_hoofdnet"].tolist() == [False, False, False, False, True]
    assert cats(kl["cemt_bereikbaar"]) == ["II", "II", "II", "II", "Vb"]


def _quay_world():
    kavels = gdf({"kavel_id": ["k1", "k2"], "rin_nummer": ["T", "T"], "uitgifte_status": [None, None]},
                 [box(0, 0, 100, 100), box(1000, 0, 1100, 100)])
    return kavels, gdf({"vaarweg_id": ["r"], "naam": ["R"], "cemt_klasse": ["Va"]},
                       [LineString([(-5000, -60), (5000, -60)])])


def test_quay_tolerance_is_25_m():
    """Quays 24 m and 26 m south of a kavel: only the first counts (a tolerance of 5,000 m keeps both, one of 20 m
    neither); with tolerantie_m 30 both count."""
    kavels, fairways = _quay_world()
    quays = gdf({"kade_id": ["q24", "q26"], "bgt_type": ["kademuur"] * 2, "betrouwbaarheid": [None] * 2},
                [LineString([(0, -24), (100, -24)]), LineString([(1000, -26), (1100, -26)])])
    use = kades.kavel_gebruik(kavels, None, [])
    s = Analyse().kades
    assert kades.kades_status(quays, kavels, fairways, use, s)["kade_id"].tolist() == ["q24"]
    wide = s.model_copy(update={"tolerantie_m": 30.0})
    assert kades.kades_status(quays, kavels, fairways, use, wide)["kade_id"].tolist() == ["q24", "q26"]


def test_best_and_reachable_cemt_per_terrein_over_quays_of_different_classes():
    """Quay a lies on a class Vb basin reached only through a class II canal (own class Vb, reachable II); quay b
    on a class IV canal straight off the main river (IV, IV). Per terrein the best class is Vb and the best
    reachable class IV: the reachable class of the best-class quay (II) or the lowest (II) would be wrong."""
    v = gdf({"vaarweg_id": ["rivier-w", "rivier-m", "rivier-o", "smal", "bekken", "vaart"],
             "naam": ["M", "M", "M", "S", "B", "V"], "cemt_klasse": ["Va", "Va", "Va", "II", "Vb", "IV"]},
            [LineString([(-5000, 0), (0, 0)]), LineString([(0, 0), (2000, 0)]), LineString([(2000, 0), (5000, 0)]),
             LineString([(0, 0), (0, 1000)]),
             LineString([(0, 1000), (500, 1000)]), LineString([(2000, 0), (2000, 1000)])])
    kavels = gdf({"kavel_id": ["k1", "k2"], "rin_nummer": ["T", "T"], "uitgifte_status": [None, None]},
                 [box(100, 1020, 400, 1200), box(2020, 400, 2200, 600)])
    quays = gdf({"kade_id": ["a", "b"], "bgt_type": ["kademuur"] * 2, "betrouwbaarheid": [None] * 2},
                [LineString([(100, 1010), (400, 1010)]), LineString([(2010, 400), (2010, 600)])])
    s = Analyse().kades
    ks = kades.kades_status(quays, kavels, v, kades.kavel_gebruik(kavels, None, []), s)
    assert cats(ks["cemt_klasse"]) == ["Vb", "IV"] and cats(ks["cemt_bereikbaar"]) == ["II", "IV"]
    t = kades.per_terrein(ks, ["T"], water_min_klasse="IV").loc["T"]
    assert (t["cemt_beste"], t["cemt_bereikbaar"]) == ("Vb", "IV")
    assert t["kade_water_m"] == pytest.approx(200.0) and t["water_klasse"] == "IV"  # only quay b reaches IV


# ---------------------------------------------------------------------------------------------
# bebouwing
# ---------------------------------------------------------------------------------------------
def test_unused_building_room_is_never_negative_and_terrein_gsi_is_total_over_total():
    """Kavel a (1 ha, max 50%) has 6,000 m² footprint: unused room max(0, 5,000 - 6,000) = 0, not -1,000; kavel b
    (3 ha, 80%) 15,000 m²: 9,000. Terrein: unused 9,000 (8,000 without the max), GSI (6,000 + 15,000) / 40,000 =
    0.525, not the mean of the kavel GSIs (0.6 + 0.5) / 2 = 0.55."""
    s = Analyse().bebouwing
    kavels = gdf({"kavel_id": ["a", "b"], "rin_nummer": ["T", "T"]}, [box(0, 0, 100, 100), box(100, 0, 400, 100)])
    pct = pd.DataFrame({"max_bebouwingspercentage": [50.0, 80.0], "max_bebouwing_aangenomen": [False, True]})
    k = bebouwing.bebouwing_per_kavel(kavels, np.array([6000.0, 15000.0]), pct, s)
    assert k["onbenut_bebouwing_m2"].tolist() == pytest.approx([0.0, 9000.0])
    t = bebouwing.bebouwing_per_terrein(k, [10000.0, 30000.0], ["T", "T"]).loc["T"]
    assert t["onbenut_bebouwing_m2"] == pytest.approx(9000.0)
    assert t["gsi"] == pytest.approx(21000 / 40000)
    assert t["aandeel_aangenomen"] == pytest.approx(0.75)


def test_under_used_below_gsi_030_on_kavels_of_half_a_hectare():
    """GSI 0.29 on 1 ha: under-used; 0.31 on 1 ha: not; 0.29 on 0.49 ha: too small. A threshold of 0.25 or 0.35
    gets one of the first two wrong; a size limit of 0.4 ha gets the third wrong."""
    s = Analyse().bebouwing
    kavels = gdf({"kavel_id": ["a", "b", "c"]}, [box(0, 0, 100, 100), box(200, 0, 300, 100), box(400, 0, 470, 70)])
    area = np.array([10000.0, 10000.0, 4900.0])
    pct = pd.DataFrame({"max_bebouwingspercentage": [80.0] * 3, "max_bebouwing_aangenomen": [True] * 3})
    k = bebouwing.bebouwing_per_kavel(kavels, area * np.array([0.29, 0.31, 0.29]), pct, s)
    assert k["onderbenut"].tolist() == [True, False, False]


# ---------------------------------------------------------------------------------------------
# netcapaciteit
# ---------------------------------------------------------------------------------------------
def _net():
    """Terrein 100 x 100: supply area 'a' covers x 0..25 (rood, 10 MW free, 8 MW queue), 'b' x 25..85 (groen, 2 MW,
    0 queue); x 85..100 is not covered."""
    return gdf({"afname_status": ["rood", "groen"], "invoeding_status": ["geel", None],
                "afname_beschikbaar_mw": [10.0, 2.0], "afname_wachtrij_mw": [8.0, 0.0]},
               [box(-50, -50, 25, 150), box(25, -50, 85, 150)])


def test_status_shares_and_mw_are_area_weighted_on_an_unequal_split():
    """Shares 0.25 rood, 0.60 groen, 0.15 onbekend. MW are weighted by the covered area: (25 x 10 + 60 x 2) / 85 =
    4.35 MW free (a plain mean says 6, weighting over the whole terrein 3.7), queue 25 x 8 / 85 = 2.35 (plain: 4)."""
    t = gdf({"rin_nummer": ["T"]}, [box(0, 0, 100, 100)])
    r = netcapaciteit.netcapaciteit_per_terrein(t, _net()).iloc[0]
    assert [r[f"afname_aandeel_{s}"] for s in ("groen", "geel", "oranje", "rood", "onbekend")] == \
        pytest.approx([0.60, 0.0, 0.0, 0.25, 0.15])
    assert r["afname_dominant"] == "groen"
    assert [r[f"invoeding_aandeel_{s}"] for s in ("geel", "onbekend")] == pytest.approx([0.25, 0.75])
    assert r["afname_beschikbaar_mw"] == pytest.approx(370 / 85)
    assert r["afname_wachtrij_mw"] == pytest.approx(200 / 85)


def test_status_shares_per_kavel():
    """Kavel k1 (x 0..50): half rood, half groen; k2 (x 50..100): 35/50 groen, 15/50 not covered."""
    kavels = gdf({"kavel_id": ["k1", "k2"]}, [box(0, 0, 50, 100), box(50, 0, 100, 100)])
    k = netcapaciteit.per_kavel(kavels, _net())
    assert k.loc["k1", ["afname_aandeel_rood", "afname_aandeel_groen"]].tolist() == pytest.approx([0.5, 0.5])
    assert k.loc["k2", ["afname_aandeel_groen", "afname_aandeel_onbekend"]].tolist() == pytest.approx([0.7, 0.3])
    assert "afname_dominant" not in k
