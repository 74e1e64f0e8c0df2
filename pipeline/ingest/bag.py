"""BAG (PDOK GeoPackage, OGC API, or a BAG 2.0 extract) -> canonical `panden` and `verblijfsobjecten`.

Reads: sources.panden, sources.verblijfsobjecten, analyse.milieuruimte.gevoelige_gebruiksdoelen,
ingest.bag_vervallen_statussen, ingest.bag_bouwjaar_onbekend.
A BAG 2.0 extract carries every voorkomen (version) of an object: only current ones are kept (no
eindGeldigheid, eindRegistratie or tijdstipInactief), and objects whose status says they no longer exist or
never did (gesloopt, niet gerealiseerd, ingetrokken, ten onrechte opgevoerd) are dropped; should two current
voorkomens remain, the latest counts. Otherwise one dwelling would count several times as gevoelig.
Identifiers are the 16-digit identificatie: a prefix such as `NL.IMBAG.Pand.` is removed, and a file that
stored them as numbers lost the leading zeros, which are put back. `bouwjaar` 9999 is BAG's "unknown" and
becomes empty. `gevoelig` is decided here, once, from the configured gebruiksdoelen (a verblijfsobject with
several gebruiksdoelen is gevoelig if any is). Every drop and change is counted in the quality report.
"""
from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from pipeline.config import Config
from pipeline.ingest.base import Loaded, load
from pipeline.ingest.checks import filled
from pipeline.ingest.fields import Spec, as_int, as_text
from pipeline.ingest.geometry import part_ids
from pipeline.ingest.quality import Report
from pipeline.ingest.stream import KeyedSpill, id_keys

HISTORY = [
    Spec("eind_geldigheid", ("eindGeldigheid", "eind_geldigheid", "einddatumTijdvakGeldigheid")),
    Spec("eind_registratie", ("eindRegistratie", "eind_registratie")),
    Spec("tijdstip_inactief", ("tijdstipInactief", "tijdstip_inactief")),
    Spec("voorkomen", ("voorkomenIdentificatie", "voorkomenidentificatie", "voorkomen_identificatie")),
    Spec("begin_geldigheid", ("beginGeldigheid", "begin_geldigheid")),
]
PAND_SPECS = [
    Spec("pand_id", ("identificatie", "pandidentificatie", "id", "gid"), required=True),
    Spec("bouwjaar", ("oorspronkelijkbouwjaar", "oorspronkelijk_bouwjaar", "bouwjaar")),
    Spec("status", ("pandstatus", "status")),
    *HISTORY,
]
VBO_SPECS = [
    Spec("vbo_id", ("identificatie", "verblijfsobjectidentificatie", "id", "gid"), required=True),
    Spec("gebruiksdoel", ("gebruiksdoelen", "gebruiksdoelverblijfsobject"), required=True),
    Spec("status", ("verblijfsobjectstatus", "status")),
    *HISTORY,
]


def bag_ids(values: pd.Series) -> tuple[pd.Series, int]:
    """16-digit text ids: a prefix (NL.IMBAG.Pand.) removed, zeros put back on digit-only ids shorter than 16.

    Returns the ids and how many had a prefix. (String kernels only, no regex: BAG has over a million rows.)
    """
    text = as_text(values)
    long = np.flatnonzero((text.str.len() > 16).fillna(False).to_numpy(dtype=bool))
    some = text.iloc[long]  # only these can carry a prefix (none do in PDOK's GeoPackage)
    tail = some.str.slice(-16)
    prefixed = (tail.str.isdigit() & ~some.str.slice(-17, -16).str.isdigit()).fillna(False).to_numpy(dtype=bool)
    if prefixed.any():
        text = text.copy()
        text.iloc[long[prefixed]] = tail[prefixed].to_numpy()
    short = ((text.str.len() < 16) & text.str.isdigit()).fillna(False).to_numpy(dtype=bool)
    return (text.where(~short, text.str.zfill(16)) if short.any() else text), int(prefixed.sum())


def _per_value(values: pd.Series, test) -> np.ndarray:
    """`test` (a Series -> bool Series function) applied to the distinct values only, spread over the rows."""
    codes, uniques = pd.factorize(values)
    result = np.asarray(test(pd.Series(uniques, dtype=object)).fillna(False), dtype=bool)
    return np.where(codes >= 0, result[np.maximum(codes, 0)] if len(result) else False, False)


def _few_texts(values: pd.Series) -> pd.Series:
    """as_text of a field with few distinct values (status), made on the distinct values only."""
    codes, uniques = pd.factorize(values)
    return pd.Series(as_text(pd.Series(uniques)).array.take(codes, allow_fill=True), index=values.index)


def _present(values: pd.Series) -> np.ndarray:
    """Rows where a field holds a value (dates: not NaT; text: not blank)."""
    present = np.array(values.notna(), dtype=bool)
    if pd.api.types.is_datetime64_any_dtype(values) or not present.any():
        return present
    present[present] = _per_value(values[present], lambda u: as_text(u).notna())  # blank text is no value
    return present


def _current(config: Config, id_spec: str, versions: KeyedSpill | None = None):
    """Select the current voorkomens of existing objects (counted): see the module docstring.

    With `versions` (a source read in batches) the candidates of every batch are collected there and the older of
    two current voorkomens are decided after the last batch (`older_rows`)."""
    gone = {s.strip().lower() for s in config.ingest.bag_vervallen_statussen}

    def select(src: Loaded) -> np.ndarray:
        ended = np.zeros(len(src.frame), dtype=bool)
        for name, label in (("eind_geldigheid", "eindGeldigheid"), ("eind_registratie", "eindRegistratie"),
                            ("tijdstip_inactief", "tijdstipInactief")):
            hit = _present(src.col(name)) & ~ended
            src.tally.drop(int(hit.sum()), f"niet-actueel voorkomen ({label} gevuld)", rows=src.rows[hit])
            ended |= hit
        status = _few_texts(src.col("status"))
        vervallen = _per_value(status, lambda u: u.str.strip().str.lower().isin(gone)) & ~ended
        for value in status[vervallen].unique():
            hit = vervallen & (status == value).to_numpy()
            src.tally.drop(int(hit.sum()), f"status '{value}' (bestaat niet (meer))", rows=src.rows[hit])
        keep = ~ended & ~vervallen
        cand = np.flatnonzero(keep)
        if src.found["voorkomen"] is None and src.found["begin_geldigheid"] is None:
            return keep  # no history in this file (PDOK GeoPackage, OGC API): nothing to choose between
        # the columns as they are (Arrow text), never as a Python string per row
        ids = bag_ids(src.col(id_spec).iloc[cand])[0].array
        v = _numbers(src.col("voorkomen"))[cand]
        b = as_text(src.col("begin_geldigheid")).iloc[cand].astype("str").array
        if versions is not None:  # to scratch files by id: a number per id, the dates as text
            keys = id_keys(pd.Series(ids))
            versions.append(pd.DataFrame({"id": keys, "v": v, "b": b, "rij": src.rows[cand]}), keys)
            return keep
        found = pd.DataFrame({"id": ids, "v": v, "b": b}, index=cand)
        older = _older(found)
        twice = np.zeros(len(keep), dtype=bool)
        twice[older[older].index.to_numpy()] = True
        src.tally.drop(int(twice.sum()), OLDER, rows=src.rows[twice])
        return keep & ~twice
    return select


OLDER = "ouder van twee actuele voorkomens (laatste behouden)"


def _numbers(values: pd.Series) -> np.ndarray:
    """Numbers of a field as floats (NaN where not a number); numeric columns as they are."""
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        return values.to_numpy(dtype=float, na_value=np.nan)
    return pd.to_numeric(as_text(values), errors="coerce").to_numpy(dtype=float)


def _older(versions: pd.DataFrame) -> pd.Series:
    """True for every voorkomen that is not the latest (voorkomen, then beginGeldigheid) of its id."""
    return versions.sort_values(["v", "b"], na_position="first").duplicated("id", keep="last")


def older_rows(versions: KeyedSpill, tally) -> np.ndarray:
    """After the last batch: the rows (numbers as read) that are the older of two current voorkomens (counted),
    one spill file at a time (all voorkomens of an id are in one file); only ids that occur more than once are
    sorted."""
    older = []
    for part in versions.parts():
        found = part[part["id"].duplicated(keep=False).to_numpy()].reset_index(drop=True)
        older.append(found.loc[_older(found).sort_index().to_numpy(bool), "rij"].to_numpy(np.int64))
    rows = np.sort(np.concatenate(older)) if older else np.zeros(0, dtype=np.int64)
    tally.drop(len(rows), OLDER, rows=rows)
    tally.kept -= len(rows)
    return rows


def _ids(src: Loaded, spec: str) -> pd.Series:
    ids, prefixed = bag_ids(src.col(spec))
    src.tally.repair(prefixed, "identificatie met voorvoegsel (NL.IMBAG...) teruggebracht tot 16 cijfers")
    return ids


def bouwjaren(values: pd.Series, unknown: list[int], *, src: Loaded) -> pd.Series:
    """Years as integers; BAG's 'unknown' sentinels (9999) become empty (counted)."""
    years = as_int(values, where=src.where, field=src.field("bouwjaar"))
    sentinel = years.isin(unknown).fillna(False).astype(bool)
    src.tally.repair(int(sentinel.sum()), f"bouwjaar {'/'.join(map(str, unknown))} (onbekend) leeg gemaakt")
    return years.where(~sentinel)


def ingest_panden(config: Config, report: Report) -> gpd.GeoDataFrame:
    src = load(config.sources.panden, "panden", "panden", PAND_SPECS, report, "Polygon", config=config,
               default_layer="pand", select=_current(config, "pand_id"))
    return panden(src, config)


def panden(src: Loaded, config: Config) -> gpd.GeoDataFrame:
    """The canonical panden of one source (or one batch of it)."""
    out = gpd.GeoDataFrame({
        "pand_id": _ids(src, "pand_id"),
        "bouwjaar": bouwjaren(src.col("bouwjaar"), config.ingest.bag_bouwjaar_onbekend, src=src),
        "status": _few_texts(src.col("status")),
    }, geometry=src.frame.geometry, crs=src.frame.crs)
    src.tally.keep(src.rows)
    return out


def gebruiksdoelen(raw: pd.Series) -> pd.Series:
    """Lower-case, comma-separated text; a list per row (a JSON array, a BAG extract) is joined the same way.
    Worked out per distinct value and spread over the rows."""
    present = raw.dropna()
    if len(present) and isinstance(present.iloc[0], (list, tuple, np.ndarray)):
        raw = raw.map(lambda v: ",".join(map(str, v)) if isinstance(v, (list, tuple, np.ndarray)) else v)
    codes, uniques = pd.factorize(raw)
    text = as_text(pd.Series(uniques, dtype=object)).str.lower().str.replace(r"\s*[,;|]\s*", ",", regex=True)
    values = text.to_numpy(dtype=object, na_value=None)
    out = np.where(codes >= 0, values[np.maximum(codes, 0)] if len(values) else None, None)
    return pd.Series(out, index=raw.index, dtype="str").where(codes >= 0)


def ingest_verblijfsobjecten(config: Config, report: Report) -> gpd.GeoDataFrame:
    src = load(config.sources.verblijfsobjecten, "verblijfsobjecten", "verblijfsobjecten", VBO_SPECS, report,
               "Point", config=config, default_layer="verblijfsobject", select=_current(config, "vbo_id"))
    out = verblijfsobjecten(src, config)
    filled(out["gebruiksdoel"], "gebruiksdoel", src)
    return out


def verblijfsobjecten(src: Loaded, config: Config) -> gpd.GeoDataFrame:
    """The canonical verblijfsobjecten of one source (or one batch of it); gevoelig from the distinct
    gebruiksdoelen (a handful of combinations, however many objects)."""
    doel = gebruiksdoelen(src.col("gebruiksdoel"))
    gevoelig_doelen = {d.strip().lower() for d in config.analyse.milieuruimte.gevoelige_gebruiksdoelen}
    gevoelig = _per_value(doel, lambda u: u.fillna("").map(lambda v: any(d in gevoelig_doelen
                                                                            for d in v.split(","))))
    out = gpd.GeoDataFrame({
        "vbo_id": part_ids(_ids(src, "vbo_id"), src.frame),
        "gebruiksdoel": doel,
        "gevoelig": gevoelig,
    }, geometry=src.frame.geometry, crs=src.frame.crs)
    src.tally.keep(src.rows)
    return out
