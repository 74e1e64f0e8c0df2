"""Ranking the candidates and saying why, in Dutch (zoek.js on maps/zoek.html implements the same order and texts).

Order (each key only decides ties of the ones before it):
1. fewest rules not met (nee), then fewest unknown;
2. fewest scarce qualities held that the company does not need (HMC room, quay, a strategic terrein): HMC and
   quay plots stay for the companies that need them;
3. not 'ruim groter dan nodig' (more than 1 + zoek.max_overmaat times the area asked): land is scarce too;
4. availability: uitgeefbaar, then vacant, then in use but under-built;
5. fewest kavels; 6. area closest to the area asked; 7. kavel_id.
Then the list is made disjoint (a candidate sharing a kavel with a better one is left out: each line is a
different place) and cut to the candidates that meet all rules or miss one (when none does: those that miss the
fewest), at most zoek.aantal.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from pipeline.categories import CEMT_KLASSEN, MILIEUCATEGORIEEN, milieucategorie_rank
from pipeline.zoek.regels import JA, NEE, NVT, ONBEKEND, REGELS, UITKOMST, Evaluatie, Limieten, Profiel
from pipeline.zoek.tabel import BESCHIKBAAR, Tabel


def order(ev: Evaluatie, profiel: Profiel, lim: Limieten) -> np.ndarray:
    """Candidate indices, best first."""
    codes = np.column_stack(list(ev.uitkomst.values())) if len(ev) else np.zeros((0, 1), int)
    v = ev.values
    n_nee, n_onb = (codes == NEE).sum(axis=1), (codes == ONBEKEND).sum(axis=1)
    n_schaars = sum(s.astype(np.int64) for s in ev.schaars.values())
    te_groot = (v["m2"] > (1 + lim.max_overmaat) * profiel.m2).astype(np.int64)
    first = ev.members[ev.ptr[:-1]] if len(ev) else np.zeros(0, np.int64)
    return np.lexsort((first, np.abs(v["m2"] - profiel.m2), v["n"], v["beschikbaar"], te_groot, n_schaars, n_onb,
                       n_nee))


def select(ev: Evaluatie, ranked: np.ndarray, aantal: int) -> list[int]:
    """The best disjoint candidates that miss at most one rule, or when none does, those that miss the fewest
    (see the module docstring)."""
    codes = np.column_stack(list(ev.uitkomst.values())) if len(ev) else np.zeros((0, 1), int)
    n_nee = (codes == NEE).sum(axis=1)
    limit = max(1, int(n_nee.min())) if len(n_nee) else 1
    used: set[int] = set()
    out = []
    for c in ranked:  # stops after `aantal`
        if n_nee[c] > limit:
            continue
        kavels = set(ev.kavels(c).tolist())
        if kavels & used:
            continue
        used |= kavels
        out.append(int(c))
        if len(out) == aantal:
            break
    return out


# ---------------------------------------------------------------------------------------------
# Texts (Dutch numbers without float ties: whole units rounded half up, as zoek.js does)
# ---------------------------------------------------------------------------------------------
def _int(n: int) -> str:
    return f"{int(n):,}".replace(",", ".")


def half_up(x: float) -> int:
    return int(np.floor(x + 0.5))


def ha_tekst(m2: int) -> str:
    tenths = half_up(m2 / 1000)
    return f"{_int(tenths // 10)},{tenths % 10} ha"


def tiende(x: float) -> str:
    tenths = half_up(x * 10)
    return f"{_int(tenths // 10)},{tenths % 10}"


def _kade_tekst(v: dict, c: int, profiel: Profiel, lim: Limieten) -> str:
    ok, unk, best = int(v["kade_ok"][c]), int(v["kade_onbekend"][c]), int(v["kade_best"][c])
    if ok > 0:
        text = f"{_int(ok)} m aan klasse ≥ {profiel.cemt}"
        return text if ok >= lim.kade_min_m else f"{text} (minder dan {_int(half_up(lim.kade_min_m))} m)"
    if best >= 0:
        return f"kade alleen aan bereikbare klasse {CEMT_KLASSEN[best]}"
    return "kade, bereikbare klasse onbekend" if unk > 0 else "geen bruikbare kade"


def _net_tekst(v: dict, c: int, richting: str, lim: Limieten) -> str:
    total = int(v["m2"][c])
    pct = half_up(100 * int(v[f"{richting}_ok"][c]) / total) if total > 0 else 0
    text = f"{pct} % {' of '.join(lim.net_passend)}"
    mw = v[f"{richting}_mw"][c]
    return text if np.isnan(mw) else f"{text}; {tiende(mw)} MW beschikbaar"


def rule_texts(v: dict, c: int, profiel: Profiel, lim: Limieten) -> dict[str, str]:
    cat = int(v["cat"][c])
    texts = {"categorie": ("categorie onbekend" if cat < 0 else f"mogelijk t/m {MILIEUCATEGORIEEN[cat]}")
             + ("; niet waarmaakbaar" if v["nw"][c] else ""),
             "oppervlakte": ha_tekst(int(v["m2"][c])) + (f" ({int(v['n'][c])} kavels)" if v["n"][c] > 1 else "")}
    texts["kade"] = _kade_tekst(v, c, profiel, lim) if profiel.water else "niet gevraagd"
    for rule, key, wanted, laag in (("spoor", "spoor_m", profiel.spoor, "spoorlaag"),
                                    ("weg", "oprit_m", profiel.snelweg, "laag met opritten")):
        d = v[key][c]
        texts[rule] = "niet gevraagd" if not wanted else (f"geen {laag}" if np.isnan(d) else
                                                          f"{'spoor' if rule == 'spoor' else 'oprit'} op "
                                                          f"{_int(half_up(d))} m")
    for richting, mw in (("afname", profiel.mw_afname), ("invoeding", profiel.mw_invoeding)):
        texts[richting] = _net_tekst(v, c, richting, lim) if mw and mw > 0 else "niet gevraagd"
    return texts


def _notes(ev: Evaluatie, c: int, profiel: Profiel, lim: Limieten) -> list[str]:
    """What the candidate means for the scarce qualities (the preference of the ranking, said out loud)."""
    v, notes = ev.values, []
    hmc_nodig = int(milieucategorie_rank([profiel.categorie])[0]) >= lim.hmc_rank
    if not hmc_nodig:
        if v["hmc"][c]:
            notes.append("let op: HMC-kavel, het bedrijf heeft geen HMC nodig")
        elif ev.schaars["strategisch"][c]:
            notes.append("let op: strategisch terrein, het bedrijf heeft geen schaarse kwaliteit nodig")
        elif not v["strategisch"][c]:
            notes.append("geen HMC nodig: niet-strategische kavel voorgesteld")
        else:
            notes.append("geen HMC nodig: kavel zonder HMC-ruimte voorgesteld")
    if not profiel.water:
        notes.append("let op: kadekavel, het bedrijf is niet watergebonden" if v["kade_alle"][c] > 0
                     else "niet watergebonden: kavel zonder kade voorgesteld")
    return notes


def reden(ev: Evaluatie, c: int, profiel: Profiel, lim: Limieten) -> str:
    v = ev.values
    nee = [REGELS[r] for r, codes in ev.uitkomst.items() if codes[c] == NEE]
    onb = [REGELS[r] for r, codes in ev.uitkomst.items() if codes[c] == ONBEKEND]
    head = "voldoet aan alle eisen" if not nee and not onb else \
        (f"voldoet niet aan: {', '.join(nee)}" if nee else "voldoet aan de bekende eisen")
    parts = [head + (f"; onbekend: {', '.join(onb)}" if onb else "")]
    if v["n"][c] > 1:
        parts.append(f"{int(v['n'][c])} aangrenzende kavels")
    parts += _notes(ev, c, profiel, lim)
    besch = int(v["beschikbaar"][c])
    if besch == 2:
        parts.append("in gebruik maar onderbenut: overleg met de eigenaar nodig")
    elif besch == 1:
        parts.append("vacant, maar uitgegeven")
    if v["m2"][c] > (1 + lim.max_overmaat) * profiel.m2:
        parts.append("ruim groter dan nodig")
    return "; ".join(parts)


def describe(ev: Evaluatie, tabel: Tabel, profiel: Profiel, lim: Limieten, selected: list[int]) -> pd.DataFrame:
    """One row per listed candidate: where, how large, every rule's outcome and value, the scarcity and why."""
    k, v, rows = tabel.kavels, ev.values, []
    for rang, c in enumerate(selected, start=1):  # the listed candidates only (at most zoek.aantal)
        idx = ev.kavels(c)
        rin = str(v["rin"][c])
        t = tabel.terreinen.loc[rin]
        row = {"rang": rang, "kavels": ", ".join(k["kavel_id"].to_numpy(object)[idx]), "aantal_kavels": len(idx),
               "rin_nummer": rin, "terrein": t["naam"], "gemeente": t["gemeente_naam"], "regio": t["regio"],
               "vlag_klasse": t["vlag_klasse"], "ha": round(int(v["m2"][c]) / 10_000, 4),
               "beschikbaar": BESCHIKBAAR[int(v["beschikbaar"][c])],
               "voldoet": all(codes[c] in (JA, NVT) for codes in ev.uitkomst.values())}
        texts = rule_texts(v, c, profiel, lim)
        for rule, codes in ev.uitkomst.items():
            row[rule], row[f"{rule}_toelichting"] = UITKOMST[codes[c]], texts[rule]
        row["schaars_onnodig"] = ", ".join(name for name, flags in ev.schaars.items() if flags[c])
        row["reden"] = reden(ev, c, profiel, lim)
        rows.append(row)
    columns = ["rang", "kavels", "aantal_kavels", "rin_nummer", "terrein", "gemeente", "regio", "vlag_klasse", "ha",
               "beschikbaar", "voldoet", *(x for r in REGELS for x in (r, f"{r}_toelichting")), "schaars_onnodig",
               "reden"]
    return pd.DataFrame(rows, columns=columns)
