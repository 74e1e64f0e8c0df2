"""The register of vestigingen in the deliverables: the CSVs (per terrein, per regio, per vestiging), the report
section and the GeoPackage layers, on the fabricated processed files of export_fixtures.

Fixture: per terrein two vestigingen on kavel K1; the first holds HMC room on NB-001 and NB-002 (half the
terrein's ha each: 27 and 17.5 ha), quay on NB-001 and NB-004 (150 m each) and terrein land as a lage categorie
on NB-003 (28 ha). GM0772 lies in Zuidoost-Brabant, GM0855 in Midden-Brabant, GM0000 is unknown."""
import sqlite3

import geopandas as gpd
import pandas as pd
import pytest

from export_fixtures import build_outputs


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    folder = tmp_path_factory.mktemp("export_register")
    config, summary = build_outputs(folder)
    return config, summary


def test_register_per_terrein_sorted_by_scarce_capacity_and_regio_totals(built):
    config, _ = built
    t = pd.read_csv(config.paths.processed / "register_terreinen.csv", keep_default_na=False)
    # terreinen first: quay metres, then HMC ha, then lage categorie ha (NB-005 and NB-006 hold nothing)
    assert t["rin_nummer"].tolist()[:4] == ["NB-001", "NB-004", "NB-002", "NB-003"]
    regios = t.iloc[4:].set_index("naam")
    assert list(regios.index) == ["Midden-Brabant", "Zuidoost-Brabant", "onbekend", "Totaal"]
    assert regios.loc["Zuidoost-Brabant", ["register_aantal", "register_kade_m", "register_hmc_ha"]].tolist() == \
        pytest.approx([2, 150.0, 44.5])
    assert regios.loc["Midden-Brabant", ["register_aantal", "register_kade_m", "register_laag_ha"]].tolist() == \
        pytest.approx([2, 150.0, 28.0])
    assert regios.loc["Totaal", ["register_aantal", "register_kade_m", "register_hmc_ha", "register_laag_ha",
                                 "vestigingen_aantal"]].tolist() == pytest.approx([4, 300.0, 44.5, 28.0, 12])


def test_register_lists_only_the_vestigingen_that_hold_a_scarce_quality(built):
    config, _ = built
    v = pd.read_csv(config.paths.processed / "register_vestigingen.csv")
    assert v["vestiging_id"].tolist() == ["V00", "V30", "V10", "V20"]
    assert v["gemeente_naam"].tolist()[0] == "Eindhoven"
    assert v.set_index("vestiging_id").loc["V20", "klasse"] == "lage categorie op bedrijventerrein"


def test_report_section_states_the_register_and_where_categories_came_from(built):
    config, _ = built
    html = (config.paths.maps / "rapport.html").read_text(encoding="utf-8")
    section = html[html.index('id="register"'):html.index("<h2>Instellingen</h2>")]
    assert "Vestigingen die een schaarse kwaliteit bezetten" in section
    assert "HMC-kavel, geen HMC nodig: 2 vestigingen" in section
    assert "ingebouwde tabel (VNG 2009): 182 rijen, waarvan 54 met bron bevestigd" in section
    assert "kregen 0 hun milieucategorie uit bevestigde rijen, 12 uit onbevestigde rijen" in section
    assert '<td class="getal">44,5</td>' in section and '<td class="getal">300</td>' in section


def test_geopackage_has_the_vestigingen_and_gevoelige_objecten_styled(built):
    config, _ = built
    gpkg = config.paths.processed / config.export.gpkg_naam
    v = gpd.read_file(gpkg, layer="vestigingen")
    assert len(v) == 12 and v.crs.to_epsg() == 28992 and "reden" in v.columns
    assert len(gpd.read_file(gpkg, layer="gevoelige_objecten")) == 7  # one dwelling per terrein, a bedrijfswoning
    with sqlite3.connect(gpkg) as db:
        styles = dict(db.execute("SELECT f_table_name, styleQML FROM layer_styles WHERE useAsDefault").fetchall())
        meta = db.execute("SELECT metadata FROM gpkg_metadata WHERE mime_type='application/json'").fetchone()[0]
    assert 'attr="klasse"' in styles["vestigingen"] and "kadekavel, niet watergebonden" in styles["vestigingen"]
    assert "&quot;gevoelig&quot; = true" in styles["gevoelige_objecten"]
    assert '"rijen_bevestigd": 54' in meta
