"""A per_terrein OGC API source: one stream of pages per box around the terreinen, a few boxes at a time.

Settings read: `sources.<name>.per_terrein / halo`, `sources.terreinen` (its file, fetched first), the analysis
settings the halo names, `fetch.gelijktijdig` (boxes at once), `fetch.tegel_m` (grid that cuts large boxes) and
the page size.
Output: the same single GeoJSON FeatureCollection as a region-bbox download (so ingest reads it unchanged), each
feature once even when it lies in two boxes (by its `id`), and the usual manifest; its request lists the boxes,
so other terreinen or another halo start the download afresh, as another bbox does.

Before the first request the expected size is printed (stdout, and the run's log file): the boxes and, when the
server reports `numberMatched` (asked with limit=1, once per box), the features and requests; PDOK usually does
not report it, then after one such request the line says the size is unknown.
"""
from __future__ import annotations

import hashlib
import json
import logging
import math
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from itertools import repeat
from pathlib import Path
from typing import Iterator

from pipeline.fetch import ogcapi
from pipeline.fetch.boxes import Box, around_terreinen
from pipeline.fetch.http import Http
from pipeline.fetch.manifest import Manifest
from pipeline.fetch.paging import Outcome, download_paged

log = logging.getLogger(__name__)


def fetch(name: str, source, config, http: Http, *, target: Path, page_size: int, extent: Box | None,
          force: bool = False) -> Outcome:
    """Download the source's features within the boxes around the terreinen into `target`."""
    halo, boxes = around_terreinen(source, config, extent)
    pagers = {f"box-{i:04d}": ogcapi.OgcApiPager(source.url, dict(source.params), box, page_size)
              for i, box in enumerate(boxes, 1)}
    request = {k: v for k, v in next(iter(pagers.values())).params.items() if k != "bbox"}
    request["boxes"] = [pager.params["bbox"] for pager in pagers.values()]
    workers = config.fetch.gelijktijdig
    prepare = partial(announce, source=name, pagers=pagers, http=http, halo=halo, workers=workers)
    return download_paged(source=name, target=target, url=source.url, kind="ogcapi", request=request,
                          streams=pagers, http=http, merge=once_by_id, force=force, workers=workers, prepare=prepare)


def announce(manifest: Manifest, *, source: str, pagers: dict, http: Http, halo: float, workers: int) -> str:
    """Size the download from the server's numberMatched per box (where unknown yet), record it, print one line."""
    states = manifest.data["streams"]
    unknown = [n for n in pagers if states[n]["number_matched"] is None and not states[n]["done"]]
    if unknown and (first := pagers[unknown[0]].number_matched(http)) is not None:
        states[unknown[0]]["number_matched"] = first
        with ThreadPoolExecutor(max_workers=workers) as pool:
            counts = pool.map(ogcapi.OgcApiPager.number_matched, [pagers[n] for n in unknown[1:]], repeat(http))
            for n, count in zip(unknown[1:], counts):
                states[n]["number_matched"] = count
        manifest.save()
    line = expectation(source, states, limit=int(next(iter(pagers.values())).params["limit"]), halo=halo,
                       workers=workers)
    print(line, flush=True)
    log.debug("%s", line)
    return line


def expectation(source: str, states: dict, *, limit: int, halo: float, workers: int) -> str:
    """"panden: 3 box(es) ...; expected 4,210 features in 6 request(s) ..." or the same saying it is unknown."""
    head = (f"{source}: {len(states)} box(es) around the terreinen (halo {halo:,.0f} m), "
            f"at most {workers} request(s) at a time")
    done = sum(len(s["pages"]) for s in states.values())
    on_disk = f"; {done:,} page(s) already on disk" if done else ""
    counts = [s["number_matched"] for s in states.values()]
    if None in counts:
        return f"{head}; the server does not report numberMatched: features and requests unknown{on_disk}"
    pages = sum(max(1, math.ceil(c / limit)) for c in counts)
    return (f"{head}; expected {sum(counts):,} features (a feature on the edge of two boxes counts twice) "
            f"in {pages:,} request(s) of up to {limit:,}{on_disk}")


def once_by_id(streams: dict[str, Iterator[dict]]) -> Iterator[dict]:
    """The features of every box in box order, each `id` once (a feature crossing a box edge comes twice)."""
    seen: set = set()
    for features in streams.values():
        for feature in features:
            key = feature.get("id")
            if key is None:  # no id: identical features are the same feature
                key = hashlib.sha1(json.dumps(feature, sort_keys=True).encode("utf-8")).digest()
            if key not in seen:
                seen.add(key)
                yield feature
