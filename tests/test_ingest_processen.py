"""ingest.processen: a helper forked at the start ingests the BAG panden while the main process ingests the other
layers (ingest._build, pipeline/forked.py). The outputs must be the very same files as in one process, with the
panden's rows of the quality report in their place; an error on either side stops the stage with the file named,
leaves the previous outputs as they were and no helper behind."""
import multiprocessing
import os
import pickle
import time

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from test_ingest_stream import bag_file

from fixtures.ingest.builders import RD, X0, Y0, make_config, make_world
from pipeline import catalogue, forked, ingest
from pipeline.ingest.errors import IngestError

LAYERS = ["terreinen", "kavels", "panden", "verblijfsobjecten", "kades", "milieuzones", "netcapaciteit"]


def world(tmp_path):
    sources = make_world(tmp_path / "raw")
    path = tmp_path / "raw" / "bag.gpkg"
    bag_file(path, history=True)
    sources["panden"] = {"path": str(path), "layer": "pand"}
    return sources


def run(tmp_path, name, sources, processen):
    config = make_config(tmp_path / name, sources, ingest={"processen": processen})
    config.ingest.batch_rijen = 7  # below the setting's minimum on purpose: many batches on both sides
    return config, ingest.run(config)


def test_two_processes_write_the_same_files_and_report_as_one(tmp_path):
    sources = world(tmp_path)
    one, summary_one = run(tmp_path, "een", sources, 1)
    two, summary_two = run(tmp_path, "twee", sources, 2)
    # 71 read: 60 + the second current voorkomen of 5, 7 and 9 + 8 ended ones; pand 11 is gesloopt
    assert summary_two["rijen panden"] == summary_one["rijen panden"] == 71 - 3 - 8 - 1
    assert {k: v for k, v in summary_two.items() if k.startswith("rijen")} == \
        {k: v for k, v in summary_one.items() if k.startswith("rijen")}
    for name in LAYERS:
        assert (catalogue.path(name, two.paths.processed).read_bytes()
                == catalogue.path(name, one.paths.processed).read_bytes()), name
    quality = [pd.read_csv(c.paths.processed / ingest.QUALITY_CSV) for c in (one, two)]
    pd.testing.assert_frame_equal(quality[1], quality[0])
    layers = list(quality[1]["laag"].drop_duplicates())
    assert layers[layers.index("kavels") + 1:][:2] == ["panden", "verblijfsobjecten"]  # in STEPS order
    panden = quality[1][(quality[1]["laag"] == "panden") & quality[1]["soort"].isna()].iloc[0]
    assert (panden["gelezen"], panden["behouden"], panden["verwijderd"]) == (71, 59, 12)
    sources_json = [(c.paths.processed / ingest.SOURCES_JSON).read_text() for c in (one, two)]
    assert sources_json[1] == sources_json[0]
    assert not multiprocessing.active_children()


def test_an_error_in_the_helper_names_the_file_and_leaves_the_old_outputs(tmp_path):
    sources = world(tmp_path)
    config, _ = run(tmp_path, "run", sources, 2)
    before = catalogue.path("panden", config.paths.processed).read_bytes()
    broken = tmp_path / "raw" / "kapot.gpkg"  # a pand layer without identificatie
    gpd.GeoDataFrame({"iets": [1]}, geometry=[shapely.box(X0, Y0, X0 + 9, Y0 + 9)], crs=RD).to_file(broken, layer="pand")
    config = make_config(tmp_path / "run", {**sources, "panden": {"path": str(broken), "layer": "pand"}},
                         ingest={"processen": 2})
    with pytest.raises(IngestError, match=r"kapot\.gpkg.*layer 'pand'.*identificatie") as raised:
        ingest.run(config)
    assert raised.value.path == broken and raised.value.layer == "pand"
    assert catalogue.path("panden", config.paths.processed).read_bytes() == before
    assert not list(config.paths.processed.glob(".staging-*"))  # the helper's half-written files went with it
    assert not multiprocessing.active_children()


def test_an_error_in_the_main_process_stops_the_helper(tmp_path, monkeypatch):
    """The helper here is still busy (it sleeps) when the main process fails: it must be killed, not waited for, and
    its work thrown away."""
    helpers = []

    class Recorded(forked.Beside):
        def __init__(self, *args):
            super().__init__(*args)
            helpers.append(self._process.pid)

    monkeypatch.setattr(ingest, "_streamed_apart", lambda name, config, folder: time.sleep(600))
    monkeypatch.setattr(forked, "Beside", Recorded)
    sources = world(tmp_path)
    kades = tmp_path / "raw" / "weg.gml"
    config = make_config(tmp_path / "run", {**sources, "kades": {"path": str(kades)}}, ingest={"processen": 2})
    with pytest.raises(IngestError, match=r"weg\.gml"):
        ingest.run(config)
    assert not multiprocessing.active_children()
    assert len(helpers) == 1
    with pytest.raises(ProcessLookupError):  # killed and reaped
        os.kill(helpers[0], 0)
    assert not list(config.paths.processed.iterdir())  # no staging folder, no file of the panden it was writing


def test_ingest_error_keeps_its_fields_through_a_pipe():
    err = IngestError("veld ontbreekt", path="/data/bag.gpkg", layer="pand", field="identificatie",
                      expected=["identificatie"], found=["iets"])
    again = pickle.loads(pickle.dumps(err))
    assert str(again) == str(err)
    assert (again.path, again.layer, again.field, again.expected, again.found) == \
        (err.path, "pand", "identificatie", ["identificatie"], ["iets"])


def _boom():
    raise IngestError("kapot", path="/x.gpkg")


def _unpicklable():
    raise ValueError("kapot", lambda: None)  # a lambda cannot be pickled


def _die():
    import os
    os._exit(3)


def test_beside_returns_the_value_raises_the_error_and_reports_a_death():
    """forked.Beside: the value, the error (an unpicklable one as its text), and a helper that died without a word."""
    helper = forked.Beside(sum, [1, 2, 3])
    assert helper.result() == 6
    helper.stop()
    helper = forked.Beside(_boom)
    with pytest.raises(IngestError, match=r"file /x\.gpkg: kapot"):
        helper.result()
    helper.stop()
    helper = forked.Beside(_unpicklable)
    with pytest.raises(RuntimeError, match=r"ValueError: \('kapot'"):  # its text at least
        helper.result()
    helper.stop()
    helper = forked.Beside(_die)
    with pytest.raises(RuntimeError, match="exit code 3"):
        helper.result()
    helper.stop()
    assert not multiprocessing.active_children()


def test_a_file_two_sources_share_is_hashed_once_by_both_processes(tmp_path, monkeypatch):
    """panden and verblijfsobjecten come from one BAG GeoPackage, read in two processes: the file is hashed once
    (quality.shared_checksums: the helper and the main process share the result), and both sources record its
    sha256, which is the file's (hashlib by hand). Without the sharing both processes hashed it (5 s each for a
    national BAG)."""
    import hashlib
    import json

    from pipeline.ingest import quality

    sources = make_world(tmp_path / "raw")
    bag = sources["panden"]["path"]
    assert sources["verblijfsobjecten"]["path"] == bag
    calls = tmp_path / "hashed.txt"
    real = quality.sha256_file

    def counted(path):
        with open(calls, "a") as fh:  # appended by whichever process hashes (the helper is forked)
            fh.write(f"{os.getpid()} {path}\n")
        return real(path)

    monkeypatch.setattr(quality, "sha256_file", counted)
    quality._checksum.cache_clear()
    config, _ = run(tmp_path, "twee", sources, 2)
    hashed = [line.split(" ", 1)[1] for line in calls.read_text().splitlines()]
    assert hashed.count(str(bag)) == 1
    assert len(hashed) == len(set(hashed))  # no file twice
    recorded = {b["bron"]: b["sha256"] for b in json.loads((config.paths.processed / ingest.SOURCES_JSON).read_text())
                ["bronnen"]}
    expected = hashlib.sha256(open(bag, "rb").read()).hexdigest()
    assert recorded["panden"] == recorded["verblijfsobjecten"] == expected
    assert quality._SHARED["folder"] is None and not multiprocessing.active_children()
