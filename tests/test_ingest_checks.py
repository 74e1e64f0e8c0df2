"""Nothing important is lost silently (issue 15, item 7): per source and feature kind in the report and the
summary; 0 rows, a feature kind losing more than half, or an analysis field empty in every row stop the run
unless the configuration accepts it."""
import geopandas as gpd
import pytest
from shapely.geometry import LineString, Point

from fixtures.ingest.builders import RD, X0, Y0, make_config, make_world, sq, write_geojson
from pipeline import ingest, summary
from pipeline.ingest.errors import IngestError


def config_with(tmp_path, name, frame, file, **source):
    sources = make_world(tmp_path / "raw")
    sources[name] = {"path": str(write_geojson(frame, tmp_path / file)), **source}
    return make_config(tmp_path, sources)


def scheiding(types, geoms):
    return gpd.GeoDataFrame({"lokaalID": [f"G{i}" for i in range(len(types))], "bgt-type": types},
                            geometry=geoms, crs=RD)


def line(i):
    return LineString([(X0 + 1000 + i, Y0 + 100), (X0 + 1000 + i, Y0 + 900)])


def test_report_and_summary_per_source_and_kind(tmp_path):
    frame = scheiding(["kademuur", "kademuur", "damwand", "walbescherming"], [line(0), line(5), line(10), line(15)])
    config = config_with(tmp_path, "kades", frame, "s.geojson")
    ingest.run(config)
    lines = summary.run(config)
    assert lines["bron kades"].startswith("gelezen 4, behouden 3, verwijderd 1")
    assert lines["bron kades / kademuur"] == "gelezen 2, behouden 2"
    assert lines["bron kades / walbescherming"] == \
        "gelezen 1, behouden 0, verwijderd 1 (1 verwijderd: bgt-type walbescherming is geen kade)"
    # make_world's IBIS: 1001 in 2023 (older year, dropped) and 2024; 1002 as two polygons plus an exact copy (dropped)
    assert lines["bron terreinen"].startswith("gelezen 5, behouden 2, verwijderd 2")


def test_source_with_no_rows_left_is_an_error(tmp_path):
    frame = scheiding(["walbescherming", "walbescherming"], [line(0), line(5)])
    with pytest.raises(IngestError) as err:
        ingest.build(config_with(tmp_path, "kades", frame, "s.geojson"))
    text = str(err.value)
    assert "source 'kades'" in text and "0 rows left of 2 read" in text and "accepteer_geen_rijen" in text
    layers, _ = ingest.build(config_with(tmp_path, "kades", frame, "s2.geojson", accepteer_geen_rijen=True))
    assert len(layers["kades"]) == 0


def test_feature_kind_losing_more_than_half_is_an_error(tmp_path):
    """Two of three kademuren unusable (points): 67 % of that kind lost, though the source as a whole lost 40 %."""
    frame = scheiding(["kademuur", "kademuur", "kademuur", "damwand", "damwand"],
                      [line(0), Point(X0, Y0), Point(X0 + 1, Y0), line(10), line(15)])
    with pytest.raises(IngestError) as err:
        ingest.build(config_with(tmp_path, "kades", frame, "s.geojson"))
    text = str(err.value)
    assert "feature kind 'kademuur': 2 of 3 lost (67% > ingest.max_verlies_aandeel 50%)" in text
    assert "2x geometrietype Point i.p.v. LineString" in text and "accepteer_verlies: [kademuur]" in text
    assert "all features" not in text  # 2 of 5 for the source as a whole stays under the limit
    layers, report = ingest.build(config_with(tmp_path, "kades", frame, "s2.geojson", accepteer_verlies=["kademuur"]))
    assert len(layers["kades"]) == 3
    lenient = make_config(tmp_path, config_with(tmp_path, "kades", frame, "s3.geojson").model_dump()["sources"],
                           ingest={"max_verlies_aandeel": 0.9})
    assert len(ingest.build(lenient)[0]["kades"]) == 3


@pytest.mark.parametrize("name, frame, field", [
    ("vestigingen", gpd.GeoDataFrame({"vestigingsnummer": ["1", "2"], "sbi_code": [None, " "]},
                                     geometry=[Point(X0 + 10, Y0 + 10), Point(X0 + 20, Y0 + 20)], crs=RD),
     "sbi_code"),
    ("vaarwegen", gpd.GeoDataFrame({"VWK_ID": ["A"], "CEMT_KLASS": [None]},
                                   geometry=[LineString([(X0, Y0), (X0, Y0 + 100)])], crs=RD), "cemt_klasse"),
    ("milieuzones", gpd.GeoDataFrame({"identificatie": ["Z"], "functieaanduiding": ["bedrijf"]},
                                     geometry=[sq(0, 0, 100)], crs=RD), "max_milieucategorie"),
    ("netcapaciteit", gpd.GeoDataFrame({"voedingsgebied_id": ["1"], "afname": [None]},
                                       geometry=[sq(0, 0, 100)], crs=RD), "afname_status"),
    ("verblijfsobjecten", gpd.GeoDataFrame({"identificatie": ["0855010000000001"], "gebruiksdoel": [None]},
                                           geometry=[Point(X0, Y0)], crs=RD), "gebruiksdoel"),
])
def test_analysis_field_empty_in_every_row_is_an_error(tmp_path, name, frame, field):
    with pytest.raises(IngestError) as err:
        ingest.build(config_with(tmp_path, name, frame, f"{name}.geojson"))
    text = str(err.value)
    assert f"source {name!r}: field {field!r} is empty in every row" in text
    assert f"sources.{name}.accepteer_leeg: [{field}]" in text
    layers, report = ingest.build(config_with(tmp_path, name, frame, f"{name}2.geojson", accepteer_leeg=[field]))
    assert any(t.source == name and field in t.empty_fields for t in report.tallies)


def test_emptied_values_warned_in_the_summary(tmp_path):
    frame = gpd.GeoDataFrame({"VWK_ID": ["A", "B"], "VAARWEGNAA": ["Kanaal", "Rivier"], "CEMT_KLASS": ["IV", "Va"],
                              "opmerking": ["x", "y"]},
                             geometry=[LineString([(X0 + 1050, Y0 - 500), (X0 + 1050, Y0 + 1500)]),
                                       LineString([(X0 + 1050, Y0 + 1500), (X0 + 5000, Y0 + 1500)])], crs=RD)
    sources = make_world(tmp_path / "raw")
    net = tmp_path / "net.geojson"
    bad = gpd.read_file(sources["netcapaciteit"]["path"])
    bad["beschikbaar_afname"] = ["veel", "20", "0", None]
    write_geojson(bad.to_crs(RD), net, crs_member="urn:ogc:def:crs:EPSG::28992")
    sources["netcapaciteit"] = {"path": str(net)}
    sources["vaarwegen"] = {"path": str(write_geojson(frame, tmp_path / "vw.geojson"))}
    result = ingest.run(make_config(tmp_path, sources))
    assert result["let op: netcapaciteit.beschikbaar_afname"] == \
        "1 waarde(n) onleesbaar, leeg gemaakt (value(s) are not numbers; bv. 'veel')"
