"""Stage analyse: onbenutte potentie and the qualities of every kavel and terrein.

Settings: `analyse` (milieuruimte, kades, bebouwing, ontsluiting, clusters, rasters); see pipeline/config.
Inputs (`paths.processed`, canonical layers of the catalogue): terreinen, kavels, panden, verblijfsobjecten,
kades, vaarwegen, milieuzones, netcapaciteit; optional vestigingen, spoor, opritten, omgevingstypen.
Outputs (`paths.processed`, columns in pipeline/catalogue/indicators.py): kavels_indicatoren, terreinen_indicatoren,
kades_status, milieuruimte_contouren, clusters (GeoParquet), plus analyse_instellingen.json (the settings used,
notes such as a missing vestigingen layer, and the compute time per analysis).

Each analysis is a function of named inputs that returns a frame keyed by kavel_id, rin_nummer or kade_id;
`analyse` calls them in turn and joins their results by key. Indicators registered with
pipeline.analyse.registry are computed last.

Notes:
- Without a vestigingen layer cat_benut, vacant, hmc_benut, gap_stappen and the HMC-use figures are
  null (unknown, not vacant) and quay status is "onbekend" (or "vrij" on an uitgeefbaar kavel).
- Without a kavels layer each terrein is one kavel (kavels_bron "terrein").
- Distances to gevoelige objecten are null where there is no gevoelig object at all (cat_afstand "6").
"""
from __future__ import annotations

import contextlib
import logging
import time
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

from pipeline import catalogue, io, workspace
from pipeline.analyse import (bebouwing, clusters, contouren, kades, milieuruimte, netcapaciteit, ontsluiting,
                              potentie, rasters, registry)
from pipeline.analyse._geo import keyed
from pipeline.config import config_as_dict
from pipeline.crs import WORKING_CRS

log = logging.getLogger(__name__)

LAYERS = ["terreinen", "kavels", "panden", "verblijfsobjecten", "kades", "vaarwegen", "milieuzones",
          "netcapaciteit", "vestigingen", "spoor", "opritten", "omgevingstypen"]
OUTPUTS = ["kavels_indicatoren", "terreinen_indicatoren", "kades_status", "milieuruimte_contouren", "clusters"]


def read_layers(processed: Path) -> dict[str, gpd.GeoDataFrame | None]:
    """The canonical layers, checked against the catalogue; optional ones that are absent are None."""
    return {name: catalogue.read(name, processed) for name in LAYERS}


def kavels_of(terreinen: gpd.GeoDataFrame, kavels: gpd.GeoDataFrame | None) -> gpd.GeoDataFrame:
    """The kavels, or each terrein as one kavel (bron "terrein") when there is no kavel layer."""
    if kavels is not None and len(kavels):
        return kavels.reset_index(drop=True)
    rin = terreinen["rin_nummer"].astype("str").to_numpy()
    return gpd.GeoDataFrame({"kavel_id": rin, "rin_nummer": rin, "uitgifte_status": pd.Series([None] * len(rin),
                                                                                             dtype="str"),
                             "bron": "terrein"}, geometry=terreinen.geometry.to_numpy(), crs=terreinen.crs)


def join_by_key(base: pd.DataFrame, *tables: pd.DataFrame) -> pd.DataFrame:
    """base with the columns of every table added by key (each table keyed like base, no column twice)."""
    for table in tables:
        if not table.index.is_unique or not table.index.isin(base.index).all():
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


def analyse(layers: dict, settings, *, timings: dict | None = None) -> dict[str, pd.DataFrame]:
    """All analyses on in-memory canonical layers; returns the output tables (GeoDataFrames) by dataset name."""
    clock = _Clock(timings if timings is not None else {})
    m, b = settings.milieuruimte, settings.bebouwing
    terreinen = layers["terreinen"].reset_index(drop=True)
    kav = kavels_of(terreinen, layers.get("kavels"))
    vest, omg, zones = layers.get("vestigingen"), layers.get("omgevingstypen"), layers["milieuzones"]
    rins = terreinen["rin_nummer"].astype("str")

    with clock("milieuruimte"):
        gevoelig = milieuruimte.gevoelige_objecten(layers["verblijfsobjecten"], terreinen,
                                                   bedrijfswoningen_meetellen=m.bedrijfswoningen_meetellen)
        tree = shapely.STRtree(gevoelig)
        mr = milieuruimte.per_kavel(kav, gevoelig, milieuzones=zones, terreinen=terreinen, vestigingen=vest,
                                    omgevingstypen=omg, settings=m, min_aandeel=settings.zonering_min_aandeel, tree=tree)
    with clock("contouren"):
        t_omg = milieuruimte.omgevingstype_per_vlak(terreinen, omg, m.standaard_omgevingstype)
        cont = contouren.per_terrein(terreinen, gevoelig, t_omg, m, tree=tree)
    with clock("kades"):
        gebruik = kades.kavel_gebruik(kav, vest, settings.kades.watergebonden_sbi)
        ks = kades.kades_status(layers["kades"], kav, layers["vaarwegen"], gebruik, settings.kades)
    with clock("bebouwing"):
        bb = bebouwing.per_kavel(kav, layers["panden"], zones, terreinen, b, min_aandeel=settings.zonering_min_aandeel)
    basis = keyed(pd.DataFrame({"rin_nummer": kav["rin_nummer"].astype("str").to_numpy(),
                                "oppervlakte_m2": shapely.area(kav.geometry.to_numpy())}), kav["kavel_id"])
    kv = join_by_key(basis, mr, gebruik[["watergebonden"]], bb, kades.per_kavel(ks, kav["kavel_id"]))
    with clock("netcapaciteit"):
        net = netcapaciteit.per_terrein(terreinen, layers["netcapaciteit"])

    with clock("terrein_tabel"):
        tv = join_by_key(keyed(terreinen.drop(columns="geometry"), rins), kavels_per_terrein(kav, rins),
                         milieuruimte.per_terrein(kv, rins, m, vestigingen_bekend=vest is not None),
                         kades.per_terrein(ks, rins, water_min_klasse=settings.kades.water_min_klasse),
                         bebouwing.per_terrein(kv, rins), net)
        tv = join_by_key(tv, ontsluiting.per_terrein(terreinen, tv["kade_water_m"], layers.get("spoor"),
                                                     layers.get("opritten"), settings.ontsluiting))
        tgeo = gpd.GeoDataFrame(tv.reset_index(drop=True), geometry=terreinen.geometry.to_numpy(), crs=WORKING_CRS)
        tv = join_by_key(tv, clusters.per_terrein(tgeo, afstand_m=settings.clusters.afstand_m, hmc_vanaf=m.hmc_vanaf),
                         potentie.per_terrein(tv, hmc_vanaf=m.hmc_vanaf))
        if settings.rasters:
            tv = join_by_key(tv, rasters.per_terrein(terreinen, settings.rasters))
    inputs = {**layers, "kavels": kav, "kavels_indicatoren": kv, "terreinen_indicatoren": tv}
    kv = registry.apply("kavel", kv, inputs, settings)
    tv = registry.apply("terrein", tv, inputs, settings)

    tv = gpd.GeoDataFrame(tv.reset_index(drop=True), geometry=terreinen.geometry.to_numpy(), crs=WORKING_CRS)
    return {"kavels_indicatoren": gpd.GeoDataFrame(kv.reset_index(), geometry=kav.geometry.to_numpy(),
                                                   crs=WORKING_CRS),
            "terreinen_indicatoren": tv, "kades_status": ks.reset_index(drop=True),
            "milieuruimte_contouren": cont, "clusters": clusters.outlines(tv, settings.clusters.afstand_m)}


class _Clock:
    """`with clock("name"):` adds the block's wall time to timings["name"]."""

    def __init__(self, timings: dict):
        self.timings = timings

    @contextlib.contextmanager
    def __call__(self, name: str):
        started = time.perf_counter()
        yield
        self.timings[name] = self.timings.get(name, 0.0) + time.perf_counter() - started


def notes_for(layers: dict, settings) -> list[str]:
    notes = []
    if layers["vestigingen"] is None:
        notes.append("geen vestigingenlaag: cat_benut, vacant en HMC-gebruik onbekend; kadestatus 'onbekend' "
                     "(of 'vrij' op uitgeefbare kavels)")
    if layers["omgevingstypen"] is None:
        notes.append(f"geen omgevingstypenlaag: overal '{settings.milieuruimte.standaard_omgevingstype}'")
    if layers["kavels"] is None or len(layers["kavels"]) == 0:
        notes.append("geen kavellaag: elk terrein telt als een kavel")
    return notes


def run(config, **_options) -> dict:
    processed = Path(config.paths.processed)
    settings = config.analyse
    layers = read_layers(processed)
    notes = notes_for(layers, settings)
    for note in notes:
        log.warning("analyse: %s", note)
    timings: dict[str, float] = {}
    out = analyse(layers, settings, timings=timings)
    out = {name: catalogue.conform(frame, name, settings) for name, frame in out.items()}
    meta = {"instellingen": config_as_dict(config)["analyse"], "opmerkingen": notes,
            "rekentijd_s": {k: round(v, 3) for k, v in timings.items()},
            "richtafstanden": "indicatief (VNG 2009)"}
    with workspace.output_set("analyse", [processed]) as files:
        for name, frame in out.items():
            catalogue.write(frame, name, files.folder(processed), settings)
        io.write_json(meta, files.folder(processed) / "analyse_instellingen.json")
    return summary(out, settings, notes, timings)


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
    s["contourvlakken"] = len(out["milieuruimte_contouren"])
    s["clusters (>1 terrein)"] = len(out["clusters"])
    s["rekentijd analyses (s)"] = round(sum(timings.values()), 2)
    for i, note in enumerate(notes, 1):
        s[f"opmerking {i}"] = note
    return s
