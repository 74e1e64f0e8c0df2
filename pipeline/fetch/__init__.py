"""Stage `fetch`: download the real public sources into data/raw/<source>/, cached and resumable.

Settings read: `sources.<name>.url / kind / params / path / per_terrein / halo` (only sources with a `url` are
fetched), `region.bbox` (EPSG:28992), `fetch.*` (page size, attempts, back-off, timeout, buffer, requests at once)
and, for a per_terrein source's halo, `analyse.milieuruimte.richtafstanden_*` or `analyse.kades.tolerantie_m`.
Inputs: the public endpoints (ArcGIS FeatureServer, PDOK OGC API Features, capaciteitskaart).
Outputs: each source's `path` (GeoJSON FeatureCollection in EPSG:28992 with a `crs` member, or the
file as published for kind `file` / im-capaciteitskaart JSON) plus `<path>.manifest.json` (URL,
parameters, start/end time, sha256, feature count, peildatum where the response gives one).

Kinds:
- `arcgis`: FeatureServer layer query paged by resultOffset, within region.bbox when set (module `arcgis`).
- `ogcapi`: OGC API Features collection paged by next links, within the region bbox (`ogcapi`); with
  `per_terrein: true` within boxes around the terreinen instead, `fetch.gelijktijdig` boxes at a time (`perterrein`).
- `wfs`: WFS 2.0 GetFeature of one feature type (params.typeNames) as GeoJSON, within the region bbox (`wfs`).
- `capaciteitskaart`: afname + invoeding layers merged, or an im-capaciteitskaart JSON (`capaciteitskaart`).
- `file`: any file downloaded as-is (GeoPackage, zip, JSON), resumable with HTTP Range; with `per_terrein: true`
  a bulk GeoPackage downloaded to `bulk_pad` whose `layer` is cut to the boxes around the terreinen (`bulk`).
A rerun skips downloads that are complete with the same parameters, resumes interrupted ones page by
page, and refetches when the parameters changed. Sources without a `url` are user-supplied files:
they are only checked for presence.
"""
from __future__ import annotations

import logging
from pathlib import Path
from urllib.parse import urlsplit

from pipeline.crs import WORKING_CRS
from pipeline.fetch import arcgis, bulk, capaciteitskaart, download, ogcapi, perterrein, wfs
from pipeline.fetch.http import FetchError, Http, Unreachable
from pipeline.fetch.paging import Outcome, download_paged

log = logging.getLogger(__name__)

KINDS = ("arcgis", "ogcapi", "wfs", "capaciteitskaart", "file")


def region_bbox(config) -> tuple[float, float, float, float]:
    """Request extent: region.bbox, else the terreinen' extent; either grown by fetch.buffer_m.

    Why the buffer: gevoelige objecten and quays just outside the region still matter for the
    terreinen near its edge.
    """
    buffer = config.fetch.buffer_m
    if config.region.bbox is not None:
        xmin, ymin, xmax, ymax = config.region.bbox
    else:
        path = config.sources.terreinen.path
        if path is None or not Path(path).is_file():
            raise FetchError("region.bbox is not set and the terreinen file is not there yet to take its "
                             "extent from; set region.bbox (EPSG:28992) or fetch/supply sources.terreinen first")
        import geopandas as gpd
        frame = gpd.read_file(path, columns=[])
        if frame.crs is None:
            raise FetchError(f"{path}: no CRS; cannot derive the request extent from it")
        xmin, ymin, xmax, ymax = frame.to_crs(WORKING_CRS).total_bounds
    if not (xmin < xmax and ymin < ymax):
        raise FetchError(f"empty request extent {xmin, ymin, xmax, ymax}")
    return (float(xmin - buffer), float(ymin - buffer), float(xmax + buffer), float(ymax + buffer))


def fetch_source(name: str, source, config, http: Http, *, force: bool = False) -> Outcome:
    """Download one source according to its kind."""
    if source.path is None:
        raise FetchError(f"sources.{name}: has a url but no path to download into")
    kind = source.kind or _guess_kind(source.url)
    if kind not in KINDS:
        raise FetchError(f"sources.{name}.kind: expected one of {KINDS}, got {kind!r}")
    target = Path(source.path)
    page_size = source.pagina_grootte or config.fetch.pagina_grootte
    params = dict(source.params)
    # region.bbox when set: the extent of an ArcGIS query (IBIS by bbox + GEM_CODES) and of per_terrein boxes
    layer_bbox = region_bbox(config) if config.region.bbox is not None else None
    if source.per_terrein:
        if kind == "file" and source.bulk_pad is not None:
            return bulk.fetch(name, source, config, http, target=target, extent=layer_bbox, force=force)
        if kind != "ogcapi":
            raise FetchError(f"sources.{name}.per_terrein: works for OGC API Features collections and bulk files "
                             f"(kind file with bulk_pad and layer) only, not kind {kind!r}")
        return perterrein.fetch(name, source, config, http, target=target, page_size=page_size, extent=layer_bbox,
                                force=force)
    if kind in ("arcgis", "ogcapi", "wfs"):
        if kind == "arcgis":
            pager = arcgis.ArcGISPager(source.url, params, page_size, layer_bbox)
        elif kind == "ogcapi":
            pager = ogcapi.OgcApiPager(source.url, params, region_bbox(config), page_size)
        else:
            pager = wfs.WfsPager(source.url, params, region_bbox(config), page_size)
        return download_paged(source=name, target=target, url=source.url, kind=kind, request=pager.params,
                              streams={"main": pager}, http=http, force=force)
    if kind == "capaciteitskaart":
        return capaciteitskaart.fetch(source=name, target=target, url=source.url, params=params,
                                      page_size=page_size, http=http, force=force, bbox=layer_bbox)
    return download.fetch_file(source=name, target=target, url=source.url, params=params, http=http, kind="file",
                               force=force)


def _guess_kind(url: str) -> str:
    if arcgis.is_layer_url(url):
        return "arcgis"
    if "service=wfs" in url.lower() or "/wfs" in urlsplit(url).path.lower():
        return "wfs"
    if "/collections/" in url:
        return "ogcapi"
    return "file"


def run(config, *, force: bool = False, only: list[str] | None = None, http: Http | None = None) -> dict:
    """Fetch every source with a url (or those named in `only`); return a summary per source."""
    own_http = http is None
    http = http or Http.from_config(config.fetch)
    summary: dict = {}
    total_bytes = 0
    downloaded = skipped = 0
    failures: list[str] = []
    try:
        for name, source in config.sources:
            if source is None or (only and name not in only):
                continue
            if not source.url:
                if source.path is not None and not Path(source.path).exists():
                    log.warning("%s: user-supplied file %s is missing (no url to fetch it from)", name, source.path)
                    summary[name] = f"user-supplied, MISSING: {source.path}"
                elif source.path is not None:
                    summary[name] = "user-supplied (no url)"
                continue
            try:
                outcome = fetch_source(name, source, config, http, force=force)
            except Unreachable as exc:  # no network (or a wrong host): say so once, at once
                raise FetchError(f"source {name!r}: {exc}") from None
            except FetchError as exc:  # keep going: one broken service should not block the others
                log.error("%s: %s", name, exc)
                failures.append(f"{name}: {exc}")
                summary[name] = "FAILED (see log; rerun resumes)"
                continue
            total_bytes += outcome.bytes
            if outcome.status.startswith("skipped"):
                skipped += 1
            else:
                downloaded += 1
            count = "?" if outcome.features is None else f"{outcome.features:,}"
            summary[name] = f"{count} features, {outcome.bytes / 1e6:,.1f} MB ({outcome.status})"
    finally:
        if own_http:
            http.close()
    if failures:
        raise FetchError(f"fetch failed for {len(failures)} source(s):\n  " + "\n  ".join(failures))
    summary["downloaded"] = downloaded
    summary["skipped (complete)"] = skipped
    summary["bytes"] = total_bytes
    summary["requests"] = http.requests_made
    return summary
