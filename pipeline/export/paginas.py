"""HTML pages: every page of the export is rendered by one jinja2 environment on pipeline/templates.

- `maps/index.html` (kaart.html): the overview map. Leaflet's JS/CSS (from the xstatic-leaflet package),
  kaart.css, opmaak.js and kaart.js are inlined and the data (kaartdata.py) is one JSON value, so the page
  works from a file: URL without any network request (the OpenStreetMap overlay is off until ticked).
- `maps/terreinen/<rin>.html` (detail.html): the evidence of one terrein (data in detaildata.py); Leaflet, the
  page's own scripts and stylesheet (opmaak.js, achtergrond.js, detail.js, detail.css) and what every page shows
  the same way (detail-gedeeld.js: column descriptions, sections, legends) from `maps/assets/`.
- `maps/ranglijst.html` and `maps/rapport.html`: rendered by report.py through `render`.
Pages have no random ids and no clock: the same data gives the same bytes (the report's creation time is an
input of its own).
"""
from __future__ import annotations

import base64
import functools
import re
import shutil
from pathlib import Path

import jinja2
import orjson

from pipeline import memory, progress
from pipeline.export import trend
from pipeline.export.common import Inputs
from pipeline.export.detaildata import detail_pages
from pipeline.export.kaartdata import fit_budget, overview_data, overview_vertices
from pipeline.io import atomic_path


# ---------------------------------------------------------------------------------------------
# The environment
# ---------------------------------------------------------------------------------------------
def inline(text: str, what: str) -> str:
    """Text for inside a <script> or <style> element; a closing tag in it would end the element early."""
    if re.search(r"</(script|style)", text, re.IGNORECASE):
        raise ValueError(f"{what}: contains a closing </script> or </style> tag; it cannot be inlined")
    return text


@functools.lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    """The one environment: loader on pipeline/templates, autoescape on, undefined names are errors."""
    env = jinja2.Environment(loader=jinja2.PackageLoader("pipeline", "templates"), autoescape=True,
                             undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
    # |tojson: compact, in insertion order (popups list columns in data order), '<' '>' '&' "'" escaped by jinja2;
    # written by orjson (the pages' data is a few MB per page). The data holds no NaN: kaartdata._plain makes it None.
    env.policies["json.dumps_function"] = dumps
    env.policies["json.dumps_kwargs"] = {}

    def asset(name: str) -> str:
        """A script or stylesheet of pipeline/templates, raw (use with |safe inside <script>/<style>)."""
        return inline(env.loader.get_source(env, name)[0], name)

    env.globals["asset"] = asset
    return env


def dumps(value) -> str:
    """Compact JSON text of plain Python values (dict keys that are not text are written as text, as json does)."""
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode("utf-8")


def render(template: str, **context) -> str:
    return environment().get_template(template).render(**context)


# ---------------------------------------------------------------------------------------------
# Leaflet (from the xstatic-leaflet package; never committed)
# ---------------------------------------------------------------------------------------------
def leaflet_dir() -> Path:
    import xstatic.pkg.leaflet as xleaflet
    return Path(xleaflet.BASE_DIR)


def _strip_sourcemap(text: str) -> str:
    return re.sub(r"/[/*]# sourceMappingURL=\S+", "", text)


@functools.lru_cache(maxsize=1)
def leaflet_js() -> str:
    return inline(_strip_sourcemap((leaflet_dir() / "leaflet.js").read_text(encoding="utf-8")), "leaflet.js")


@functools.lru_cache(maxsize=2)
def leaflet_css(inline_images: bool = True) -> str:
    """leaflet.css, with its images as data: URIs when it goes into a page (no file next to index.html)."""
    css = (leaflet_dir() / "leaflet.css").read_text(encoding="utf-8")
    if inline_images:
        def data_uri(match):
            data = (leaflet_dir() / match.group(1)).read_bytes()
            return "url(data:image/png;base64," + base64.b64encode(data).decode() + ")"
        css = re.sub(r"url\((images/[^)]+\.png)\)", data_uri, css)
    return inline(css, "leaflet.css")


# ---------------------------------------------------------------------------------------------
# Pages
# ---------------------------------------------------------------------------------------------
def render_overview(config, inputs: Inputs, *, tolerance: float, detail_links: dict[str, str]) -> str:
    """maps/index.html for one simplification tolerance."""
    data = overview_data(config, inputs, tolerance=tolerance, detail_links=detail_links)
    return render("kaart.html", titel=f"Strategische vestigingsplaatsen – {config.region.name}",
                  leaflet_js=leaflet_js(), leaflet_css=leaflet_css(), data=data)


def write_details(config, inputs: Inputs, folder: Path, *, blocks=None, sources: dict | None = None) -> dict[str, str]:
    """Write the detail pages (one per terrein with kavels; `blocks` and `sources`: see detaildata.detail_pages) into
    `folder`; return rin -> relative link from index.html."""
    folder.mkdir(parents=True, exist_ok=True)
    links = {}
    charts = trend.terrein_charts(inputs.historie) if config.export.trend_grafieken else {}
    rows = trend.detail_rows(inputs.historie)
    pages = progress.bar(desc="detailpagina's", unit=" pagina")
    for page in detail_pages(config, inputs, tolerance=config.export.kaart_vereenvoudiging_m, blocks=blocks,
                             sources=sources):
        pages.update(1)
        html = render("detail.html", **page, trend=charts.get(page["rin"]), trend_rijen=rows.get(page["rin"], []))
        (folder / f"{page['slug']}.html").write_text(html, encoding="utf-8")
        links[page["rin"]] = f"terreinen/{page['slug']}.html"
    pages.close()
    memory.release()  # the pages' blocks are freed: what comes next starts from what is in use
    return links


DETAIL_ASSETS = ("opmaak.js", "achtergrond.js", "detail.js", "detail.css")
SHARED_DATA = "detail-gedeeld.js"


def write_assets(folder: Path, shared: dict) -> None:
    """Leaflet JS/CSS/images, the pages' own scripts and what every page shows the same way (`shared`,
    detaildata.shared_data, as SVP_GEDEELD in detail-gedeeld.js) for the detail pages (relative links, works
    offline)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / SHARED_DATA).write_text(f"var SVP_GEDEELD = {dumps(shared)};\n", encoding="utf-8")
    (folder / "leaflet.js").write_text(leaflet_js(), encoding="utf-8")
    (folder / "leaflet.css").write_text(leaflet_css(inline_images=False), encoding="utf-8")
    shutil.copytree(leaflet_dir() / "images", folder / "images")
    env = environment()
    for name in DETAIL_ASSETS:
        (folder / name).write_text(env.loader.get_source(env, name)[0], encoding="utf-8")


def write_maps(config, inputs: Inputs, ranglijst_html: str, *, folder: Path, links: dict[str, str],
               shared: dict | None = None) -> dict:
    """Write index.html, ranglijst.html and, when there are detail pages (`links`, rin -> page; `shared`: what they
    show the same way), assets/ into `folder` (a staging folder of the export's output set: it is swapped in
    whole)."""
    maps = Path(folder)
    maps.mkdir(parents=True, exist_ok=True)
    exp = config.export
    if links:
        write_assets(maps / "assets", shared)
    html, tolerance = fit_budget(
        lambda tol: render_overview(config, inputs, tolerance=tol, detail_links=links),
        tolerance=exp.kaart_vereenvoudiging_m, budget_mb=exp.kaart_max_mb,
        vertices=lambda tol: overview_vertices(config, inputs, tol))
    index = maps / "index.html"
    with atomic_path(index) as tmp:
        tmp.write_text(html, encoding="utf-8")
    ranglijst = maps / "ranglijst.html"
    with atomic_path(ranglijst) as tmp:
        tmp.write_text(ranglijst_html, encoding="utf-8")
    return {"index": index, "ranglijst": ranglijst, "kaart_mb": round(len(html.encode("utf-8")) / 1024 / 1024, 2),
            "vereenvoudiging_m": tolerance, "detailpaginas": len(links)}

