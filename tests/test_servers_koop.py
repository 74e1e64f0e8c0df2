"""The ArcGIS fetcher against Koop (npm; a real GeoServices implementation nobody on the team wrote) serving a
real-format IBIS layer as a FeatureServer: layer description (object-id field, maxRecordCount), envelope query in
RD New, orderByFields, resultOffset paging, exceededTransferLimit (Esri JSON) or full pages (GeoJSON, where Koop
gives no flag). Fetch -> ingest must give the same canonical terreinen as ingesting the file (issue 15, item 8).

The layer: the 61 real IBIS 2024 records of ../shared/data/real/ibis-attributen-2024 (52 Noord-Brabant, 9 Zeeland)
with the public layer's field names and an object-id field FID, each drawn as a square of its HA_BRUTO placed
in its gemeente (CBS 2022 boundaries); Koop pages it 10 at a time.
"""
from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from fixtures.ingest.builders import make_config, make_world
from pipeline import fetch
from pipeline.config import REPO_ROOT
from pipeline.ingest import terreinen
from pipeline.ingest.quality import Report
from servers_support import as_geojson, koop_serving

IBIS = "data/real/ibis-attributen-2024/ibis_2024_sample.csv"
GEMEENTEN = "data/real/cbs-gemeenten-2022/gemeenten_2022_wgs84.geojson"
NB_BBOX = (71000, 358000, 202000, 428000)  # config/noord-brabant.yaml


def ibis_layer(shared_dir) -> gpd.GeoDataFrame:
    rows = pd.read_csv(shared_dir / IBIS)
    gemeenten = gpd.read_file(shared_dir / GEMEENTEN).to_crs(28992).set_index("statcode")
    code = "GM" + rows["gem_code"].astype(str).str.zfill(4)
    centre = shapely.point_on_surface(gemeenten.geometry.reindex(code).to_numpy())
    # squares along a diagonal from the gemeente's inner point, so terreinen of one gemeente do not overlap
    offset = rows.groupby(code).cumcount().to_numpy() * 1500.0
    side = np.sqrt(rows["ha_bruto"].to_numpy() * 10_000)
    x, y = shapely.get_x(centre) + offset, shapely.get_y(centre) + offset
    return gpd.GeoDataFrame({
        "FID": np.arange(1, len(rows) + 1), "RIN_NUMMER": rows["rin"], "JAAR": rows["jaar"], "PLAN_NAAM": rows["naam"],
        "GEM_CODES": code, "PROV_NAMEN": rows["provincie"], "HA_BRUTO": rows["ha_bruto"], "HA_NETTO": rows["ha_netto"],
        "HA_TOTTUIT": rows["ha_uitgeefbaar"], "WLOC_TYPE": rows["type"],
    }, geometry=shapely.box(x, y, x + side, y + side), crs=28992)


@pytest.fixture(scope="module")
def served(shared_dir, tmp_path_factory):
    folder = tmp_path_factory.mktemp("koop")
    layer = ibis_layer(shared_dir)
    path = as_geojson(layer, folder / "ibis.geojson", crs_member=True)
    with koop_serving(folder, {"ibis": {"data": path, "idField": "FID", "maxRecordCount": 10}}) as base:
        yield base, path, layer


def config_for(tmp_path, source: dict):
    sources = make_world(tmp_path / "raw")
    sources["terreinen"] = source
    return make_config(tmp_path, sources, region={"bbox": list(NB_BBOX),
                                                  "gemeente_tabel": str(REPO_ROOT / "pipeline/data/gemeente_regio.csv")},
                       fetch={"buffer_m": 0, "pagina_grootte": 1000, "pogingen": 2, "wachttijd_s": 0.1})


@pytest.mark.parametrize("fmt", ["geojson", "json"])
def test_fetch_then_ingest_equals_ingesting_the_file(tmp_path, served, fmt):
    base, path, layer = served
    url = f"{base}/ibis/FeatureServer/0"
    params = {} if fmt == "geojson" else {"f": "json"}
    config = config_for(tmp_path, {"url": url, "kind": "arcgis", "params": params,
                                   "path": str(tmp_path / "download" / "ibis.geojson")})
    summary = fetch.run(config, only=["terreinen"])
    # the envelope of Noord-Brabant leaves out the 9 Zeeland (Noord-Beveland) records, in pages of 10
    assert summary["terreinen"].startswith("52 features")
    manifest = pd.read_json(str(config.sources.terreinen.path) + ".manifest.json", typ="series")
    pages = [p["features"] for p in manifest["streams"]["main"]["pages"]]
    assert pages == [10, 10, 10, 10, 10, 2]  # Esri JSON: exceededTransferLimit; GeoJSON: until a short page
    fetched = terreinen.ingest(config, Report())
    direct = terreinen.ingest(config_for(tmp_path / "direct", {"path": str(path)}), Report())
    assert len(fetched) == len(direct) == 52
    pd.testing.assert_frame_equal(pd.DataFrame(fetched.drop(columns="geometry")),
                                  pd.DataFrame(direct.drop(columns="geometry")))
    # the same outlines; Esri JSON rings run clockwise, so compare them normalised
    assert shapely.equals_exact(shapely.normalize(fetched.geometry.to_numpy()),
                                shapely.normalize(direct.geometry.to_numpy()), tolerance=1e-6).all()
    wolfsveld = fetched.set_index("rin_nummer").loc["3135"]
    assert (wolfsveld["naam"], wolfsveld["gemeente_code"], wolfsveld["ha_bruto"]) == ("WOLFSVELD", "GM1652", 68)


def test_layer_description_and_paging_as_koop_gives_them(served):
    """What the fetcher relies on, as Koop answers it: objectIdField FID, maxRecordCount 10, the Esri JSON flag."""
    import requests
    base, _, _ = served
    info = requests.get(f"{base}/ibis/FeatureServer/0", params={"f": "json"}, timeout=10).json()
    assert info["objectIdField"] == "FID" and info["maxRecordCount"] == 10
    page = requests.get(f"{base}/ibis/FeatureServer/0/query", timeout=10, params={
        "f": "json", "where": "1=1", "outFields": "*", "orderByFields": "FID", "resultOffset": 50,
        "resultRecordCount": 10, "outSR": 28992}).json()
    assert page["exceededTransferLimit"] is True and [f["attributes"]["FID"] for f in page["features"]] == \
        list(range(51, 61))
    last = requests.get(f"{base}/ibis/FeatureServer/0/query", timeout=10, params={
        "f": "json", "where": "1=1", "orderByFields": "FID", "resultOffset": 60, "resultRecordCount": 10}).json()
    assert last["exceededTransferLimit"] is False and len(last["features"]) == 1
