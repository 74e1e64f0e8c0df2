"""The company profile and the fit rules, evaluated for every candidate at once (numpy over CSR members).

Rules (each gives ja / nee / onbekend, or n.v.t. when the company does not ask for it):
- categorie: the lowest cat_potentie of the candidate's kavels >= the company's category, and none of them is
  niet waarmaakbaar (onbekend when a kavel's category is unknown);
- oppervlakte: the kavels' m² together >= the ha asked;
- kade (water-bound): quay metres on a reachable CEMT class >= the class asked, not used by a water-bound company
  (status vrij, onbenut or onbekend), together >= zoek.kade_min_m (onbekend when only quays of unknown class
  would make up the metres);
- spoor / weg: a track (analyse.ontsluiting.spoor_soorten) / a motorway ramp within zoek.spoor_afstand_m /
  zoek.oprit_afstand_m of one of the kavels (onbekend without that layer);
- afname / invoeding (MW asked): at least zoek.net_min_aandeel of the area in a status of zoek.net_passend, and
  the terrein's MW available (when the capaciteitskaart gives it) not below the MW asked; onbekend when the area
  of unknown status could make up the share.
Scarce qualities a candidate holds that the company does not need (the reverse of the register of misplaced
companies, domain.md 'Het juiste bedrijf op de juiste plek'): HMC room (company below analyse.milieuruimte.
hmc_vanaf), a quay (company not water-bound), a strategic terrein (company needs neither HMC, water nor rail).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from pipeline.categories import NET_STATUSSEN, cemt_rank, milieucategorie_rank
from pipeline.zoek.groepen import candidates
from pipeline.zoek.tabel import RICHTINGEN, Tabel

JA, NEE, ONBEKEND, NVT = 0, 1, 2, 3
UITKOMST = ["ja", "nee", "onbekend", "n.v.t."]
REGELS = {"categorie": "Milieucategorie", "oppervlakte": "Oppervlakte", "kade": "Kade", "spoor": "Spoor",
          "weg": "Snelweg", "afname": "Netcapaciteit afname", "invoeding": "Netcapaciteit invoeding"}


@dataclass(frozen=True)
class Profiel:
    """What the company needs."""
    ha: float
    categorie: str
    water: bool = False
    cemt: str | None = None       # reachable class the quay must have (water-bound)
    spoor: bool = False
    snelweg: bool = False
    mw_afname: float = 0.0
    mw_invoeding: float = 0.0
    regio: str | None = None
    sbi: str | None = None        # for the texts: the SBI code and its categories
    sbi_cat: tuple[str, str] | None = None
    herkomst: str = ""            # how the category / water need were found (Dutch)

    @property
    def m2(self) -> int:
        """The area asked in whole m² (rounded half up, as zoek.js does)."""
        return int(math.floor(self.ha * 10_000 + 0.5))


@dataclass
class Limieten:
    spoor_m: float
    oprit_m: float
    kade_min_m: float
    net_passend: tuple[str, ...]
    net_min_aandeel: float
    max_overmaat: float
    max_kavels: int
    hmc_rank: int

    @classmethod
    def of(cls, config, tabel: Tabel) -> "Limieten":
        z, afstand = config.zoek, config.analyse.ontsluiting.afstand_m
        return cls(spoor_m=z.spoor_afstand_m or afstand, oprit_m=z.oprit_afstand_m or afstand,
                   kade_min_m=z.kade_min_m, net_passend=tuple(z.net_passend), net_min_aandeel=z.net_min_aandeel,
                   max_overmaat=z.max_overmaat, max_kavels=z.max_kavels, hmc_rank=tabel.hmc_rank)


@dataclass
class Evaluatie:
    """Per candidate (CSR members into the table): aggregates, rule outcomes, scarcity."""
    ptr: np.ndarray
    members: np.ndarray
    values: dict            # name -> array per candidate
    uitkomst: dict          # rule -> outcome codes per candidate
    schaars: dict           # 'hmc', 'kade', 'strategisch' -> bool per candidate

    def __len__(self) -> int:
        return len(self.ptr) - 1

    def kavels(self, c: int) -> np.ndarray:
        return self.members[self.ptr[c]:self.ptr[c + 1]]


def _agg(values: np.ndarray, ptr: np.ndarray, members: np.ndarray, how) -> np.ndarray:
    return how.reduceat(values[members], ptr[:-1]) if len(members) else np.zeros(0, dtype=values.dtype)


def _per_kavel_quay(tabel: Tabel, klasse: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per kavel: usable quay metres on a class >= klasse, on an unknown class, and the best class."""
    q, n = tabel.kades, len(tabel)
    ok = np.bincount(q["kavel"], weights=np.where(q["klasse"] >= klasse, q["m"], 0), minlength=n)
    unk = np.bincount(q["kavel"], weights=np.where(q["klasse"] < 0, q["m"], 0), minlength=n)
    best = np.full(n, -1, dtype=np.int64)
    np.maximum.at(best, q["kavel"].to_numpy(np.int64), q["klasse"].to_numpy(np.int64))
    return ok.astype(np.int64), unk.astype(np.int64), best


def _net(tabel: Tabel, richting: str, passend) -> tuple[np.ndarray, np.ndarray]:
    k = tabel.kavels
    ok = np.zeros(len(k), dtype=np.int64)
    for s in NET_STATUSSEN:
        if s in passend:
            ok += k[f"{richting}_{s}_m2"].to_numpy(np.int64)
    unk = k[f"{richting}_onbekend_m2"].to_numpy(np.int64) if "onbekend" not in passend else np.zeros(len(k), np.int64)
    return ok, unk


def aggregate(tabel: Tabel, profiel: Profiel, lim: Limieten, ptr, members) -> dict:
    """The per-candidate values the rules and the texts read."""
    k, seg = tabel.kavels, (ptr, members)
    v = {"m2": _agg(k["m2"].to_numpy(np.int64), *seg, np.add),
         "cat": _agg(k["cat"].to_numpy(np.int64), *seg, np.minimum),
         "nw": _agg(k["niet_waarmaakbaar"].to_numpy(bool), *seg, np.logical_or),
         "beschikbaar": _agg(k["beschikbaar"].to_numpy(np.int64), *seg, np.maximum),
         "hmc": _agg(k["hmc"].to_numpy(bool), *seg, np.logical_or),
         "kade_alle": _agg(k["kade_m"].to_numpy(np.int64), *seg, np.add),
         "spoor_m": _agg(k["spoor_m"].to_numpy(float), *seg, np.minimum),
         "oprit_m": _agg(k["oprit_m"].to_numpy(float), *seg, np.minimum),
         "n": np.diff(ptr)}
    klasse = int(cemt_rank([profiel.cemt])[0]) if profiel.water and profiel.cemt else 0
    ok, unk, best = _per_kavel_quay(tabel, klasse)
    v["kade_ok"], v["kade_onbekend"] = _agg(ok, *seg, np.add), _agg(unk, *seg, np.add)
    v["kade_best"] = _agg(best, *seg, np.maximum)
    for r in RICHTINGEN:
        ok, unk = _net(tabel, r, lim.net_passend)
        v[f"{r}_ok"], v[f"{r}_onbekend"] = _agg(ok, *seg, np.add), _agg(unk, *seg, np.add)
    rin = k["rin_nummer"].to_numpy(object)[members[ptr[:-1]]] if len(members) else np.zeros(0, object)
    v["rin"] = rin
    t = tabel.terreinen.reindex(rin)
    v["strategisch"] = t["strategisch"].fillna(False).to_numpy(bool)
    for r in RICHTINGEN:
        v[f"{r}_mw"] = t[f"{r}_mw"].to_numpy(float)
    return v


def _outcomes(v: dict, profiel: Profiel, lim: Limieten) -> dict:
    need, r = profiel.m2, int(milieucategorie_rank([profiel.categorie])[0])
    out = {"categorie": np.where(v["cat"] < 0, ONBEKEND, np.where((v["cat"] >= r) & ~v["nw"], JA, NEE)),
           "oppervlakte": np.where(v["m2"] >= need, JA, NEE)}
    if profiel.water:
        ok, unk = v["kade_ok"], v["kade_onbekend"]
        enough = (ok >= lim.kade_min_m) & (ok > 0)
        out["kade"] = np.where(enough, JA, np.where((unk > 0) & (ok + unk >= lim.kade_min_m), ONBEKEND, NEE))
    else:
        out["kade"] = np.full(len(v["m2"]), NVT)
    for rule, key, wanted, limit in (("spoor", "spoor_m", profiel.spoor, lim.spoor_m),
                                     ("weg", "oprit_m", profiel.snelweg, lim.oprit_m)):
        d = v[key]
        out[rule] = np.full(len(d), NVT) if not wanted else \
            np.where(np.isnan(d), ONBEKEND, np.where(d <= limit, JA, NEE))
    for richting, mw in (("afname", profiel.mw_afname), ("invoeding", profiel.mw_invoeding)):
        out[richting] = _net_outcome(v, richting, mw, lim)
    return out


def _net_outcome(v: dict, richting: str, mw: float, lim: Limieten) -> np.ndarray:
    if not mw or mw <= 0:
        return np.full(len(v["m2"]), NVT)
    ok, unk, total = v[f"{richting}_ok"], v[f"{richting}_onbekend"], v["m2"]
    avail = v[f"{richting}_mw"]
    short = ~np.isnan(avail) & (np.nan_to_num(avail, nan=np.inf) < mw)
    need = lim.net_min_aandeel * total
    return np.where(short, NEE, np.where(ok >= need, JA, np.where(ok + unk >= need, ONBEKEND, NEE)))


def evaluate(tabel: Tabel, profiel: Profiel, lim: Limieten) -> Evaluatie:
    """All candidates of the profile with their rule outcomes and the scarce qualities they would hold."""
    k = tabel.kavels
    scope = np.ones(len(k), dtype=bool)
    if profiel.regio:
        scope = tabel.terreinen["regio"].reindex(k["rin_nummer"]).to_numpy(object) == profiel.regio
    r = int(milieucategorie_rank([profiel.categorie])[0])
    allowed = scope & (k["cat"].to_numpy() >= r) & ~k["niet_waarmaakbaar"].to_numpy(bool)
    ptr, members = candidates(k["m2"].to_numpy(np.int64), scope, allowed, profiel.m2, tabel.buren_ptr,
                              tabel.buren, lim.max_kavels)
    v = aggregate(tabel, profiel, lim, ptr, members)
    hmc_nodig = r >= lim.hmc_rank
    schaars_nodig = hmc_nodig or profiel.water or profiel.spoor
    schaars = {"hmc": v["hmc"] & (not hmc_nodig), "kade": (v["kade_alle"] > 0) & (not profiel.water),
               "strategisch": v["strategisch"] & (not schaars_nodig)}
    return Evaluatie(ptr=ptr, members=members, values=v, uitkomst=_outcomes(v, profiel, lim), schaars=schaars)
