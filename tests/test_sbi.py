"""The SBI -> milieucategorie table: VNG-style lookup, sources per row, the transcribed VNG 2009 rows, a
municipal Staat van Bedrijfsactiviteiten that wins, and `pipeline sbi`."""
import json

import pandas as pd
import pytest

from pipeline.analyse import sbi
from pipeline.cli import main
from pipeline.config import Milieuruimte

TINY = """rij,sbi,omschrijving,cat_min,cat_max,bron
1,10,voedingsmiddelen algemeen,2,5.1,onbevestigd
2,101,darmen,4.2,4.2,VNG 2009 (bron X)
3,101,vleeswaren > 1000 m2,3.2,3.2,VNG 2009 (bron X)
4,"101, 102",loonslachterijen,3.1,3.1,VNG 2009 (bron Y)
5,10821,chocolade > 2000 m2,5.1,5.1,VNG 2009 (bron Z)
6,10821,chocolade <= 200 m2,2,2,VNG 2009 (bron Z)
7,1102 t/m 1104,wijn,2,2,VNG 2009 (bron Z)
"""


def lookup(codes, tabel):
    out = sbi.sbi_categorie(codes, tabel)
    return [None if pd.isna(g) else (g, str(lo), str(hi)) for g, lo, hi in
            zip(out["sbi_groep"], out["cat_min"].astype(object), out["cat_max"].astype(object))]


def test_most_specific_group_by_prefix_and_min_max_over_its_rows(tmp_path):
    path = tmp_path / "tabel.csv"
    path.write_text(TINY, encoding="utf-8")
    tabel = sbi.load_sbi_tabel(path)
    got = lookup(["10.11", "10.2", "10.82", "10.821", "11.03", "11.05", "12.00", None], tabel)
    # 10.11 -> group 101 (not 10): rows 2, 3, 4 -> 3.1..4.2 (a first-row rule gives 4.2, the broad group 2..5.1)
    assert got[0] == ("101", "3.1", "4.2")
    # 10.2 -> group 102 exists only through the list "101, 102"
    assert got[1] == ("102", "3.1", "3.1")
    # "1082" is shorter than the group 10821: that group is not a prefix of it -> the broad group 10
    assert got[2] == ("10", "2", "5.1")
    assert got[3] == ("10821", "2", "5.1")
    # ranges "1102 t/m 1104" hold 1103; 1105 is outside it
    assert got[4] == ("1103", "2", "2")
    assert got[5] is None and got[6] is None and got[7] is None
    out = sbi.sbi_categorie(["10.11"], tabel).iloc[0]
    assert out["sbi_rijen"] == "2, 3, 4" and bool(out["sbi_bevestigd"])
    assert out["sbi_bron"] == "VNG 2009 (bron X); VNG 2009 (bron Y)"
    broad = sbi.sbi_categorie(["10.5"], tabel).iloc[0]
    assert broad["sbi_bron"] == "onbevestigd" and not bool(broad["sbi_bevestigd"])


def test_group_notation_lists_ranges_and_dots():
    assert sbi.sbi_groepen("101, 102") == ["101", "102"]
    assert sbi.sbi_groepen("1102 t/m 1104") == ["1102", "1103", "1104"]
    assert sbi.sbi_groepen("01.6") == ["016"]
    assert sbi.sbi_groepen("8.12; 46.71") == ["0812", "4671"]
    with pytest.raises(ValueError, match="not an SBI-2008 group"):
        sbi.sbi_groepen("abc")


def test_built_in_table_corrected_where_the_vng_rows_differ():
    tabel = sbi.load_sbi_tabel()
    got = dict(zip(["10.11", "11.05", "11.07", "01.61", "10.89", "24.10"],
                   lookup(["10.11", "11.05", "11.07", "01.61", "10.89", "24.10"], tabel)))
    assert got["10.11"] == ("101", "3.1", "4.2")   # was 4.1-5.1 from memory; VNG slachterijen 3.2 in group 101
    assert got["11.05"] == ("1105", "4.2", "4.2")  # bierbrouwerijen (was 4.1-4.2)
    assert got["11.07"] == ("1107", "3.2", "3.2")  # frisdrank (was 3.1-3.2)
    assert got["01.61"] == ("016", "2", "3.1")     # 01.6 max 3.1 (was 3.2)
    assert got["10.89"] == ("1089", "4.1", "4.1")
    assert got["24.10"] == ("241", "5.3", "6")
    assert not bool(sbi.sbi_categorie(["24.10"], tabel)["sbi_bevestigd"].iloc[0])


def test_every_built_in_row_has_a_source_or_onbevestigd():
    rows = sbi.load_sbi_tabel().rijen
    assert rows["bron"].str.len().gt(0).all()
    assert (rows["bron"].eq("onbevestigd") | rows["bron"].str.startswith("VNG 2009, ")).all()
    assert rows["rij"].is_unique
    assert (rows["bron"] != "onbevestigd").sum() == 54


def test_confirmed_rows_give_the_transcribed_categories(shared_dir):
    """Every transcribed VNG 2009 row is in the table with its category and a source, every row the table
    claims to confirm is a transcribed row, and looking up each transcribed group gives the min-max of the
    transcribed rows of that group."""
    tr = pd.read_csv(shared_dir / "data" / "real" / "vng2009-transcribed" / "vng2009_rows_transcribed.csv", dtype=str)
    tabel = sbi.load_sbi_tabel()
    confirmed = tabel.rijen[tabel.rijen["bron"] != "onbevestigd"]
    key = lambda s, o, c: (tuple(sbi.sbi_groepen(s)), o.strip(), c)  # noqa: E731
    ours = {key(r.sbi, r.omschrijving, r.cat_min): r.bron for r in confirmed.itertuples()}
    theirs = {key(r.sbi2008, r.omschrijving, r.categorie): r.sources for r in tr.itertuples()}
    assert set(ours) == set(theirs), (set(ours) ^ set(theirs))
    for k, letters in theirs.items():
        for letter in letters.split(","):
            assert f"(bron {letter.strip()})" in ours[k]
    assert (confirmed["cat_min"] == confirmed["cat_max"]).all()
    long = [(g, r.categorie) for r in tr.itertuples() for g in sbi.sbi_groepen(r.sbi2008)]
    groups = pd.DataFrame(long, columns=["groep", "cat"])
    rank = {c: i for i, c in enumerate(["1", "2", "3.1", "3.2", "4.1", "4.2", "5.1", "5.2", "5.3", "6"])}
    groups["r"] = groups["cat"].map(rank)
    expect = groups.groupby("groep")["r"].agg(["min", "max"])
    got = sbi.sbi_categorie(list(expect.index), tabel)
    assert got["sbi_groep"].tolist() == list(expect.index)
    assert got["cat_min"].astype(object).map(rank).tolist() == expect["min"].tolist()
    assert got["cat_max"].astype(object).map(rank).tolist() == expect["max"].tolist()
    assert got["sbi_bevestigd"].all()


STAAT = ("SBI-code;Omschrijving;Categorie\n"
         "10;VOEDINGSMIDDELEN;\n"            # a heading without category: skipped
         "101;Slachterijen;3,2\n"
         "101;Vleeswarenfabrieken < 200 m2;D 2\n"
         "46.9;Groothandel;2\n")


def test_municipal_staat_wins_over_the_built_in_table(tmp_path):
    path = tmp_path / "staat.csv"
    path.write_text(STAAT, encoding="cp1252")
    settings = Milieuruimte(sbi_tabel=path)
    tabellen = sbi.sbi_tabellen(settings)
    out = sbi.sbi_categorie(["10.11", "46.90", "24.10", "10.71"], tabellen)
    # 10.11: the municipality says 2..3.2 (built in: 3.1..4.2); 46.90: 2 (built in: 2..3.1)
    assert out["cat_min"].astype(object).tolist()[:2] == ["2", "2"]
    assert out["cat_max"].astype(object).tolist()[:2] == ["3.2", "2"]
    assert out["sbi_tabel"].tolist() == ["gemeentelijk", "gemeentelijk", "ingebouwd", "ingebouwd"]
    assert out["sbi_rijen"].tolist()[0] == "3, 4"  # line numbers of the file
    assert out["sbi_bron"].iloc[0] == "Staat van Bedrijfsactiviteiten staat.csv"
    # without falling back, codes the municipality does not list stay unknown
    alone = sbi.sbi_categorie(["10.11", "24.10"], sbi.sbi_tabellen(Milieuruimte(sbi_tabel=path,
                                                                               sbi_tabel_aanvullen=False)))
    assert alone["sbi_groep"].isna().tolist() == [False, True]


def test_a_bad_municipal_table_names_file_line_and_value(tmp_path):
    path = tmp_path / "staat.csv"
    path.write_text("sbi,omschrijving,categorie\n101,x,3.1\n102,y,7\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"staat.csv, line 3: '7' is not a milieucategorie"):
        sbi.load_sbi_tabel(path)
    path.write_text("code,omschrijving\n101,x\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"expected a column with the SBI code"):
        sbi.load_sbi_tabel(path)


def test_cli_sbi_json_for_scripts(capsys):
    assert main(["sbi", "10.11", "1105", "99.99", "--json"]) == 0
    got = json.loads(capsys.readouterr().out)
    assert [(g["sbi_code"], g["cat_min"], g["cat_max"]) for g in got] == [
        ("10.11", "3.1", "4.2"), ("1105", "4.2", "4.2"), ("99.99", None, None)]
    assert "bron D" in got[1]["bron"] and got[2]["bron"] is None
    assert [r["rij"] for r in got[0]["rijen"]] == ["16", "17", "18", "19", "20", "21"]


def test_cli_sbi_text_and_municipal_config(tmp_path, capsys):
    staat = tmp_path / "staat.csv"
    staat.write_text(STAAT, encoding="utf-8")
    config = tmp_path / "c.yaml"
    config.write_text("sources: {terreinen: {path: x}, panden: {path: x}, verblijfsobjecten: {path: x}, "
                      "kades: {path: x}, vaarwegen: {path: x}, milieuzones: {path: x}, netcapaciteit: {path: x}}\n"
                      f"analyse: {{milieuruimte: {{sbi_tabel: '{staat}'}}}}\n", encoding="utf-8")
    assert main(["sbi", "10.11", "99.99"]) == 0
    text = capsys.readouterr().out
    assert "10.11: categorie 3.1 – 4.2 (bevestigd), groep 101 in de ingebouwde tabel" in text
    assert "rij   20  101, 102       3.2      slachterijen en pluimveeslachterijen" in text
    assert "99.99: niet in de SBI-tabel" in text
    assert main(["sbi", "10.11", "--config", str(config)]) == 0
    assert "10.11: categorie 2 – 3.2 (bevestigd), groep 101 in de gemeentelijke tabel" in capsys.readouterr().out
