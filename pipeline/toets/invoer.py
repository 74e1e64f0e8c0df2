"""What the toets reads: the processed outputs of a run (checked against the catalogue), and which kavels change.

Reads from `paths.processed`: terreinen_strategisch (the indicators, flag and typology per terrein),
kavels_indicatoren, kades_status, vestigingen_register, and the canonical kavels (uitgifte_status), netcapaciteit,
spoor and opritten. An unknown RIN or a kavel that is not on the terrein is an error naming it.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd

from pipeline import catalogue


class ToetsError(ValueError):
    """The toets cannot run as asked; the message names the terrein, kavel or file."""


@dataclass
class Invoer:
    """The run's outputs the toets works on (all EPSG:28992)."""
    terreinen: gpd.GeoDataFrame            # terreinen_strategisch
    kavels: gpd.GeoDataFrame               # kavels_indicatoren
    kades: gpd.GeoDataFrame                # kades_status
    register: gpd.GeoDataFrame | None      # vestigingen_register; None without a vestigingen layer
    uitgifte: pd.Series                    # uitgifte_status by kavel_id (empty without a kavel layer)
    netcapaciteit: gpd.GeoDataFrame
    spoor: gpd.GeoDataFrame | None
    opritten: gpd.GeoDataFrame | None


def read_invoer(processed: Path, analyse) -> Invoer:
    processed = Path(processed)

    def read(name: str, **kw):
        return catalogue.read(name, processed, analyse, **kw)

    kavels_canon = read("kavels", optional=True)
    vestigingen_bekend = catalogue.path("vestigingen", processed).is_file()
    uitgifte = (kavels_canon.set_index(kavels_canon["kavel_id"].astype(str))["uitgifte_status"]
                if kavels_canon is not None else pd.Series(dtype="string"))
    return Invoer(terreinen=read("terreinen_strategisch"), kavels=read("kavels_indicatoren"),
                  kades=read("kades_status"),
                  register=read("vestigingen_register", optional=True) if vestigingen_bekend else None,
                  uitgifte=uitgifte, netcapaciteit=read("netcapaciteit"), spoor=read("spoor", optional=True),
                  opritten=read("opritten", optional=True))


def transformed_kavels(invoer: Invoer, rin: str, kavel_ids: list[str] | None) -> tuple[list[str], bool]:
    """(kavel ids that change function, whether that is the whole terrein); errors name what is unknown."""
    rins = invoer.terreinen["rin_nummer"].astype(str)
    if rin not in set(rins):
        examples = ", ".join(sorted(rins)[:5])
        raise ToetsError(f"toets: terrein {rin!r} is not in terreinen_strategisch ({len(rins)} terreinen, e.g. "
                         f"{examples}); give --terrein a rin_nummer of this run")
    on_terrein = invoer.kavels.loc[invoer.kavels["rin_nummer"].astype(str) == rin, "kavel_id"].astype(str).tolist()
    if not kavel_ids:
        if not on_terrein:
            raise ToetsError(f"toets: terrein {rin!r} has no kavels in kavels_indicatoren; run analyse again")
        return on_terrein, True
    known = dict(zip(invoer.kavels["kavel_id"].astype(str), invoer.kavels["rin_nummer"].astype(str)))
    unknown = [k for k in kavel_ids if k not in known]
    if unknown:
        raise ToetsError(f"toets: kavel(s) {unknown} not in kavels_indicatoren (terrein {rin!r} has "
                         f"{len(on_terrein)} kavels, e.g. {', '.join(on_terrein[:5])})")
    elsewhere = [f"{k} (terrein {known[k]})" for k in kavel_ids if known[k] != rin]
    if elsewhere:
        raise ToetsError(f"toets: kavel(s) {', '.join(elsewhere)} do not lie on terrein {rin!r}")
    chosen = list(dict.fromkeys(kavel_ids))
    return chosen, set(chosen) == set(on_terrein)
