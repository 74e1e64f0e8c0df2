"""The resumable page loop shared by every paged source (ArcGIS, OGC API, capaciteitskaart).

A download is one or more *streams* (a capaciteitskaart has two: afname and invoeding), each a
sequence of pages produced by a pager from a small JSON-able state (an offset, a next URL). After
every page the part file is written first and the manifest second, so the manifest never points
past what is on disk; a rerun continues from the manifest's `next`. When every stream is done the
parts are merged into the target (temporary file + rename) and the manifest is marked complete.
Streams may run side by side (`workers`: the boxes of a per_terrein source); each writes its own part files and
the one manifest is changed and saved under a lock, so what is on disk stays a consistent resume point.
"""
from __future__ import annotations

import logging
import threading
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator, Protocol

from tqdm import tqdm

from pipeline.fetch import files
from pipeline.fetch.http import FetchError, Http
from pipeline.fetch.manifest import COMPLETE, IN_PROGRESS, Manifest
from pipeline.io import sha256_file

log = logging.getLogger(__name__)


@dataclass
class Page:
    """One response: its features, the state of the next page (None = last), and facts worth keeping."""
    features: list
    next: dict | None
    number_matched: int | None = None
    meta: dict = field(default_factory=dict)


class Pager(Protocol):
    def start(self) -> dict: ...

    def fetch(self, http: Http, state: dict) -> Page: ...


@dataclass
class Outcome:
    """What happened to one source, for the run summary."""
    source: str
    status: str                     # downloaded / resumed / skipped (complete, same parameters)
    path: Path
    features: int | None = None
    bytes: int = 0
    sha256: str | None = None
    peildatum: str | None = None
    requests: int = 0


Merge = Callable[[dict[str, Iterator[dict]]], Iterator[dict]]


def concatenate(streams: dict[str, Iterator[dict]]) -> Iterator[dict]:
    for features in streams.values():
        yield from features


def is_complete(target: Path, url: str, kind: str, request: dict, *, checksum: bool = True) -> Manifest | None:
    """The manifest of a finished download with these parameters whose file is intact, else None. checksum=False
    trusts the size (no sha256: that reads the whole file, gigabytes for a bulk file)."""
    manifest = Manifest.load(target)
    if manifest is None or manifest.status != COMPLETE or not manifest.matches(url, kind, request):
        return None
    if not target.is_file() or target.stat().st_size != manifest.data.get("bytes"):
        return None
    if checksum and sha256_file(target) != manifest.data.get("sha256"):
        log.warning("%s: file changed since it was downloaded; downloading again", target)
        return None
    return manifest


def skip_if_complete(source: str, target: Path, url: str, kind: str, request: dict) -> Outcome | None:
    """The "skipped" outcome when `is_complete` finds a finished download with these parameters, else None."""
    manifest = is_complete(target, url, kind, request)
    if manifest is None:
        return None
    log.info("%s: complete download with the same parameters exists (%s); skipped", source, target)
    return Outcome(source, "skipped", target, manifest.data.get("features"),
                   manifest.data.get("bytes", 0), manifest.data.get("sha256"), manifest.data.get("peildatum"))


def fresh_manifest(target: Path, *, source: str, url: str, kind: str, request: dict) -> Manifest:
    """A new in-progress manifest, saved, with any part files of an earlier attempt removed."""
    files.remove_parts(target)
    manifest = Manifest.new(target, source=source, url=url, kind=kind, request=request)
    manifest.save()
    return manifest


def received(stream: dict) -> int:
    """Features received so far in one stream of the manifest."""
    return sum(p["features"] for p in stream["pages"])


def start_or_resume(target: Path, *, source: str, url: str, kind: str, request: dict) -> tuple[Manifest, bool]:
    """The manifest to continue with: the interrupted one when its parameters match, else a fresh one."""
    manifest = Manifest.load(target)
    if (manifest is not None and manifest.status == IN_PROGRESS and manifest.matches(url, kind, request)
            and _parts_present(target, manifest)):
        done = sum(len(s["pages"]) for s in manifest.data["streams"].values())
        log.info("%s: resuming an interrupted download after %d page(s)", source, done)
        return manifest, done > 0
    if manifest is not None and manifest.status == IN_PROGRESS and not manifest.matches(url, kind, request):
        log.info("%s: parameters changed since the interrupted download; starting afresh", source)
    elif manifest is not None and manifest.status == COMPLETE:
        log.info("%s: parameters or file changed since the last download; downloading again", source)
    elif manifest is None and target.exists():
        log.warning("%s: %s exists without a download manifest; it will be replaced", source, target)
    return fresh_manifest(target, source=source, url=url, kind=kind, request=request), False


def run_streams(source: str, target: Path, manifest: Manifest, streams: dict[str, Pager], http: Http,
                workers: int) -> None:
    """Every stream to its end, `workers` at a time; the first failure stops the others after their page in flight."""
    lock, stop = threading.Lock(), threading.Event()
    states = manifest.data["streams"]
    with tqdm(total=expected_total(states), initial=sum(received(states[n]) for n in streams), desc=source,
              unit=" features", disable=None, leave=False) as bar:
        # a per_terrein source can have hundreds of boxes: their lines go to the log file only
        level = logging.INFO if len(streams) <= 3 else logging.DEBUG

        def one(name: str) -> None:
            label = source if len(streams) == 1 else f"{source}/{name}"
            fetch_stream(label, target, name, streams[name], manifest, http, lock=lock, stop=stop, bar=bar,
                         level=level)
        if workers <= 1 or len(streams) <= 1:
            for name in streams:
                one(name)
            return
        pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix=f"fetch-{source}")
        try:
            for future in as_completed([pool.submit(one, name) for name in streams]):
                future.result()
        except BaseException:
            stop.set()
            raise
        finally:
            pool.shutdown(wait=True, cancel_futures=True)


def fetch_stream(label: str, target: Path, name: str, pager: Pager, manifest: Manifest, http: Http, *,
                 lock: threading.Lock, stop: threading.Event, bar: tqdm, level: int = logging.INFO) -> None:
    """The pages of one stream, each written to its part file before the manifest records it."""
    state = manifest.data["streams"][name]
    while not state["done"] and not stop.is_set():
        page = pager.fetch(http, state["next"])
        path = files.part_path(target, name, len(state["pages"]) + 1)
        files.write_part(path, page.features, page.meta)
        with lock:  # the manifest is one file for every stream: change and save it one thread at a time
            state["pages"].append({"file": path.name, "features": len(page.features)})
            state["next"] = page.next
            state["done"] = page.next is None
            if page.number_matched is not None:
                state["number_matched"] = page.number_matched
                bar.total = expected_total(manifest.data["streams"])
            for key in ("peildatum", "server_time", "last_modified"):
                if page.meta.get(key) and not manifest.data.get(key):
                    manifest.data[key] = page.meta[key]
            manifest.save()
        bar.update(len(page.features))
    if state["done"]:
        log.log(level, "%s: %d feature(s) in %d page(s)", label, received(state), len(state["pages"]))


def expected_total(states: dict) -> int | None:
    """Features the server announced for all streams together; None while any stream's count is unknown."""
    counts = [s.get("number_matched") for s in states.values()]
    return None if not counts or None in counts else sum(counts)


def _parts_present(target: Path, manifest: Manifest) -> bool:
    folder = files.parts_dir(target)
    return all((folder / page["file"]).is_file()
               for stream in manifest.data["streams"].values() for page in stream["pages"])


def download_paged(*, source: str, target: Path, url: str, kind: str, request: dict,
                   streams: dict[str, Pager], http: Http, merge: Merge = concatenate,
                   force: bool = False, workers: int = 1,
                   prepare: Callable[[Manifest], None] | None = None) -> Outcome:
    """Fetch every page of every stream (resuming where a previous run stopped) and merge them.

    Up to `workers` streams run at once (their pages one after the other); `prepare` sees the manifest with every
    stream's progress before the first request (to size and announce the download).
    """
    if force:
        manifest, resumed = fresh_manifest(target, source=source, url=url, kind=kind, request=request), False
    else:
        if (done := skip_if_complete(source, target, url, kind, request)) is not None:
            return done
        manifest, resumed = start_or_resume(target, source=source, url=url, kind=kind, request=request)
    requests_before = http.requests_made
    for name, pager in streams.items():
        manifest.stream(name, pager.start())
    if prepare is not None:
        prepare(manifest)
    run_streams(source, target, manifest, streams, http, workers)

    folder = files.parts_dir(target)
    per_stream = {name: files.iter_parts(folder / p["file"] for p in manifest.data["streams"][name]["pages"])
                  for name in streams}
    try:
        count = files.write_feature_collection(target, merge(per_stream), name=source)
    except (OSError, ValueError, KeyError) as exc:
        raise FetchError(f"{source}: could not merge the downloaded pages into {target}: {exc}") from exc
    for name, stream in manifest.data["streams"].items():
        matched, got = stream.get("number_matched"), received(stream)
        if matched is not None and matched != got:
            log.warning("%s/%s: server reported %d matching features, received %d", source, name, matched, got)
    if (twice := sum(received(s) for s in manifest.data["streams"].values()) - count) > 0:
        log.info("%s: %d feature(s) came more than once (across box edges, or repeated ids); kept once", source, twice)
    size = target.stat().st_size
    digest = sha256_file(target)
    manifest.complete(features=count, bytes=size, sha256=digest)
    files.remove_parts(target)
    status = "resumed" if resumed else "downloaded"
    log.info("%s: %s %d feature(s) -> %s (%.1f MB)", source, status, count, target, size / 1e6)
    return Outcome(source, status, target, count, size, digest, manifest.data.get("peildatum"),
                   http.requests_made - requests_before)
