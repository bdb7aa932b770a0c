"""The widgets inside an executed notebook, as the chapters are executed (nbclient, as nbconvert --execute uses
it): the stored output carries the static fallback next to the widget view, and the notebook's metadata the
widget state that lets JupyterLab draw the widgets of a trusted notebook before a kernel runs."""
import base64

import nbformat
import pytest
from nbclient import NotebookClient

CELLS = [
    "from bpcourse.widgets import BackpropStepper, TrainingExplorer",
    'BackpropStepper("chain").view()',
    "TrainingExplorer(epochs=3).build_ui()",
]


@pytest.fixture(scope="module")
def executed():
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
    nb.cells = [nbformat.v4.new_code_cell(src) for src in CELLS]
    # store_widget_state=True is what `jupyter nbconvert --execute --ExecutePreprocessor.store_widget_state=True`
    # passes on (and nbclient's default)
    NotebookClient(nb, timeout=120, kernel_name="python3", store_widget_state=True).execute()
    return nb


def _output(nb, cell):
    outputs = nb.cells[cell].outputs
    assert len(outputs) == 1, f"cell {cell} should display exactly one output, got {outputs}"
    return outputs[0]


def test_stepper_output_has_the_widget_and_a_static_picture(executed):
    data = _output(executed, 1)["data"]
    assert set(data) == {"application/vnd.jupyter.widget-view+json", "text/html", "text/plain"}
    assert data["text/plain"] == "BackpropStepper view of 'chain' (13 steps)"
    html = data["text/html"]
    assert "Run this notebook to use the stepper" in html
    svg = base64.b64decode(html.split("data:image/svg+xml;base64,")[1].split('"')[0]).decode()
    assert ">L = 0.5287</text>" in svg  # the loss of Article C's first sample, drawn at the loss node
    from bpcourse.widgets import BackpropStepper
    from bpcourse.widgets.stepper_view import static_html
    assert html == static_html(BackpropStepper("chain"))  # the same picture as in this process


def test_explorer_output_has_the_widget_and_a_png(executed):
    data = _output(executed, 2)["data"]
    assert set(data) == {"application/vnd.jupyter.widget-view+json", "image/png", "text/plain"}
    assert base64.b64decode(data["image/png"]).startswith(b"\x89PNG")


def test_widget_state_is_stored_for_every_displayed_widget(executed):
    state = executed.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]
    assert (state["version_major"], state["version_minor"]) == (2, 0)
    models = state["state"]
    for cell in (1, 2):
        model_id = _output(executed, cell)["data"]["application/vnd.jupyter.widget-view+json"]["model_id"]
        assert model_id in models, "JupyterLab would show 'model not found' for this output"
    drawings = [m["state"]["value"] for m in models.values()
                if m["model_name"] == "HTMLModel" and "bp-drawing" in m["state"].get("_dom_classes", [])]
    assert len(drawings) == 1 and drawings[0].startswith("<svg")
