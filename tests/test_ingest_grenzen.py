"""Gemeente- and provinciegrenzen: a PDOK download (statcode/statnaam, islands as separate features) or, without a
source, the packaged simplified CBS 2022 borders; the packaged files are what their SOURCE.md says."""
import json

import geopandas as gpd
import pytest

from fixtures.ingest.builders import RD, make_config, make_world, sq, write_geojson
from pipeline.config import load_config
from pipeline.ingest import build, grenzen
from pipeline.ingest.quality import Report


def test_pdok_download_read_and_islands_joined(tmp_path):
    sources = make_world(tmp_path / "raw")
    frame = gpd.GeoDataFrame({"statcode": ["GM0855", "GM0855", "gm0772"], "statnaam": ["Tilburg", "Tilburg",
                                                                                       "Eindhoven"],
                              "jrstatcode": ["2022GM0855"] * 2 + ["2022GM0772"], "rubriek": ["gemeente"] * 3},
                             geometry=[sq(0, 0, 100), sq(500, 0, 50), sq(200, 0, 100)], crs=RD)
    sources["gemeenten"] = {"path": str(write_geojson(frame, tmp_path / "gemeenten.geojson"))}
    report = Report()
    out = grenzen.ingest_gemeenten(make_config(tmp_path, sources), report)
    assert out["gemeente_code"].tolist() == ["GM0772", "GM0855"]
    assert out["gemeente_naam"].tolist() == ["Eindhoven", "Tilburg"] and out["provincie_naam"].isna().all()
    # Tilburg's two squares: 100² + 50² = 12,500 m²; its second part is the 1 merge; kept counts rows read (3)
    assert out.geometry.iloc[1].geom_type == "MultiPolygon" and out.geometry.iloc[1].area == pytest.approx(12500, 1)
    assert out.geometry.iloc[1].area == pytest.approx(12500)  # the line above allows 100 % (rel=1): any 0-25,000 m²
    assert report.tallies[-1].merged == 1 and report.tallies[-1].kept == 3


def test_packaged_borders_without_a_source(tmp_path):
    config = make_config(tmp_path, make_world(tmp_path / "raw"))
    assert config.sources.gemeenten is None and config.ingest.grenzen_uit_pakket
    layers, report = build(config)
    gemeenten, provincies = layers["gemeenten"], layers["provincies"]
    assert len(gemeenten) == 96 and (gemeenten["provincie_naam"] == "Noord-Brabant").sum() == 56
    assert gemeenten.set_index("gemeente_code").loc["GM0855", "gemeente_naam"] == "Tilburg"
    assert "Noord-Brabant" in set(provincies["provincie_naam"]) and gemeenten.crs.to_epsg() == 28992
    brabant = provincies.set_index("provincie_naam").geometry["Noord-Brabant"]
    assert brabant.area / 1e6 == pytest.approx(5082, rel=0.02)  # km², CBS: 5,082 km² land and water
    sources = {r["bron"]: r for r in report.sources}
    assert sources["gemeenten"]["pad"].endswith("pipeline/ingest/grenzen/gemeenten_2022.geojson")
    assert sources["gemeenten"]["peildatum"] == "2022-01-01"  # the borders' date, not the file's
    config.ingest.grenzen_uit_pakket = False
    layers, _ = build(config)
    assert "gemeenten" not in layers and "provincies" not in layers


def test_packaged_files_say_what_they_are():
    folder = grenzen.packaged("gemeenten").parent
    text = (folder / "SOURCE.md").read_text(encoding="utf-8")
    for needed in ("CBS gebiedsindelingen 2022", "CC BY 4.0", "coverage_simplify(tolerance=25)",
                   "tools/make_grenzen.py", "gemeente_gegeneraliseerd"):
        assert needed in text
    data = json.loads(grenzen.packaged("provincies").read_text(encoding="utf-8"))
    assert data["crs"]["properties"]["name"].endswith("28992")


def test_real_configuration_fetches_the_borders():
    config = load_config("config/noord-brabant.yaml")
    for name, layer in (("gemeenten", "gemeente_gegeneraliseerd"), ("provincies", "provincie_gegeneraliseerd")):
        source = getattr(config.sources, name)
        assert source.kind == "wfs" and source.url.startswith("https://service.pdok.nl/cbs/gebiedsindelingen/")
        assert source.params["typeNames"] == f"gebiedsindelingen:{layer}"
