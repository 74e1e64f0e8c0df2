"""The ingest stage end to end: canonical schema, report files, all-or-nothing writing."""
import json
import logging

import geopandas as gpd
import pandas as pd
import pytest
import yaml

import pipeline.ingest as ingest
from fixtures.ingest.builders import RD, make_config, make_world, sq
from pipeline.cli import main
from pipeline.ingest.errors import IngestError
from pipeline import catalogue

REQUIRED = [name for name, entry in catalogue.DATASETS.items()
            if entry.stage == "ingest" and entry.format == "parquet" and entry.required]
DTYPES = {"str": "str", "float": "float64", "int": "Int64", "bool": "bool", "cat": "str", "cemt": "str"}


def test_run_writes_canonical_layers_and_reports(tmp_path):
    config = make_config(tmp_path)
    summary = ingest.run(config)
    processed = tmp_path / "processed"
    assert summary["rijen terreinen"] == 2 and summary["rijen kavels"] == 5
    assert summary["uitvoermap"] == str(processed)
    for name in REQUIRED:
        frame = gpd.read_parquet(processed / f"{name}.parquet")
        entry = catalogue.dataset(name)
        columns = catalogue.columns(name)
        assert list(frame.columns) == [*(c.name for c in columns), "geometry"], name
        assert frame.crs.to_epsg() == 28992
        for col in columns:
            assert pd.api.types.pandas_dtype(DTYPES[col.dtype]) == frame[col.name].dtype \
                or frame[col.name].isna().all(), (name, col.name)
        expected = {"Polygon": {"MultiPolygon"}, "LineString": {"LineString"}, "Point": {"Point"}}[entry.geometry]
        assert set(frame.geom_type) <= expected, name
    for name in ("vestigingen", "spoor", "opritten", "omgevingstypen"):
        assert not (processed / f"{name}.parquet").exists()
    quality = pd.read_csv(processed / "ingest_kwaliteit.csv")
    assert list(quality.columns) == ["laag", "bron", "soort", "bronbestand", "gelezen", "behouden", "gerepareerd",
                                     "verwijderd", "waarvan_verlies", "samengevoegd", "leeg_gemaakt", "reden"]
    kades = quality[(quality["laag"] == "kades") & quality["soort"].isna()].iloc[0]
    assert (kades["gelezen"], kades["behouden"], kades["verwijderd"]) == (4, 2, 2)
    assert "walbescherming" in kades["reden"] and "eindRegistratie" in kades["reden"]
    bronnen = json.loads((processed / "ingest_bronnen.json").read_text())["bronnen"]
    ibis = next(b for b in bronnen if b["bron"] == "terreinen")
    assert ibis["peildatum"] == "2024" and len(ibis["sha256"]) == 64 and ibis["rijen"] == 5
    assert ibis["laag"] == "IBIS_Bedrijventerreinen"
    assert not [p for p in processed.iterdir() if p.name.startswith(".")]  # no staging left behind


def test_failing_source_leaves_previous_outputs_untouched(tmp_path):
    sources = make_world(tmp_path / "raw")
    config = make_config(tmp_path, sources)
    ingest.run(config)
    processed = tmp_path / "processed"
    before = {p.name: p.stat().st_mtime_ns for p in processed.iterdir()}
    # netcapaciteit is built last among the required layers: break it
    sources["netcapaciteit"] = {"path": str(tmp_path / "weg.geojson")}
    with pytest.raises(IngestError, match="weg.geojson"):
        ingest.run(make_config(tmp_path, sources))
    after = {p.name: p.stat().st_mtime_ns for p in processed.iterdir()}
    assert after == before


def test_optional_layers_written_and_stale_ones_removed(tmp_path):
    sources = make_world(tmp_path / "raw")
    path = tmp_path / "ot.gpkg"
    gpd.GeoDataFrame({"omgevingstype": ["gemengd gebied"]}, geometry=[sq(0, 0, 10)], crs=RD).to_file(path)
    sources["omgevingstypen"] = {"path": str(path)}
    ingest.run(make_config(tmp_path, sources))
    written = gpd.read_parquet(tmp_path / "processed" / "omgevingstypen.parquet")
    assert written["omgevingstype"].tolist() == ["gemengd gebied"]
    del sources["omgevingstypen"]
    ingest.run(make_config(tmp_path, sources))
    assert not (tmp_path / "processed" / "omgevingstypen.parquet").exists()


def test_cli_reports_clear_error(tmp_path, capsys):
    sources = make_world(tmp_path / "raw")
    sources["terreinen"]["layer"] = "Bedrijventerreinen"
    config = {"naam": "t", "paths": {"raw": str(tmp_path), "processed": str(tmp_path / "processed"),
                                     "maps": str(tmp_path / "maps")}, "sources": sources}
    path = tmp_path / "c.yaml"
    path.write_text(yaml.safe_dump(config))
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    try:
        assert main(["ingest", "--config", str(path)]) == 1
    finally:
        for handler in root.handlers:
            if handler not in saved[0]:
                handler.close()
        root.handlers[:], _ = saved
        root.setLevel(saved[1])
    err = capsys.readouterr().err
    assert "unknown layer" in err and "IBIS_Bedrijventerreinen" in err and "ibis.gpkg" in err


def test_a_layer_outside_the_configured_region_is_refused():
    frame = gpd.GeoDataFrame({"a": [1]}, geometry=[sq(0, 0, 100)], crs=RD)  # near the builders' origin
    x0, y0, x1, y1 = frame.total_bounds
    ingest.check_region(frame, "panden", (x0 - 10, y0 - 10, x1 + 10, y1 + 10))  # overlaps: fine
    with pytest.raises(IngestError, match=r"canonical layer panden: extent .* does not overlap region.bbox"):
        ingest.check_region(frame, "panden", (x1 + 1000, y1 + 1000, x1 + 2000, y1 + 2000))
