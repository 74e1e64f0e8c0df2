"""`pipeline zoek` on hand-made runs whose answers are worked out by hand (tests/zoek_fixtures.py).

World 'rij': on terrein T1 three vacant 2 ha kavels in a row (A, B, C), an occupied one (D) and a vacant 2 ha
kavel H touching A at one corner; on T2 two vacant 3 ha kavels 50 m apart (E, F); on T3 a vacant 4 ha kavel G
sharing a border with C across the terrein border.
World 'water': three vacant 6 ha quay kavels: Q1 on a class Va basin reachable only through class II, Q2 on
class IV (issued but vacant), Q3 with only 30 m of class Vb quay.
World 'schaars': P1 6.0 ha with a quay, P2 6.5 ha without, on an ordinary terrein; S1 6.0 ha on a strategic one.
"""
import numpy as np
import pandas as pd
import pytest

from pipeline.cli import main
from pipeline.zoek import Profiel, tabel, zoek
from zoek_fixtures import config_for, kavel, quay, terrein, water_world, write_run


@pytest.fixture(scope="module")
def rij(tmp_path_factory):
    folder = tmp_path_factory.mktemp("zoek_rij")
    a, b, c = (kavel(f"T1-{n}", "T1", x, 0, 200, 100) for n, x in (("A", 0), ("B", 200), ("C", 400)))
    d = kavel("T1-D", "T1", 600, 0, 200, 100, vacant=False, uitgifte="uitgegeven", onderbenut=False, gsi=0.6)
    e = kavel("T2-E", "T2", 2000, 0, 300, 100)
    f = kavel("T2-F", "T2", 2350, 0, 300, 100)
    g = kavel("T3-G", "T3", 400, 100, 200, 200)
    h = kavel("T1-H", "T1", -200, -100, 200, 100)  # touches A at one corner only
    terreinen = [terrein("T1", "Rij", [a[2], b[2], c[2], d[2], h[2]]), terrein("T2", "Los", [e[2], f[2]]),
                 terrein("T3", "Buur", [g[2]])]
    write_run(folder / "processed", [a, b, c, d, e, f, g, h], terreinen)
    config = config_for(folder)
    return config, tabel.build(config)


def test_a_profile_fits_exactly_one_group_of_adjacent_kavels(rij):
    config, t = rij
    result = zoek(t, Profiel(ha=6, categorie="3.1"), config)
    lijst = result.lijst
    fits = lijst[lijst["voldoet"]]
    # only A+B+C: E and F are not adjacent, G lies on another terrein (C+G would be 6 ha too)
    assert fits["kavels"].tolist() == ["T1-A, T1-B, T1-C"]
    top = lijst.iloc[0]
    assert (top["rang"], top["aantal_kavels"], top["ha"], top["oppervlakte_toelichting"]) == \
        (1, 3, 6.0, "6,0 ha (3 kavels)")
    assert top["reden"] == ("voldoet aan alle eisen; 3 aangrenzende kavels; geen HMC nodig: niet-strategische kavel "
                            "voorgesteld; niet watergebonden: kavel zonder kade voorgesteld")
    # the near misses are other places (the singles A, B, C are part of the group), closest in area first
    assert lijst["kavels"].tolist()[1:] == ["T3-G", "T2-E", "T2-F", "T1-H"]
    assert set(lijst["oppervlakte"].tolist()[1:]) == {"nee"}
    assert lijst.iloc[1]["reden"].startswith("voldoet niet aan: Oppervlakte")


def test_adjacent_means_a_shared_border_on_the_same_terrein(rij):
    _, t = rij
    ids = t.kavels["kavel_id"].tolist()
    buren = {ids[i]: [ids[j] for j in t.neighbours(i)] for i in range(len(ids))}
    # D is occupied (not in the table); G shares 200 m with C but lies on T3; H touches A at a corner only
    assert buren == {"T1-A": ["T1-B"], "T1-B": ["T1-A", "T1-C"], "T1-C": ["T1-B"], "T1-H": [], "T2-E": [],
                     "T2-F": [], "T3-G": []}


@pytest.mark.parametrize("blok", [1, 2, 3])
def test_the_borders_are_the_same_whatever_the_block_of_buffers(rij, monkeypatch, blok):
    """tabel._borders buffers tabel.BLOK kavels at a time: blocks of one, two or three kavels (a block without
    pairs, pairs across blocks) give the neighbours of one block of all."""
    config, t = rij
    monkeypatch.setattr(tabel, "BLOK", blok)
    again = tabel.build(config)
    assert np.array_equal(again.buren_ptr, t.buren_ptr) and np.array_equal(again.buren, t.buren)


def test_a_category_the_kavels_do_not_allow_forms_no_group(rij):
    config, t = rij
    result = zoek(t, Profiel(ha=6, categorie="4.1"), config)
    assert not result.lijst["voldoet"].any()
    # every candidate now misses category and area: none misses only one, so those missing two are shown
    assert set(result.lijst["categorie"]) == {"nee"}
    assert result.lijst.iloc[0]["categorie_toelichting"] == "mogelijk t/m 3.2"


@pytest.fixture(scope="module")
def water(tmp_path_factory):
    folder = tmp_path_factory.mktemp("zoek_water")
    kavels, kades = water_world()
    write_run(folder / "processed", kavels, [terrein("W", "Haven", [k[2] for k in kavels])], kades)
    config = config_for(folder)
    return config, tabel.build(config)


def test_a_water_bound_company_gets_no_quay_that_reaches_only_class_two(water):
    config, t = water
    lijst = zoek(t, Profiel(ha=6, categorie="4.2", water=True, cemt="IV"), config).lijst.set_index("kavels")
    assert lijst.index.tolist() == ["W-Q2", "W-Q1", "W-Q3"]
    assert lijst["voldoet"].tolist() == [True, False, False]
    assert lijst.loc["W-Q2", "kade_toelichting"] == "250 m aan klasse ≥ IV"
    assert lijst.loc["W-Q2", "reden"] == "voldoet aan alle eisen; vacant, maar uitgegeven"
    # Q1's quay lies on a class Va basin, but ships reach it only through class II
    assert (lijst.loc["W-Q1", "kade"], lijst.loc["W-Q1", "kade_toelichting"]) == \
        ("nee", "kade alleen aan bereikbare klasse II")
    assert (lijst.loc["W-Q3", "kade"], lijst.loc["W-Q3", "kade_toelichting"]) == \
        ("nee", "30 m aan klasse ≥ IV (minder dan 50 m)")


def test_class_two_is_enough_for_a_company_that_asks_class_two(water):
    config, t = water
    lijst = zoek(t, Profiel(ha=6, categorie="4.2", water=True, cemt="II"), config).lijst
    # Q1 (uitgeefbaar) and Q2 (issued, vacant) fit now; Q1 is the better available
    assert lijst.loc[lijst["voldoet"], "kavels"].tolist() == ["W-Q1", "W-Q2"]


@pytest.fixture(scope="module")
def schaars(tmp_path_factory):
    folder = tmp_path_factory.mktemp("zoek_schaars")
    p1 = kavel("N-P1", "N", 0, 0, 300, 200, kade_m=150.0)
    p2 = kavel("N-P2", "N", 1000, 0, 325, 200)
    s1 = kavel("S-S1", "S", 5000, 0, 300, 200)
    kades = [quay("K1", "N-P1", "N", 0, -5, 150, klasse="Va", bereikbaar="Va")]
    write_run(folder / "processed", [p1, p2, s1],
              [terrein("N", "Gewoon", [p1[2], p2[2]]), terrein("S", "Strategisch", [s1[2]], vlag=True)], kades)
    return folder


def test_a_company_that_is_not_water_bound_is_steered_away_from_quay_plots(schaars):
    config = config_for(schaars)
    lijst = zoek(tabel.build(config), Profiel(ha=6, categorie="3.1"), config).lijst.set_index("kavels")
    # by area alone P1 (6.0 ha) and S1 would come before P2 (6.5 ha)
    assert lijst.index.tolist() == ["N-P2", "N-P1", "S-S1"]
    assert lijst["voldoet"].all()
    assert lijst.loc["N-P2", "reden"] == ("voldoet aan alle eisen; geen HMC nodig: niet-strategische kavel "
                                          "voorgesteld; niet watergebonden: kavel zonder kade voorgesteld")
    assert lijst.loc["N-P1", "schaars_onnodig"] == "kade"
    assert "let op: kadekavel, het bedrijf is niet watergebonden" in lijst.loc["N-P1", "reden"]
    assert lijst.loc["S-S1", "schaars_onnodig"] == "strategisch"
    assert "let op: strategisch terrein" in lijst.loc["S-S1", "reden"]


def test_the_same_profile_water_bound_takes_the_quay(schaars):
    config = config_for(schaars)
    lijst = zoek(tabel.build(config), Profiel(ha=6, categorie="3.1", water=True, cemt="IV"), config).lijst
    assert lijst.loc[lijst["voldoet"], "kavels"].tolist() == ["N-P1"]


def test_command_line_sbi_profile_writes_page_and_csv(schaars, capsys):
    config = config_for(schaars)
    cfg = schaars / "config.yaml"
    cfg.write_text(f"naam: test\npaths:\n  processed: {schaars / 'processed'}\n  maps: {schaars / 'maps'}\n"
                   "sources:\n  terreinen: {path: x.gpkg}\n  kavels: {path: x.parquet}\n  panden: {path: x}\n"
                   "  verblijfsobjecten: {path: x}\n  kades: {path: x}\n  vaarwegen: {path: x}\n"
                   "  milieuzones: {path: x}\n  netcapaciteit: {path: x}\n", encoding="utf-8")
    # 24.10 (basismetaal): categorie 5.3-6 in the built-in table, water-bound by analyse.kades.watergebonden_sbi
    assert main(["zoek", "--config", str(cfg), "--sbi", "24.10", "--ha", "6", "--mw-afname", "5"]) == 0
    out = capsys.readouterr().out
    assert "categorie 6: de hoogste van SBI 24.10 (5.3 – 6, ingebouwde SBI-tabel)" in out
    assert "watergebonden volgens SBI 24.10" in out
    csv = pd.read_csv(schaars / "processed" / "zoekresultaat_sbi2410_6ha_IV_afname5.csv")
    assert csv.loc[0, "kavels"] == "N-P1" and csv.loc[0, "kade"] == "ja" and csv.loc[0, "categorie"] == "nee"
    html = (schaars / "maps" / "zoekresultaat_sbi2410_6ha_IV_afname5.html").read_text(encoding="utf-8")
    assert "250 m aan klasse" not in html and "150 m aan klasse ≥ IV" in html
    assert config.zoek.aantal == 20
    assert main(["zoek", "--config", str(cfg), "--ha", "6"]) == 1
    assert "give --sbi CODE or --categorie CAT" in capsys.readouterr().err
