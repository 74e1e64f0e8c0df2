"""The run's folders: one run at a time, outputs swapped in as a set, and leftovers of killed runs removed.

- `lock(folder)`: a second run on the same processed folder refuses at once with a clear message (an OS lock,
  released by the OS when a run dies, so a killed run never leaves a stale lock).
- `output_set(stage, folders)`: a stage writes every output into a staging folder beside its real folder; at
  the end a journal lists the moves and the files are renamed into place. A failure or kill before the journal
  leaves the previous outputs untouched; a kill after it is completed by `recover` at the next start, so the
  folder always holds one complete set, old or new.
- `recover(folders)`: finishes journalled swaps and removes staging folders and the temporary files and folders
  (`pipeline.io.atomic_path`, `pipeline.io.scratch_folder`) that a killed run left behind; `remove_temporaries`
  does the latter for a folder other stages write into (the demo's source folder).
"""
from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import shutil
from pathlib import Path

log = logging.getLogger(__name__)

STAGING = ".staging-"
JOURNAL = ".journal-"


class Busy(RuntimeError):
    """Another run holds the lock on this processed folder."""


@contextlib.contextmanager
def lock(folder: Path):
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / ".lock"
    with open(path, "a+", encoding="utf-8") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.seek(0)
            holder = fh.read().strip() or "another process"
            raise Busy(f"another run is busy with {folder} ({holder}); wait until it has finished, "
                       "or give this run its own paths.processed") from None
        fh.seek(0)
        fh.truncate()
        fh.write(f"pid {os.getpid()}")
        fh.flush()
        try:
            yield
        finally:
            fh.seek(0)
            fh.truncate()
            fcntl.flock(fh, fcntl.LOCK_UN)


def _move(source: Path, target: Path) -> None:
    """Rename source onto target; a folder replaces the old folder (moved aside, then removed)."""
    if not source.exists():
        return
    if source.is_dir():
        old = target.with_name(f".{target.name}.old")
        if old.exists():
            shutil.rmtree(old)
        if target.exists():
            os.replace(target, old)
        os.replace(source, target)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(source, target)


class OutputSet:
    def __init__(self, stage: str, folders: list[Path]):
        self.stage = stage
        self.folders = [Path(f) for f in folders]
        self.staging = {f: f / f"{STAGING}{stage}-{os.getpid()}" for f in self.folders}
        self.removed: list[Path] = []

    def folder(self, real: Path) -> Path:
        """Where to write what belongs in `real` (one of the set's folders)."""
        return self.staging[Path(real)]

    def remove(self, target: Path) -> None:
        """Delete this file as part of the set (an output that no longer belongs, e.g. an unconfigured layer)."""
        self.removed.append(Path(target))

    def commit(self) -> list[Path]:
        moves = [(str(item), str(real / item.name)) for real, staging in self.staging.items()
                 for item in sorted(staging.iterdir())]
        journal = self.folders[0] / f"{JOURNAL}{self.stage}.json"
        tmp = journal.with_suffix(".tmp")
        tmp.write_text(json.dumps({"moves": moves, "remove": [str(p) for p in self.removed]}), encoding="utf-8")
        os.replace(tmp, journal)
        _apply(journal)
        return [Path(t) for _, t in moves]

    def discard(self) -> None:
        for staging in self.staging.values():
            shutil.rmtree(staging, ignore_errors=True)


def _apply(journal: Path) -> None:
    data = json.loads(journal.read_text(encoding="utf-8"))
    for source, target in data["moves"]:
        _move(Path(source), Path(target))
    for target in data["remove"]:
        Path(target).unlink(missing_ok=True)
    journal.unlink()
    for source, _ in data["moves"]:
        parent = Path(source).parent
        if parent.name.startswith(STAGING):
            shutil.rmtree(parent, ignore_errors=True)


@contextlib.contextmanager
def output_set(stage: str, folders: list[Path]):
    """Stage outputs written inside the block are swapped in together when it succeeds (see module doc)."""
    out = OutputSet(stage, folders)
    for staging in out.staging.values():
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
    try:
        yield out
        out.commit()
    finally:
        out.discard()


def recover(folders: list[Path]) -> list[str]:
    """Finish journalled swaps, then remove staging folders and orphaned temporary files; say what was done."""
    done = []
    for folder in [Path(f) for f in folders if Path(f).is_dir()]:
        for journal in sorted(folder.glob(f"{JOURNAL}*.json")):
            _apply(journal)
            done.append(f"afgemaakt: uitvoer van {journal.stem[len(JOURNAL):]} in {folder}")
        for item in list(folder.glob(f"{STAGING}*")) + list(folder.glob(".*.old")):
            shutil.rmtree(item, ignore_errors=True)
            done.append(f"opgeruimd: {item}")
        done += remove_temporaries(folder)
    for line in done:
        log.info("%s", line)
    return done


def remove_temporaries(folder: Path) -> list[str]:
    """Remove the hidden temporary files and folders (".<name>.<random>.tmp...") that a killed run left in `folder`
    or below it; one line per item removed."""
    done = []
    for item in sorted(Path(folder).rglob(".*.tmp*"), key=lambda p: len(p.parts)):
        if item.is_dir():
            shutil.rmtree(item, ignore_errors=True)
        elif item.exists():
            item.unlink(missing_ok=True)
        else:
            continue  # inside a folder removed just before
        done.append(f"opgeruimd: {item}")
    return done
