"""Onbenutte potentie: the four kinds of unused potential of a terrein side by side.

Inputs: the per-terrein indicator table built by the other analyses (ha_hmc_{v}_niet_hmc,
ha_hmc_{v}_vacant for the HMC threshold hmc_vanaf, kade_onbenut_m, kade_vrij_m, onbenut_bebouwing_m2,
ha_uitgeefbaar).
Outputs: potentie_milieuruimte_ha (HMC room used by non-HMC + HMC room vacant), potentie_kades_m
(unused + free quay), potentie_bebouwing_m2, potentie_uitgeefbaar_ha. Unknown parts (no vestigingen)
stay null rather than zero.
"""
from __future__ import annotations

import pandas as pd

from pipeline.categories import variant_label


def per_terrein(indicatoren: pd.DataFrame, *, hmc_vanaf: str = "4.1") -> pd.DataFrame:
    """The four potentials side by side (same index as the indicator table)."""
    lab = variant_label(hmc_vanaf)
    out = pd.DataFrame(index=indicatoren.index)
    out["potentie_milieuruimte_ha"] = (indicatoren[f"ha_hmc_{lab}_niet_hmc"].astype(float)
                                       + indicatoren[f"ha_hmc_{lab}_vacant"].astype(float))
    out["potentie_kades_m"] = indicatoren["kade_onbenut_m"].astype(float) + indicatoren["kade_vrij_m"].astype(float)
    out["potentie_bebouwing_m2"] = indicatoren["onbenut_bebouwing_m2"].astype(float)
    out["potentie_uitgeefbaar_ha"] = indicatoren["ha_uitgeefbaar"].astype(float)
    return out
