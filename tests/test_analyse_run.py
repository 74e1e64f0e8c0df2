"""The analyse stage end to end on tiny canonical layers written to a temporary processed folder,
and the optional raster indicators on a tiny GeoTIFF written here."""
import json

import geopandas as gpd
import numpy as np
import pytest
import rasterio
from rasterio.transform import from_origin
from shapely.geometry import LineString, Point, box

from pipeline import catalogue, io
from pipeline.analyse import rasters, run
from pipeline.config import Config, Raster
from pipeline.crs import WORKING_CRS


def gdf(data, geometry):
    return gpd.GeoDataFrame(data, geometry=list(geometry), crs=WORKING_CRS)


def write_layers(folder, *, vestigingen=True):
    layers = {
        "terreinen": gdf({"rin_nummer": ["T1", "T2"], "naam": ["Haven", "Klein"], "gemeente_code": ["GM0001", None],
                          "kern": [None, None], "provincie": ["NB", "NB"], "jaar": [2024, 2024],
                          "ha_bruto": [8.0, 1.0], "ha_netto": [7.0, 1.0], "ha_uitgeefbaar": [1.5, 0.0],
                          "wloc_type": ["B", "B"], "max_milieucategorie": ["4", "2"],
                          "water_ontsluiting": [True, False], "spoor_ontsluiting": [False, False]},
                         [box(0, 0, 400, 200), box(2000, 0, 2100, 100)]),
        "kavels": gdf({"kavel_id": ["a", "b", "c"], "rin_nummer": ["T1", "T1", "T2"],
                       "uitgifte_status": ["uitgegeven", "uitgeefbaar", None], "bron": ["kavellaag"] * 3},
                      [box(0, 0, 200, 200), box(200, 0, 400, 200), box(2000, 0, 2100, 100)]),
        "panden": gdf({"pand_id": ["p1", "p2"], "bouwjaar": [1990, 2000], "status": ["x", "x"]},
                      [box(10, 10, 110, 110), box(190, 10, 210, 30)]),
        "verblijfsobjecten": gdf({"vbo_id": ["w1", "w2"], "gebruiksdoel": ["woonfunctie", "woonfunctie"],
                                  "gevoelig": [True, True]}, [Point(-300, 100), Point(2050, 50)]),
        "kades": gdf({"kade_id": ["q1"], "bgt_type": ["kademuur"], "betrouwbaarheid": ["hoog"], "bron": ["BGT"],
                      "geometrie_bron": ["LineString"], "conversie": ["geen"]},
                     [LineString([(20, -10), (180, -10)])]),
        "vaarwegen": gdf({"vaarweg_id": ["v1"], "naam": ["Rivier"], "cemt_klasse": ["Va"]},
                         [LineString([(-1000, -40), (3000, -40)])]),
        "milieuzones": gdf({"zone_id": ["z1"], "soort": ["bestemmingsvlak"], "max_milieucategorie": ["5.1"],
                            "max_bebouwingspercentage": [70.0], "omschrijving": ["bedrijf t/m 5.1"]},
                           [box(-1, -1, 401, 201)]),
        "netcapaciteit": gdf({"gebied_id": ["n1"], "gebied_naam": ["x"], "netbeheerder": ["Enexis"],
                              "afname_status": ["rood"], "invoeding_status": ["oranje"],
                              "afname_beschikbaar_mw": [0.0], "invoeding_beschikbaar_mw": [1.0],
                              "afname_wachtrij_mw": [12.0], "invoeding_wachtrij_mw": [3.0],
                              "afname_wachtrij_aantal": [4.0], "invoeding_wachtrij_aantal": [1.0]},
                             [box(-100, -100, 200, 300)]),
    }
    if vestigingen:
        layers["vestigingen"] = gdf({"vestiging_id": ["v"], "naam": ["Overslag"], "sbi_code": ["52.24"],
                                     "werkzame_personen": [10.0]}, [Point(100, 100)])
    for name, frame in layers.items():
        catalogue.write(frame, name, folder)


def make_config(tmp_path, **analyse):
    return Config.model_validate({"paths": {"processed": str(tmp_path)}, "sources": {
        k: {"path": "x"} for k in ["terreinen", "panden", "verblijfsobjecten", "kades", "vaarwegen",
                                   "milieuzones", "netcapaciteit"]}, "analyse": analyse})


def test_run_writes_contract_outputs(tmp_path):
    write_layers(tmp_path)
    summary = run(make_config(tmp_path))
    kv = io.read_parquet(tmp_path / "kavels_indicatoren.parquet")
    tv = io.read_parquet(tmp_path / "terreinen_indicatoren.parquet")
    kd = io.read_parquet(tmp_path / "kades_status.parquet")
    ct = io.read_parquet(tmp_path / "milieuruimte_contouren.parquet")
    assert list(kv.columns) == [c.name for c in catalogue.columns("kavels_indicatoren")] + ["geometry"]
    assert list(kd.columns) == [c.name for c in catalogue.columns("kades_status")] + ["geometry"]
    assert set(ct.columns) == {"categorie", "omgevingstype", "rin_nummer", "geometry"}
    a = kv.set_index("kavel_id")
    # kavel a: dwelling 300 m away -> 4.2; plan 5.1 -> potentie 4.2, not realisable; one 5.2-max company there
    assert a.loc["a", "afstand_gevoelig_m"] == pytest.approx(300.0)
    assert a.loc["a", "cat_afstand"] == "4.2" and a.loc["a", "cat_potentie"] == "4.2"
    assert bool(a.loc["a", "niet_waarmaakbaar"]) and a.loc["a", "cat_benut"] == "5.1"
    assert a.loc["a", "footprint_m2"] == pytest.approx(100 * 100 + 10 * 20)
    assert a.loc["b", "footprint_m2"] == pytest.approx(10 * 20)
    assert bool(a.loc["b", "vacant"])
    assert a.loc["a", "kade_m"] == pytest.approx(160.0)
    # T2: the dwelling lies on the terrein itself (bedrijfswoning): ignored -> nearest is 2300 m away
    assert a.loc["c", "cat_afstand"] == "6"
    t = tv.set_index("rin_nummer")
    assert t.loc["T1", "kade_benut_m"] == pytest.approx(160.0)  # 52.24 is water-bound
    assert t.loc["T1", "cemt_bereikbaar"] == "Va"
    assert t.loc["T1", "afname_aandeel_rood"] == pytest.approx(0.5)
    assert t.loc["T1", "afname_aandeel_onbekend"] == pytest.approx(0.5)
    assert t.loc["T1", "ha_hmc_41"] == pytest.approx(8.0)
    assert t.loc["T1", "ha_hmc_41_vacant"] == pytest.approx(4.0)
    assert t.loc["T1", "potentie_uitgeefbaar_ha"] == pytest.approx(1.5)
    assert t.loc["T2", "aantal_kavels"] == 1 and t.loc["T2", "kade_m"] == 0
    assert summary["kavels"] == 3
    meta = json.loads((tmp_path / "analyse_instellingen.json").read_text(encoding="utf-8"))
    assert set(meta["rekentijd_s"]) == {"partities", "milieuruimte", "kades", "bebouwing", "netcapaciteit",
                                        "register", "terrein_tabel"}
    assert meta["instellingen"]["milieuruimte"]["hmc_vanaf"] == "4.1"
    assert meta["opmerkingen"] == ["geen omgevingstypenlaag: overal 'rustige woonwijk'"]


def test_run_without_vestigingen_says_unknown(tmp_path):
    write_layers(tmp_path, vestigingen=False)
    summary = run(make_config(tmp_path))
    kv = io.read_parquet(tmp_path / "kavels_indicatoren.parquet")
    kd = io.read_parquet(tmp_path / "kades_status.parquet")
    tv = io.read_parquet(tmp_path / "terreinen_indicatoren.parquet")
    assert kv["vacant"].isna().all() and kv["cat_benut"].isna().all() and kv["gap_stappen"].isna().all()
    assert kd["status"].tolist() == ["onbekend"]
    assert tv["ha_hmc_41_vacant"].isna().all()
    assert any("vestigingen" in str(v) for k, v in summary.items() if k.startswith("opmerking"))



def test_the_partitions_run_before_the_layers_they_do_not_use_are_read(tmp_path, monkeypatch):
    """The partitions' processes are forked beside this one: it holds only terreinen, omgevingstypen and the kavels'
    ids then (each partition reads its own kavels); the kavels whole, vestigingen, milieuzones and the rest are
    read after them, each once, and the results are those of the whole run."""
    from pipeline.analyse import partities

    write_layers(tmp_path)
    read, at_partitions = [], []
    real_read, real_compute = catalogue.read, partities.compute

    def recorded(name, *a, **k):
        read.append((name, "columns" if k.get("columns") else "rows" if k.get("rows") is not None else "whole"))
        return real_read(name, *a, **k)

    monkeypatch.setattr(catalogue, "read", recorded)
    monkeypatch.setattr(partities, "compute", lambda *a, **k: at_partitions.extend(read) or real_compute(*a, **k))
    run(make_config(tmp_path))
    assert set(at_partitions) == {("terreinen", "whole"), ("omgevingstypen", "whole"), ("kavels", "columns")}
    whole = [name for name, kind in read if kind == "whole"]
    assert {"kavels", "vestigingen", "milieuzones", "kades", "netcapaciteit"} <= set(whole)
    assert len(whole) == len(set(whole))  # each read once, here, and kept
    kv = io.read_parquet(tmp_path / "kavels_indicatoren.parquet").set_index("kavel_id")
    assert kv.loc["a", "cat_benut"] == "5.1" and bool(kv.loc["b", "vacant"])
    assert kv.loc["a", "footprint_m2"] == pytest.approx(100 * 100 + 10 * 20)  # from the partition's own kavels


def test_raster_zonal_mean_max(tmp_path):
    path = tmp_path / "geluid.tif"
    data = np.arange(16, dtype="float32").reshape(4, 4)  # 10 m pixels, origin (0, 40)
    data[0, 0] = -9999
    with rasterio.open(path, "w", driver="GTiff", width=4, height=4, count=1, dtype="float32", crs=WORKING_CRS,
                       transform=from_origin(0, 40, 10, 10), nodata=-9999) as dst:
        dst.write(data, 1)
    zones = gdf({"rin_nummer": ["links-boven", "rechts-onder", "klein", "buiten"]},
                [box(0, 20, 20, 40), box(20, 0, 40, 20), box(31, 31, 32, 32), box(500, 500, 510, 510)])
    out = rasters.raster_indicatoren(zones, [Raster(name="geluid", path=path)])
    # top-left 2x2 block: pixels 0 (nodata), 1, 4, 5; bottom-right: 10, 11, 14, 15
    assert out["geluid_gemiddeld"].tolist()[:3] == pytest.approx([10 / 3, 12.5, 3.0])
    assert out["geluid_max"].tolist()[:3] == pytest.approx([5.0, 15.0, 3.0])
    assert np.isnan(out["geluid_gemiddeld"].iloc[3])


def test_raster_not_in_working_crs_is_refused(tmp_path):
    path = tmp_path / "wgs84.tif"
    with rasterio.open(path, "w", driver="GTiff", width=2, height=2, count=1, dtype="float32", crs="EPSG:4326",
                       transform=from_origin(5.0, 52.0, 0.1, 0.1)) as dst:
        dst.write(np.zeros((2, 2), dtype="float32"), 1)
    with pytest.raises(ValueError, match="expected CRS EPSG:28992"):
        rasters.zonal_stats(gdf({"rin_nummer": ["x"]}, [box(0, 0, 10, 10)]), path)


def test_a_municipal_staat_van_bedrijfsactiviteiten_is_used_and_named_in_the_outputs(tmp_path):
    """The fixture's only vestiging is 52.24 (built in: 3.2-5.1, onbevestigd). A municipal table that puts group
    5224 at 4.2 wins: kavel a's cat_benut becomes 4.2 (not 5.1), the register names the municipal table and its
    row, and analyse_instellingen.json counts the category under 'gemeentelijk'."""
    write_layers(tmp_path)
    staat = tmp_path / "staat.csv"
    staat.write_text("SBI;Omschrijving;Categorie\n5224;Overslagbedrijven;4.2\n", encoding="utf-8")
    run(make_config(tmp_path, milieuruimte={"sbi_tabel": str(staat)}))
    kv = io.read_parquet(tmp_path / "kavels_indicatoren.parquet").set_index("kavel_id")
    assert kv.loc["a", "cat_benut"] == "4.2"
    reg = io.read_parquet(tmp_path / "vestigingen_register.parquet").iloc[0]
    assert (reg["sbi_tabel"], reg["sbi_rijen"], reg["cat_min"], reg["cat_max"]) == ("gemeentelijk", "2", "4.2", "4.2")
    assert reg["sbi_bron"] == "Staat van Bedrijfsactiviteiten staat.csv" and bool(reg["sbi_bevestigd"])
    meta = json.loads((tmp_path / "analyse_instellingen.json").read_text(encoding="utf-8"))["sbi"]
    assert [t["soort"] for t in meta["tabellen"]] == ["gemeentelijk", "ingebouwd"]
    assert meta["per_tabel"] == {"gemeentelijk": 1} and meta["uit_bevestigde_rijen"] == 1
