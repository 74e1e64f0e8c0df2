"""Every setting of the pipeline, with its type, default and meaning (domain.md gives the numbers).

A run reads one YAML file (default `config/demo.yaml`) into `Config`; each stage reads its own slice
(`sources`, `analyse`, `score`, `export`, `fetch`). Relative paths are resolved against the repository root
(the folder holding `config/`), so `make all` works from anywhere. Everything is checked at load, weights and
the AHP matrix included, and errors list every problem at once, each naming its key and what was expected.
`pipeline config-schema` prints the JSON schema of this model for editors.
"""
from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import Field, ValidationError, model_validator

from pipeline.config.analyse import (VNG_GEMENGD, VNG_RUSTIG, Analyse, Bebouwing, Clusters, Kades, Milieuruimte,
                                     Ontsluiting, Raster)
from pipeline.config.base import ConfigError, Strict
from pipeline.config.general import Demo, Export, Fetch, Ingest, Paths, Region, Rekenen, Toets
from pipeline.config.score import Score
from pipeline.config.sources import Source, Sources
from pipeline.config.weights import CRITERIA
from pipeline.config.zoek import Vergelijk, Zoek

REPO_ROOT = Path(__file__).resolve().parent.parent.parent
DEFAULT_CONFIG = REPO_ROOT / "config" / "demo.yaml"

__all__ = ["Config", "ConfigError", "load_config", "config_as_dict", "config_schema", "REPO_ROOT", "DEFAULT_CONFIG",
           "CRITERIA", "VNG_RUSTIG", "VNG_GEMENGD", "Analyse", "Bebouwing", "Clusters", "Kades", "Milieuruimte",
           "Ontsluiting", "Raster", "Demo", "Export", "Fetch", "Ingest", "Paths", "Region", "Rekenen", "Score", "Toets",
           "Source", "Sources", "Vergelijk", "Zoek"]


class Config(Strict):
    naam: str = Field("demo", description="Name of this configuration (shown in outputs)")
    region: Region = Field(default_factory=Region)
    paths: Paths = Field(default_factory=Paths)
    demo: Demo | None = Field(None, description="When set, `pipeline demo` generates the sources first")
    sources: Sources
    ingest: Ingest = Field(default_factory=Ingest)
    analyse: Analyse = Field(default_factory=Analyse)
    score: Score = Field(default_factory=Score)
    export: Export = Field(default_factory=Export)
    fetch: Fetch = Field(default_factory=Fetch)
    rekenen: Rekenen = Field(default_factory=Rekenen)
    zoek: Zoek = Field(default_factory=Zoek, description="`pipeline zoek` and the page maps/zoek.html")
    vergelijk: Vergelijk = Field(default_factory=Vergelijk, description="`pipeline vergelijk`")
    toets: Toets = Field(default_factory=Toets, description="The transformatie-toets (`pipeline toets`)")

    # set by load_config, not by the YAML
    config_path: Path | None = Field(None, exclude=True)

    @model_validator(mode="after")
    def _resolve_paths(self) -> "Config":
        root = REPO_ROOT
        for name in ("raw", "processed", "maps"):
            p = getattr(self.paths, name)
            if not p.is_absolute():
                setattr(self.paths, name, root / p)
        for _, source in self.sources:
            if source is not None and source.path is not None and not source.path.is_absolute():
                source.path = root / source.path
            if source is not None and source.bulk_pad is not None and not source.bulk_pad.is_absolute():
                source.bulk_pad = root / source.bulk_pad
        if self.region.gemeente_tabel is not None and not self.region.gemeente_tabel.is_absolute():
            self.region.gemeente_tabel = root / self.region.gemeente_tabel
        for raster in self.analyse.rasters:
            if not raster.path.is_absolute():
                raster.path = root / raster.path
        m = self.analyse.milieuruimte
        if m.sbi_tabel is not None and not m.sbi_tabel.is_absolute():
            m.sbi_tabel = root / m.sbi_tabel
        return self


def _format_errors(path: Path, err: ValidationError) -> str:
    lines = [f"configuration {path}: {err.error_count()} problem(s)"]
    for e in err.errors():
        key = ".".join(str(p) for p in e["loc"]) or "(top level)"
        got = e.get("input")
        got_text = "" if isinstance(got, dict) else f" (got {got!r})"
        lines.append(f"  - {key}: {e['msg']}{got_text}")
    return "\n".join(lines)


def load_config(path: str | Path | None = None) -> Config:
    """Read and validate a YAML configuration; raise ConfigError naming the file and every bad key."""
    path = Path(path) if path else DEFAULT_CONFIG
    if not path.is_file():
        raise ConfigError(f"configuration file not found: {path}")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"configuration {path}: not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"configuration {path}: expected a mapping of settings at the top level")
    try:
        config = Config.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_format_errors(path, exc)) from None
    config.config_path = path.resolve()
    return config


def config_as_dict(config: Config) -> dict:
    """The settings as plain data (for provenance in outputs)."""
    return config.model_dump(mode="json")



def config_schema() -> dict:
    """The JSON schema of a configuration file (for editors that complete and check YAML)."""
    schema = Config.model_json_schema()
    schema["properties"].pop("config_path", None)
    schema["title"] = "Strategische vestigingsplaatsen: configuratie"
    return schema
