"""Requests and wall time of the BAG download: region bbox (before), per_terrein boxes, and the bulk file. Run by hand:

    .venv/bin/python benchmarks/fetch_bench.py [--scale 0.05] [--latency 0.15] [--bron panden verblijfsobjecten]

Generates the demo region (`pipeline demo`, config/demo.yaml at --scale) into a temporary folder; its BAG panden and
verblijfsobjecten (current voorkomens) are served by tests/ogcapi_replay.py on 127.0.0.1 in the PDOK OGC API format
(cursor pages of at most 1,000, no numberMatched, as PDOK), each answer after --latency seconds. Then `pipeline
fetch` runs as config/noord-brabant.yaml would on that region:
- before: the region bbox (the demo region's extent, as region.bbox is the province's) + fetch.buffer_m;
- after: per_terrein, halo richtafstand, around the demo's IBIS terreinen, 1 and fetch.gelijktijdig boxes at once;
- bulk: the demo's bag-light.gpkg served as a static file (one answer after --latency seconds, then as fast as the
  loopback goes), downloaded once to bulk_pad and cut to the same boxes (kind file, per_terrein, bulk_pad).
Reports per run the requests the server answered, the features written and the wall time. Not a test: the
figures depend on the machine; docs/sources.md quotes one run.
"""
from __future__ import annotations

import argparse
import functools
import logging
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import geopandas as gpd
import numpy as np
import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

from ogcapi_replay import Replay, serving  # noqa: E402

from pipeline import fetch  # noqa: E402
from pipeline.config import Config  # noqa: E402

COLLECTIONS = {"panden": ("pand", "/kadaster/bag/ogc/v2/collections/pand"),
               "verblijfsobjecten": ("verblijfsobject", "/kadaster/bag/ogc/v2/collections/verblijfsobject")}


def make_demo(folder: Path, scale: float) -> dict:
    """config/demo.yaml with every path under `folder`, its region generated there; returns the config data."""
    data = yaml.safe_load((REPO / "config" / "demo.yaml").read_text(encoding="utf-8"))
    for source in data["sources"].values():
        source["path"] = str(folder / source["path"])
    data["paths"] = {name: str(folder / name) for name in ("raw", "processed", "maps")}
    data["demo"]["scale"] = scale
    path = folder / "demo.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    subprocess.run([sys.executable, "-m", "pipeline", "demo", "--config", str(path)], check=True,
                   stdout=subprocess.DEVNULL)
    return data


def pdok_features(path: str, layer: str) -> tuple[list[dict], np.ndarray]:
    """The layer's current voorkomens as PDOK GeoJSON features (uuid-like id, RD coordinates); and their bounds."""
    frame = gpd.read_file(path, layer=layer)
    for ended in ("eindRegistratie", "eindGeldigheid"):
        if ended in frame:
            frame = frame[frame[ended].isna()]
    current = frame.drop_duplicates("identificatie", keep="last").reset_index(drop=True)
    keep = [c for c in ("identificatie", "bouwjaar", "status", "gebruiksdoel", "oppervlakte") if c in current]
    props = current[keep].astype(object).where(current[keep].notna(), None).to_dict("records")
    geometry = current.geometry.__geo_interface__["features"]
    features = [{"id": f"00000000-0000-4000-8000-{i:012x}", "type": "Feature", "geometry": g["geometry"],
                 "properties": p} for i, (g, p) in enumerate(zip(geometry, props))]
    return features, current.total_bounds


@contextmanager
def serving_file(path: Path, latency_s: float):
    """`path`'s folder over HTTP on 127.0.0.1 (HEAD and GET), each answer after `latency_s`; yields the file's URL."""
    class Handler(SimpleHTTPRequestHandler):
        def send_head(self):
            time.sleep(latency_s)
            return super().send_head()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=str(path.parent)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/{path.name}"
    finally:
        server.shutdown()
        server.server_close()


def run_fetch(demo: dict, base: str, bron: str, out: Path, *, per_terrein: bool, gelijktijdig: int,
              region: tuple, bulk_url: str | None = None) -> dict:
    """One `pipeline fetch` of `bron` as the real config would do it (from the bulk file when `bulk_url` is given);
    returns requests, features and seconds."""
    required = ("terreinen", "panden", "verblijfsobjecten", "kades", "vaarwegen", "milieuzones", "netcapaciteit")
    sources = {name: {"path": str(out / "user" / f"{name}.gpkg")} for name in required}
    sources["terreinen"] = dict(demo["sources"]["terreinen"])
    spec = {"url": base + COLLECTIONS[bron][1], "kind": "ogcapi", "path": str(out / "raw" / f"{bron}.geojson")}
    if per_terrein:
        spec.update(per_terrein=True, halo="richtafstand")
    if bulk_url:
        spec.update(url=bulk_url, kind="file", bulk_pad=str(out / "raw" / "bag-light.gpkg"),
                    layer=demo["sources"][bron]["layer"], path=str(out / "raw" / f"{bron}-knip.gpkg"))
    sources[bron] = spec
    config = Config.model_validate({
        "naam": "fetch-bench", "region": {"bbox": list(region)}, "sources": sources,
        "paths": {name: str(out / name) for name in ("raw", "processed", "maps")},
        "fetch": {"pagina_grootte": 1000, "buffer_m": 1500, "gelijktijdig": gelijktijdig}})
    start = time.perf_counter()
    summary = fetch.run(config, only=[bron])
    seconds = time.perf_counter() - start
    return {"requests": summary["requests"], "summary": summary[bron], "seconds": seconds}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=0.05, help="demo scale (0.05 = config/demo.yaml, 1.0 = "
                                                                   "province size)")
    parser.add_argument("--latency", type=float, default=0.15, help="seconds before each answer")
    parser.add_argument("--bron", nargs="+", default=["panden"], choices=sorted(COLLECTIONS))
    parser.add_argument("--gelijktijdig", type=int, default=2, help="boxes at once in the parallel run")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    with tempfile.TemporaryDirectory(prefix="fetch-bench-") as tmp:
        folder = Path(tmp)
        demo = make_demo(folder, args.scale)
        bag = demo["sources"]["panden"]["path"]
        layers = {bron: pdok_features(bag, demo["sources"][bron]["layer"]) for bron in args.bron}
        bounds = np.vstack([b for _, b in layers.values()])
        region = (float(np.floor(bounds[:, 0].min())), float(np.floor(bounds[:, 1].min())),
                  float(np.ceil(bounds[:, 2].max())), float(np.ceil(bounds[:, 3].max())))
        replay = Replay({COLLECTIONS[b][0]: f for b, (f, _) in layers.items()}, latency_s=args.latency)
        rows = []
        with serving(replay) as base, serving_file(Path(bag), args.latency) as bulk_url:
            for bron in args.bron:
                runs = [("before: region bbox", False, 1, None), ("after: per_terrein", True, 1, None),
                        (f"after: per_terrein, {args.gelijktijdig} at once", True, args.gelijktijdig, None),
                        (f"bulk: {Path(bag).name} ({Path(bag).stat().st_size / 1e6:,.1f} MB), cut per_terrein",
                         True, 1, bulk_url)]
                for i, (label, per_terrein, workers, url) in enumerate(runs):
                    result = run_fetch(demo, base, bron, folder / f"{bron}-{i}", per_terrein=per_terrein,
                                       gelijktijdig=workers, region=region, bulk_url=url)
                    rows.append((bron, label, result))
        print(f"\ndemo scale {args.scale}, region {region}, latency {args.latency * 1000:.0f} ms per request, "
              f"pages of 1,000")
        for bron, (features, _) in layers.items():
            print(f"  {bron}: {len(features):,} served in the region")
        print("\n| source | run | requests | written | wall time (s) |\n|---|---|---:|---|---:|")
        for bron, label, r in rows:
            print(f"| {bron} | {label} | {r['requests']:,} | {r['summary'].split(' (')[0]} | {r['seconds']:.1f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
