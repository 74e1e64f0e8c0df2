"""The BAG layers ingested batch by batch (pipeline/ingest/large.py, stream.py) equal the layers built in memory:
the same rows in Hilbert order, the same quality report, with the whole-source rules (the older of two current
voorkomens, exact copies of a repeated id) decided across batch boundaries."""
import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
import shapely

from fixtures.ingest.builders import RD, X0, Y0, make_config, make_world
from pipeline import catalogue, ingest, io


def bag_file(path, history: bool):
    """60 panden; pand 11 is gesloopt. With history: pand 5 has an older current voorkomen at the end of the file
    (another batch). Without (a PDOK GeoPackage): pand 7 has an exact copy there, pand 9 a second row with the same
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
    out = gpd.GeoDataFrame(pd.concat([frame, extra], ignore_index=True), geometry=geoms, crs=RD)
    if not history:
        out = out.drop(columns=["voorkomenidentificatie", "beginGeldigheid"]).drop(index=60)
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
    if history:  # the latest voorkomen of pand 5 (the wider one) is kept
        assert counts["0855100000000005"] == 1
        five = expected[expected["pand_id"] == "0855100000000005"].geometry.iloc[0]
        assert five.bounds[2] - five.bounds[0] == pytest.approx(22.0)
    else:  # the exact copy of pand 7 goes, both rows of pand 9 stay
        assert counts["0855100000000007"] == 1 and counts["0855100000000009"] == 2
    streamed = make_config(tmp_path / "b", sources, ingest={"batch_rijen": 1000})
    streamed.ingest.batch_rijen = 7  # below the setting's minimum on purpose: many batch boundaries
    ingest.run(streamed)
    got = catalogue.read("panden", streamed.paths.processed)
    want = expected.take(io.spatial_order(expected.geometry.to_numpy())).reset_index(drop=True)
    assert got.drop(columns="geometry").equals(want.drop(columns="geometry"))
    assert got.geometry.geom_equals_exact(want.geometry, 0).all()
    assert pq.ParquetFile(catalogue.path("panden", streamed.paths.processed)).schema_arrow.names[-1] == "bbox"
    quality = pd.read_csv(streamed.paths.processed / ingest.QUALITY_CSV)
    row = quality[(quality["laag"] == "panden") & quality["soort"].isna()].iloc[0]
    mem = report.frame()
    mine = mem[(mem["laag"] == "panden") & (mem["soort"] == "")].iloc[0]
    for col in ("gelezen", "behouden", "gerepareerd", "verwijderd"):
        assert row[col] == mine[col], col
    assert set(str(row["reden"]).split("; ")) == set(mine["reden"].split("; "))


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
