"""IBIS terreinen: aliases, history, dissolve, areas, codes, errors, and the real 2024 attribute rows."""
import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from fixtures.ingest.builders import RD, ibis_frame, make_config, make_world, sq
from pipeline.ingest import terreinen
from pipeline.ingest.errors import IngestError
from pipeline.ingest.quality import Report


def ingest(tmp_path, frame, *, fmt="gpkg", layer="IBIS_Bedrijventerreinen", **sections):
    sources = make_world(tmp_path / "raw")
    path = tmp_path / f"ibis_test.{fmt}"
    if fmt == "shp":
        frame.to_file(path)
        sources["terreinen"] = {"path": str(path)}
    else:
        frame.to_file(path, layer=layer)
        sources["terreinen"] = {"path": str(path), "layer": layer}
    report = Report()
    out = terreinen.ingest(make_config(tmp_path, sources, **sections), report)
    return out.set_index("rin_nummer"), report.tallies[0]


def test_latest_year_dissolve_and_duplicates(tmp_path):
    out, tally = ingest(tmp_path, ibis_frame())
    assert sorted(out.index) == ["1001", "1002"]
    haven = out.loc["1001"]
    assert haven["jaar"] == 2024 and haven["naam"] == "HAVEN" and haven["ha_bruto"] == 100
    assert haven["max_milieucategorie"] == "5" and bool(haven["water_ontsluiting"]) and not haven["spoor_ontsluiting"]
    west = out.loc["1002"]
    assert west.geometry.geom_type == "MultiPolygon" and len(west.geometry.geoms) == 2
    assert west.geometry.area == pytest.approx(2 * 500 * 500)
    assert tally.dropped["exact dubbel record"] == 1
    assert sum(v for k, v in tally.dropped.items() if k.startswith("ouder jaar")) == 1
    assert tally.merged == 1 and tally.read == 5 and tally.kept == 2


def test_undated_record_of_a_dated_terrein_is_dropped(tmp_path):
    """An old polygon without JAAR must not be dissolved into the current 2024 outline."""
    frame = ibis_frame()
    undated = frame.iloc[[1]].assign(JAAR=None, geometry=[sq(5000, 5000, 300)])
    out, tally = ingest(tmp_path, pd.concat([frame, undated], ignore_index=True))
    assert out.loc["1001"].geometry.area == pytest.approx(1000 * 1000)
    assert tally.dropped["geen JAAR terwijl hetzelfde RIN_NUMMER gedateerde records heeft"] == 1


def test_legacy_shapefile_names_m2_text_and_typo(tmp_path):
    legacy = gpd.GeoDataFrame({
        "RINNUMMER": ["2001", "2002"], "BEDRIJVENT": ["OUD", "NIEUW"], "KERN": ["Dorp", "Stad"],
        "OPPBRUTO": ["250000", "125000,5"], "OPPNETTO": ["200000", "100000"],
        "MAX_MILEUC": ["4", "2"], "PEILDATUM": ["2019-01-01", "2020-01-01"],
    }, geometry=[sq(0, 0, 500), sq(1000, 0, 500)], crs=RD)
    legacy = legacy.rename(columns={"MAX_MILEUC": "MAX_MILEUCATEGORIE_CODE"})
    out, tally = ingest(tmp_path, legacy)  # GeoPackage keeps the long typo name
    assert out.loc["2001", "ha_bruto"] == pytest.approx(25.0)
    assert out.loc["2002", "ha_bruto"] == pytest.approx(12.50005)
    assert out.loc["2001", "ha_netto"] == pytest.approx(20.0)
    assert out.loc["2001", "naam"] == "OUD" and out.loc["2002", "kern"] == "Stad"
    assert out.loc["2001", "max_milieucategorie"] == "4" and out.loc["2002", "jaar"] == 2020
    assert tally.repaired["OPPBRUTO in m² omgerekend naar ha"] == 2


def test_lower_case_public_names_and_dutch_decimal_comma(tmp_path):
    frame = ibis_frame().iloc[[1]].copy()
    frame.columns = [c.lower() if c != "geometry" else c for c in frame.columns]
    frame["ha_bruto"] = "100,5"
    frame = frame.set_geometry("geometry")
    out, _ = ingest(tmp_path, frame)
    assert out.loc["1001", "ha_bruto"] == pytest.approx(100.5)


def test_ha_field_holding_m2_detected_against_polygon(tmp_path):
    frame = ibis_frame().iloc[[1]].copy()  # 1000 x 1000 m = 100 ha
    frame["HA_BRUTO"], frame["HA_NETTO"], frame["HA_TOTTUIT"] = 1_000_000.0, 850_000.0, 65_000.0
    out, tally = ingest(tmp_path, frame)
    assert out.loc["1001", ["ha_bruto", "ha_netto", "ha_uitgeefbaar"]].tolist() == pytest.approx([100, 85, 6.5])
    assert {k.split(":")[0]: v for k, v in tally.repaired.items() if "m² i.p.v. ha" in k} == \
        {"HA_BRUTO": 1, "HA_NETTO": 1, "HA_TOTTUIT": 1}


def test_each_area_field_checked_for_m2_on_its_own(tmp_path):
    """HA_BRUTO right in ha, HA_NETTO and HA_TOTTUIT in m²: only those two are converted (issue 15, item 4)."""
    frame = ibis_frame().iloc[[1]].copy()  # 1000 x 1000 m = 100 ha
    frame["HA_BRUTO"], frame["HA_NETTO"], frame["HA_TOTTUIT"] = 100.0, 850_000.0, 65_000.0
    out, tally = ingest(tmp_path, frame)
    assert out.loc["1001", ["ha_bruto", "ha_netto", "ha_uitgeefbaar"]].tolist() == pytest.approx([100, 85, 6.5])
    assert {k.split(":")[0]: v for k, v in tally.repaired.items() if "m² i.p.v. ha" in k} == \
        {"HA_NETTO": 1, "HA_TOTTUIT": 1}
    frame["HA_NETTO"], frame["HA_TOTTUIT"] = 85.0, 6.5  # plausible ha values stay as they are
    out, tally = ingest(tmp_path / "b", frame)
    assert out.loc["1001", ["ha_netto", "ha_uitgeefbaar"]].tolist() == pytest.approx([85, 6.5])
    assert not [k for k in tally.repaired if "m² i.p.v. ha" in k]


def test_uitgeefbaar_from_editor_fields(tmp_path):
    frame = ibis_frame().iloc[[1]].drop(columns=["HA_TOTTUIT"]).copy()
    frame["UITGEEFBAAR_OVERH_OPP"], frame["UITGEEFBAAR_PART_OPP"] = 2.5, "1,5"
    out, _ = ingest(tmp_path, frame)
    assert out.loc["1001", "ha_uitgeefbaar"] == pytest.approx(4.0)


@pytest.mark.parametrize("raw, expected", [("J", True), ("N", False), (1, True), (0, False), ("ja", True),
                                           ("nee", False), (None, False)])
def test_ontsluiting_codes(tmp_path, raw, expected):
    frame = ibis_frame().iloc[[1]].copy()
    frame["WATER_ONTSLUITING_CODE"] = pd.Series([raw], index=frame.index, dtype=object)
    out, _ = ingest(tmp_path, frame)
    assert bool(out.loc["1001", "water_ontsluiting"]) is expected


@pytest.mark.parametrize("raw, expected", [("GM0855", "GM0855"), ("855", "GM0855"), (855, "GM0855"),
                                           ("GM0000", None), ("gm1655,GM1674", "GM1655")])
def test_gemeente_code_normalised(tmp_path, raw, expected):
    frame = ibis_frame().iloc[[1]].copy()
    frame["GEM_CODES"] = pd.Series([raw], index=frame.index, dtype=object)
    out, _ = ingest(tmp_path, frame)
    value = out.loc["1001", "gemeente_code"]
    assert (pd.isna(value) and expected is None) or value == expected


def test_gem_code_cbs_without_prefix(tmp_path):
    frame = ibis_frame().rename(columns={"GEM_CODES": "GEM_CODE_CBS"})
    frame["GEM_CODE_CBS"] = frame["GEM_CODE_CBS"].str[2:].astype(int)
    out, _ = ingest(tmp_path, frame)
    assert out.loc["1002", "gemeente_code"] == "GM0772"


def test_region_filter(tmp_path):
    out, tally = ingest(tmp_path, ibis_frame(), region={"gemeente_codes": ["772"]})
    assert list(out.index) == ["1002"]
    assert any("buiten de regio" in k for k in tally.dropped)


def test_missing_rin_field_refused(tmp_path):
    with pytest.raises(IngestError, match="missing required field") as err:
        ingest(tmp_path, ibis_frame().drop(columns=["RIN_NUMMER"]))
    assert "RINNUMMER" in str(err.value) and "PLAN_NAAM" in str(err.value) and "ibis_test.gpkg" in str(err.value)


def test_unparseable_jaar_emptied_and_counted(tmp_path):
    """An optional field never blocks a run: 'abc' becomes empty, counted with an example (issue 15, item 4)."""
    frame = ibis_frame()
    frame["JAAR"] = ["2023", "abc", "2024", "2024", "2024"]
    out, tally = ingest(tmp_path, frame)
    assert tally.invalid["JAAR"][:2] == (1, ["abc"])
    assert "JAAR" in tally.reason() and "'abc'" in tally.reason()
    # 1001 keeps its 2023 record now: its 2024 record has no year left, and an undated record of a dated
    # terrein is dropped as before
    assert out.loc["1001", "jaar"] == 2023


def test_invalid_milieucategorie_emptied_and_counted(tmp_path):
    frame = ibis_frame()
    frame["MAX_MILIEUCATEGORIE_CODE"] = [4, 9, 3, 3, 3]
    out, tally = ingest(tmp_path, frame)
    assert pd.isna(out.loc["1001", "max_milieucategorie"]) and out.loc["1002", "max_milieucategorie"] == "3"
    count, examples, problem = tally.invalid["MAX_MILIEUCATEGORIE_CODE"]
    assert (count, examples) == (1, ["9"]) and "outside the valid list" in problem


def test_optional_code_field_emptied_and_counted(tmp_path):
    frame = ibis_frame()
    frame["GEM_CODES"] = ["GM0855", "Gemeente X", "GM0772", "GM0772", "GM0772"]
    out, tally = ingest(tmp_path, frame)
    assert tally.invalid["GEM_CODES"][:2] == (1, ["GEMEENTE"]) and out.loc["1002", "gemeente_code"] == "GM0772"


def test_real_ibis_2024_rows(shared_dir, tmp_path):
    rows = pd.read_csv(shared_dir / "data/real/ibis-attributen-2024/ibis_2024_sample.csv")
    side = np.sqrt(rows["ha_bruto"] * 10_000)
    geoms = [sq(i * 3000, 0, s) for i, s in enumerate(side)]
    frame = gpd.GeoDataFrame({
        "RIN_NUMMER": rows["rin"], "PLAN_NAAM": rows["naam"], "GEM_CODES": "GM" + rows["gem_code"].astype(str).str.zfill(4),
        "PROV_NAMEN": rows["provincie"], "HA_BRUTO": rows["ha_bruto"], "HA_NETTO": rows["ha_netto"],
        "HA_TOTTUIT": rows["ha_uitgeefbaar"], "WLOC_TYPE": rows["type"], "JAAR": rows["jaar"],
    }, geometry=geoms, crs=RD)
    path = tmp_path / "ibis_2024.geojson"
    frame.to_file(path, driver="GeoJSON")
    sources = make_world(tmp_path / "raw")
    sources["terreinen"] = {"path": str(path)}
    report = Report()
    out = terreinen.ingest(make_config(tmp_path, sources), report).set_index("rin_nummer")
    assert len(out) == len(rows) == 61
    assert report.tallies[0].dropped == {} and report.tallies[0].repaired == {}
    borchwerf = out[out["naam"].str.startswith("BORCHWERF II")]
    assert borchwerf.groupby("gemeente_code").size().to_dict() == {"GM1655": 3, "GM1674": 2}
    wolfsveld = out.loc["3135"]
    assert (wolfsveld["naam"], wolfsveld["ha_bruto"], wolfsveld["ha_netto"], wolfsveld["ha_uitgeefbaar"]) == \
        ("WOLFSVELD", 68, pytest.approx(53.2342), pytest.approx(0.4415))
    assert out.loc["30201406", "wloc_type"] == "C4" and out.loc["30201406", "gemeente_code"] == "GM1655"
    assert set(out["provincie"]) == {"Noord-Brabant", "Zeeland"} and set(out["jaar"]) == {2024}
    # region filter to the two Borchwerf gemeenten keeps 14 + 11 terreinen
    report = Report()
    only = terreinen.ingest(make_config(tmp_path, sources, region={"gemeente_codes": ["GM1655", "GM1674"]}),
                            report)
    assert len(only) == 25


def legacy_export(shared_dir, tmp_path):
    """The real 2024 rows as an old shapefile export: legacy names, areas in m² as text, junk in JAAR."""
    rows = pd.read_csv(shared_dir / "data/real/ibis-attributen-2024/ibis_2024_sample.csv")
    side = np.sqrt(rows["ha_bruto"] * 10_000)
    jaar = rows["jaar"].astype(str)
    jaar.iloc[0], jaar.iloc[1] = "v1900", "&lt;1950"  # WOLFSVELD and SMARTPARK GEMERT
    frame = gpd.GeoDataFrame({
        "RINNUMMER": rows["rin"].astype(str), "BEDRIJVENT": rows["naam"], "KERN": rows["gemeente"],
        "GEM_CODE": rows["gem_code"].astype(str), "OPPBRUTO": (rows["ha_bruto"] * 10_000).round(1).astype(str),
        "OPPNETTO": (rows["ha_netto"] * 10_000).round(1).astype(str), "JAAR": jaar,
    }, geometry=[sq(i * 3000, 0, s) for i, s in enumerate(side)], crs=RD)
    path = tmp_path / "ibis_legacy.shp"
    frame.to_file(path)
    return rows, path


def test_legacy_export_with_junk_optional_field(shared_dir, tmp_path):
    """A legacy IBIS export is read although JAAR holds junk: emptied, counted with examples, warned about."""
    from pipeline.ingest import checks
    rows, path = legacy_export(shared_dir, tmp_path)
    sources = make_world(tmp_path / "raw")
    sources["terreinen"] = {"path": str(path)}
    report = Report()
    out = terreinen.ingest(make_config(tmp_path, sources), report).set_index("rin_nummer")
    assert len(out) == 61
    assert pd.isna(out.loc["3135", "jaar"]) and pd.isna(out.loc["30201204", "jaar"]) and out.loc["2952", "jaar"] == 2024
    assert out.loc["3135", ["naam", "ha_bruto", "ha_netto"]].tolist() == ["WOLFSVELD", 68, pytest.approx(53.2342)]
    count, examples, _ = report.tallies[0].invalid["JAAR"]
    assert (count, examples) == (2, ["&lt;1950", "v1900"])
    lines = checks.summary_warnings(report)
    assert "let op: terreinen.JAAR" in lines and "v1900" in lines["let op: terreinen.JAAR"]
    # the configuration can also say: ignore this field
    sources["terreinen"]["negeer_velden"] = ["jaar"]
    report = Report()
    out = terreinen.ingest(make_config(tmp_path, sources), report)
    assert out["jaar"].isna().all() and report.tallies[0].invalid == {}


def test_region_by_gemeente_table_any_code_counts(tmp_path):
    """A terrein spanning a province border (GEM_CODES with a gemeente on each side) stays in the region."""
    from pipeline.config import REPO_ROOT
    frame = ibis_frame()
    frame["GEM_CODES"] = ["GM0307,GM0855", "GM0307,GM0855", "GM0307", "GM0307", "GM0307"]  # Amersfoort (Utrecht)
    out, tally = ingest(tmp_path, frame, region={"gemeente_tabel": str(REPO_ROOT / "pipeline/data/gemeente_regio.csv")})
    assert list(out.index) == ["1001"] and out.loc["1001", "gemeente_code"] == "GM0855"
    assert tally.dropped["buiten de regio (56 gemeenten)"] == 1
