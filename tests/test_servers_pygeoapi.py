"""The OGC API fetcher against pygeoapi (a real server nobody on the team wrote) serving the real BGT and BAG
samples: paging by `next` links, `bbox` + `bbox-crs`, `crs`; fetch -> ingest must give the same canonical layers
as ingesting the files themselves (issue 15, item 8).

The samples (GML, GDAL-read and linearised as ingest does) are stored as GeoJSON in RD New, the way a server's
database holds them; pygeoapi pages them at most 100 per page whatever `limit` asks (its max_items).
"""
from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.geometry import box

from fixtures.ingest.builders import make_config, make_world
from pipeline import fetch
from pipeline.config import Source
from pipeline.fetch.boxes import download_boxes
from pipeline.ingest import bag, kades, readers
from pipeline.ingest.quality import Report
from servers_support import RD_URI, as_geojson, pygeoapi_serving

BGT = "data/real/bgt-otterlo-nlextract"
BAG = "data/real/bag2-doesburg-nlextract"
# (collection, sample file, id field) as served
SAMPLES = {"bgt_scheiding": (f"{BGT}/bgt_scheiding.gml", "gml_id"),
           "bgt_kunstwerkdeel": (f"{BGT}/bgt_kunstwerkdeel.gml", "gml_id"),
           "bag_pand": (f"{BAG}/0221PND15092020-000001.xml", "fid"),
           "bag_verblijfsobject": (f"{BAG}/0221VBO15092020-000001.xml", "fid")}
MUUR = {"analyse": {"kades": {"bgt_types": {"muur": "laag", "kademuur": "hoog"}}}}


@pytest.fixture(scope="module")
def served(shared_dir, tmp_path_factory):
    folder = tmp_path_factory.mktemp("pygeoapi")
    collections = {}
    for name, (sample, id_field) in SAMPLES.items():
        frame = readers.read_source(Source(path=shared_dir / sample), name, tolerance=0.1).frame
        frame = frame.drop(columns=[readers.SOURCE_TYPE]).assign(fid=np.arange(len(frame)))
        collections[name] = {"title": name, "data": as_geojson(frame, folder / f"{name}.geojson"), "id": id_field}
    with pygeoapi_serving(folder, collections, max_items=100) as base:
        yield base


def direct_config(tmp_path, shared_dir):
    sources = make_world(tmp_path / "raw")
    sources.update({"kades": {"path": str(shared_dir / SAMPLES["bgt_scheiding"][0])},
                    "kunstwerkdelen": {"path": str(shared_dir / SAMPLES["bgt_kunstwerkdeel"][0]),
                                       "accepteer_geen_rijen": True},
                    "panden": {"path": str(shared_dir / SAMPLES["bag_pand"][0])},
                    "verblijfsobjecten": {"path": str(shared_dir / SAMPLES["bag_verblijfsobject"][0])}})
    return make_config(tmp_path, sources, **MUUR)


def fetched_config(tmp_path, base, bbox):
    sources = make_world(tmp_path / "raw")
    for key, collection in (("kades", "bgt_scheiding"), ("kunstwerkdelen", "bgt_kunstwerkdeel"),
                            ("panden", "bag_pand"), ("verblijfsobjecten", "bag_verblijfsobject")):
        sources[key] = {"url": f"{base}/collections/{collection}", "kind": "ogcapi",
                        "path": str(tmp_path / "download" / f"{collection}.geojson")}
    sources["kunstwerkdelen"]["accepteer_geen_rijen"] = True
    return make_config(tmp_path, sources, region={"bbox": list(bbox)}, fetch={"buffer_m": 0, "pogingen": 2,
                                                                              "wachttijd_s": 0.1}, **MUUR)


OTTERLO_DOESBURG = (180000, 445000, 208000, 460000)  # both samples lie inside


def test_paging_bbox_and_crs(tmp_path, served):
    config = fetched_config(tmp_path, served, OTTERLO_DOESBURG)
    summary = fetch.run(config, only=["kades", "panden"])
    assert summary["kades"].startswith("396 features") and summary["panden"].startswith("6 features")
    manifest = pd.read_json(str(config.sources.kades.path) + ".manifest.json", typ="series")
    pages = manifest["streams"]["main"]["pages"]
    assert [p["features"] for p in pages] == [100, 100, 100, 96]  # pygeoapi's max_items, by next links
    # a smaller bbox: only the scheidingen intersecting x 181000-181300, y 457000-457300 (counted in the file)
    small = fetched_config(tmp_path / "small", served, (181000, 457000, 181300, 457300))
    fetch.run(small, only=["kades"])
    frame = readers.read_source(small.sources.kades, "kades").frame
    everything = readers.read_source(config.sources.kades, "kades").frame
    inside = shapely.intersects(everything.geometry.to_numpy(), shapely.box(181000, 457000, 181300, 457300))
    assert len(frame) == int(inside.sum()) and 0 < len(frame) < 396
    assert frame.crs.to_epsg() == 28992


def test_fetch_then_ingest_equals_ingesting_the_files(tmp_path, served, shared_dir):
    config = fetched_config(tmp_path, served, OTTERLO_DOESBURG)
    fetch.run(config)
    direct = direct_config(tmp_path / "direct", shared_dir)
    via = {"kades": kades.ingest(config, Report()), "panden": bag.ingest_panden(config, Report()),
           "verblijfsobjecten": bag.ingest_verblijfsobjecten(config, Report())}
    files = {"kades": kades.ingest(direct, Report()), "panden": bag.ingest_panden(direct, Report()),
             "verblijfsobjecten": bag.ingest_verblijfsobjecten(direct, Report())}
    assert (len(via["kades"]), len(via["panden"]), len(via["verblijfsobjecten"])) == (64, 2, 2)
    for name in via:
        a, b = via[name], files[name]
        # what the GML held as arcs arrives over the API as the (same) straight segments: only the record of
        # the source geometry type can differ
        columns = [c for c in a.columns if c not in ("geometry", "geometrie_bron", "conversie")]
        key = columns[0]
        a, b = a.sort_values(key).reset_index(drop=True), b.sort_values(key).reset_index(drop=True)
        pd.testing.assert_frame_equal(pd.DataFrame(a[columns]), pd.DataFrame(b[columns]), obj=name)
        assert a.geometry.geom_equals_exact(b.geometry, tolerance=1e-6).all(), name
    assert set(files["kades"]["geometrie_bron"]) > set(via["kades"]["geometrie_bron"])  # curves only in the GML
    assert RD_URI.endswith("28992")


def test_per_terrein_boxes_on_pygeoapi(tmp_path, served):
    """per_terrein against pygeoapi: the features of the boxes around the terreinen, each once, nothing else."""
    region = fetched_config(tmp_path / "region", served, OTTERLO_DOESBURG)
    fetch.run(region, only=["kades"])
    everything = gpd.read_file(region.sources.kades.path)
    # two terreinen whose 50 m boxes overlap (one box) and one further away; pygeoapi pages of 100
    terreinen = [box(181000, 457000, 181100, 457100), box(181150, 457000, 181250, 457100),
                 box(182000, 457500, 182300, 457800)]
    path = tmp_path / "terreinen.gpkg"
    gpd.GeoDataFrame(geometry=terreinen, crs="EPSG:28992").to_file(path)
    config = fetched_config(tmp_path / "boxes", served, OTTERLO_DOESBURG)
    config.sources.terreinen.path, config.sources.terreinen.layer = path, None
    config.sources.kades.per_terrein, config.sources.kades.halo = True, 50.0
    fetch.run(config, only=["kades"])
    got = gpd.read_file(config.sources.kades.path)
    boxes = download_boxes(np.array(terreinen), 50.0)
    assert boxes == [(180950.0, 456950.0, 181300.0, 457150.0), (181950.0, 457450.0, 182350.0, 457850.0)]
    in_box = shapely.intersects(everything.geometry.to_numpy()[:, None], shapely.box(*np.array(boxes).T)[None, :])
    assert in_box.any(axis=0).all()  # both boxes have scheidingen
    near = in_box.any(axis=1)
    assert 0 < len(got) < len(everything) and not got["gml_id"].duplicated().any()
    assert sorted(got["gml_id"]) == sorted(everything.loc[near, "gml_id"])
