"""Never a stale, silent or half-written result: exact reruns, one run at a time, one `error:` line for every
environment fault, outputs swapped in as a set (also under SIGKILL), and the same bytes for the same inputs.

The whole pipeline runs here as a user runs it (`python -m pipeline ...` in a child process) on a small demo
region written to a temporary folder.
"""
from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from pipeline import workspace
from pipeline.config import DEFAULT_CONFIG

STAGES = ["ingest", "analyse", "score", "export"]


def write_config(folder: Path, name: str = "run.yaml", **analyse) -> Path:
    """The demo configuration at scale 0.02 with every path inside `folder`."""
    data = yaml.safe_load(DEFAULT_CONFIG.read_text(encoding="utf-8"))
    data["demo"]["scale"] = 0.02
    data["paths"] = {"raw": str(folder / "raw"), "processed": str(folder / "processed"), "maps": str(folder / "maps")}
    for source in data["sources"].values():
        source["path"] = str(folder / "raw" / Path(source["path"]).relative_to("data/raw"))
    if analyse:
        data["analyse"] = analyse
    path = folder / name
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def pipeline(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pipeline", *args], capture_output=True, text=True, timeout=timeout)


def ran(result: subprocess.CompletedProcess) -> list[str]:
    """The stages that did work, from the printed summaries."""
    return [s for s in STAGES if f"\n== {s} (" in result.stdout]


def digests(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and "logs" not in p.parts and ".stamps" not in p.parts
            and p.name != ".lock"}


def leftovers(folder: Path) -> list[str]:
    return sorted(str(p) for p in folder.rglob(".*") if p.name.startswith((".staging-", ".journal-"))
                  or ".tmp" in p.name or p.name.endswith(".old"))


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    folder = tmp_path_factory.mktemp("run")
    config = write_config(folder)
    result = pipeline("all", "--config", str(config))
    assert result.returncode == 0, result.stderr
    assert ran(result) == STAGES
    return folder, config


def test_nothing_changed_runs_nothing(built):
    folder, config = built
    before = digests(folder / "processed")
    result = pipeline("all", "--config", str(config))
    assert result.returncode == 0 and ran(result) == []
    assert digests(folder / "processed") == before


def test_an_analysis_setting_reruns_analyse_and_what_follows_not_ingest(built):
    folder, _ = built
    changed = write_config(folder, "changed.yaml", kades={"tolerantie_m": 30.0})
    result = pipeline("all", "--config", str(changed))
    assert result.returncode == 0, result.stderr
    assert ran(result) == ["analyse", "score", "export"]


def test_a_replaced_raw_file_reruns_from_ingest(built):
    folder, config = built
    pipeline("all", "--config", str(config))
    raw = folder / "raw" / "demo" / "infra" / "opritten.geojson"
    raw.write_text(raw.read_text(encoding="utf-8") + "\n", encoding="utf-8")  # same data, a new file
    result = pipeline("all", "--config", str(config))
    assert result.returncode == 0, result.stderr
    assert ran(result) == STAGES


def test_a_deleted_raw_file_stops_with_one_error_line(tmp_path, built):
    folder, _ = built
    config = write_config(tmp_path)
    assert pipeline("all", "--config", str(config), "--tot", "demo").returncode == 0
    data = yaml.safe_load(config.read_text(encoding="utf-8"))
    del data["demo"]  # real sources: nothing regenerates a deleted file
    config.write_text(yaml.safe_dump(data), encoding="utf-8")
    (tmp_path / "raw" / "demo" / "infra" / "spoor.geojson").unlink()
    result = pipeline("all", "--config", str(config))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "spoor.geojson" in errors[0] and "does not exist" in errors[0]


def test_a_second_run_on_the_same_folder_refuses(built):
    folder, config = built
    with workspace.lock(folder / "processed"):
        result = pipeline("all", "--config", str(config))
    assert result.returncode == 3
    assert "another run is busy with" in result.stderr and "Traceback" not in result.stderr


def test_unknown_crs_setting_is_a_configuration_error(tmp_path):
    config = write_config(tmp_path)
    data = yaml.safe_load(config.read_text(encoding="utf-8"))
    data["sources"]["kades"]["crs"] = "EPSG:99999999"
    config.write_text(yaml.safe_dump(data), encoding="utf-8")
    result = pipeline("ingest", "--config", str(config))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "sources.kades.crs" in result.stderr and "EPSG:99999999" in result.stderr


def test_processed_path_that_is_a_file_is_one_error_line(tmp_path):
    config = write_config(tmp_path)
    (tmp_path / "processed").write_text("not a folder", encoding="utf-8")
    result = pipeline("ingest", "--config", str(config))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "error: a path that must be a folder is a file" in result.stderr and "paths.processed" in result.stderr


def _mount_tmpfs(target: Path, size: str) -> str | None:
    target.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(target)], capture_output=True)
    return None if done.returncode == 0 else done.stderr.decode(errors="replace").strip() or "mount failed"


@pytest.mark.parametrize("fault", ["vol", "alleen-lezen"])
def test_full_disk_and_read_only_folder_give_one_error_line_and_keep_outputs(built, tmp_path, fault):
    folder, config = built
    maps = tmp_path / "maps"
    why = _mount_tmpfs(maps, "64k" if fault == "vol" else "4m")
    if why:
        pytest.skip(f"cannot mount a small filesystem here (needs root with mount rights): {why}")
    try:
        data = yaml.safe_load(config.read_text(encoding="utf-8"))
        data["paths"]["maps"] = str(maps)
        variant = tmp_path / "maps.yaml"
        variant.write_text(yaml.safe_dump(data), encoding="utf-8")
        if fault == "alleen-lezen":
            subprocess.run(["mount", "-o", "remount,ro", str(maps)], check=True)
        before = digests(folder / "processed")
        result = pipeline("export", "--config", str(variant))
        assert result.returncode == 1 and "Traceback" not in result.stderr
        line = [x for x in result.stderr.splitlines() if x.startswith("error:")]
        assert len(line) == 1
        expected = "no space left on the disk" if fault == "vol" else "no permission to write"
        assert expected in line[0] or "Read-only file system" in line[0], line[0]
        assert digests(folder / "processed") == before  # the GeoPackage was not replaced without the maps
    finally:
        subprocess.run(["umount", str(maps)], capture_output=True)


def kill_while_writing(stage: str, config: Path, folder: Path) -> bool:
    """Start `pipeline <stage>` and SIGKILL it as soon as its new output set is being written; False when the
    stage finished before that moment could be seen."""
    child = subprocess.Popen([sys.executable, "-m", "pipeline", stage, "--config", str(config)],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    folders = [folder / "processed", folder / "maps"]
    while child.poll() is None:
        if any(p.name.startswith(".staging-") for f in folders if f.is_dir() for p in f.iterdir()):
            child.send_signal(signal.SIGKILL)
            child.wait()
            return True
        time.sleep(0.001)
    return False


@pytest.mark.parametrize("stage", STAGES)
def test_kill_during_a_stage_keeps_the_previous_outputs_and_the_next_start_cleans_up(built, stage):
    folder, config = built
    assert pipeline("all", "--config", str(config)).returncode == 0
    before = digests(folder / "processed")
    assert any(kill_while_writing(stage, config, folder) for _ in range(5)), f"{stage} was never caught writing"
    after = digests(folder / "processed")
    assert set(after) == set(before)  # no file lost, none half-written under its real name
    assert {k: v for k, v in after.items() if not k.endswith((".gpkg", ".json"))} == \
        {k: v for k, v in before.items() if not k.endswith((".gpkg", ".json"))}
    result = pipeline("all", "--config", str(config))
    assert result.returncode == 0, result.stderr
    assert leftovers(folder / "processed") == [] and leftovers(folder / "maps") == []


def gpkg_feature_data(path: Path) -> dict[str, str]:
    """A digest per table of everything in a GeoPackage except the declared timestamps (last_change,
    update_time, the run time in the metadata and in the QGIS project)."""
    import sqlite3
    out = {}
    with sqlite3.connect(path) as con:
        tables = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE "
                                            "'rtree_%' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'gpkg_metadata%'")]
        for table in sorted(tables):
            cols = [r[1] for r in con.execute(f'PRAGMA table_info("{table}")')
                    if r[1] not in ("last_change", "update_time", "timestamp")]
            rows = con.execute(f'SELECT {", ".join(chr(34) + c + chr(34) for c in cols)} FROM "{table}" '
                               f'ORDER BY 1').fetchall()
            if table == "qgis_projects":
                rows = [project_without_run_time(*row) for row in rows]
            out[table] = hashlib.sha256(repr(rows).encode()).hexdigest()
    return out


def project_without_run_time(name: str, metadata: str, content: str) -> tuple[str, str]:
    """The stored QGIS project's .qgs with the run time it declares (provenance in the layout) taken out."""
    import io
    import json
    import zipfile
    from pipeline.export.qgisproject import _when
    run_time = json.loads(metadata)["last_modified_time"]
    with zipfile.ZipFile(io.BytesIO(bytes.fromhex(content))) as archive:
        qgs = archive.read(f"{name}.qgs").decode("utf-8")
    assert run_time in qgs
    return name, qgs.replace(run_time, "RUNTIJD").replace(_when(run_time), "RUNTIJD")


def test_the_same_inputs_give_the_same_bytes(built):
    folder, config = built

    def snapshot():
        files = {**{f"raw/{k}": v for k, v in digests(folder / "raw").items()},
                 **{f"maps/{k}": v for k, v in digests(folder / "maps").items()},
                 **{k: v for k, v in digests(folder / "processed").items() if not k.endswith((".gpkg", ".json"))}}
        return files, gpkg_feature_data(folder / "processed" / "strategische_vestigingsplaatsen.gpkg")

    assert pipeline("all", "--config", str(config), "--force").returncode == 0
    first = snapshot()
    time.sleep(1.1)  # a new second: a wall-clock time in any output would show
    assert pipeline("all", "--config", str(config), "--force").returncode == 0  # demo regenerated too
    second = snapshot()
    assert first[0] == second[0] and first[1] == second[1]
    assert any(k.endswith(".html") for k in first[0]) and any(k.endswith(".gpkg") for k in first[0])
    assert len(first[1]) > 15
