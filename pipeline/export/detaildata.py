"""Data of the detail page of each terrein (one page per terrein with kavels): the evidence behind its numbers.

Settings: export.kaart_vereenvoudiging_m (kavels and the rest at most 1 m), export.kaart_decimalen.
Per page, one GeoJSON FeatureCollection per layer, in EPSG:4326 and written by columns (kaartdata.features
by_column; detail.js unpacks them); the catalogue's labels, units and decimals per column (`kolommen`), the popup
sections per layer (`secties`, the catalogue's groep) and the legends are the same on every page and written once
(`shared_data`, maps/assets/detail-gedeeld.js):
- `terrein`: the terrein with every indicator (the side panel shows them all, with its ranks and type);
- `kavels`: every kavel column; the page colours them by GSI, mogelijke milieucategorie, vacant or in use,
  HMC-ruimte and its use, or the grid status with the largest share;
- `panden` (BAG, with their use, export/context.py) touching the terrein; `vestigingen` from the register with
  their class; `gevoelig`: the gevoelige objecten that set a kavel's distance plus the bedrijfswoningen on the
  terrein, and `afstanden`: per kavel the line from the kavel to that object with the distance the analysis used;
- `contouren` (milieuruimte), `zonering` (bestemmingsvlakken with their category, geluidzones; clipped to the
  terrein's surroundings), `kades` (status and reachable class), `netcapaciteit` (clipped the same way),
  `vaarwegen` nearby and `basis` (gemeente and provincie borders with names, within BASIS_M) for context.
Layers without features on a terrein are left out (the page offers only what exists).
"""
from __future__ import annotations

import multiprocessing
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from pipeline import catalogue, io, memory
from pipeline.catalogue.results import CRITERION_LABELS
from pipeline.config import CRITERIA
from pipeline.export.common import (CONTOUR_KLEUREN, KADE_KLEUREN, KAVEL_GSI_KLASSEN, NET_KLEUREN, VAARWEG_KLASSEN,
                                    VLAG_KLEUREN, Inputs, grown, with_gebruik)
from pipeline.export.context import Gebruiksdoelen, bases
from pipeline.export.kaartdata import ACHTERGROND, TERREINEN, column_meta, detail_slug, features, popup_sections
from pipeline.hilbert import spatial_order
from pipeline.threads import in_threads

PANDEN_MARGE_M = 25.0      # panden touching the terrein (and its edge)
OMGEVING_M = 250.0         # zoning and grid areas: clipped to the terrein's envelope plus this
CONTEXT_M = 2000.0         # fairways: within this of the terrein
BASIS_M = 10_000.0         # borders and names: the terrein's envelope grown by this
PAGINA_BLOK = 100          # pages built at a time
# colours of the classes only the detail pages draw (the QML styles use the same)
REGISTER_KLEUREN = {"HMC-kavel, geen HMC nodig": "#d7191c", "kadekavel, niet watergebonden": "#2b83ba",
                    "lage categorie op bedrijventerrein": "#fdae61", "onbekend (SBI niet in tabel)": "#8c8c8c",
                    "passend": "#1a9641"}
PAND_KLEUREN = {"wonen": "#f4a582", "wonen en werken": "#d6604d", "industrie": "#8073ac", "kantoor": "#4393c3",
                "winkel": "#fdb863", "maatschappelijk en overig": "#5aae61", "geen verblijfsobject": "#cfcfcf"}
HMC_KLASSEN = [["benut", "HMC-ruimte, benut door HMC", "#1a9641"],
               ["niet_hmc", "HMC-ruimte, bezet door niet-HMC", "#d7191c"],
               ["vacant", "HMC-ruimte, vacant", "#2b83ba"],
               ["onbekend", "HMC-ruimte, gebruik onbekend", "#8c8c8c"],
               ["geen", "geen HMC-ruimte", "#f0f0f0"]]
GEBRUIK_KLASSEN = [["vacant", "vacant", "#2b83ba"], ["in gebruik", "in gebruik", "#fdae61"],
                   ["onbekend", "onbekend (geen vestigingen)", "#bdbdbd"]]
KADE_BEREIKBAAR_ONBEKEND = "#bdbdbd"
LINE_COLUMNS = ["kavel_id", "gevoelig_vbo_id", "gevoelig_gebruiksdoel", "afstand_gevoelig_m", "cat_afstand",
                "omgevingstype"]


def _present(frame) -> bool:
    return frame is not None and len(frame) > 0


def by_rin(frame: gpd.GeoDataFrame | None, columns: list[str] | None, tolerance: float, decimals: int,
           key: str = "rin_nummer") -> tuple[dict[str, list], list[str]]:
    """The frame's non-empty features grouped by the value of `key` (the terrein), written by columns
    (kaartdata.features by_column), and the names of their values."""
    if not _present(frame) or key not in frame:
        return {}, []
    written = features(frame, columns, tolerance, decimals, keep_empty=True, by_column=True)
    grouped: dict[str, list] = {}
    for rin, f in zip(frame[key].astype(str).tolist(), written["features"]):
        if f is not None:
            grouped.setdefault(rin, []).append(f)
    return grouped, written["velden"]


def near(frame: gpd.GeoDataFrame | None, terreinen: gpd.GeoDataFrame, distance: float,
         clip: float | None = None) -> gpd.GeoDataFrame | None:
    """Each feature within `distance` of a terrein, once per terrein (column rin_nummer), clipped to the terrein's
    envelope grown by `clip` when given (large areas and long lines become their part around the terrein)."""
    if not _present(frame):
        return None
    areas = terreinen.geometry.to_numpy()
    t_idx, f_idx = shapely.STRtree(frame.geometry.to_numpy()).query(areas, predicate="dwithin", distance=distance)
    order = np.lexsort((f_idx, t_idx))  # per terrein in layer order (not the tree's): the same for any part of it
    t_idx, f_idx = t_idx[order], f_idx[order]
    geoms = frame.geometry.to_numpy()[f_idx]
    if clip is not None:  # each terrein's envelope once, not once per feature near it
        envelopes = in_threads(lambda g: shapely.envelope(shapely.buffer(g, clip)), areas)
        geoms = in_threads(shapely.intersection, geoms, envelopes[t_idx])
    out = gpd.GeoDataFrame(frame.drop(columns=frame.geometry.name).iloc[f_idx].reset_index(drop=True),
                           geometry=geoms, crs=frame.crs)
    out["rin_nummer"] = terreinen["rin_nummer"].astype(str).to_numpy()[t_idx]
    return out[~shapely.is_empty(out.geometry.to_numpy())]


def gevoelig_en_afstanden(inputs: Inputs) -> tuple[gpd.GeoDataFrame | None, gpd.GeoDataFrame | None]:
    """(gevoelige objecten per terrein, lines kavel -> its nearest gevoelig object with the distance used)."""
    kavels, vbo = inputs.kavels, inputs.gevoelig
    if not _present(kavels) or not _present(vbo) or "gevoelig_vbo_id" not in kavels:
        return None, None
    points = vbo.drop_duplicates("vbo_id").set_index("vbo_id")
    used = kavels[io.is_in(kavels["gevoelig_vbo_id"], points.index.to_series())]
    target = points.geometry.reindex(used["gevoelig_vbo_id"]).to_numpy()
    lines = gpd.GeoDataFrame(used[LINE_COLUMNS + ["rin_nummer"]].reset_index(drop=True),
                             geometry=in_threads(shapely.shortest_line, used.geometry.to_numpy(), target),
                             crs=kavels.crs)
    pairs = pd.concat([used[["rin_nummer", "gevoelig_vbo_id"]].rename(columns={"gevoelig_vbo_id": "vbo_id"}),
                       vbo.loc[vbo["rin_nummer"].notna() & vbo["bedrijfswoning"].astype(bool),
                               ["rin_nummer", "vbo_id"]]]).drop_duplicates()
    objects = points.drop(columns="rin_nummer").loc[pairs["vbo_id"]].reset_index()
    objects["op_terrein"] = vbo.set_index("vbo_id")["rin_nummer"].reindex(pairs["vbo_id"]).to_numpy()
    objects["rin_nummer"] = pairs["rin_nummer"].astype(str).to_numpy()
    return gpd.GeoDataFrame(objects, geometry="geometry", crs=vbo.crs), lines


@dataclass
class PerBlock:
    """A page layer read anew for each block of pages, never whole: the panden, which grow with the region's
    buildings. `read`: the block's terreinen -> their features, each with the rin_nummer of its page."""
    read: Callable[[gpd.GeoDataFrame], gpd.GeoDataFrame | None]
    columns: list[str]


def panden_near(terreinen: gpd.GeoDataFrame, processed: Path, config, doelen=None) -> gpd.GeoDataFrame:
    """The panden within PANDEN_MARGE_M of the terreinen (each once, in file order) with their gebruik; only the row
    groups of panden.parquet near them are read."""
    panden = catalogue.read("panden", processed, config.analyse, boxes=grown(terreinen, PANDEN_MARGE_M),
                            cell=50.0)  # and some more (the read's grid): only those within the margin stay
    _, close = shapely.STRtree(panden.geometry.to_numpy()).query(
        terreinen.geometry.to_numpy(), predicate="dwithin", distance=PANDEN_MARGE_M)
    return with_gebruik(panden.iloc[np.unique(close)].reset_index(drop=True), processed, config, doelen)


def _panden_per_block(config, inputs: Inputs) -> PerBlock | None:
    streamed = inputs.canonical.get("panden")
    if streamed is None:
        return None
    processed, empty = Path(config.paths.processed), streamed.columns  # an empty frame with the columns
    doelen = Gebruiksdoelen(catalogue.path("verblijfsobjecten", processed), config.analyse)
    return PerBlock(lambda block: near(panden_near(block, processed, config, doelen), block, PANDEN_MARGE_M),
                    [c for c in empty.columns if c != empty.geometry.name] + ["rin_nummer"])


def page_sources(config, inputs: Inputs) -> dict[str, tuple[gpd.GeoDataFrame | PerBlock | None, str]]:
    """Per layer key: (its features for every page, each with the rin_nummer of its page, or a PerBlock; catalogue
    dataset)."""
    t, canon = inputs.terreinen, inputs.canonical
    gevoelig, afstanden = gevoelig_en_afstanden(inputs)
    return {
        "kavels": (inputs.kavels, "kavels_indicatoren"), "panden": (_panden_per_block(config, inputs),
                                                                    "panden_uitvoer"),
        "vestigingen": (inputs.register, "vestigingen_register"), "gevoelig": (gevoelig, "verblijfsobjecten_gebruik"),
        "afstanden": (afstanden, "kavels_indicatoren"), "contouren": (inputs.contouren, "milieuruimte_contouren"),
        "zonering": (near(canon.get("milieuzones"), t, 0.0, OMGEVING_M), "milieuzones"),
        "kades": (inputs.kades, "kades_status"),
        "netcapaciteit": (near(inputs.netcapaciteit, t, 0.0, OMGEVING_M), "netcapaciteit"),
        "vaarwegen": (near(canon.get("vaarwegen"), t, CONTEXT_M, CONTEXT_M), "vaarwegen"),
    }


def _columns(frame) -> list[str]:
    if isinstance(frame, PerBlock):
        return frame.columns
    return [c for c in frame.columns if c != frame.geometry.name] if _present(frame) else []


def rows_per_rin(frame) -> dict[str, np.ndarray]:
    """Positions of a source's rows per rin_nummer (in layer order), made once for all blocks of pages."""
    if isinstance(frame, PerBlock) or not _present(frame) or "rin_nummer" not in frame:
        return {}
    return frame.groupby(frame["rin_nummer"].astype(str).to_numpy(), sort=False).indices


def page_layers(config, sources: dict, rows: dict[str, dict], block: gpd.GeoDataFrame,
                tolerance: float) -> dict[str, tuple[dict[str, list], list[str]]]:
    """Per layer key: the GeoJSON features of the pages of the `block`'s terreinen, grouped by rin_nummer (one block
    of pages at a time: the features of every page at once grow with the region), and the names of their values
    (by_rin); rows: rows_per_rin of each source."""
    dec, fine = config.export.kaart_decimalen, min(tolerance, 1.0)
    rins = block["rin_nummer"].astype(str).tolist()
    out = {}
    for key, (frame, _) in sources.items():
        if isinstance(frame, PerBlock):
            out[key] = by_rin(frame.read(block), None, fine, dec)
            continue
        picked = [rows[key][r] for r in rins if r in rows[key]]
        out[key] = by_rin(frame.iloc[np.sort(np.concatenate(picked))], None, fine, dec) if picked else ({}, [])
    return out


def _kolommen(sources: dict, inputs: Inputs) -> dict[str, dict]:
    """Column descriptions (catalogue label, unit, decimals) per layer."""
    t = inputs.terreinen
    out = {"terrein": column_meta(_columns(t), TERREINEN)}
    out.update({key: column_meta(_columns(frame), dataset) for key, (frame, dataset) in sources.items()})
    return out


def sections_in_order(columns: list[str], dataset: str) -> list[list]:
    """Popup sections [title, columns, open] per catalogue groep, in the order the columns come (catalogue
    order: what identifies an object first), the first two open."""
    from pipeline import catalogue
    sections: dict[str, list[str]] = {}
    for c in columns:
        entry = catalogue.find(c, dataset)
        sections.setdefault(entry.groep if entry is not None else "Overige gegevens", []).append(c)
    return [[title, cols, i < 2] for i, (title, cols) in enumerate(sections.items())]


def legends() -> dict:
    """Colours and classes the page's legends and colourings use."""
    return {"gsiKlassen": [list(k) for k in KAVEL_GSI_KLASSEN], "categorieKleuren": CONTOUR_KLEUREN,
            "hmcKlassen": HMC_KLASSEN, "gebruikKlassen": GEBRUIK_KLASSEN, "netKleuren": NET_KLEUREN,
            "kadeKleuren": KADE_KLEUREN, "vaarwegKlassen": [list(k) for k in VAARWEG_KLASSEN],
            "onbekendKleur": KADE_BEREIKBAAR_ONBEKEND, "registerKleuren": REGISTER_KLEUREN,
            "pandKleuren": PAND_KLEUREN, "vlagKleuren": VLAG_KLEUREN}


def shared_data(config, inputs: Inputs, sources: dict) -> dict:
    """What every detail page shows the same way: column descriptions, popup sections, legends, criteria and the
    background map (maps/assets/detail-gedeeld.js, paginas.write_assets; detail.js adds it to the page's data).
    Written once instead of into every page: 20 kB a page, an eighth of the pages' bytes at scale 1."""
    from pipeline.categories import CEMT_KLASSEN
    kolommen = _kolommen(sources, inputs)
    return {"kolommen": kolommen, "legenda": legends(), "cemtKlassen": CEMT_KLASSEN,
            "secties": {"terrein": popup_sections(_columns(inputs.terreinen)),
                        "kavels": sections_in_order(list(kolommen["kavels"]), "kavels_indicatoren"),
                        "vestigingen": sections_in_order(list(kolommen.get("vestigingen", {})),
                                                         "vestigingen_register")},
            "criteria": CRITERIA, "criteriumLabels": CRITERION_LABELS,
            "achtergrond": ACHTERGROND if config.export.achtergrondkaart else None}


class Blocks:
    """The detail pages handed out PAGINA_BLOK at a time to the processes that write them: a counter in shared memory
    (made before the helpers are forked), so whichever process is free takes the next block and all finish together,
    whatever else each of them does (the GeoPackage, the overview)."""

    def __init__(self, size: int | None = None):
        self.size = size or PAGINA_BLOK
        self.taken = multiprocessing.Value("q", 0)

    def __call__(self, n: int) -> Iterator[slice]:
        """The blocks of n pages this process gets, until none is left."""
        while True:
            with self.taken.get_lock():
                k = self.taken.value
                self.taken.value += 1
            if k * self.size >= n:
                return
            yield slice(k * self.size, min((k + 1) * self.size, n))


def detail_pages(config, inputs: Inputs, *, tolerance: float, blocks: Blocks | None = None,
                 sources: dict | None = None) -> Iterator[dict]:
    """The context of each detail page (one per terrein with kavels): slug, rin, header texts and `data`; built a
    block of pages at a time, so memory is bounded by the block, not by the region. blocks: the Blocks shared by
    the processes that write pages (default: every page, here; a page's data does not depend on its block);
    sources: page_sources(inputs), when made once for all processes."""
    if not _present(inputs.kavels) or "rin_nummer" not in inputs.kavels:
        return
    dec = config.export.kaart_decimalen
    t = inputs.terreinen
    sources = sources if sources is not None else page_sources(config, inputs)
    rows = {key: rows_per_rin(frame) for key, (frame, _) in sources.items()}
    terrein_cols = _columns(t)
    with_kavels = io.is_in(t["rin_nummer"].astype(str), inputs.kavels["rin_nummer"].astype(str))
    candidates = np.flatnonzero(with_kavels)
    # in Hilbert order: a block's terreinen lie together, so reading its panden touches few row groups
    candidates = candidates[spatial_order(t.geometry.to_numpy()[candidates])]
    for part in (blocks or Blocks())(len(candidates)):
        block = t.iloc[candidates[part]]
        rins = block["rin_nummer"].astype(str).tolist()
        layers = page_layers(config, sources, rows, block, tolerance)
        terrein_feats = features(block, terrein_cols, tolerance, dec, keep_empty=True)["features"]
        # the borders of the block's views at once: the GeoJSON of all views in one pass (context.bases)
        views = shapely.envelope(shapely.buffer(block.geometry.to_numpy(), BASIS_M))
        basissen = bases(inputs.canonical.get("gemeenten"), inputs.canonical.get("provincies"), list(views),
                         tolerance=max(tolerance, 5.0), decimals=dec)
        header = block[[c for c in ("naam", "waarom", "vlag_klasse") if c in terrein_cols]]  # the page's header texts
        for rin, rec, terrein, base in zip(rins, header.to_dict("records"), terrein_feats, basissen):
            kavels = layers["kavels"][0].get(rin)
            if not kavels:
                continue
            naam = rec.get("naam") if isinstance(rec.get("naam"), str) else rin
            data = {key: {"type": "FeatureCollection", "features": grouped[rin], "velden": velden}
                    for key, (grouped, velden) in layers.items() if grouped.get(rin)}
            data.update(terrein={"type": "FeatureCollection", "features": [terrein] if terrein is not None else []},
                        basis=base)
            waarom = rec.get("waarom")
            yield {"slug": detail_slug(rin), "rin": rin, "naam": naam, "titel": f"{naam} ({rin})",
                   "waarom": waarom if isinstance(waarom, str) else "", "klasse": rec.get("vlag_klasse") or "",
                   "aantal": len(kavels), "data": data}
        del layers, terrein_feats, basissen
        memory.release(collect=False)  # the next block starts from what is in use, not from this block's peak
