"""Alias resolution and value parsing (pipeline.ingest.fields)."""
import pandas as pd
import pytest

from pipeline.ingest.errors import IngestError
from pipeline.ingest.fields import (Spec, Where, as_bool, as_int, as_number, as_text, as_year, check_vocabulary,
                                    resolve)

W = Where(None, "laag")
SPECS = [Spec("rin_nummer", ("RIN_NUMMER", "RINNUMMER"), required=True),
         Spec("max_milieucategorie", ("MAX_MILIEUCATEGORIE_CODE", "MAX_MILEUCATEGORIE_CODE")),
         Spec("bgt_type", ("bgt-type",))]


@pytest.mark.parametrize("columns, expected", [
    (["RIN_NUMMER", "MAX_MILIEUCATEGORIE_CODE"], "RIN_NUMMER"),
    (["rinnummer", "max_mileucategorie_code"], "rinnummer"),   # legacy name, lower case, typo
    (["Rin_Nummer"], "Rin_Nummer"),
])
def test_aliases_case_insensitive(columns, expected):
    found = resolve(columns, SPECS, overrides={}, where=W, source_name="terreinen")
    assert found["rin_nummer"] == expected
    assert found["bgt_type"] is None


def test_typo_alias_and_separators():
    found = resolve(["RINNUMMER", "MAX_MILEUCATEGORIE_CODE", "BGT_TYPE"], SPECS, overrides={}, where=W,
                    source_name="x")
    assert found["max_milieucategorie"] == "MAX_MILEUCATEGORIE_CODE"
    assert found["bgt_type"] == "BGT_TYPE"


def test_override_wins_over_alias_table():
    found = resolve(["RIN_NUMMER", "mijn_rin"], SPECS, overrides={"rin_nummer": "mijn_rin"}, where=W,
                    source_name="terreinen")
    assert found["rin_nummer"] == "mijn_rin"


def test_override_to_absent_field_and_unknown_canonical():
    with pytest.raises(IngestError, match="fields.rin_nummer names a field the layer does not have"):
        resolve(["RIN_NUMMER"], SPECS, overrides={"rin_nummer": "weg"}, where=W, source_name="terreinen")
    with pytest.raises(IngestError, match="unknown canonical field"):
        resolve(["RIN_NUMMER"], SPECS, overrides={"rin": "RIN_NUMMER"}, where=W, source_name="terreinen")


def test_missing_required_lists_expected_and_found():
    with pytest.raises(IngestError) as err:
        resolve(["PLAN_NAAM", "JAAR"], SPECS, overrides={}, where=Where("ibis.gpkg", "IBIS"), source_name="t")
    text = str(err.value)
    assert "ibis.gpkg" in text and "'IBIS'" in text and "rin_nummer" in text
    assert "RINNUMMER" in text and "PLAN_NAAM" in text and "JAAR" in text


def test_numbers_as_text_with_dutch_comma():
    values = pd.Series(["12,5", "1.234,5", "7.25", " 3 ", None, ""], dtype=object)
    assert as_number(values, where=W, field="HA_BRUTO").tolist()[:4] == [12.5, 1234.5, 7.25, 3.0]
    assert as_number(values, where=W, field="HA_BRUTO").isna().sum() == 2


def test_unparseable_number_names_field_and_values():
    with pytest.raises(IngestError) as err:
        as_int(pd.Series(["2024", "abc"]), where=Where("f.gpkg", "IBIS"), field="JAAR")
    assert "'JAAR'" in str(err.value) and "abc" in str(err.value) and "f.gpkg" in str(err.value)


def test_text_keeps_codes_and_drops_float_zero():
    assert as_text(pd.Series([1234.0, None])).tolist()[0] == "1234"
    assert as_text(pd.Series(["45.20", " x ", "nvt"])).tolist()[:2] == ["45.20", "x"]
    assert pd.isna(as_text(pd.Series(["nvt"])).iloc[0])


def test_bools_and_years():
    assert as_bool(pd.Series(["J", "N", "ja", "nee", 1, 0, None], dtype=object), where=W, field="W").tolist() == \
        [True, False, True, False, True, False, False]
    with pytest.raises(IngestError, match="not yes/no"):
        as_bool(pd.Series(["misschien"]), where=W, field="WATER_ONTSLUITING_CODE")
    assert as_year(pd.Series(["2024-01-01", "31-12-2022"]), where=W, field="PEILDATUM").tolist() == [2024, 2022]
    assert as_year(pd.to_datetime(pd.Series(["2023-06-01"])), where=W, field="PEILDATUM").tolist() == [2023]


def test_vocabulary_lists_valid_values():
    with pytest.raises(IngestError) as err:
        check_vocabulary(pd.Series(["a", "z"]), ["a", "b"], where=W, field="f")
    assert "['a', 'b']" not in str(err.value) and "expected [a, b]" in str(err.value)
