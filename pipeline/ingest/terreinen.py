"""IBIS bedrijventerreinen -> canonical `terreinen` (one MultiPolygon per RIN_NUMMER, latest year).

Reads: sources.terreinen; region.gemeente_codes and region.gemeente_tabel (optional filter: a terrein
counts when any of its GEM_CODES is listed, as a terrein can span gemeenten and provinces).
Handles what IBIS exports contain: the public (HA_BRUTO, GEM_CODES, WLOC_TYPE), editor
(GEM_CODE_CBS, UITGEEFBAAR_*_OPP, WERKLOCATIE_TYPE_CODE) and legacy shapefile names (RINNUMMER,
BEDRIJVENT, KERN, OPPBRUTO in m² as text); the typo MAX_MILEUCATEGORIE_CODE; one record per terrein
per year (latest JAAR, or PEILDATUM year, wins); a terrein drawn as several polygons (dissolved);
exact duplicate rows; areas stored in m² where ha is expected (detected per area field against the polygon
area). An unreadable value in an optional field (a legacy JAAR such as 'v1900') becomes empty and is counted;
`sources.terreinen.negeer_velden` can drop a junk column altogether.
"""
from __future__ import annotations

import logging

import geopandas as gpd
import pandas as pd

from pipeline.config import Config
from pipeline.categories import IBIS_HOOFDCATEGORIE
from pipeline.ingest import geometry, historie
from pipeline.ingest.base import Loaded, load
from pipeline.ingest.errors import IngestError
from pipeline.ingest.fields import (Spec, Where, as_bool, as_int, as_number, as_text, as_year, check_vocabulary,
                                    reject)
from pipeline.ingest.quality import Report

log = logging.getLogger(__name__)

SPECS = [
    Spec("rin_nummer", ("RIN_NUMMER", "RINNUMMER", "RIN", "RIN_NR"), required=True),
    Spec("jaar", ("JAAR", "PEILJAAR")),
    Spec("peildatum", ("PEILDATUM", "PEIL_DATUM")),
    Spec("naam", ("PLAN_NAAM", "BEDRIJVENT", "BEDRIJVENTERREIN", "NAAM", "PLANNAAM")),
    Spec("kern", ("KERN_NAAM", "KERN", "KERNNAAM")),
    Spec("gemeente_code", ("GEM_CODES", "GEM_CODE_CBS", "GEM_CODE", "GEMEENTECODE", "GM_CODE", "STATCODE")),
    Spec("provincie", ("PROV_NAMEN", "PROV_NAAM", "PROVINCIE", "PROV_NAME")),
    Spec("ha_bruto", ("HA_BRUTO", "BRUTO_HA", "OPP_BRUTO_HA")),
    Spec("m2_bruto", ("OPPBRUTO", "OPP_BRUTO", "BRUTO_OPP")),
    Spec("ha_netto", ("HA_NETTO", "AFGESPR_NETTO_OPP", "NETTO_HA", "OPP_NETTO_HA")),
    Spec("m2_netto", ("OPPNETTO", "OPP_NETTO", "NETTO_OPP")),
    Spec("ha_uitgeefbaar", ("HA_TOTTUIT", "HA_UITGEEFBAAR", "UITGEEFBAAR_HA")),
    Spec("uitgeefbaar_overheid", ("UITGEEFBAAR_OVERH_OPP",)),
    Spec("uitgeefbaar_particulier", ("UITGEEFBAAR_PART_OPP",)),
    Spec("uitgegeven", ("UITGEGEVEN_OPP", "HA_UITGEGEVEN")),
    Spec("wloc_type", ("WLOC_TYPE", "WERKLOCATIE_TYPE_CODE", "WERKLOCATIE_TYPE", "TYPE")),
    Spec("max_milieucategorie", ("MAX_MILIEUCATEGORIE_CODE", "MAX_MILEUCATEGORIE_CODE", "MAX_MILIEUCATEGORIE",
                                 "MAX_MILIEUCAT", "MILIEUCATEGORIE", "MAX_MILIEUC")),
    Spec("water_ontsluiting", ("WATER_ONTSLUITING_CODE", "WATER_ONTSLUITING", "WATER_ONTS", "WATERONTSLUITING")),
    Spec("spoor_ontsluiting", ("SPOOR_ONTSLUITING_CODE", "SPOOR_ONTSLUITING", "SPOOR_ONTS", "SPOORONTSLUITING")),
]
IBIS_CATEGORIES = list(IBIS_HOOFDCATEGORIE)  # main categories "1".."6"
M2_RATIO = {"ha_bruto": (2_000, 50_000),   # value / polygon ha in this range: the value is m², not ha
            "ha_netto": (50, 50_000),       # netto and uitgeefbaar are parts of the contour: in ha they can
            "ha_uitgeefbaar": (50, 50_000)}  # never be 50 x its area, in m² they are up to 10,000 x


def ingest(config: Config, report: Report, history: dict | None = None) -> gpd.GeoDataFrame:
    """The latest record per RIN_NUMMER; with `history` (a dict) its entry terreinen_historie receives every year
    of those terreinen (pipeline/ingest/historie.py)."""
    src = load(config.sources.terreinen, "terreinen", "terreinen", SPECS, report, "Polygon", config=config,
               default_layer="IBIS_Bedrijventerreinen")
    frame, where, tally = src.frame, src.where, src.tally

    out = gpd.GeoDataFrame({"rin_nummer": as_text(src.col("rin_nummer"))}, geometry=frame.geometry, crs=frame.crs)
    jaar = as_int(src.col("jaar"), where=where, field=src.found["jaar"] or "JAAR")
    if src.found["peildatum"]:
        jaar = jaar.fillna(as_year(src.col("peildatum"), where=where, field=src.found["peildatum"]))
    out["jaar"] = jaar
    for name in ("naam", "kern", "provincie", "wloc_type"):
        out[name] = as_text(src.col(name))
    out["wloc_type"] = out["wloc_type"].str.upper()
    out["gemeente_code"] = gemeente_codes(src.col("gemeente_code"), where=where, field=src.found["gemeente_code"])
    out["_codes"] = as_text(src.col("gemeente_code"))
    out["max_milieucategorie"] = ibis_category(src.col("max_milieucategorie"), where=where,
                                               field=src.found["max_milieucategorie"])
    for name in ("water_ontsluiting", "spoor_ontsluiting"):
        out[name] = as_bool(src.col(name), where=where, field=src.found[name] or name)
    _areas(out, src)

    no_rin = out["rin_nummer"].isna()
    tally.drop(int(no_rin.sum()), "geen RIN_NUMMER", loss=True)
    out = out.loc[~no_rin]
    records = out
    latest = out.groupby("rin_nummer")["jaar"].transform("max")
    historic = (out["jaar"] < latest).fillna(False).astype(bool)
    undated = (out["jaar"].isna() & latest.notna()).astype(bool)  # an undated record of a dated terrein
    tally.drop(int(historic.sum()), "ouder jaar (historisch record; laatste JAAR per RIN_NUMMER behouden)")
    tally.drop(int(undated.sum()), "geen JAAR terwijl hetzelfde RIN_NUMMER gedateerde records heeft")
    out = geometry.drop_exact_duplicates(out.loc[~(historic | undated).to_numpy()], tally)
    out, merged = geometry.dissolve(out, "rin_nummer")
    tally.merge(merged)
    out = _in_region(out, config, tally)
    if out.empty:
        raise IngestError("no terreinen left after filtering", path=where.path, layer=where.layer,
                          expected="at least one terrein", found=tally.reason() or "none")
    tally.kept = len(out)
    if out["jaar"].notna().any():
        src.provenance["peildatum"] = str(int(out["jaar"].max()))
        src.provenance["jaren"] = sorted(int(j) for j in out["jaar"].dropna().unique())
    if history is not None:
        history[historie.NAME] = historie.table(records, out["rin_nummer"], report, where.path)
    return out.drop(columns="_codes").sort_values("rin_nummer", kind="stable").reset_index(drop=True)


def region_codes(config: Config) -> set[str]:
    """The gemeenten of region.gemeente_codes and region.gemeente_tabel (empty = no restriction)."""
    listed = list(config.region.gemeente_codes)
    table = config.region.gemeente_tabel
    if table is not None:
        if not table.is_file():
            raise IngestError("region.gemeente_tabel does not exist", path=table, expected="a CSV file")
        codes = pd.read_csv(table, dtype=str)
        if "gemeente_code" not in codes:
            raise IngestError("region.gemeente_tabel has no gemeente_code column", path=table,
                              field="gemeente_code", expected="gemeente_code", found=list(codes.columns))
        listed += codes["gemeente_code"].dropna().tolist()
    return set(gemeente_codes(pd.Series(listed, dtype=object), where=Where(None, None),
                              field="region.gemeente_codes").dropna())


def _in_region(out: gpd.GeoDataFrame, config: Config, tally) -> gpd.GeoDataFrame:
    """Terreinen with at least one of their GEM_CODES in the region (when the region lists gemeenten); their
    gemeente_code becomes the first of their codes inside the region (reports count them there)."""
    wanted = region_codes(config)
    if not wanted:
        return out
    codes = "GM" + out["_codes"].str.upper().str.findall(r"(?:GM)?(\d{1,4})").explode().str.zfill(4)
    hit = codes[codes.isin(wanted)]
    first = hit.groupby(level=0).first()
    inside = out.index.isin(first.index)
    tally.drop(int((~inside).sum()), f"buiten de regio ({len(wanted)} gemeenten)")
    out = out.loc[inside].copy()
    out["gemeente_code"] = first.reindex(out.index).to_numpy()
    return out


def _areas(out: gpd.GeoDataFrame, src: Loaded) -> None:
    """ha_bruto/netto/uitgeefbaar in ha: m² fields divided, m² values in ha fields detected per row."""
    tally = src.tally

    def number(name):
        return as_number(src.col(name), where=src.where, field=src.found[name] or name)

    for kind in ("bruto", "netto"):
        ha, m2 = number(f"ha_{kind}"), number(f"m2_{kind}")
        use_m2 = ha.isna() & m2.notna()
        tally.repair(int(use_m2.sum()), f"{src.found[f'm2_{kind}']} in m² omgerekend naar ha")
        out[f"ha_{kind}"] = ha.where(~use_m2, m2 / 10_000)
    uit = number("ha_uitgeefbaar")
    parts = pd.concat([number("uitgeefbaar_overheid"), number("uitgeefbaar_particulier")], axis=1)
    uit = uit.fillna(parts.sum(axis=1, min_count=1))
    uit = uit.fillna((out["ha_netto"] - number("uitgegeven")).clip(lower=0))
    out["ha_uitgeefbaar"] = uit

    polygon_ha = out.geometry.area / 10_000
    for name, (low, high) in M2_RATIO.items():
        in_m2 = (out[name] / polygon_ha.where(polygon_ha > 0)).between(low, high)
        if in_m2.any():
            out[name] = out[name].where(~in_m2, out[name] / 10_000)
            field = src.field(name)
            tally.repair(int(in_m2.sum()), f"{field}: oppervlakte in m² i.p.v. ha (t.o.v. de polygoon), omgerekend")
            log.warning("terreinen: %d record(s) had %s in m² instead of ha; converted", int(in_m2.sum()), field)


def gemeente_codes(values: pd.Series, *, where: Where, field: str | None) -> pd.Series:
    """'GM0855', '855', 855, 'gm855', 'GM0855,GM0856' (first kept) -> 'GM0855'; GM0000 -> null."""
    text = as_text(values).str.upper().str.extract(r"^\s*([^,;/ ]+)", expand=False)
    digits = text.str.extract(r"^(?:GM)?(\d{1,4})$", expand=False)
    reject(text.notna() & digits.isna(), text, where=where, field=field, problem="value(s) are not CBS gemeentecodes",
           expected="GM#### or a number")
    code = "GM" + digits.str.zfill(4)
    return code.where(code != "GM0000")


def ibis_category(values: pd.Series, *, where: Where, field: str | None) -> pd.Series:
    """IBIS main milieucategorie 1..6 as text; 0/empty = unknown (null); anything else is refused."""
    text = as_text(values).str.replace(r"\.0+$", "", regex=True)
    text = text.where(text != "0")
    return check_vocabulary(text, IBIS_CATEGORIES, where=where, field=field or "MAX_MILIEUCATEGORIE_CODE")
