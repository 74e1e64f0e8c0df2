"""Shared test helpers: where ../shared is, and a skip with a stated reason where it is absent."""
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not (SHARED / "data" / "real").is_dir():
        pytest.skip(f"../shared/data/real not found beside the project ({SHARED}); "
                    "it holds the real data samples and is only present in the team's checkouts and CI")
    return SHARED
