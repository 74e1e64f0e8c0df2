"""The offline page maps/zoek.html in headless Chromium: fill the form, read the listed kavels (worked out by hand,
see test_zoek.py for the worlds), see them highlighted, and find exactly what `pipeline zoek` finds.

Every request that is not file:/data: is aborted and recorded; console and page errors fail the test.
"""
import pytest

from pipeline import catalogue
from pipeline.zoek import Profiel, tabel, zoek
from pipeline.zoek.pagina import write_page
from conftest import CHROMIUM
from test_maps_browser import Page
from zoek_fixtures import config_for, kavel, terrein, water_world, write_run

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium not installed (Debian package "
                                                                "chromium); the browser tests need it")


def _page(folder, kavels, terreinen, kades=()):
    write_run(folder / "processed", kavels, terreinen, kades)
    config = config_for(folder)
    t = catalogue.read("terreinen_strategisch", config.paths.processed)
    (folder / "maps").mkdir(parents=True, exist_ok=True)
    return config, write_page(config, t, folder / "maps")


@pytest.fixture(scope="module")
def rij(tmp_path_factory):
    folder = tmp_path_factory.mktemp("zoekpagina_rij")
    a, b, c = (kavel(f"T1-{n}", "T1", x, 0, 200, 100) for n, x in (("A", 0), ("B", 200), ("C", 400)))
    d = kavel("T1-D", "T1", 600, 0, 200, 100, vacant=False, uitgifte="uitgegeven", onderbenut=False, gsi=0.6)
    e, f = kavel("T2-E", "T2", 2000, 0, 300, 100), kavel("T2-F", "T2", 2350, 0, 300, 100)
    g = kavel("T3-G", "T3", 400, 100, 200, 200)
    return _page(folder, [a, b, c, d, e, f, g], [terrein("T1", "Rij", [a[2], b[2], c[2], d[2]]),
                                                terrein("T2", "Los", [e[2], f[2]]), terrein("T3", "Buur", [g[2]])])


@pytest.fixture(scope="module")
def water(tmp_path_factory):
    folder = tmp_path_factory.mktemp("zoekpagina_water")
    kavels, kades = water_world()
    return _page(folder, kavels, [terrein("W", "Haven", [k[2] for k in kavels], afname_mw=2.0)], kades)


def _search(page, **fields):
    """Fill the form as a person does and press Zoek; return the listed rows' kavels and classes."""
    for name, value in fields.items():
        element = page.locator(f"#svp-{name}")
        tag = element.evaluate("e => e.tagName + (e.type ? ':' + e.type : '')")
        if tag.startswith("SELECT"):
            element.select_option(value)
        elif tag.endswith("checkbox"):
            element.set_checked(bool(value))
        else:
            element.fill(str(value))
    page.click("#svp-zoek")
    rows = page.locator("#svp-resultaten tbody tr")
    return [rows.nth(i).locator(".svp-kavels").inner_text() for i in range(rows.count())], \
        [rows.nth(i).get_attribute("class") for i in range(rows.count())]


def test_form_lists_the_one_fitting_group_and_highlights_it(rij, browser):
    _, path = rij
    p = Page(browser)
    try:
        page = p.open(path)
        page.wait_for_selector(".leaflet-overlay-pane svg path", state="attached", timeout=10000)
        kavels, classes = _search(page, categorie="3.1", ha="6")
        assert kavels == ["T1-A, T1-B, T1-C", "T3-G", "T2-E", "T2-F"]
        assert classes == ["voldoet", "bijna", "bijna", "bijna"]
        first = page.locator("#svp-resultaten tbody tr").first.inner_text()
        assert "3 aangrenzende kavels" in first and "geen HMC nodig: niet-strategische kavel voorgesteld" in first
        assert page.locator("#svp-samenvatting").inner_text() == "1 van de 4 getoonde plekken voldoen aan alle eisen."
        green = page.locator(".leaflet-overlay-pane svg path[fill='#1a9641']").count()
        orange = page.locator(".leaflet-overlay-pane svg path[fill='#f4a582']").count()
        assert (green, orange) == (3, 3)
        # a heavier category: no kavel allows it, so nothing fits
        kavels, classes = _search(page, categorie="4.1", ha="6")
        assert "voldoet" not in classes
        # no category and no SBI code: the form says what is missing
        page.select_option("#svp-categorie", "")
        page.click("#svp-zoek")
        assert "milieucategorie" in page.locator("#svp-melding").inner_text()
        p.check(allow_tiles=False)
        assert not p.requests
    finally:
        p.close()


def test_form_with_sbi_code_keeps_the_class_two_quay_out(water, browser):
    _, path = water
    p = Page(browser)
    try:
        page = p.open(path)
        page.wait_for_selector(".leaflet-overlay-pane svg path", state="attached", timeout=10000)
        page.fill("#svp-sbi", "24.10")
        assert page.locator("#svp-sbi-info").inner_text() == \
            "categorie 5.3 – 6: Vervaardiging van ijzer en staal en van ferrolegeringen (watergebonden)"
        kavels, classes = _search(page, categorie="4.2", ha="6", water="sbi", cemt="IV")
        assert kavels == ["W-Q2", "W-Q1", "W-Q3"] and classes == ["voldoet", "bijna", "bijna"]
        assert "kade alleen aan bereikbare klasse II" in page.locator("#svp-resultaten tbody tr").nth(1).inner_text()
        # 5 MW asked where the terrein has 2 MW available: nothing fits any more
        kavels, classes = _search(page, afname="5")
        assert classes == ["bijna"] and kavels == ["W-Q2"]
        p.check(allow_tiles=False)
        assert not p.requests
    finally:
        p.close()


PROFIELEN = [
    dict(js={"categorie": "3.1", "ha": 6}, py=Profiel(ha=6, categorie="3.1")),
    dict(js={"categorie": "2", "ha": 2.5}, py=Profiel(ha=2.5, categorie="2")),
    dict(js={"categorie": "4.2", "ha": 6, "water": True, "cemt": "IV", "mwAfname": 1},
         py=Profiel(ha=6, categorie="4.2", water=True, cemt="IV", mw_afname=1)),
    dict(js={"categorie": "3.1", "ha": 0.5, "water": True, "cemt": "II", "snelweg": True},
         py=Profiel(ha=0.5, categorie="3.1", water=True, cemt="II", snelweg=True)),
]


@pytest.mark.parametrize("world", ["rij", "water"])
def test_page_finds_what_pipeline_zoek_finds(world, request, browser):
    config, path = request.getfixturevalue(world)
    t = tabel.build(config)
    p = Page(browser)
    try:
        page = p.open(path)
        for prof in PROFIELEN:
            js = {"catRank": ["1", "2", "3.1", "3.2", "4.1", "4.2", "5.1", "5.2", "5.3", "6"].index(
                prof["js"]["categorie"]), "m2": round(prof["js"]["ha"] * 10000), "water": False, "cemt": None,
                "cemtRank": 0, "spoor": False, "snelweg": False, "mwAfname": 0, "mwInvoeding": 0, "regio": None,
                **prof["js"]}
            if js["cemt"]:
                js["cemtRank"] = ["0", "I", "II", "III", "IV", "Va", "Vb", "VIa", "VIb", "VIc", "VII"].index(js["cemt"])
            got = page.evaluate("p => svpZoek.zoek(SVP_ZOEK, p).map(r => [r.kavels, r.reden, r.voldoet])", js)
            want = zoek(t, prof["py"], config).lijst
            assert got == [list(x) for x in zip(want["kavels"], want["reden"], want["voldoet"])]
        p.check(allow_tiles=False)
    finally:
        p.close()
