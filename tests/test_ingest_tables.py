"""Vestigingen from CSV (issue 15, item 6): separators, decimal commas, encodings, x/y or lon/lat, SBI as text."""
import pytest

from fixtures.ingest.builders import X0, Y0, make_config, make_world
from pipeline.ingest import vestigingen
from pipeline.ingest.errors import IngestError
from pipeline.ingest.quality import Report

HEADER = "vestigingsnummer;handelsnaam;sbi_code;werkzame_personen;x;y\n"
ROWS = [f"000012345678;Café De Kade;52.24;45;{X0 + 100},5;{Y0 + 200},25\n",
        f"000023456789;Bakkerij Ün;10.71;8;{X0 + 300};{Y0 + 400}\n",
        "000034567890;Zonder adres;45.20;3;;\n"]


def ingest(tmp_path, text: bytes, name="v.csv", **settings):
    sources = make_world(tmp_path / "raw")
    path = tmp_path / name
    path.write_bytes(text)
    sources["vestigingen"] = {"path": str(path), **settings}
    report = Report()
    out = vestigingen.ingest(make_config(tmp_path, sources), report)
    return out.set_index("vestiging_id"), report


@pytest.mark.parametrize("encoding", ["cp1252", "utf-8-sig", "utf-8"])
def test_semicolon_decimal_comma_any_encoding(tmp_path, encoding):
    out, report = ingest(tmp_path, (HEADER + "".join(ROWS)).encode(encoding))
    assert out["sbi_code"].to_dict() == {"000012345678": "52.24", "000023456789": "10.71"}
    assert out.loc["000012345678", "naam"] == "Café De Kade" and out.loc["000023456789", "naam"] == "Bakkerij Ün"
    point = out.loc["000012345678"].geometry
    assert (point.x, point.y) == pytest.approx((X0 + 100.5, Y0 + 200.25))
    assert out.loc["000012345678", "werkzame_personen"] == 45
    tally = report.tallies[0]
    assert (tally.read, tally.kept, tally.lost["geen geometrie"]) == (3, 2, 1)  # the row without coordinates
    detected = report.sources[0]["csv"]
    assert detected["scheidingsteken"] == ";" and detected["x_veld"] == "x"
    assert detected["codering"] == ("cp1252" if encoding == "cp1252" else "utf-8-sig")


def test_sbi_kept_as_text(tmp_path):
    """'45.20' stays '45.20' and '08.12' keeps its zero: the CSV is read as text, never as numbers."""
    text = "id,sbi,lon,lat\nA,45.20,5.29,51.69\nB,08.12,5.30,51.70\nC,4520,5.31,51.71\n"
    out, report = ingest(tmp_path, text.encode(), name="lonlat.csv")
    assert out["sbi_code"].to_dict() == {"A": "45.20", "B": "08.12", "C": "45.20"}
    assert report.sources[0]["csv"]["scheidingsteken"] == ","
    # lon/lat reprojected to RD New: 5.29 E, 51.69 N lies near 's-Hertogenbosch (x ~ 150 km, y ~ 410 km)
    assert 140_000 < out.loc["A"].geometry.x < 160_000 and 405_000 < out.loc["A"].geometry.y < 420_000


def test_columns_and_separator_from_settings(tmp_path):
    text = "nr|naam|SBI|X_KOORD|Y_KOORD\n1|Eén|46.71|155000|400000\n"
    out, _ = ingest(tmp_path, text.encode("latin-1"), codering="latin-1", scheidingsteken="|", x_veld="X_KOORD",
                    y_veld="Y_KOORD", fields={"vestiging_id": "nr", "sbi_code": "SBI"})
    assert out.loc["1", "naam"] == "Eén" and out.loc["1", "sbi_code"] == "46.71"
    assert (out.loc["1"].geometry.x, out.loc["1"].geometry.y) == (155000, 400000)


def test_missing_coordinate_columns_named(tmp_path):
    with pytest.raises(IngestError) as err:
        ingest(tmp_path, b"id;sbi;adres\n1;45.20;Kade 1\n")
    assert "no coordinate columns" in str(err.value) and "x_veld" in str(err.value) and "adres" in str(err.value)
