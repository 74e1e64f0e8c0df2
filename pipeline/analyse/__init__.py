"""Stage analyse: onbenutte potentie and the qualities of every kavel and terrein.

Settings: `analyse` (milieuruimte, kades, bebouwing, ontsluiting, clusters, rasters); see pipeline/config.
Inputs (`paths.processed`, canonical layers of the catalogue): terreinen, kavels, panden, verblijfsobjecten,
kades, vaarwegen, milieuzones, netcapaciteit; optional vestigingen, spoor, opritten, omgevingstypen.
Outputs (`paths.processed`, columns in pipeline/catalogue/indicators.py): kavels_indicatoren, terreinen_indicatoren,
kades_status, milieuruimte_contouren, clusters, vestigingen_register, verblijfsobjecten_gebruik (GeoParquet), plus
analyse_instellingen.json (the settings used, notes such as a missing vestigingen layer, the SBI table(s) used and
how many categories came from confirmed rows, and the compute time per analysis).

Each analysis is a function of named inputs that returns a frame keyed by kavel_id, rin_nummer or kade_id;
`analyse` calls them in turn and joins their results by key. Indicators registered with
pipeline.analyse.registry are computed last. The joins with the buildings (nearest gevoelig object, bedrijfswoningen,
contours, footprints) run per spatial partition of terreinen on dask, each reading only the panden and
verblijfsobjecten within its halo (partities.py, settings `rekenen`); the stage never reads those layers whole.

Notes:
- Without a vestigingen layer cat_benut, vacant, hmc_benut, gap_stappen and the HMC-use figures are
  null (unknown, not vacant) and quay status is "onbekend" (or "vrij" on an uitgeefbaar kavel).
- Without a kavels layer each terrein is one kavel (kavels_bron "terrein").
- Distances to gevoelige objecten are null where there is no gevoelig object at all (cat_afstand "6").
- Every vestiging is placed on one kavel once (points_in_polygons, within meettolerantie_m) and that placement
  is shared by milieuruimte, kades and the register, so they agree on where each company is.
"""
from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import shapely

from pipeline import catalogue, forked, io, memory, progress, threads, workspace
from pipeline.analyse import (bebouwing, clusters, kades, milieuruimte, netcapaciteit, ontsluiting, partities,
                              potentie, rasters, register, registry, sbi)
from pipeline.analyse._geo import keyed, points_in_polygons
from pipeline.config import Rekenen, config_as_dict
from pipeline.crs import WORKING_CRS

log = logging.getLogger(__name__)

LAYERS = ["terreinen", "kavels", "panden", "verblijfsobjecten", "kades", "vaarwegen", "milieuzones",
          "netcapaciteit", "vestigingen", "spoor", "opritten", "omgevingstypen"]
OUTPUTS = ["kavels_indicatoren", "terreinen_indicatoren", "kades_status", "milieuruimte_contouren", "clusters",
           "vestigingen_register", "verblijfsobjecten_gebruik"]


BUILDINGS = ["panden", "verblijfsobjecten"]  # read per partition, within its halo (partities.py)


def read_layers(processed: Path, settings=None) -> dict[str, gpd.GeoDataFrame | None]:
    """The canonical layers, checked against the catalogue; optional ones that are absent are None.

    With settings, panden and verblijfsobjecten are read only near the terreinen (within the halo of
    partities.halo_m), and only when an indicator of pipeline.analyse.registry needs them; the built-in analyses
    read them per partition."""
    layers = Layers(processed, settings)
    return {name: layers[name] for name in layers}


class Layers(Mapping):
    """read_layers, each layer read when it is first asked for: `analyse` asks for the layers the partitions do not
    use (vestigingen, milieuzones, ...) only after them, so the partitions' processes, forked from this one, run
    beside a process that holds only what they share (42 of 396 MB at scale 4 were vestigingen)."""

    def __init__(self, processed: Path, settings=None):
        self.processed, self.settings, self._read = Path(processed), settings, {}

    def __getitem__(self, name: str):
        if name not in LAYERS:
            raise KeyError(name)
        if name not in self._read:
            if self.settings is None or name not in BUILDINGS:
                self._read[name] = catalogue.read(name, self.processed)
            elif registry.REGISTERED:
                halo = 0.0 if name == "panden" else partities.halo_m(self.settings)
                near = np.asarray(self["terreinen"].bounds)
                self._read[name] = catalogue.read(name, self.processed, boxes=near + [-halo, -halo, halo, halo])
            else:
                self._read[name] = None
        return self._read[name]

    @property
    def read_so_far(self) -> set[str]:
        return set(self._read)

    def present(self, name: str) -> bool:
        """Whether the layer's file exists (an absent optional layer reads as None), without reading it."""
        return catalogue.path(name, self.processed).is_file()

    def rows(self, name: str) -> int:
        """How many rows the layer's file holds (0 when it is absent), without reading it."""
        return pq.ParquetFile(catalogue.path(name, self.processed)).metadata.num_rows if self.present(name) else 0

    def __iter__(self):
        return iter(LAYERS)

    def __len__(self) -> int:
        return len(LAYERS)


def kavels_of(terreinen: gpd.GeoDataFrame, kavels: gpd.GeoDataFrame | None) -> gpd.GeoDataFrame:
    """The kavels, or each terrein as one kavel (bron "terrein") when there is no kavel layer."""
    if kavels is not None and len(kavels):
        return kavels.reset_index(drop=True)
    rin = terreinen["rin_nummer"].astype("str").to_numpy()
    return gpd.GeoDataFrame({"kavel_id": rin, "rin_nummer": rin, "uitgifte_status": pd.Series([None] * len(rin),
                                                                                             dtype="str"),
                             "bron": "terrein"}, geometry=terreinen.geometry.to_numpy(), crs=terreinen.crs)


def kavel_keys(layers, terreinen: gpd.GeoDataFrame) -> pd.DataFrame:
    """kavel_id and rin_nummer of kavels_of's rows, to hand the kavels to the partitions: of a kavels layer not read
    yet (Layers) only these two columns, and each partition reads its own kavels (partities.taken); else the
    kavels themselves."""
    if isinstance(layers, Layers) and "kavels" not in layers.read_so_far and layers.present("kavels"):
        keys = catalogue.read("kavels", layers.processed, columns=["kavel_id", "rin_nummer"])
        if len(keys):
            return keys
    return kavels_of(terreinen, layers.get("kavels"))


def join_by_key(base: pd.DataFrame, *tables: pd.DataFrame) -> pd.DataFrame:
    """base with the columns of every table added by key (each table keyed like base, no column twice)."""
    for table in tables:
        if not table.index.is_unique or not io.is_in(table.index.to_series(), base.index.to_series()).all():
            raise ValueError(f"analyse: a table keyed by {table.index.name} has keys that are duplicated or unknown")
        clash = [c for c in table.columns if c in base.columns]
        if clash:
            raise ValueError(f"analyse: columns {clash} computed twice")
        base = base.join(table)
    return base


def kavels_per_terrein(kavels, rin_nummers) -> pd.DataFrame:
    """aantal_kavels and kavels_bron ("kavellaag" / "terrein") per terrein, keyed by rin_nummer."""
    rin = kavels["rin_nummer"].astype("str")
    rins = pd.Index(pd.Series(rin_nummers).astype("str"), name="rin_nummer")
    bron = kavels.groupby(rin)["bron"].agg(lambda s: ", ".join(sorted(set(s.dropna()))))
    return pd.DataFrame({"aantal_kavels": rin.value_counts().reindex(rins).fillna(0).astype("int64"),
                         "kavels_bron": bron.reindex(rins)}, index=rins)


def analyse(layers: dict, settings, *, timings: dict | None = None, sbi_tabellen=None, bron=None,
            rekenen=None) -> dict[str, pd.DataFrame]:
    """All analyses on canonical layers; returns the output tables (GeoDataFrames) by dataset name.

    The joins with the buildings run per spatial partition (partities.py) on `rekenen` (default: in this process),
    reading panden and verblijfsobjecten from `bron` (default: `layers`, in memory)."""
    clock = _Clock(timings if timings is not None else {}, steps=5)
    m, b, tol = settings.milieuruimte, settings.bebouwing, settings.meettolerantie_m
    terreinen = layers["terreinen"].reset_index(drop=True)
    omg = layers.get("omgevingstypen")
    rekenen = rekenen or Rekenen()
    with clock("partities"):
        t_omg = milieuruimte.omgevingstype_per_vlak(terreinen, omg, m.standaard_omgevingstype, tol=tol)
        heavy = _heavy(terreinen, kavel_keys(layers, terreinen), t_omg, settings,
                       bron or partities.Bron(layers=layers), rekenen)
        memory.release()  # what the partitions read is freed: the rest of the stage starts from what is in use
    # asked for only now (Layers reads a layer when first asked): the partitions need none of these whole
    kav = kavels_of(terreinen, layers.get("kavels"))
    vest, zones = layers.get("vestigingen"), layers["milieuzones"]
    tabellen = sbi_tabellen if sbi_tabellen is not None else sbi.sbi_tabellen(m)
    plaats = points_in_polygons(kav, vest, tol=tol) if vest is not None else None
    # quays and grid capacity need nothing of the partitions: a forked helper computes them beside milieuruimte and
    # bebouwing (two cores), or this process after them (one)
    apart = forked.count(rekenen.werkers, "rekenen.werkers") > 1
    water_grid = {name: layers[name] for name in ("kades", "vaarwegen", "netcapaciteit")}  # read here, once
    with forked.beside(apart, _kades_en_net, water_grid, kav, terreinen, vest, plaats, settings) as quays_and_grid:
        with clock("milieuruimte"):
            mr = milieuruimte.per_kavel(kav, None, milieuzones=zones, terreinen=terreinen, vestigingen=vest,
                                        omgevingstypen=omg, settings=m, min_aandeel=settings.zonering_min_aandeel,
                                        tol=tol, tabellen=tabellen, plaats=plaats, near=heavy["dichtstbij"])
        with clock("bebouwing"):
            bb = bebouwing.per_kavel(kav, None, zones, terreinen, b, min_aandeel=settings.zonering_min_aandeel,
                                     tol=tol, footprint=heavy["footprint"])
        (gebruik, ks, net, net_kavel), took = quays_and_grid.result()
    clock.timings.update(took)  # their own compute times, as the other analyses'
    basis = keyed(pd.DataFrame({"rin_nummer": kav["rin_nummer"].astype("str").to_numpy(),
                                "oppervlakte_m2": shapely.area(kav.geometry.to_numpy())}), kav["kavel_id"])
    kv = join_by_key(basis, mr, gebruik[["watergebonden"]], bb, kades.per_kavel(ks, kav["kavel_id"]), net_kavel)
    with clock("register"):
        reg = register.register(vest, kav, plaats, kv, tabellen, settings, terreinen) if vest is not None else None

    with clock("terrein_tabel"):
        tv = terrein_tabel(terreinen, kav, kv, ks, net, reg, layers, settings)
    inputs = {**layers, "kavels": kav, "kavels_indicatoren": kv, "terreinen_indicatoren": tv}
    kv = registry.apply("kavel", kv, inputs, settings)
    tv = registry.apply("terrein", tv, inputs, settings)

    tv = gpd.GeoDataFrame(tv.reset_index(drop=True), geometry=terreinen.geometry.to_numpy(), crs=WORKING_CRS)
    return {"kavels_indicatoren": gpd.GeoDataFrame(kv.reset_index(), geometry=kav.geometry.to_numpy(),
                                                   crs=WORKING_CRS),
            "terreinen_indicatoren": tv, "kades_status": ks.reset_index(drop=True),
            "milieuruimte_contouren": heavy["contouren"], "clusters": clusters.outlines(tv, settings.clusters.afstand_m),
            "vestigingen_register": reg if reg is not None else _empty("vestigingen_register", settings),
            "verblijfsobjecten_gebruik": heavy["verblijfsobjecten_gebruik"]}


def _kades_en_net(layers: dict, kav, terreinen, vest, plaats, settings) -> tuple:
    """The analyses that need nothing of the partitions: the kavels' quay use and every quay's status, the grid
    capacity per terrein and per kavel; and the seconds each took."""
    tol, started = settings.meettolerantie_m, time.perf_counter()
    gebruik = kades.kavel_gebruik(kav, vest, settings.kades.watergebonden_sbi, plaats=plaats)
    ks = kades.kades_status(layers["kades"], kav, layers["vaarwegen"], gebruik, settings.kades, tol=tol)
    halfway = time.perf_counter()
    net = netcapaciteit.per_terrein(terreinen, layers["netcapaciteit"], tol=tol)
    net_kavel = netcapaciteit.per_kavel(kav, layers["netcapaciteit"])
    return (gebruik, ks, net, net_kavel), {"kades": halfway - started, "netcapaciteit": time.perf_counter() - halfway}


def _heavy(terreinen, kavels, t_omg, settings, bron, rekenen) -> dict:
    """The partitions' results joined by key, in the order of the kavels (kavel_keys) and terreinen (partities.py)."""
    parts = partities.compute(terreinen, kavels, t_omg, settings, bron, rekenen)
    ids = kavels["kavel_id"].astype("str").to_numpy()
    near = pd.concat([p["dichtstbij"] for p in parts]).reindex(ids)
    near.index = pd.RangeIndex(len(ids))  # as kavels_of's rows
    footprint = pd.concat([p["footprint"] for p in parts]).reindex(ids).to_numpy(dtype=float)
    cont = pd.concat([p["contouren"] for p in parts], ignore_index=True)
    cat = {c: i for i, c in enumerate(settings.milieuruimte.contour_categorieen)}
    pos = pd.Series(np.arange(len(terreinen)), index=terreinen["rin_nummer"].astype("str").to_numpy())
    pos = pos[~pos.index.duplicated()]
    seq = np.lexsort((cont["rin_nummer"].map(pos).to_numpy(), cont["categorie"].map(cat).to_numpy()))
    cont = gpd.GeoDataFrame(cont.iloc[seq].reset_index(drop=True), geometry="geometry", crs=WORKING_CRS)
    vbo = pd.concat([p["verblijfsobjecten_gebruik"] for p in parts], ignore_index=True)
    same = partities.same_object(vbo)
    vbo["kavels_dichtstbij"] = same.map(vbo.groupby(same)["kavels_dichtstbij"].sum()).to_numpy(dtype=np.int64)
    vbo = vbo.loc[~same.duplicated()].sort_values("vbo_id", kind="stable").reset_index(drop=True)
    return {"dichtstbij": near, "footprint": footprint, "contouren": cont,
            "verblijfsobjecten_gebruik": gpd.GeoDataFrame(vbo, geometry="geometry", crs=WORKING_CRS)}


def terrein_tabel(terreinen, kav, kv, ks, net, reg, layers, settings) -> pd.DataFrame:
    """The per-terrein table, keyed by rin_nummer: totals of the kavel, quay and register tables, grid, access,
    clusters, potentials and rasters."""
    m, rins = settings.milieuruimte, terreinen["rin_nummer"].astype("str")
    vest_bekend = layers.get("vestigingen") is not None
    tv = join_by_key(keyed(terreinen.drop(columns="geometry"), rins), kavels_per_terrein(kav, rins),
                     milieuruimte.per_terrein(kv, rins, m, vestigingen_bekend=vest_bekend),
                     kades.per_terrein(ks, rins, water_min_klasse=settings.kades.water_min_klasse),
                     bebouwing.per_terrein(kv, rins), net, register.per_terrein(reg, rins))
    tv = join_by_key(tv, ontsluiting.per_terrein(terreinen, tv["kade_water_m"], layers.get("spoor"),
                                                 layers.get("opritten"), settings.ontsluiting))
    tgeo = gpd.GeoDataFrame(tv.reset_index(drop=True), geometry=terreinen.geometry.to_numpy(), crs=WORKING_CRS)
    tv = join_by_key(tv, clusters.per_terrein(tgeo, afstand_m=settings.clusters.afstand_m, hmc_vanaf=m.hmc_vanaf),
                     potentie.per_terrein(tv, hmc_vanaf=m.hmc_vanaf))
    if settings.rasters:
        tv = join_by_key(tv, rasters.per_terrein(terreinen, settings.rasters))
    return tv


def _empty(name: str, settings) -> gpd.GeoDataFrame:
    """An empty frame of a dataset (written so that no stale file of an earlier run survives)."""
    cols = [c.name for c in catalogue.columns(name, settings)]
    return gpd.GeoDataFrame({c: pd.Series(dtype="object") for c in cols}, geometry=gpd.GeoSeries([], crs=WORKING_CRS),
                            crs=WORKING_CRS)


class _Clock:
    """`with clock("name"):` adds the block's wall time to timings["name"] and moves the progress bar on (one
    step per block; the bar closes after `steps` blocks)."""

    def __init__(self, timings: dict, steps: int):
        self.timings = timings
        self.bar = progress.bar(desc="analyse", unit=" analyse", total=steps)

    @contextlib.contextmanager
    def __call__(self, name: str):
        started = time.perf_counter()
        self.bar.set_postfix_str(name)
        yield
        self.timings[name] = self.timings.get(name, 0.0) + time.perf_counter() - started
        self.bar.update(1)
        if self.bar.n >= self.bar.total:
            self.bar.close()


def notes_for(layers: Layers, settings) -> list[str]:
    notes = []
    if not layers.present("vestigingen"):
        notes.append("geen vestigingenlaag: cat_benut, vacant en HMC-gebruik onbekend; kadestatus 'onbekend' "
                     "(of 'vrij' op uitgeefbare kavels)")
    if not layers.present("omgevingstypen"):
        notes.append(f"geen omgevingstypenlaag: overal '{settings.milieuruimte.standaard_omgevingstype}'")
    if layers.rows("kavels") == 0:
        notes.append("geen kavellaag: elk terrein telt als een kavel")
    return notes


def run(config, **_options) -> dict:
    processed = Path(config.paths.processed)
    settings = config.analyse
    layers = Layers(processed, settings)
    notes = notes_for(layers, settings)
    for note in notes:
        log.warning("analyse: %s", note)
    timings: dict[str, float] = {}
    tabellen = sbi.sbi_tabellen(settings.milieuruimte)
    out = analyse(layers, settings, timings=timings, sbi_tabellen=tabellen,
                  bron=partities.Bron(folder=str(processed)), rekenen=config.rekenen)
    out = {name: catalogue.conform(frame, name, settings) for name, frame in out.items()}
    sbi_meta = sbi_herkomst(tabellen, layers["vestigingen"], out["vestigingen_register"])
    if sbi_meta["buiten_kavels"]:
        notes.append(f"{sbi_meta['buiten_kavels']} vestiging(en) buiten alle kavels: niet in het register")
    meta = {"instellingen": config_as_dict(config)["analyse"], "opmerkingen": notes,
            "rekentijd_s": {k: round(v, 3) for k, v in timings.items()},
            "richtafstanden": "indicatief (VNG 2009); 5.2, 5.3 en 6 (700/1000/1500 m) onbevestigd",
            "sbi": sbi_meta}
    with workspace.output_set("analyse", [processed]) as files, ThreadPoolExecutor(threads.workers()) as pool:
        # the tables side by side (encoding and compressing release the GIL), the largest first; an error is raised
        # here, before the set is swapped in
        list(pool.map(lambda name: catalogue.write(out[name], name, files.folder(processed), settings),
                      sorted(out, key=lambda name: -len(out[name]))))
        io.write_json(meta, files.folder(processed) / "analyse_instellingen.json")
    return summary(out, settings, notes, timings)


def sbi_herkomst(tabellen, vestigingen, reg) -> dict:
    """The SBI table(s) used and where the register's categories came from (for metadata and the report)."""
    out = {"tabellen": [{"soort": t.soort, "naam": t.naam, "pad": str(t.pad), "rijen": int(len(t.rijen)),
                         "rijen_bevestigd": int((t.rijen["bron"] != sbi.ONBEVESTIGD).sum())} for t in tabellen]}
    out.update(sbi.herkomst(reg) if len(reg) else {"vestigingen": 0, "uit_bevestigde_rijen": 0,
                                                   "uit_onbevestigde_rijen": 0, "niet_in_tabel": 0, "per_tabel": {}})
    out["buiten_kavels"] = int(len(vestigingen) - len(reg)) if vestigingen is not None else 0
    return out


def summary(out: dict, settings, notes: list[str], timings: dict) -> dict:
    kv, tv, kd = out["kavels_indicatoren"], out["terreinen_indicatoren"], out["kades_status"]
    s: dict = {"kavels": len(kv), "terreinen": len(tv)}
    for v in settings.milieuruimte.hmc_varianten:
        lab = v.replace(".", "")
        s[f"ha HMC-geschikt (>= {v})"] = float(tv[f"ha_hmc_{lab}"].sum())
        s[f"ha HMC onbenut (>= {v}, niet-HMC + vacant)"] = float(tv[f"ha_hmc_{lab}_niet_hmc"].sum()
                                                                + tv[f"ha_hmc_{lab}_vacant"].sum())
    s["ha planologisch niet waarmaakbaar"] = float(tv["ha_niet_waarmaakbaar"].sum())
    s["kavels vacant"] = int(kv["vacant"].fillna(False).sum()) if kv["vacant"].notna().any() else "onbekend"
    for st in kades.STATUSSEN:
        s[f"km kade {st}"] = float(kd.loc[kd["status"] == st, "lengte_m"].sum() / 1000)
    s["footprint ha"] = float(kv["footprint_m2"].sum() / 1e4)
    s["onbenutte bebouwingsruimte ha"] = float(kv["onbenut_bebouwing_m2"].sum() / 1e4)
    s["kavels onderbenut"] = int(kv["onderbenut"].sum())
    s["terreinen afname dominant rood"] = int((tv["afname_dominant"] == "rood").sum())
    reg = out["vestigingen_register"]
    if len(reg):
        s["vestigingen in register"] = len(reg)
        for klasse in register.SCHAARS:
            sel = reg["klasse"] == klasse
            s[f"  {klasse}"] = int(sel.sum())
        s["  ha HMC bezet zonder HMC-behoefte"] = float(reg["hmc_ha"].sum())
        s["  m kade bezet door niet-watergebonden"] = float(reg["kade_m"].sum())
        s["  categorie uit bevestigde SBI-rijen"] = int(reg["sbi_bevestigd"].fillna(False).sum())
    s["contourvlakken"] = len(out["milieuruimte_contouren"])
    s["clusters (>1 terrein)"] = len(out["clusters"])
    s["rekentijd analyses (s)"] = round(sum(timings.values()), 2)
    for i, note in enumerate(notes, 1):
        s[f"opmerking {i}"] = note
    return s
