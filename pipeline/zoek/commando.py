"""The command line of `pipeline zoek`: the arguments, the profile they describe, and the run.

The company's category: --categorie, else the highest category of its SBI code in the run's SBI table(s)
(pipeline/analyse/sbi.py, as `pipeline sbi` shows it): a plot must fit the heaviest form of the activity unless
the account manager knows better. Water-bound: --cemt KLASSE (water-bound, quay on that reachable class), else
--watergebonden / --niet-watergebonden, else by the SBI code (analyse.kades.watergebonden_sbi) with class
zoek.cemt_standaard (default analyse.kades.water_min_klasse).
"""
from __future__ import annotations

import re

import pandas as pd

from pipeline.categories import CEMT_KLASSEN, MILIEUCATEGORIEEN
from pipeline.zoek.regels import Profiel


def add_parser(sub) -> None:
    from pipeline.config import DEFAULT_CONFIG
    p = sub.add_parser("zoek", help="where can this company go? kavels and groups of adjacent kavels that fit a "
                                    "profile, ranked, with every rule (reads a complete run)")
    p.add_argument("--config", default=str(DEFAULT_CONFIG), help="YAML configuration (default %(default)s)")
    p.add_argument("-v", "--verbose", action="store_true", help="debug output on the console")
    p.add_argument("--sbi", default=None, metavar="CODE", help="SBI-2008 code of the company, e.g. 24.10")
    p.add_argument("--categorie", default=None, choices=MILIEUCATEGORIEEN,
                   help="milieucategorie the plot must allow (default: the highest of the SBI code)")
    p.add_argument("--ha", type=float, required=True, help="hectares needed")
    p.add_argument("--cemt", default=None, choices=CEMT_KLASSEN,
                   help="water-bound: the quay must reach at least this CEMT class")
    water = p.add_mutually_exclusive_group()
    water.add_argument("--watergebonden", action="store_true", default=None,
                       help="water-bound (class zoek.cemt_standaard unless --cemt)")
    water.add_argument("--niet-watergebonden", dest="watergebonden", action="store_false",
                       help="not water-bound, even when the SBI code is")
    p.add_argument("--spoor", action="store_true", help="needs rail (a track within zoek.spoor_afstand_m)")
    p.add_argument("--snelweg", action="store_true", help="needs a motorway ramp within zoek.oprit_afstand_m")
    p.add_argument("--mw-afname", type=float, default=0.0, metavar="MW", help="grid offtake needed (MW)")
    p.add_argument("--mw-invoeding", type=float, default=0.0, metavar="MW", help="grid feed-in needed (MW)")
    p.add_argument("--regio", default=None, help="only this regio (pipeline/data/gemeente_regio.csv)")
    p.add_argument("--aantal", type=int, default=None, help="candidates listed (default zoek.aantal)")
    p.add_argument("--naam", default=None,
                   help="name of the outputs zoekresultaat_<naam>.html/.csv (default: from the profile)")


def _sbi_category(config, sbi: str) -> tuple[str, str, str]:
    from pipeline.analyse.sbi import sbi_categorie, sbi_tabellen
    found = sbi_categorie([sbi], sbi_tabellen(config.analyse.milieuruimte)).iloc[0]
    if pd.isna(found["cat_max"]):
        raise ValueError(f"zoek: SBI code {sbi} is not in the SBI table (`pipeline sbi {sbi}`); give --categorie")
    return str(found["cat_min"]), str(found["cat_max"]), str(found["sbi_tabel"])


def profile(config, args) -> Profiel:
    """The profile the arguments describe (see the module docstring); ValueError for an incomplete one."""
    from pipeline.analyse.sbi import sbi_prefix_match
    if args.sbi is None and args.categorie is None:
        raise ValueError("zoek: give --sbi CODE or --categorie CAT (the milieucategorie the plot must allow)")
    if not args.ha or args.ha <= 0:
        raise ValueError("zoek: --ha must be more than 0")
    herkomst, sbi_cat = [], None
    categorie = args.categorie
    if args.sbi is not None:
        lo, hi, tabel = _sbi_category(config, args.sbi)
        sbi_cat = (lo, hi)
        if categorie is None:
            categorie = hi
            span = lo if lo == hi else f"{lo} – {hi}"
            tabel = {"ingebouwd": "ingebouwde", "gemeentelijk": "gemeentelijke"}.get(tabel, tabel)
            herkomst.append(f"categorie {hi}: de hoogste van SBI {args.sbi} ({span}, {tabel} SBI-tabel)")
    if args.categorie is not None:
        herkomst.append(f"categorie {categorie} opgegeven")
    water, cemt = _water(config, args, sbi_prefix_match, herkomst)
    regio = args.regio.strip() if args.regio else None
    return Profiel(ha=float(args.ha), categorie=categorie, water=water, cemt=cemt, spoor=bool(args.spoor),
                   snelweg=bool(args.snelweg), mw_afname=float(args.mw_afname or 0), regio=regio,
                   mw_invoeding=float(args.mw_invoeding or 0), sbi=args.sbi, sbi_cat=sbi_cat,
                   herkomst="; ".join(herkomst))


def _water(config, args, sbi_prefix_match, herkomst: list[str]) -> tuple[bool, str | None]:
    standaard = config.zoek.cemt_standaard or config.analyse.kades.water_min_klasse
    if args.cemt is not None:
        if args.watergebonden is False:
            raise ValueError("zoek: --cemt and --niet-watergebonden contradict each other")
        herkomst.append(f"watergebonden: kade aan bereikbare klasse ≥ {args.cemt} opgegeven")
        return True, args.cemt
    if args.watergebonden is not None:
        herkomst.append(f"watergebonden opgegeven (klasse ≥ {standaard})" if args.watergebonden
                        else "niet watergebonden opgegeven")
        return bool(args.watergebonden), standaard if args.watergebonden else None
    if args.sbi is not None and sbi_prefix_match([args.sbi], config.analyse.kades.watergebonden_sbi)[0]:
        herkomst.append(f"watergebonden volgens SBI {args.sbi} (analyse.kades.watergebonden_sbi), "
                        f"klasse ≥ {standaard}")
        return True, standaard
    return False, None


def output_name(p: Profiel) -> str:
    """A file-name part that says the profile: 'sbi2410_6ha_IV_afname5'."""
    parts = [f"sbi{p.sbi}" if p.sbi else f"cat{p.categorie}", f"{p.ha:g}ha"]
    parts += [p.cemt] if p.water and p.cemt else []
    parts += ["spoor"] if p.spoor else []
    parts += ["snelweg"] if p.snelweg else []
    parts += [f"afname{p.mw_afname:g}"] if p.mw_afname else []
    parts += [f"invoeding{p.mw_invoeding:g}"] if p.mw_invoeding else []
    parts += [p.regio] if p.regio else []
    return re.sub(r"[^A-Za-z0-9_-]+", "", "_".join(parts).replace(".", ""))


def run(config, args) -> dict:
    """Search, write the page and the CSV as one set, return the console summary."""
    from pipeline.zoek import tabel, uitvoer, zoek
    p = profile(config, args)
    if args.aantal is not None:
        config.zoek.aantal = args.aantal
    kavels = tabel.build(config)
    known = sorted(set(kavels.terreinen["regio"]))
    if p.regio is not None and p.regio not in known:
        raise ValueError(f"zoek: regio {p.regio!r} is not in this run; known: {known}")
    result = zoek(kavels, p, config)
    paths = uitvoer.write(config, kavels, result, name=args.naam or output_name(p))
    return uitvoer.summary(result, paths)
