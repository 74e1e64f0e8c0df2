"""Configuration: the shipped files validate, and a bad setting names its key and what is expected."""
from pathlib import Path

import pytest

from pipeline.config import REPO_ROOT, ConfigError, load_config
from conftest import MINIMAL_SOURCES

DEMO = REPO_ROOT / "config" / "demo.yaml"


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "c.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("name", ["demo.yaml", "noord-brabant.yaml"])
def test_shipped_configs_validate(name):
    config = load_config(REPO_ROOT / "config" / name)
    assert config.sources.terreinen is not None
    assert config.paths.processed.is_absolute()


def test_defaults_come_from_domain():
    config = load_config(DEMO)
    m = config.analyse.milieuruimte
    assert m.richtafstanden_rustig["4.1"] == 200 and m.richtafstanden_gemengd["4.1"] == 100
    assert m.hmc_vanaf == "4.1" and m.hmc_varianten == ["4.1", "4.2", "5.1"]
    assert config.analyse.kades.tolerantie_m == 25
    assert config.analyse.bebouwing.standaard_max_bebouwingspercentage == 80
    assert config.analyse.bebouwing.onderbenut_gsi == 0.30
    assert config.score.min_sterk == 2 and config.score.score_percentiel == 90
    assert config.score.grensgeval_onder == 0.8 and config.score.gewicht_variatie == 0.2


def test_relative_paths_resolve_against_repo(tmp_path):
    config = load_config(_write(tmp_path, MINIMAL_SOURCES))
    assert config.sources.terreinen.path == REPO_ROOT / "a.gpkg"


def test_every_problem_is_listed_with_its_key(tmp_path):
    text = MINIMAL_SOURCES + """
analyse:
  milieuruimte: {hmc_vanaf: "4.5"}
  kades: {tolerantie_m: -3, hoofdnet_min_klasse: "XL"}
score: {onbekend: 1}
"""
    with pytest.raises(ConfigError) as err:
        load_config(_write(tmp_path, text))
    message = str(err.value)
    assert "4 problem(s)" in message
    assert "analyse.milieuruimte.hmc_vanaf" in message and "'4.5'" in message
    assert "analyse.kades.tolerantie_m" in message and "greater than 0" in message
    assert "analyse.kades.hoofdnet_min_klasse" in message and "CEMT" in message
    assert "score.onbekend" in message


def test_missing_required_source_is_named(tmp_path):
    with pytest.raises(ConfigError, match=r"sources\.terreinen: Field required"):
        load_config(_write(tmp_path, MINIMAL_SOURCES.replace("  terreinen: {path: a.gpkg}\n", "")))


def test_richtafstanden_must_cover_all_categories_and_not_decrease(tmp_path):
    bad = MINIMAL_SOURCES + """
analyse:
  milieuruimte:
    richtafstanden_rustig: {"1": 10, "2": 30}
    richtafstanden_gemengd: {"1": 0, "2": 10, "3.1": 30, "3.2": 50, "4.1": 100, "4.2": 90, "5.1": 300,
                             "5.2": 500, "5.3": 700, "6": 1000}
"""
    with pytest.raises(ConfigError) as err:
        load_config(_write(tmp_path, bad))
    assert "richtafstanden_rustig" in str(err.value) and "one distance for each" in str(err.value)
    assert "richtafstanden_gemengd" in str(err.value) and "must not decrease" in str(err.value)


def test_missing_file_and_bad_yaml(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "nope.yaml")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_config(_write(tmp_path, "sources: [unclosed"))


def test_all_runs_demo_or_fetch_as_the_config_needs():
    from pipeline.cli import stages_of_all
    assert stages_of_all(load_config(DEMO)) == ["demo", "ingest", "analyse", "score", "export"]
    real = REPO_ROOT / "config" / "noord-brabant.yaml"
    assert stages_of_all(load_config(real)) == ["fetch", "ingest", "analyse", "score", "export"]


def test_unconfirmed_richtafstanden_are_marked_in_the_settings():
    from pipeline.config import Milieuruimte
    for name in ("richtafstanden_rustig", "richtafstanden_gemengd"):
        text = Milieuruimte.model_fields[name].description
        assert "5.2, 5.3 and 6" in text and "onbevestigd" in text
