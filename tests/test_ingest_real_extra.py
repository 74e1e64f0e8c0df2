"""Ingest code paths that had no test on the real samples: the batch-wise BAG ingest (large.py, which `pipeline
ingest` uses for panden and verblijfsobjecten) and the batch reader (stream.read_batches) on a real GeoJSON.

Hand counts from ../shared/data/real/*/SOURCE.md and the files:
- bag2-doesburg-nlextract/0221PND15092020-000001.xml: 6 pand voorkomens; 0221100000312938 voorkomens 1-3 and
  0221100000311191 voorkomen 1 carry eindGeldigheid (4), the current ones have oorspronkelijkBouwjaar 1585 and
  1992; every identificatie is written NL.IMBAG.Pand.<16 digits> (the domein attribute).
- 0221VBO15092020-000001.xml: 5 verblijfsobject voorkomens; 0221010000330226 voorkomens 1-3 carry eindGeldigheid
  (3), voorkomen 4 is current (woonfunctie); 0221010000330999 has one current voorkomen (overige gebruiksfunctie).
- cbs-gemeenten-2022/gemeenten_2022_noord_brabant_wgs84.geojson: 56 features (one per statcode, GM0743 Asten
  first), WGS84, every one with provincie "Noord-Brabant"; read as the gemeenten source by grenzen.py too.
"""
import pandas as pd

from fixtures.ingest.builders import make_config, make_world
from pipeline import catalogue
from pipeline.config import Source
from pipeline.ingest import grenzen, large, readers, stream
from pipeline.ingest.quality import Report

BAG = "data/real/bag2-doesburg-nlextract"
CBS = "data/real/cbs-gemeenten-2022/gemeenten_2022_noord_brabant_wgs84.geojson"


def bag_config(tmp_path, shared_dir):
    sources = make_world(tmp_path / "raw")
    sources["panden"] = {"path": str(shared_dir / BAG / "0221PND15092020-000001.xml")}
    sources["verblijfsobjecten"] = {"path": str(shared_dir / BAG / "0221VBO15092020-000001.xml")}
    return make_config(tmp_path, sources)


def streamed(name, tmp_path, shared_dir):
    report, folder = Report(), tmp_path / "out"
    folder.mkdir()
    stats = large.write_streamed(name, bag_config(tmp_path, shared_dir), report, folder)
    frame = pd.read_parquet(catalogue.path(name, folder))
    return stats, frame, report.tallies[0]


def test_bag_panden_in_batches_current_voorkomens_only(shared_dir, tmp_path):
    stats, out, tally = streamed("panden", tmp_path, shared_dir)
    assert stats["rows"] == 2
    assert out.set_index("pand_id")["bouwjaar"].to_dict() == {"0221100000312938": 1585, "0221100000311191": 1992}
    assert (tally.read, tally.kept) == (6, 2)
    assert tally.dropped == {"niet-actueel voorkomen (eindGeldigheid gevuld)": 4}
    assert tally.repaired["identificatie met voorvoegsel (NL.IMBAG...) teruggebracht tot 16 cijfers"] == 2


def test_bag_verblijfsobjecten_in_batches_current_and_gevoelig(shared_dir, tmp_path):
    stats, out, tally = streamed("verblijfsobjecten", tmp_path, shared_dir)
    assert stats["rows"] == 2
    out = out.set_index("vbo_id")
    assert out["gebruiksdoel"].to_dict() == {"0221010000330226": "woonfunctie",
                                             "0221010000330999": "overige gebruiksfunctie"}
    assert out["gevoelig"].to_dict() == {"0221010000330226": True, "0221010000330999": False}
    assert (tally.read, tally.kept) == (5, 2)
    assert tally.dropped == {"niet-actueel voorkomen (eindGeldigheid gevuld)": 3}
    assert tally.empty_fields == []


def test_geojson_read_in_batches_equals_whole_read(shared_dir):
    source = Source(path=shared_dir / CBS)
    batches = list(stream.read_batches(source, "gemeenten", default_layer=None, kind="Polygon", tolerance=0.1,
                                       batch_rows=20))
    assert [len(b.frame) for b in batches] == [20, 20, 16]
    whole = readers.read_source(source, "gemeenten", kind="Polygon").frame
    together = pd.concat([b.frame for b in batches], ignore_index=True)
    assert len(whole) == 56 and together["statcode"].tolist() == whole["statcode"].tolist()
    assert together["statcode"].nunique() == 56
    assert together.geometry.geom_equals_exact(whole.geometry, tolerance=0).all()
    assert {b.frame.crs.to_epsg() for b in batches} == {28992}


def test_cbs_gemeenten_as_the_gemeenten_source(shared_dir, tmp_path):
    sources = make_world(tmp_path / "raw")
    sources["gemeenten"] = {"path": str(shared_dir / CBS)}
    report = Report()
    out = grenzen.ingest_gemeenten(make_config(tmp_path, sources), report)
    assert len(out) == 56 and out["gemeente_code"].is_unique
    assert out.set_index("gemeente_code").loc["GM0743", "gemeente_naam"] == "Asten"
    assert set(out["provincie_naam"]) == {"Noord-Brabant"}
    tally = report.tallies[0]
    assert (tally.read, tally.kept, tally.dropped) == (56, 56, {})


def test_bag_two_current_voorkomens_decided_after_the_last_batch(shared_dir, tmp_path):
    """The real Doesburg pand extract with its six <sl:stand> voorkomens written twice (a delivery read twice):
    12 rows, 8 ended (2 x 4), and each pand's current voorkomen twice with the same voorkomen and beginGeldigheid.
    The streamed ingest decides the older of the two per id from its spill files after the last batch: 2 dropped
    as "ouder van twee actuele voorkomens", 2 panden kept, as the in-memory ingest decides."""
    from pipeline.ingest import bag
    text = (shared_dir / BAG / "0221PND15092020-000001.xml").read_text(encoding="utf-8")
    first, last = text.index("<sl:stand>"), text.rindex("</sl:stand>") + len("</sl:stand>")
    doubled = tmp_path / "0221PND-twee-keer.xml"
    doubled.write_text(text[:last] + text[first:last] + text[last:], encoding="utf-8")
    assert doubled.read_text(encoding="utf-8").count("<sl:stand>") == 12
    sources = make_world(tmp_path / "raw")
    sources["panden"] = {"path": str(doubled)}
    config = make_config(tmp_path, sources)
    report, folder = Report(), tmp_path / "out"
    folder.mkdir()
    stats = large.write_streamed("panden", config, report, folder)
    out = pd.read_parquet(catalogue.path("panden", folder))
    tally = report.tallies[0]
    assert stats["rows"] == 2 and (tally.read, tally.kept) == (12, 2)
    assert tally.dropped == {"niet-actueel voorkomen (eindGeldigheid gevuld)": 8, bag.OLDER: 2}
    assert out.set_index("pand_id")["bouwjaar"].to_dict() == {"0221100000312938": 1585, "0221100000311191": 1992}
    memory = Report()
    whole = bag.ingest_panden(config, memory)
    assert memory.tallies[0].dropped == tally.dropped
    assert sorted(whole["pand_id"]) == sorted(out["pand_id"])
