"""Map files, structure only (the browser test checks what a person sees): self-contained, budget, pages."""
import re

import pytest

from pipeline.export.maps import make_self_contained
from export_fixtures import build_outputs


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    folder = tmp_path_factory.mktemp("export_maps")
    config, summary = build_outputs(folder)
    return config, summary


def test_index_is_self_contained(built):
    config, summary = built
    html = (config.paths.maps / "index.html").read_text(encoding="utf-8")
    assert not re.findall(r'<(?:script|link)[^>]*(?:src|href)="https?://', html)
    assert "L.version" in html or "Leaflet" in html
    assert "jquery" not in html.lower()
    assert summary["kaart MB"] <= config.export.kaart_max_mb
    assert '"maxZoom":19' in html  # the map's own config, not Leaflet's source


def test_detail_pages_and_assets(built):
    config, summary = built
    maps = config.paths.maps
    pages = sorted((maps / "terreinen").glob("*.html"))
    assert len(pages) == 6 == summary["detailpagina's"]
    assert (maps / "assets" / "leaflet.js").is_file() and (maps / "assets" / "leaflet.css").is_file()
    page = pages[0].read_text(encoding="utf-8")
    assert "../assets/leaflet.js" in page and "http" not in page.split("<body>")[0]


def test_ranglijst(built):
    config, _ = built
    html = (config.paths.maps / "ranglijst.html").read_text(encoding="utf-8")
    assert html.index("Haven Noord") < html.index("Kraaiven")
    assert "terreinen/NB-001.html" in html


def test_unknown_asset_fails_loudly():
    html = ('<head><script src="https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js"></script>'
            '<link rel="stylesheet" href="https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.css"/>'
            '<script src="https://example.org/plugin.js"></script></head>')
    with pytest.raises(ValueError, match="unknown external asset"):
        make_self_contained(html)
