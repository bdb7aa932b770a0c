"""A JupyterLab save hook that keeps every saved widget output displayable.

A widget output in a notebook is a reference, ``{"model_id": ...}``, to a model that lives in the kernel. When
the notebook is saved without that model's state, the reference dangles, and on reopening JupyterLab shows
"Error displaying widget: model not found" instead of anything. JupyterLab's own remedy, the widget manager's
``saveState`` setting, does not hold: a notebook reopened and saved again loses the state it stored
(ipywidgets issue 3888), and opening a notebook that stores widget state marks it modified.

So the README's lab command registers :func:`keep_widgets_displayable` as the server's pre-save hook
(``--ContentsManager.pre_save_hook=bpcourse.savehook.keep_widgets_displayable``). On every save it drops the
widget reference from each output whose model state the notebook does not carry, leaving the output's other
representations: the course's widgets always send a static picture beside the reference (the stepper's
drawing, the explorer's curve), so a saved and reopened chapter shows that picture, and running the cell
brings the live widget back. Outputs whose state is stored, such as the chapters' as shipped, are kept as they
are, so opening and saving an untouched chapter changes nothing.
"""
from __future__ import annotations

from typing import Any

__all__ = ["keep_widgets_displayable", "dangling_widget_outputs", "WIDGET_VIEW", "WIDGET_STATE"]

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"


def _stored_models(nb: dict[str, Any]) -> set[str]:
    widgets = (nb.get("metadata") or {}).get("widgets") or {}
    return set(((widgets.get(WIDGET_STATE) or {}).get("state") or {}).keys())


def _widget_outputs(nb: dict[str, Any]):
    for cell in nb.get("cells") or ():
        for out in cell.get("outputs") or ():
            data = out.get("data")
            if isinstance(data, dict) and isinstance(data.get(WIDGET_VIEW), dict):
                yield out


def dangling_widget_outputs(nb: dict[str, Any]) -> list[str]:
    """The model ids of the widget outputs in ``nb`` (a notebook as a dict) whose state ``nb`` does not store."""
    stored = _stored_models(nb)
    return [out["data"][WIDGET_VIEW].get("model_id", "") for out in _widget_outputs(nb)
            if out["data"][WIDGET_VIEW].get("model_id", "") not in stored]


def keep_widgets_displayable(model: dict[str, Any], **kwargs: Any) -> None:
    """jupyter_server pre-save hook: drop every dangling widget reference from a notebook about to be saved.

    Parameters
    ----------
    model : dict
        The contents model jupyter_server is saving; only ``type == "notebook"`` models are changed, in place.
    **kwargs
        ``path`` and ``contents_manager``, as jupyter_server passes them; unused.
    """
    if model.get("type") != "notebook" or not isinstance(model.get("content"), dict):
        return
    nb = model["content"]
    stored = _stored_models(nb)
    for out in list(_widget_outputs(nb)):
        if out["data"][WIDGET_VIEW].get("model_id", "") not in stored:
            del out["data"][WIDGET_VIEW]
            if not out["data"]:  # nothing else to show: say what to do instead of showing an empty output
                out["data"]["text/plain"] = "(a widget: run this cell to show it)"
