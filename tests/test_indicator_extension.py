"""Adding an indicator is one function plus one catalogue entry: nothing else is touched, and the indicator
reaches the GeoPackage (field, alias and description), the map popups and the report.

The worked example of the README ("How to add an indicator"): the number of BAG panden on each terrein.
"""
import json
import re
import sqlite3

import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely

from pipeline.analyse import registry
from pipeline.catalogue import Column
from pipeline.cli import main
from test_robustness import write_config

COLUMN = Column("aantal_panden", "int", "Aantal panden", nullable=False, groep="Bebouwing", rapport=True,
                description="BAG panden die het terrein raken")


def aantal_panden(inputs, settings) -> pd.Series:
    """Panden touching each terrein, keyed by rin_nummer."""
    terreinen, panden = inputs["terreinen"], inputs["panden"]
    it, _ = shapely.STRtree(panden.geometry.to_numpy()).query(terreinen.geometry.to_numpy(), predicate="intersects")
    return pd.Series(np.bincount(it, minlength=len(terreinen)), index=terreinen["rin_nummer"].astype(str))


@pytest.fixture(scope="module")
def run_with_indicator(tmp_path_factory):
    folder = tmp_path_factory.mktemp("indicator")
    registry.indicator(COLUMN, per="terrein")(aantal_panden)
    try:
        assert main(["all", "--config", str(write_config(folder))]) == 0
    finally:
        registry.remove("aantal_panden")
    return folder


def expected_counts(folder) -> dict[str, int]:
    """By hand, differently: a geopandas spatial join of the canonical layers."""
    import geopandas as gpd
    terreinen = gpd.read_parquet(folder / "processed" / "terreinen.parquet")
    panden = gpd.read_parquet(folder / "processed" / "panden.parquet")
    joined = gpd.sjoin(terreinen[["rin_nummer", "geometry"]], panden[["geometry"]], predicate="intersects")
    counts = joined.groupby("rin_nummer").size()
    return {r: int(counts.get(r, 0)) for r in terreinen["rin_nummer"]}


def test_the_indicator_is_in_the_geopackage_with_its_label(run_with_indicator):
    folder = run_with_indicator
    gpkg = folder / "processed" / "strategische_vestigingsplaatsen.gpkg"
    terreinen = pyogrio.read_dataframe(gpkg, layer="terreinen")
    got = dict(zip(terreinen["rin_nummer"], terreinen["aantal_panden"].astype(int)))
    assert got == expected_counts(folder) and sum(got.values()) > 0
    with sqlite3.connect(gpkg) as con:
        title, description = con.execute("SELECT title, description FROM gpkg_data_columns WHERE "
                                          "table_name='terreinen' AND column_name='aantal_panden'").fetchone()
        qml = con.execute("SELECT styleQML FROM layer_styles WHERE f_table_name='terreinen'").fetchone()[0]
    assert (title, description) == ("Aantal panden", "BAG panden die het terrein raken")
    assert 'field="aantal_panden"' in qml and 'name="Aantal panden"' in qml


def test_the_indicator_is_in_the_map_popups(run_with_indicator):
    folder = run_with_indicator
    html = (folder / "maps" / "index.html").read_text(encoding="utf-8")
    data = json.loads(re.search(r"svpMaakKaart\(\"svp-kaart\", (\{.*\})\);", html).group(1))
    assert data["config"]["kolommen"]["terreinen"]["aantal_panden"] == {"label": "Aantal panden", "unit": "", "decimals": 0}
    sections = {title: cols for title, cols, _ in data["config"]["sections"]}
    assert "aantal_panden" in sections["Bebouwing"]
    counts = expected_counts(folder)
    from export_fixtures import expand_columns
    shown = {f["properties"]["rin_nummer"]: f["properties"]["aantal_panden"]
             for f in expand_columns(data["terreinen"])["features"]}
    assert shown == counts


def test_the_indicator_is_in_the_report(run_with_indicator):
    folder = run_with_indicator
    rapport = pd.read_csv(folder / "processed" / "rapport.csv", dtype={"rin_nummer": str})
    assert dict(zip(rapport["rin_nummer"], rapport["aantal_panden"])) == expected_counts(folder)
    assert "<th>Aantal panden</th>" in (folder / "maps" / "rapport.html").read_text(encoding="utf-8")
