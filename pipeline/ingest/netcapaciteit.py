"""Capaciteitskaart -> canonical `netcapaciteit` (status and MW for afname and invoeding per area).

Reads: sources.netcapaciteit, sources.netcapaciteit_postcodes (for the JSON form).
Two forms exist. The public feature services give supply-area polygons with `afname`/`opwek` status
codes 0..3 (0 groen, 1 geel, 2 oranje, 3 rood); `voedingsgebied_id` "0" means no colour yet
(onbekend). The Netbeheer Nederland information model (im-capaciteitskaart JSON) has no geometry:
`energy_areas[].postcode_areas[]` with constraints transparant/yellow/amber/red, placed here on PC6
polygons; a JSON postcode without a polygon is dropped and counted. Parts of one supply area with the
same status are dissolved; parts with conflicting statuses stay separate (area-weighted later).
"""
from __future__ import annotations

import logging
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from pipeline.config import Config
from pipeline.ingest import readers
from pipeline.ingest.base import load
from pipeline.ingest.checks import filled
from pipeline.ingest.errors import IngestError
from pipeline.ingest.fields import Spec, Where, as_number, as_text, map_vocabulary
from pipeline.ingest.geometry import dissolve
from pipeline.ingest.quality import Report

log = logging.getLogger(__name__)

SPECS = [
    Spec("gebied_id", ("voedingsgebied_id", "voedingsgebiedid", "gebied_id", "id"), required=True),
    Spec("gebied_naam", ("voedingsgebied_naam", "voedingsgebied", "gebied_naam", "naam", "station")),
    Spec("netbeheerder", ("RNB", "netbeheerder", "regionale_netbeheerder")),
    Spec("afname", ("afname", "status_afname", "afname_status", "capaciteit_afname")),
    Spec("opwek", ("opwek", "invoeding", "teruglevering", "status_opwek", "invoeding_status")),
    Spec("afname_wachtrij_mw", ("wachtrij_afname",)),
    Spec("invoeding_wachtrij_mw", ("wachtrij_invoeding", "wachtrij_opwek")),
    Spec("afname_wachtrij_aantal", ("aantal_wachtrij_afname",)),
    Spec("invoeding_wachtrij_aantal", ("aantal_wachtrij_invoeding", "aantal_wachtrij_opwek")),
    Spec("afname_beschikbaar_mw", ("beschikbaar_afname", "beschikbare_capaciteit_afname")),
    Spec("invoeding_beschikbaar_mw", ("beschikbaar_invoeding", "beschikbaar_opwek")),
]
POSTCODE_SPECS = [Spec("postcode", ("postcode", "pc6", "postcode6", "postcode_6"), required=True)]
STATUS_WORDS = {
    "0": "groen", "1": "geel", "2": "oranje", "3": "rood",
    "groen": "groen", "transparant": "groen", "transparent": "groen", "green": "groen",
    "geel": "geel", "yellow": "geel", "oranje": "oranje", "amber": "oranje", "orange": "oranje",
    "rood": "rood", "red": "rood", "onbekend": "onbekend", "unknown": "onbekend",
}
NUMBERS = ["afname_beschikbaar_mw", "invoeding_beschikbaar_mw", "afname_wachtrij_mw", "invoeding_wachtrij_mw",
           "afname_wachtrij_aantal", "invoeding_wachtrij_aantal"]
IM_NUMBERS = {
    "demand_available_capacity": "afname_beschikbaar_mw", "generation_available_capacity": "invoeding_beschikbaar_mw",
    "demand_capacity_in_queue": "afname_wachtrij_mw", "generation_capacity_in_queue": "invoeding_wachtrij_mw",
    "demand_requests_in_queue": "afname_wachtrij_aantal", "generation_requests_in_queue": "invoeding_wachtrij_aantal",
}


def statuses(values: pd.Series, *, where: Where, field: str) -> pd.Series:
    """Status codes 0..3 or words (Dutch, English, im-capaciteitskaart) -> groen/geel/oranje/rood; null -> onbekend."""
    text = as_text(values).str.lower().str.replace(r"\.0+$", "", regex=True)
    return map_vocabulary(text, STATUS_WORDS, list(STATUS_WORDS), where=where, field=field).fillna("onbekend")


def _postcodes(values: pd.Series) -> pd.Series:
    """'1234 ab' -> '1234AB', so the JSON and the PC6 polygons join."""
    return as_text(values).str.upper().str.replace(" ", "", regex=False)


def ingest(config: Config, report: Report) -> gpd.GeoDataFrame:
    source = config.sources.netcapaciteit
    path = readers.check_exists(source.path, "netcapaciteit")
    if readers.detect_format(path, source.format) == "json":
        return _from_im_json(config, report)
    src = load(source, "netcapaciteit", "netcapaciteit", SPECS, report, "Polygon", config=config)
    where = src.where
    if src.found["afname"] is None and src.found["opwek"] is None:
        raise IngestError("no status field", path=where.path, layer=where.layer, field="afname",
                          expected=["afname", "opwek"], found=[c for c in src.frame.columns if c != "geometry"])
    ids = as_text(src.col("gebied_id"))
    out = gpd.GeoDataFrame({
        "gebied_id": ids,
        "gebied_naam": as_text(src.col("gebied_naam")),
        "netbeheerder": as_text(src.col("netbeheerder")),
        "afname_status": statuses(src.col("afname"), where=where, field=src.found["afname"] or "afname"),
        "invoeding_status": statuses(src.col("opwek"), where=where, field=src.found["opwek"] or "opwek"),
    }, geometry=src.frame.geometry, crs=src.frame.crs)
    for name in NUMBERS:
        out[name] = as_number(src.col(name), where=where, field=src.found[name] or name)
    no_colour = (ids == "0").fillna(False).to_numpy()
    out.loc[no_colour, ["afname_status", "invoeding_status"]] = "onbekend"
    if no_colour.any():
        log.info("netcapaciteit: %d polygon(s) with voedingsgebied_id 0 (no colour yet) -> onbekend",
                 int(no_colour.sum()))
    out["_key"] = out["gebied_id"].fillna("?") + "|" + out["afname_status"] + "|" + out["invoeding_status"]
    out, merged = dissolve(out, "_key")
    src.tally.merge(merged)
    conflicts = out.loc[out["gebied_id"].notna() & (out["gebied_id"] != "0"), "gebied_id"].duplicated().sum()
    if conflicts:
        log.warning("netcapaciteit: %d supply area(s) drawn with conflicting statuses; parts kept separately",
                    int(conflicts))
    src.tally.kept = len(out)
    filled(out["afname_status"], "afname_status", src, empty_value="onbekend")
    return out.drop(columns="_key")


def _from_im_json(config: Config, report: Report) -> gpd.GeoDataFrame:
    """im-capaciteitskaart JSON (no geometry) + PC6 polygons -> one row per postcode area."""
    path = config.sources.netcapaciteit.path
    data = readers.read_json(path)
    table = _im_table(data, path)
    tally = report.tally("netcapaciteit", "netcapaciteit", path)
    tally.read = len(table)
    report.record_source("netcapaciteit", path, layer=None, fmt="json", rows=len(table),
                         peildatum=data.get("issued"), model=data.get("conforms_to"))
    polygons = _postcode_polygons(config, report, path)
    joined = table.merge(polygons, on="postcode", how="left", validate="many_to_one")
    unplaced = joined["geometry"].isna().to_numpy()
    tally.drop(int(unplaced.sum()), "postcode zonder PC6-polygoon", loss=True)
    joined = joined.loc[~unplaced]
    creator = str(data.get("creator") or "")
    where = Where(path, "energy_areas", tally)
    out = gpd.GeoDataFrame({
        "gebied_id": joined["postcode"].to_numpy(),
        "gebied_naam": as_text(joined["area.short_code"]).to_numpy(),
        "netbeheerder": creator.split("@", 1)[1].split(".")[0] if "@" in creator else None,
        "afname_status": statuses(joined["demand_constraint"], where=where, field="demand_constraint").to_numpy(),
        "invoeding_status": statuses(joined["generation_constraint"], where=where,
                                     field="generation_constraint").to_numpy(),
    }, geometry=gpd.GeoSeries(joined["geometry"].to_numpy(), crs=polygons.crs))
    for raw, name in IM_NUMBERS.items():
        col = f"area.{raw}"
        values = joined[col] if col in joined else pd.Series(np.nan, index=joined.index)
        out[name] = as_number(values.reset_index(drop=True), where=where, field=raw).to_numpy()
    if out.empty:
        raise IngestError("no postcode of the capaciteitskaart JSON has a PC6 polygon",
                          path=config.sources.netcapaciteit_postcodes.path, field="postcode",
                          expected=sorted(table["postcode"].dropna().unique())[:10],
                          found=sorted(polygons["postcode"].dropna().unique())[:10])
    tally.kept = len(out)
    return out


def _im_table(data, path) -> pd.DataFrame:
    """One row per postcode area of an im-capaciteitskaart document, with its energy area's numbers."""
    areas = data.get("energy_areas") if isinstance(data, dict) else None
    if not areas:
        raise IngestError("no energy_areas in the capaciteitskaart JSON", path=path, field="energy_areas",
                          expected="an im-capaciteitskaart document (energy_areas[].postcode_areas[])",
                          found=sorted(data)[:20] if isinstance(data, dict) else type(data).__name__)
    table = pd.json_normalize([a for a in areas if a.get("postcode_areas")], record_path="postcode_areas",
                              meta=["short_code", *IM_NUMBERS], meta_prefix="area.", errors="ignore")
    if table.empty:
        raise IngestError("the capaciteitskaart JSON has no postcode_areas, so it cannot be placed on a map",
                          path=path, field="energy_areas[].postcode_areas",
                          expected="energy areas with postcode_areas (DSO form)",
                          found=f"{len(areas)} energy area(s) without postcode areas")
    if unplaced := sum(1 for a in areas if not a.get("postcode_areas")):  # the others are placed: say so, once
        log.warning("netcapaciteit: %d of %d energy area(s) in %s have no postcode_areas and are left out (they "
                    "cannot be placed on the map)", unplaced, len(areas), Path(path).name)
    for col in ("postcode", "demand_constraint", "generation_constraint", "area.short_code"):
        if col not in table:
            table[col] = None
    table["postcode"] = _postcodes(table["postcode"])
    return table


def _postcode_polygons(config: Config, report: Report, path) -> gpd.GeoDataFrame:
    """The configured PC6 polygons, one (dissolved) row per postcode."""
    pc_source = config.sources.netcapaciteit_postcodes
    if pc_source is None:
        raise IngestError("an im-capaciteitskaart JSON has no geometry; configure sources.netcapaciteit_postcodes "
                          "(PC6 polygons with a 'postcode' field)", path=path,
                          expected="sources.netcapaciteit_postcodes", found="not configured")
    pcs = load(pc_source, "netcapaciteit_postcodes", "netcapaciteit", POSTCODE_SPECS, report, "Polygon",
               config=config)
    pcs.tally.keep(pcs.rows)
    polygons = gpd.GeoDataFrame({"postcode": _postcodes(pcs.col("postcode"))}, geometry=pcs.frame.geometry,
                                crs=pcs.frame.crs)
    polygons, merged = dissolve(polygons, "postcode")
    pcs.tally.merge(merged)
    return polygons
