"""What `pipeline vergelijk` writes (one set): `<maps>/vergelijking.html` and `<processed>/vergelijking_terreinen.csv`,
`vergelijking_regios.csv` (machine CSVs: column names, decimal point, UTF-8; columns `<measure>_a`, `_b`,
`_verschil` for every measure of lees.MEASURES, `omvang`, `contour_verloren_ha`, `verlies_hmc_ha`,
`verlies_kade_m`, `vlag_klasse_a/_b`, `vlag_wijziging`, `typologie_a/_b`, `wloc_type_a/_b`, `reden`).
The page is byte-reproducible (no clock) and makes no network request.
"""
from __future__ import annotations

from pathlib import Path

from pipeline import workspace
from pipeline.export import trend
from pipeline.export.paginas import render
from pipeline.export.report import nl
from pipeline.io import atomic_path
from pipeline.vergelijk import Vergelijking
from pipeline.vergelijk.lees import MEASURES

FILES = {"pagina": ("maps", "vergelijking.html"), "terreinen_csv": ("processed", "vergelijking_terreinen.csv"),
         "regios_csv": ("processed", "vergelijking_regios.csv")}


def _summary_lines(v: Vergelijking) -> list[str]:
    tot = v.regios[v.regios["regio"] == "Totaal"].iloc[0]
    a, b = v.a.peiljaar, v.b.peiljaar

    def ab(m: str, decimals: int) -> str:
        unit = MEASURES[m][2]
        d = tot[m + "_verschil"]
        sign = "+" if d > 0 else ("−" if d < 0 else "")
        return (f"{MEASURES[m][1]}: {nl(tot[m + '_a'], decimals)} → {nl(tot[m + '_b'], decimals)} {unit} "
                f"({sign}{nl(abs(d), decimals)} {unit})")

    return [f"Terreinen: {tot['terreinen_a']} ({a}) → {tot['terreinen_b']} ({b}); {tot['verschenen']} verschenen, "
            f"{tot['verdwenen']} verdwenen, {tot['gekrompen']} gekrompen.",
            f"Strategisch (vlag): verloren door {tot['vlag_verloren']} terrein(en), gekregen door "
            f"{tot['vlag_gekregen']}.",
            f"Verlies aan HMC-ruimte die nog open staat voor HMC-bedrijven: {nl(tot['verlies_hmc_ha'], 1)} ha "
            f"(bebouwd of bezet door niet-HMC, of verdwenen met een terrein).",
            ab("ha_hmc", 1), ab("ha_hmc_niet_hmc", 1), ab("ha_hmc_vacant", 1),
            f"Verlies aan kade voor watergebonden bedrijven: {nl(tot['verlies_kade_m'], 0)} m.",
            ab("kade_benut_m", 0), ab("kade_onbenut_m", 0), ab("kade_vrij_m", 0), ab("ha_uitgeefbaar", 1)]


def _records(frame) -> list[dict]:
    """Rows for the template: missing values as None (pd.NA has no truth value)."""
    return frame.astype(object).where(frame.notna(), None).to_dict("records")


def render_page(config, v: Vergelijking) -> str:
    t = v.terreinen
    changed = t[t["reden"] != "geen verschil"]
    lists = {k: _records(t.loc[t["omvang"] == k, ["naam", "rin_nummer", "reden"]])
             for k in ("verschenen", "verdwenen", "gekrompen")}
    return render("vergelijking.html", titel=f"Vergelijking {v.a.peiljaar} → {v.b.peiljaar} – {config.region.name}",
                  a=v.a, b=v.b, hmc_vanaf=v.hmc_vanaf, krimp=config.vergelijk.krimp_min_ha, nl=nl,
                  samenvatting=_summary_lines(v), opmerkingen=v.opmerkingen, regios=_records(v.regios),
                  terreinen=_records(changed), ongewijzigd=len(t) - len(changed), lijsten=lists,
                  labels={m: f"{label} ({unit})" for m, (_, label, unit) in MEASURES.items()},
                  **trend.context(v.b.historie, v.b.terreinen))


def write(config, v: Vergelijking) -> dict[str, Path]:
    folders = {"processed": Path(config.paths.processed), "maps": Path(config.paths.maps)}
    html = render_page(config, v)
    frames = {"terreinen_csv": v.terreinen, "regios_csv": v.regios}
    with workspace.output_set("vergelijk", list(folders.values())) as out:
        for key, (where, name) in FILES.items():
            with atomic_path(out.folder(folders[where]) / name) as tmp:
                if key == "pagina":
                    tmp.write_text(html, encoding="utf-8")
                else:
                    frames[key].to_csv(tmp, index=False, encoding="utf-8")
    return {key: folders[where] / name for key, (where, name) in FILES.items()}


def summary(v: Vergelijking, paths: dict[str, Path]) -> dict:
    out = {"run A": f"{v.a.folder} (peiljaar {v.a.peiljaar})", "run B": f"{v.b.folder} (peiljaar {v.b.peiljaar})"}
    out.update({f"  {i + 1}": line for i, line in enumerate(_summary_lines(v))})
    changed = v.terreinen[v.terreinen["reden"] != "geen verschil"]
    for i, r in enumerate(_records(changed.head(5))):
        out[f"verlies {i + 1}. {r['naam']} ({r['rin_nummer']})"] = \
            f"HMC {nl(r['verlies_hmc_ha'], 1)} ha, kade {nl(r['verlies_kade_m'], 0)} m: {r['reden']}"
    out.update({k: str(p) for k, p in paths.items()})
    return out
