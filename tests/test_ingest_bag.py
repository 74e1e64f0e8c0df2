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


def test_status_text_made_per_distinct_value_is_as_text():
    """bag._few_texts (the status, as text on its distinct values only) equals fields.as_text on every row: stripped,
    blanks and null-like text missing, numbers without '.0', for text, object and float columns."""
    import numpy as np
    import pandas as pd

    from pipeline.ingest.fields import as_text

    for column in (pd.Series([" Pand in gebruik", "Pand in gebruik", None, "", "NULL", "Pand gesloopt "] * 3,
                             dtype=object, index=range(10, 28)),
                   pd.Series(["a", None, "b", "a"], dtype="str"), pd.Series([1.0, np.nan, 2.5, 1.0]),
                   pd.Series([None, None], dtype=object), pd.Series([], dtype="str")):
        got, want = bag._few_texts(column), as_text(column)
        assert got.index.equals(want.index) and got.isna().tolist() == want.isna().tolist()
        assert got.dropna().tolist() == want.dropna().tolist() and got.dtype == want.dtype
