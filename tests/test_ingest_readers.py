"""Reading every format, CRS rules and the errors for unusable files (pipeline.ingest.readers)."""
import json

import geopandas as gpd
import pytest
import shapely


from fixtures.ingest.builders import RD, X0, Y0, sq, write_geojson
from pipeline.config import Source
from pipeline.ingest.errors import IngestError
from pipeline.ingest.readers import detect_format, read_source


@pytest.fixture
def squares():
    return gpd.GeoDataFrame({"naam": ["a", "b"]}, geometry=[sq(0, 0, 100), sq(200, 0, 100)], crs=RD)


@pytest.mark.parametrize("suffix, kwargs", [
    ("gpkg", {"layer": "vlakken"}), ("shp", {}), ("parquet", None), ("gml", {"driver": "GML"}),
])
def test_reads_each_format_in_working_crs(tmp_path, squares, suffix, kwargs):
    path = tmp_path / f"f.{suffix}"
    if kwargs is None:
        squares.to_parquet(path)
    else:
        squares.to_file(path, **kwargs)
    read = read_source(Source(path=path), "test")
    assert read.frame.crs.to_epsg() == 28992
    assert sorted(read.frame["naam"]) == ["a", "b"]
    assert shapely.area(read.frame.geometry.to_numpy()).sum() == pytest.approx(20_000)
    assert not list(tmp_path.glob("*.gfs"))  # GDAL's GML sidecar is never written beside a source


def test_geojson_without_crs_member_is_wgs84_and_reprojected(tmp_path, squares):
    path = write_geojson(squares, tmp_path / "f.geojson")
    assert "crs" not in json.loads(path.read_text())
    read = read_source(Source(path=path), "test")
    assert read.frame.crs.to_epsg() == 28992
    assert read.frame.total_bounds[0] == pytest.approx(X0, abs=0.01)
    assert read.frame.geometry.area.sum() == pytest.approx(20_000, rel=1e-6)


def test_geojson_legacy_crs_member_honoured(tmp_path, squares):
    path = write_geojson(squares, tmp_path / "f.json", crs_member="urn:ogc:def:crs:EPSG::28992")
    assert detect_format(path) == "geojson"
    read = read_source(Source(path=path), "test")
    assert read.frame.total_bounds[1] == pytest.approx(Y0)


def test_other_crs_reprojected(tmp_path, squares):
    path = tmp_path / "f.gpkg"
    squares.to_crs("EPSG:3857").to_file(path)
    read = read_source(Source(path=path), "test")
    assert read.frame.total_bounds[0] == pytest.approx(X0, abs=0.01)


@pytest.mark.filterwarnings("ignore:.crs. was not provided")
def test_layer_without_crs_refused_unless_configured(tmp_path, squares):
    path = tmp_path / "f.shp"
    squares.set_crs(None, allow_override=True).to_file(path)
    with pytest.raises(IngestError, match="declares no coordinate reference system") as err:
        read_source(Source(path=path), "vaarwegen")
    assert "sources.vaarwegen.crs" in str(err.value) and str(path) in str(err.value)
    read = read_source(Source(path=path, crs="EPSG:28992"), "vaarwegen")
    assert read.frame.crs.to_epsg() == 28992


def test_projected_coordinates_in_rfc7946_geojson_refused(tmp_path, squares):
    path = tmp_path / "f.geojson"
    path.write_text(squares.to_json(drop_id=True))  # RD numbers, no crs member
    data = json.loads(path.read_text())
    data.pop("crs", None)
    path.write_text(json.dumps(data))
    with pytest.raises(IngestError, match="not longitude/latitude"):
        read_source(Source(path=path), "kades")
    assert read_source(Source(path=path, crs="EPSG:28992"), "kades").frame.total_bounds[0] == pytest.approx(X0)


def test_missing_file(tmp_path):
    with pytest.raises(IngestError, match="does not exist") as err:
        read_source(Source(path=tmp_path / "nope.gpkg"), "terreinen")
    assert "nope.gpkg" in str(err.value)


def test_unknown_layer_lists_available(tmp_path, squares):
    path = tmp_path / "f.gpkg"
    squares.to_file(path, layer="pand")
    squares.to_file(path, layer="verblijfsobject")
    with pytest.raises(IngestError, match="unknown layer") as err:
        read_source(Source(path=path, layer="panden"), "panden")
    assert "pand" in str(err.value) and "verblijfsobject" in str(err.value) and "panden" in str(err.value)


def test_default_layer_and_empty_layer(tmp_path, squares):
    path = tmp_path / "f.gpkg"
    squares.iloc[:0].to_file(path, layer="leeg")
    squares.to_file(path, layer="pand")
    assert read_source(Source(path=path), "panden", default_layer="pand").layer == "pand"
    with pytest.raises(IngestError, match="layer is empty") as err:
        read_source(Source(path=path, layer="leeg"), "panden")
    assert "'leeg'" in str(err.value)


def test_unknown_extension(tmp_path):
    path = tmp_path / "f.dxf"
    path.write_text("x")
    with pytest.raises(IngestError, match="unknown file format"):
        read_source(Source(path=path), "x")


def test_unclosed_ring_in_geojson_closed_and_counted(tmp_path):
    ring = [[5.0, 51.0], [5.01, 51.0], [5.01, 51.01], [5.0, 51.01]]  # first != last
    data = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"id": 1}, "geometry": {"type": "Polygon", "coordinates": [ring]}},
        {"type": "Feature", "properties": {"id": 2}, "geometry": {"type": "Polygon", "coordinates": [ring + [ring[0]]]}},
    ]}
    path = tmp_path / "open.geojson"
    path.write_text(json.dumps(data))
    read = read_source(Source(path=path), "test")
    assert read.rings_closed == 1
    assert read.frame.geometry.is_valid.all()
    assert read.frame.geometry.area.iloc[0] == pytest.approx(read.frame.geometry.area.iloc[1])


def test_plain_parquet_refused(tmp_path):
    import pandas as pd
    path = tmp_path / "t.parquet"
    pd.DataFrame({"a": [1]}).to_parquet(path)
    with pytest.raises(IngestError, match="without GeoParquet metadata"):
        read_source(Source(path=path), "kavels")


def test_real_cbs_gemeenten_wgs84_reprojected(shared_dir):
    path = shared_dir / "data/real/cbs-gemeenten-2022/gemeenten_2022_noord_brabant_wgs84.geojson"
    read = read_source(Source(path=path), "gemeenten")
    frame = read.frame
    assert frame.crs.to_epsg() == 28992 and len(frame) == 56
    # RD New bounds of Noord-Brabant: x 70-200 km, y 360-430 km
    xmin, ymin, xmax, ymax = frame.total_bounds
    assert 60_000 < xmin < xmax < 210_000 and 350_000 < ymin < ymax < 440_000
    breda = frame[frame["statnaam"] == "Breda"].geometry.iloc[0]
    assert breda.contains(shapely.Point(112_900, 400_800))  # Breda city centre (Grote Markt) in RD
    assert 100e6 < breda.area < 150e6  # Breda is ~129 km²


@pytest.mark.parametrize("fmt", ["gpkg", "parquet"])
def test_curved_geometry_linearised_from_any_source(tmp_path, fmt):
    """Arcs are linearised whatever the file (issue 15, item 2): a quarter circle of radius 100 m as a
    CircularString and a curved strip as a CurvePolygon, in a GeoPackage and in a GeoParquet."""
    import json

    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq
    import pyogrio

    from pipeline.config import Source
    from pipeline.demo.bgt import arc_line, arc_strip
    from pipeline.ingest import readers

    t = np.linspace(0, np.pi / 2, 3)
    arc = np.c_[150_000 + 100 * np.cos(t), 400_000 + 100 * np.sin(t)]
    wkb = np.array([arc_line(arc), arc_strip(arc, 2.0)], dtype=object)
    path = tmp_path / f"curves.{fmt}"
    if fmt == "gpkg":
        pyogrio.raw.write(path, wkb, field_data=[np.array(["a", "b"], dtype=object)], fields=["id"],
                          geometry_type="Unknown", crs="EPSG:28992", driver="GPKG")
    else:
        table = pa.table({"id": ["a", "b"], "geometry": pa.array(list(wkb), type=pa.binary())})
        geo = {"version": "1.0.0", "primary_column": "geometry",
               "columns": {"geometry": {"encoding": "WKB", "crs": "EPSG:28992", "geometry_types": []}}}
        pq.write_table(table.replace_schema_metadata({b"geo": json.dumps(geo).encode()}), path)
    layer = readers.read_source(Source(path=path), "kades", tolerance=0.1)
    assert layer.curves_linearised == 2
    assert layer.frame[readers.SOURCE_TYPE].tolist() == ["CircularString", "CurvePolygon"]
    line, strip = layer.frame.geometry
    assert line.geom_type == "LineString" and line.length == pytest.approx(np.pi * 50, rel=1e-3)
    radius = np.hypot(*(np.asarray(line.coords) - [150_000, 400_000]).T)
    assert np.allclose(radius, 100, atol=1e-6) and len(radius) > 10  # on the arc, more than its three points
    # its sides are arcs through points offset 1 m from the three control points: about length x width
    assert strip.geom_type == "Polygon" and strip.area == pytest.approx(np.pi * 50 * 2.0, rel=0.05)
    assert len(strip.exterior.coords) > 20


# --- plausibility: the layer must lie in the Netherlands once read in its declared CRS ---------------------
def test_rd_coordinates_labelled_web_mercator_are_refused_with_the_likely_crs(tmp_path, squares):
    path = tmp_path / "ibis.gpkg"
    squares.set_crs("EPSG:3857", allow_override=True).to_file(path, layer="ibis")
    with pytest.raises(IngestError, match=r"ibis.gpkg.*do not lie in the Netherlands when read as EPSG:3857.*"
                                          r"look like EPSG:28992: set sources.terreinen.crs"):
        read_source(Source(path=path), "terreinen")


def test_lon_lat_labelled_rd_are_refused_with_the_likely_crs(tmp_path):
    frame = gpd.GeoDataFrame({"naam": ["a"]}, geometry=[shapely.box(5.1, 51.5, 5.2, 51.6)], crs="EPSG:28992")
    path = tmp_path / "kavels.gpkg"
    frame.to_file(path)
    with pytest.raises(IngestError, match=r"read as EPSG:28992 .*look like EPSG:4326"):
        read_source(Source(path=path), "kavels")


def test_an_absurd_vertex_is_refused_naming_the_extent(tmp_path, squares):
    far = gpd.GeoDataFrame({"naam": ["c"]}, geometry=[shapely.box(X0, Y0, 1e20, Y0 + 10)], crs=RD)
    path = tmp_path / "panden.gpkg"
    gpd.GeoDataFrame(gpd.pd.concat([squares, far]), crs=RD).to_file(path)
    with pytest.raises(IngestError, match=r"panden.gpkg.*do not lie in the Netherlands.*1e\+20"):
        read_source(Source(path=path), "panden")
