"""Exact incremental builds: a stage reruns when, and only when, something it depends on changed.

A stage's fingerprint covers its code (the stage package plus the shared core modules and package data), the
slice of the settings it reads (`SETTINGS`), and its input files: the raw source files (with their sidecars,
such as a Shapefile's .dbf) for ingest, the files the earlier stages wrote for the others. Size and
modification time stand for a file's content (a changed or replaced file changes them). After a stage ran,
`<processed>/.stamps/<stage>.json` records the fingerprint and the files it wrote; `pipeline all` skips a stage
whose fingerprint is unchanged and whose outputs are still there as written.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

from pipeline import catalogue
from pipeline.io import write_json

PACKAGE = Path(__file__).resolve().parent
CORE = ["__init__.py", "cli.py", "build.py", "io.py", "crs.py", "categories.py", "workspace.py", "regios.py", "config",
        "catalogue"]
STAMPED = ["ingest", "analyse", "score", "export"]  # demo and fetch check their own files (manifests)
STAGE_CODE = {"ingest": ["ingest"], "analyse": ["analyse", "data"], "score": ["score", "data"],
              "export": ["export", "templates", "styles", "data", "zoek"]}
# the settings each stage reads (dotted paths into the configuration)
SETTINGS = {
    "ingest": ["sources", "region", "ingest", "analyse.kades.bgt_types",
               "analyse.milieuruimte.gevoelige_gebruiksdoelen"],
    "analyse": ["analyse", "rekenen.partitie_terreinen"],
    "score": ["score", "analyse.milieuruimte.hmc_vanaf"],
    "export": ["naam", "region", "export", "score", "analyse", "sources", "zoek"],
}


def _code_files(stage: str) -> list[Path]:
    files = []
    for name in [*CORE, *STAGE_CODE[stage]]:
        path = PACKAGE / name
        files += sorted(p for p in path.rglob("*") if p.is_file() and "__pycache__" not in p.parts) \
            if path.is_dir() else [path]
    return files


def _setting(config, dotted: str):
    value = config
    for part in dotted.split("."):
        value = getattr(value, part)
    return value.model_dump(mode="json") if hasattr(value, "model_dump") else value


def _file_state(path: Path) -> list[int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return [st.st_size, st.st_mtime_ns]


def source_files(config) -> list[Path]:
    """Every configured source file with its sidecars (same folder, same stem: .dbf, .shx, .prj, .xsd, ...)."""
    files: set[Path] = set()
    for _, source in config.sources:
        if source is None or source.path is None:
            continue
        path = Path(source.path)
        files.add(path)
        if path.parent.is_dir():
            files.update(p for p in path.parent.glob(path.stem + ".*") if p.is_file())
    return sorted(files)


def input_files(stage: str, config) -> list[Path]:
    """The files a stage reads: raw sources for ingest, the earlier stages' files for analyse, score and export."""
    if stage == "ingest":
        return source_files(config)
    processed = Path(config.paths.processed)
    files = [catalogue.path(d.name, processed) for d in catalogue.DATASETS.values() if stage in d.readers]
    sbi = config.analyse.milieuruimte.sbi_tabel
    return sorted(files + ([Path(sbi)] if stage == "analyse" and sbi else []))


def output_files(stage: str, config) -> list[Path]:
    """The files a stage wrote (those that exist): its catalogue datasets, and for export the deliverables."""
    processed = Path(config.paths.processed)
    files = [catalogue.path(d.name, processed) for d in catalogue.DATASETS.values()
             if d.stage == stage and d.format != "gpkg"]
    if stage == "export":
        maps = Path(config.paths.maps)
        files += [processed / config.export.gpkg_naam, processed / "rapport.csv", maps / "index.html",
                  maps / "ranglijst.html", maps / "rapport.html", maps / "zoek.html"]
    return [f for f in files if f.exists()]


def fingerprint(stage: str, config) -> str:
    state = {
        "code": {str(p.relative_to(PACKAGE)): hashlib.sha256(p.read_bytes()).hexdigest() for p in _code_files(stage)},
        "settings": {key: _setting(config, key) for key in SETTINGS[stage]},
        "inputs": {str(p): _file_state(p) for p in input_files(stage, config)},
    }
    return hashlib.sha256(json.dumps(state, sort_keys=True, default=str).encode()).hexdigest()


def _stamp_path(stage: str, config) -> Path:
    return Path(config.paths.processed) / ".stamps" / f"{stage}.json"


def up_to_date(stage: str, config) -> bool:
    """True when the stage ran with this fingerprint and its outputs are still as it wrote them."""
    path = _stamp_path(stage, config)
    try:
        stamp = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if stamp.get("fingerprint") != fingerprint(stage, config):
        return False
    return all(_file_state(Path(p)) == state for p, state in stamp.get("outputs", {}).items())


def record(stage: str, config, outputs: list[Path]) -> None:
    """Write the stamp after a successful run: the fingerprint and the state of the files the stage wrote."""
    write_json({"fingerprint": fingerprint(stage, config),
                "outputs": {str(p): _file_state(Path(p)) for p in sorted(set(outputs))}},
               _stamp_path(stage, config))


def forget(config) -> None:
    """Remove every stamp (after `make clean`, or when a run must start over)."""
    for path in (Path(config.paths.processed) / ".stamps").glob("*.json"):
        path.unlink()
