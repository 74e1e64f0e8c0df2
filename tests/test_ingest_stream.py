"""The BAG layers ingested batch by batch (pipeline/ingest/large.py, stream.py) equal the layers built in memory:
the same rows in Hilbert order, the same quality report, with the whole-source rules (the older of two current
voorkomens, exact copies of a repeated id) decided across batch boundaries."""
import json

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
import shapely

from fixtures.ingest.builders import RD, X0, Y0, make_config, make_world
from pipeline import catalogue, ingest
from pipeline.hilbert import spatial_order


def bag_file(path, history: bool):
    """60 panden; pand 11 is gesloopt. With history: pand 5 has an older current voorkomen at the end of the file
    (another batch), and panden 20-27 an ended voorkomen after it (a batch of 7 without one current row). Without (a PDOK GeoPackage): pand 7 has an exact copy there, pand 9 a second row with the same
    id and another bouwjaar."""
    n = 60
    x = X0 + (np.arange(n) % 10) * 40.0
    y = Y0 + (np.arange(n) // 10) * 40.0
    ids = [f"0855100000{i:06d}" for i in range(n)]
    frame = pd.DataFrame({"identificatie": ids, "bouwjaar": 1950 + np.arange(n), "status": "Pand in gebruik",
                          "voorkomenidentificatie": 1, "beginGeldigheid": "2010-01-01"})
    frame.loc[11, "status"] = "Pand gesloopt"
    extra = pd.DataFrame({"identificatie": [ids[5], ids[7], ids[9]], "bouwjaar": [1955, 1957, 2001],
                          "status": "Pand in gebruik", "voorkomenidentificatie": [2, 1, 1],
                          "beginGeldigheid": ["2016-05-01", "2010-01-01", "2010-01-01"]})
    geoms = list(shapely.box(x, y, x + 20, y + 15)) + [shapely.box(x[5], y[5], x[5] + 22, y[5] + 15),
                                                       shapely.box(x[7], y[7], x[7] + 20, y[7] + 15),
                                                       shapely.box(x[9], y[9], x[9] + 20, y[9] + 15)]
    ended = pd.DataFrame({"identificatie": ids[20:28], "bouwjaar": 1970 + np.arange(8), "status": "Pand in gebruik",
                          "voorkomenidentificatie": 0, "beginGeldigheid": "2005-01-01",
                          "eindGeldigheid": "2010-01-01"})
    geoms += list(shapely.box(x[20:28], y[20:28], x[20:28] + 20, y[20:28] + 15))
    out = gpd.GeoDataFrame(pd.concat([frame, extra, ended], ignore_index=True), geometry=geoms, crs=RD)
    if not history:
        out = out.drop(columns=["voorkomenidentificatie", "beginGeldigheid", "eindGeldigheid"]).drop(index=60)
        out = out.iloc[:62]
    out.to_file(path, layer="pand", engine="pyogrio")


@pytest.mark.parametrize("history", [True, False])
def test_batches_equal_the_layer_in_memory(tmp_path, history):
    sources = make_world(tmp_path / "raw")
    path = tmp_path / "raw" / "bag.gpkg"
    bag_file(path, history)
    sources["panden"] = {"path": str(path), "layer": "pand"}
    memory = make_config(tmp_path / "a", sources)
    layers, report = ingest.build(memory)
    expected = layers["panden"]
    assert "0855100000000011" not in set(expected["pand_id"])
    counts = expected["pand_id"].value_counts()
    if history:  # the latest voorkomen of pand 5 (the wider one) is kept; the ended ones of 20-27 go
        assert counts["0855100000000005"] == 1 and counts["0855100000000020"] == 1
        five = expected[expected["pand_id"] == "0855100000000005"].geometry.iloc[0]
        assert five.bounds[2] - five.bounds[0] == pytest.approx(22.0)
    else:  # the exact copy of pand 7 goes, both rows of pand 9 stay
        assert counts["0855100000000007"] == 1 and counts["0855100000000009"] == 2
    streamed = make_config(tmp_path / "b", sources, ingest={"batch_rijen": 1000})
    streamed.ingest.batch_rijen = 7  # below the setting's minimum on purpose: many batch boundaries
    ingest.run(streamed)
    got = catalogue.read("panden", streamed.paths.processed)
    want = expected.take(spatial_order(expected.geometry.to_numpy())).reset_index(drop=True)
    assert got.drop(columns="geometry").equals(want.drop(columns="geometry"))
    assert got.geometry.geom_equals_exact(want.geometry, 0).all()
    assert pq.ParquetFile(catalogue.path("panden", streamed.paths.processed)).schema_arrow.names[-1] == "bbox"
    # the batches keep single polygons as Polygons; the writer makes them MultiPolygons in their WKB (wkb.multi_wkb)
    assert set(got.geom_type) == {"MultiPolygon"}
    geo = json.loads(pq.read_schema(catalogue.path("panden", streamed.paths.processed)).metadata[b"geo"])
    assert geo["columns"]["geometry"]["geometry_types"] == ["MultiPolygon"]
    quality = pd.read_csv(streamed.paths.processed / ingest.QUALITY_CSV)
    row = quality[(quality["laag"] == "panden") & quality["soort"].isna()].iloc[0]
    mem = report.frame()
    mine = mem[(mem["laag"] == "panden") & (mem["soort"] == "")].iloc[0]
    for col in ("gelezen", "behouden", "gerepareerd", "verwijderd"):
        assert row[col] == mine[col], col
    assert set(str(row["reden"]).split("; ")) == set(mine["reden"].split("; "))
    # the other layers, written as soon as each is built and let go, are the ones built in memory
    others = [name for name in layers if name not in ("panden", "verblijfsobjecten")]
    assert {"terreinen", "kavels", "kades", "milieuzones"} <= set(others)
    for name in others:
        path = catalogue.path(name, streamed.paths.processed)
        assert path.is_file(), name
        if path.suffix == ".parquet":
            written = catalogue.read(name, streamed.paths.processed)
            assert len(written) == len(layers[name]) > 0, name
            assert written.geometry.geom_equals_exact(layers[name].geometry.reset_index(drop=True), 0).all(), name
    held, rows, _ = ingest._build(streamed, stream_to=tmp_path / "c")
    assert held == {} and rows == {name: len(frame) for name, frame in layers.items()}


def test_prefetched_keeps_order_raises_the_threads_error_and_stops_early():
    import threading

    from pipeline.ingest.stream import prefetched

    assert list(prefetched(iter(range(7)))) == list(range(7))

    def failing():
        yield 1
        raise ValueError("batch 2 is broken")

    got = []
    with pytest.raises(ValueError, match="batch 2 is broken"):
        for item in prefetched(failing()):
            got.append(item)
    assert got == [1]

    made = []

    def endless():
        i = 0
        while True:
            made.append(i)
            yield i
            i += 1

    stream = prefetched(endless(), depth=1)
    assert [next(stream) for _ in range(3)] == [0, 1, 2]
    stream.close()  # the caller stops: the thread stops too, a few items ahead at most
    assert len(made) <= 3 + 3
    assert not any(t.name == "ingest-prefetch" for t in threading.enumerate())


def test_a_shapefile_whose_dbf_lost_records_is_refused_in_batches(tmp_path):
    """The batch reader checks the Shapefile's parts as the whole-file reader does: GDAL alone would read the
    shorter of .shx (2 shapes) and .dbf (cut to 1 record) without a word."""
    from pipeline.config import Source
    from pipeline.ingest import stream
    from pipeline.ingest.errors import IngestError
    make_world(tmp_path / "raw")
    dbf = tmp_path / "raw" / "vaarwegen.dbf"
    data = bytearray(dbf.read_bytes())
    data[4:8] = (1).to_bytes(4, "little")
    dbf.write_bytes(bytes(data))
    batches = stream.read_batches(Source(path=tmp_path / "raw" / "vaarwegen.shp"), "vaarwegen", default_layer=None,
                                  kind=None, tolerance=0.1, batch_rows=1)
    with pytest.raises(IngestError, match=r"vaarwegen.shx indexes 2 shapes, vaarwegen.dbf holds 1"):
        list(batches)


def test_ids_sharing_a_key_are_told_apart_by_the_copy_rule(tmp_path):
    """The writer finds repeated ids by a 64-bit key per id, spilled to files by key: '01' and '1' share a key (digits
    as a number), so both reach the copy rule, which keeps both (other ids). Of '01' twice, identical, one goes; 'b'
    twice with another bouwjaar stays twice and is counted as such."""
    from pipeline.ingest import duplicates
    from pipeline.ingest.stream import LayerWriter, id_keys
    ids = ["01", "1", "a", "01", "b", "b"]
    keys = id_keys(pd.Series(ids))
    assert keys[0] == keys[1] == keys[3] == 1 and keys[2] < 0 and len(set(keys)) == 3
    # digits other than 0-9 (which Arrow's cast does not read) are numbers as Python reads them
    assert id_keys(pd.Series(["\u0663", "3", "0003", "1234567890123456"])).tolist() == [3, 3, 3, 1234567890123456]
    x = X0 + np.array([0, 0, 100, 0, 200, 200])
    frame = gpd.GeoDataFrame({"pand_id": ids, "bouwjaar": [1990, 1990, 1990, 1990, 1980, 2001]},
                             geometry=shapely.box(x, Y0, x + 20, Y0 + 15), crs=RD)
    writer = LayerWriter(tmp_path / "panden.parquet")
    writer.add(frame.iloc[:3], np.arange(3), "pand_id")  # the copy of '01' and the second 'b' in another batch
    writer.add(frame.iloc[3:], np.arange(3, 6), "pand_id")
    assert sorted(writer.repeated_ids().to_pylist()) == sorted({1, int(keys[4])})
    stats = writer.finish(id_column="pand_id", on_repeated=duplicates.exact_copies)
    got = pd.read_parquet(tmp_path / "panden.parquet")
    assert sorted(got["pand_id"]) == ["01", "1", "a", "b", "b"]
    assert (stats["rows"], stats["copies"], stats["still"]) == (5, 1, 2)
    assert not list(tmp_path.glob(".panden.*"))  # the scratch folder (buckets and id files) is gone


def test_keyed_spill_puts_every_row_of_a_key_in_one_file(tmp_path):
    """A rule per key is decided one spill file at a time, so all rows of one key must meet in one file, in the
    order they were appended, whatever batch they came in; negative keys (hashed ids) and empty batches included."""
    from pipeline.ingest.stream import SPILL_PARTS, KeyedSpill
    spill = KeyedSpill(tmp_path / "spill")
    rng = np.random.default_rng(3)
    keys = np.r_[rng.integers(-2**62, 2**62, 500), rng.integers(0, 50, 500)]
    for batch in np.array_split(np.arange(len(keys)), 7):
        spill.append(pd.DataFrame({"id": keys[batch], "rij": batch}), keys[batch])
        spill.append(pd.DataFrame({"id": keys[:0], "rij": batch[:0]}), keys[:0])  # a batch without candidates
    parts = list(spill.parts())
    assert 1 < len(parts) <= SPILL_PARTS
    assert sum(len(p) for p in parts) == len(keys)
    seen = {}
    for i, part in enumerate(parts):
        assert (np.diff(part["rij"].to_numpy()) > 0).all()  # appended order kept
        for k in part["id"].unique():
            assert seen.setdefault(k, i) == i
    assert set(seen) == set(keys.tolist())
