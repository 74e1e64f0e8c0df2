"""Fairway sections: CEMT spelling normalised, unknown classes refused listing the valid ones."""
import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import LineString, MultiLineString

from fixtures.ingest.builders import RD, X0, Y0, make_config, make_world
from pipeline.ingest import vaarwegen
from pipeline.ingest.errors import IngestError
from pipeline.ingest.quality import Report


def with_fairways(tmp_path, frame, name="vw.shp"):
    sources = make_world(tmp_path / "raw")
    frame.to_file(tmp_path / name)
    sources["vaarwegen"] = {"path": str(tmp_path / name)}
    return make_config(tmp_path, sources)


def test_shapefile_names_and_classes(tmp_path):
    out = vaarwegen.ingest(make_config(tmp_path), Report())
    assert out[["vaarweg_id", "naam", "cemt_klasse"]].values.tolist() == [["A", "Kanaal", "IV"], ["B", "Rivier", "Va"]]


@pytest.mark.filterwarnings("ignore:Column names longer", "ignore:Normalized/laundered")
def test_class_spellings_and_multilines(tmp_path):
    frame = gpd.GeoDataFrame({"vaarwegvak_id": ["1", "2", "3", "4"], "cemtklasse": ["CEMT-klasse VIA", "0", "", "vb"]},
                             geometry=[MultiLineString([[(X0, Y0), (X0 + 10, Y0)], [(X0 + 50, Y0), (X0 + 60, Y0)]]),
                                       LineString([(X0, Y0), (X0, Y0 + 10)]), LineString([(X0, Y0), (X0 - 10, Y0)]),
                                       LineString([(X0, Y0), (X0, Y0 - 10)])], crs=RD)
    out = vaarwegen.ingest(with_fairways(tmp_path, frame), Report())
    assert out["vaarweg_id"].tolist() == ["1-1", "1-2", "2", "3", "4"]
    assert out["cemt_klasse"].tolist()[:3] == ["VIa", "VIa", "0"] and out["cemt_klasse"].iloc[4] == "Vb"
    assert out["cemt_klasse"].isna().iloc[3]


def test_unknown_cemt_class_refused(tmp_path):
    frame = gpd.GeoDataFrame({"VWK_ID": ["1"], "CEMT_KLASS": ["XYZ"]},
                             geometry=[LineString([(X0, Y0), (X0 + 10, Y0)])], crs=RD)
    with pytest.raises(IngestError) as err:
        vaarwegen.ingest(with_fairways(tmp_path, frame), Report())
    text = str(err.value)
    assert "CEMT_KLASS" in text and "XYZ" in text and "VIa" in text and "vw.shp" in text


@pytest.mark.parametrize("raw, expected", [("IVa", "IV"), ("IVb", "IV"), ("VA", "Va"), ("5a", "Va"), ("5b", "Vb"),
                                           ("4", "IV"), ("6b", "VIb"), ("0", "0")])
def test_vnds_class_spellings(raw, expected):
    """VNDS l_navigability writes classes as IVa/IVb (both IV here), VA, 5a (issue 15, item 8)."""
    from pipeline.ingest.fields import Where
    from pipeline.ingest.vaarwegen import cemt_classes
    assert cemt_classes(pd.Series([raw]), where=Where(None, None), field="code").tolist() == [expected]
