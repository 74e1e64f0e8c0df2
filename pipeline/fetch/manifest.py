"""The manifest of one download: what was asked, how far it got, and what came out.

Why: a province-wide download is thousands of requests. The manifest (JSON beside the target,
`<target>.manifest.json`) records the request parameters and, after every page, the pages done and
where the next page starts, so an interrupted run resumes page-wise. When complete it records the
sha256, feature count and peildatum for provenance; a rerun whose parameters are unchanged is
skipped, changed parameters mean a fresh download.
"""
from __future__ import annotations

import hashlib
import json
import logging
from datetime import datetime, timezone
from pathlib import Path

from pipeline.io import write_json

log = logging.getLogger(__name__)

FORMAT_VERSION = 1
IN_PROGRESS = "in_progress"
COMPLETE = "complete"


def now_iso() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


def manifest_path(target: Path) -> Path:
    return target.with_name(target.name + ".manifest.json")


def fingerprint(url: str, kind: str, request: dict) -> str:
    """Hash of everything that decides the content; equal fingerprints = the same download."""
    blob = json.dumps({"v": FORMAT_VERSION, "url": url, "kind": kind, "request": request},
                      sort_keys=True, default=str)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


class Manifest:
    """Dict-backed manifest; `save()` after each change makes it the resume point."""

    def __init__(self, path: Path, data: dict):
        self.path = path
        self.data = data

    @classmethod
    def new(cls, target: Path, *, source: str, url: str, kind: str, request: dict) -> "Manifest":
        return cls(manifest_path(target), {
            "format_version": FORMAT_VERSION,
            "source": source,
            "target": target.name,
            "url": url,
            "kind": kind,
            "request": request,
            "fingerprint": fingerprint(url, kind, request),
            "status": IN_PROGRESS,
            "started": now_iso(),
            "finished": None,
            "streams": {},
        })

    @classmethod
    def load(cls, target: Path) -> "Manifest | None":
        path = manifest_path(target)
        if not path.is_file():
            return None
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            log.warning("%s: unreadable manifest (%s); starting the download afresh", path, exc)
            return None
        if not isinstance(data, dict) or data.get("format_version") != FORMAT_VERSION:
            return None
        return cls(path, data)

    # -----------------------------------------------------------------------------------------
    @property
    def status(self) -> str:
        return self.data.get("status", IN_PROGRESS)

    def matches(self, url: str, kind: str, request: dict) -> bool:
        return self.data.get("fingerprint") == fingerprint(url, kind, request)

    def stream(self, name: str, start: dict) -> dict:
        """Progress of one paged request sequence: pages done, the next page's state, done flag."""
        return self.data["streams"].setdefault(name, {"pages": [], "next": start, "done": False,
                                                     "number_matched": None})

    def save(self) -> None:
        write_json(self.data, self.path)

    def complete(self, **facts) -> None:
        self.data.update(facts)
        self.data["status"] = COMPLETE
        self.data["finished"] = now_iso()
        self.save()
