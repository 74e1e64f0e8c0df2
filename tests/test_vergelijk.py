"""`pipeline vergelijk` on two runs whose differences are set by hand (export_fixtures' run as A, B edited).

A -> B: NB-001 Haven Noord (Zuidoost-Brabant): 10 ha HMC room taken by light companies, 150 m quay from vrij/benut
to onbenut, uitgeefbaar 4 -> 2 ha; NB-002 De Hurk (Zuidoost-Brabant): contour 700x500 -> 500x500 m (10 ha lost),
HMC 20 -> 12 ha, loses its flag; NB-003 Kraaiven (Midden-Brabant) disappears; NB-007 Nieuw Veld (Midden-Brabant)
appears with 4 ha HMC; NB-004 Loven changes type and werklocatietype; NB-005 and NB-006 do not change.
"""
import base64
import xml.etree.ElementTree as ET

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import MultiPolygon, box

from export_fixtures import make_processed
from pipeline import catalogue
from pipeline.cli import main
from pipeline.config import load_config
from pipeline.io import write_parquet
from pipeline.vergelijk import vergelijk

# rin -> (ha_hmc_41, ha_hmc_41_niet_hmc, ha_hmc_41_vacant, kade_m, benut, onbenut, vrij, onbekend, ha_uitgeefbaar)
A = {"NB-001": (30, 5, 10, 300, 100, 100, 100, 0, 4), "NB-002": (20, 2, 3, 0, 0, 0, 0, 0, 1),
     "NB-003": (6, 1, 0, 0, 0, 0, 0, 0, 0), "NB-004": (0, 0, 0, 200, 200, 0, 0, 0, 0),
     "NB-005": (0, 0, 0, 0, 0, 0, 0, 0, 0), "NB-006": (0, 0, 0, 0, 0, 0, 0, 0, 0)}
B = {**A, "NB-001": (30, 15, 0, 300, 50, 250, 0, 0, 2), "NB-002": (12, 2, 3, 0, 0, 0, 0, 0, 1),
     "NB-007": (4, 0, 4, 0, 0, 0, 0, 0, 0)}
COLUMNS = ["ha_hmc_41", "ha_hmc_41_niet_hmc", "ha_hmc_41_vacant", "kade_m", "kade_benut_m", "kade_onbenut_m",
           "kade_vrij_m", "kade_onbekend_m", "ha_uitgeefbaar"]


def _run(folder, values, edit=None):
    make_processed(folder)
    t = catalogue.read("terreinen_strategisch", folder)
    t = t[t["rin_nummer"].isin(values)].copy()
    if edit:
        t = edit(t)
    for col, position in zip(COLUMNS, range(9)):
        t[col] = t["rin_nummer"].map({r: float(v[position]) for r, v in values.items()})
    t["vlag"] = t["rin_nummer"].isin(["NB-001", "NB-002", "NB-004"])
    t["grensgeval"] = False
    return t


def _edit_b(t):
    new = t[t["rin_nummer"] == "NB-005"].assign(rin_nummer="NB-007", naam="Nieuw Veld",
                                                 geometry=[MultiPolygon([box(140000, 400000, 140200, 400200)])])
    t = pd.concat([t, new], ignore_index=True)
    t.loc[t["rin_nummer"] == "NB-002", "geometry"] = MultiPolygon([box(157000, 385500, 157500, 386000)])
    t.loc[t["rin_nummer"] == "NB-002", "ha_bruto"] = 25.0
    t.loc[t["rin_nummer"] == "NB-004", "wloc_type"] = "B"
    t = t[t["rin_nummer"] != "NB-003"]
    return gpd.GeoDataFrame(t, geometry="geometry", crs=t.crs)


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    root = tmp_path_factory.mktemp("vergelijk")
    a = _run(root / "a", A)  # a run of an earlier pipeline version, without the typology
    write_parquet(a.drop(columns=[c for c in a.columns if c.startswith("typologie")]),
                  root / "a" / "terreinen_strategisch.parquet")
    b = _run(root / "b", B, _edit_b)
    b.loc[b["rin_nummer"] == "NB-002", "vlag"] = False
    b["typologie"] = b["rin_nummer"].map({"NB-004": "beschermen en benutten"}).fillna("regulier")
    write_parquet(b, root / "b" / "terreinen_strategisch.parquet")
    history = pd.DataFrame({"rin_nummer": ["NB-001", "NB-001", "NB-002", "NB-002"], "jaar": [2023, 2024, 2023, 2024],
                            "naam": ["Haven Noord", "Haven Noord", "De Hurk", "De Hurk"], "gemeente_code": "GM0772",
                            "wloc_type": "B", "ha_bruto": [54.0, 54.0, 35.0, 25.0], "ha_netto": [40.0, 43.2, 28.0, 20.0],
                            "ha_uitgeefbaar": [6.0, 2.0, 3.0, 1.0], "aantal_records": 1})
    catalogue.write(history, "terreinen_historie", root / "b")
    config = load_config()
    config.paths.processed, config.paths.maps = root / "uit" / "processed", root / "uit" / "maps"
    return root, config, vergelijk(config, root / "a", root / "b")


def test_per_terrein_differences_and_biggest_loss_first(runs):
    _, _, v = runs
    t = v.terreinen.set_index("rin_nummer")
    assert v.terreinen["rin_nummer"].tolist() == ["NB-001", "NB-002", "NB-003", "NB-004", "NB-005", "NB-006", "NB-007"]
    # verlies = (ha_hmc_41 − niet_hmc) in A minus the same in B: NB-001 25 − 15, NB-002 18 − 10, NB-003 5 − 0 (gone),
    # NB-007 0 − 4 (new)
    assert t["verlies_hmc_ha"].to_dict() == {"NB-001": 10.0, "NB-002": 8.0, "NB-003": 5.0, "NB-004": 0.0,
                                             "NB-005": 0.0, "NB-006": 0.0, "NB-007": -4.0}
    assert t.loc["NB-001", "verlies_kade_m"] == 150.0
    assert t.loc["NB-001", ["ha_hmc_niet_hmc_verschil", "kade_onbenut_m_verschil", "kade_vrij_m_verschil",
                            "ha_uitgeefbaar_verschil"]].tolist() == [10.0, 150.0, -100.0, -2.0]
    assert t["omvang"].to_dict() == {"NB-001": "ongewijzigd", "NB-002": "gekrompen", "NB-003": "verdwenen",
                                     "NB-004": "ongewijzigd", "NB-005": "ongewijzigd", "NB-006": "ongewijzigd",
                                     "NB-007": "verschenen"}
    assert t.loc["NB-002", "contour_verloren_ha"] == pytest.approx(10.0)  # 700 x 500 m − 500 x 500 m = 35 − 25 ha
    assert t.loc["NB-002", ["ha_bruto_a", "ha_bruto_b"]].tolist() == [35.0, 25.0]
    assert t.loc["NB-002", ["vlag_klasse_a", "vlag_klasse_b", "vlag_wijziging"]].tolist() == \
        ["strategisch", "niet strategisch", "verloren"]
    assert t.loc["NB-003", ["ha_hmc_a", "ha_hmc_b", "ha_hmc_verschil"]].tolist()[0] == 6.0
    assert pd.isna(t.loc["NB-003", "ha_hmc_b"])
    assert t.loc["NB-004", ["wloc_type_a", "wloc_type_b", "typologie_b"]].tolist() == ["X", "B", "beschermen en benutten"]
    assert pd.isna(t.loc["NB-004", "typologie_a"])  # run A has no typology
    assert t.loc["NB-001", "reden"] == ("HMC-ruimte bezet door niet-HMC +10,0 ha; HMC-ruimte vacant −10,0 ha; "
                                        "Kade onbenut +150 m; Kade vrij −100 m; Kade benut −50 m; "
                                        "Uitgeefbaar (IBIS) −2,0 ha")
    assert t.loc["NB-005", "reden"] == "geen verschil"
    assert t.loc["NB-003", "reden"].startswith("verdwenen: 56,0 ha bruto")  # 800 x 700 m (export_fixtures)


def test_per_regio_totals(runs):
    _, _, v = runs
    r = v.regios.set_index("regio")
    assert r.index.tolist() == ["Zuidoost-Brabant", "Midden-Brabant", "onbekend", "Totaal"]
    # Zuidoost-Brabant (GM0772): NB-001 + NB-002 = 10 + 8 ha; Midden-Brabant (GM0855): A NB-003/4/5, B NB-004/5/7,
    # verlies 5 − 4 ha; Totaal: HMC A 30 + 20 + 6, B 30 + 12 + 4; niet-HMC A 5 + 2 + 1, B 15 + 2 + 0;
    # verlies 10 + 8 + 5 − 4
    assert r.loc["Zuidoost-Brabant", ["verlies_hmc_ha", "verlies_kade_m", "gekrompen", "vlag_verloren"]].tolist() == \
        [18.0, 150.0, 1, 1]
    assert r.loc["Midden-Brabant", ["terreinen_a", "terreinen_b", "verschenen", "verdwenen", "verlies_hmc_ha"]].tolist() \
        == [3, 3, 1, 1, 1.0]
    assert r.loc["Totaal", ["ha_hmc_a", "ha_hmc_b", "ha_hmc_verschil", "ha_hmc_niet_hmc_a", "ha_hmc_niet_hmc_b"]].tolist() \
        == [56.0, 46.0, -10.0, 8.0, 17.0]
    assert r.loc["Totaal", ["terreinen_a", "terreinen_b", "verlies_hmc_ha", "kade_vrij_m_verschil"]].tolist() == \
        [6, 6, 19.0, -100.0]


def test_command_writes_page_and_csvs(runs, capsys):
    root, _, _ = runs
    cfg = root / "config.yaml"
    cfg.write_text(f"naam: test\npaths:\n  processed: {root / 'uit' / 'processed'}\n  maps: {root / 'uit' / 'maps'}\n"
                   "sources:\n  terreinen: {path: x.gpkg}\n  kavels: {path: x.parquet}\n  panden: {path: x}\n"
                   "  verblijfsobjecten: {path: x}\n  kades: {path: x}\n  vaarwegen: {path: x}\n"
                   "  milieuzones: {path: x}\n  netcapaciteit: {path: x}\n", encoding="utf-8")
    assert main(["vergelijk", "--config", str(cfg), str(root / "a"), str(root / "b")]) == 0
    out = capsys.readouterr().out
    assert "verlies 1. Haven Noord (NB-001)" in out and "HMC 10,0 ha, kade 150 m" in out
    csv = pd.read_csv(root / "uit" / "processed" / "vergelijking_terreinen.csv")
    assert csv["rin_nummer"].tolist()[:3] == ["NB-001", "NB-002", "NB-003"]
    regios = pd.read_csv(root / "uit" / "processed" / "vergelijking_regios.csv")
    assert regios["regio"].tolist()[0] == "Zuidoost-Brabant" and regios["verlies_hmc_ha"].tolist()[0] == 18.0
    html = (root / "uit" / "maps" / "vergelijking.html").read_text(encoding="utf-8")
    first_rows = html[html.index('<table id="terreinen">'):]
    assert first_rows.index("Haven Noord (NB-001)") < first_rows.index("De Hurk (NB-002)") < \
        first_rows.index("Kraaiven (NB-003)")
    assert "Verlies aan HMC-ruimte die nog open staat voor HMC-bedrijven: 19,0 ha" in html
    assert "strategisch → niet strategisch" in html
    # the trend of run B's history: Zuidoost-Brabant 2023 89,0 / 68,0 / 9,0 ha, 2024 79,0 / 63,2 / 3,0 ha
    assert "<td>Zuidoost-Brabant</td><td>2023</td>" in html
    row = html[html.index("<td>Zuidoost-Brabant</td><td>2024</td>"):][:300]
    assert ">79,0<" in row and ">63,2<" in row and ">3,0<" in row
    # the regio trend charts (pipeline/export/svgchart.py): 336 x 192 px, titled, a line per measure over two years
    svg, titles = "{http://www.w3.org/2000/svg}", []
    for uri in html.split('src="data:image/svg+xml;base64,')[1:]:
        chart = ET.fromstring(base64.b64decode(uri[:uri.index('"')]))
        assert (chart.get("width"), chart.get("height")) == ("336", "192")
        assert len(chart.findall(f"{svg}polyline")) == 3
        titles += [t.text for t in chart.findall(f"{svg}text") if t.text.endswith("(IBIS)")]
    assert "Zuidoost-Brabant: bedrijventerreinen (IBIS)" in titles
    assert main(["vergelijk", "--config", str(cfg), str(root / "a"), str(root / "a")]) == 1
    assert "same folder" in capsys.readouterr().err
    assert main(["vergelijk", "--config", str(cfg), str(root / "a"), str(root / "geen")]) == 1
    assert "is not a folder" in capsys.readouterr().err
