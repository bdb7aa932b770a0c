"""bpcourse.savehook: a saved widget output never dangles (the browser side is tests/e2e/test_e2e_save_reopen.py)."""
from __future__ import annotations

import copy
import json
from pathlib import Path

from bpcourse.savehook import WIDGET_STATE, WIDGET_VIEW, dangling_widget_outputs, keep_widgets_displayable

ROOT = Path(__file__).resolve().parents[1]


def _output(model_id: str, **extra: str) -> dict:
    return {"output_type": "display_data", "metadata": {},
            "data": {WIDGET_VIEW: {"model_id": model_id, "version_major": 2, "version_minor": 0}, **extra}}


def _notebook(outputs: list[dict], stored: tuple[str, ...]) -> dict:
    state = {m: {"model_name": "VBoxModel", "model_module": "@jupyter-widgets/controls", "state": {}}
             for m in stored}
    return {"cells": [{"cell_type": "code", "source": "", "metadata": {}, "execution_count": 1,
                       "outputs": outputs}],
            "metadata": {"widgets": {WIDGET_STATE: {"state": state, "version_major": 2, "version_minor": 0}}},
            "nbformat": 4, "nbformat_minor": 5}


def test_a_dangling_widget_output_keeps_its_picture():
    nb = _notebook([_output("old", **{"text/html": "<svg/>", "text/plain": "Stepper"}),
                    _output("new", **{"text/html": "<svg>new</svg>", "text/plain": "Stepper"})], stored=("old",))
    model = {"type": "notebook", "content": nb}
    assert dangling_widget_outputs(nb) == ["new"]
    keep_widgets_displayable(model, path="x.ipynb", contents_manager=None)
    kept, dropped = nb["cells"][0]["outputs"]
    assert WIDGET_VIEW in kept["data"]                                  # its state is stored: still a widget
    assert dropped["data"] == {"text/html": "<svg>new</svg>", "text/plain": "Stepper"}
    assert dangling_widget_outputs(nb) == []


def test_a_bare_widget_output_says_what_to_do():
    nb = _notebook([_output("gone")], stored=())
    keep_widgets_displayable({"type": "notebook", "content": nb})
    assert nb["cells"][0]["outputs"][0]["data"] == {"text/plain": "(a widget: run this cell to show it)"}


def test_notebooks_without_widget_state_and_other_files_are_left_alone():
    nb = _notebook([_output("a", **{"image/png": "iVBOR"})], stored=())
    del nb["metadata"]["widgets"]
    keep_widgets_displayable({"type": "notebook", "content": nb})
    assert nb["cells"][0]["outputs"][0]["data"] == {"image/png": "iVBOR"}
    text = {"type": "file", "content": "print('hi')", "format": "text"}
    before = copy.deepcopy(text)
    keep_widgets_displayable(text)
    assert text == before


def test_the_shipped_chapters_are_saved_unchanged():
    # opening and saving an untouched chapter must change nothing: every widget it shows has its state stored
    for path in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        nb = json.loads(path.read_text(encoding="utf-8"))
        before = copy.deepcopy(nb)
        keep_widgets_displayable({"type": "notebook", "content": nb})
        assert nb == before, path.name


def test_the_readme_lab_command_registers_the_hook():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    first = readme[readme.index("```bash\n") + 8:]
    first = first[: first.index("\n```")]
    assert "--ContentsManager.pre_save_hook=bpcourse.savehook.keep_widgets_displayable" in first.split()
