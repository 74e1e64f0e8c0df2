"""Optional sources: vestigingen (SBI as text), spoor, opritten, omgevingstypen."""
import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import LineString, Point

from fixtures.ingest.builders import RD, X0, Y0, make_config, make_world, sq, write_geojson
from pipeline.ingest import infra, omgevingstypen, vestigingen
from pipeline.ingest.errors import IngestError
from pipeline.ingest.quality import Report


def config_with(tmp_path, name, frame, filename):
    sources = make_world(tmp_path / "raw")
    path = tmp_path / filename
    if filename.endswith(".parquet"):
        frame.to_parquet(path)
    elif filename.endswith(".geojson"):
        write_geojson(frame, path)
    else:
        frame.to_file(path)
    sources[name] = {"path": str(path)}
    return make_config(tmp_path, sources)


def points(n):
    return [Point(X0 + 10 * i, Y0) for i in range(n)]


def test_vestigingen_sbi_text_kept(tmp_path):
    frame = gpd.GeoDataFrame({"vestigingsnummer": ["000012345678", "2"], "handelsnaam": ["Kade BV", "Bakker"],
                              "sbi_code": ["52.24", "08.12"], "werkzame_personen": [12, None]},
                             geometry=points(2), crs=RD)
    out = vestigingen.ingest(config_with(tmp_path, "vestigingen", frame, "v.parquet"), Report())
    assert out["sbi_code"].tolist() == ["52.24", "08.12"] and out["vestiging_id"].iloc[0] == "000012345678"
    assert out["werkzame_personen"].iloc[0] == 12 and pd.isna(out["werkzame_personen"].iloc[1])


def test_vestigingen_numeric_sbi_formatted_with_warning(tmp_path, caplog):
    frame = gpd.GeoDataFrame({"vestigingsnummer": ["1", "2", "3"], "sbi": [45.2, 8.12, 4520]},
                             geometry=points(3), crs=RD)
    report = Report()
    out = vestigingen.ingest(config_with(tmp_path, "vestigingen", frame, "v.gpkg"), report)
    assert out["sbi_code"].tolist() == ["45.20", "08.12", "45.20"]
    assert "SBI codes stored as numbers" in caplog.text
    assert sum(report.tallies[-1].repaired.values()) == 3


def test_vestigingen_bad_sbi_refused(tmp_path):
    frame = gpd.GeoDataFrame({"vestigingsnummer": ["1"], "sbi_code": ["haven"]}, geometry=points(1), crs=RD)
    with pytest.raises(IngestError, match="not SBI codes"):
        vestigingen.ingest(config_with(tmp_path, "vestigingen", frame, "v.parquet"), Report())


def test_spoor_osm_kinds(tmp_path):
    lines = [LineString([(X0, Y0 + i), (X0 + 100, Y0 + i)]) for i in range(4)]
    frame = gpd.GeoDataFrame({"id": ["a", "b", "c", "d"], "railway": ["rail", "rail", "rail", "tram"],
                              "service": ["siding", "yard", None, None]}, geometry=lines, crs=RD)
    report = Report()
    out = infra.ingest_spoor(config_with(tmp_path, "spoor", frame, "spoor.geojson"), report)
    assert out.set_index("spoor_id")["soort"].to_dict() == {"a": "raccordement", "b": "emplacement",
                                                            "c": "hoofdspoor"}
    assert report.tallies[-1].dropped["railway=tram is geen bruikbaar spoor"] == 1


def test_opritten(tmp_path):
    frame = gpd.GeoDataFrame({"id": ["1", "2"], "wegnummer": ["a16", "A58"], "soort": ["oprit", None]},
                             geometry=points(2), crs=RD)
    out = infra.ingest_opritten(config_with(tmp_path, "opritten", frame, "o.geojson"), Report())
    assert out[["wegnummer", "soort"]].values.tolist() == [["A16", "oprit"], ["A58", "aansluiting"]]
    frame["soort"] = ["rotonde", "oprit"]  # optional field: emptied (then the default), counted
    report = Report()
    out = infra.ingest_opritten(config_with(tmp_path, "opritten", frame, "o2.geojson"), report)
    assert out["soort"].tolist() == ["aansluiting", "oprit"]
    assert report.tallies[0].invalid["soort"][:2] == (1, ["rotonde"])


def test_omgevingstypen(tmp_path):
    frame = gpd.GeoDataFrame({"omgevingstype": ["Rustige woonwijk", "gemengd gebied", "rustig buitengebied"]},
                             geometry=[sq(0, 0, 10), sq(20, 0, 10), sq(40, 0, 10)], crs=RD)
    out = omgevingstypen.ingest(config_with(tmp_path, "omgevingstypen", frame, "ot.gpkg"), Report())
    assert out["omgevingstype"].tolist() == ["rustige woonwijk", "gemengd gebied", "rustige woonwijk"]
    frame["omgevingstype"] = ["stad", "gemengd", "rustig"]
    with pytest.raises(IngestError) as err:
        omgevingstypen.ingest(config_with(tmp_path, "omgevingstypen", frame, "ot2.gpkg"), Report())
    assert "stad" in str(err.value) and "gemengd gebied" in str(err.value)
