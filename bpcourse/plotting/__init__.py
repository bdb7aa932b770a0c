"""Figure helpers for the chapters: decision regions, loss curves, network diagrams, image grids, confusion
matrices.

Every function draws on a Matplotlib ``Axes`` (made with ``plt.subplots`` when none is given), returns what it
drew so a caller can print a check of the data or a test can count the artists, and never calls
``plt.show()``: the notebook does that. Only the object API (``ax.plot``, ``ax.text``, ...) is used, so the
functions work under any backend, including the non-interactive "Agg" used by the tests.

Matplotlib is imported inside this module only; ``import bpcourse`` does not import it (the package loads
``bpcourse.plotting`` on first use).
"""
from __future__ import annotations

# One module per kind of figure; this package re-exports the public functions. To add a figure, add a module
# and one import line here.
from ._common import CLASS_COLORS, HIGHLIGHT_COLORS
from .curves import plot_loss_curves
from .decision import DecisionRegions, plot_decision_regions
from .depth import plot_by_layer
from .diagnostics import plot_activation_histograms, plot_layer_traces
from .graph import GraphDrawing, draw_graph
from .images import plot_confusion_matrix, show_images
from .network import NetworkDrawing, draw_network
from .wiring import BiasWiring, draw_bias_wiring

__all__ = [
    "plot_by_layer",
    "BiasWiring",
    "draw_bias_wiring",
    "DecisionRegions",
    "NetworkDrawing",
    "plot_decision_regions",
    "plot_loss_curves",
    "draw_network",
    "show_images",
    "plot_confusion_matrix",
    "plot_layer_traces",
    "plot_activation_histograms",
    "GraphDrawing",
    "draw_graph",
]
