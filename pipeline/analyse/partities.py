"""The heavy joins of the analyse stage, per spatial partition of terreinen, on dask (dask-geopandas partitions).

Settings: `rekenen` (engine, scheduler, werkers, partitie_terreinen), the analyse settings the joins read.
The joins that touch the buildings are the only work that grows with the whole region: the nearest gevoelig
object of every kavel and which objects are bedrijfswoningen (milieuruimte), the contours (raster distances to
gevoelige objecten) and the building footprint per kavel. They run here, one task per partition:

- The terreinen go in Hilbert order (pipeline.hilbert) and are cut into partitions of
  `rekenen.partitie_terreinen` terreinen: a dask-geopandas GeoDataFrame (`dask_geopandas.from_geopandas`, its
  spatial_partitions are logged); each partition is one dask task with its own kavels.
- A task reads only what lies within the halo of its terreinen (`Bron.near`: from the GeoParquet files, row groups
  skipped by their bbox statistics, or from layers in memory): the verblijfsobjecten within `halo_m` (the largest
  richtafstand, 1,500 m by default, plus four contour blocks: every distance that can change a category or a
  contour cell is measured to an object inside it), the panden meeting the terreinen' bboxes.
- A kavel whose nearest gevoelig object lies beyond the halo (or none within it) is searched again with a halo
  four times as wide, until one is found or the halo covers the whole layer: its distance is exact, never capped.
- Results do not depend on the partitioning or the engine: ties between equally near objects go to the lowest
  vbo_id, footprints are summed in pand_id order; every result is keyed by kavel_id / rin_nummer / vbo_id.

Engines (`rekenen.engine`): lokaal = in this process, `rekenen.werkers` partitions side by side in threads (dask's
threaded scheduler; one per core by default, 1 = dask's synchronous scheduler); processen = dask's local
multi-process scheduler on `rekenen.werkers` processes forked from this one, one partition per process at a time;
cluster = a dask.distributed Client at `rekenen.scheduler` (the workers must see the
processed folder at the same path). The same task code runs in all three.
"""
from __future__ import annotations

import dataclasses
import logging
import math
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from pipeline import catalogue, forked, io, threads
from pipeline.analyse import bebouwing, contouren, gevoelig
from pipeline.analyse._geo import geoms, nearest_tree
from pipeline.hilbert import spatial_order

log = logging.getLogger(__name__)

GROEI = 4.0  # a kavel without a gevoelig object within the halo is searched again with a halo this many times wider


@dataclass
class Bron:
    """Where a task reads the big layers: the processed folder (files) or layers in memory."""
    folder: str | None = None
    layers: dict | None = None

    def near(self, name: str, boxes: np.ndarray) -> gpd.GeoDataFrame:
        """The rows of layer `name` whose bbox meets one of `boxes` ((n, 4) in EPSG:28992), in layer order."""
        if self.folder is not None:
            return catalogue.read(name, self.folder, boxes=boxes)
        frame = self.layers[name]
        if len(boxes) == 0 or len(frame) == 0:
            return frame.iloc[:0]
        rows = shapely.box(*shapely.bounds(geoms(frame)).T)
        hit = np.unique(shapely.STRtree(shapely.box(*np.asarray(boxes).T)).query(rows, predicate="intersects")[0])
        return frame.iloc[hit]

    def rows(self, name: str, positions: np.ndarray) -> gpd.GeoDataFrame:
        """The rows of layer `name` at these positions (layer order), from the row groups that hold them."""
        if self.folder is not None:
            return catalogue.read(name, self.folder, rows=positions)
        return self.layers[name].iloc[positions]

    def extent(self, name: str) -> np.ndarray:
        """xmin, ymin, xmax, ymax of the whole layer."""
        if self.folder is not None:
            return np.asarray(io.geo_bbox(catalogue.path(name, self.folder)) or [0, 0, 0, 0], dtype=float)
        return np.asarray(self.layers[name].total_bounds, dtype=float)


@dataclass
class Taak:
    """One partition: its terreinen (with omgevingstype), their kavels, and every terrein (bedrijfswoningen)."""
    terreinen: gpd.GeoDataFrame   # rin_nummer, omgevingstype, geometry
    kavels: gpd.GeoDataFrame | np.ndarray  # kavel_id, rin_nummer, geometry; or their positions in the kavels layer
    alle_terreinen: gpd.GeoDataFrame
    settings: object              # config.analyse
    bron: Bron


def halo_m(settings) -> float:
    """Reach of the milieuruimte joins: the largest richtafstand plus four blocks of the contour search."""
    m = settings.milieuruimte
    return m.grootste_richtafstand + 4 * max(contouren.BLOKKEN) * m.contour_resolutie_m


def _grown(g: np.ndarray, d: float) -> np.ndarray:
    b = shapely.bounds(g)
    return np.column_stack([b[:, 0] - d, b[:, 1] - d, b[:, 2] + d, b[:, 3] + d])


def run_task(taak: Taak) -> dict:
    """The heavy joins of one partition: dichtstbij and footprint per kavel, contours, verblijfsobjecten used."""
    if not isinstance(taak.kavels, gpd.GeoDataFrame):  # positions: read here (`taken`)
        taak = dataclasses.replace(taak, kavels=_kavel_frame(taak.bron.rows("kavels", taak.kavels)))
    m, halo = taak.settings.milieuruimte, halo_m(taak.settings)
    reach = np.concatenate([geoms(taak.terreinen), geoms(taak.kavels)])
    vbo, gebruik, pts, info = _gevoelig_near(taak, _grown(reach, halo))
    tree = nearest_tree(pts)
    near = gevoelig.dichtstbij(taak.kavels, pts, info, tree=tree)
    near, wider = _verder(taak, near, halo)
    if wider:  # the objects found beyond the halo that are some kavel's nearest are listed too
        found = [io.is_in(v["vbo_id"], near["gevoelig_vbo_id"]) for v, _ in wider]
        extra = [v[f] for (v, _), f in zip(wider, found)]
        vbo = pd.concat([vbo, *extra], ignore_index=True)
        gebruik = pd.concat([gebruik, *(g[f] for (_, g), f in zip(wider, found))], ignore_index=True)
        # the wider reads hold the halo's objects again: only rows sharing a vbo_id with those found can be one
        suspects = np.flatnonzero(io.is_in(vbo["vbo_id"], pd.concat([e["vbo_id"] for e in extra])))
        again = np.zeros(len(vbo), dtype=bool)
        again[suspects] = same_object(vbo.iloc[suspects]).duplicated().to_numpy()
        vbo, gebruik = vbo.loc[~again], gebruik.loc[~again]
    cont = contouren.per_terrein(taak.terreinen, pts, taak.terreinen["omgevingstype"], m, tree=tree)
    panden = taak.bron.near("panden", _grown(geoms(taak.kavels), 0.0))
    footprint = bebouwing.footprint_per_zone(taak.kavels, panden, order=panden["pand_id"].astype("str").to_numpy())
    mine = io.is_in(gebruik["rin_nummer"], taak.terreinen["rin_nummer"])
    vbo_out = gevoelig.verblijfsobjecten_gebruik(vbo, gebruik, near["gevoelig_vbo_id"], bedrijfswoning=mine)
    return {"dichtstbij": near.set_index(taak.kavels["kavel_id"].astype("str").to_numpy()),
            "footprint": pd.Series(footprint, index=taak.kavels["kavel_id"].astype("str").to_numpy()),
            "contouren": cont, "verblijfsobjecten_gebruik": vbo_out}


def same_object(vbo: pd.DataFrame) -> pd.Series:
    """A number per row that is equal for the same object read twice: vbo_id and the bounds of its geometry (a
    point's coordinates; comparing numbers is far cheaper than comparing WKB)."""
    b = shapely.bounds(geoms(vbo))
    keys = pd.DataFrame({"vbo_id": vbo["vbo_id"].astype("str").to_numpy(), "x0": b[:, 0], "y0": b[:, 1],
                         "x1": b[:, 2], "y1": b[:, 3]})
    return pd.Series(keys.groupby(list(keys.columns), sort=False, dropna=False).ngroup().to_numpy(), index=vbo.index)


def _gevoelig_near(taak: Taak, boxes: np.ndarray) -> tuple:
    """The verblijfsobjecten meeting `boxes`, their gevoelig_gebruik, and of the gevoelige ones (as used) the points
    and vbo_id / gebruiksdoel."""
    s = taak.settings
    vbo = taak.bron.near("verblijfsobjecten", boxes)
    gebruik = gevoelig.gevoelig_gebruik(vbo, _near(taak.alle_terreinen, vbo, s.meettolerantie_m),
                                        tol=s.meettolerantie_m,
                                        bedrijfswoningen_meetellen=s.milieuruimte.bedrijfswoningen_meetellen)
    used = gebruik["gevoelig"].to_numpy(bool)
    return vbo, gebruik, geoms(vbo)[used], vbo.loc[used, ["vbo_id", "gebruiksdoel"]].reset_index(drop=True)


def _near(terreinen: gpd.GeoDataFrame, vbo: gpd.GeoDataFrame, tol: float) -> gpd.GeoDataFrame:
    """The terreinen that can hold one of these objects (bedrijfswoningen), in layer order."""
    if not len(vbo):
        return terreinen.iloc[:0]
    x0, y0, x1, y1 = vbo.total_bounds
    return terreinen.iloc[np.sort(shapely.STRtree(geoms(terreinen)).query(
        shapely.box(x0 - tol, y0 - tol, x1 + tol, y1 + tol)))]


def _verder(taak: Taak, near: pd.DataFrame, halo: float) -> tuple[pd.DataFrame, list]:
    """Kavels whose nearest object is not certain within the halo are searched again, wider each time; returns the
    updated table and the (objects, gevoelig_gebruik) pairs read on the way."""
    extent = taak.bron.extent("verblijfsobjecten")
    reach, wider = halo, []
    while True:
        todo = ~(near["afstand_gevoelig_m"].to_numpy() <= reach)
        if not todo.any():
            return near, wider
        kg = geoms(taak.kavels)[todo]
        kb = _grown(kg, 0.0)
        covers = (kb[:, 0] - reach * GROEI <= extent[0]) & (kb[:, 1] - reach * GROEI <= extent[1]) \
            & (kb[:, 2] + reach * GROEI >= extent[2]) & (kb[:, 3] + reach * GROEI >= extent[3])
        reach *= GROEI
        vbo, gebruik, pts, info = _gevoelig_near(taak, _grown(kg, reach))
        wider.append((vbo, gebruik))
        again = gevoelig.dichtstbij(taak.kavels.iloc[np.flatnonzero(todo)], pts, info)
        near = near.copy()
        for col in near.columns:
            near.loc[near.index[todo], col] = again[col].to_numpy()
        if covers.all():
            return near, wider


# ---------------------------------------------------------------------------------------------
# Partitions and engines
# ---------------------------------------------------------------------------------------------
def taken(terreinen, kavels, omgevingstype, settings, bron: Bron, per_partitie: int):
    """The dask-geopandas partitioning of the terreinen (Hilbert order) and the arguments of one task per partition.

    A kavel goes with its terrein's partition (a kavel whose rin_nummer names no terrein with the last one). kavels: a
    GeoDataFrame, handed to the tasks; or only kavel_id and rin_nummer of the kavels layer, and each task reads its
    own kavels by position (Bron.rows): the process that hands out the tasks then does not hold a region's kavel
    polygons beside the partitions (118 MB at scale 4)."""
    import dask.local
    import dask_geopandas

    rins = terreinen["rin_nummer"].astype("str").to_numpy()
    t = gpd.GeoDataFrame({"rin_nummer": rins, "omgevingstype": pd.Series(omgevingstype).astype("string").to_numpy()},
                         geometry=geoms(terreinen), crs=terreinen.crs)
    t = t.iloc[spatial_order(geoms(t))].reset_index(drop=True)
    parts = dask_geopandas.from_geopandas(t, npartitions=max(1, math.ceil(len(t) / per_partitie)), sort=False)
    sizes = np.asarray(parts.map_partitions(len).compute(scheduler=dask.local.get_sync), dtype=np.int64)
    partition = pd.Series(np.repeat(np.arange(len(sizes)), sizes), index=t["rin_nummer"].to_numpy())
    partition = partition[~partition.index.duplicated()]
    of_kavel = pd.Series(kavels["rin_nummer"].astype("str").to_numpy()).map(partition).fillna(len(sizes) - 1)
    of_kavel = of_kavel.to_numpy(np.int64)
    frames = _kavel_frame(kavels) if isinstance(kavels, gpd.GeoDataFrame) else None
    alle = gpd.GeoDataFrame({"rin_nummer": rins}, geometry=geoms(terreinen), crs=terreinen.crs)
    args = []
    for i, part in enumerate(parts.to_delayed()):
        mine = np.flatnonzero(of_kavel == i)
        args.append((part, mine if frames is None else frames.iloc[mine], alle, settings, bron))
    return parts, args


def _kavel_frame(kavels: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """What a task needs of its kavels: kavel_id and rin_nummer as text, and the geometry."""
    return gpd.GeoDataFrame({"kavel_id": kavels["kavel_id"].astype("str").to_numpy(),
                             "rin_nummer": kavels["rin_nummer"].astype("str").to_numpy()},
                            geometry=geoms(kavels), crs=kavels.crs)


def _taak(part, kavels, alle, settings, bron) -> dict:
    return run_task(Taak(part, kavels, alle, settings, bron))


def compute(terreinen, kavels, omgevingstype, settings, bron: Bron, rekenen) -> list[dict]:
    """Every partition's results, computed by the configured engine (see the module docstring)."""
    import dask.local
    import dask.threaded

    parts, args = taken(terreinen, kavels, omgevingstype, settings, bron, rekenen.partitie_terreinen)
    log.info("analyse: %d terreinen in %d partitie(s), engine %s", len(terreinen), parts.npartitions, rekenen.engine)
    work = [dask.delayed(_taak, pure=False)(*a) for a in args]
    if rekenen.engine == "cluster":
        from distributed import Client

        if not rekenen.scheduler:
            raise ValueError("rekenen.engine is 'cluster' but rekenen.scheduler (the scheduler address) is not set")
        with Client(rekenen.scheduler, set_as_default=False) as client:
            return list(client.gather(client.compute(work)))
    # dask's schedulers as functions, not names: a name is looked up only after importing distributed (0.6 s)
    n = rekenen.werkers or threads.workers()
    if rekenen.engine == "processen":
        import dask.multiprocessing

        # one task per process at a time: dask's default hands out six at once, so a few partitions all went to one
        # process; the processes are forked (dask's own pool spawns fresh interpreters that import everything again)
        with forked.frozen(), forked.processes(n) as pool:  # the layers read so far shared, not copied
            return list(dask.compute(*work, scheduler=dask.multiprocessing.get, pool=pool, chunksize=1))
    if n > 1:  # the tasks are mostly Arrow, GEOS and numpy work, which release the GIL: partitions side by side
        return list(dask.compute(*work, scheduler=dask.threaded.get, num_workers=n))
    return list(dask.compute(*work, scheduler=dask.local.get_sync))
