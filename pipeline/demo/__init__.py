"""Demo region generator: a synthetic, clearly fictitious Brabant-like region in the real sources' formats.

`run(config, force=False)` writes every raw file of docs/raw_formats.md to the paths in
`config.sources.*.path` plus `manifest.json` in their common folder, deterministic from
`config.demo.seed` and `config.demo.scale` (1.0 = province: ~650 terreinen, ~40,000 kavels,
~1.3M panden, ~1.1M dwellings; 0.05 = ~30 terreinen, ~1,750 kavels, ~40,000 panden, ~30,000 dwellings).
All geometry is EPSG:28992 around x 100000-200000, y 360000-420000 at scale 1 (smaller scales are a
cut-out around (150000, 390000)); RFC 7946 GeoJSONs are written in WGS84 without a crs member.
The real sources' quirks are written too, so `make all` exercises them (issue 15): BGT as GML 3.2 with most
port quays drawn as thin areas, one L-shaped round the basin head, and background quays as lines, areas,
arcs (CircularString) and curved areas (CurvePolygon) in turn (bgt.py); BAG with earlier voorkomens of ~5 %
of the objects, bouwjaar 9999 and ids with their NL.IMBAG prefix (bag.with_history); vestigingen as a
register's CSV (`;`, decimal comma, cp1252).

The region = a fixed hand-made scenario (scenario.py, identical for every seed and scale >= 0.02) in a
box of 11 x 6 km around (150000, 390000), plus random background terreinen (RIN_NUMMER >= 910001),
towns, waterways, rail, motorways and grid areas around it. Scenario cases (RIN_NUMMER, kavel ids
"K<rin>-<nnn>" numbered row by row from the south-west, rows of the grid in scenario.TERREINEN):

- 900001 "Demo-haven Oost" (WLOC_TYPE A, IBIS cat 5, 260 ha, GM1709): port on the class Vb river
  "Demo-Maas" (north bank) and the class Va "Demo-hoofdkanaal" (east bank), kademuur all along.
  River quays next to: water-bound 52.24, 46.71, 24.10, 20.14 (benut: K900001-001/002/003/008);
  46.90 and 62.01 (onbenut: K900001-004/005); vacant uitgeefbaar (vrij: K900001-006/007).
  Canal quays: 46.73 (benut, -009), 52.10 (onbenut, -017), vrij (-025). Zoning "bedrijf tot en met
  categorie 5.1" (columns 0-5) and "4.2" (columns 6-7); nearest dwelling > 1.3 km; HMC plots used by 46.90
  / 62.01 (62.01 plots are under-built, GSI 0.08 on 8 ha) and vacant HMC plots. Rail siding, A59
  aansluiting 300 m away: water + rail + road. Historic BGT version of the first river quay.
- 900002 "Demo-haven West" (B, cat 5): across the canal (70 m from 900001): damwand and kademuur on
  the river, a walbescherming stretch (must not count) in front of a vacant kavel, kademuur on the canal.
- 900003 "Demo-industriepark Noord" (B, cat 4): 220 m north of 900001 (cluster 900001-900003, ~560 ha,
  all within 500 m); zoning 4.2 / 5.1; many vacant HMC plots and low-category users (46.90, 62.01,
  47.91); rail siding; no water.
- 900004 "Demo-kanaalzone" (B, cat 3): on the class Va canal; quays (kademuur, damwand, a keermuur in
  kunstwerkdeel) next to non-water-bound companies (45.20, 49.41, 46.90: onbenut) and one vacant kavel
  (vrij); historic version of the damwand with bgt-type walbescherming.
- 900005 "Demo-binnenhaven" (B, cat 4): kademuur on the class Va basin "Demo-binnenhaven", which is
  reached only through the class II "Demo-zijkanaal" (reachable class II); 52.24 and 46.72 (benut), a
  vacant kavel (vrij), walbescherming and a steiger; an L-shaped kademuur (drawn as an area) round the
  basin head next to a 46.90 (onbenut).
- 900006 "Demo-stadsrand" (B, cat 4): zoning "bedrijf tot en met categorie 4.2" but a row of dwellings
  95 m away (planologisch niet waarmaakbaar); two bedrijfswoningen (woonfunctie on the terrein);
  under-built kavels (GSI 0.10 and 0.08 on 5 ha) next to well-built ones (0.55).
- 900007 "Demo-bedrijvenpark Centrum" (B, cat 3): drawn as 2 IBIS polygons in every year; inside the
  "gemengd gebied" of Demodorp's centre; a school (onderwijsfunctie) 150 m away.
- 900008 "Demo-logistiek A16" (B, cat 3, 60 ha): well-built (GSI 0.62), A16 and A59 ramps, no water,
  no HMC: large but not strategic (borderline on the score only).
- 900009 "Demo-spoorpark" (B, cat 4, zoning 4.2): rail siding + A27 ramp (2 modalities), dwellings
  400 m away (cat_afstand 4.2), vacant HMC plots: a borderline candidate; straddles two grid areas.
- 900010 "Demo-werkhoven" (cat 2): one exact duplicate IBIS row (2024), HA_TOTTUIT null in 2024, a
  bestemmingsvlak without functieaanduiding (IBIS fallback), a bedrijfswoning.
- 900011 "Demo-ambachtshof" (B1, cat 2): only years 2023-2024, HA_TOTTUIT null in 2024, no zoning.

Grid (capaciteitskaart): "NB-DEMO-101" red (afname 3) over 900001-900003, "NB-DEMO-102" orange
(afname 2) over 900006/900008, "NB-DEMO-103" green drawn as 2 polygons, voedingsgebied_id "0" over
900005/900007. Fairways: "Demo-Maas" Vb, "Demo-hoofdkanaal" Va, "Demo-binnenhaven" Va,
"Demo-zijkanaal" II, "Demo-vaart" IV, background "Demo-wetering NN" (I-Va); all split into ~2 km
vakken sharing end points. Every IBIS terrein has years 2021-2024 (a few only 2023-2024) with
different HA values per year; one background terrein is also drawn as 2 polygons.

Two peildata: `demo.peildatum` (config/demo-2022.yaml) builds the same region as it was in 2022 (peildatum.py:
a terrein that is gone since, 900006 larger, four HMC kavels still vacant), for `make vergelijk`.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import time
from pathlib import Path

import numpy as np
import shapely

from pipeline import progress, workspace
from pipeline.crs import WORKING_CRS
from pipeline.demo import bag, grid, infra, terreinen, towns, vestigingen, water, zoning
from pipeline.demo import peildatum as peildatum_mod
from pipeline.demo.geometry import line_pieces
from pipeline.demo.scenario import OX, OY, SCHOOL, SPECIAL_RINS
from pipeline.demo.sizes import count_for, extent_for
from pipeline.demo.writers import write_any
from pipeline.io import write_json

log = logging.getLogger(__name__)


def _generator_version() -> str:
    """Hash of the generator's own source: a changed generator never reuses an older demo region."""
    digest = hashlib.sha256()
    for path in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


GENERATOR_VERSION = _generator_version()
# source name -> default layer name inside a GeoPackage, and whether a GeoJSON is RFC 7946 (WGS84)
SOURCES = {
    "terreinen": ("IBIS_Bedrijventerreinen", True), "kavels": ("kavels", True),
    "panden": ("pand", True), "verblijfsobjecten": ("verblijfsobject", True),
    "kades": ("bgt_scheiding", True), "kunstwerkdelen": ("bgt_kunstwerkdeel", True),
    "vaarwegen": ("vaarwegvakken", True), "milieuzones": ("bestemmingsvlak", True),
    "geluidzones": ("geluidzone", True), "netcapaciteit": ("capaciteitskaart", False),
    "vestigingen": ("vestigingen", True), "spoor": ("spoor", True), "opritten": ("opritten", True),
    "omgevingstypen": ("omgevingstypen", True),
}


def generate(seed: int, scale: float, peildatum: int | None = None) -> dict:
    """All demo layers as GeoDataFrames in EPSG:28992, keyed by source name (see SOURCES); at an earlier
    peildatum the region as it was then (peildatum.py)."""
    ss = np.random.SeedSequence([int(seed), int(round(scale * 1e6))])
    r = [np.random.default_rng(s) for s in ss.spawn(12)]
    ext = extent_for(scale)
    n_woningen = count_for("woningen", scale)
    towns_df = towns.make_towns(r[0], count_for("kernen", scale, 1), n_woningen, ext)
    vaarwegen, water_area = water.build_vaarwegen(r[1], scale, ext)
    n_bg = max(0, count_for("terreinen", scale) - len(SPECIAL_RINS))
    background = terreinen.place_background(r[2], n_bg, ext, towns_df, water_area, vaarwegen)
    spoor, sidings = infra.build_spoor(r[3], scale, ext, background.geometry.values)
    opritten, roads = infra.build_opritten(r[4], scale, ext)
    ibis, terr, kavels = terreinen.build(r[5], background, towns_df, count_for("kavels", scale), vaarwegen, sidings)
    scheiding, kunstwerkdeel = water.build_bgt(r[6], vaarwegen, terr.geometry.values)
    # where no house may stand: terreinen, water, rail, motorways, the school (small pieces: fast queries)
    lines = np.concatenate([spoor.geometry.values, [g for _, g in roads]])
    exclusion = shapely.STRtree(np.concatenate([
        terr.geometry.values, shapely.buffer(line_pieces(vaarwegen.geometry.values, 500.0), 80.0),
        line_pieces(lines, 500.0), [shapely.buffer(shapely.Point(OX + SCHOOL[0], OY + SCHOOL[1]), 50.0)]]))
    pand, vbo = bag.build(r[7], kavels=kavels, terreinen=terr, towns=towns_df, ext=ext,
                          n_panden=count_for("panden", scale), n_woningen=n_woningen, exclusion=exclusion)
    pand, vbo = bag.with_history(r[11], pand, vbo)
    vest = vestigingen.build(r[8], kavels, dict(zip(terr["rin"], terr["cat"])))
    vlak, geluid = zoning.build_plannen(r[9], kavels, terr)
    omgeving = zoning.build_omgevingstypen(towns_df)
    net = grid.build(r[10], scale, ext)
    return peildatum_mod.apply({
        "terreinen": ibis, "kavels": kavels[["kavel_id", "uitgifte_status", "geometry"]].reset_index(drop=True),
        "panden": pand, "verblijfsobjecten": vbo, "kades": scheiding, "kunstwerkdelen": kunstwerkdeel,
        "vaarwegen": vaarwegen, "milieuzones": vlak, "geluidzones": geluid, "netcapaciteit": net,
        "vestigingen": vest, "spoor": spoor, "opritten": opritten, "omgevingstypen": omgeving,
    }, peildatum)


def _targets(config) -> dict[Path, dict[str, str]]:
    """Output file -> {layer name: source name}, from the configured source paths."""
    files: dict[Path, dict[str, str]] = {}
    for name, (default_layer, _) in SOURCES.items():
        source = getattr(config.sources, name, None)
        if source is None or source.path is None:
            continue
        files.setdefault(Path(source.path), {})[source.layer or default_layer] = name
    return files


def _demo_folder(files) -> Path:
    return Path(os.path.commonpath([str(p.parent) for p in files]))


def _summary(manifest: dict, folder: Path) -> dict:
    out = {"terreinen (RIN_NUMMER)": manifest["terreinen"]}
    out.update({f"records {k}": v for k, v in manifest["counts"].items()})
    out.update({"seed": str(manifest["seed"]), "schaal": manifest["scale"], "map": str(folder)})
    return out


def run(config, *, force: bool = False) -> dict:
    """Generate the demo sources (unless the manifest says they are up to date); return a summary.

    The manifest is removed before the first file is replaced and written after the last: a generation that is
    interrupted never leaves a manifest vouching for a mix of old and new files, and its temporary files are
    removed at the next run."""
    if config.demo is None:
        raise ValueError("demo: this configuration has no 'demo' section (seed, scale)")
    seed, scale, peildatum = int(config.demo.seed), float(config.demo.scale), config.demo.peildatum
    files = _targets(config)
    folder = _demo_folder(files)
    manifest_path = folder / "manifest.json"
    rel = sorted(os.path.relpath(p, folder) for p in files)
    for line in workspace.remove_temporaries(folder) if folder.is_dir() else []:
        log.info("demo: %s", line)
    if manifest_path.is_file() and not force:
        try:
            old = json.loads(manifest_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            old = {}
        if (old.get("seed") == seed and old.get("scale") == scale and old.get("version") == GENERATOR_VERSION
                and old.get("peildatum") == peildatum
                and sorted(old.get("files", {})) == rel and all((folder / f).is_file() for f in rel)):
            log.info("demo: %s is up to date (seed %s, scale %s); use --force to regenerate", folder, seed, scale)
            return _summary(old, folder)

    started = time.perf_counter()
    log.info("demo: generating seed %s scale %s into %s", seed, scale, folder)
    layers = generate(seed, scale, peildatum)
    generated = time.perf_counter() - started
    manifest_path.unlink(missing_ok=True)
    for path, members in progress.bar(files.items(), desc="demo: bronbestanden", unit=" bestand"):
        write_any(path, {layer: layers[name] for layer, name in members.items()},
                  rfc7946=all(SOURCES[name][1] for name in members.values()))
        log.debug("demo: wrote %s", path)
    manifest = {
        "generator": "pipeline.demo", "version": GENERATOR_VERSION, "seed": seed, "scale": scale,
        "peildatum": peildatum,
        "crs": WORKING_CRS, "extent": [round(v, 1) for v in extent_for(scale)],
        "scenario_rin_nummers": SPECIAL_RINS,
        "terreinen": int(layers["terreinen"]["RIN_NUMMER"].nunique()),
        "counts": {name: int(len(gdf)) for name, gdf in layers.items()},
        "files": {f: (folder / f).stat().st_size for f in rel},
    }
    write_json(manifest, manifest_path)  # no run times in it: the same seed gives the same bytes
    log.info("demo: generated in %.1f s, written in %.1f s", generated, time.perf_counter() - started - generated)
    return _summary(manifest, folder)
