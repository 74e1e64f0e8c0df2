"""BAG panden and verblijfsobjecten: ids as text, gevoelig from the configured gebruiksdoelen."""
import geopandas as gpd
from shapely.geometry import MultiPoint, Point

from fixtures.ingest.builders import RD, X0, Y0, make_config, make_world
from pipeline.ingest import bag
from pipeline.ingest.errors import IngestError
from pipeline.ingest.quality import Report
import pytest


def test_panden(tmp_path):
    out = bag.ingest_panden(make_config(tmp_path), Report())
    assert out["pand_id"].tolist() == ["0855100000000001", "0855100000000002"]
    assert out["bouwjaar"].tolist() == [1990, 2005] and set(out.geom_type) == {"MultiPolygon"}


def test_verblijfsobjecten_gevoelig_default_and_configured(tmp_path):
    out = bag.ingest_verblijfsobjecten(make_config(tmp_path), Report())
    assert out["gevoelig"].tolist() == [True, False, True]  # woon, industrie, kantoor+onderwijs
    config = make_config(tmp_path, analyse={"milieuruimte": {"gevoelige_gebruiksdoelen": ["woonfunctie"]}})
    out = bag.ingest_verblijfsobjecten(config, Report())
    assert out["gevoelig"].tolist() == [True, False, False]


def test_numeric_ids_get_leading_zeros_and_multipoints_split(tmp_path):
    sources = make_world(tmp_path / "raw")
    path = tmp_path / "vbo.gpkg"
    gpd.GeoDataFrame({"identificatie": [855010000000009], "gebruiksdoel": ["woonfunctie; industriefunctie"]},
                     geometry=[MultiPoint([(X0, Y0), (X0 + 5, Y0)])], crs=RD).to_file(path, layer="verblijfsobject")
    sources["verblijfsobjecten"] = {"path": str(path)}
    report = Report()
    out = bag.ingest_verblijfsobjecten(make_config(tmp_path, sources), report)
    assert out["vbo_id"].tolist() == ["0855010000000009-1", "0855010000000009-2"]
    assert out["gebruiksdoel"].iloc[0] == "woonfunctie,industriefunctie" and out["gevoelig"].all()


def test_missing_gebruiksdoel_refused(tmp_path):
    sources = make_world(tmp_path / "raw")
    path = tmp_path / "vbo.gpkg"
    gpd.GeoDataFrame({"identificatie": ["1"], "doel": ["woonfunctie"]}, geometry=[Point(X0, Y0)], crs=RD) \
        .to_file(path, layer="verblijfsobject")
    sources["verblijfsobjecten"] = {"path": str(path)}
    with pytest.raises(IngestError, match="gebruiksdoel") as err:
        bag.ingest_verblijfsobjecten(make_config(tmp_path, sources), Report())
    assert "doel" in str(err.value) and "verblijfsobject" in str(err.value)


def test_a_field_is_present_only_where_it_holds_a_value():
    """bag._present (which voorkomens have ended): missing, blank and null-like text is no value, any other text and
    any date is; the same on a column of dates with NaT."""
    import numpy as np
    import pandas as pd

    text = pd.Series([None, "", "  ", "NULL", "2020-01-01", np.nan, " 2021-05-04 "], dtype=object)
    assert bag._present(text).tolist() == [False, False, False, False, True, False, True]
    assert bag._present(text.astype("str")).tolist() == [False, False, False, False, True, False, True]
    dates = pd.Series(pd.to_datetime(["2020-01-01", None, "2021-01-01"]))
    assert bag._present(dates).tolist() == [True, False, True]
    assert bag._present(pd.Series([None, None], dtype=object)).tolist() == [False, False]
