"""What every settings model shares: strict parsing and the category check."""
from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from pipeline.categories import MILIEUCATEGORIEEN


class ConfigError(ValueError):
    """A configuration file that cannot be used; the message names the file and every bad key."""


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_default=True)


def check_category(value: str | None) -> str | None:
    if value is not None and str(value) not in MILIEUCATEGORIEEN:
        raise ValueError(f"expected a milieucategorie, one of {MILIEUCATEGORIEEN}, got {value!r}")
    return None if value is None else str(value)
