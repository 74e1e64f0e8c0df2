"""Issue 6's promise: on downloaded data "the usual stages run unchanged".

A local pytest-httpserver replays, in the formats the real services answer with, a small coherent
piece of Noord-Brabant near Tilburg for EVERY source that config/noord-brabant.yaml fetches:
- IBIS (ArcGIS FeatureServer, f=geojson): its layer description (object-id field FID, maxRecordCount 2), 3
  terreinen over several years selected by the region's envelope, 2 records per page with
  `properties.exceededTransferLimit`;
- PDOK OGC API Features (gokoala): BAG pand + verblijfsobject, BGT scheiding_lijn + scheiding_vlak +
  kunstwerkdeel_lijn + kunstwerkdeel_vlak, each paged with cursor `next` links, no `crs` member, answering what
  intersects the `bbox`; the real config fetches them per_terrein, in boxes around the fetched terreinen;
- the VNDS WFS feature type vnds:l_navigability (GeoJSON, startIndex paging, class in `code`);
- the capaciteitskaart afname view (ArcGIS, pages of 100), which carries afname, opwek and both queues;
- the CBS gebiedsindelingen WFS (gemeente_gegeneraliseerd, provincie_gegeneraliseerd: statcode, statnaam; a
  gemeente with an island comes as two features).
The configuration is config/noord-brabant.yaml itself with only the host of every URL pointed at the
test server and every path moved into tmp_path, so the real config's kinds, params, layers and field
overrides are what is tested. The user-supplied sources (kavels, milieuzones + geluidzones,
vestigingen) are written as small files. Then fetch -> ingest -> analyse -> score run as usual.
"""
from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

import geopandas as gpd
import pandas as pd
import pytest
import yaml
from shapely.geometry import Point, box, shape

from pipeline import analyse, fetch, ingest, score
from pipeline.config import REPO_ROOT, Config
from pipeline.fetch.files import write_feature_collection
from pipeline.fetch.ogcapi import CRS_URI
from pipeline.ingest.bag import ingest_verblijfsobjecten
from pipeline.ingest.quality import Report
from test_fetch_support import layer_description, no_proxy_env, reply  # noqa: F401

REAL_CONFIG = REPO_ROOT / "config" / "noord-brabant.yaml"
ARCGIS_PAGE = 2   # the test layers' maxRecordCount: fewer than the 1000 the config asks for
OGC_PAGE = 2      # PDOK pages are cut at 2 features here, whatever `limit` says
TIMESTAMP = "2026-04-20T09:12:44Z"


# ---------------------------------------------------------------------------------------------
# The geography (EPSG:28992, around Tilburg)
# ---------------------------------------------------------------------------------------------
def ring(geom) -> list:
    return [[float(x), float(y)] for x, y in geom.exterior.coords]


def polygon(geom) -> dict:
    return {"type": "Polygon", "coordinates": [ring(geom)]}


def line(*xy) -> dict:
    return {"type": "LineString", "coordinates": [[float(x), float(y)] for x, y in xy]}


def point(x, y) -> dict:
    return {"type": "Point", "coordinates": [float(x), float(y)]}


VOSSENBERG = box(130000, 398000, 131000, 398800)        # 80 ha, its north edge on the Wilhelminakanaal (y=398840)
VOSSENBERG_2022 = box(130000, 398000, 130800, 398800)   # smaller contour of an older survey
LOVEN = box(132000, 396000, 132600, 396500)             # 30 ha, inland
KRAAIVEN = box(134000, 399000, 134500, 399400)          # 20 ha, north bank of the canal


def ibis(oid, rin, jaar, naam, geom, ha, netto, uit, cat, water):
    return {"type": "Feature", "id": oid, "geometry": polygon(geom), "properties": {
        "FID": oid, "RIN_NUMMER": rin, "JAAR": jaar, "PLAN_NAAM": naam, "KERN_NAAM": "Tilburg",
        "GEM_CODES": "GM0855", "PROV_NAMEN": "Noord-Brabant", "HA_BRUTO": ha, "HA_NETTO": netto,
        "HA_TOTTUIT": uit, "WLOC_TYPE": "B", "MAX_MILIEUCATEGORIE_CODE": cat, "WATER_ONTSLUITING_CODE": water}}


IBIS = [  # ordered by OBJECTID, all years as the layer holds them
    ibis(1, 5001, 2022, "VOSSENBERG", VOSSENBERG_2022, 64.0, 50.0, 6.0, 4, "J"),
    ibis(2, 5001, 2023, "VOSSENBERG", VOSSENBERG, 80.0, 62.5, 4.5, 4, "J"),
    ibis(3, 5002, 2023, "LOVEN", LOVEN, 30.0, 24.1, 0.0, 3, "N"),
    ibis(4, 5002, 2022, "LOVEN", LOVEN, 30.0, 24.1, 1.2, 3, "N"),
    ibis(5, 5003, 2021, "KRAAIVEN", KRAAIVEN, 18.0, 14.0, 3.0, 3, "N"),
    ibis(6, 5003, 2023, "KRAAIVEN", KRAAIVEN, 20.0, 15.5, 2.0, 3, "J"),
]


def pdok(uuid, geometry, properties) -> dict:
    return {"id": uuid, "type": "Feature", "geometry": geometry, "properties": properties}


def uuid(n: int) -> str:
    return f"00000000-0000-0000-0000-{n:012x}"


def pand(n, ident, geom, bouwjaar, doel, vbos, base):
    return pdok(uuid(0x5A3D0000 + n), polygon(geom), {
        "aantal_verblijfsobjecten": len(vbos), "bouwjaar": bouwjaar, "documentdatum": "2019-05-14",
        "documentnummer": f"BV2019-{n:03d}", "gebruiksdoel": doel, "geconstateerd": "N",
        "identificatie": ident, "rdf_seealso": f"https://bag.basisregistraties.overheid.nl/bag/id/pand/{ident}",
        "status": "Pand in gebruik",
        "verblijfsobject": [f"{base}/collections/verblijfsobject/items/{uuid(0x7B0000 + v)}" for v in vbos]})


def vbo(n, ident, x, y, doel, pand_n, base, oppervlakte=120):
    return pdok(uuid(0x7B0000 + n), point(x, y), {
        "gebruiksdoel": doel, "identificatie": ident, "oppervlakte": oppervlakte,
        "rdf_seealso": f"https://bag.basisregistraties.overheid.nl/bag/id/verblijfsobject/{ident}",
        "status": "Verblijfsobject in gebruik", "huisnummer": 10 + n, "huisletter": None, "toevoeging": None,
        "postcode": "5047TK", "openbare_ruimte_naam": "Vossenbergselaan", "woonplaats_naam": "Tilburg",
        "pand": [f"{base}/collections/pand/items/{uuid(0x5A3D0000 + pand_n)}"]})


# pand number -> (identificatie, contour, bouwjaar, gebruiksdoel, its verblijfsobject numbers)
PANDEN = {
    1: ("0855100000000001", box(130100, 398100, 130160, 398160), 1985, "industriefunctie", [1]),
    2: ("0855100000000002", box(130300, 398100, 130340, 398140), 2001, "kantoorfunctie", [2]),
    3: ("0855100000000003", box(130400, 397700, 130412, 397712), 1962, "woonfunctie", [3]),
    4: ("0855100000000004", box(132700, 396200, 132715, 396215), 1931, "winkelfunctie,woonfunctie", [4]),
    5: ("0855100000000005", box(134600, 399500, 134640, 399540), 2010, "gezondheidszorgfunctie", [5]),
}
# verblijfsobject number -> (identificatie, x, y, gebruiksdoel, pand number)
VBOS = {
    1: ("0855010000000001", 130130, 398130, "industriefunctie", 1),
    2: ("0855010000000002", 130320, 398120, "kantoorfunctie", 2),
    3: ("0855010000000003", 130406, 397706, "woonfunctie", 3),                 # 94 m south of Vossenberg
    4: ("0855010000000004", 132707, 396207, "winkelfunctie,woonfunctie", 4),   # 100 m east of Loven
    5: ("0855010000000005", 134620, 399520, "gezondheidszorgfunctie", 5),      # next to Kraaiven
}
GEVOELIG = {"0855010000000001": False, "0855010000000002": False, "0855010000000003": True,
            "0855010000000004": True, "0855010000000005": True}


def bgt(n, geometry, bgt_type, lokaal_id, *, eind=None, registered="2016-02-01T12:00:00Z", id_field="lokaal_id"):
    return pdok(uuid(0xBE700 + n), geometry, {
        "bgt_type": bgt_type, "bronhouder": "G0855", "creation_date": "2016-02-01T00:00:00Z",
        "eind_registratie": eind, "in_onderzoek": "false", id_field: lokaal_id,
        "lv_publicatiedatum": "2024-11-05T09:01:22Z", "plus_type": "waardeOnbekend",
        "relatieve_hoogteligging": 0, "status": "bestaand", "tijdstip_registratie": registered, "version": 1})


KADEMUUR = "G0855.0000000000000000000000000000a001"
SCHEIDING = [
    # the quay along Vossenberg's canal side, its superseded earlier version, and a revetment next to it
    bgt(1, line((130100, 398810), (130700, 398810)), "kademuur", KADEMUUR, registered="2021-06-01T10:00:00Z"),
    bgt(2, line((130100, 398810), (130600, 398810)), "kademuur", KADEMUUR,
        eind="2021-06-01T10:00:00Z", registered="2016-02-01T12:00:00Z"),
    bgt(3, line((130700, 398810), (130950, 398810)), "walbescherming", "G0855.0000000000000000000000000000a003"),
]
KUNSTWERKDEEL = [
    bgt(4, line((134100, 398990), (134400, 398990)), "keermuur", "G0855.0000000000000000000000000000b001",
        id_field="identificatie_lokaal_id"),
    bgt(5, line((134420, 398990), (134440, 398975)), "steiger", "G0855.0000000000000000000000000000b002",
        id_field="identificatie_lokaal_id"),
]
# walls drawn as areas: an 80 m kademuur strip 1.5 m wide next to Kraaiven, a keermuur strip at Vossenberg
SCHEIDING_VLAK = [bgt(6, polygon(box(134420, 398989.25, 134500, 398990.75)), "kademuur",
                      "G0855.0000000000000000000000000000c001")]
KUNSTWERKDEEL_VLAK = [bgt(7, polygon(box(130000, 398809.5, 130090, 398810.5)), "keermuur",
                          "G0855.0000000000000000000000000000d001", id_field="identificatie_lokaal_id")]
NAVIGABILITY = [  # VNDS l_navigability: the Wilhelminakanaal, one section per class; class in `code`
    pdok(1, line((126000, 398840), (132500, 398840)), {"id": 7100, "name": "Wilhelminakanaal", "code": "VA",
                                                       "description": "Groot Rijnschip"}),
    pdok(2, line((132500, 398840), (137000, 398840)), {"id": 7101, "name": "Wilhelminakanaal", "code": "IVb",
                                                       "description": "Rijn-Hernekanaalschip"}),
    pdok(3, line((137000, 398840), (141000, 399800)), {"id": 7102, "name": "Wilhelminakanaal", "code": "5a",
                                                       "description": "Groot Rijnschip"}),
]


def cbs(n, layer, geom, code, naam) -> dict:
    """A CBS gebiedsindelingen feature as the PDOK WFS gives it (GeoJSON, RD New)."""
    return {"type": "Feature", "id": f"{layer}.{n}", "geometry": polygon(geom),
            "properties": {"id": n, "statcode": code, "jrstatcode": f"2022{code}", "statnaam": naam,
                           "rubriek": layer.split("_")[0]}}


GEBIEDEN = {  # typeNames -> features: Tilburg (with an island), Goirle, and the province around them
    "gebiedsindelingen:gemeente_gegeneraliseerd": [
        cbs(1, "gemeente_gegeneraliseerd", box(125000, 393000, 140000, 402000), "GM0855", "Tilburg"),
        cbs(2, "gemeente_gegeneraliseerd", box(141000, 393000, 141500, 393500), "GM0855", "Tilburg"),
        cbs(3, "gemeente_gegeneraliseerd", box(125000, 385000, 140000, 393000), "GM0785", "Goirle")],
    "gebiedsindelingen:provincie_gegeneraliseerd": [
        cbs(4, "provincie_gegeneraliseerd", box(70000, 358000, 200000, 428000), "PV30", "Noord-Brabant")]}


def grid(oid, geom, gebied, naam, afname, opwek):
    """One supply area as the afname view gives it: both statuses (0..3 or null) and both queues."""
    props = {"OBJECTID": oid, "voedingsgebied_id": gebied, "voedingsgebied_naam": naam, "RNB": "Enexis",
             "afname": afname, "opwek": opwek,
             "wachtrij_afname": None if afname is None else 12.5, "aantal_wachtrij_afname": 4 if afname else 0,
             "beschikbaar_afname": None if afname is None else 0.0 if afname == 3 else 5.0,
             "wachtrij_invoeding": None if opwek is None else 3.0, "aantal_wachtrij_invoeding": 1 if opwek else 0,
             "beschikbaar_invoeding": None if opwek is None else 2.0}
    return {"type": "Feature", "id": oid, "geometry": polygon(geom), "properties": props}


GRID_NOORD = box(126000, 397500, 133000, 401000)
GRID_OOST = box(133000, 397500, 141000, 401000)
GRID_ZUID = box(126000, 394000, 141000, 397500)
GRID_LEEG = box(141000, 394000, 145000, 401000)
AREAS = [(1, GRID_NOORD, "ENEXIS-TBN", "Tilburg Noord", 3, 1),   # afname rood, opwek geel
         (2, GRID_OOST, "ENEXIS-UDN", "Udenhout", 1, 0),           # geel, groen
         (3, GRID_ZUID, "ENEXIS-TBZ", "Tilburg Zuid", 2, 3),       # oranje, rood
         (4, GRID_LEEG, "0", None, None, None)]                    # no colour yet
AFNAME = [grid(*area) for area in AREAS]


# ---------------------------------------------------------------------------------------------
# The services
# ---------------------------------------------------------------------------------------------
def arcgis_handler(features: list, seen: list, limit: int = ARCGIS_PAGE):
    """FeatureServer …/query: f=geojson pages of at most the layer's maxRecordCount by resultOffset."""
    def handler(request):
        seen.append(dict(request.args))
        offset = int(request.args["resultOffset"])
        count = min(int(request.args["resultRecordCount"]), limit)
        body = {"type": "FeatureCollection", "crs": {"type": "name", "properties": {"name": "EPSG:28992"}},
                "features": features[offset:offset + count]}
        if offset + count < len(features):
            body["properties"] = {"exceededTransferLimit": True}
        return reply(json.dumps(body), headers={"Last-Modified": "Mon, 06 Apr 2026 08:00:00 GMT"})
    return handler


def in_bbox(features: list, bbox: str | None) -> list:
    """The features whose geometry intersects `bbox` ("xmin,ymin,xmax,ymax"), all without one."""
    if bbox is None:
        return features
    area = box(*map(float, bbox.split(",")))
    return [f for f in features if shape(f["geometry"]).intersects(area)]


def ogcapi_handler(all_features: list, seen: list):
    """OGC API Features …/items as PDOK (gokoala) answers: cursor paging via `next` links, RD coordinates,
    the features within `bbox`, no numberMatched."""
    def handler(request):
        seen.append(dict(request.args))
        features = in_bbox(all_features, request.args.get("bbox"))
        start = int(request.args.get("cursor", "0").split("|")[-1])
        page = features[start:start + min(OGC_PAGE, int(request.args["limit"]))]
        base = request.base_url  # scheme://host/…/items
        query = {k: v for k, v in request.args.items() if k not in ("cursor", "f")}

        def href(fmt, cursor=None):
            q = dict(query, **({"cursor": f"Dv4|{cursor}"} if cursor is not None else {}), f=fmt)
            return f"{base}?{urlencode(q)}"
        links = [{"rel": "self", "title": "This document as GeoJSON", "type": "application/geo+json",
                  "href": href("json", start if start else None)},
                 {"rel": "alternate", "title": "This document as JSON-FG", "type": "application/vnd.ogc.fg+json",
                  "href": href("jsonfg", start if start else None)},
                 {"rel": "alternate", "title": "This document as HTML", "type": "text/html",
                  "href": href("html", start if start else None)}]
        if start + len(page) < len(features):
            links.append({"rel": "next", "title": "Next page", "type": "application/geo+json",
                          "href": href("json", start + len(page))})
        if start:
            links.append({"rel": "prev", "title": "Previous page", "type": "application/geo+json",
                          "href": href("json", max(start - OGC_PAGE, 0))})
        body = {"type": "FeatureCollection", "timeStamp": TIMESTAMP, "links": links,
                "numberReturned": len(page), "features": page}
        return reply(json.dumps(body), headers={"Content-Crs": f"<{CRS_URI}>"})
    return handler


def wfs_handler(features: list, seen: list):
    """WFS 2.0 GetFeature, outputFormat=application/json: `count` features from `startIndex`, numberMatched."""
    def handler(request):
        seen.append(dict(request.args))
        start, count = int(request.args.get("startIndex", 0)), min(int(request.args["count"]), OGC_PAGE)
        body = {"type": "FeatureCollection", "numberMatched": len(features),
                "numberReturned": len(features[start:start + count]), "timeStamp": TIMESTAMP,
                "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::28992"}},
                "features": features[start:start + count]}
        return reply(json.dumps(body), content_type="application/json")
    return handler


def gebieden_handler(seen: dict):
    """One WFS address, two feature types: answer per typeNames."""
    def handler(request):
        layer = request.args["typeNames"]
        name = "gemeenten" if "gemeente" in layer else "provincies"
        return wfs_handler(GEBIEDEN[layer], seen.setdefault(name, []))(request)
    return handler


def local(url: str, base: str) -> str:
    """The same URL path on the test server."""
    parts, here = urlsplit(url), urlsplit(base)
    return urlunsplit((here.scheme, here.netloc, parts.path, parts.query, ""))


def real_config_on(server_base: str, tmp: Path) -> dict:
    """config/noord-brabant.yaml, every URL's host -> the test server, every path -> tmp."""
    data = yaml.safe_load(REAL_CONFIG.read_text(encoding="utf-8"))
    for source in data["sources"].values():
        source["path"] = str(tmp / source["path"])
        if source.get("url"):
            source["url"] = local(source["url"], server_base)
        for key, value in list(source.get("params", {}).items()):
            if isinstance(value, str) and value.startswith("https://"):
                source["params"][key] = local(value, server_base)
    data["paths"] = {"raw": str(tmp / "data" / "raw"), "processed": str(tmp / "data" / "processed"),
                     "maps": str(tmp / "maps")}
    return data


def write_user_sources(config: Config) -> None:
    """The sources without a public download, as small files where the real config expects them."""
    s = config.sources
    rd = "EPSG:28992"
    s.kavels.path.parent.mkdir(parents=True, exist_ok=True)
    gpd.GeoDataFrame({"kavel_id": ["VB-01", "VB-02", "LV-01", "KR-01"],
                      "uitgifte_status": ["uitgegeven", "uitgeefbaar", "uitgegeven", "uitgeefbaar"]},
                     geometry=[box(130000, 398000, 130500, 398800), box(130500, 398000, 131000, 398800), LOVEN,
                               KRAAIVEN],
                     crs=rd).to_file(s.kavels.path, layer="kavels", driver="GPKG")
    s.milieuzones.path.parent.mkdir(parents=True, exist_ok=True)
    gpd.GeoDataFrame({"identificatie": ["NL.IMRO.0855.bp1-0001", "NL.IMRO.0855.bp1-0002", "NL.IMRO.0855.bp2-0001"],
                      "naam": ["Bedrijventerrein", "Bedrijventerrein", "Bedrijventerrein"],
                      "functieaanduiding": ["bedrijf tot en met categorie 4.2", "bedrijf tot en met categorie 3.2",
                                            "bedrijf tot en met milieucategorie 3.1"],
                      "maximum_bebouwingspercentage": [80, 70, 60]},
                     geometry=[VOSSENBERG, KRAAIVEN, LOVEN], crs=rd).to_file(
        s.milieuzones.path, layer=s.milieuzones.layer, driver="GPKG")
    gpd.GeoDataFrame({"identificatie": ["NL.IMRO.0855.gz-0001"], "naam": ["Geluidzone Vossenberg"],
                      "zonetype": ["geluidzone"]}, geometry=[VOSSENBERG.buffer(400)], crs=rd).to_file(
        s.geluidzones.path, layer=s.geluidzones.layer, driver="GPKG")
    s.vestigingen.path.parent.mkdir(parents=True, exist_ok=True)
    gpd.GeoDataFrame({"vestigingsnummer": ["000012345678", "000023456789", "000034567890"],
                      "handelsnaam": ["Overslag Vossenberg BV", "Kantoor BV", "Bakkerij Loven"],
                      "sbi_code": ["52.24", "70.22", "10.71"], "werkzame_personen": [45, 12, 8]},
                     geometry=[Point(130400, 398700), Point(130320, 398120), Point(132300, 396250)],
                     crs=rd).to_parquet(s.vestigingen.path)


# ---------------------------------------------------------------------------------------------
@pytest.fixture
def served(httpserver):
    """Every endpoint of the real config, answered from the geography above; requests are recorded."""
    base = httpserver.url_for("/").rstrip("/")
    data = yaml.safe_load(REAL_CONFIG.read_text(encoding="utf-8"))["sources"]
    seen: dict[str, list] = {}
    ogc = {"panden": None, "verblijfsobjecten": None, "kades": SCHEIDING, "kades_vlak": SCHEIDING_VLAK,
           "kunstwerkdelen": KUNSTWERKDEEL, "kunstwerkdelen_vlak": KUNSTWERKDEEL_VLAK}
    bag_base = {name: base + urlsplit(data[name]["url"]).path.rsplit("/collections/", 1)[0]
                for name in ("panden", "verblijfsobjecten")}
    ogc["panden"] = [pand(n, *spec, base=bag_base["panden"]) for n, spec in PANDEN.items()]
    ogc["verblijfsobjecten"] = [vbo(n, ident, x, y, doel, p, bag_base["verblijfsobjecten"])
                                for n, (ident, x, y, doel, p) in VBOS.items()]
    for name, features in ogc.items():
        path = urlsplit(data[name]["url"]).path.rstrip("/") + "/items"
        httpserver.expect_request(path).respond_with_handler(ogcapi_handler(features, seen.setdefault(name, [])))
    httpserver.expect_request(urlsplit(data["vaarwegen"]["url"]).path).respond_with_handler(
        wfs_handler(NAVIGABILITY, seen.setdefault("vaarwegen", [])))
    assert data["gemeenten"]["url"] == data["provincies"]["url"]
    httpserver.expect_request(urlsplit(data["gemeenten"]["url"]).path).respond_with_handler(gebieden_handler(seen))
    arcgis = {"terreinen": (data["terreinen"]["url"], IBIS, "FID", ARCGIS_PAGE),
              "netcapaciteit": (data["netcapaciteit"]["url"], AFNAME, "OBJECTID", 1000)}
    for name, (url, features, oid, limit) in arcgis.items():
        path = urlsplit(url).path.rstrip("/")
        httpserver.expect_request(path, query_string={"f": "json"}).respond_with_json(
            layer_description(oid=oid, max_records=limit))
        httpserver.expect_request(path + "/query").respond_with_handler(
            arcgis_handler(features, seen.setdefault(name, []), limit=limit))
    return base, seen


def test_fetched_real_config_runs_through_ingest_analyse_score(tmp_path, served, httpserver):
    base, seen = served
    data = real_config_on(base, tmp_path)
    fetched = {name for name, source in data["sources"].items() if source.get("url")}
    assert fetched == {"terreinen", "panden", "verblijfsobjecten", "kades", "kades_vlak", "kunstwerkdelen",
                       "kunstwerkdelen_vlak", "vaarwegen", "netcapaciteit", "gemeenten", "provincies"}, \
        "a new url in config/noord-brabant.yaml needs a replayed service here"
    config = Config.model_validate(data)
    write_user_sources(config)

    # ---- fetch ------------------------------------------------------------------------------
    summary = fetch.run(config)
    assert summary["downloaded"] == len(fetched) and summary["skipped (complete)"] == 0
    assert summary["terreinen"].startswith("6 features") and summary["panden"].startswith("5 features")
    assert summary["netcapaciteit"].startswith("4 features")  # the afname view alone
    assert summary["kavels"] == summary["milieuzones"] == summary["vestigingen"] == "user-supplied (no url)"
    # ArcGIS: selected by the region's envelope (+ fetch.buffer_m), ordered by the object-id field the layer
    # description names (FID), pages of its maxRecordCount (2) by resultOffset
    ibis_requests = seen["terreinen"]
    # the last page (4-5) is full and carries no flag: one more, empty, page ends it
    assert [int(r["resultOffset"]) for r in ibis_requests] == [0, 2, 4, 6]
    assert {(r["where"], r["orderByFields"], r["f"], r["outSR"], r["resultRecordCount"], r["geometry"], r["inSR"])
            for r in ibis_requests} == {("1=1", "FID", "geojson", "28992", "2", "69500,356500,203500,429500", "28992")}
    assert [(r["resultOffset"], r["resultRecordCount"]) for r in seen["netcapaciteit"]] == [("0", "100")]
    # WFS: vnds:l_navigability as GeoJSON in RD New, within the same extent, paged by startIndex
    assert [r.get("startIndex") for r in seen["vaarwegen"]] == ["0", "2"]
    first = seen["vaarwegen"][0]
    assert (first["typeNames"], first["outputFormat"], first["srsName"]) == \
        ("vnds:l_navigability", "application/json", "urn:ogc:def:crs:EPSG::28992")
    assert first["bbox"] == "69500,356500,203500,429500,urn:ogc:def:crs:EPSG::28992"
    # WFS: the CBS borders, two feature types from one address, the same extent
    assert [r["typeNames"] for r in seen["gemeenten"]] == ["gebiedsindelingen:gemeente_gegeneraliseerd"] * 2
    assert seen["provincies"][0]["typeNames"] == "gebiedsindelingen:provincie_gegeneraliseerd"
    # OGC API, per_terrein: boxes around the fetched terreinen grown by the halo the analyses need, RD in and out,
    # next links followed. BAG: the largest richtafstand + meettolerantie + kavel clip tolerance (1,500.02 m) merges
    # the three terreinen into one box; BGT (25.02 m): one box each. One probe (limit=1) finds no numberMatched.
    bag_box = ["128499,394499,136001,400901"]
    bgt_boxes = ["129974,397974,131026,398826", "131974,395974,132626,396526", "133974,398974,134526,399426"]
    for name in ("panden", "verblijfsobjecten", "kades", "kades_vlak", "kunstwerkdelen", "kunstwerkdelen_vlak"):
        probe, *pages = seen[name]
        assert probe["limit"] == "1", name
        assert sorted({r["bbox"] for r in pages}) == (bag_box if name in ("panden", "verblijfsobjecten") else bgt_boxes)
        assert all(r["bbox-crs"] == CRS_URI and r["crs"] == CRS_URI and r["limit"] == "1000" for r in pages), name
    assert [r.get("cursor") for r in seen["panden"][1:]] == [None, "Dv4|2", "Dv4|4"]
    frame = gpd.read_file(config.sources.verblijfsobjecten.path)
    assert frame.crs.to_epsg() == 28992 and len(frame) == 5

    # ---- ingest -----------------------------------------------------------------------------
    ingest.run(config)
    processed = config.paths.processed

    def layer(name):
        return gpd.read_parquet(processed / f"{name}.parquet")

    terreinen = layer("terreinen").set_index("rin_nummer")
    assert sorted(terreinen.index) == ["5001", "5002", "5003"]
    assert (terreinen["jaar"] == 2023).all()  # latest JAAR per RIN_NUMMER only
    assert terreinen.loc["5001", "ha_bruto"] == 80.0
    assert terreinen.loc["5001"].geometry.area == pytest.approx(VOSSENBERG.area)  # the 2023 contour
    assert terreinen.loc["5002", "ha_uitgeefbaar"] == 0.0
    assert terreinen.loc["5001", "gemeente_code"] == "GM0855" and terreinen.loc["5001", "max_milieucategorie"] == "4"
    assert bool(terreinen.loc["5001", "water_ontsluiting"]) and not bool(terreinen.loc["5002", "water_ontsluiting"])
    quality = pd.read_csv(processed / "ingest_kwaliteit.csv")
    assert quality.fillna("").astype(str).apply(lambda col: col.str.contains("ouder jaar")).to_numpy().any()

    vbos = layer("verblijfsobjecten").set_index("vbo_id")
    assert vbos["gevoelig"].to_dict() == GEVOELIG
    assert vbos.loc["0855010000000004", "gebruiksdoel"] == "winkelfunctie,woonfunctie"
    panden = layer("panden").set_index("pand_id")
    assert len(panden) == 5 and panden.loc["0855100000000003", "bouwjaar"] == 1962
    assert panden.loc["0855100000000001", "status"] == "Pand in gebruik"

    kades = layer("kades").set_index("kade_id")
    assert sorted(kades["bgt_type"]) == ["kademuur", "kademuur", "keermuur", "keermuur"]  # no walbescherming/steiger
    kademuur = kades.loc[KADEMUUR]
    assert kademuur.geometry.length == pytest.approx(600.0) and kademuur["betrouwbaarheid"] == "hoog"  # current
    assert kades.loc["G0855.0000000000000000000000000000b001", "bron"] == "BGT kunstwerkdeel"
    strip = kades.loc["G0855.0000000000000000000000000000c001"]  # the kademuur drawn as an area: its long side
    assert strip.geometry.length == pytest.approx(80.0) and strip["geometrie_bron"] == "Polygon"
    assert strip["conversie"] == "lange zijde (rechthoek)" and strip["bron"] == "BGT scheiding"
    assert kades.loc["G0855.0000000000000000000000000000d001"].geometry.length == pytest.approx(90.0)

    gemeenten = layer("gemeenten").set_index("gemeente_code")  # the fetched borders, not the packaged ones
    assert gemeenten["gemeente_naam"].to_dict() == {"GM0785": "Goirle", "GM0855": "Tilburg"}
    assert gemeenten.loc["GM0855"].geometry.geom_type == "MultiPolygon"  # the island joined to its gemeente
    assert layer("provincies")[["provincie_code", "provincie_naam"]].values.tolist() == [["PV30", "Noord-Brabant"]]

    vaarwegen = layer("vaarwegen").sort_values("vaarweg_id")
    assert list(vaarwegen["cemt_klasse"]) == ["Va", "IV", "Va"]
    assert set(vaarwegen["naam"]) == {"Wilhelminakanaal"}

    net = layer("netcapaciteit").set_index("gebied_id")
    assert net.loc["ENEXIS-TBN", ["afname_status", "invoeding_status"]].tolist() == ["rood", "geel"]
    assert net.loc["ENEXIS-UDN", ["afname_status", "invoeding_status"]].tolist() == ["geel", "groen"]
    assert net.loc["ENEXIS-TBZ", ["afname_status", "invoeding_status"]].tolist() == ["oranje", "rood"]
    assert net.loc["0", ["afname_status", "invoeding_status"]].tolist() == ["onbekend", "onbekend"]
    assert net.loc["ENEXIS-TBN", "afname_wachtrij_mw"] == 12.5 and net.loc["ENEXIS-TBN", "invoeding_wachtrij_mw"] == 3.0

    kavels = layer("kavels").set_index("kavel_id")
    assert kavels.loc["VB-02", "rin_nummer"] == "5001" and kavels.loc["VB-02", "uitgifte_status"] == "uitgeefbaar"
    zones = layer("milieuzones")
    assert set(zones["soort"]) == {"bestemmingsvlak", "geluidzone"}
    assert layer("vestigingen").set_index("vestiging_id").loc["000012345678", "sbi_code"] == "52.24"
    bronnen = {b["bron"]: b for b in json.loads((processed / "ingest_bronnen.json").read_text())["bronnen"]}
    manifest = json.loads(Path(str(config.sources.terreinen.path) + ".manifest.json").read_text())
    assert bronnen["terreinen"]["sha256"] == manifest["sha256"]  # ingest read exactly what fetch wrote
    assert bronnen["terreinen"]["peildatum"] == "2023" and bronnen["kades"]["peildatum"] == "2021-06-01"

    # ---- analyse + score --------------------------------------------------------------------
    analyse.run(config)
    score.run(config)
    result = gpd.read_parquet(processed / "terreinen_strategisch.parquet").set_index("rin_nummer")
    assert sorted(result.index.astype(str)) == ["5001", "5002", "5003"]
    # the current kademuur (600 m, not the historic 500 m version, no walbescherming) on the Va section
    assert result.loc["5001", "kade_m"] == pytest.approx(690.0) and result.loc["5001", "cemt_beste"] == "Va"
    # Kraaiven: the 300 m keermuur line and the 80 m kademuur strip; Vossenberg also its 90 m keermuur strip
    assert result.loc["5003", "kade_m"] == pytest.approx(380.0) and result.loc["5003", "cemt_beste"] == "IV"
    assert result.loc["5002", "kade_m"] == 0.0
    assert result.loc["5001", "kade_benut_m"] == pytest.approx(690.0)  # both next to the 52.24 transhipment firm
    assert result.loc["5001", ["afname_dominant", "invoeding_dominant"]].tolist() == ["rood", "geel"]
    assert result.loc["5002", ["afname_dominant", "invoeding_dominant"]].tolist() == ["oranje", "rood"]
    assert result.loc["5003", ["afname_dominant", "invoeding_dominant"]].tolist() == ["geel", "groen"]
    assert result["score"].notna().all() and result["vlag"].notna().all()


def test_gebruiksdoel_as_json_list_is_read_like_the_text_form(tmp_path):
    """PDOK's schema types gebruiksdoel as a string ("woonfunctie,winkelfunctie"); should a server send a
    JSON array instead, GDAL hands over a list per row: it must give the same gevoelig flags, not a
    silent False."""
    config = Config.model_validate(real_config_on("https://example.invalid", tmp_path))
    features = [vbo(n, ident, x, y, doel.split(","), p, "https://example.invalid/bag")
                for n, (ident, x, y, doel, p) in VBOS.items()]
    write_feature_collection(config.sources.verblijfsobjecten.path, iter(features), name="verblijfsobjecten")
    out = ingest_verblijfsobjecten(config, Report()).set_index("vbo_id")
    assert out["gevoelig"].to_dict() == GEVOELIG
    assert out.loc["0855010000000004", "gebruiksdoel"] == "winkelfunctie,woonfunctie"
