"""Geometry repair, type filtering, dissolve and duplicates (pipeline.ingest.geometry)."""
import geopandas as gpd
import pytest
from shapely.geometry import GeometryCollection, LineString, MultiLineString, Point, Polygon

from fixtures.ingest.builders import RD, sq
from pipeline.ingest.geometry import clean, dissolve, drop_exact_duplicates
from pipeline.ingest.quality import Tally

BOWTIE = Polygon([(0, 0), (10, 10), (10, 0), (0, 10), (0, 0)])


def tally():
    return Tally("x", "x", None)


def test_invalid_polygon_repaired_and_counted():
    t = tally()
    frame = gpd.GeoDataFrame({"a": [1, 2]}, geometry=[BOWTIE, sq(0, 0, 10)], crs=RD)
    out = clean(frame, "Polygon", t)
    assert len(out) == 2 and out.is_valid.all()
    assert set(out.geom_type) == {"MultiPolygon"}
    assert t.repaired["ongeldige geometrie hersteld (make_valid)"] == 1
    assert out.geometry.iloc[0].area == pytest.approx(50)


def test_mixed_types_split_and_filtered():
    t = tally()
    frame = gpd.GeoDataFrame({"a": [1, 2, 3, 4]}, geometry=[
        sq(0, 0, 10), GeometryCollection([sq(20, 0, 10), LineString([(0, 0), (1, 1)])]), Point(0, 0), None],
        crs=RD)
    out = clean(frame, "Polygon", t)
    assert out["a"].tolist() == [1, 2]
    assert t.repaired["gemengde geometrie: alleen Polygon behouden"] == 1
    assert t.dropped["geometrietype Point i.p.v. Polygon"] == 1
    assert t.dropped["geen geometrie"] == 1


def test_lines_exploded_with_part_numbers():
    t = tally()
    frame = gpd.GeoDataFrame({"id": ["a", "b"]}, geometry=[
        MultiLineString([[(0, 0), (1, 0)], [(5, 0), (6, 0)]]), LineString([(0, 1), (1, 1)])], crs=RD)
    out = clean(frame, "LineString", t)
    assert out["id"].tolist() == ["a", "a", "b"] and out["_deel"].tolist() == [0, 1, 0]
    assert out["_delen"].tolist() == [2, 2, 1]
    assert set(out.geom_type) == {"LineString"}
    assert t.repaired["multi-geometrie gesplitst in losse LineStrings"] == 1


def test_dissolve_into_multipolygon():
    frame = gpd.GeoDataFrame({"rin": ["1", "1", "2"]}, geometry=[sq(0, 0, 10), sq(50, 0, 10), sq(100, 0, 10)],
                             crs=RD)
    out, merged = dissolve(frame, "rin")
    assert merged == 1 and len(out) == 2
    one = out[out["rin"] == "1"].geometry.iloc[0]
    assert one.geom_type == "MultiPolygon" and one.area == pytest.approx(200)


def test_exact_duplicates_dropped():
    t = tally()
    frame = gpd.GeoDataFrame({"a": [1, 1, 1]}, geometry=[sq(0, 0, 10), sq(0, 0, 10), sq(5, 0, 10)], crs=RD)
    assert len(drop_exact_duplicates(frame, t)) == 2
    assert t.dropped["exact dubbel record"] == 1
