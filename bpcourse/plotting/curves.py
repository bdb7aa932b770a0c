"""Loss curves: one line per named training history."""
from __future__ import annotations

from typing import Any, Mapping, Sequence

import numpy as np

from ..validate import as_float_array
from ._common import _new_axes


def plot_loss_curves(histories: Mapping[str, Sequence[float]], ax: Any = None, log: bool = False) -> Any:
    """One line per named history (loss after each epoch), epochs counted from 1.

    Parameters
    ----------
    histories : dict of str -> sequence of float
        E.g. ``{"train": history["loss"], "validation": history["val_loss"]}``. Every value must be finite
        (and positive when ``log``).
    ax : Axes, optional
    log : bool
        Logarithmic loss axis.

    Returns
    -------
    Axes
        With one ``Line2D`` per history, labelled by its key.
    """
    if not isinstance(histories, Mapping) or not histories:
        raise ValueError(
            "histories must be a non-empty dict {name: list of losses}, got "
            + (f"{type(histories).__name__}" if not isinstance(histories, Mapping) else "an empty dict")
        )
    curves = {}
    for name, values in histories.items():
        if not isinstance(name, str):
            raise TypeError(f"history names must be strings, got {name!r}")
        arr = np.asarray(values)
        if arr.dtype.kind in "iu":
            arr = arr.astype(np.float64)  # whole-number losses are fine
        arr = as_float_array(arr, f"histories[{name!r}]", ndim=1)
        if arr.size == 0:
            raise ValueError(f"histories[{name!r}] is empty; expected one loss per epoch")
        if log and arr.min() <= 0:
            raise ValueError(f"histories[{name!r}] has a value {arr.min():g} <= 0, which a log axis cannot show")
        curves[name] = arr
    ax = _new_axes(ax, (5.0, 3.5))
    for name, arr in curves.items():
        ax.plot(np.arange(1, arr.size + 1), arr, label=name, marker="." if arr.size <= 30 else None)
    if log:
        ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel("loss E")
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize="small")
    return ax
