"""The canonical layers: what ingest writes from each real source and every later stage reads.

One GeoParquet file per layer, EPSG:28992. Missing optional values are nulls, never sentinel numbers.
"""
from pipeline.catalogue.model import Column as C, Dataset

READ_BY = ("analyse", "export")

CANONICAL = [
    Dataset("terreinen", "ingest", "IBIS bedrijventerreinen, latest year per RIN_NUMMER, dissolved per terrein", (
        C("rin_nummer", "str", "RIN-nummer", nullable=False, groep="Algemeen", rapport=True,
          description="IBIS RIN_NUMMER, unique per terrein"),
        C("naam", "str", "Naam", groep="Algemeen", rapport=True, description="PLAN_NAAM"),
        C("gemeente_code", "str", "Gemeentecode", groep="Algemeen", rapport=True,
          description="CBS code 'GM0772'; null = unknown (IBIS GM0000)"),
        C("kern", "str", "Kern", groep="Algemeen"),
        C("provincie", "str", "Provincie", groep="Algemeen"),
        C("jaar", "int", "Peiljaar IBIS", groep="Algemeen", description="peiljaar of the record kept (latest)"),
        C("ha_bruto", "float", "Bruto oppervlakte", "ha", 1, groep="Algemeen", rapport=True,
          description="everything inside the contour"),
        C("ha_netto", "float", "Netto oppervlakte", "ha", 1, groep="Algemeen", description="sum of issuable plots"),
        C("ha_uitgeefbaar", "float", "Uitgeefbaar (IBIS)", "ha", 1, groep="Algemeen",
          description="HA_TOTTUIT, or netto - uitgegeven"),
        C("wloc_type", "str", "Werklocatietype", groep="Algemeen", description="A, B, B1, B2, C1..C4, X"),
        C("max_milieucategorie", "str", "Max. milieucategorie (IBIS)", groep="Algemeen",
          description="IBIS main category '1'..'6', null if unknown"),
        C("water_ontsluiting", "bool", "Ontsloten over water (IBIS)", nullable=False, groep="Algemeen",
          description="IBIS WATER_ONTSLUITING_CODE present and not 'nee'"),
        C("spoor_ontsluiting", "bool", "Ontsloten over spoor (IBIS)", nullable=False, groep="Algemeen"),
    ), geometry="Polygon", key="rin_nummer", readers=READ_BY),
    Dataset("kavels", "ingest", "Kavels (plots), clipped to the terrein they overlap most", (
        C("kavel_id", "str", "Kavel", nullable=False),
        C("rin_nummer", "str", "RIN-nummer", nullable=False, description="terrein the kavel lies in"),
        C("uitgifte_status", "str", "Uitgiftestatus", description="'uitgegeven', 'uitgeefbaar', null = unknown"),
        C("bron", "str", "Bron", nullable=False,
          description="'kavellaag', or 'terrein' when there is no kavel layer (each terrein is one kavel)"),
    ), geometry="Polygon", key="kavel_id", readers=READ_BY),
    Dataset("panden", "ingest", "BAG panden (footprints)", (
        C("pand_id", "str", "BAG-identificatie", nullable=False, description="16-digit BAG identificatie"),
        C("bouwjaar", "int", "Bouwjaar"),
        C("status", "str", "Status"),
    ), geometry="Polygon", readers=READ_BY, spatial_sort=True),
    Dataset("verblijfsobjecten", "ingest", "BAG verblijfsobjecten with gebruiksdoel", (
        C("vbo_id", "str", "BAG-identificatie", nullable=False),
        C("gebruiksdoel", "str", "Gebruiksdoel", description="comma-separated BAG gebruiksdoelen"),
        C("gevoelig", "bool", "Gevoelig object", nullable=False,
          description="a gevoelig object per analyse.milieuruimte.gevoelige_gebruiksdoelen"),
    ), geometry="Point", readers=READ_BY, spatial_sort=True),
    Dataset("kades", "ingest", "Quay segments (BGT scheiding/kunstwerkdeel), current versions only", (
        C("kade_id", "str", "Kade", nullable=False),
        C("bgt_type", "str", "BGT-type", description="kademuur, damwand, keermuur"),
        C("betrouwbaarheid", "str", "Betrouwbaarheid", description="hoog, middel, laag"),
        C("bron", "str", "Bron", description="'BGT scheiding', 'BGT kunstwerkdeel', 'OSM'"),
        C("geometrie_bron", "str", "Geometrie in de bron",
          description="geometry type in the source file: LineString, Polygon (a wall drawn as an area), "
                      "CompoundCurve / CircularString / CurvePolygon (with arcs), ..."),
        C("conversie", "str", "Conversie",
          description="what ingest did to the geometry: 'geen', 'bogen gelinealiseerd', 'lange zijde (rechthoek)', "
                      "'middellijn (mediale as)', 'middellijn (ringvormige strook)', or arcs and a centre line "
                      "joined by '; '"),
    ), geometry="LineString", key="kade_id", readers=READ_BY),
    Dataset("vaarwegen", "ingest", "Fairway sections with CEMT class (VNDS / NWB-Vaarwegen), a network", (
        C("vaarweg_id", "str", "Vaarwegvak", nullable=False),
        C("naam", "str", "Naam"),
        C("cemt_klasse", "cemt", "CEMT-klasse"),
    ), geometry="LineString", readers=READ_BY),
    Dataset("milieuzones", "ingest", "Milieuzones: zoning plots with max category, noise zones, per-aspect zones", (
        C("zone_id", "str", "Zone", nullable=False),
        C("soort", "str", "Soort", description="'bestemmingsvlak', 'geluidzone', 'zone_geluid', 'zone_geur', ..."),
        C("max_milieucategorie", "cat", "Max. milieucategorie (plan)",
          description="'bedrijf tot en met categorie X'; null for pure zones"),
        C("max_bebouwingspercentage", "float", "Max. bebouwingspercentage", "%", 0,
          description="0..100, null if the plan does not say"),
        C("omschrijving", "str", "Omschrijving", description="the original text (functieaanduiding / label)"),
    ), geometry="Polygon", readers=READ_BY),
    Dataset("netcapaciteit", "ingest", "Netcapaciteit (capaciteitskaart) per supply area, afname and invoeding", (
        C("gebied_id", "str", "Gebied", description="voedingsgebied_id or postcode"),
        C("gebied_naam", "str", "Gebiedsnaam"),
        C("netbeheerder", "str", "Netbeheerder"),
        C("afname_status", "str", "Afname", nullable=False, description="groen, geel, oranje, rood, onbekend"),
        C("invoeding_status", "str", "Invoeding", nullable=False, description="groen, geel, oranje, rood, onbekend"),
        C("afname_beschikbaar_mw", "float", "Afname beschikbaar", "MW", 1),
        C("invoeding_beschikbaar_mw", "float", "Invoeding beschikbaar", "MW", 1),
        C("afname_wachtrij_mw", "float", "Afname wachtrij", "MW", 1),
        C("invoeding_wachtrij_mw", "float", "Invoeding wachtrij", "MW", 1),
        C("afname_wachtrij_aantal", "float", "Afname wachtrij (aantal)", "", 0),
        C("invoeding_wachtrij_aantal", "float", "Invoeding wachtrij (aantal)", "", 0),
    ), geometry="Polygon", readers=READ_BY),
    Dataset("vestigingen", "ingest", "Vestigingen with SBI-2008 code (text, '45.20')", (
        C("vestiging_id", "str", "Vestiging", nullable=False),
        C("naam", "str", "Naam"),
        C("sbi_code", "str", "SBI-code", description="SBI-2008 as text ('45.20' is not 45.2)"),
        C("werkzame_personen", "float", "Werkzame personen", "", 0),
    ), geometry="Point", required=False, readers=READ_BY),
    Dataset("spoor", "ingest", "Rail tracks and sidings (raccordementen)", (
        C("spoor_id", "str", "Spoor", nullable=False),
        C("soort", "str", "Soort", description="'raccordement', 'emplacement', 'hoofdspoor'"),
    ), geometry="LineString", required=False, readers=READ_BY),
    Dataset("opritten", "ingest", "Motorway ramps / junctions (aansluitingen)", (
        C("oprit_id", "str", "Oprit", nullable=False),
        C("wegnummer", "str", "Wegnummer"),
        C("soort", "str", "Soort", description="'oprit', 'afrit', 'aansluiting'"),
    ), geometry="Point", required=False, readers=READ_BY),
    Dataset("omgevingstypen", "ingest", "Omgevingstype areas for the VNG richtafstanden", (
        C("omgevingstype", "str", "Omgevingstype", nullable=False,
          description="'rustige woonwijk' or 'gemengd gebied'"),
    ), geometry="Polygon", required=False, readers=READ_BY),
    Dataset("terreinen_historie", "ingest",
            "IBIS history: one row per RIN_NUMMER and year (every dated record of the terreinen in the terreinen "
            "layer), for the trend of bruto, netto and uitgeefbaar ha; the latest year equals terreinen", (
                C("rin_nummer", "str", "RIN-nummer", nullable=False),
                C("jaar", "int", "Peiljaar IBIS", nullable=False),
                C("naam", "str", "Naam", description="PLAN_NAAM of that year"),
                C("gemeente_code", "str", "Gemeentecode", description="first GEM_CODES of that year's record"),
                C("wloc_type", "str", "Werklocatietype"),
                C("ha_bruto", "float", "Bruto oppervlakte", "ha", 1),
                C("ha_netto", "float", "Netto oppervlakte", "ha", 1),
                C("ha_uitgeefbaar", "float", "Uitgeefbaar (IBIS)", "ha", 1, description="HA_TOTTUIT, or netto - uitgegeven"),
                C("aantal_records", "int", "Records in IBIS", nullable=False,
                  description="polygons of the terrein in that year (the attributes are those of the first, as in "
                              "terreinen)"),
            ), format="csv", readers=("export",)),
    Dataset("gemeenten", "ingest",
            "Gemeentegrenzen with names (CBS gebiedsindelingen, generalised): context on the maps, no analysis", (
        C("gemeente_code", "str", "Gemeentecode", nullable=False, description="CBS code 'GM0772' (statcode)"),
        C("gemeente_naam", "str", "Gemeente", nullable=False, description="statnaam"),
        C("provincie_naam", "str", "Provincie", description="the province; null when the source does not say"),
    ), geometry="Polygon", key="gemeente_code", required=False, readers=("export",)),
    Dataset("provincies", "ingest",
            "Provinciegrenzen with names (CBS gebiedsindelingen, generalised): context on the maps, no analysis", (
        C("provincie_code", "str", "Provinciecode", description="CBS code 'PV30' (statcode)"),
        C("provincie_naam", "str", "Provincie", nullable=False, description="statnaam"),
    ), geometry="Polygon", key="provincie_naam", required=False, readers=("export",)),
]

# what export adds to a canonical layer only to show it (GeoPackage layer invoer_panden, the detail pages)
SHOWN = [
    Dataset("panden_uitvoer", "export", "BAG panden as the GeoPackage and the detail pages show them: panden plus", (
        C("gebruik", "str", "Gebruik (uit verblijfsobjecten)", nullable=False,
          description="from the gebruiksdoelen of the verblijfsobjecten in the pand, the first that applies: "
                      "'wonen en werken', 'wonen', 'industrie', 'kantoor', 'winkel', 'maatschappelijk en overig', "
                      "'geen verblijfsobject' (pipeline/export/context.py)"),
    ), geometry="Polygon", extends="panden", format="gpkg"),
]
