"""Netcapaciteit: feature-service status codes, and the im-capaciteitskaart JSON on PC6 polygons."""
import json

import geopandas as gpd
import pytest

from fixtures.ingest.builders import RD, make_config, make_world, sq, write_geojson
from pipeline.ingest import netcapaciteit
from pipeline.ingest.errors import IngestError
from pipeline.ingest.quality import Report

IM = "data/real/netcapaciteit-im-nbnl"


def test_feature_service(tmp_path):
    report = Report()
    out = netcapaciteit.ingest(make_config(tmp_path), report).set_index("gebied_id")
    assert out.loc["10", ["afname_status", "invoeding_status"]].tolist() == ["groen", "geel"]
    assert out.loc["11", ["afname_status", "invoeding_status"]].tolist() == ["rood", "oranje"]
    assert out.loc["0", ["afname_status", "invoeding_status"]].tolist() == ["onbekend", "onbekend"]
    assert out.loc["11", "afname_wachtrij_mw"] == 12.5 and out.loc["10", "afname_beschikbaar_mw"] == 20
    assert out.loc["10"].geometry.area == pytest.approx(2500 * 3000)  # two polygons dissolved
    assert report.tallies[0].merged == 1 and out.loc["10", "netbeheerder"] == "Enexis"


def test_unknown_status_emptied_and_counted(tmp_path):
    sources = make_world(tmp_path / "raw")
    frame = gpd.GeoDataFrame({"voedingsgebied_id": ["1", "2"], "afname": [7, 3]},
                             geometry=[sq(0, 0, 10), sq(20, 0, 10)], crs=RD)
    sources["netcapaciteit"] = {"path": str(write_geojson(frame, tmp_path / "n.geojson"))}
    report = Report()
    out = netcapaciteit.ingest(make_config(tmp_path, sources), report)
    assert out.set_index("gebied_id")["afname_status"].to_dict() == {"1": "onbekend", "2": "rood"}
    assert report.tallies[0].invalid["afname"][:2] == (1, ["7"])


def pc6(tmp_path, codes=("1234AC", "1234 ad", "1234AE")):
    frame = gpd.GeoDataFrame({"postcode": list(codes)}, geometry=[sq(i * 100, 0, 100) for i in range(len(codes))],
                             crs=RD)
    return str(write_geojson(frame, tmp_path / "pc6.geojson"))


def test_real_im_capaciteitskaart_dso_on_pc6(shared_dir, tmp_path):
    sources = make_world(tmp_path / "raw")
    sources["netcapaciteit"] = {"path": str(shared_dir / IM / "im_capaciteitskaart_dso-20250110.example.json")}
    sources["netcapaciteit_postcodes"] = {"path": pc6(tmp_path)}
    report = Report()
    out = netcapaciteit.ingest(make_config(tmp_path, sources), report).set_index("gebied_id")
    assert out["afname_status"].to_dict() == {"1234AC": "oranje", "1234AD": "rood", "1234AE": "geel"}
    assert out["invoeding_status"].to_dict() == {"1234AC": "groen", "1234AD": "rood", "1234AE": "groen"}
    row = out.loc["1234AC"]
    assert (row["afname_beschikbaar_mw"], row["afname_wachtrij_mw"], row["afname_wachtrij_aantal"]) == (47, 3, 15)
    assert (row["invoeding_beschikbaar_mw"], row["invoeding_wachtrij_mw"], row["invoeding_wachtrij_aantal"]) == (47, 0, 0)
    assert row["gebied_naam"] == "OS FICTIEF 20-3i" and row["netbeheerder"] == "alliander"
    assert out.geometry.area.tolist() == pytest.approx([10_000] * 3)
    assert report.sources[0]["peildatum"] == "2025-01-10"


def test_json_postcode_without_polygon_dropped(shared_dir, tmp_path):
    sources = make_world(tmp_path / "raw")
    sources["netcapaciteit"] = {"path": str(shared_dir / IM / "im_capaciteitskaart_dso-20250110.example.json")}
    sources["netcapaciteit_postcodes"] = {"path": pc6(tmp_path, ("1234AC", "1234AD"))}
    report = Report()
    out = netcapaciteit.ingest(make_config(tmp_path, sources), report)
    assert sorted(out["gebied_id"]) == ["1234AC", "1234AD"]
    assert report.tallies[0].dropped["postcode zonder PC6-polygoon"] == 1


def test_json_energy_areas_without_postcode_areas_said_out_loud(shared_dir, tmp_path, caplog):
    """The real DSO document's one energy area (3 postcode areas) next to the real TSO document's 3 energy areas
    (no postcode_areas: they cannot be placed): the 3 postcodes are kept and the 3 unplaceable areas are named."""
    dso = json.loads((shared_dir / IM / "im_capaciteitskaart_dso-20250110.example.json").read_text(encoding="utf-8"))
    tso = json.loads((shared_dir / IM / "im_capaciteitskaart_tso-20250120.example.json").read_text(encoding="utf-8"))
    mixed = tmp_path / "gemengd.json"
    mixed.write_text(json.dumps({**dso, "energy_areas": dso["energy_areas"] + tso["energy_areas"]}), encoding="utf-8")
    sources = make_world(tmp_path / "raw")
    sources["netcapaciteit"] = {"path": str(mixed)}
    sources["netcapaciteit_postcodes"] = {"path": pc6(tmp_path)}
    with caplog.at_level("WARNING", logger="pipeline.ingest.netcapaciteit"):
        out = netcapaciteit.ingest(make_config(tmp_path, sources), Report())
    assert sorted(out["gebied_id"]) == ["1234AC", "1234AD", "1234AE"]
    assert "3 of 4 energy area(s) in gemengd.json have no postcode_areas" in caplog.text


def test_json_needs_postcode_polygons_and_postcode_areas(shared_dir, tmp_path):
    sources = make_world(tmp_path / "raw")
    sources["netcapaciteit"] = {"path": str(shared_dir / IM / "im_capaciteitskaart_dso-20250110.example.json")}
    with pytest.raises(IngestError, match="netcapaciteit_postcodes"):
        netcapaciteit.ingest(make_config(tmp_path, sources), Report())
    sources["netcapaciteit"] = {"path": str(shared_dir / IM / "im_capaciteitskaart_tso-20250120.example.json")}
    sources["netcapaciteit_postcodes"] = {"path": pc6(tmp_path)}
    with pytest.raises(IngestError, match="no postcode_areas"):
        netcapaciteit.ingest(make_config(tmp_path, sources), Report())


def test_json_without_energy_areas_refused(tmp_path):
    sources = make_world(tmp_path / "raw")
    path = tmp_path / "x.json"
    path.write_text(json.dumps({"foo": 1}))
    sources["netcapaciteit"] = {"path": str(path)}
    with pytest.raises(IngestError, match="no energy_areas") as err:
        netcapaciteit.ingest(make_config(tmp_path, sources), Report())
    assert "foo" in str(err.value)
