"""The training explorer's ipywidgets UI: a thin view over :class:`~bpcourse.widgets.explorer.TrainingExplorer`.

Fixed here (issue 11):

* "full" batch no longer blanks the drop-down: ipywidgets reads a ``None`` value as "nothing selected", so the
  drop-down holds the string ``"full"`` and the view maps it to ``batch_size=None``.
* η moves over short numbers (1, 2, 3, 5 × 10^k) and is written with at most 3 significant digits, never
  ``0.125893``.
* The curve is an SVG in an ``HTML`` widget that keeps its aspect ratio and stays sharp at any width (an
  ``Image`` is stretched by the box to the cell's width at a fixed height).
* Displayed, the box also carries a static PNG of the curve with the line "run this notebook to use the
  explorer", for pages without a kernel (see :mod:`bpcourse.widgets`).
"""
from __future__ import annotations

import base64
from typing import Any

import ipywidgets as widgets

from ..optimizers import OPTIMIZERS
from .explorer import BATCH_CHOICES, ETA_CHOICES, TrainingExplorer, eta_text

#: The batch drop-down's value for full-batch descent (``TrainingExplorer.batch_size = None``).
FULL = "full"
STATIC_NOTE = "Static picture: run this notebook to use the explorer (sliders retrain and redraw)."


class ExplorerBox(widgets.VBox):
    """The explorer's controls, summary line and loss curve. ``controls`` (by setting name), ``plot`` (the
    HTML holding the SVG curve), ``status`` (the summary ``Label``) and ``explorer`` are there for scripting
    and tests."""

    explorer: TrainingExplorer

    # The widget's text/plain form is what nbval compares: keep it fixed and readable, not the
    # ipywidgets-version-dependent repr of every child.
    def __repr__(self) -> str:
        return "TrainingExplorer controls (η, optimiser, batch size, epochs, seed) and loss curve"

    def _repr_mimebundle_(self, **kwargs: Any) -> dict:
        data = super()._repr_mimebundle_(**kwargs) or {}
        # a static picture for pages without a kernel; nbval does not compare image/png
        data["image/png"] = base64.b64encode(self.explorer.png(dpi=110, note=STATIC_NOTE)).decode("ascii")
        return data


def _eta_options(current: float) -> list[tuple[str, float]]:
    values = sorted(set(ETA_CHOICES) | {current})
    return [(eta_text(v), v) for v in values]


def build_explorer_ui(explorer: TrainingExplorer) -> ExplorerBox:
    """See :meth:`TrainingExplorer.build_ui`."""
    style = {"description_width": "90px"}
    eta = widgets.SelectionSlider(options=_eta_options(explorer.eta), value=explorer.eta, description="η",
                                 continuous_update=False, style=style, layout=widgets.Layout(width="330px"))
    optimizer = widgets.Dropdown(options=list(OPTIMIZERS), value=explorer.optimizer, description="optimiser",
                                 style=style)
    sizes = [b for b in BATCH_CHOICES if b is not None]
    if explorer.batch_size is not None and explorer.batch_size not in sizes:
        sizes = sorted(sizes + [explorer.batch_size])
    batch_options = [(str(b), b) for b in sizes] + [(FULL, FULL)]
    batch = widgets.Dropdown(options=batch_options, value=FULL if explorer.batch_size is None else explorer.batch_size,
                             description="batch size", style=style)
    epochs = widgets.IntSlider(value=explorer.epochs, min=1, max=max(300, explorer.epochs), description="epochs",
                               continuous_update=False, style=style)
    seed = widgets.BoundedIntText(value=explorer.seed, min=0, max=10**6, description="seed", style=style)
    plot = widgets.HTML(layout=widgets.Layout(width="100%", max_width="760px"))
    status = widgets.Label()
    controls = {"eta": eta, "optimizer": optimizer, "batch_size": batch, "epochs": epochs, "seed": seed}

    def redraw() -> None:
        explorer.run()
        plot.value = explorer.svg()
        status.value = explorer.summary()

    def on_change(change: dict) -> None:
        name = change["owner"]._explorer_setting
        value = change["new"]
        if name == "batch_size" and value == FULL:
            value = None
        setattr(explorer, name, value)
        redraw()

    for name, control in controls.items():
        control._explorer_setting = name
        control.observe(on_change, names="value")
        control.add_class(f"bp-explorer-{name.replace('_', '-')}")  # DOM hooks for the browser tests
    plot.add_class("bp-explorer-plot")
    status.add_class("bp-explorer-status")
    redraw()
    box = ExplorerBox([widgets.HBox([eta, optimizer, batch]), widgets.HBox([epochs, seed]), status, plot])
    box.add_class("bp-explorer")
    box.explorer = explorer
    box.controls = controls
    box.plot = plot
    box.status = status
    return box
