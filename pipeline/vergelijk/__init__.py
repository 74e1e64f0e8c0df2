"""`pipeline vergelijk RUN_A RUN_B`: monitoring the loss of strategic capacity between two runs (two processed
folders, e.g. two peildata; A the earlier). REH B.1: new companies that barely use milieuruimte "hebben in de
afgelopen jaren geleid tot een verlies van strategische capaciteit".

Not a stage: reads terreinen_strategisch (and terreinen_historie) of both runs as they are (lees.py), so runs of
an older pipeline version compare too. Settings: `vergelijk.krimp_min_ha`, analyse.milieuruimte.hmc_vanaf (which
HMC columns). Per terrein and per regio the change in HMC ha (and HMC used by non-HMC), quay metres per status,
issuable ha, flag and type; terreinen that appeared, disappeared or shrank (verschil.py); the IBIS trend per
regio of run B (pipeline/export/trend.py).
Outputs (one set, pipeline.workspace.output_set, in the configuration's folders): `<maps>/vergelijking.html`
(Dutch, biggest losses first), `<processed>/vergelijking_terreinen.csv`, `<processed>/vergelijking_regios.csv`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from pipeline.vergelijk.lees import Run, read_run
from pipeline.vergelijk.verschil import per_regio, per_terrein

__all__ = ["Vergelijking", "vergelijk"]


@dataclass
class Vergelijking:
    a: Run
    b: Run
    terreinen: pd.DataFrame
    regios: pd.DataFrame
    hmc_vanaf: str
    opmerkingen: list[str] = field(default_factory=list)


def _notes(a: Run, b: Run, hmc_vanaf: str) -> list[str]:
    notes = []
    if a.peiljaar != "onbekend" and b.peiljaar != "onbekend" and int(a.peiljaar) > int(b.peiljaar):
        notes.append(f"Let op: run A (peiljaar {a.peiljaar}) is recenter dan run B ({b.peiljaar}); "
                     "verschillen zijn B − A.")
    for name, run in (("A", a), ("B", b)):
        if run.hmc_vanaf is not None and run.hmc_vanaf != hmc_vanaf:
            notes.append(f"Run {name} rekende HMC vanaf {run.hmc_vanaf}; vergeleken wordt HMC-ruimte vanaf "
                         f"{hmc_vanaf} (de kolommen van die variant).")
    if not (a.heeft_typologie and b.heeft_typologie):
        notes.append("Een van de runs heeft geen typologie (een oudere versie van de pipeline): het type is daar "
                     "onbekend.")
    return notes


def vergelijk(config, run_a: str | Path, run_b: str | Path) -> Vergelijking:
    hmc_vanaf = config.analyse.milieuruimte.hmc_vanaf
    a, b = read_run(run_a, hmc_vanaf), read_run(run_b, hmc_vanaf)
    if a.folder.resolve() == b.folder.resolve():
        raise ValueError(f"vergelijk: RUN_A and RUN_B are the same folder ({a.folder})")
    terreinen = per_terrein(a, b, config.vergelijk.krimp_min_ha)
    return Vergelijking(a=a, b=b, terreinen=terreinen, regios=per_regio(terreinen), hmc_vanaf=hmc_vanaf,
                        opmerkingen=_notes(a, b, hmc_vanaf))
