"""The register in the report: "vestigingen die een schaarse kwaliteit bezetten" (het juiste bedrijf op de
juiste plek), as a report section and CSVs.

Inputs: terreinen (terreinen_uitvoer: the register_* totals, gemeente, regio), the vestigingen_register, and
analyse_instellingen.json (which SBI table(s) gave the categories, and how many from confirmed rows).
Outputs: `<processed>/register_vestigingen.csv` (every vestiging that holds HMC room, quay or terrein land it does
not need, sorted by the capacity held), `<processed>/register_terreinen.csv` (per terrein, then per regio and the
total) and the context of the template block `rapport_register.html` (included by rapport.html).
Kept apart from report.py so the report pages can change without touching the register.
"""
from __future__ import annotations

import math
from pathlib import Path

import pandas as pd

from pipeline import catalogue
from pipeline.export.common import Inputs, jsonable
from pipeline.io import atomic_path

SCHAARS = ["HMC-kavel, geen HMC nodig", "kadekavel, niet watergebonden", "lage categorie op bedrijventerrein"]
TERREIN_COLUMNS = ["rin_nummer", "naam", "gemeente_naam", "regio", "vestigingen_aantal", "register_aantal",
                   "register_kade_aantal", "register_kade_m", "register_hmc_aantal", "register_hmc_ha",
                   "register_laag_aantal", "register_laag_ha"]
SUM_COLUMNS = TERREIN_COLUMNS[4:]
VESTIGING_COLUMNS = ["vestiging_id", "naam", "sbi_code", "sbi_omschrijving", "cat_min", "cat_max", "sbi_bevestigd",
                     "klasse", "kavel_id", "rin_nummer", "terrein_naam", "gemeente_naam", "kade_m", "hmc_ha",
                     "laag_ha", "reden"]
TOP_IN_REPORT = 50  # vestigingen listed in the HTML (the CSV has them all)


def per_terrein(terreinen: pd.DataFrame) -> pd.DataFrame:
    """Terreinen with at least one vestiging in the register, most scarce capacity held first."""
    t = pd.DataFrame(terreinen.drop(columns=terreinen.geometry.name, errors="ignore"))
    if "register_aantal" not in t:
        return pd.DataFrame(columns=TERREIN_COLUMNS)
    t = t[t["register_aantal"].fillna(0) > 0]
    cols = [c for c in TERREIN_COLUMNS if c in t]
    return t[cols].sort_values(["register_kade_m", "register_hmc_ha", "register_laag_ha", "rin_nummer"],
                               ascending=[False, False, False, True]).reset_index(drop=True)


def per_regio(terreinen: pd.DataFrame) -> pd.DataFrame:
    """Register totals per regio (unknown -> 'onbekend') and a final 'Totaal' row."""
    t = pd.DataFrame(terreinen.drop(columns=terreinen.geometry.name, errors="ignore"))
    if "register_aantal" not in t:
        return pd.DataFrame(columns=["regio", *SUM_COLUMNS])
    regio = t["regio"].astype("string").fillna("onbekend") if "regio" in t else pd.Series("onbekend", index=t.index)
    out = t[SUM_COLUMNS].groupby(regio.values).sum(min_count=1).rename_axis("regio").reset_index()
    total = {"regio": "Totaal", **t[SUM_COLUMNS].sum(min_count=1).to_dict()}
    return pd.concat([out.sort_values("regio", kind="stable"), pd.DataFrame([total])], ignore_index=True)


def vestigingen(register: pd.DataFrame | None, terreinen: pd.DataFrame) -> pd.DataFrame:
    """The vestigingen in a register class, as the analysis sorted them (most capacity held first)."""
    if register is None or not len(register):
        return pd.DataFrame(columns=VESTIGING_COLUMNS)
    reg = pd.DataFrame(register.drop(columns=register.geometry.name, errors="ignore"))
    reg = reg[reg["klasse"].isin(SCHAARS)]
    gemeente = terreinen.set_index(terreinen["rin_nummer"].astype("str"))["gemeente_naam"] \
        if "gemeente_naam" in terreinen else pd.Series(dtype="string")
    reg["gemeente_naam"] = reg["rin_nummer"].astype("str").map(gemeente)
    return reg[[c for c in VESTIGING_COLUMNS if c in reg]].reset_index(drop=True)


def herkomst(analyse_meta: dict) -> list[str]:
    """Dutch lines: which SBI table(s) gave the categories and how many came from confirmed rows."""
    sbi = analyse_meta.get("sbi") or {}
    lines = [f"{t['naam']}: {t['rijen']} rijen, waarvan {t['rijen_bevestigd']} met bron bevestigd"
             for t in sbi.get("tabellen", [])]
    if sbi.get("vestigingen"):
        lines.append(f"Van de {sbi['vestigingen']} vestigingen op kavels kregen {sbi['uit_bevestigde_rijen']} hun "
                     f"milieucategorie uit bevestigde rijen, {sbi['uit_onbevestigde_rijen']} uit onbevestigde rijen "
                     f"(indicatief) en {sbi['niet_in_tabel']} staan niet in de tabel (categorie onbekend).")
        per = sbi.get("per_tabel") or {}
        if "gemeentelijk" in per:
            lines.append(f"{per['gemeentelijk']} categorieën komen uit de gemeentelijke Staat van "
                         f"Bedrijfsactiviteiten, {per.get('ingebouwd', 0)} uit de ingebouwde tabel.")
    if sbi.get("buiten_kavels"):
        lines.append(f"{sbi['buiten_kavels']} vestigingen liggen buiten alle kavels en staan niet in het register.")
    return lines


def _findings(register: pd.DataFrame) -> dict[str, int]:
    """Vestigingen per finding (one vestiging can hold more than one scarce quality)."""
    return {klasse: int(register[col].sum()) for klasse, col in zip(SCHAARS, ["bezet_hmc", "bezet_kade",
                                                                              "lage_categorie"])}


def cell(column: str, value, dataset: str = "terreinen_uitvoer") -> str:
    """Dutch number formatting with the catalogue's decimals; ja/nee; '–' for missing."""
    v = jsonable(value)
    if v is None or (isinstance(v, float) and not math.isfinite(v)):
        return "–"
    if isinstance(v, bool):
        return "ja" if v else "nee"
    if isinstance(v, (int, float)):
        entry = catalogue.find(column, dataset)
        decimals = entry.shown_decimals if entry is not None else 1
        text = f"{v:,.{decimals}f}" if isinstance(v, float) else f"{v:,d}"
        return text.replace(",", "\u2009").replace(".", ",").replace("\u2009", ".")
    return str(v)


def context(inputs: Inputs) -> dict:
    """What the template block rapport_register.html needs (`register` is None without a register)."""
    if inputs.register is None:
        return {"register": None}
    t = inputs.terreinen
    vest = vestigingen(inputs.register, t)
    labels = {c: catalogue.unit_label(c, "terreinen_uitvoer") for c in TERREIN_COLUMNS}
    labels.update({c: catalogue.unit_label(c, "vestigingen_register") for c in VESTIGING_COLUMNS})
    labels.update({"naam": "Naam", "gemeente_naam": "Gemeente", "regio": "Regio"})
    return {"register": {
        "terreinen": per_terrein(t), "regios": per_regio(t), "vestigingen": vest.head(TOP_IN_REPORT),
        "aantal": len(vest), "top": TOP_IN_REPORT, "herkomst": herkomst(inputs.analyse), "labels": labels,
        "terrein_kolommen": TERREIN_COLUMNS[4:], "klassen": _findings(inputs.register), "cell": cell,
        "hmc_vanaf": ((inputs.analyse.get("instellingen") or {}).get("milieuruimte") or {}).get("hmc_vanaf", "4.1"),
    }}


def write_register(config, inputs: Inputs, *, folder: Path | None = None) -> dict[str, Path]:
    """register_vestigingen.csv and register_terreinen.csv in `folder` (default paths.processed; plain CSV:
    comma, decimal point, UTF-8)."""
    processed = Path(folder or config.paths.processed)
    if inputs.register is None:
        return {}
    paths = {"register_vestigingen_csv": processed / "register_vestigingen.csv",
             "register_terreinen_csv": processed / "register_terreinen.csv"}
    terreinen = per_terrein(inputs.terreinen)
    regios = per_regio(inputs.terreinen)
    regios["naam"] = regios["regio"]  # a regio row: its name in naam and regio, no rin_nummer or gemeente
    regios = regios.assign(**{c: "" for c in terreinen.columns if c not in regios})
    frames = {"register_vestigingen_csv": vestigingen(inputs.register, inputs.terreinen),
              "register_terreinen_csv": pd.concat([terreinen, regios[terreinen.columns]], ignore_index=True)}
    for key, frame in frames.items():
        with atomic_path(paths[key]) as tmp:
            _counts_as_int(frame).round(3).to_csv(tmp, index=False, encoding="utf-8")
    return paths


def _counts_as_int(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for c in [c for c in out.columns if c.endswith("_aantal")]:
        out[c] = pd.to_numeric(out[c]).round().astype("Int64")
    return out
