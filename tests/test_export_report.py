"""Report: ranking order, totals per gemeente and regio equal hand sums, Dutch HTML, gemeente -> regio table,
columns, headers and decimals from the catalogue."""

import pandas as pd
import pytest

from pipeline import catalogue
from pipeline.export.common import gemeente_regio, read_inputs
from pipeline.export.report import nl, ranking, render_ranglijst, render_rapport, totals
from export_fixtures import build_outputs


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    folder = tmp_path_factory.mktemp("export_report")
    config, summary = build_outputs(folder)
    return config, summary


def test_gemeente_regio_table():
    table = gemeente_regio()
    assert len(table) == 56 and table["gemeente_code"].is_unique
    assert set(table["regio"]) == {"West-Brabant", "Midden-Brabant", "Noordoost-Brabant", "Zuidoost-Brabant"}
    assert table.set_index("gemeente_code").loc["GM0772", "regio"] == "Zuidoost-Brabant"
    assert table.set_index("gemeente_code").loc["GM0855", "regio"] == "Midden-Brabant"


def test_ranking_csv(built):
    config, _ = built
    rapport = pd.read_csv(config.paths.processed / "rapport.csv")
    assert list(rapport["rang"]) == sorted(rapport["rang"])
    assert rapport.iloc[0]["naam"] == "Haven Noord"
    for col in ("potentie_milieuruimte_ha", "potentie_kades_m", "potentie_bebouwing_m2", "potentie_uitgeefbaar_ha",
                "vlag_klasse", "flag_stabiliteit", "waarom", "regio"):
        assert col in rapport.columns
    assert len(rapport) == 6


def test_totals_per_gemeente_equal_hand_sums(built):
    config, _ = built
    terreinen = pd.read_parquet(config.paths.processed / "terreinen_strategisch.parquet")
    gemeenten = pd.read_csv(config.paths.processed / "rapport_gemeenten.csv", dtype={"gemeente_code": str})
    g = gemeenten.set_index("gemeente_code")
    tilburg = terreinen[terreinen["gemeente_code"] == "GM0855"]
    assert g.loc["GM0855", "aantal_terreinen"] == 3
    assert g.loc["GM0855", "aantal_strategisch"] == int(tilburg["vlag"].sum())
    assert g.loc["GM0855", "potentie_kades_m"] == pytest.approx(tilburg["potentie_kades_m"].sum())
    assert g.loc["GM0855", "potentie_milieuruimte_ha"] == pytest.approx(tilburg["potentie_milieuruimte_ha"].sum())
    assert g.loc["GM0855", "gemeente_naam"] == "Tilburg"
    assert g.loc["GM0000", "regio"] == "onbekend"
    assert g.loc["Totaal", "potentie_bebouwing_m2"] == pytest.approx(terreinen["potentie_bebouwing_m2"].sum())
    assert g.loc["Totaal", "aantal_terreinen"] == len(terreinen)


def test_totals_per_regio(built):
    config, _ = built
    terreinen = pd.read_parquet(config.paths.processed / "terreinen_strategisch.parquet")
    regios = pd.read_csv(config.paths.processed / "rapport_regios.csv").set_index("regio")
    eindhoven = terreinen[terreinen["gemeente_code"] == "GM0772"]
    assert regios.loc["Zuidoost-Brabant", "potentie_uitgeefbaar_ha"] == pytest.approx(
        eindhoven["potentie_uitgeefbaar_ha"].sum())
    assert regios.loc["onbekend", "aantal_terreinen"] == 1
    assert regios.drop("Totaal")["aantal_terreinen"].sum() == len(terreinen)


def test_html_report(built):
    config, _ = built
    html = (config.paths.maps / "rapport.html").read_text(encoding="utf-8")
    for text in ("Totalen per regio", "Totalen per gemeente", "Ranglijst", "Instellingen", "Bronnen",
                 "Haven Noord", "Midden-Brabant", "Waarom", 'lang="nl"', "gpkg_naam",
                 "data/raw/demo/ibis/IBIS_Bedrijventerreinen.gpkg", "2025-12-01"):
        assert text in html
    assert "http://" not in html.replace("http://www.w3.org", "") and "https://" not in html.replace(
        "https://example.org/capaciteitskaart", "")


def test_ranking_columns_are_the_catalogue_rapport_columns(built):
    config, _ = built
    header = pd.read_csv(config.paths.processed / "rapport.csv", nrows=0).columns.tolist()
    expected = [c.name for c in catalogue.columns("terreinen_uitvoer") if c.rapport]
    assert header == expected  # machine-readable: column names, catalogue order
    assert {"rang", "vlag_klasse", "waarom", "potentie_kades_m"} <= set(header)


def test_html_headers_and_decimals_from_the_catalogue(built):
    config, _ = built
    html = (config.paths.maps / "rapport.html").read_text(encoding="utf-8")
    for header in ("Bruto oppervlakte (ha)", "Onbenutte bouwruimte (m²)", "Stabiliteit van de vlag", "Terreinen",
                   "Strategisch (vlag)"):
        assert f"<th>{header}</th>" in html
    # Haven Noord: score 0.82 with 3 decimals, stabiliteit 0.97 with 2, 54 ha with 1, 270000 m² with none
    for cell in ("0,820", "0,97", "54,0", "270.000"):
        assert f'<td class="getal">{cell}</td>' in html
    assert '<td class="getal">213,0</td>' in html  # the total of ha_bruto


def test_new_rapport_indicator_needs_no_code_change(built):
    """An indicator registered with rapport=True shows in the ranking, both pages and (ha) the totals."""
    config, _ = built
    inputs = read_inputs(config)
    inputs.terreinen["testindicator_ha"] = 12.34
    catalogue.register("terreinen_uitvoer", catalogue.Column("testindicator_ha", "float", "Testindicator", "ha", 1,
                                                             groep="Algemeen", rapport=True))
    try:
        assert "testindicator_ha" in ranking(inputs.terreinen).columns
        assert totals(inputs.terreinen, "regio").iloc[-1]["testindicator_ha"] == pytest.approx(6 * 12.34)
        ranglijst = render_ranglijst(config, inputs)
        rapport = render_rapport(config, inputs)
    finally:
        catalogue.unregister("terreinen_uitvoer", "testindicator_ha")
    assert '<th data-type="getal">Testindicator (ha)</th>' in ranglijst and ">12,3</td>" in ranglijst
    assert rapport.count("<th>Testindicator (ha)</th>") == 3  # regio totals, gemeente totals, ranking


def test_dutch_numbers():
    assert nl(1234.5, 1) == "1.234,5"
    assert nl(True) == "ja"
    assert nl(None) == "–"
    assert nl(float("nan")) == "–"
    assert nl(12, 0) == "12"


def test_typologie_counts_and_ha_per_regio(built):
    """Fixture types: NB-001 (Eindhoven, Zuidoost-Brabant, 900 x 600 m = 54 ha) beschermen en benutten; NB-002
    (Eindhoven, 700 x 500 = 35 ha) beschermen; Tilburg (Midden-Brabant): NB-003 (56 ha) benutten / herstructureren,
    NB-004 (20 ha) beschermen, NB-005 (36 ha) regulier; NB-006 (GM0000, regio onbekend, 12 ha) regulier."""
    config, _ = built
    typ = pd.read_csv(config.paths.processed / "rapport_typologie.csv").set_index(["regio", "typologie"])
    assert typ.loc[("Zuidoost-Brabant", "beschermen en benutten"), ["aantal", "ha_bruto"]].tolist() == [1, 54.0]
    assert typ.loc[("Zuidoost-Brabant", "regulier"), ["aantal", "ha_bruto"]].tolist() == [0, 0.0]
    assert typ.loc[("Midden-Brabant", "benutten / herstructureren"), "ha_bruto"] == pytest.approx(56.0)
    assert typ.loc[("onbekend", "regulier"), "aantal"] == 1
    assert typ.loc[("Totaal", "beschermen"), ["aantal", "ha_bruto"]].tolist() == [2, 55.0]
    assert typ.loc[("Totaal", "regulier"), ["aantal", "ha_bruto"]].tolist() == [2, 48.0]
    assert typ.loc[("Totaal", "beschermen en benutten"), "actie"].startswith("Prioriteit")
    assert len(typ) == 4 * 4  # three regions and Totaal, four types each
    html = (config.paths.maps / "rapport.html").read_text(encoding="utf-8")
    assert "<h2>Typologie: strategisch × benutting</h2>" in html
    assert "<b>beschermen en benutten (1)</b>" in html and "regulier (2)" in html
    rapport = pd.read_csv(config.paths.processed / "rapport.csv")
    assert {"typologie", "typologie_reden", "typologie_actie", "rang_kwaliteiten"} <= set(rapport.columns)
    ranglijst = (config.paths.maps / "ranglijst.html").read_text(encoding="utf-8")  # narrow: action and reason as tooltip
    assert ('<td class="typ" title="actie beschermen en benutten (strategisch; test)">beschermen en benutten</td>'
            in ranglijst)
