"""Zoning plots, noise zones and Omgevingswet GIOs -> canonical `milieuzones`.

Reads: sources.milieuzones (bestemmingsvlakken, or a GIO GML), sources.geluidzones (optional).
The highest allowed milieucategorie is parsed from the plan text ("bedrijf tot en met categorie 4.2",
"bedrijf tot en met milieucategorie 3.1", "bedrijven van categorie 2 t/m 3.2" -> the highest number);
an old-style main category without a sub-category ("categorie 4") becomes its highest sub-category
(4.2), as IBIS does. A number that is no VNG category is refused. Both encodings are kept: plots with
a category, and pure zones (soort "geluidzone", GIO groups such as "geluidsaandachtsgebiedindustrie").
"""
from __future__ import annotations

import geopandas as gpd
import pandas as pd

from pipeline.categories import (IBIS_HOOFDCATEGORIE, MILIEUCATEGORIEEN, milieucategorie_from_rank,
                                 milieucategorie_rank)
from pipeline.config import Config, Source
from pipeline.ingest.base import load
from pipeline.ingest.fields import Spec, Where, as_number, as_text, fill_ids, reject
from pipeline.ingest.checks import filled
from pipeline.ingest.quality import Report

SPECS = [
    Spec("zone_id", ("identificatie", "id", "gml_id", "objectid")),
    Spec("soort", ("groep", "zonetype", "soort", "zonesoort")),
    Spec("naam", ("naam", "name")),
    Spec("functieaanduiding", ("functieaanduiding", "functie", "bestemmingsomschrijving", "omschrijving",
                               "label", "aanduiding")),
    Spec("max_bebouwingspercentage", ("maximum_bebouwingspercentage", "maximumbebouwingspercentage",
                                      "max_bebouwingspercentage", "bebouwingspercentage", "bouwpercentage")),
]
_CATEGORY_TEXT = r"categorie\s*((?:\d(?:\.\d)?\s*(?:,|en|t/m|tot en met|-|tot)?\s*)+)"


def categories_from_text(text: pd.Series, *, where: Where, field: str) -> pd.Series:
    """Highest VNG category named after 'categorie' in each text; null where none is named."""
    numbers = text.str.lower().str.extract(_CATEGORY_TEXT, expand=False).str.findall(r"\d(?:\.\d)?")
    flat = numbers.explode().dropna().astype("str")
    if flat.empty:
        return pd.Series(None, index=text.index, dtype="str")
    flat = flat.where(flat.str.contains(".", regex=False), flat.map(IBIS_HOOFDCATEGORIE).fillna(flat))
    bad = ~flat.isin(MILIEUCATEGORIEEN)
    if bad.any():
        texts = text.loc[flat[bad].index]
        bad_rows = reject(pd.Series(True, index=texts.index.unique()), texts.groupby(level=0).first(), where=where,
                          field=field, problem="text(s) name a milieucategorie that does not exist",
                          expected=MILIEUCATEGORIEEN)
        flat = flat[~flat.index.isin(bad_rows.index)]
        if flat.empty:
            return pd.Series(None, index=text.index, dtype="str")
    best = pd.Series(milieucategorie_rank(flat), index=flat.index).groupby(level=0).max()
    return milieucategorie_from_rank(best).set_axis(best.index).astype("str").reindex(text.index)


def _one(source: Source, name: str, default_soort: str, config: Config, report: Report) -> gpd.GeoDataFrame:
    src = load(source, name, "milieuzones", SPECS, report, "Polygon", config=config, default_layer=default_soort)
    frame, where = src.frame, src.where
    text = as_text(src.col("functieaanduiding"))
    naam = as_text(src.col("naam"))
    omschrijving = text.fillna(naam)
    field = src.found["functieaanduiding"] or src.found["naam"] or "functieaanduiding"
    pct = as_number(src.col("max_bebouwingspercentage"), where=where,
                    field=src.found["max_bebouwingspercentage"] or "maximum_bebouwingspercentage")
    pct = pct.where(~reject(pct.notna() & ~pct.between(0, 100), pct, where=where,
                            field=src.field("max_bebouwingspercentage"),
                            problem="bebouwingspercentage(s) outside 0..100", expected="0..100"))
    soort = as_text(src.col("soort")).str.lower().fillna(default_soort)
    ids = fill_ids(as_text(src.col("zone_id")), f"{name}-")
    out = gpd.GeoDataFrame({
        "zone_id": ids,
        "soort": soort,
        "max_milieucategorie": categories_from_text(omschrijving.fillna(""), where=where, field=field),
        "max_bebouwingspercentage": pct,
        "omschrijving": omschrijving,
    }, geometry=frame.geometry, crs=frame.crs)
    src.tally.keep(src.rows)
    if default_soort == "bestemmingsvlak":  # plots: their category is what milieuruimte reads
        filled(out["max_milieucategorie"], "max_milieucategorie", src)
    return out


def ingest(config: Config, report: Report) -> gpd.GeoDataFrame:
    parts = [_one(config.sources.milieuzones, "milieuzones", "bestemmingsvlak", config, report)]
    if config.sources.geluidzones is not None:
        parts.append(_one(config.sources.geluidzones, "geluidzones", "geluidzone", config, report))
    out = pd.concat(parts, ignore_index=True)
    dup = out["zone_id"].duplicated(keep=False)
    out.loc[dup, "zone_id"] = out.loc[dup, "soort"] + ":" + out.loc[dup, "zone_id"]
    return gpd.GeoDataFrame(out, geometry="geometry", crs=parts[0].crs)
