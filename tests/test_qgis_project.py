"""The QGIS project in the GeoPackage, opened by QGIS 3.22 itself (Debian's python3-qgis, headless).

What a GIS specialist gets with Project > Open From > GeoPackage: the groups in order with the inputs off and
collapsed, every layer valid and styled (the inputs too), dense layers only when zoomed in, labels on names, the
alternative styles selectable, a print layout with legend and provenance; and pictures that are not empty (the
start view and the layout are rendered to PNG in the test run). The GeoPackage is moved to another folder first:
the project's relative sources must follow it.
"""
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from export_fixtures import build_outputs

DEBIAN_PYTHON = Path("/usr/bin/python3")
CHECK = Path(__file__).with_name("qgis_project_check.py")


def _qgis_available() -> str | None:
    if not DEBIAN_PYTHON.exists():
        return "/usr/bin/python3 not found"
    probe = subprocess.run([str(DEBIAN_PYTHON), "-s", "-E", "-c", "import qgis.core"], capture_output=True, text=True)
    return None if probe.returncode == 0 else "Debian's python3-qgis is not installed (apt install python3-qgis; " \
                                              "../shared/tools/install.sh installs it on CI)"


pytestmark = pytest.mark.skipif(_qgis_available() is not None, reason=f"QGIS 3.22 needed: {_qgis_available()}")


@pytest.fixture(scope="module")
def opened(tmp_path_factory, screenshots):
    folder = tmp_path_factory.mktemp("qgis_project")
    config, _ = build_outputs(folder / "run")
    moved = folder / "elders" / config.export.gpkg_naam
    moved.parent.mkdir()
    shutil.move(config.paths.processed / config.export.gpkg_naam, moved)
    out = subprocess.run([str(DEBIAN_PYTHON), "-s", "-E", str(CHECK), str(moved), config.export.qgis_project,
                          str(screenshots)], capture_output=True, text=True, timeout=300,
                         env={"QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin", "HOME": str(folder)})
    assert out.stdout.strip(), f"QGIS check produced no report:\n{out.stderr[-3000:]}"
    return json.loads(out.stdout.strip().splitlines()[-1]), moved


def test_project_loads_from_the_geopackage_with_every_layer_valid(opened):
    report, moved = opened
    assert report["read"], report["error"]
    assert report["title"].startswith("Strategische vestigingsplaatsen") and report["crs"] == "EPSG:28992"
    assert not report["absolute_paths"]
    layers = report["layers"]
    assert len(layers) == 18  # 9 results (typologie included), 7 inputs, 2 borders (the fixture has no spoor, opritten, ...)
    for name, layer in layers.items():
        assert layer["valid"], f"{name}: {layer}"
        assert layer["source"].startswith(f"{moved}|layername="), layer["source"]  # followed the moved file
        assert layer["crs"] == "EPSG:28992"
    assert layers["Bedrijventerreinen (vlag)"]["features"] == 6 and layers["Kavels (bebouwingsgraad)"]["features"] == 12
    assert not [m for m in report["messages"] if "error" in m.lower()], report["messages"]


def test_groups_order_and_visibility(opened):
    report, _ = opened
    groups = {g["name"]: g for g in report["groups"]}
    assert [g["name"] for g in report["groups"]] == ["Resultaten", "Invoer", "Achtergrond"]
    assert groups["Resultaten"]["checked"] and groups["Resultaten"]["expanded"]
    assert not groups["Invoer"]["checked"] and not groups["Invoer"]["expanded"]
    assert groups["Achtergrond"]["layers"] == ["Provinciegrenzen", "Gemeentegrenzen"]
    assert groups["Invoer"]["layers"] == [
        "BAG verblijfsobjecten", "Kades (BGT-type)", "Vaarwegen (CEMT-klasse)", "BAG panden (gebruik)",
        "Kavels (uitgiftestatus)", "Bedrijventerreinen (IBIS)", "Bestemmingsvlakken en geluidzones (categorie)"]
    order = report["order"]  # drawn last to first: points over lines over areas, results over the background
    assert order.index("Vestigingen (register)") < order.index("Kades (status)") < order.index(
        "Kavels (bebouwingsgraad)") < order.index("Bedrijventerreinen (vlag)") < order.index("Gemeentegrenzen")
    layers = report["layers"]
    assert not layers["Milieuruimte: contouren"]["checked"] and layers["Bedrijventerreinen (vlag)"]["checked"]
    assert not layers["Typologie: strategisch × benutting"]["checked"]


def test_every_layer_styled_dense_layers_by_scale_labels_on_names(opened):
    report, _ = opened
    layers = report["layers"]
    expected = {"BAG panden (gebruik)": ("categorizedSymbol", "gebruik", "Industrie"),
                "BAG verblijfsobjecten": ("RuleRenderer", None, "Gevoelig object (wonen, onderwijs, zorg, ...)"),
                "Vaarwegen (CEMT-klasse)": ("RuleRenderer", None, "CEMT Va en hoger"),
                "Bestemmingsvlakken en geluidzones (categorie)": ("RuleRenderer", None, "Tot en met categorie 4.1"),
                "Kades (BGT-type)": ("categorizedSymbol", "bgt_type", "Kademuur"),
                "Kades (status)": ("categorizedSymbol", "status", "Onbenut (niet watergebonden)"),
                "Bedrijventerreinen (vlag)": ("categorizedSymbol", "vlag_klasse", "Strategisch"),
                "Gemeentegrenzen": ("singleSymbol", None, None)}
    for name, (renderer, field, label) in expected.items():
        layer = layers[name]
        assert layer["renderer"] == renderer and layer["field"] == field, (name, layer)
        assert label is None or label in layer["classes"], (name, layer["classes"])
    generic = [name for name, layer in layers.items() if layer["style"].startswith("invoer_")]
    assert generic == [], f"layers with the generic single-symbol style: {generic}"
    assert layers["BAG panden (gebruik)"]["scale_limit"] == 10000
    assert layers["BAG verblijfsobjecten"]["scale_limit"] == 10000
    assert layers["Bedrijventerreinen (vlag)"]["scale_limit"] is None
    assert layers["Bedrijventerreinen (vlag)"]["label_field"] == "naam"
    assert layers["Gemeentegrenzen"]["label_field"] == "gemeente_naam"
    assert set(layers["Bedrijventerreinen (vlag)"]["styles"]) == {"terreinen_vlag", "terreinen_score", "terreinen_typologie"}
    assert layers["Netcapaciteit"]["style"] == "netcapaciteit_afname"


def test_print_layout_with_legend_and_provenance(opened):
    report, _ = opened
    lay = report["layout"]
    assert lay["layouts"] == ["Overzicht"]
    assert "Bedrijventerreinen (vlag)" in lay["legend"] and "Gemeentegrenzen" in lay["legend"]
    assert lay["legend_groups"] == ["Resultaten", "Achtergrond"]
    assert "BAG panden (gebruik)" not in lay["legend"]  # the inputs are off: not in the legend
    provenance = next(text for text in lay["labels"] if "Bronnen:" in text)
    for needed in ("Gemaakt ", "met strategische-vestigingsplaatsen", "EPSG:28992", "terreinen (IBIS_Bedrijventerreinen"
                   ".gpkg, 2024-01-01)", "netcapaciteit (capaciteitskaart.geojson, 2025-12-01)", "CC BY 4.0"):
        assert needed in provenance, (needed, provenance)
    assert "Bronnen:" in report["abstract"]


def test_rendered_pictures_are_not_empty(opened, screenshots):
    report, _ = opened
    view, export = report["view"], report["layout"]["export"]
    assert not view["errors"] and Path(view["png"]).is_file()
    assert "Bedrijventerreinen (vlag)" in view["layers"] and "Gemeentegrenzen" in view["layers"]
    assert view["drawn"] > 0.02, view  # terreinen, borders and labels cover part of the picture (4.6% here)
    assert export["ok"] and Path(export["png"]).is_file() and export["drawn"] > 0.02, export
