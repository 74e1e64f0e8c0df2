"""Shared test helpers: where ../shared is, and a skip with a stated reason where it is absent."""
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
CHROMIUM = Path("/usr/bin/chromium")  # Debian's chromium; the browser tests skip without it
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-quic",
        "--no-first-run", "--disable-component-update", "--disable-sync"]

# the seven required sources, each a local path: the smallest configuration that validates (test_config.py,
# test_fetch_per_terrein.py)
MINIMAL_SOURCES = """
sources:
  terreinen: {path: a.gpkg}
  panden: {path: b.gpkg}
  verblijfsobjecten: {path: b.gpkg}
  kades: {path: c.geojson}
  vaarwegen: {path: d.shp}
  milieuzones: {path: e.gpkg}
  netcapaciteit: {path: f.geojson}
"""


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not (SHARED / "data" / "real").is_dir():
        pytest.skip(f"../shared/data/real not found beside the project ({SHARED}); "
                    "it holds the real data samples and is only present in the team's checkouts and CI")
    return SHARED


@pytest.fixture(scope="session")
def screenshots(tmp_path_factory) -> Path:
    """Where the tests leave the pictures they take (browser screenshots, QGIS renders): SVP_SCREENSHOTS when set,
    else a folder in pytest's temporary directory; the path is printed in the terminal summary."""
    import os
    folder = Path(os.environ["SVP_SCREENSHOTS"]) if os.environ.get("SVP_SCREENSHOTS") else \
        tmp_path_factory.mktemp("screenshots", numbered=False)
    folder.mkdir(parents=True, exist_ok=True)
    _SHOTS.append(folder)
    return folder


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium (Playwright) for every browser test of the run."""
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        yield b
        b.close()


_SHOTS: list[Path] = []


def pytest_terminal_summary(terminalreporter):
    for folder in _SHOTS:
        pictures = sorted(p.name for p in folder.glob("*.png"))
        if pictures:
            terminalreporter.write_line(f"screenshots ({len(pictures)}): {folder}")
