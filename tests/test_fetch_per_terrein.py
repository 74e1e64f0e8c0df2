"""per_terrein downloads: boxes around the terreinen, each feature once, resumable, a bounded number at a time.

The server is tests/ogcapi_replay.py: real HTTP on 127.0.0.1 answering in the PDOK OGC API format, filtering by
bbox, paging by cursor links, counting the requests it answers at once.
"""
from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pytest
from shapely.geometry import box, mapping

from pipeline import fetch
from pipeline.config import ConfigError, load_config
from pipeline.fetch.boxes import download_boxes, halo_m, merge_boxes
from pipeline.fetch.http import FetchError
from pipeline.fetch.manifest import manifest_path
from pipeline.fetch.ogcapi import CRS_URI
from conftest import MINIMAL_SOURCES
from ogcapi_replay import Replay, serving
from test_fetch_support import make_config, no_proxy_env  # noqa: F401

BAG = "/kadaster/bag/ogc/v2/collections/pand"
# two terreinen 500 m apart (their 300 m halos overlap: one box) and one 3 km further east (a box of its own)
T1, T2, T3 = box(172000, 390000, 173000, 391000), box(173500, 390200, 174000, 390800), box(176000, 390000, 176500, 390500)
BOX_WEST = "171700,389700,174300,391300"   # T1 grown by 300 m, merged with T2 grown by 300 m
BOX_EAST = "175700,389700,176800,390800"   # T3 grown by 300 m


def pand(n: int, geom) -> dict:
    return {"id": f"00000000-0000-0000-0000-{n:012x}", "type": "Feature", "geometry": mapping(geom),
            "properties": {"identificatie": f"08551000000{n:05d}", "status": "Pand in gebruik", "bouwjaar": 2000}}


PANDEN = [pand(n, box(172100 + 100 * n, 390100, 172120 + 100 * n, 390120)) for n in range(1, 4)]   # on T1
PANDEN += [pand(4, box(173600, 390300, 173650, 390350)), pand(5, box(174200, 391200, 174250, 391250))]  # T2, halo
PANDEN += [pand(6, box(176100, 390100, 176130, 390130)), pand(7, box(176700, 390700, 176750, 390750))]  # T3, halo
PANDEN += [pand(8, box(174200, 390000, 175800, 390010)),   # a long shed across the gap: in both boxes
           pand(9, box(175000, 390500, 175100, 390600)),   # in the gap between the boxes: in neither
           pand(10, box(181000, 397000, 181010, 397010))]  # far away
INSIDE = {f"00000000-0000-0000-0000-{n:012x}" for n in range(1, 9)}


def write_terreinen(tmp_path, geometries) -> str:
    path = tmp_path / "user" / "terreinen.gpkg"
    path.parent.mkdir(parents=True, exist_ok=True)
    gpd.GeoDataFrame({"RIN_NUMMER": list(range(1, len(geometries) + 1))}, geometry=list(geometries),
                     crs="EPSG:28992").to_file(path, driver="GPKG")
    return str(path)


def per_terrein_config(tmp_path, base, terreinen, *, gelijktijdig=2, page=2, halo=300):
    return make_config(tmp_path, {"terreinen": {"path": write_terreinen(tmp_path, terreinen)},
                                  "panden": {"url": base + BAG, "kind": "ogcapi", "per_terrein": True,
                                             "halo": halo}},
                       fetch={"pagina_grootte": page, "gelijktijdig": gelijktijdig})


def downloaded_ids(config) -> list[str]:
    return [f["id"] for f in json.loads(config.sources.panden.path.read_text())["features"]]


def pages_of(replay) -> list[dict]:
    return [r for r in replay.requests if r.get("limit") != "1"]


# ---------------------------------------------------------------------------------------------
def test_close_terreinen_share_a_box_and_a_far_one_gets_its_own():
    boxes = download_boxes(np.array([T1, T2, T3]), 300.0)
    assert boxes == [(171700.0, 389700.0, 174300.0, 391300.0), (175700.0, 389700.0, 176800.0, 390800.0)]
    # rounded outward to whole metres
    assert download_boxes(np.array([box(1000.4, 999.6, 2000.2, 2000.0)]), 10.0) == [(990.0, 989.0, 2011.0, 2010.0)]
    # clipped to the region's extent; a box wholly outside it is dropped
    assert download_boxes(np.array([T1, T2, T3]), 300.0, extent=(170000, 388000, 176000, 391000)) == \
        [(171700.0, 389700.0, 174300.0, 391000.0), (175700.0, 389700.0, 176000.0, 390800.0)]
    with pytest.raises(FetchError, match="no terrein lies within"):
        download_boxes(np.array([T3]), 300.0, extent=(170000, 388000, 175000, 389000))


def test_envelopes_are_merged_again_until_none_overlap():
    # an L of two boxes; a third box inside the L's envelope touches neither arm but overlaps the envelope
    merged = merge_boxes(np.array([[0, 0, 10, 100], [0, 90, 100, 100], [50, 20, 60, 30], [200, 0, 210, 10]], float))
    assert merged.tolist() == [[0, 0, 100, 100], [200, 0, 210, 10]]


def test_halo_comes_from_the_analysis_settings(tmp_path):
    config = make_config(tmp_path, {})
    bag = config.sources.panden.model_copy(update={"halo": "richtafstand"})
    kade = config.sources.panden.model_copy(update={"halo": "kade_tolerantie"})
    # the largest richtafstand (1,500 m) / the quay tolerance (25 m), plus meettolerantie and kavel clip tolerance
    assert halo_m(bag, config.analyse) == pytest.approx(1500.02)
    assert halo_m(kade, config.analyse) == pytest.approx(25.02)
    config.analyse.milieuruimte.richtafstanden_gemengd["6"] = 1800.0
    config.analyse.kades.tolerantie_m = 40.0
    assert halo_m(bag, config.analyse) == pytest.approx(1800.02)
    assert halo_m(kade, config.analyse) == pytest.approx(40.02)
    assert halo_m(config.sources.panden.model_copy(update={"halo": 80.0}), config.analyse) == 80.0


# ---------------------------------------------------------------------------------------------
def test_features_come_once_and_only_from_the_boxes(tmp_path, capsys):
    replay = Replay({"pand": PANDEN}, number_matched=True)
    with serving(replay) as base:
        config = per_terrein_config(tmp_path, base, [T1, T2, T3])
        summary = fetch.run(config)
    assert summary["panden"].startswith("8 features")
    assert sorted(downloaded_ids(config)) == sorted(INSIDE)  # the shed across the gap once; 9 and 10 not at all
    assert capsys.readouterr().out.splitlines()[0] == (
        "panden: 2 box(es) around the terreinen (halo 300 m), at most 2 request(s) at a time; expected 9 features "
        "(a feature on the edge of two boxes counts twice) in 5 request(s) of up to 2")
    probes = [r for r in replay.requests if r.get("limit") == "1"]
    assert sorted(r["bbox"] for r in probes) == [BOX_WEST, BOX_EAST]
    # west box: panden 1-5 and the shed 8 = 6 features, 3 pages of 2; east: 6, 7 and 8 = 3 features, 2 pages
    pages = pages_of(replay)
    assert sorted((r["bbox"], r.get("cursor", "")) for r in pages) == [
        (BOX_WEST, ""), (BOX_WEST, "2"), (BOX_WEST, "4"), (BOX_EAST, ""), (BOX_EAST, "2")]  # west < east as text
    assert all(r["bbox-crs"] == CRS_URI and r["crs"] == CRS_URI and r["limit"] == "2" for r in pages)
    manifest = json.loads(manifest_path(config.sources.panden.path).read_text())
    assert manifest["request"]["boxes"] == [BOX_WEST, BOX_EAST] and "bbox" not in manifest["request"]
    frame = gpd.read_file(config.sources.panden.path)
    assert frame.crs.to_epsg() == 28992 and len(frame) == 8


def test_without_number_matched_the_size_is_said_to_be_unknown(tmp_path, capsys):
    replay = Replay({"pand": PANDEN}, number_matched=False)
    with serving(replay) as base:
        config = per_terrein_config(tmp_path, base, [T1, T2, T3])
        fetch.run(config)
    assert capsys.readouterr().out.splitlines()[0] == (
        "panden: 2 box(es) around the terreinen (halo 300 m), at most 2 request(s) at a time; the server does not "
        "report numberMatched: features and requests unknown")
    assert len(replay.requests) - len(pages_of(replay)) == 1  # one probe tells: no more asked
    assert sorted(downloaded_ids(config)) == sorted(INSIDE)


def test_interrupted_download_resumes_with_the_missing_pages_only(tmp_path, capsys):
    replay = Replay({"pand": PANDEN}, number_matched=True)
    replay.fail[(BOX_EAST, "2")] = 400  # the east box's second page fails once
    with serving(replay) as base:
        config = per_terrein_config(tmp_path, base, [T1, T2, T3], gelijktijdig=1)
        with pytest.raises(FetchError, match="fetch failed for 1 source"):
            fetch.run(config)
        assert not config.sources.panden.path.exists()  # nothing half-written
        before = len(replay.requests)
        fetch.run(config)
        again = replay.requests[before:]
        assert [(r["bbox"], r.get("cursor")) for r in again] == [(BOX_EAST, "2")]  # no probe, no page twice
        assert capsys.readouterr().out.splitlines()[-1].endswith("in 5 request(s) of up to 2; 4 page(s) already on disk")
        assert sorted(downloaded_ids(config)) == sorted(INSIDE)

        before = len(replay.requests)  # the same terreinen: complete, nothing asked
        assert fetch.run(config)["skipped (complete)"] == 1 and len(replay.requests) == before
        # another terrein changes the boxes: downloaded afresh
        write_terreinen(tmp_path, [T1, T2, T3, box(179000, 395000, 179100, 395100)])
        fetch.run(config)
        fresh = pages_of(replay)[-6:]
    assert [r["bbox"] for r in fresh if "cursor" not in r] == [BOX_WEST, BOX_EAST, "178700,394700,179400,395400"]
    assert len(downloaded_ids(config)) == 8


@pytest.mark.parametrize("gelijktijdig", [1, 3])
def test_no_more_requests_at_once_than_the_setting(tmp_path, gelijktijdig):
    far = [box(171000 + 2000 * i, 392000, 171100 + 2000 * i, 392100) for i in range(5)]  # 5 separate boxes
    panden = [pand(100 + 4 * i + k, box(171010 + 2000 * i + 20 * k, 392010, 171015 + 2000 * i + 20 * k, 392015))
              for i in range(5) for k in range(4)]
    replay = Replay({"pand": panden}, latency_s=0.2, number_matched=True)
    with serving(replay) as base:
        config = per_terrein_config(tmp_path, base, far, gelijktijdig=gelijktijdig)
        fetch.run(config)
    assert len(pages_of(replay)) == 10 and len(downloaded_ids(config)) == 20  # 5 boxes x 4 panden, 2 per page
    assert replay.max_concurrent == gelijktijdig  # reached, never passed


# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("change, message", [
    ("  panden: {url: 'https://x/collections/pand', kind: wfs, per_terrein: true, path: b.gpkg}",
     "sources.panden: Value error, per_terrein: true works for kind ogcapi or file only, not 'wfs'"),
    ("  panden: {url: 'https://x/bag-light.gpkg', kind: file, per_terrein: true, layer: pand, path: b.gpkg}",
     "sources.panden: Value error, per_terrein with kind file downloads a bulk GeoPackage and cuts one layer of it: "
     "set bulk_pad"),
    ("  panden: {url: 'https://x/bag-light.gpkg', kind: file, bulk_pad: bag.gpkg, layer: pand, path: b.gpkg}",
     "sources.panden: Value error, bulk_pad is used only with per_terrein: true and kind: file"),
    ("  panden: {url: 'https://x/bag-light.gpkg', kind: file, per_terrein: true, bulk_pad: b.gpkg, layer: pand, "
     "path: b.gpkg}", "sources.panden: Value error, bulk_pad and path are both b.gpkg"),
    ("  panden: {url: 'https://x/bag-light.gpkg', kind: file, per_terrein: true, bulk_pad: bag.gpkg, layer: pand, "
     "path: p.gpkg}\n  verblijfsobjecten: {url: 'https://y/bag.gpkg', kind: file, per_terrein: true, "
     "bulk_pad: bag.gpkg, layer: verblijfsobject, path: v.gpkg}",
     "sources: Value error, sources.verblijfsobjecten.bulk_pad: bag.gpkg is also the bulk file of sources.panden, "
     "downloaded from another url (https://x/bag-light.gpkg); one file, one url"),
    ("  panden: {path: b.gpkg, per_terrein: true}", "sources.panden: Value error, per_terrein: true needs a url"),
    ("  panden: {url: 'https://x/collections/pand', per_terrein: true, halo: -5, path: b.gpkg}",
     "sources.panden.halo"),
    ("  terreinen: {url: 'https://x/collections/t', per_terrein: true, path: a.gpkg}",
     "sources.terreinen.per_terrein: the terreinen are what"),
    ("fetch: {gelijktijdig: 10}", "fetch.gelijktijdig: Input should be less than or equal to 4"),
    ("fetch: {tegel_m: 10}", "fetch.tegel_m: Input should be greater than or equal to 1000"),
])
def test_bad_settings_name_their_key(tmp_path, change, message):
    lines = MINIMAL_SOURCES.splitlines()
    key = change.split(":")[0]
    text = "\n".join(line for line in lines if not line.startswith(key + ":")) + "\n" + change + "\n"
    if change.startswith("fetch"):
        text = MINIMAL_SOURCES + change + "\n"
    path = tmp_path / "c.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_config(path)
    assert message in str(err.value)


def test_a_box_larger_than_a_cell_is_cut_into_the_needed_parts_of_each_cell():
    # a chain of three terreinen whose 300 m boxes overlap: merged, 3,600 x 1,600 m, more than a 2,000 m cell
    chain = [box(170300, 390300, 171300, 391300), box(171200, 390300, 171600, 390700), box(171500, 390300, 173300, 390500)]
    merged = download_boxes(np.array(chain), 300.0)
    assert merged == [(170000.0, 390000.0, 173600.0, 391600.0)]
    # cells of 2 km from x = 170000 / y = 390000: the needed area's envelope within each
    assert download_boxes(np.array(chain), 300.0, cell=2000.0) == [
        (170000.0, 390000.0, 172000.0, 391600.0),   # the first terrein and the start of the chain
        (172000.0, 390000.0, 173600.0, 390800.0)]   # only the thin end of the chain: its corner above is dropped
    # a far small terrein keeps its box; boxes within a cell are not cut
    assert download_boxes(np.array([T3]), 300.0, cell=2000.0) == [(175700.0, 389700.0, 176800.0, 390800.0)]
