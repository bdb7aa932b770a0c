"""Colours and small helpers shared by the plotting modules."""
from __future__ import annotations

from typing import Any

import matplotlib.pyplot as plt

# Colour-blind-friendly class colours (Matplotlib's "tab10" order), light versions for the region fill.
CLASS_COLORS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
                "#bcbd22", "#17becf")
HIGHLIGHT_COLORS = ("#d62728", "#9467bd", "#ff7f0e", "#2ca02c", "#1f77b4")


def _new_axes(ax: Any, figsize: tuple[float, float]) -> Any:
    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    elif not hasattr(ax, "figure") or not hasattr(ax, "plot"):
        raise TypeError(f"ax must be a Matplotlib Axes or None, got {type(ax).__name__}")
    return ax
