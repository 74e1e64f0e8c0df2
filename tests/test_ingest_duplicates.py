"""Duplicate ids, empty id fields and inconsistent Shapefiles: counted or refused, never silent."""
import geopandas as gpd
import pandas as pd
import pytest

import pipeline.ingest as ingest
from fixtures.ingest.builders import RD, make_config, make_world, sq
from pipeline.ingest.errors import IngestError


def quality(config) -> pd.DataFrame:
    return pd.read_csv(config.paths.processed / "ingest_kwaliteit.csv")


def test_duplicate_ids_follow_the_documented_rule(tmp_path):
    sources = make_world(tmp_path / "raw")
    bag = tmp_path / "raw" / "bag.gpkg"
    panden = gpd.GeoDataFrame({"identificatie": ["0855100000000001", "0855100000000001", "0855100000000002",
                                                 "0855100000000002"], "bouwjaar": [1990, 1990, 2005, 2005],
                               "status": ["Pand in gebruik"] * 4},
                              geometry=[sq(10, 10, 50), sq(10, 10, 50), sq(600, 600, 80), sq(700, 600, 20)], crs=RD)
    panden.to_file(bag, layer="pand")  # 1 exact copy; 2 rows sharing an id with different footprints
    kv = gpd.read_parquet(tmp_path / "raw" / "kavels.parquet")
    kv.loc[1, "kavel_id"] = "K1"       # two different kavels with the id K1
    kv.to_parquet(tmp_path / "raw" / "kavels.parquet")
    config = make_config(tmp_path, sources)
    ingest.run(config)
    p = gpd.read_parquet(config.paths.processed / "panden.parquet")
    assert sorted(p["pand_id"]) == ["0855100000000001", "0855100000000002", "0855100000000002"]
    k = gpd.read_parquet(config.paths.processed / "kavels.parquet")
    assert {"K1-1", "K1-2"} <= set(k["kavel_id"]) and "K1" not in set(k["kavel_id"])
    q = quality(config)
    reasons = " ".join(q["reden"].fillna(""))
    assert "1 verwijderd: exact dubbel (zelfde id, kenmerken en geometrie)" in reasons
    assert "2 gerepareerd: dubbele pand_id met andere inhoud behouden" in reasons
    assert "2 gerepareerd: dubbele kavel_id uniek gemaakt" in reasons


def test_an_id_field_empty_in_every_row_is_refused_naming_file_and_column(tmp_path):
    sources = make_world(tmp_path / "raw")
    bag = tmp_path / "raw" / "bag.gpkg"
    gpd.GeoDataFrame({"identificatie": [None, None], "bouwjaar": [1990, 2005], "status": ["Pand in gebruik"] * 2},
                     geometry=[sq(10, 10, 50), sq(600, 600, 80)], crs=RD).to_file(bag, layer="pand")
    with pytest.raises(IngestError, match=r"bag.gpkg.*column 'pand_id' has 2 null value"):
        ingest.run(make_config(tmp_path, sources))


def test_a_shapefile_whose_dbf_lost_records_is_refused(tmp_path):
    sources = make_world(tmp_path / "raw")
    dbf = tmp_path / "raw" / "vaarwegen.dbf"
    data = bytearray(dbf.read_bytes())
    data[4:8] = (1).to_bytes(4, "little")  # the .dbf now says 1 record, the .shx indexes 2 shapes
    dbf.write_bytes(bytes(data))
    with pytest.raises(IngestError, match=r"vaarwegen.shp.*vaarwegen.shx indexes 2 shapes, vaarwegen.dbf holds 1"):
        ingest.run(make_config(tmp_path, sources))
