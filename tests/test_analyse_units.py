"""Hand-computed cases for the analyses (tiny GeoDataFrames built here) and hypothesis properties."""
import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import LineString, Point, box

from pipeline.analyse import bebouwing, contouren, kades, milieuruimte, netcapaciteit, sbi, vaarwegnet
from pipeline.analyse._geo import intersecting_pairs, largest_overlap
from pipeline.config import VNG_GEMENGD, VNG_RUSTIG, Analyse
from pipeline.crs import WORKING_CRS

warnings.filterwarnings("error", message=".*CRS mismatch.*")


def gdf(data: dict, geometry) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(data, geometry=list(geometry), crs=WORKING_CRS)


# ---------------------------------------------------------------------------------------------
# milieuruimte
# ---------------------------------------------------------------------------------------------
def test_dwelling_at_250_m_fits_41_not_42_and_32_in_gemengd():
    kavels = gdf({"kavel_id": ["k1"], "rin_nummer": ["T1"]}, [box(0, 0, 100, 100)])
    woning = np.array([Point(350, 50)], dtype=object)  # 250 m from the kavel boundary
    d = milieuruimte.afstand_gevoelig(kavels, woning)
    assert d.iloc[0] == pytest.approx(250.0)
    rustig = milieuruimte.cat_afstand(d, ["rustige woonwijk"], rustig=VNG_RUSTIG, gemengd=VNG_GEMENGD)
    gemengd = milieuruimte.cat_afstand(d, ["gemengd gebied"], rustig=VNG_RUSTIG, gemengd=VNG_GEMENGD)
    assert rustig.iloc[0] == "4.1"   # 4.1 needs 200 m, 4.2 needs 300 m
    assert gemengd.iloc[0] == "4.2"  # gemengd one step lower: 4.2 needs 200 m, 5.1 needs 300 m


def test_category_boundaries_and_inside():
    d = pd.Series([0.0, 9.99, 10.0, 300.0, 1e9, np.inf])
    cat = milieuruimte.cat_afstand(d, ["rustige woonwijk"] * 6, rustig=VNG_RUSTIG, gemengd=VNG_GEMENGD)
    assert cat.isna().tolist()[:2] == [True, True]
    assert cat.astype(object).tolist()[2:] == ["1", "4.2", "6", "6"]
    # a dwelling on the kavel: distance 0
    kavels = gdf({"kavel_id": ["k"]}, [box(0, 0, 10, 10)])
    assert milieuruimte.afstand_gevoelig(kavels, np.array([Point(5, 5)])).iloc[0] == 0.0


def test_bedrijfswoningen_ignored_unless_counted():
    terreinen = gdf({"rin_nummer": ["T1"]}, [box(0, 0, 1000, 1000)])
    vbo = gdf({"vbo_id": ["a", "b", "c"], "gevoelig": [True, True, False]},
              [Point(500, 500), Point(1500, 500), Point(2000, 0)])
    assert len(milieuruimte.gevoelige_objecten(vbo, terreinen)) == 1
    assert len(milieuruimte.gevoelige_objecten(vbo, terreinen, bedrijfswoningen_meetellen=True)) == 2


def test_niet_waarmaakbaar_and_potentie():
    s = Analyse().milieuruimte
    kavels = gdf({"kavel_id": ["k1", "k2"], "rin_nummer": ["T1", "T1"]},
                 [box(0, 0, 100, 100), box(100, 0, 200, 100)])
    terreinen = gdf({"rin_nummer": ["T1"], "max_milieucategorie": ["4"]}, [box(0, 0, 200, 100)])
    zones = gdf({"zone_id": ["z"], "soort": ["bestemmingsvlak"], "max_milieucategorie": ["5.1"],
                 "max_bebouwingspercentage": [60.0]}, [box(-10, -10, 100, 110)])
    plan = milieuruimte.cat_plan(kavels, zones, terreinen)
    assert plan["cat_plan"].astype(object).tolist() == ["5.1", "4.2"]  # k2: IBIS "4" -> "4.2"
    assert plan["cat_plan_bron"].tolist() == ["milieuzone", "ibis"]
    afstand = pd.Series([250.0, 1000.0], index=kavels.index)
    vest = gdf({"vestiging_id": ["v"], "sbi_code": ["52.10"]}, [Point(150, 50)])
    benut = milieuruimte.cat_benut(kavels, vest, sbi.load_sbi_tabel())
    mr = milieuruimte.milieuruimte_per_kavel(kavels, afstand=afstand, omgevingstype=["rustige woonwijk"] * 2,
                                             plan=plan, benut=benut, settings=s)
    assert mr["cat_potentie"].astype(object).tolist() == ["4.1", "4.2"]
    assert mr["niet_waarmaakbaar"].tolist() == [True, False]
    assert mr["vacant"].tolist() == [True, False]
    assert mr["cat_benut"].astype(object).tolist()[1] == "4.2"  # 52.1 opslag: max 4.2
    assert mr["gap_stappen"].tolist() == [5, 0]  # vacant: rank(4.1)=4 -> 4 - (-1) = 5


def test_watergebonden_prefixes():
    got = sbi.sbi_prefix_match(["46.71", "46.711", "38.32", "47.11", "08.12", None],
                                        Analyse().kades.watergebonden_sbi)
    assert got.tolist() == [True, True, True, False, True, False]


def test_hmc_ha_per_variant():
    s = Analyse().milieuruimte
    idx = pd.RangeIndex(4)
    ind = pd.DataFrame({
        "cat_potentie": pd.Categorical(["5.1", "4.2", "4.1", "3.2"], dtype=milieuruimte.MILIEUCATEGORIE_DTYPE),
        "cat_benut": pd.Categorical(["3.1", None, "4.2", "2"], dtype=milieuruimte.MILIEUCATEGORIE_DTYPE),
        "vacant": pd.array([False, True, False, False], dtype="boolean"),
        "niet_waarmaakbaar": [False, False, True, False]}, index=idx)
    area = np.array([10_000.0, 20_000.0, 30_000.0, 40_000.0])  # 1, 2, 3, 4 ha
    t = milieuruimte.hmc_per_terrein(ind, area, ["T"] * 4, s.hmc_varianten).loc["T"]
    assert t["ha_hmc_41"] == pytest.approx(6.0)
    assert t["ha_hmc_42"] == pytest.approx(3.0)
    assert t["ha_hmc_51"] == pytest.approx(1.0)
    assert t["ha_hmc_41_niet_hmc"] == pytest.approx(1.0)   # 5.1 room used by 3.1
    assert t["ha_hmc_41_vacant"] == pytest.approx(2.0)
    assert t["ha_hmc_42_niet_hmc"] == pytest.approx(1.0)   # 4.2-capable used by 3.1 (kavel 3 is not 4.2-capable)
    assert t["ha_hmc_51_niet_hmc"] == pytest.approx(1.0)
    assert t["ha_hmc_51_vacant"] == pytest.approx(0.0)
    assert t["ha_niet_waarmaakbaar"] == pytest.approx(3.0)
    assert t["cat_potentie_max"] == "5.1"


def test_no_vestigingen_means_unknown_not_vacant():
    kavels = gdf({"kavel_id": ["k"]}, [box(0, 0, 1, 1)])
    b = milieuruimte.cat_benut(kavels, None, sbi.load_sbi_tabel())
    assert b["vacant"].isna().all() and b["cat_benut"].isna().all()


def test_contours_cut_out_richtafstand():
    terreinen = gdf({"rin_nummer": ["T"]}, [box(0, 0, 1000, 100)])
    pts = np.array([Point(-100, 50)], dtype=object)
    c = contouren.contouren(terreinen, pts, ["3.2", "4.1"], ["rustige woonwijk"],
                               rustig=VNG_RUSTIG, gemengd=VNG_GEMENGD, resolutie_m=10.0)
    g = dict(zip(c.categorie, np.asarray(c.geometry, dtype=object)))
    # 4.1 needs 200 m: the terrein minus the disk of radius 200 around (-100, 50). Raster tolerance:
    # the cut edge (about 2 x 97 m of arc inside the terrein) may be off by up to half a cell diagonal.
    exact = box(0, 0, 1000, 100).difference(Point(-100, 50).buffer(200, quad_segs=64))
    assert shapely.area(g["4.1"]) == pytest.approx(exact.area, abs=200 * 10 * 0.71)
    assert shapely.area(shapely.symmetric_difference(g["4.1"], exact)) < 200 * 10 * 0.71
    assert shapely.within(g["4.1"], box(0, 0, 1000, 100).buffer(1e-6))  # clipped to the terrein outline
    assert shapely.area(g["3.2"]) == pytest.approx(100_000.0)  # 100 m from the boundary: fits everywhere
    assert shapely.equals(g["3.2"], box(0, 0, 1000, 100))  # a full fit keeps the exact outline


def test_contours_converge_with_finer_cells_and_empty_where_nothing_fits():
    terreinen = gdf({"rin_nummer": ["T", "U"]}, [box(0, 0, 1000, 100), box(5000, 0, 5100, 100)])
    pts = np.array([Point(-100, 50), Point(5050, 50)], dtype=object)
    exact = box(0, 0, 1000, 100).difference(Point(-100, 50).buffer(200, quad_segs=64)).area
    err = []
    for res in (20.0, 5.0, 2.0):
        c = contouren.contouren(terreinen, pts, ["4.1"], ["rustige woonwijk"] * 2,
                                   rustig=VNG_RUSTIG, gemengd=VNG_GEMENGD, resolutie_m=res)
        geo = np.asarray(c.geometry, dtype=object)
        assert shapely.is_empty(geo[1])  # a dwelling in the middle of U: 4.1 fits nowhere
        err.append(abs(shapely.area(geo[0]) - exact))
    assert err[-1] < 200 * 2.0 * 0.71


def test_contour_cell_distances_exact():
    rng = np.random.default_rng(1)
    pts = shapely.points(rng.uniform(-500, 1500, 300), rng.uniform(-500, 600, 300))
    terreinen = [box(0, 0, 1000, 100), Point(400, 300).buffer(120)]
    r = 5.0
    labels, shift, _ = contouren.atlas(np.array(terreinen, dtype=object), r, blok=16)
    rows, cols = np.nonzero(labels)
    lab = labels[rows, cols] - 1
    x, y = (cols + 0.5) * r - shift[lab, 0], -(rows + 0.5) * r - shift[lab, 1]
    thr = np.array([[30.0, 50.0, 100.0], [10.0, 30.0, 50.0]])
    d = contouren.afstand_cellen(x, y, rows, cols, lab, thr, shapely.STRtree(pts), r)
    exact = shapely.distance(shapely.points(x, y)[:, None], pts[None, :]).min(axis=1)
    assert np.array_equal(d[:, None] >= thr[lab], exact[:, None] >= thr[lab])
    # the atlas cells of each terrein cover it: every cell centre inside a terrein is labelled with it
    inside = shapely.contains_xy(np.array(terreinen, dtype=object)[lab], x, y)
    assert inside.sum() > 0.9 * (1000 * 100 + np.pi * 120 ** 2) / r ** 2


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(min_value=0, max_value=3000, allow_nan=False), min_size=2, max_size=30),
       st.sampled_from(["rustige woonwijk", "gemengd gebied"]))
def test_category_monotone_in_distance(dists, typ):
    d = pd.Series(sorted(dists))
    r = milieuruimte.milieucategorie_rank(
        milieuruimte.cat_afstand(d, [typ] * len(d), rustig=VNG_RUSTIG, gemengd=VNG_GEMENGD).astype(object))
    assert np.all(np.diff(r) >= 0)


# ---------------------------------------------------------------------------------------------
# bebouwing
# ---------------------------------------------------------------------------------------------
def test_building_half_inside_counts_half():
    kavels = gdf({"kavel_id": ["k"], "rin_nummer": ["T"]}, [box(0, 0, 100, 100)])
    panden = gdf({"pand_id": ["half", "whole", "out"]},
                 [box(90, 10, 110, 30), box(10, 10, 20, 20), box(200, 200, 210, 210)])
    fp = bebouwing.footprint_per_zone(kavels, panden)
    assert fp[0] == pytest.approx(200.0 + 100.0)  # half of 400 m² + 100 m²


def test_bebouwing_indicators_and_assumed_percentage():
    s = Analyse().bebouwing.model_copy(update={"max_bebouwingspercentage_per_type": {"A": 90.0}})
    kavels = gdf({"kavel_id": ["a", "b", "c"], "rin_nummer": ["T1", "T1", "T2"]},
                 [box(0, 0, 100, 100), box(100, 0, 200, 100), box(500, 0, 510, 10)])
    terreinen = gdf({"rin_nummer": ["T1", "T2"], "wloc_type": ["B", "A"]}, [box(0, 0, 200, 100), box(500, 0, 510, 10)])
    zones = gdf({"soort": ["bestemmingsvlak"], "max_milieucategorie": [None], "max_bebouwingspercentage": [50.0]},
                [box(-5, -5, 101, 105)])
    pct = bebouwing.max_bebouwingspercentage(kavels, zones, terreinen, s, min_aandeel=0.1)  # 1 m sliver on b ignored
    assert pct["max_bebouwingspercentage"].tolist() == [50.0, 80.0, 90.0]
    assert pct["max_bebouwing_aangenomen"].tolist() == [False, True, True]
    fp = np.array([1000.0, 6000.0, 0.0])
    k = bebouwing.bebouwing_per_kavel(kavels, fp, pct, s)
    assert k["gsi"].tolist() == pytest.approx([0.1, 0.6, 0.0])
    assert k["onbenut_bebouwing_m2"].tolist() == pytest.approx([4000.0, 2000.0, 90.0])
    assert k["onderbenut"].tolist() == [True, False, False]  # a: 1 ha, GSI 0.1; c: GSI 0 but 0.01 ha
    s2 = s.model_copy(update={"onderbenut_min_ha": 2.0})
    assert bebouwing.bebouwing_per_kavel(kavels, fp, pct, s2)["onderbenut"].tolist() == [False, False, False]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 9), st.integers(0, 9), st.integers(1, 3), st.integers(1, 3)),
                min_size=0, max_size=25))
def test_gsi_in_unit_interval_for_non_overlapping_buildings(cells):
    # buildings on a 10 m grid of 1..3 cells, overlapping ones dropped -> non-overlapping
    boxes, taken = [], set()
    for x, y, w, h in cells:
        occ = {(i, j) for i in range(x, x + w) for j in range(y, y + h)}
        if occ & taken:
            continue
        taken |= occ
        boxes.append(box(x * 10 - 13, y * 10 - 13, (x + w) * 10 - 13, (y + h) * 10 - 13))
    kavels = gdf({"kavel_id": ["k"]}, [box(0, 0, 77, 77)])
    panden = gdf({"pand_id": [str(i) for i in range(len(boxes))]}, boxes) if boxes else gdf({"pand_id": []}, [])
    fp = bebouwing.footprint_per_zone(kavels, panden)
    gsi = fp[0] / (77 * 77)
    assert -1e-12 <= gsi <= 1 + 1e-12


# ---------------------------------------------------------------------------------------------
# kades
# ---------------------------------------------------------------------------------------------
def _fairways():
    # main network: a long Va river; a class II canal from it to a Va harbour basin
    return gdf({"vaarweg_id": ["rivier1", "rivier2", "kanaal", "haven"], "naam": ["Maas", "Maas", "Kanaal", "Haven"],
                "cemt_klasse": ["Va", "Vb", "II", "Va"]},
               [LineString([(0, 0), (5000, 0)]), LineString([(5000, 0), (10000, 0)]),
                LineString([(5000, 0), (5000, 2000)]), LineString([(5000, 2000), (5500, 2000)])])


def test_quay_on_va_basin_behind_class_ii_canal_reaches_ii():
    kl = vaarwegnet.vaarweg_klassen(_fairways())
    assert kl["op_hoofdnet"].tolist() == [True, True, False, False]
    assert kl["cemt_bereikbaar"].astype(object).tolist() == ["Va", "Vb", "II", "II"]


def test_widest_path_not_shortest():
    # the basin connects to the main network by a short class I ditch and a long class IV canal
    v = gdf({"vaarweg_id": list("abcde"), "naam": ["M", "M", "sloot", "kanaal", "haven"],
             "cemt_klasse": ["Va", "Va", "I", "IV", "Vb"]},
            [LineString([(0, 0), (1000, 0)]), LineString([(1000, 0), (9000, 0)]),
             LineString([(1000, 0), (1000, 100)]), LineString([(9000, 0), (1000, 100)]),
             LineString([(1000, 100), (1200, 100)])])
    kl = vaarwegnet.vaarweg_klassen(v)
    assert kl["cemt_bereikbaar"].astype(object).tolist() == ["Va", "Va", "I", "IV", "IV"]  # the ditch itself is I


def test_named_main_network_and_unconnected():
    v = _fairways()
    v.loc[4] = ["los", "Los", "VIa", LineString([(20000, 0), (21000, 0)])]
    kl = vaarwegnet.vaarweg_klassen(v, namen=["Kanaal"])
    assert kl["op_hoofdnet"].tolist() == [False, False, True, False, False]
    # sections touching the named main network keep their own class
    assert kl["cemt_bereikbaar"].astype(object).tolist()[:4] == ["Va", "Vb", "II", "Va"]
    assert pd.isna(kl["cemt_bereikbaar"].iloc[4])


def test_kades_status_and_per_terrein():
    s = Analyse().kades
    kavels = gdf({"kavel_id": ["k1", "k2", "k3", "k4"], "rin_nummer": ["T", "T", "T", "T"],
                  "uitgifte_status": [None, None, "uitgeefbaar", None]},
                 [box(4900, 2010, 5100, 2200), box(5100, 2010, 5300, 2200), box(5300, 2010, 5500, 2200),
                  box(0, 5000, 10, 5010)])
    q = gdf({"kade_id": ["q1", "q2", "q3", "q4", "q5"], "bgt_type": ["kademuur", "damwand", "kademuur",
                                                                    "walbescherming", "kademuur"],
             "betrouwbaarheid": [None, None, None, None, None]},
            [LineString([(5010, 2005), (5090, 2005)]), LineString([(5150, 2005), (5250, 2005)]),
             LineString([(5350, 2005), (5450, 2005)]), LineString([(5350, 2005), (5450, 2005)]),
             LineString([(9000, 9000), (9100, 9000)])])
    vest = gdf({"vestiging_id": ["a", "b"], "sbi_code": ["52.24", "62.01"]}, [Point(5000, 2100), Point(5200, 2100)])
    ks = kades.kades_status(q, kavels, _fairways(), kades.kavel_gebruik(kavels, vest, s.watergebonden_sbi), s)
    assert ks["kade_id"].tolist() == ["q1", "q2", "q3"]  # walbescherming and far-away quays excluded
    assert ks["status"].tolist() == ["benut", "onbenut", "vrij"]
    assert ks["betrouwbaarheid"].tolist() == ["hoog", "middel", "hoog"]
    assert ks["cemt_klasse"].astype(object).tolist() == ["Va", "Va", "Va"]
    assert ks["cemt_bereikbaar"].astype(object).tolist() == ["II", "II", "II"]
    t = kades.per_terrein(ks, ["T"], water_min_klasse="II").loc["T"]
    assert (t["kade_m"], t["kade_benut_m"], t["kade_onbenut_m"], t["kade_vrij_m"]) == pytest.approx((280, 80, 100, 100))
    assert t["cemt_beste"] == "Va" and t["cemt_bereikbaar"] == "II"
    assert t["kade_water_m"] == pytest.approx(280) and t["water_klasse"] == "II"
    assert kades.per_terrein(ks, ["T"], water_min_klasse="III").loc["T", "kade_water_m"] == 0
    # no vestigingen layer: onbekend, except the uitgeefbaar kavel
    ks2 = kades.kades_status(q, kavels, _fairways(), kades.kavel_gebruik(kavels, None, s.watergebonden_sbi), s)
    assert ks2["status"].tolist() == ["onbekend", "onbekend", "vrij"]


def test_lengte_in_zones_c3():
    zones = gdf({"t": [1]}, [box(0, 0, 100, 100)])
    lines = gdf({"k": [1, 2]}, [LineString([(50, 120), (50, 200)]), LineString([(-50, 50), (50, 50)])])
    # buffered by 25: line 1 inside from y=120 to 125 (5 m); line 2 from x=-25 to 50 (75 m)
    assert kades.lengte_in_zones(lines, zones, buffer_m=25)[0] == pytest.approx(80.0)


# ---------------------------------------------------------------------------------------------
# netcapaciteit
# ---------------------------------------------------------------------------------------------
def test_half_red_half_green():
    t = gdf({"rin_nummer": ["T"]}, [box(0, 0, 100, 100)])
    net = gdf({"afname_status": ["rood", "groen"], "invoeding_status": ["groen", None],
               "afname_beschikbaar_mw": [0.0, 10.0], "afname_wachtrij_mw": [5.0, None]},
              [box(-100, -100, 50, 200), box(50, -100, 200, 200)])
    r = netcapaciteit.netcapaciteit_per_terrein(t, net).iloc[0]
    assert r["afname_aandeel_rood"] == pytest.approx(0.5)
    assert r["afname_aandeel_groen"] == pytest.approx(0.5)
    assert r["afname_aandeel_onbekend"] == pytest.approx(0.0)
    assert r["afname_dominant"] == "rood"  # tie goes to the worse status
    assert r["invoeding_aandeel_onbekend"] == pytest.approx(0.5)
    assert r["afname_beschikbaar_mw"] == pytest.approx(5.0)
    assert r["afname_wachtrij_mw"] == pytest.approx(5.0)


def test_uncovered_and_overlapping_supply_areas():
    t = gdf({"rin_nummer": ["T"]}, [box(0, 0, 100, 100)])
    net = gdf({"afname_status": ["geel", "oranje"], "invoeding_status": ["geel", "oranje"]},
              [box(0, 0, 60, 100), box(20, 0, 60, 100)])  # overlap 20..60; 60..100 uncovered
    r = netcapaciteit.netcapaciteit_per_terrein(t, net).iloc[0]
    assert r["afname_aandeel_onbekend"] == pytest.approx(0.4)
    assert r["afname_aandeel_geel"] + r["afname_aandeel_oranje"] == pytest.approx(0.6)
    assert r["afname_aandeel_geel"] == pytest.approx(0.6 * 0.6)  # pieces 0.6 and 0.4 share the covered 0.6


# ---------------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------------
def test_largest_overlap():
    a = np.array([box(0, 0, 10, 10), box(100, 100, 101, 101)], dtype=object)
    b = np.array([box(-5, -5, 3, 20), box(3, -5, 30, 20)], dtype=object)
    assert largest_overlap(a, b).tolist() == [1, -1]


def test_intersecting_pairs_come_in_the_order_of_a_query_from_the_many():
    """Whichever side queries (the fewer, here the zones), the pairs come as a query of the kavels against a tree on
    the zones gives them, so sums over a kavel's zones add up in the same order as before (bit for bit)."""
    rng = np.random.default_rng(7)
    x, y = rng.uniform(0, 1000, 3000), rng.uniform(0, 1000, 3000)
    kavels = shapely.box(x, y, x + rng.uniform(1, 40, 3000), y + rng.uniform(1, 40, 3000))
    zx, zy = rng.uniform(-100, 900, 40), rng.uniform(-100, 900, 40)
    zones = shapely.box(zx, zy, zx + 300, zy + 300)  # overlapping: many kavels meet three zones or more
    ia, ib = intersecting_pairs(kavels, zones)
    want = shapely.STRtree(zones).query(kavels, predicate="intersects")
    assert np.bincount(ia).max() >= 3
    assert ia.tolist() == want[0].tolist() and ib.tolist() == want[1].tolist()
    jb, ja = intersecting_pairs(zones, kavels)  # the many as the second argument: the same pairs, by zone
    assert sorted(zip(ia.tolist(), ib.tolist())) == sorted(zip(ja.tolist(), jb.tolist()))


def test_vestiging_on_shared_boundary_belongs_to_one_kavel_in_every_analysis():
    """A water-bound vestiging at (10, 5) on the border of two kavels: the first kavel is occupied and
    water-bound, the second vacant and not water-bound, in the milieuruimte and the kades analysis alike."""
    from pipeline.analyse.kades import kavel_gebruik
    from pipeline.analyse.milieuruimte import cat_benut
    from pipeline.analyse.sbi import load_sbi_tabel
    kavels = gpd.GeoDataFrame({"kavel_id": ["a", "b"]}, geometry=[box(0, 0, 10, 10), box(10, 0, 20, 10)],
                              crs=WORKING_CRS)
    vestigingen = gpd.GeoDataFrame({"sbi_code": ["52.24"]}, geometry=[Point(10, 5)], crs=WORKING_CRS)
    benut = cat_benut(kavels, vestigingen, load_sbi_tabel())
    gebruik = kavel_gebruik(kavels, vestigingen, ["52.24"])
    assert benut["vacant"].tolist() == [False, True]
    assert gebruik["bezet"].tolist() == [True, False]
    assert gebruik["watergebonden"].tolist() == [True, False]


def test_overlaps_and_footprints_leave_no_prepared_geometries_behind():
    """A prepared geometry keeps its GEOS index on the shapely object: the kavels and zones of a province kept
    theirs for the rest of the stage (analyse at scale 4: 4.7 GB instead of 1.6 GB). The building blocks release
    what they prepared, and leave what the caller had prepared as it was."""
    kavels = np.array([box(0, 0, 10, 10), box(10, 0, 20, 10)])
    zones = np.array([box(5, -5, 15, 15), box(12, 2, 14, 4)])
    shapely.prepare(zones[1:])
    assert largest_overlap(kavels, zones).tolist() == [0, 0]
    assert bebouwing.footprint_per_zone(kavels, np.array([box(1, 1, 3, 3), box(9, 1, 11, 2)])).tolist() == [5.0, 1.0]
    assert shapely.is_prepared(kavels).tolist() == [False, False]
    assert shapely.is_prepared(zones).tolist() == [False, True]


def test_prepared_predicates_in_threads_give_the_serial_answer_in_input_order():
    """by_owner_in_threads cuts the pairs where the prepared geometry changes (GEOS prepares lazily, without a lock:
    one geometry must stay in one thread) and puts the answers back in the input order."""
    from pipeline.analyse._geo import MIN_CHUNK, by_owner_in_threads, prepared
    rng = np.random.default_rng(5)
    zones = np.array([box(x, 0, x + 50, 50) for x in range(0, 1000, 100)])
    n = 6 * MIN_CHUNK  # enough pairs for several chunks
    owner = rng.integers(0, len(zones), n)
    x, y = rng.uniform(-10, 1050, n), rng.uniform(-10, 60, n)
    buildings = shapely.box(x, y, x + 3, y + 3)
    with prepared(zones):
        got = by_owner_in_threads(shapely.contains_properly, zones[owner], buildings, owner)
    want = shapely.contains_properly(zones[owner], buildings)
    assert got.dtype == bool and 0 < want.sum() < n
    assert np.array_equal(got, want)
