"""Netbeheer Nederland capaciteitskaart: two feature layers merged, or an im-capaciteitskaart JSON file.

The public capaciteitskaart is published as ArcGIS views of one underlying layer; the afname view
already carries both statuses (`afname`, `opwek` 0..3) and both queues, so it is all ingest needs and the
configuration fetches only it (with pages of 100: larger pages time out). Should a separate invoeding
(teruglevering) view be given (`params.invoeding_url`), the afname features are kept with their geometry
and the invoeding-related fields (names containing opwek / invoeding / teruglevering) are taken from the
invoeding feature with the same key: `koppelveld`, by default the layer's object-id field (from its
description). `voedingsgebied_id` is no row key (one supply area is drawn as several polygons), so a key
that repeats in the invoeding layer is refused rather than matched arbitrarily.

Alternatively the grid operators' im-capaciteitskaart JSON (`energy_areas[].postcode_areas[]`,
no geometry) is downloaded as-is; its `issued` / `updated` dates give the peildatum.
"""
from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Iterator

from pipeline.fetch import arcgis
from pipeline.fetch.download import fetch_file
from pipeline.fetch.http import FetchError, Http
from pipeline.fetch.paging import Outcome, download_paged

log = logging.getLogger(__name__)

# params keys that steer this module and are not sent to the server
OWN_KEYS = ("invoeding_url", "koppelveld")
INVOEDING_HINTS = ("opwek", "invoeding", "teruglevering")


def is_invoeding_field(name: str) -> bool:
    return any(hint in name.lower() for hint in INVOEDING_HINTS)


def merge_layers(afname: Iterator[dict], invoeding: Iterator[dict], key: str) -> Iterator[dict]:
    """Afname features with the invoeding fields of their partner (same `key` value) laid over them."""
    partners: dict = {}
    unkeyed: list = []
    repeated = 0
    for feature in invoeding:
        value = (feature.get("properties") or {}).get(key, feature.get("id") if key.lower() == "id" else None)
        if value is None:
            unkeyed.append(feature)
        elif value in partners:
            repeated += 1
        else:
            partners[value] = feature
    if repeated:
        raise FetchError(f"capaciteitskaart: koppelveld {key!r} repeats {repeated} time(s) in the invoeding layer, "
                         "so it is not a row key (voedingsgebied_id never is); use the layer's object-id field")
    used = set()
    matched = 0
    for feature in afname:
        props = dict(feature.get("properties") or {})
        value = props.get(key)
        partner = partners.get(value) if value is not None else None
        if partner is not None:
            used.add(value)
            matched += 1
            for name, v in (partner.get("properties") or {}).items():
                if is_invoeding_field(name) or props.get(name) is None:
                    props[name] = v
        yield {**feature, "properties": props}
    rest = [f for k, f in partners.items() if k not in used] + unkeyed
    if partners or unkeyed:
        log.info("capaciteitskaart: %d afname feature(s) matched an invoeding feature on %s; "
                 "%d invoeding feature(s) without partner appended", matched, key, len(rest))
    yield from rest


def fetch_feature_layers(*, source: str, target: Path, url: str, params: dict, page_size: int,
                         http: Http, force: bool = False, bbox: tuple | None = None) -> Outcome:
    """The afname layer (and an invoeding layer when given) as streams of one resumable download."""
    server_params = {k: v for k, v in params.items() if k not in OWN_KEYS}
    key = params.get("koppelveld")
    streams = {"afname": arcgis.ArcGISPager(url, server_params, page_size, bbox)}
    invoeding_url = params.get("invoeding_url")
    if invoeding_url:
        streams["invoeding"] = arcgis.ArcGISPager(str(invoeding_url), server_params, page_size, bbox)
    request = {"afname": streams["afname"].params, "koppelveld": key,
               "invoeding_url": str(invoeding_url) if invoeding_url else None}

    def merge(per_stream):
        if "invoeding" not in per_stream:
            return per_stream["afname"]
        field = str(key) if key else streams["afname"].describe(http)["order"]
        return merge_layers(per_stream["afname"], per_stream["invoeding"], field)

    return download_paged(source=source, target=target, url=url, kind="capaciteitskaart", request=request,
                          streams=streams, http=http, merge=merge, force=force)


def validate_im_json(content: bytes) -> dict:
    """Parse an im-capaciteitskaart document; ValueError when cut off or not of that form."""
    data = json.loads(content)
    if not isinstance(data, dict) or not isinstance(data.get("energy_areas"), list):
        raise ValueError("not an im-capaciteitskaart document (no energy_areas list)")
    return data


def peildatum_of(data: dict) -> str | None:
    """The latest `updated[].date`, else `issued` (dates as ISO strings sort chronologically)."""
    dates = [u.get("date") for u in data.get("updated") or [] if isinstance(u, dict) and u.get("date")]
    return max(dates) if dates else data.get("issued")


def fetch_im_json(*, source: str, target: Path, url: str, params: dict, http: Http,
                  force: bool = False) -> Outcome:
    def describe(content: bytes) -> dict:
        data = validate_im_json(content)
        areas = data["energy_areas"]
        return {"features": len(areas),
                "postcode_areas": sum(len(a.get("postcode_areas") or []) for a in areas if isinstance(a, dict)),
                "peildatum": peildatum_of(data)}

    return fetch_file(source=source, target=target, url=url, params=params, http=http,
                      kind="capaciteitskaart", force=force,
                      validate=validate_im_json, describe=describe)


def fetch(*, source: str, target: Path, url: str, params: dict, page_size: int, http: Http,
          force: bool = False, bbox: tuple | None = None) -> Outcome:
    """Feature-layer form when the URL is an ArcGIS layer, else the im-capaciteitskaart JSON as-is."""
    if arcgis.is_layer_url(url) or url.rstrip("/").lower().endswith("/query"):
        return fetch_feature_layers(source=source, target=target, url=url, params=params,
                                    page_size=page_size, http=http, force=force, bbox=bbox)
    return fetch_im_json(source=source, target=target, url=url,
                         params={k: v for k, v in params.items() if k not in OWN_KEYS}, http=http, force=force)
