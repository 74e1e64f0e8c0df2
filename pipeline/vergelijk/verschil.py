"""The differences between run A (earlier) and run B (later), per terrein and per regio.

Per terrein (outer join on rin_nummer; a terrein missing on one side counts 0 there):
- every measure of lees.MEASURES in A, in B and the difference B - A;
- omvang: 'verschenen' (only in B), 'verdwenen' (only in A), 'gekrompen' (its contour lost, or its IBIS bruto
  ha fell by, at least vergelijk.krimp_min_ha), 'gegroeid' (the reverse), else 'ongewijzigd';
  contour_verloren_ha = area of A's contour outside B's;
- verlies_hmc_ha: the loss of HMC room still open to HMC companies, (HMC - HMC used by non-HMC) in A minus the
  same in B (HMC built over by light companies, REH B.1, and HMC gone with a terrein); verlies_kade_m: the same
  for quay metres not held by non-water-bound companies (kade - onbenut). Positive = lost; unknown use counts 0;
- the flag (vlag_klasse A -> B; vlag_wijziging 'verloren' / 'gekregen'), the typology and the werklocatietype;
- reden: the changes in one Dutch line.
Per regio (the terrein's regio in B, else in A): counts and the sums of all of it, and a 'Totaal' row.
Sorted by the biggest loss of HMC room, then quay, then a lost flag.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import shapely

from pipeline.vergelijk.lees import MEASURES, Run

VERLIES = ["verlies_hmc_ha", "verlies_kade_m"]


def _side(run: Run, index: pd.Index, suffix: str) -> pd.DataFrame:
    t = pd.DataFrame(run.terreinen.drop(columns=run.terreinen.geometry.name)).reindex(index)
    cols = {c: f"{c}_{suffix}" for c in [*MEASURES, "contour_ha", "vlag_klasse", "typologie", "wloc_type"]}
    return t[list(cols)].rename(columns=cols)


def _contour_lost(a: Run, b: Run, index: pd.Index) -> np.ndarray:
    ga = a.terreinen.geometry.reindex(index).to_numpy()
    gb = b.terreinen.geometry.reindex(index).to_numpy()
    lost = np.zeros(len(index))
    both = ~(pd.isna(ga) | pd.isna(gb))
    lost[both] = shapely.area(shapely.difference(ga[both], gb[both])) / 10_000
    only_a = ~pd.isna(ga) & pd.isna(gb)
    lost[only_a] = shapely.area(ga[only_a]) / 10_000
    return lost


def _omvang(out: pd.DataFrame, in_a: np.ndarray, in_b: np.ndarray, krimp: float) -> np.ndarray:
    grown = out["contour_ha_b"].fillna(0) - out["contour_ha_a"].fillna(0) + out["contour_verloren_ha"]
    bruto = out["ha_bruto_verschil"]
    shrank = (out["contour_verloren_ha"] >= krimp) | (bruto <= -krimp)
    grew = (grown >= krimp) | (bruto >= krimp)
    return np.select([~in_a, ~in_b, shrank.to_numpy(bool), grew.to_numpy(bool)],
                     ["verschenen", "verdwenen", "gekrompen", "gegroeid"], "ongewijzigd")


def per_terrein(a: Run, b: Run, krimp_min_ha: float) -> pd.DataFrame:
    index = a.terreinen.index.union(b.terreinen.index).sort_values()
    in_a, in_b = index.isin(a.terreinen.index), index.isin(b.terreinen.index)
    out = pd.DataFrame({"rin_nummer": index.astype(str)}, index=index)
    for c in ("naam", "gemeente_naam", "regio"):
        out[c] = b.terreinen[c].reindex(index).fillna(a.terreinen[c].reindex(index)).astype("string")
    out = out.join(_side(a, index, "a")).join(_side(b, index, "b"))
    for m in MEASURES:
        out[f"{m}_verschil"] = out[f"{m}_b"].fillna(0) - out[f"{m}_a"].fillna(0)
    out["contour_verloren_ha"] = _contour_lost(a, b, index)
    out["omvang"] = _omvang(out, in_a, in_b, krimp_min_ha)
    open_a = out["ha_hmc_a"].fillna(0) - out["ha_hmc_niet_hmc_a"].fillna(0)
    open_b = out["ha_hmc_b"].fillna(0) - out["ha_hmc_niet_hmc_b"].fillna(0)
    out["verlies_hmc_ha"] = open_a - open_b
    out["verlies_kade_m"] = (out["kade_m_a"].fillna(0) - out["kade_onbenut_m_a"].fillna(0)) - \
        (out["kade_m_b"].fillna(0) - out["kade_onbenut_m_b"].fillna(0))
    strat_a = (out["vlag_klasse_a"] == "strategisch").fillna(False).to_numpy(bool)
    strat_b = (out["vlag_klasse_b"] == "strategisch").fillna(False).to_numpy(bool)
    out["vlag_wijziging"] = np.select([strat_a & ~strat_b, strat_b & ~strat_a], ["verloren", "gekregen"], "")
    num = out.select_dtypes("number").columns
    out[num] = out[num].round(6)  # no float noise (0.30000000000000004) in the CSV
    out["reden"] = reasons(out)
    order = np.lexsort((out["rin_nummer"].to_numpy(), out["ha_bruto_verschil"].to_numpy(),
                        -(out["vlag_wijziging"] == "verloren").to_numpy(int), -out["verlies_kade_m"].to_numpy(),
                        -out["verlies_hmc_ha"].to_numpy()))
    return out.iloc[order].reset_index(drop=True)


def _num(value: float, decimals: int) -> str:
    from pipeline.export.report import nl
    return nl(float(value), decimals)


def _signed(value: float, decimals: int, unit: str) -> str:
    text = _num(abs(value), decimals)
    return f"{'+' if value > 0 else '−'}{text} {unit}"


def _reason(r: dict) -> str:
    parts = []
    if r["omvang"] == "verschenen":
        parts.append(f"nieuw: {_num(r['ha_bruto_b'] or 0, 1)} ha bruto")
    elif r["omvang"] == "verdwenen":
        parts.append(f"verdwenen: {_num(r['ha_bruto_a'] or 0, 1)} ha bruto")
    elif r["omvang"] == "gekrompen":
        parts.append(f"gekrompen: {_num(r['contour_verloren_ha'], 1)} ha contour verloren, bruto "
                     f"{_signed(r['ha_bruto_verschil'], 1, 'ha')}")
    for m in ("ha_hmc", "ha_hmc_niet_hmc", "ha_hmc_vacant", "kade_onbenut_m", "kade_vrij_m", "kade_benut_m",
              "ha_uitgeefbaar"):
        d = r[f"{m}_verschil"]
        unit = MEASURES[m][2]
        if abs(d) >= (0.05 if unit == "ha" else 0.5):
            parts.append(f"{MEASURES[m][1]} {_signed(d, 1 if unit == 'ha' else 0, unit)}")
    for what, label in (("vlag_klasse", "klasse"), ("typologie", "type"), ("wloc_type", "werklocatietype")):
        va, vb = r[f"{what}_a"], r[f"{what}_b"]
        if isinstance(va, str) and isinstance(vb, str) and va != vb:
            parts.append(f"{label}: {va} → {vb}")
    return "; ".join(parts) or "geen verschil"


def reasons(out: pd.DataFrame) -> list[str]:
    """One Dutch line per terrein (a loop over the terreinen of the comparison: hundreds)."""
    records = out.astype(object).where(out.notna(), None).to_dict("records")
    return [_reason(r) for r in records]


def per_regio(t: pd.DataFrame) -> pd.DataFrame:
    """Counts and sums per regio, biggest loss of HMC room first, and a 'Totaal' row."""
    sums = [f"{m}_{s}" for m in MEASURES for s in ("a", "b", "verschil")] + ["contour_verloren_ha", *VERLIES]
    frame = t.assign(regio=t["regio"].fillna("onbekend"),
                     terreinen_a=t["omvang"] != "verschenen", terreinen_b=t["omvang"] != "verdwenen",
                     **{k: t["omvang"] == k for k in ("verschenen", "verdwenen", "gekrompen")},
                     vlag_verloren=t["vlag_wijziging"] == "verloren", vlag_gekregen=t["vlag_wijziging"] == "gekregen")
    counts = ["terreinen_a", "terreinen_b", "verschenen", "verdwenen", "gekrompen", "vlag_verloren", "vlag_gekregen"]
    frame[counts] = frame[counts].astype(int)
    out = frame.groupby("regio")[counts + sums].sum(min_count=0).reset_index()
    out = out.sort_values(["verlies_hmc_ha", "verlies_kade_m", "regio"], ascending=[False, False, True],
                          kind="stable")
    total = {"regio": "Totaal", **frame[counts + sums].sum(min_count=0).to_dict()}
    out = pd.concat([out, pd.DataFrame([total])], ignore_index=True)
    out[counts] = out[counts].astype("int64")
    out[sums] = out[sums].astype(float).round(6)
    return out
