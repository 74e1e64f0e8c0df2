"""notebooks/verkenning.ipynb runs top to bottom on outputs built here from the fabricated fixture."""
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from export_fixtures import build_outputs

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "verkenning.ipynb"


def test_notebook_runs(tmp_path, monkeypatch):
    config, _ = build_outputs(tmp_path)
    monkeypatch.setenv("SVP_PROCESSED", str(config.paths.processed))
    monkeypatch.delenv("MPLBACKEND", raising=False)  # the notebook uses the inline backend
    nb = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(nb, timeout=180, kernel_name="python3",
                   resources={"metadata": {"path": str(NOTEBOOK.parent)}}).execute()
    outputs = [o for cell in nb.cells if cell.cell_type == "code" for o in cell.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    text = "".join(o.get("text", "") for o in outputs if o.get("output_type") == "stream")
    assert "6 terreinen, waarvan 3 strategisch" in text
    html = "".join(o.get("data", {}).get("text/html", "") for o in outputs)
    assert "Haven Noord" in html
    images = [o for o in outputs if "image/png" in o.get("data", {})]
    assert len(images) >= 2  # the bar chart and the map
