"""Milieuzones: categories parsed from plan text, noise zones, and the real Omgevingswet GIO GML."""
import geopandas as gpd
import pandas as pd
import pytest

from fixtures.ingest.builders import RD, make_config, make_world, sq
from pipeline.ingest import milieuzones
from pipeline.ingest.fields import Where
from pipeline.ingest.milieuzones import categories_from_text
from pipeline.ingest.quality import Report

GIO = "data/real/omgevingswet-gio-vlissingen"


def test_bestemmingsvlak_and_geluidzone(tmp_path):
    out = milieuzones.ingest(make_config(tmp_path), Report()).set_index("zone_id")
    assert out["max_milieucategorie"].tolist()[:2] == ["4.2", "3.1"] and pd.isna(out.loc["BV3", "max_milieucategorie"])
    assert out.loc["BV1", "max_bebouwingspercentage"] == 70 and out.loc["GZ1", "soort"] == "geluidzone"
    assert (out.loc[["BV1", "BV2", "BV3"], "soort"] == "bestemmingsvlak").all()


@pytest.mark.parametrize("text, expected", [
    ("bedrijf tot en met categorie 4.2", "4.2"), ("Bedrijf tot en met milieucategorie 3.1", "3.1"),
    ("bedrijven van categorie 2 t/m 3.2", "3.2"), ("bedrijf tot en met categorie 4", "4.2"),
    ("Bedrijventerrein", None), ("specifieke vorm van bedrijf - categorie 5.1", "5.1"),
])
def test_category_from_text(text, expected):
    value = categories_from_text(pd.Series([text]), where=Where(None, None), field="functieaanduiding").iloc[0]
    assert value == expected or (expected is None and pd.isna(value))


def test_nonexistent_category_emptied_and_counted(tmp_path):
    sources = make_world(tmp_path / "raw")
    path = tmp_path / "bp.gpkg"
    gpd.GeoDataFrame({"identificatie": ["X", "Y"],
                      "functieaanduiding": ["bedrijf tot en met categorie 9", "bedrijf tot en met categorie 3.2"]},
                     geometry=[sq(0, 0, 10), sq(20, 0, 10)], crs=RD).to_file(path, layer="bestemmingsvlak")
    sources["milieuzones"] = {"path": str(path)}
    report = Report()
    out = milieuzones.ingest(make_config(tmp_path, sources), report)
    cats = out.set_index("zone_id")["max_milieucategorie"]
    assert pd.isna(cats["X"]) and cats["Y"] == "3.2"
    count, examples, problem = report.tallies[0].invalid["functieaanduiding"]
    assert (count, examples) == (1, ["bedrijf tot en met categorie 9"]) and "does not exist" in problem


def test_real_gio_unclosed_ring_closed_and_counted(shared_dir, tmp_path):
    sources = make_world(tmp_path / "raw")
    sources["milieuzones"] = {"path": str(shared_dir / GIO / "industrieterrein.gml")}
    sources["geluidzones"] = {"path": str(shared_dir / GIO / "geluidsaandachtsgebiedindustrie.gml")}
    report = Report()
    out = milieuzones.ingest(make_config(tmp_path, sources), report)
    surface = out[out["soort"] == "industrieterrein"]
    assert len(surface) == 1 and surface.geometry.area.iloc[0] == pytest.approx(111_896, rel=1e-3)
    assert report.tallies[0].repaired["open ring gesloten"] == 1
    zones = out[out["soort"] == "geluidsaandachtsgebiedindustrie"]
    assert sorted(zones.geometry.area) == [pytest.approx(1_411, rel=2e-3), pytest.approx(112_252, rel=1e-3)]
    assert set(zones["omschrijving"]) == {"geluidaandachtsgebied industrie"}
    assert report.tallies[1].repaired == {}
    assert out.crs.to_epsg() == 28992 and out.geometry.is_valid.all()
    assert out.total_bounds[0] == pytest.approx(29_360, abs=10)  # Vlissingen, RD x ~29.4 km


def test_real_gio_closed_surface(shared_dir, tmp_path):
    sources = make_world(tmp_path / "raw")
    sources["milieuzones"] = {"path": str(shared_dir / GIO / "scheepswerfksg.gml")}
    report = Report()
    out = milieuzones.ingest(make_config(tmp_path, sources), report)
    first = out[out["soort"] == "scheepswerfksg"]
    assert first.geometry.area.iloc[0] == pytest.approx(111_896, rel=1e-3)
    assert report.tallies[0].repaired == {}


def test_real_gio_locatie_without_geometry_is_counted_not_lost(shared_dir, tmp_path):
    """The real geluidaandachtsgebied file has 2 geo:Locatie; with the first one's basisgeo:geometrie cut out, that
    Locatie is read and dropped as 'geen geometrie' (read 2, kept 1), not skipped before the count."""
    import re
    text = (shared_dir / GIO / "geluidsaandachtsgebiedindustrie.gml").read_text(encoding="utf-8")
    cut, n = re.subn(r"<basisgeo:geometrie>.*?</basisgeo:geometrie>", "", text, count=1, flags=re.S)
    assert n == 1
    (tmp_path / "zones.gml").write_text(cut, encoding="utf-8")
    sources = make_world(tmp_path / "raw")
    sources["geluidzones"] = {"path": str(tmp_path / "zones.gml")}
    report = Report()
    out = milieuzones.ingest(make_config(tmp_path, sources), report)
    tally = next(t for t in report.tallies if t.path is not None and t.path.name == "zones.gml")
    assert (tally.read, tally.kept) == (2, 1)
    assert sum(tally.dropped.values()) == 1 and any("geen geometrie" in why for why in tally.dropped)
    assert (out["soort"] == "geluidsaandachtsgebiedindustrie").sum() == 1
