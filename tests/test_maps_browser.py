"""The overview map in a real headless browser (Debian's Chromium through Playwright), offline.

Every request that is not file:/data: is aborted and recorded; only OpenStreetMap tile requests (the optional
background) are allowed. Console errors and page errors fail the test.
"""
import re
from pathlib import Path

import pytest

from conftest import CHROMIUM
from export_fixtures import TERREINEN, build_outputs

TILE_URL = re.compile(r"^https?://([a-c]\.)?tile\.openstreetmap\.org/\d+/\d+/\d+\.png$")

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium not installed (Debian package "
                                                                "chromium); the browser tests need it")


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    folder = tmp_path_factory.mktemp("export_browser")
    config, summary = build_outputs(folder, achtergrondkaart=True)
    return config


class Page:
    """A page with every external request blocked and recorded, and JS errors collected."""

    def __init__(self, browser):
        self.context = browser.new_context(viewport={"width": 1280, "height": 800})
        self.page = self.context.new_page()
        self.requests: list[str] = []
        self.errors: list[str] = []

        def route(r):
            url = r.request.url
            if url.startswith(("file:", "data:")):
                r.continue_()
            else:
                self.requests.append(url)
                r.abort()

        self.page.route("**/*", route)
        self.page.on("console", lambda m: self.errors.append(f"console: {m.text}")
                     if m.type == "error" and "Failed to load resource" not in m.text else None)
        self.page.on("pageerror", lambda e: self.errors.append(f"pageerror: {e}"))

    def open(self, path: Path):
        self.page.goto(path.resolve().as_uri(), wait_until="load")
        return self.page

    def check(self, allow_tiles=True):
        assert not self.errors, self.errors
        other = [u for u in self.requests if not (allow_tiles and TILE_URL.match(u))]
        assert not other, f"network requests besides optional tiles: {other}"

    def close(self):
        self.context.close()


def open_terrein_popup(page, naam: str):
    """Zoom to a terrein without animation and click the middle of the map, as a person would."""
    page.evaluate("""naam => { let hit; window.svpTerreinen.eachLayer(l => {
        if (l.feature.properties.naam === naam) hit = l; });
        hit._map.fitBounds(hit.getBounds(), {animate: false}); }""", naam)
    page.wait_for_timeout(300)
    box = page.locator(".leaflet-container").bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2 + 40)
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for(timeout=5000)
    settled(page, "window.svpTerreinen._map")
    return popup


def settled(page, map_js: str = "window.svpDetail.map") -> None:
    """Wait until the map stops moving. Opening a popup pans the map until the popup fits (Leaflet's autopan, 0.25 s);
    a click during the pan can land on whatever has moved under the pointer: the map, which closes the popup and
    opens it anew with its sections closed."""
    page.wait_for_function(f"() => !({map_js}._panAnim && {map_js}._panAnim._inProgress)")


def row_value(popup, label: str) -> str:
    """The value cell of the visible popup row whose header is exactly `label` (non-breaking spaces as spaces)."""
    row = popup.locator("tr").filter(visible=True).filter(has=popup.page.locator("th", has_text=re.compile(f"^{re.escape(label)}$")))
    from playwright.sync_api import TimeoutError as Timeout
    try:  # a section just opened (a click on its summary) may take a frame to show its rows
        row.first.wait_for(state="visible", timeout=5000)
    except Timeout:
        pass  # the count below says what is wrong
    assert row.count() == 1, f"{label}: {row.count()} rows"
    return row.locator("td").inner_text().replace("\xa0", " ")


def test_overview_map(built, browser):
    p = Page(browser)
    try:
        page = p.open(built.paths.maps / "index.html")
        page.wait_for_selector(".leaflet-overlay-pane svg path", state="attached", timeout=10000)
        assert page.evaluate("L.version") == "1.9.3"
        n_paths = page.locator(".leaflet-overlay-pane svg path").count()
        assert n_paths >= len(TERREINEN)
        # legend and layer control
        legend = page.locator(".svp-legend").filter(has_text="Bedrijventerreinen")
        assert legend.count() == 1 and "strategisch" in legend.inner_text()
        assert "Kades (status)" in "".join(page.locator(".svp-legend").all_inner_texts())
        entries = [t.strip() for t in page.locator(".leaflet-control-layers-overlays label").all_inner_texts()]
        for name in ("Bedrijventerreinen (vlag / score / typologie)", "Kades (status)", "Milieuruimte: contouren",
                     "Netcapaciteit afname", "Netcapaciteit invoeding", "Clusters"):
            assert name in entries, entries
        # click a terrein: zoom to it, click the centre of the map
        popup = open_terrein_popup(page, "Haven Noord")
        text = popup.inner_text()
        assert "Haven Noord" in text and "Waarom" in text and "kade 300 m aan CEMT Va" in text
        assert "Onbenutte potentie" in text
        assert "Typologie: beschermen en benutten – actie beschermen en benutten" in text
        page.locator(".leaflet-popup-close-button").click()
        page.wait_for_selector(".leaflet-popup", state="detached", timeout=5000)
        # search box finds a name
        page.fill("#svp-zoekveld", "Loven")
        page.press("#svp-zoekveld", "Enter")
        popup.wait_for(timeout=5000)
        page.wait_for_function("document.querySelector('.leaflet-popup-content h3').textContent === 'Loven'",
                               timeout=5000)
        page.fill("#svp-zoekveld", "bestaat niet")
        page.press("#svp-zoekveld", "Enter")
        assert "Geen terrein gevonden" in page.locator("#svp-zoekmelding").inner_text()
        # switching a layer on shows its legend; colouring by score changes the legend
        page.locator(".leaflet-control-layers-overlays label", has_text="Netcapaciteit afname").locator("input").check()
        page.wait_for_selector(".svp-legend:has-text('Netcapaciteit afname')", timeout=3000)
        page.select_option("#svp-kleurkeuze", "score")
        assert "score" in page.locator(".svp-legend").filter(has_text="Bedrijventerreinen").inner_text()
        # colouring by typologie: the four types in the legend, each terrein filled with its type's colour
        page.select_option("#svp-kleurkeuze", "typologie")
        legend_text = page.locator(".svp-legend").filter(has_text="Bedrijventerreinen").inner_text()
        for typ in ("beschermen en benutten", "beschermen", "benutten / herstructureren", "regulier"):
            assert typ in legend_text
        fills = page.evaluate("""() => { const out = {}; window.svpTerreinen.eachLayer(l => {
            out[l.feature.properties.naam] = l.options.fillColor; }); return out; }""")
        assert fills["Haven Noord"] == "#e66101" and fills["De Hurk"] == "#5e3c99"   # strategisch: onder / goed benut
        assert fills["Kraaiven"] == "#fdb863" and fills["Vossenberg"] == "#d9d9d9"   # niet strategisch
        p.check(allow_tiles=False)  # the background is offered but off: no request until a reviewer ticks it
        assert not p.requests
    finally:
        p.close()


def test_popup_numbers_use_the_catalogue(built, browser):
    """Labels, units and decimals in a popup are the catalogue's: ha with 1 decimal, m² with none, nl-NL."""
    p = Page(browser)
    try:
        page = p.open(built.paths.maps / "index.html")
        page.wait_for_selector(".leaflet-overlay-pane svg path", state="attached", timeout=10000)
        popup = open_terrein_popup(page, "Haven Noord")
        # open section 'Onbenutte potentie': 54 ha x 0.1 = 5.4 ha; uitgeefbaar 0 ha shown as 0,0
        assert row_value(popup, "Onbenutte milieuruimte") == "5,4 ha"
        assert row_value(popup, "Uitgeefbaar") == "0,0 ha"
        assert row_value(popup, "Onbenutte bouwruimte") == "270.000 m²"
        popup.locator("summary", has_text="Algemeen").click()
        assert row_value(popup, "Bruto oppervlakte") == "54,0 ha"  # a whole number, still with its decimal
        popup.locator("summary", has_text="Vlag en score").click()
        assert row_value(popup, "Score") == "0,820"
        assert row_value(popup, "Stabiliteit van de vlag") == "0,97"
        assert row_value(popup, "Strategisch (vlag)") == "ja"
        popup.locator("summary", has_text="Criteria").click()
        assert "rang regio" in popup.locator("table.svp-criteria").inner_text()
        p.check(allow_tiles=False)
    finally:
        p.close()


def test_overview_without_background_makes_no_requests(tmp_path, browser):
    config, _ = build_outputs(tmp_path, achtergrondkaart=False)
    p = Page(browser)
    try:
        page = p.open(config.paths.maps / "index.html")
        page.wait_for_selector(".leaflet-overlay-pane svg path", state="attached", timeout=10000)
        page.wait_for_timeout(500)
        assert page.evaluate("Object.values(window).filter(v => v instanceof L.Map)[0].getMaxZoom()") == 19
        p.check(allow_tiles=False)
        assert not p.requests
    finally:
        p.close()


def test_detail_page_and_ranglijst(built, browser):
    p = Page(browser)
    try:
        page = p.open(built.paths.maps / "terreinen" / "NB-001.html")
        page.wait_for_selector(".leaflet-svpkavels-pane svg path", state="attached", timeout=10000)
        assert page.locator(".leaflet-svpkavels-pane svg path").count() == 2  # more: test_maps_detail_browser.py
        assert "Bebouwingsgraad" in page.locator(".legend").inner_text()
        box = page.locator("#kaart").bounding_box()  # the left kavel (450 m x 600 m) of the terrein
        page.mouse.click(box["x"] + box["width"] / 2 - 100, box["y"] + box["height"] / 2)
        popup = page.locator(".leaflet-popup-content")
        popup.wait_for(timeout=5000)
        assert "Kavel NB-001-K1" in popup.inner_text()
        assert row_value(popup, "Oppervlakte") == "270.000 m²"
        settled(page)
        popup.locator("summary", has_text="Bebouwing").click()  # sections after the first two start closed
        assert row_value(popup, "Bebouwingsgraad (GSI)") == "0,30"
        page = p.open(built.paths.maps / "ranglijst.html")
        first = lambda: page.locator("#ranglijst tbody tr").first.inner_text()
        assert "Haven Noord" in first()
        page.locator("#ranglijst th", has_text="Rang").first.click()  # ascending (already)
        page.locator("#ranglijst th", has_text="Rang").first.click()  # descending
        assert "Onbekend Veld" in first()
        p.check(allow_tiles=False)
    finally:
        p.close()
