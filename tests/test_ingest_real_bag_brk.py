"""The real BAG 2.0 extract (Doesburg) and BRK kadastrale kaart (Otterlo) as a correct ingest reads them.

Hand counts from ../shared/data/real/*/SOURCE.md and the files:
- 0221PND15092020-000001.xml: pand 0221100000312938 has voorkomens 1-4 (1-3 with eindGeldigheid, 4 current,
  oorspronkelijkBouwjaar 9999, 1585, 1585, 1585), pand 0221100000311191 voorkomens 1-2 (1 ended; 9999, 1992);
  identificatie is written `NL.IMBAG.Pand.<16 digits>`.
- 0221VBO15092020-000001.xml: verblijfsobject 0221010000330226 voorkomens 1-4 (4 current, status "Verbouwing
  verblijfsobject", [woonfunctie]), 0221010000330999 one current voorkomen ([overige gebruiksfunctie]).
- kadastralekaart_perceel.gml: 11 percelen Otterlo sectie B, perceelnummers 2298-2626, each with a
  begrenzingPerceel polygon and a plaatscoordinaten label point; kadastraleGrootte 222 ... 6345 m².
"""
import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import box

from fixtures.ingest.builders import make_config, make_world
from pipeline.config import Source
from pipeline.ingest import bag, kavels, readers
from pipeline.ingest.base import load
from pipeline.ingest.errors import IngestError
from pipeline.ingest.quality import Report

BAG = "data/real/bag2-doesburg-nlextract"
BRK = "data/real/brk-otterlo-nlextract/kadastralekaart_perceel.gml"
PERCEELNUMMERS = [2298, 2299, 2300, 2318, 2320, 2351, 2352, 2353, 2354, 2625, 2626]
GROOTTE = [222, 222, 585, 6345, 6, 264, 264, 265, 266, 210, 967]


def bag_config(tmp_path, shared_dir, **ingest):
    sources = make_world(tmp_path / "raw")
    sources["panden"] = {"path": str(shared_dir / BAG / "0221PND15092020-000001.xml")}
    sources["verblijfsobjecten"] = {"path": str(shared_dir / BAG / "0221VBO15092020-000001.xml")}
    return make_config(tmp_path, sources, **({"ingest": ingest} if ingest else {}))


def test_bag_panden_current_voorkomens_only(shared_dir, tmp_path):
    report = Report()
    out = bag.ingest_panden(bag_config(tmp_path, shared_dir), report).set_index("pand_id")
    assert out["bouwjaar"].to_dict() == {"0221100000312938": 1585, "0221100000311191": 1992}
    assert set(out["status"]) == {"Pand in gebruik"} and set(out.geom_type) == {"MultiPolygon"}
    tally = report.tallies[0]
    assert (tally.read, tally.kept) == (6, 2)
    assert tally.dropped == {"niet-actueel voorkomen (eindGeldigheid gevuld)": 4}
    assert tally.repaired["identificatie met voorvoegsel (NL.IMBAG...) teruggebracht tot 16 cijfers"] == 2


def test_bag_bouwjaar_9999_is_unknown(shared_dir, tmp_path):
    """Over all six voorkomens as read: 9999 twice, both emptied and counted."""
    src = load(Source(path=shared_dir / BAG / "0221PND15092020-000001.xml"), "panden", "panden", bag.PAND_SPECS,
               Report(), "Polygon")
    years = bag.bouwjaren(src.col("bouwjaar"), [9999], src=src)
    assert [None if pd.isna(y) else int(y) for y in years] == [None, 1585, 1585, 1585, None, 1992]
    assert src.tally.repaired["bouwjaar 9999 (onbekend) leeg gemaakt"] == 2


def test_bag_verblijfsobjecten_current_and_gevoelig(shared_dir, tmp_path):
    report = Report()
    out = bag.ingest_verblijfsobjecten(bag_config(tmp_path, shared_dir), report).set_index("vbo_id")
    assert out["gebruiksdoel"].to_dict() == {"0221010000330226": "woonfunctie",
                                             "0221010000330999": "overige gebruiksfunctie"}
    assert out["gevoelig"].to_dict() == {"0221010000330226": True, "0221010000330999": False}
    tally = report.tallies[0]
    assert (tally.read, tally.kept) == (5, 2)
    assert tally.dropped == {"niet-actueel voorkomen (eindGeldigheid gevuld)": 3}


def test_bag_status_filter_is_a_setting(shared_dir, tmp_path):
    """'Verbouwing verblijfsobject' is an existing object; listed as gone, its VBO is dropped and counted."""
    report = Report()
    config = bag_config(tmp_path, shared_dir, bag_vervallen_statussen=["Verbouwing verblijfsobject"])
    out = bag.ingest_verblijfsobjecten(config, report)
    assert out["vbo_id"].tolist() == ["0221010000330999"]
    assert report.tallies[0].dropped["status 'Verbouwing verblijfsobject' (bestaat niet (meer))"] == 1


def test_brk_parcels_read_as_outlines(shared_dir, tmp_path):
    layer = readers.read_source(Source(path=shared_dir / BRK), "kavels", kind="Polygon")
    assert layer.geometry_property == "begrenzingPerceel"
    assert len(layer.frame) == 11 and set(layer.frame.geom_type) == {"Polygon"}
    area = layer.frame.geometry.area.to_numpy()
    # the outlines' areas agree with the registered kadastraleGrootte (rounded legal sizes) within 3 m² or 1 %
    assert all(abs(a - g) <= max(3.0, 0.01 * g) for a, g in zip(area, GROOTTE))


def test_brk_parcels_become_kavels_with_their_kadastrale_aanduiding(shared_dir, tmp_path):
    sources = make_world(tmp_path / "raw")
    sources["kavels"] = {"path": str(shared_dir / BRK)}
    config = make_config(tmp_path, sources)
    terrein = gpd.GeoDataFrame({"rin_nummer": ["1"]}, geometry=[box(181000, 456300, 181400, 456900)],
                               crs="EPSG:28992")
    report = Report()
    out = kavels.ingest(config, report, terrein)
    assert out["kavel_id"].tolist() == [f"Otterlo-B-{n}" for n in PERCEELNUMMERS]
    assert (out["rin_nummer"] == "1").all() and report.tallies[0].kept == 11


def test_brk_label_points_named_as_the_cause(shared_dir, tmp_path):
    """Asked for the label points, kavels find no polygons: the error says so (not 'found 0 kavels')."""
    sources = make_world(tmp_path / "raw")
    sources["kavels"] = {"path": str(shared_dir / BRK), "geometrie": "plaatscoordinaten"}
    terrein = gpd.GeoDataFrame({"rin_nummer": ["1"]}, geometry=[box(181000, 456300, 181400, 456900)],
                               crs="EPSG:28992")
    with pytest.raises(IngestError) as err:
        kavels.ingest(make_config(tmp_path, sources), Report(), terrein)
    text = str(err.value)
    assert "none of the 11 feature(s) is usable as Polygon" in text and "geometrietype Point" in text
    assert "sources.kavels.geometrie" in text
    sources["kavels"]["geometrie"] = "bestaatniet"
    with pytest.raises(IngestError, match=r"begrenzingPerceel.*plaatscoordinaten"):
        kavels.ingest(make_config(tmp_path, sources), Report(), terrein)


@pytest.mark.parametrize("processen", [1, 2])
def test_the_stage_writes_the_real_bag_as_read(shared_dir, tmp_path, processen):
    """`ingest.run` on the real extract, two rows per batch (the four voorkomens of pand 0221100000312938 span
    batches): the canonical files and the quality report hold the hand counts above, and every layer the stage
    counts in its summary is in its file with that many rows (each layer is written as soon as it is built). With
    two processes the panden are ingested by the forked helper (ingest.processen), their report merged back."""
    from pipeline import catalogue, ingest

    config = bag_config(tmp_path, shared_dir)
    config.ingest.processen = processen
    config.ingest.batch_rijen = 2  # below the setting's minimum on purpose: many batch boundaries
    summary = ingest.run(config)
    processed = config.paths.processed
    panden = catalogue.read("panden", processed).set_index("pand_id")
    assert panden["bouwjaar"].to_dict() == {"0221100000312938": 1585, "0221100000311191": 1992}
    vbo = catalogue.read("verblijfsobjecten", processed).set_index("vbo_id")
    assert vbo["gebruiksdoel"].to_dict() == {"0221010000330226": "woonfunctie",
                                             "0221010000330999": "overige gebruiksfunctie"}
    quality = pd.read_csv(processed / ingest.QUALITY_CSV)
    totals = quality[quality["soort"].isna()].set_index("laag")
    assert totals.loc["panden", ["gelezen", "behouden", "verwijderd"]].tolist() == [6, 2, 4]
    assert totals.loc["verblijfsobjecten", ["gelezen", "behouden", "verwijderd"]].tolist() == [5, 2, 3]
    counted = {k.removeprefix("rijen "): v for k, v in summary.items() if k.startswith("rijen ")}
    assert counted["panden"] == 2 and counted["verblijfsobjecten"] == 2 and len(counted) >= 10
    for name, rows in counted.items():
        assert len(catalogue.read(name, processed)) == rows, name


@pytest.mark.parametrize("processen", [1, 2])
def test_the_real_bag_panden_are_written_as_multipolygons_and_their_files_hashed(shared_dir, tmp_path, processen):
    """The streamed path keeps a pand of one polygon a Polygon and writes it as a MultiPolygon by its WKB
    (pipeline/wkb.py): the real extract's two current panden come out as MultiPolygons, equal to the in-memory build,
    the file's geo metadata says MultiPolygon, and pand 0221100000311191 (voorkomen 2: the ring 206289.94 447355.96,
    206292.3 447361.12, 206288.92 447362.66, 206286.73 447357.72 of the file) has the shoelace area 20.394 m².
    ingest_bronnen.json records each file's sha256 (hashed in a thread while it is read) as hashlib gives it."""
    import hashlib
    import json

    import pyarrow.parquet as pq

    from pipeline import catalogue, ingest

    config = bag_config(tmp_path, shared_dir)
    config.ingest.processen = processen
    ingest.run(config)
    path = catalogue.path("panden", config.paths.processed)
    written = catalogue.read("panden", config.paths.processed).set_index("pand_id")
    assert set(written.geom_type) == {"MultiPolygon"}
    assert json.loads(pq.read_schema(path).metadata[b"geo"])["columns"]["geometry"]["geometry_types"] == \
        ["MultiPolygon"]
    in_memory = bag.ingest_panden(config, Report()).set_index("pand_id").loc[written.index]
    assert written.geometry.geom_equals_exact(in_memory.geometry, 0).all()
    assert written.geometry["0221100000311191"].area == pytest.approx(20.394, abs=1e-3)
    recorded = {b["bron"]: b["sha256"] for b in json.loads(
        (config.paths.processed / ingest.SOURCES_JSON).read_text())["bronnen"]}
    for name in ("panden", "verblijfsobjecten"):
        source = getattr(config.sources, name).path
        assert recorded[name] == hashlib.sha256(open(source, "rb").read()).hexdigest(), name
