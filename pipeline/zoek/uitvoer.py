"""What a search writes: `<maps>/zoekresultaat_<naam>.html` (Dutch page: the profile, the rules and settings, the
ranked candidates with every rule, a map with the candidates) and `<processed>/zoekresultaat_<naam>.csv` (one row
per candidate: rang, kavels, terrein, ha, every rule's outcome and value, the scarce qualities held without need,
the reason), swapped in together (pipeline.workspace.output_set). The page is byte-reproducible and makes no
network request (Leaflet inlined).
"""
from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import shapely

from pipeline import workspace
from pipeline.export.kaartdata import features
from pipeline.export.paginas import leaflet_css, leaflet_js, render
from pipeline.io import atomic_path
from pipeline.zoek import Resultaat
from pipeline.zoek.regels import REGELS, Profiel
from pipeline.zoek.rangorde import ha_tekst, tiende
from pipeline.zoek.tabel import Tabel

SYMBOOL = {"ja": "✓", "nee": "✗", "onbekend": "?", "n.v.t.": "–"}


def profile_rows(p: Profiel) -> list[tuple[str, str]]:
    """The profile as the page and the console show it (Dutch)."""
    rows = []
    if p.sbi:
        span = "" if p.sbi_cat is None else (p.sbi_cat[0] if p.sbi_cat[0] == p.sbi_cat[1]
                                             else f"{p.sbi_cat[0]} – {p.sbi_cat[1]}")
        rows.append(("SBI-code", f"{p.sbi} (categorie {span} volgens de SBI-tabel)"))
    rows += [("Milieucategorie nodig", f"≥ {p.categorie}"), ("Oppervlakte nodig", ha_tekst(p.m2)),
             ("Watergebonden", f"ja, kade aan bereikbare CEMT-klasse ≥ {p.cemt}" if p.water else "nee"),
             ("Spoor nodig", "ja" if p.spoor else "nee"), ("Snelweg nodig", "ja" if p.snelweg else "nee"),
             ("Netcapaciteit afname", f"{tiende(p.mw_afname)} MW" if p.mw_afname else "niet gevraagd"),
             ("Netcapaciteit invoeding", f"{tiende(p.mw_invoeding)} MW" if p.mw_invoeding else "niet gevraagd"),
             ("Regio", p.regio or "alle")]
    if p.herkomst:
        rows.append(("Afgeleid", p.herkomst))
    return rows


def profile_title(p: Profiel) -> str:
    """'SBI 24.10, 6,0 ha, kade CEMT ≥ IV, 5,0 MW afname' (the page title)."""
    parts = [f"SBI {p.sbi}" if p.sbi else f"categorie {p.categorie}", ha_tekst(p.m2)]
    parts += [f"kade CEMT ≥ {p.cemt}"] if p.water else []
    parts += ["spoor"] if p.spoor else []
    parts += ["snelweg"] if p.snelweg else []
    parts += [f"{tiende(p.mw_afname)} MW afname"] if p.mw_afname else []
    parts += [f"{tiende(p.mw_invoeding)} MW invoeding"] if p.mw_invoeding else []
    parts += [p.regio] if p.regio else []
    return ", ".join(parts)


def settings_rows(result: Resultaat) -> list[tuple[str, str]]:
    lim = result.limieten
    return [("Kade", f"minstens {tiende(lim.kade_min_m)} m die geen watergebonden bedrijf gebruikt (zoek.kade_min_m)"),
            ("Spoor / oprit", f"binnen {tiende(lim.spoor_m)} m / {tiende(lim.oprit_m)} m van een van de kavels"),
            ("Netcapaciteit", f"minstens {round(lim.net_min_aandeel * 100)} % van het oppervlak in status "
                              f"{', '.join(lim.net_passend)} (zoek.net_passend), en genoeg MW beschikbaar waar bekend"),
            ("Groepen", f"aangrenzende beschikbare kavels van één terrein, hoogstens {lim.max_kavels} (zoek.max_kavels)"),
            ("Ruim groter dan nodig", f"meer dan {round((1 + lim.max_overmaat) * 100)} % van de gevraagde oppervlakte")]


def candidate_features(config, tabel: Tabel, result: Resultaat) -> dict:
    """The listed candidates as one (multi)polygon each, in EPSG:4326, with rang, kavels and voldoet."""
    geoms = tabel.kavels.geometry.to_numpy()
    shapes = [shapely.union_all(geoms[result.evaluatie.kavels(c)]) for c in result.kandidaten]  # <= zoek.aantal
    frame = gpd.GeoDataFrame(result.lijst[["rang", "kavels", "terrein", "voldoet", "ha"]].copy(),
                             geometry=shapes, crs=tabel.kavels.crs)
    return features(frame, None, min(config.export.kaart_vereenvoudiging_m, 1.0), config.export.kaart_decimalen)


def render_page(config, tabel: Tabel, result: Resultaat, *, name: str) -> str:
    """The result page (`name`: the file-name part, for the CSV's name on the page)."""
    lijst = result.lijst
    return render("zoekresultaat.html", titel=f"Zoek een plek – {profile_title(result.profiel)}",
                  regio=config.region.name,
                  profiel=profile_rows(result.profiel), instellingen=settings_rows(result),
                  regels=REGELS, kandidaten=lijst.to_dict("records"), symbool=SYMBOOL,
                  aantal_voldoet=int(lijst["voldoet"].sum()) if len(lijst) else 0,
                  aantal_beoordeeld=len(result.evaluatie), csv_naam=f"zoekresultaat_{name}.csv",
                  leaflet_js=leaflet_js(), leaflet_css=leaflet_css(),
                  data=candidate_features(config, tabel, result))


def write(config, tabel: Tabel, result: Resultaat, *, name: str) -> dict[str, Path]:
    processed, maps = Path(config.paths.processed), Path(config.paths.maps)
    html = render_page(config, tabel, result, name=name)
    with workspace.output_set("zoek", [processed, maps]) as out:
        with atomic_path(out.folder(maps) / f"zoekresultaat_{name}.html") as tmp:
            tmp.write_text(html, encoding="utf-8")
        with atomic_path(out.folder(processed) / f"zoekresultaat_{name}.csv") as tmp:
            result.lijst.to_csv(tmp, index=False, encoding="utf-8")
    return {"pagina": maps / f"zoekresultaat_{name}.html", "csv": processed / f"zoekresultaat_{name}.csv"}


def summary(result: Resultaat, paths: dict[str, Path]) -> dict:
    """The console table: the profile, the counts, the top candidates with their reason, the files."""
    lijst = result.lijst
    out = {label: value for label, value in profile_rows(result.profiel)}
    out["kandidaten beoordeeld"] = len(result.evaluatie)
    out["voldoen aan alle eisen"] = int(lijst["voldoet"].sum()) if len(lijst) else 0
    for row in lijst.head(5).to_dict("records"):
        out[f"{row['rang']}. {row['kavels']}"] = f"{row['terrein']}, {ha_tekst(round(row['ha'] * 10_000))}: {row['reden']}"
    if lijst.empty:
        out["resultaat"] = "geen kandidaten"
    out.update({k: str(v) for k, v in paths.items()})
    return out
