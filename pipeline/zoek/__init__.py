"""`pipeline zoek`: where can this company go? Ranks kavels, and groups of adjacent kavels of one terrein, for a
company profile (SBI code or milieucategorie, ha, water-bound with a CEMT class, rail, motorway, MW afname /
invoeding, optionally a regio), with every fit rule shown per candidate, preferring plots that hold no scarce
quality the company does not need (domain.md, 'Het juiste bedrijf op de juiste plek').

Not a stage: reads a finished run (paths.processed: kavels_indicatoren, kades_status, terreinen_strategisch, the
canonical kavels, spoor and opritten) and imports analyse helpers (SBI lookup, rail kinds, nearest distance).
Settings: `zoek.*` (pipeline/config/zoek.py), analyse.milieuruimte (hmc_vanaf, SBI tables), analyse.kades
(watergebonden_sbi, water_min_klasse), analyse.ontsluiting.
Modules: tabel.py (the available kavels and their neighbours), groepen.py (candidates), regels.py (profile and
rules), rangorde.py (order, texts), uitvoer.py (CSV and the result page), commando.py (the command line),
pagina.py (the offline page maps/zoek.html, written by the export stage).
Outputs of a search (one set, pipeline.workspace.output_set): `<maps>/zoekresultaat_<naam>.html` and
`<processed>/zoekresultaat_<naam>.csv`.
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from pipeline.zoek.rangorde import describe, order, select
from pipeline.zoek.regels import Evaluatie, Limieten, Profiel, evaluate
from pipeline.zoek.tabel import Tabel

__all__ = ["Profiel", "Resultaat", "zoek"]


@dataclass
class Resultaat:
    profiel: Profiel
    lijst: pd.DataFrame          # rangorde.describe: one row per listed candidate
    kandidaten: list[int]        # their indices in `evaluatie`
    evaluatie: Evaluatie
    limieten: Limieten


def zoek(tabel: Tabel, profiel: Profiel, config) -> Resultaat:
    """The ranked, disjoint candidates for the profile (at most config.zoek.aantal)."""
    lim = Limieten.of(config, tabel)
    ev = evaluate(tabel, profiel, lim)
    selected = select(ev, order(ev, profiel, lim), config.zoek.aantal)
    return Resultaat(profiel, describe(ev, tabel, profiel, lim, selected), selected, ev, lim)
