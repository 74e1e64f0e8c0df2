"""The qualities analyse derives for the score: quay metres on a good class, and multimodal access."""
import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely import LineString, Point

from pipeline.analyse import kades as quays
from pipeline.analyse import ontsluiting
from pipeline.config import Ontsluiting
from pipeline.crs import WORKING_CRS
from score_fixtures import make_kades, make_terreinen


def test_water_counts_only_reachable_class_at_least_the_minimum():
    kades = make_kades([{"rin_nummer": "A", "lengte_m": 100.0, "cemt_bereikbaar": "VIb"},
                        {"rin_nummer": "A", "lengte_m": 50.0, "cemt_bereikbaar": "IV"},
                        {"rin_nummer": "A", "lengte_m": 70.0, "cemt_bereikbaar": None},
                        {"rin_nummer": "B", "lengte_m": 400.0, "cemt_bereikbaar": "III"}])
    w = quays.per_terrein(kades, ["A", "B"], water_min_klasse="IV")
    assert w["kade_water_m"].tolist() == [150.0, 0.0]
    assert w["water_klasse"].tolist()[0] == "VIb" and pd.isna(w["water_klasse"].iloc[1])
    assert quays.per_terrein(kades, ["A", "B"], water_min_klasse="II")["kade_water_m"].tolist() == [150.0, 400.0]
    assert quays.per_terrein(kades.iloc[:0], ["A", "B"], water_min_klasse="IV")["kade_water_m"].tolist() == [0, 0]


def test_modalities_from_infra_layers_and_ibis_fields():
    t = make_terreinen([{"x": 0, "y": 0}, {"x": 10_000, "y": 0, "spoor_ontsluiting": True},
                        {"x": 20_000, "y": 0}], size_m=100)
    spoor = gpd.GeoDataFrame({"spoor_id": ["s1", "s2"], "soort": ["raccordement", "hoofdspoor"]},
                             geometry=[LineString([(0, 900), (50, 900)]), LineString([(20_000, 500), (20_100, 500)])],
                             crs=WORKING_CRS)
    opritten = gpd.GeoDataFrame({"oprit_id": ["o1"], "wegnummer": ["A58"], "soort": ["oprit"]},
                                geometry=[Point(10_050, 1_050)], crs=WORKING_CRS)
    water = pd.Series([300.0, 0.0, 0.0], index=t["rin_nummer"])

    def modal(spoor, opritten, soorten):
        return ontsluiting.per_terrein(t, water, spoor, opritten, Ontsluiting(afstand_m=1000, spoor_soorten=soorten))

    m = modal(spoor, opritten, ["raccordement", "emplacement"])
    assert m["modaliteiten"].tolist() == ["water, spoor", "spoor, weg", ""]   # a main line gives no access
    assert m["aantal_modaliteiten"].tolist() == [2, 2, 0]
    assert m["afstand_spoor_m"].iloc[0] == pytest.approx(800.0)             # 900 - 100 (the square's top)
    assert m["afstand_oprit_m"].iloc[1] == pytest.approx(np.hypot(0, 950))
    assert modal(spoor, opritten, [])["aantal_modaliteiten"].tolist() == [2, 2, 1]
    none = modal(None, None, [])
    assert none["modaliteiten"].tolist() == ["water", "spoor", ""]
    assert none["afstand_spoor_m"].isna().all() and none["afstand_oprit_m"].isna().all()
