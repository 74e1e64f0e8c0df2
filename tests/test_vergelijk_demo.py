"""The demo's two peildata through the real command line (what `make vergelijk` does), and the offline search page
on the demo's kavels against `pipeline zoek`.

Known by construction (pipeline/demo/peildatum.py): 900012 existed in 2022 only; 900011 exists from 2023;
900006 lost a 400 x 250 m strip (10 ha); K900001-004/-005 (8.125 ha each, HMC, 249 m of river quay each) and
K900003-003/-007 (8 ha each, HMC) were vacant in 2022 and are taken by companies without HMC need since.
"""
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml

from conftest import CHROMIUM
from pipeline import catalogue
from pipeline.config import REPO_ROOT, load_config

CONFIGS = {"a": REPO_ROOT / "config" / "demo-2022.yaml", "b": REPO_ROOT / "config" / "demo.yaml"}


def _config_in(tmp: Path, name: str) -> Path:
    data = yaml.safe_load(CONFIGS[name].read_text(encoding="utf-8"))
    raw = Path(data["sources"]["terreinen"]["path"]).parents[1]
    for source in data["sources"].values():
        source["path"] = str(tmp / name / "raw" / Path(source["path"]).relative_to(raw))
    data["paths"] = {k: str(tmp / name / k) for k in ("raw", "processed", "maps")}
    path = tmp / f"{name}.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pipeline", *args], capture_output=True, text=True, cwd=REPO_ROOT,
                          timeout=900)


@pytest.fixture(scope="module")
def demo_runs(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("peildata")
    configs = {name: _config_in(tmp, name) for name in CONFIGS}
    for name, config in configs.items():
        result = _cli("all", "--config", str(config), "--tot", "score")
        assert result.returncode == 0, result.stderr[-3000:]
    result = _cli("vergelijk", "--config", str(configs["b"]), str(tmp / "a" / "processed"), str(tmp / "b" / "processed"))
    assert result.returncode == 0, result.stderr[-3000:]
    return tmp, configs, result


def test_make_vergelijk_finds_what_changed_between_the_peildata(demo_runs):
    tmp, _, result = demo_runs
    t = pd.read_csv(tmp / "b" / "processed" / "vergelijking_terreinen.csv", dtype={"rin_nummer": str}) \
        .set_index("rin_nummer")
    assert t.loc["900012", "omvang"] == "verdwenen" and t.loc["900011", "omvang"] == "verschenen"
    assert t.loc["900006", "omvang"] == "gekrompen"
    assert t.loc["900006", "contour_verloren_ha"] == pytest.approx(10.0)
    assert t.loc["900006", "ha_bruto_verschil"] == pytest.approx(-10.0)
    haven = t.loc["900001"]
    assert haven["ha_hmc_niet_hmc_verschil"] == pytest.approx(16.25)
    assert haven["ha_hmc_vacant_verschil"] == pytest.approx(-16.25)
    assert (haven["kade_onbenut_m_verschil"], haven["kade_vrij_m_verschil"], haven["verlies_kade_m"]) == \
        pytest.approx((498.0, -498.0, 498.0))
    assert t.loc["900003", "ha_hmc_niet_hmc_verschil"] == pytest.approx(16.0)
    # biggest loss first: the two HMC terreinen taken by light companies
    assert t.index[:2].tolist() == ["900001", "900003"]
    assert "peiljaar 2022" in result.stdout and "peiljaar 2024" in result.stdout
    html = (tmp / "b" / "maps" / "vergelijking.html").read_text(encoding="utf-8")
    assert "Demo-oude werf (900012)" in html and "Ontwikkeling volgens IBIS (2021–2024)" in html


def test_history_of_both_peildata_agrees(demo_runs):
    tmp, _, _ = demo_runs
    a = catalogue.read("terreinen_historie", tmp / "a" / "processed").set_index(["rin_nummer", "jaar"])
    b = catalogue.read("terreinen_historie", tmp / "b" / "processed").set_index(["rin_nummer", "jaar"])
    assert b.loc["900006", "ha_bruto"].to_dict() == {2021: 30.0, 2022: 30.0, 2023: 20.0, 2024: 20.0}
    assert a.loc[("900006", 2022), "ha_bruto"] == b.loc[("900006", 2022), "ha_bruto"]
    assert sorted(a.index.get_level_values("jaar").unique()) == [2021, 2022]
    assert "900012" in a.index.get_level_values("rin_nummer") and "900012" not in b.index.get_level_values("rin_nummer")


def test_search_page_on_the_demo_matches_pipeline_zoek(demo_runs, browser):
    """The demo's kavels (groups on the scenario terreinen, hundreds of background kavels): page = command."""
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium not installed (Debian package chromium); the browser tests need it")
    from pipeline.zoek import Profiel, tabel, zoek
    from pipeline.zoek.pagina import write_page
    from test_maps_browser import Page
    tmp, configs, _ = demo_runs
    config = load_config(configs["b"])
    t = tabel.build(config)
    page_path = write_page(config, catalogue.read("terreinen_strategisch", config.paths.processed),
                           tmp / "b" / "maps")
    cats = ["1", "2", "3.1", "3.2", "4.1", "4.2", "5.1", "5.2", "5.3", "6"]
    profiles = [Profiel(ha=6, categorie="3.2", water=True, cemt="IV", mw_afname=5), Profiel(ha=1.5, categorie="3.1"),
                Profiel(ha=12, categorie="4.2", spoor=True), Profiel(ha=0.6, categorie="2", snelweg=True)]
    p = Page(browser)
    try:
        page = p.open(page_path)
        for prof in profiles:
            js = {"categorie": prof.categorie, "catRank": cats.index(prof.categorie), "m2": prof.m2,
                  "water": prof.water, "cemt": prof.cemt, "cemtRank": 4 if prof.cemt == "IV" else 0,
                  "spoor": prof.spoor, "snelweg": prof.snelweg, "mwAfname": prof.mw_afname, "mwInvoeding": 0,
                  "regio": None}
            got = page.evaluate("p => svpZoek.zoek(SVP_ZOEK, p).map(r => [r.kavels, r.reden])", js)
            want = zoek(t, prof, config).lijst
            assert got == [list(x) for x in zip(want["kavels"], want["reden"])]
            assert len(got) > 0
        p.check(allow_tiles=False)
    finally:
        p.close()
