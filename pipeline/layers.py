"""The canonical layers: what ingest writes to data/processed/ and every later stage reads.

One GeoParquet file per layer, EPSG:28992, with exactly these columns (plus `geometry`). This is the
contract between ingest (which maps each real source onto it) and the analyses, score and exports.
Missing optional values are nulls, never sentinel numbers.

Column types: "str" (pandas string), "float", "int", "bool", "cat" (milieucategorie string "1".."6",
see categories.py), "cemt" (CEMT class string "0".."VIc"), "date" (ISO date string).
"""
from dataclasses import dataclass


@dataclass(frozen=True)
class Layer:
    name: str
    geometry: str  # "Polygon" (stored as MultiPolygon), "LineString", "Point"
    columns: dict[str, str]
    required: bool = True
    description: str = ""

    @property
    def filename(self) -> str:
        return f"{self.name}.parquet"


LAYERS: dict[str, Layer] = {
    layer.name: layer
    for layer in [
        Layer(
            "terreinen", "Polygon",
            {
                "rin_nummer": "str",          # IBIS RIN_NUMMER, unique per terrein
                "naam": "str",                # PLAN_NAAM
                "gemeente_code": "str",       # "GM0772"; GM0000 / null = unknown
                "kern": "str",
                "provincie": "str",
                "jaar": "int",                # peiljaar of the record kept (latest)
                "ha_bruto": "float",
                "ha_netto": "float",
                "ha_uitgeefbaar": "float",    # HA_TOTTUIT, or netto - uitgegeven
                "wloc_type": "str",           # A, B, B1, B2, C1..C4, X
                "max_milieucategorie": "str", # IBIS main category "1".."6", null if unknown
                "water_ontsluiting": "bool",  # IBIS WATER_ONTSLUITING_CODE present and not "nee"
                "spoor_ontsluiting": "bool",
            },
            description="IBIS bedrijventerreinen, latest year per RIN_NUMMER, dissolved per terrein",
        ),
        Layer(
            "kavels", "Polygon",
            {
                "kavel_id": "str",
                "rin_nummer": "str",          # terrein the kavel lies in (largest overlap)
                "uitgifte_status": "str",     # "uitgegeven", "uitgeefbaar", null = unknown
                "bron": "str",                # "kavellaag" or "terrein" (no kavel layer: terrein = 1 kavel)
            },
            description="Kavels (plots), clipped to the terreinen",
        ),
        Layer(
            "panden", "Polygon",
            {"pand_id": "str", "bouwjaar": "int", "status": "str"},
            description="BAG panden (footprints)",
        ),
        Layer(
            "verblijfsobjecten", "Point",
            {
                "vbo_id": "str",
                "gebruiksdoel": "str",        # comma-separated BAG gebruiksdoelen
                "gevoelig": "bool",           # a gevoelig object per the configured gebruiksdoelen
            },
            description="BAG verblijfsobjecten with gebruiksdoel",
        ),
        Layer(
            "kades", "LineString",
            {
                "kade_id": "str",
                "bgt_type": "str",            # kademuur, damwand, keermuur
                "betrouwbaarheid": "str",     # hoog, middel
                "bron": "str",                # "BGT scheiding", "BGT kunstwerkdeel", "OSM"
            },
            description="Quay segments (BGT scheiding/kunstwerkdeel), current versions only",
        ),
        Layer(
            "vaarwegen", "LineString",
            {"vaarweg_id": "str", "naam": "str", "cemt_klasse": "cemt"},
            description="Fairway sections with CEMT class (VNDS / NWB-Vaarwegen), a network",
        ),
        Layer(
            "milieuzones", "Polygon",
            {
                "zone_id": "str",
                "soort": "str",               # "bestemmingsvlak", "geluidzone", "zone_geluid", "zone_geur", ...
                "max_milieucategorie": "cat", # "bedrijf tot en met categorie X"; null for pure zones
                "max_bebouwingspercentage": "float",  # 0..100, null if the plan does not say
                "omschrijving": "str",        # the original text (functieaanduiding / label)
            },
            description="Milieuzones: zoning plots with max category, noise zones, per-aspect zones",
        ),
        Layer(
            "netcapaciteit", "Polygon",
            {
                "gebied_id": "str",           # voedingsgebied_id or postcode
                "gebied_naam": "str",
                "netbeheerder": "str",
                "afname_status": "str",       # groen, geel, oranje, rood, onbekend
                "invoeding_status": "str",
                "afname_beschikbaar_mw": "float",
                "invoeding_beschikbaar_mw": "float",
                "afname_wachtrij_mw": "float",
                "invoeding_wachtrij_mw": "float",
                "afname_wachtrij_aantal": "float",
                "invoeding_wachtrij_aantal": "float",
            },
            description="Netcapaciteit (capaciteitskaart) per supply area, afname and invoeding",
        ),
        Layer(
            "vestigingen", "Point",
            {"vestiging_id": "str", "naam": "str", "sbi_code": "str", "werkzame_personen": "float"},
            required=False,
            description="Vestigingen with SBI-2008 code (text, '45.20')",
        ),
        Layer(
            "spoor", "LineString",
            {"spoor_id": "str", "soort": "str"},   # soort: "raccordement", "emplacement", "hoofdspoor"
            required=False,
            description="Rail tracks and sidings (raccordementen)",
        ),
        Layer(
            "opritten", "Point",
            {"oprit_id": "str", "wegnummer": "str", "soort": "str"},  # soort: "oprit", "afrit", "aansluiting"
            required=False,
            description="Motorway ramps / junctions (aansluitingen)",
        ),
        Layer(
            "omgevingstypen", "Polygon",
            {"omgevingstype": "str"},          # "rustige woonwijk" or "gemengd gebied"
            required=False,
            description="Omgevingstype areas for the VNG richtafstanden",
        ),
    ]
}
