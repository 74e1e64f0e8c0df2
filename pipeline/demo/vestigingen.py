"""Vestigingen (establishments) with SBI code as text, as points inside the kavels.

Why: cat_benut (the heaviest activity on a kavel), watergebonden quays and vacancy all come from the
vestigingen. Scenario kavels get the SBI code their role names; background kavels draw from light,
medium and heavy lists, heavier where the terrein's IBIS category is higher.
"""
from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from pipeline.crs import WORKING_CRS
from pipeline.demo import scenario as sc
from pipeline.demo.geometry import sample_in_polygons

LICHT = ["46.90", "45.20", "43.22", "49.41", "52.10", "62.01", "47.19", "41.20", "33.12", "46.69", "18.12",
         "43.32", "70.22", "82.92", "95.11", "46.49", "56.10", "47.91", "01.61"]
MIDDEL = ["25.62", "28.29", "22.29", "16.23", "10.71", "31.01", "25.11", "29.32", "27.12", "46.73", "38.11",
          "46.77", "10.89"]
ZWAAR = ["24.10", "20.14", "23.51", "10.61", "38.32", "24.42", "20.16", "08.12", "23.63", "19.20"]


def build(rng, kavels: gpd.GeoDataFrame, cat_of_rin: dict) -> gpd.GeoDataFrame:
    """Points with vestigingsnummer, handelsnaam, sbi_code (text) and werkzame_personen."""
    role = kavels["role"].values
    occupied = ~np.isin(role, ["vrij", "leeg"])
    area_ha = kavels.geometry.area.values / 1e4
    extra = np.where(occupied & (kavels["rin"].values >= 910001), rng.poisson(0.12 * area_ha), 0)
    counts = occupied.astype(np.int64) + extra
    owner, x, y = sample_in_polygons(rng, kavels.geometry.values, counts)
    first = np.r_[True, owner[1:] != owner[:-1]]
    cat = kavels["rin"].map(cat_of_rin).to_numpy()[owner]
    u = rng.random(len(owner))
    p_heavy = np.select([cat >= 5, cat == 4], [0.35, 0.12], 0.02)
    p_mid = np.select([cat >= 4, cat == 3], [0.35, 0.35], 0.15)
    sbi = np.where(u < p_heavy, rng.choice(ZWAAR, len(owner)),
                   np.where(u < p_heavy + p_mid, rng.choice(MIDDEL, len(owner)), rng.choice(LICHT, len(owner))))
    fixed = first & ~np.isin(role[owner], ["*"])
    sbi = np.where(fixed, role[owner], sbi)
    heavy = np.isin(sbi, ZWAAR)
    personen = np.clip(rng.lognormal(np.where(heavy, 4.0, 2.0), 1.0), 1, 3000).astype(np.int64)
    n = len(owner)
    nummer = pd.Series(np.arange(1, n + 1) + 900000000000).astype(str).values
    kid = kavels["kavel_id"].values[owner]
    naam = np.where(fixed, [f"Demo {sc.SBI_NAMES.get(s, 'Bedrijf')} {k[1:]} B.V." for s, k in zip(sbi, kid)],
                    [f"Demobedrijf {i + 1:06d} B.V." for i in range(n)])
    return gpd.GeoDataFrame({"vestigingsnummer": nummer, "handelsnaam": naam, "sbi_code": sbi,
                             "werkzame_personen": personen},
                            geometry=gpd.points_from_xy(np.round(x, 3), np.round(y, 3)), crs=WORKING_CRS)
