"""The per-terrein trend chart written as SVG text (pipeline/export/svgchart.py)."""
import base64
import xml.etree.ElementTree as ET

import numpy as np
import pandas as pd

from pipeline.export.svgchart import BOTTOM, TOP, nice_ticks, svg_chart
from pipeline.export.trend import SERIES, terrein_charts

NS = "{http://www.w3.org/2000/svg}"


def parse(uri: str) -> ET.Element:
    assert uri.startswith("data:image/svg+xml;base64,")
    return ET.fromstring(base64.b64decode(uri.split(",", 1)[1]))


def test_nice_ticks_start_at_zero_and_reach_the_top_in_round_steps():
    assert nice_ticks(11.55).tolist() == [0, 2, 4, 6, 8, 10, 12]
    assert nice_ticks(0.42).tolist() == [0, 0.1, 0.2, 0.3, 0.4, 0.5]
    assert nice_ticks(13.0).tolist() == [0, 2.5, 5, 7.5, 10, 12.5, 15]
    assert nice_ticks(0.0).tolist() == [0, 1]


def test_chart_draws_each_series_breaks_at_a_gap_and_is_reproducible():
    h = pd.DataFrame({"jaar": [2021, 2022, 2023, 2024], "ha_bruto": [10.0, 10.5, 11.0, 11.0],
                      "ha_netto": [8.0, np.nan, 9.0, 9.0], "ha_uitgeefbaar": [1.0, 0.5, 0.4, 0.4]})
    uri = svg_chart(h, SERIES)
    assert uri == svg_chart(h, SERIES)
    root = parse(uri)
    assert root.get("width") == "336" and root.get("height") == "192"
    lines = root.findall(f"{NS}polyline")
    # bruto and uitgeefbaar one line of 4 points; netto broken at 2022: only 2023-2024 is a line
    assert sorted(len(p.get("points").split()) for p in lines) == [2, 4, 4]
    assert len(root.findall(f"{NS}circle")) == 4 + 3 + 4 + 3  # the values, plus one per legend entry
    texts = [t.text for t in root.findall(f"{NS}text")]
    assert {"2021", "2024", "bruto", "netto", "uitgeefbaar", "ha", "0", "12"} <= set(texts)
    # 11 ha (the largest value) lies inside the axes, 0 on the bottom edge
    ys = [float(p.split(",")[1]) for line in lines for p in line.get("points").split()]
    assert min(ys) >= TOP and max(ys) <= BOTTOM


def test_one_chart_per_terrein_of_the_history():
    h = pd.DataFrame({"rin_nummer": ["A", "A", "B"], "jaar": [2023, 2024, 2024], "naam": "x",
                      "ha_bruto": [1.0, 2.0, 3.0], "ha_netto": [1.0, 1.0, 2.0], "ha_uitgeefbaar": [0.0, 0.5, 0.1]})
    charts = terrein_charts(h)
    assert sorted(charts) == ["A", "B"]
    assert len(parse(charts["B"]).findall(f"{NS}polyline")) == 0  # one year: dots only


def test_a_titled_chart_has_its_title_above_lower_axes():
    """A regio's chart: the title centred above the axes, which start lower to make room (matplotlib's layout of
    the titled figure); the values still lie inside the axes."""
    from pipeline.export.svgchart import TOP_TITLED

    h = pd.DataFrame({"jaar": [2023, 2024], "ha_bruto": [89.0, 79.0], "ha_netto": [68.0, 63.2],
                      "ha_uitgeefbaar": [9.0, 3.0]})
    root = parse(svg_chart(h, SERIES, title="Zuidoost-Brabant & Co: bedrijventerreinen (IBIS)"))
    title = [t for t in root.findall(f"{NS}text") if t.text.startswith("Zuidoost")]
    assert len(title) == 1 and title[0].get("text-anchor") == "middle" and float(title[0].get("y")) < TOP_TITLED
    frame = root.findall(f"{NS}rect")[1]
    assert float(frame.get("y")) == round(TOP_TITLED, 1) and TOP_TITLED > TOP
    ys = [float(p.split(",")[1]) for line in root.findall(f"{NS}polyline") for p in line.get("points").split()]
    assert min(ys) >= TOP_TITLED and max(ys) <= BOTTOM
    assert "Zuidoost" not in "".join(t.text for t in parse(svg_chart(h, SERIES)).findall(f"{NS}text"))
