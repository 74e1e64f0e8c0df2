"""BGT kades: historic versions and non-quay types dropped, confidence from the configuration."""
import geopandas as gpd
import pytest
from shapely.geometry import LineString, Point

from fixtures.ingest.builders import RD, X0, Y0, make_config, make_world, write_geojson
from pipeline.ingest import kades
from pipeline.ingest.quality import Report


def test_scheiding(tmp_path):
    report = Report()
    out = kades.ingest(make_config(tmp_path), report)
    assert out["kade_id"].tolist() == ["G1", "G3"]
    assert out["betrouwbaarheid"].tolist() == ["hoog", "middel"] and (out["bron"] == "BGT scheiding").all()
    assert out.geometry.iloc[0].length == pytest.approx(800, abs=0.05)  # WGS84 GeoJSON back in RD
    tally = report.tallies[0]
    assert tally.dropped["historische versie (eindRegistratie of terminationDate gevuld)"] == 1
    assert tally.dropped["bgt-type walbescherming is geen kade"] == 1


def test_kunstwerkdeel_and_configured_types(tmp_path):
    sources = make_world(tmp_path / "raw")
    kwd = gpd.GeoDataFrame({"lokaalID": ["W1", "W2", "W3"], "bgt-type": ["keermuur", "steiger", "keermuur"],
                            "eindRegistratie": [None, None, None]},
                           geometry=[LineString([(X0, Y0), (X0, Y0 + 50)]), LineString([(X0, Y0), (X0 + 5, Y0)]),
                                     Point(X0, Y0)], crs=RD)
    sources["kunstwerkdelen"] = {"path": str(write_geojson(kwd, tmp_path / "kwd.geojson"))}
    config = make_config(tmp_path, sources, analyse={"kades": {"bgt_types": {"kademuur": "hoog",
                                                                             "keermuur": "laag"}}})
    report = Report()
    out = kades.ingest(config, report)
    assert out.set_index("kade_id")["betrouwbaarheid"].to_dict() == {"G1": "hoog", "W1": "laag"}
    assert out.set_index("kade_id").loc["W1", "bron"] == "BGT kunstwerkdeel"
    kwd_tally = report.tallies[1]
    assert kwd_tally.dropped["bgt-type steiger is geen kade"] == 1
    assert kwd_tally.dropped["geometrietype Point i.p.v. LineString"] == 1
    assert report.tallies[0].dropped["bgt-type damwand is geen kade"] == 1
