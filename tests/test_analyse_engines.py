"""The analyse stage gives the same tables whatever runs its partitioned joins (pipeline/analyse/partities.py):
one partition or many, in this process, on dask's local multi-process scheduler, or on a dask.distributed
cluster (a 2-worker LocalCluster here, reached through `rekenen.scheduler`). No timing is asserted here:
performance is measured by the benchmark (benchmarks/benchmark.py)."""
import os
import shutil
import time

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.geometry import LineString, Point, box

from pipeline import catalogue, io
from pipeline.analyse import OUTPUTS, partities, run
from pipeline.config import Config
from pipeline.crs import WORKING_CRS


def gdf(data, geometry):
    return gpd.GeoDataFrame(data, geometry=list(geometry), crs=WORKING_CRS)


def write_world(folder, seed=7):
    """11 terreinen of 4 kavels in a grid, 3 km apart, and a twelfth 14 km away whose only dwelling lies beyond the
    halo; buildings on and across the kavels, dwellings around (three on terreinen: bedrijfswoningen, and two at
    one spot next to T03: an exact tie, listed highest vbo_id first)."""
    rng = np.random.default_rng(seed)
    t_geom, k_geom, k_rin, rins = [], [], [], []
    for i in range(12):
        x0, y0 = (100_000 + (i % 4) * 3000, 400_000 + (i // 4) * 3000) if i < 11 else (125_000, 400_000)
        rin = f"T{i:02d}"
        rins.append(rin)
        t_geom.append(box(x0, y0, x0 + 400, y0 + 400))
        for j in range(4):
            k_geom.append(box(x0 + (j % 2) * 200, y0 + (j // 2) * 200, x0 + (j % 2 + 1) * 200, y0 + (j // 2 + 1) * 200))
            k_rin.append(rin)
    n_t = len(rins)
    terreinen = gdf({"rin_nummer": rins, "naam": rins, "gemeente_code": ["GM0001"] * n_t, "kern": [None] * n_t,
                     "provincie": ["NB"] * n_t, "jaar": [2024] * n_t, "ha_bruto": [16.0] * n_t,
                     "ha_netto": [15.0] * n_t, "ha_uitgeefbaar": [1.0] * n_t, "wloc_type": ["B"] * n_t,
                     "max_milieucategorie": ["4"] * n_t, "water_ontsluiting": [False] * n_t,
                     "spoor_ontsluiting": [False] * n_t}, t_geom)
    kavels = gdf({"kavel_id": [f"K{i:03d}" for i in range(len(k_geom))], "rin_nummer": k_rin,
                  "uitgifte_status": ["uitgegeven"] * len(k_geom), "bron": ["kavellaag"] * len(k_geom)}, k_geom)
    cx, cy = shapely.get_coordinates(shapely.centroid(np.array(k_geom))).T
    px = np.repeat(cx, 3) + rng.uniform(-110, 110, 3 * len(cx))
    py = np.repeat(cy, 3) + rng.uniform(-110, 110, 3 * len(cy))
    panden = gdf({"pand_id": [f"P{i:05d}" for i in range(len(px))], "bouwjaar": [2000] * len(px),
                  "status": ["Pand in gebruik"] * len(px)}, shapely.box(px - 15, py - 10, px + 15, py + 10))
    tx, ty = shapely.get_coordinates(shapely.centroid(np.array(t_geom[:-1]))).T
    angle = rng.uniform(0, 2 * np.pi, 40 * len(tx))
    r = rng.uniform(150, 1600, len(angle))
    vx, vy = np.repeat(tx, 40) + r * np.cos(angle), np.repeat(ty, 40) + r * np.sin(angle)
    vx = np.r_[vx, tx[:3], 109_000 - 50, 109_000 - 50]  # dwellings on terreinen, and a tie next to T03
    vy = np.r_[vy, ty[:3], 400_100, 400_100]
    ids = [f"V{(i * 7919) % 100_003:06d}" for i in range(len(vx) - 2)] + ["VTIE2", "VTIE1"]
    vbo = gdf({"vbo_id": ids,
               "gebruiksdoel": ["woonfunctie"] * len(vx), "gevoelig": [True] * len(vx)}, shapely.points(vx, vy))
    far = t_geom[-1].bounds  # T11 keeps its dwellings 2.6 km away: beyond the halo
    vbo = pd.concat([vbo, gdf({"vbo_id": ["VFAR"], "gebruiksdoel": ["woonfunctie"], "gevoelig": [True]},
                              [Point(far[2] + 2600, far[3])])], ignore_index=True)
    layers = {"terreinen": terreinen, "kavels": kavels, "panden": panden, "verblijfsobjecten": vbo,
              "kades": gdf({"kade_id": ["q1"], "bgt_type": ["kademuur"], "betrouwbaarheid": ["hoog"],
                            "bron": ["BGT"], "geometrie_bron": ["LineString"], "conversie": ["geen"]},
                           [LineString([(100_020, 399_990), (100_180, 399_990)])]),
              "vaarwegen": gdf({"vaarweg_id": ["v1"], "naam": ["Rivier"], "cemt_klasse": ["Va"]},
                               [LineString([(99_000, 399_960), (112_000, 399_960)])]),
              "milieuzones": gdf({"zone_id": ["z1"], "soort": ["bestemmingsvlak"], "max_milieucategorie": ["5.1"],
                                  "max_bebouwingspercentage": [70.0], "omschrijving": ["bedrijf t/m 5.1"]},
                                 [box(99_999, 399_999, 104_401, 406_401)]),
              "netcapaciteit": gdf({"gebied_id": ["n1"], "gebied_naam": ["x"], "netbeheerder": ["Enexis"],
                                    "afname_status": ["rood"], "invoeding_status": ["oranje"],
                                    "afname_beschikbaar_mw": [0.0], "invoeding_beschikbaar_mw": [1.0],
                                    "afname_wachtrij_mw": [12.0], "invoeding_wachtrij_mw": [3.0],
                                    "afname_wachtrij_aantal": [4.0], "invoeding_wachtrij_aantal": [1.0]},
                                   [box(99_000, 399_000, 130_000, 410_000)])}
    for name, frame in layers.items():
        catalogue.write(frame, name, folder)
    return layers


def config(folder, **rekenen):
    return Config.model_validate({"paths": {"processed": str(folder)}, "rekenen": rekenen, "sources": {
        k: {"path": "x"} for k in ["terreinen", "panden", "verblijfsobjecten", "kades", "vaarwegen",
                                   "milieuzones", "netcapaciteit"]}})


def outputs(folder) -> dict[str, pd.DataFrame]:
    return {name: io.read_parquet(catalogue.path(name, folder)) for name in OUTPUTS}


def run_in(tmp_path, name, **rekenen) -> dict[str, pd.DataFrame]:
    folder = tmp_path / name
    shutil.copytree(tmp_path / "world", folder)
    run(config(folder, **rekenen))
    return outputs(folder)


def assert_same(a: dict, b: dict) -> None:
    for name in OUTPUTS:
        left, right = a[name].reset_index(drop=True), b[name].reset_index(drop=True)
        assert list(left.columns) == list(right.columns), name
        for col in left.columns:
            assert left[col].equals(right[col]), f"{name}.{col} differs"


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("engines")
    (tmp / "world").mkdir()
    write_world(tmp / "world")
    return tmp


@pytest.fixture(scope="module")
def reference(world):
    """In this process, one partition per 3 terreinen."""
    return run_in(world, "lokaal", engine="lokaal", partitie_terreinen=3)


def test_one_partition_or_many_gives_the_same_tables(world, reference):
    assert_same(reference, run_in(world, "een", partitie_terreinen=1000))
    kv = reference["kavels_indicatoren"].set_index("kavel_id")
    assert kv.loc["K044", "gevoelig_vbo_id"] == "VFAR"  # found by the wider search, at its exact distance
    # K044 = box(125000, 400000, 125200, 400200), VFAR at (125400 + 2600, 400400): hypot(2800, 200) = 2807.1 m
    assert kv.loc["K044", "afstand_gevoelig_m"] == pytest.approx(2807.1, abs=0.1)
    assert kv["afstand_gevoelig_m"].notna().all()
    assert kv.loc["K012", "gevoelig_vbo_id"] == "VTIE1"  # exactly as near as VTIE2: the lowest vbo_id
    assert kv.loc["K012", "afstand_gevoelig_m"] == pytest.approx(50.0)
    vg = reference["verblijfsobjecten_gebruik"]
    assert vg["bedrijfswoning"].sum() >= 3 and vg["vbo_id"].is_unique


def test_one_partition_at_a_time_gives_the_same_tables(world, reference):
    """The reference runs its partitions side by side in threads (one per core); one thread, in order, agrees."""
    assert_same(reference, run_in(world, "een_draad", engine="lokaal", werkers=1, partitie_terreinen=3))
    assert_same(reference, run_in(world, "drie_draden", engine="lokaal", werkers=3, partitie_terreinen=2))


def test_local_processes_give_the_same_tables(world, reference, monkeypatch, tmp_path):
    """...and the partitions are spread over both processes (dask hands out six tasks at once by default, which put
    all four partitions in one process)."""
    run_task = partities.run_task

    def noted(taak):  # in the worker process: its pid, and time for the other worker to take the next partition
        (tmp_path / f"{os.getpid()}-{len(list(tmp_path.iterdir()))}").touch()
        time.sleep(0.5)
        return run_task(taak)

    monkeypatch.setattr(partities, "run_task", noted)
    assert_same(reference, run_in(world, "processen", engine="processen", werkers=2, partitie_terreinen=3))
    pids = [p.name.split("-")[0] for p in tmp_path.iterdir()]
    assert len(pids) == 4 and len(set(pids)) == 2 and os.getpid() not in map(int, pids)


def test_distributed_local_cluster_gives_the_same_tables(world, reference):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cl:
        got = run_in(world, "cluster", engine="cluster", scheduler=cl.scheduler_address, partitie_terreinen=3)
    assert_same(reference, got)


def test_cluster_without_address_is_a_clear_error(world):
    with pytest.raises(ValueError, match="rekenen.scheduler"):
        run_in(world, "zonder", engine="cluster", partitie_terreinen=3)


def test_a_partition_reads_only_its_halo(world):
    """The panden and verblijfsobjecten a partition reads lie within its halo (row groups outside are skipped)."""
    folder = world / "world"
    terreinen = catalogue.read("terreinen", folder)
    first = terreinen.iloc[:1]
    halo = partities.halo_m(config(folder).analyse)
    b = np.asarray(first.bounds) + [-halo, -halo, halo, halo]
    near = partities.Bron(folder=str(folder)).near("verblijfsobjecten", b)
    everything = catalogue.read("verblijfsobjecten", folder)
    assert 0 < len(near) < len(everything)
    cell = io.NEAR_CELL  # the read may bring rows up to one grid cell beyond the halo along
    assert shapely.intersects(shapely.box(*(b[0] + [-cell, -cell, cell, cell])), near.geometry.to_numpy()).all()
    within = shapely.intersects(shapely.box(*b[0]), everything.geometry.to_numpy())
    assert set(everything["vbo_id"][within]) <= set(near["vbo_id"])
