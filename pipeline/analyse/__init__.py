"""Stage analyse: onbenutte potentie per kavel and per terrein.

Settings: `config.analyse` (milieuruimte, kades, bebouwing, netcapaciteit, rasters); see pipeline/config.py.
Inputs (`config.paths.processed`, canonical layers of pipeline/layers.py): terreinen, kavels, panden,
verblijfsobjecten, kades, vaarwegen, milieuzones, netcapaciteit; optional vestigingen, omgevingstypen.
Outputs (`config.paths.processed`, columns per docs/contract.md "analyse"):
  kavels_indicatoren.parquet, terreinen_indicatoren.parquet, kades_status.parquet,
  milieuruimte_contouren.parquet, plus analyse_instellingen.json (the settings used, notes such as a
  missing vestigingen layer, and the compute time per analysis).

Notes:
- Without a vestigingen layer cat_benut, vacant, hmc_benut, gap_stappen and the HMC-use figures are
  null (unknown, not vacant) and quay status is "onbekend" (or "vrij" on an uitgeefbaar kavel).
- Without a kavels layer each terrein is one kavel (kavels_bron "terrein").
- Categories are written as strings ("4.1"), compare them with pipeline.categories.milieucategorie_rank.
- Distances to gevoelige objecten are null where there is no gevoelig object at all (cat_afstand "6").
"""
from __future__ import annotations

import logging
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from pipeline import io
from pipeline.analyse import bebouwing, kades, milieuruimte, netcapaciteit, potentie, rasters
from pipeline.analyse._geo import geoms
from pipeline.config import config_as_dict
from pipeline.crs import WORKING_CRS

log = logging.getLogger(__name__)

REQUIRED = ["terreinen", "panden", "verblijfsobjecten", "kades", "vaarwegen", "milieuzones", "netcapaciteit"]
OPTIONAL = ["kavels", "vestigingen", "omgevingstypen"]

KAVEL_COLUMNS = ["kavel_id", "rin_nummer", "oppervlakte_m2", "afstand_gevoelig_m", "omgevingstype", "cat_afstand",
                 "cat_plan", "cat_plan_bron", "cat_potentie", "cat_benut", "gap_stappen", "niet_waarmaakbaar",
                 "hmc_potentie", "hmc_benut", "vacant", "watergebonden", "footprint_m2", "gsi",
                 "max_bebouwingspercentage", "max_bebouwing_aangenomen", "onbenut_bebouwing_m2", "onderbenut",
                 "kade_m"]
KADE_COLUMNS = ["kade_id", "kavel_id", "rin_nummer", "lengte_m", "bgt_type", "betrouwbaarheid", "vaarweg_id",
                "cemt_klasse", "cemt_bereikbaar", "status"]
CATEGORY_COLUMNS = ["cat_afstand", "cat_plan", "cat_potentie", "cat_benut", "cat_potentie_max",
                    "cemt_klasse", "cemt_bereikbaar", "cemt_beste"]


def read_layers(processed: Path) -> dict[str, gpd.GeoDataFrame | None]:
    """The canonical layers; optional ones that are absent are None."""
    layers = {}
    for name in REQUIRED:
        layers[name] = io.read_parquet(processed / f"{name}.parquet", what=f"canonical layer {name}")
    for name in OPTIONAL:
        path = processed / f"{name}.parquet"
        layers[name] = io.read_parquet(path, what=f"canonical layer {name}") if path.is_file() else None
    return layers


def kavels_of(terreinen: gpd.GeoDataFrame, kavels: gpd.GeoDataFrame | None) -> gpd.GeoDataFrame:
    """The kavels, or each terrein as one kavel (bron "terrein") when there is no kavel layer."""
    if kavels is not None and len(kavels):
        return kavels.reset_index(drop=True)
    return gpd.GeoDataFrame({"kavel_id": terreinen["rin_nummer"].astype("string").values,
                             "rin_nummer": terreinen["rin_nummer"].astype("string").values,
                             "uitgifte_status": pd.array([pd.NA] * len(terreinen), dtype="string"),
                             "bron": "terrein"}, geometry=terreinen.geometry.values, crs=terreinen.crs)


def analyse(layers: dict, settings, *, timings: dict | None = None) -> dict[str, pd.DataFrame]:
    """All analyses on in-memory canonical layers; returns the four output tables (GeoDataFrames)."""
    timings = {} if timings is None else timings
    m, k, b, nc = settings.milieuruimte, settings.kades, settings.bebouwing, settings.netcapaciteit
    terreinen = layers["terreinen"].reset_index(drop=True)
    kav = kavels_of(terreinen, layers.get("kavels"))
    vest = layers.get("vestigingen")
    omg = layers.get("omgevingstypen")
    kgeom = geoms(kav)
    area = shapely.area(kgeom)

    # --- milieuruimte
    t0 = time.perf_counter()
    tabel = milieuruimte.load_sbi_tabel(m.sbi_tabel)
    gevoelig = milieuruimte.gevoelige_objecten(layers["verblijfsobjecten"], terreinen,
                                               bedrijfswoningen_meetellen=m.bedrijfswoningen_meetellen)
    gtree = shapely.STRtree(gevoelig)
    afstand = milieuruimte.afstand_gevoelig(kav, gevoelig, tree=gtree)
    omgevingstype = milieuruimte.omgevingstype_per_vlak(kav, omg, m.standaard_omgevingstype)
    plan = milieuruimte.cat_plan(kav, layers["milieuzones"], terreinen, min_aandeel=settings.zonering_min_aandeel)
    benut = milieuruimte.cat_benut(kav, vest, tabel)
    mr = milieuruimte.milieuruimte_per_kavel(kav, afstand=afstand, omgevingstype=omgevingstype, plan=plan,
                                             benut=benut, settings=m)
    hmc = milieuruimte.hmc_per_terrein(mr, area, kav["rin_nummer"], m.hmc_varianten,
                                       vestigingen_bekend=vest is not None)
    timings["milieuruimte"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    t_omg = milieuruimte.omgevingstype_per_vlak(terreinen, omg, m.standaard_omgevingstype)
    cont = milieuruimte.contouren(terreinen, gevoelig, m.contour_categorieen, t_omg,
                                  rustig=m.richtafstanden_rustig, gemengd=m.richtafstanden_gemengd,
                                  resolutie_m=m.contour_resolutie_m, tree=gtree)
    cont["rin_nummer"] = terreinen["rin_nummer"].astype("string").to_numpy()[cont.pop("terrein").to_numpy()]
    cont = gpd.GeoDataFrame(cont[["categorie", "omgevingstype", "rin_nummer", "geometry"]], geometry="geometry",
                            crs=WORKING_CRS)
    cont = cont[~cont.geometry.is_empty].reset_index(drop=True)
    timings["contouren"] = time.perf_counter() - t0

    # --- kades
    t0 = time.perf_counter()
    gebruik = kades.kavel_gebruik(kav, vest, k.watergebonden_sbi)
    ks = kades.kades_status(layers["kades"], kav, layers["vaarwegen"], vest, k, gebruik=gebruik)
    kade_m = kades.kade_m_per_kavel(ks, len(kav))
    kt = kades.kades_per_terrein(ks)
    timings["kades"] = time.perf_counter() - t0

    # --- bebouwing
    t0 = time.perf_counter()
    fp = bebouwing.footprint_per_zone(kav, layers["panden"])
    pct = bebouwing.max_bebouwingspercentage(kav, layers["milieuzones"], terreinen, b,
                                             min_aandeel=settings.zonering_min_aandeel)
    bb = bebouwing.bebouwing_per_kavel(kav, fp, pct, b)
    bt = bebouwing.bebouwing_per_terrein(bb, area, kav["rin_nummer"])
    timings["bebouwing"] = time.perf_counter() - t0

    # --- netcapaciteit
    t0 = time.perf_counter()
    net = netcapaciteit.netcapaciteit_per_terrein(terreinen, layers["netcapaciteit"], nc.statussen)
    timings["netcapaciteit"] = time.perf_counter() - t0

    # --- per kavel table
    kv = pd.DataFrame({"kavel_id": kav["kavel_id"].astype("string").values,
                       "rin_nummer": kav["rin_nummer"].astype("string").values,
                       "oppervlakte_m2": area})
    kv = pd.concat([kv, mr.drop(columns=["vacant"]).reset_index(drop=True),
                    bb.reset_index(drop=True)], axis=1)
    kv["vacant"] = mr["vacant"].values
    kv["watergebonden"] = gebruik["watergebonden"].values
    kv["kade_m"] = kade_m
    kv.loc[~np.isfinite(kv["afstand_gevoelig_m"]), "afstand_gevoelig_m"] = np.nan
    kv = gpd.GeoDataFrame(kv[KAVEL_COLUMNS], geometry=kgeom, crs=WORKING_CRS)

    # --- per terrein table
    t0 = time.perf_counter()
    rin = terreinen["rin_nummer"].astype("string")
    tv = terreinen.drop(columns="geometry").copy()
    tv["aantal_kavels"] = rin.map(kav["rin_nummer"].astype("string").value_counts()).fillna(0).astype("int64").values
    bron = kav.groupby(kav["rin_nummer"].astype("string"))["bron"].agg(lambda s: ", ".join(sorted(set(s.dropna()))))
    tv["kavels_bron"] = rin.map(bron).astype("string").values
    for table in (hmc, kt, bt):
        joined = table.reindex(rin.values)
        for col in table.columns:
            tv[col] = joined[col].values
    zero_fill = [c for c in tv.columns if c.startswith(("ha_hmc_", "ha_niet", "kade_", "footprint", "onbenut_",
                                                        "aantal_onderbenut", "ha_onderbenut"))]
    for col in zero_fill:  # terreinen without kavels / quays: 0, except use-dependent unknowns
        if vest is None and col.endswith(("_niet_hmc", "_vacant")):
            continue
        tv[col] = tv[col].fillna(0.0)
    tv["aantal_onderbenut"] = tv["aantal_onderbenut"].astype("int64")
    for col in net.columns:
        tv[col] = net[col].values
    pot = potentie.potentie_per_terrein(tv, hmc_vanaf=m.hmc_vanaf)
    for col in pot.columns:
        tv[col] = pot[col].values
    if settings.rasters:
        rs = rasters.raster_indicatoren(terreinen, settings.rasters)
        for col in rs.columns:
            tv[col] = rs[col].values
    tv = gpd.GeoDataFrame(tv, geometry=terreinen.geometry.values, crs=WORKING_CRS)
    timings["terrein_tabel"] = time.perf_counter() - t0

    kd = gpd.GeoDataFrame(ks[KADE_COLUMNS].reset_index(drop=True),
                          geometry=geoms(layers["kades"].loc[ks.index]), crs=WORKING_CRS)
    return {"kavels_indicatoren": _as_strings(kv), "terreinen_indicatoren": _as_strings(tv),
            "kades_status": _as_strings(kd), "milieuruimte_contouren": cont}


def _as_strings(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Ordered categories -> pandas strings for the files (the contract: categories are strings)."""
    for col in CATEGORY_COLUMNS:
        if col in frame and isinstance(frame[col].dtype, pd.CategoricalDtype):
            frame[col] = frame[col].astype(object).astype("string")
    return frame


def run(config, **_options) -> dict:
    processed = Path(config.paths.processed)
    settings = config.analyse
    layers = read_layers(processed)
    notes = []
    if layers["vestigingen"] is None:
        notes.append("geen vestigingenlaag: cat_benut, vacant en HMC-gebruik onbekend; kadestatus 'onbekend' "
                     "(of 'vrij' op uitgeefbare kavels)")
    if layers["omgevingstypen"] is None:
        notes.append(f"geen omgevingstypenlaag: overal '{settings.milieuruimte.standaard_omgevingstype}'")
    if layers["kavels"] is None or len(layers["kavels"]) == 0:
        notes.append("geen kavellaag: elk terrein telt als een kavel")
    for note in notes:
        log.warning("analyse: %s", note)
    timings: dict[str, float] = {}
    out = analyse(layers, settings, timings=timings)
    for name, frame in out.items():
        io.write_parquet(frame, processed / f"{name}.parquet")
    meta = {"instellingen": config_as_dict(config)["analyse"], "opmerkingen": notes,
            "rekentijd_s": {k: round(v, 3) for k, v in timings.items()},
            "richtafstanden": "indicatief (VNG 2009)"}
    io.write_json(meta, processed / "analyse_instellingen.json")
    return summary(out, settings, notes, timings)


def summary(out: dict, settings, notes: list[str], timings: dict) -> dict:
    kv, tv, kd = out["kavels_indicatoren"], out["terreinen_indicatoren"], out["kades_status"]
    s: dict = {"kavels": len(kv), "terreinen": len(tv)}
    for v in settings.milieuruimte.hmc_varianten:
        lab = milieuruimte.variant_label(v)
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
    s["rekentijd analyses (s)"] = round(sum(timings.values()), 2)
    for i, note in enumerate(notes, 1):
        s[f"opmerking {i}"] = note
    return s
