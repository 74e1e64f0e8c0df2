"""The catalogue: every file between stages described once, checked on every read and write."""
import json

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import box

from pipeline import catalogue
from pipeline.catalogue import CatalogueError
from pipeline.catalogue.contract import render_contract
from pipeline.cli import CONTRACT_DOC, main
from pipeline.config import Analyse
from pipeline.crs import WORKING_CRS


def kavels(**overrides):
    data = {"kavel_id": ["a", "b"], "rin_nummer": ["T1", "T1"], "uitgifte_status": ["uitgegeven", None],
            "bron": ["kavellaag", "kavellaag"]}
    data.update(overrides)
    return gpd.GeoDataFrame(data, geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1)], crs=WORKING_CRS)


def test_contract_doc_is_generated_from_the_catalogue():
    assert CONTRACT_DOC.read_text(encoding="utf-8") == render_contract(), \
        "docs/contract.md is stale: run `pipeline contract`"


def test_write_then_read_round_trip_with_types(tmp_path):
    catalogue.write(kavels(), "kavels", tmp_path)
    back = catalogue.read("kavels", tmp_path)
    assert list(back.columns) == ["kavel_id", "rin_nummer", "uitgifte_status", "bron", "geometry"]
    assert back["kavel_id"].tolist() == ["a", "b"] and pd.isna(back["uitgifte_status"].iloc[1])


def test_a_lookup_reads_only_its_columns_and_checks_them(tmp_path):
    catalogue.write(kavels(), "kavels", tmp_path)
    back = catalogue.read("kavels", tmp_path, columns=["kavel_id", "uitgifte_status"])
    assert type(back) is pd.DataFrame and list(back.columns) == ["kavel_id", "uitgifte_status"]
    assert back["kavel_id"].tolist() == ["a", "b"] and pd.isna(back["uitgifte_status"].iloc[1])
    with pytest.raises(ValueError, match=r"kavels: .*kavels\.parquet has no column\(s\) \['naam'\]"):
        catalogue.read("kavels", tmp_path, columns=["kavel_id", "naam"])
    frame = kavels()
    frame["bron"] = [1.5, 2.5]  # written behind the catalogue's back: refused as in a whole read
    frame.to_parquet(tmp_path / "kavels.parquet")
    with pytest.raises(CatalogueError, match=r"kavels .*column 'bron': expected text, found float64"):
        catalogue.read("kavels", tmp_path, columns=["kavel_id", "bron"])


@pytest.mark.parametrize("frame, message", [
    (kavels().drop(columns="bron"), r"dataset kavels: missing column\(s\) \['bron'\] \(stage ingest"),
    (kavels(extra=[1, 2]), r"column\(s\) \['extra'\] are not in the catalogue for kavels"),
    (kavels(bron=["kavellaag", None]), r"column 'bron' has 1 null value\(s\)"),
    (kavels(kavel_id=["a", "a"]), r"key 'kavel_id' is not unique: \['a'\]"),
])
def test_a_frame_that_breaks_its_entry_is_refused_naming_dataset_and_column(tmp_path, frame, message):
    with pytest.raises(CatalogueError, match=message):
        catalogue.write(frame, "kavels", tmp_path)
    assert not (tmp_path / "kavels.parquet").exists()


def test_a_wrongly_typed_file_is_refused_on_read(tmp_path):
    frame = gpd.GeoDataFrame({"vaarweg_id": ["v"], "naam": ["x"], "cemt_klasse": ["Va"]},
                             geometry=[box(0, 0, 1, 1).boundary], crs=WORKING_CRS)
    frame["naam"] = [3.5]  # written behind the catalogue's back
    frame.to_parquet(tmp_path / "vaarwegen.parquet")
    with pytest.raises(CatalogueError, match=r"vaarwegen .*column 'naam': expected text, found float64"):
        catalogue.read("vaarwegen", tmp_path)


def test_a_category_outside_its_vocabulary_is_refused(tmp_path):
    frame = gpd.GeoDataFrame({"vaarweg_id": ["v"], "naam": ["x"], "cemt_klasse": ["5a"]},
                             geometry=[box(0, 0, 1, 1).boundary], crs=WORKING_CRS)
    with pytest.raises(CatalogueError, match=r"column 'cemt_klasse': values \['5a'\] outside"):
        catalogue.write(frame, "vaarwegen", tmp_path)


def test_a_missing_required_file_names_the_stage_to_run(tmp_path):
    with pytest.raises(CatalogueError, match=r"terreinen_indicatoren: .* does not exist; run the analyse stage"):
        catalogue.read("terreinen_indicatoren", tmp_path)
    assert catalogue.read("vestigingen", tmp_path) is None  # optional layer not configured


def test_families_follow_the_settings():
    names = [c.name for c in catalogue.columns("terreinen_indicatoren")]
    assert {"ha_hmc_41", "ha_hmc_42_vacant", "ha_hmc_51_niet_hmc", "invoeding_aandeel_oranje"} <= set(names)
    only = Analyse.model_validate({"milieuruimte": {"hmc_vanaf": "4.2", "hmc_varianten": ["4.2"]}})
    names = [c.name for c in catalogue.columns("terreinen_indicatoren", only)]
    assert "ha_hmc_42" in names and "ha_hmc_41" not in names
    # score output extends the indicators, which extend the canonical terreinen
    strategisch = [c.name for c in catalogue.columns("terreinen_strategisch")]
    assert strategisch[0] == "rin_nummer" and "kade_water_m" in strategisch and strategisch[-1] == "typologie_actie"


def test_labels_units_and_decimals_of_family_members():
    c = catalogue.find("ha_hmc_42_vacant", "terreinen_indicatoren")
    assert (c.label, c.unit, c.shown_decimals) == ("HMC-ruimte ≥ 4.2 vacant", "ha", 1)
    assert catalogue.unit_label("afname_aandeel_rood") == "Afname: aandeel rood"
    assert catalogue.unit_label("water_bijdrage") == "Water: bijdrage"
    assert catalogue.unit_label("ha_bruto", "terreinen") == "Bruto oppervlakte (ha)"


def test_register_adds_a_column_to_every_dataset_that_extends(tmp_path):
    column = catalogue.Column("proef_m", "float", "Proef", "m", 0, groep="Kades")
    catalogue.register("terreinen_indicatoren", column)
    try:
        for name in ("terreinen_indicatoren", "terreinen_strategisch", "terreinen_uitvoer"):
            assert "proef_m" in [c.name for c in catalogue.columns(name)]
        with pytest.raises(CatalogueError, match="already in the catalogue"):
            catalogue.register("terreinen_indicatoren", column)
    finally:
        catalogue.unregister("terreinen_indicatoren", "proef_m")
    assert "proef_m" not in [c.name for c in catalogue.columns("terreinen_strategisch")]


def test_config_schema_command_prints_a_json_schema(capsys):
    assert main(["config-schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert "gewichten" in schema["$defs"]["Score"]["properties"]
    assert schema["properties"]["sources"]["$ref"].endswith("Sources")
