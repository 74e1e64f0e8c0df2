"""The detail pages and the offline base layer in a real headless browser (Debian's Chromium), offline.

Every request that is not file:/data: is aborted and recorded (the pages must not make any). What a reviewer
sees is asserted: each detail page's layers in the layer control and drawn, a click on a kavel opening its popup
with the catalogue's numbers, the switchable colourings, the distance to the gevoelig object on each kavel, the
side panel with every indicator; and the base layer (borders and names) on the overview and on a detail page is
not empty: with every data layer hidden, a screenshot of the map still shows borders and names. Screenshots are
left in the `screenshots` folder (printed at the end of the run).
"""
import io

import pytest

from export_fixtures import TERREINEN, build_outputs
from conftest import CHROMIUM
from test_maps_browser import Page, row_value, settled

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium not installed (Debian package "
                                                                "chromium); the browser tests need it")
# layer key in SVP_DETAIL -> its entry in the layer control
NAMES = {"basis": "Gemeente- en provinciegrenzen (offline)", "netcapaciteit": "Netcapaciteit afname (voedingsgebieden)",
         "vaarwegen": "Vaarwegen (CEMT-klasse)", "kavels": "Kavels", "zonering": "Bestemmingsvlakken (milieucategorie)",
         "contouren": "Milieuruimte: waar een categorie past", "panden": "Panden (BAG, gebruik)",
         "kades": "Kades (status of bereikbare klasse)", "afstanden": "Afstand kavel – gevoelig object",
         "vestigingen": "Vestigingen (klasse in het register)", "gevoelig": "Gevoelige objecten"}
BACKGROUND = (0xF4, 0xF3, 0xEE)  # .leaflet-container background without OpenStreetMap


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    config, _ = build_outputs(tmp_path_factory.mktemp("export_detail_browser"), achtergrondkaart=True)
    return config


@pytest.fixture
def page(browser):
    p = Page(browser)
    yield p
    p.check(allow_tiles=False)  # no request at all: the OpenStreetMap overlay is off
    assert not p.requests
    p.close()


def open_detail(p, config, rin):
    page = p.open(config.paths.maps / "terreinen" / f"{rin}.html")
    page.wait_for_function("window.svpDetail !== undefined", timeout=10000)
    return page


def drawn_share(png: bytes, box=None) -> float:
    """Share of pixels (every 3rd) that differ clearly from the map's plain background."""
    from PIL import Image
    image = Image.open(io.BytesIO(png)).convert("RGB")
    pixels = image.load()
    w, h = image.size
    total = drawn = 0
    for y in range(0, h, 3):
        for x in range(0, w, 3):
            total += 1
            drawn += sum(abs(a - b) for a, b in zip(pixels[x, y], BACKGROUND)) > 40
    return drawn / total


def only_base_layer(page) -> None:
    """Hide every data pane, the popups and the controls: what remains is the base layer on the background."""
    page.add_style_tag(content=".leaflet-map-pane > .leaflet-pane:not(.leaflet-svpGrenzen-pane):not("
                               ".leaflet-svpNamen-pane), .leaflet-control-container, .svp-titel "
                               "{ visibility: hidden !important; }")
    page.wait_for_timeout(200)


def test_each_detail_page_shows_its_layers(built, page, screenshots):
    for rin, naam, *_ in TERREINEN:
        view = open_detail(page, built, rin)
        data = view.evaluate("SVP_DETAIL")
        entries = [t.strip() for t in view.locator(".leaflet-control-layers-overlays label").all_inner_texts()]
        layers = [key for key in NAMES if data.get(key)]
        assert entries == ["Achtergrond: OpenStreetMap (alleen online)"] + [NAMES[key] for key in layers], entries
        assert {"kavels", "panden", "vestigingen", "gevoelig", "afstanden", "contouren", "zonering", "basis"} <= \
            set(layers), (rin, layers)
        for label in view.locator(".leaflet-control-layers-overlays label").all()[1:]:
            label.locator("input").check()  # the layers that start off too (not OpenStreetMap: no network here)
        for key in layers:
            if key == "basis":  # borders within 10 km (clipped) and the names of the gemeenten there
                basis = data["basis"]
                assert view.locator(".leaflet-svpGrenzen-pane path").count() == len(basis["grenzen"]["features"])
                assert view.locator(".leaflet-svpNamen-pane .svp-naam").count() == len(basis["namen"]["features"])
                continue
            drawn = view.locator(f".leaflet-svp{key}-pane path").count()
            assert drawn >= len(data[key]["features"]) >= 1, (rin, key, drawn)
        assert naam in view.locator("#kop h1").inner_text()
        legend = view.locator("#svp-legenda").inner_text()  # every layer switched on has its legend
        for title in ("Kavels", "Vestigingen (register)", "Gevoelige objecten", "Panden (gebruik)", "Bestemmingsvlakken",
                      "Milieuruimte: categorie past", "Afstand kavel – gevoelig object"):
            assert title in legend, (rin, title)
        assert "tot en met categorie 4.1" in legend and "categorie 5.1" in legend
    view.screenshot(path=str(screenshots / "detail_alle_lagen.png"))


def test_click_on_a_kavel_shows_its_popup(built, page, screenshots):
    view = open_detail(page, built, "NB-001")
    box = view.locator("#kaart").bounding_box()  # the left kavel (450 m x 600 m) of the terrein, above its hall
    view.mouse.click(box["x"] + box["width"] / 2 - 100, box["y"] + box["height"] / 2 - 40)
    popup = view.locator(".leaflet-popup-content")
    popup.wait_for(timeout=5000)
    assert "Kavel NB-001-K1" in popup.inner_text()
    assert row_value(popup, "Oppervlakte") == "270.000 m²"
    assert row_value(popup, "Afstand tot gevoelig object") == "250 m"
    assert row_value(popup, "Dichtstbijzijnd gevoelig object (BAG)") == "VBO-NB-001"
    assert row_value(popup, "Mogelijke categorie") == "4.1"
    settled(view)
    popup.locator("summary", has_text="Bebouwing").click()
    assert row_value(popup, "Bebouwingsgraad (GSI)") == "0,30"
    view.screenshot(path=str(screenshots / "detail_kavel_popup.png"))


def fills(view) -> dict:
    return view.evaluate("""() => { const out = {}; svpDetail.lagen.kavels.eachLayer(l => {
        out[l.feature.properties.kavel_id] = l.options.fillColor; }); return out; }""")


def test_kavel_colourings_and_their_legends(built, page, screenshots):
    view = open_detail(page, built, "NB-001")
    legend = view.locator("#svp-legenda")
    assert fills(view) == {"NB-001-K1": "#ffffbf", "NB-001-K2": "#fdae61"}  # GSI 0,30 and 0 (onderbenut)
    assert "< 0,3 (onderbenut)" in legend.inner_text()
    expected = {"categorie": ({"NB-001-K1": "#fc4e2a", "NB-001-K2": "#fc4e2a"}, "categorie 4.1"),
                "gebruik": ({"NB-001-K1": "#fdae61", "NB-001-K2": "#2b83ba"}, "vacant"),
                "hmc": ({"NB-001-K1": "#d7191c", "NB-001-K2": "#2b83ba"}, "HMC-ruimte, bezet door niet-HMC"),
                "net": ({"NB-001-K1": "#d7191c", "NB-001-K2": "#d7191c"}, "rood")}
    for mode, (colours, text) in expected.items():
        view.select_option("#svp-kavelkleur", mode)
        assert fills(view) == colours, mode
        assert text in view.locator("#svp-legenda").inner_text(), mode
        if mode == "categorie":
            view.screenshot(path=str(screenshots / "detail_kleur_categorie.png"))
    view.select_option("#svp-kadekleur", "bereikbaar")
    colours = view.evaluate("""() => { const out = []; svpDetail.lagen.kades.eachLayer(l => out.push(l.options.color));
        return out; }""")
    assert set(colours) == {"#2171b5"}  # reachable class IV
    assert "CEMT IV" in view.locator("#svp-legenda").inner_text()


def test_distance_to_the_gevoelig_object_on_each_kavel(built, page):
    view = open_detail(page, built, "NB-001")
    labels = view.locator(".svp-afstand")
    assert sorted(t.replace("\xa0", " ") for t in labels.all_inner_texts()) == ["250 m", "251 m"]
    assert labels.first.is_visible()
    view.locator(".leaflet-control-layers-overlays label", has_text="Afstand kavel").locator("input").uncheck()
    view.wait_for_function("document.querySelectorAll('.svp-afstand').length === 0", timeout=3000)  # fades out
    view.locator("#svp-naar-gevoelig").click()
    view.wait_for_timeout(400)
    inside = view.evaluate("""() => { const b = svpDetail.map.getBounds(); let n = 0;
        svpDetail.lagen.gevoelig.eachLayer(l => { if (b.contains(l.getLatLng())) n++; }); return n; }""")
    assert inside == 2  # the dwelling 250 m away and the bedrijfswoning


def test_side_panel_shows_every_indicator(built, page):
    view = open_detail(page, built, "NB-001")
    panel = view.locator("#svp-indicatoren")
    text = panel.inner_text()
    assert "strategisch · rang 1" in text and "score 0,820" in text and "Waarom:" in text
    assert "Op de kaart: 2 kavels, 2 panden, 2 vestigingen, 2 gevoelige objecten, 3 kadesegmenten." in text
    summaries = [s.strip() for s in panel.locator("summary").all_inner_texts()]
    for title in ("Onbenutte potentie", "Vlag en score", "Algemeen", "Milieuruimte", "Kades", "Bebouwing",
                  "Netcapaciteit", "Ontsluiting", "Cluster", "Juiste bedrijf, juiste plek", "Criteria"):
        assert title in summaries, (title, summaries)
    assert row_value(panel, "Onbenutte milieuruimte") == "5,4 ha"
    panel.locator("summary", has_text="Algemeen").click()
    assert row_value(panel, "Bruto oppervlakte") == "54,0 ha"
    data = view.evaluate("SVP_DETAIL.terrein.features[0].properties")
    sections = view.evaluate("SVP_DETAIL.secties.terrein")
    shown = sum(1 for s in sections if s[0] != "Criteria" for c in s[1] if c in data)
    assert panel.locator("table:not(.svp-criteria) tr").count() == shown  # every indicator has its row
    criteria = view.evaluate("SVP_DETAIL.criteria")  # and each criterion one row: raw, norm, weight, ..., sterk
    assert panel.locator("table.svp-criteria tr").count() == 1 + len(criteria)


def test_overview_base_layer_is_not_empty(built, page, screenshots):
    view = page.open(built.paths.maps / "index.html")
    view.wait_for_selector(".leaflet-svpGrenzen-pane path", state="attached", timeout=10000)
    view.screenshot(path=str(screenshots / "overzicht.png"))
    assert view.locator(".svp-naam-gemeente span").filter(visible=True).count() >= 3
    assert "Eindhoven" in view.locator(".leaflet-svpNamen-pane").inner_text()
    only_base_layer(view)
    png = view.locator("#svp-kaart").screenshot(path=str(screenshots / "overzicht_alleen_achtergrond.png"))
    assert drawn_share(png) > 0.01  # borders and names, not a plain background
    view.evaluate("""() => { const m = Object.values(window).find(v => v instanceof L.Map);
        m.eachLayer(l => { if (l.options && l.options.pane === 'svpGrenzen') m.removeLayer(l); }); }""")
    view.evaluate("document.querySelectorAll('.leaflet-svpNamen-pane *').forEach(e => e.remove())")
    assert drawn_share(view.locator("#svp-kaart").screenshot()) < 0.001  # the check sees an empty map as empty


def test_detail_base_layer_is_not_empty(built, page, screenshots):
    view = open_detail(page, built, "NB-002")
    view.screenshot(path=str(screenshots / "detail.png"))
    assert "Eindhoven" in view.locator(".leaflet-svpNamen-pane").inner_text()
    view.evaluate("svpDetail.map.setZoom(12, {animate: false})")  # zoomed out: the borders around the terrein
    view.wait_for_timeout(300)
    only_base_layer(view)
    png = view.locator("#kaart").screenshot(path=str(screenshots / "detail_alleen_achtergrond.png"))
    assert drawn_share(png) > 0.005
    assert view.locator(".svp-naam-gemeente span").filter(visible=True).count() >= 1

