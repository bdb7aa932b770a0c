"""Quantities by layer: how the size of δ (or any per-layer number) changes from the output back to the input."""
from __future__ import annotations

from typing import Any, Mapping, Sequence

import numpy as np

from ..validate import as_float_array
from ._common import _new_axes


def plot_by_layer(
    values: Mapping[str, Sequence[float]],
    ax: Any = None,
    bound: Sequence[float] | None = None,
    bound_label: str = "bound",
    ylabel: str = r"$|\delta|$",
) -> Any:
    """One line per named series of per-layer values, on a logarithmic axis, layers numbered from 1.

    Made for the vanishing gradient: ``values["w = 1"][l - 1]`` is |δ| of layer l in a deep chain, so the
    curve falls towards the input (layer 1) by the factor each layer multiplies in.

    Parameters
    ----------
    values : dict of str -> sequence of float, each of shape (n_layers,)
        Series of magnitudes, first layer first. Signs are dropped (absolute values are drawn); every value
        must be finite and non-zero, since a log axis cannot show 0.
    ax : Axes, optional
    bound : sequence of float, shape (n_layers,), optional
        A limit drawn as a dashed black line (e.g. |δ_L|·(w/4)^(L − l) from σ' ≤ 1/4); same rules.
    bound_label : str
        Legend text of the bound.
    ylabel : str

    Returns
    -------
    Axes
        With one ``Line2D`` per series (labelled by its key), then the bound's line if given.
    """
    if not isinstance(values, Mapping) or not values:
        got = type(values).__name__ if not isinstance(values, Mapping) else "an empty dict"
        raise ValueError(f"values must be a non-empty dict {{name: per-layer values}}, got {got}")
    for name in values:
        if not isinstance(name, str):
            raise TypeError(f"series names must be strings, got {name!r}")
    series = {name: _magnitudes(v, f"values[{name!r}]") for name, v in values.items()}
    limit = None if bound is None else _magnitudes(bound, "bound")
    sizes = {arr.size for arr in series.values()} | ({limit.size} if limit is not None else set())
    if len(sizes) != 1:
        raise ValueError(f"every series (and the bound) needs one value per layer; got lengths {sorted(sizes)}")
    ax = _new_axes(ax, (5.5, 3.5))
    layers = np.arange(1, next(iter(sizes)) + 1)
    for name, arr in series.items():
        ax.plot(layers, arr, marker="o", label=name)
    if limit is not None:
        ax.plot(layers, limit, "k--", lw=1.0, label=bound_label)
    ax.set_yscale("log")
    ax.set_xticks(layers)
    ax.set_xlabel("layer (1 = next to the input)")
    ax.set_ylabel(ylabel)
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize="small")
    return ax


def _magnitudes(values: Sequence[float], name: str) -> np.ndarray:
    arr = np.asarray(values)
    if arr.dtype.kind in "iu":
        arr = arr.astype(np.float64)
    arr = np.abs(as_float_array(arr, name, ndim=1))
    if arr.size == 0:
        raise ValueError(f"{name} is empty; expected one value per layer")
    if (arr == 0).any():
        raise ValueError(f"{name} contains 0, which a log axis cannot show; expected non-zero magnitudes")
    return arr
