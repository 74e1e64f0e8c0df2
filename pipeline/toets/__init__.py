"""Transformatie-toets: what turning (part of) a terrein into another function, e.g. housing, costs, and where the
replacement space is (REH B.1: "Als (gedeeltelijke) functiewijziging toch aan de orde is, dan zal er vervangende
ruimte ontwikkeld moeten worden").

`pipeline toets --config C --terrein RIN [--kavels ID,...] [--woningen]` (or `make toets TERREIN=RIN`).
Settings: `toets` (max_kandidaten, woningen_marge_m), and what analyse and score use (the toets recomputes with
their functions: pipeline/toets/herberekening.py).
Inputs (`paths.processed`, a complete run): terreinen_strategisch, kavels_indicatoren, kades_status,
vestigingen_register, the canonical kavels, netcapaciteit, spoor and opritten.
Outputs (one output set): `<maps>/toets/toets_<rin>[_<kavels>][_woningen].html`, a Dutch offline page (map of the
area, the capacity lost, before/after, the dwellings' side effect, replacement candidates) and
`<processed>/toets/` the same name .json with every number of the page.

What it answers (modules): the capacity lost and the stock before/after (verlies.py), the replacement candidates
(vervanging.py), the page (pagina.py).
"""
from __future__ import annotations

import hashlib
import logging
from pathlib import Path

import pandas as pd

from pipeline import build, workspace
from pipeline.categories import cemt_rank
from pipeline.toets import herberekening, pagina, verlies, vervanging
from pipeline.toets.invoer import ToetsError, read_invoer, transformed_kavels

__all__ = ["ToetsError", "toets", "run"]
log = logging.getLogger(__name__)


def _loss(invoer, transformed, config) -> dict:
    """The capacity the transformed kavels take away (and the multimodal access and grid on the spot)."""
    m = config.analyse.milieuruimte
    gone = invoer.kavels[invoer.kavels["kavel_id"].astype(str).isin(transformed)]
    quays = invoer.kades[invoer.kades["kavel_id"].astype(str).isin(transformed)]
    hmc = verlies.hmc_per_categorie(gone, m.hmc_vanaf)
    kade = verlies.kade_per_klasse(quays)
    zone = herberekening.woningen_zone(invoer.kavels, transformed, 0.0)
    water = cemt_rank(quays["cemt_bereikbaar"]) >= cemt_rank([config.analyse.kades.water_min_klasse])[0]
    return {"hmc": hmc, "kade": kade, "ha": vervanging.lost_ha(gone), "kade_water_m": float(
                quays.loc[water, "lengte_m"].sum()),
            "netcapaciteit": verlies.netcapaciteit_op(zone, invoer.netcapaciteit, config.analyse.meettolerantie_m)}


def _woningen_demand(buren: list[dict]) -> pd.DataFrame:
    """HMC room the dwellings take from neighbouring kavels, per former category (also to be replaced)."""
    lost = [b for b in buren if b["hmc_verloren_ha"] > 0]
    if not lost:
        return pd.DataFrame({"categorie": pd.Series(dtype=str), "totaal": pd.Series(dtype=float)})
    frame = pd.DataFrame({"categorie": [b["cat_potentie_voor"] for b in lost], "totaal": [b["ha"] for b in lost]})
    return frame.groupby("categorie", as_index=False)["totaal"].sum()


def toets(config, rin: str, kavel_ids: list[str] | None = None, *, woningen: bool = False) -> tuple[dict, dict]:
    """The whole toets in memory: (result as plain data for the JSON and the page, map layers)."""
    invoer = read_invoer(config.paths.processed, config.analyse)
    transformed, geheel = transformed_kavels(invoer, str(rin), kavel_ids)
    before, after, changed, zone = herberekening.before_and_after(invoer, config, str(rin), transformed, geheel,
                                                                  woningen)
    loss = _loss(invoer, transformed, config)
    sb, sa = before.strategisch, after.strategisch
    regio = str(sb.loc[sb["rin_nummer"].astype(str) == str(rin), "regio"].iloc[0])
    buren = verlies.milieuruimte_buren(invoer.kavels, after.kavels, changed, sb, config.analyse.milieuruimte.hmc_vanaf)
    demand_hmc = pd.concat([loss["hmc"][["categorie", "totaal"]], _woningen_demand(buren)])
    demand_hmc = demand_hmc.groupby("categorie", as_index=False)["totaal"].sum()
    hmc = vervanging.hmc_candidates(after.kavels, sa, demand_hmc, regio, config.analyse.milieuruimte.hmc_vanaf)
    kade = vervanging.kade_candidates(after.kades, sa, loss["kade"], regio)
    terreinen = vervanging.terrein_candidates(hmc, kade, sa, demand_hmc, loss["kade"], loss["ha"], regio)
    n = config.toets.max_kandidaten
    result = pagina.result(config, rin=str(rin), transformed=transformed, geheel=geheel, woningen=woningen,
                           invoer=invoer, loss=loss, before=sb, after=sa, regio=regio, buren=buren,
                           demand_hmc=demand_hmc, kandidaten={"hmc": hmc, "kade": kade, "terreinen": terreinen}, n=n)
    layers = pagina.map_layers(config, invoer, rin=str(rin), transformed=transformed, zone=zone, buren=buren,
                               after=after, shown={"hmc": vervanging.blocks(hmc, n), "kade": vervanging.blocks(kade, n),
                                                   "terreinen": vervanging.blocks(terreinen, n)})
    return result, layers


def output_name(rin: str, kavel_ids: list[str] | None, geheel: bool, woningen: bool) -> str:
    """toets_<rin>[_<8 hex of the kavel ids>][_woningen]: one file per question, reruns replace it."""
    from pipeline.export.kaartdata import detail_slug
    name = f"toets_{detail_slug(rin)}"
    if kavel_ids and not geheel:
        name += "_" + hashlib.sha1(",".join(sorted(kavel_ids)).encode()).hexdigest()[:8]
    return name + ("_woningen" if woningen else "")


def run(config, *, terrein: str, kavels: list[str] | None = None, woningen: bool = False) -> dict:
    """Run the toets and write its page and JSON (one output set); return a summary (label -> value)."""
    processed, maps = Path(config.paths.processed) / "toets", Path(config.paths.maps) / "toets"
    for stage in ("analyse", "score"):
        if not build.up_to_date(stage, config):
            log.warning("toets: the %s outputs are not up to date with this configuration and code; run "
                        "`pipeline all` first for a toets on current results", stage)
    result, layers = toets(config, terrein, kavels, woningen=woningen)
    name = output_name(terrein, result["omzetting"]["kavels"], result["omzetting"]["geheel"], woningen)
    for folder in (processed, maps):
        folder.mkdir(parents=True, exist_ok=True)
    workspace.recover([processed, maps])
    with workspace.output_set("toets", [processed, maps]) as out:
        pagina.write(result, layers, html=out.folder(maps) / f"{name}.html", json_path=out.folder(processed) /
                     f"{name}.json")
    return pagina.summary(result) | {"pagina": str(maps / f"{name}.html"), "json": str(processed / f"{name}.json")}
