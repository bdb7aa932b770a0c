"""Training diagnostics: per-layer traces over training steps and activation histograms.

What to look at while a network learns (CS231n's "babysitting the learning process"): the size of each
layer's weight gradient, the size of each update relative to the weights it changes, and the distribution of
each hidden layer's activations.
"""
from __future__ import annotations

from typing import Any, Mapping, Sequence

import numpy as np

from ..validate import as_float_array, check_int
from ._common import _new_axes


def _named_arrays(data: Mapping[str, Any], what: str, ndim: int | tuple[int, ...]) -> dict[str, np.ndarray]:
    if not isinstance(data, Mapping) or not data:
        got = type(data).__name__ if not isinstance(data, Mapping) else "an empty dict"
        raise ValueError(f"{what} must be a non-empty dict {{name: values}}, got {got}")
    out = {}
    for name, values in data.items():
        if not isinstance(name, str):
            raise TypeError(f"{what} names must be strings, got {name!r}")
        arr = np.asarray(values)
        if arr.dtype.kind in "iub":
            arr = arr.astype(np.float64)
        arr = as_float_array(arr, f"{what}[{name!r}]", ndim=ndim)
        if arr.size == 0:
            raise ValueError(f"{what}[{name!r}] is empty; expected at least one value")
        out[name] = arr
    return out


def plot_layer_traces(
    traces: Mapping[str, Sequence[float]],
    ax: Any = None,
    steps_per_epoch: int | None = None,
    log: bool = True,
    reference: float | None = None,
    reference_label: str | None = None,
    ylabel: str = "value",
) -> Any:
    """One line per layer of a quantity recorded at every training step.

    Typical quantities: the norm of each layer's weight gradient, ``‖∂E/∂W‖``, or the update-to-weight ratio
    ``‖ΔW‖ / ‖W‖`` of each step.

    Parameters
    ----------
    traces : dict of str -> sequence of float, each of shape (n_steps,)
        One entry per layer, e.g. ``{"layer 1": [...], "layer 2": [...]}``; all values finite (and > 0 when
        ``log``).
    ax : Axes, optional
    steps_per_epoch : int, optional
        If given, the x axis counts epochs (step k is drawn at k / steps_per_epoch); otherwise steps.
    log : bool
        Logarithmic y axis (the default: these quantities span decades).
    reference : float, optional
        Draw a dashed horizontal line at this value (e.g. 1e-3 for the update-to-weight ratio).
    reference_label : str, optional
        Legend text for the reference line.
    ylabel : str

    Returns
    -------
    Axes
        With one ``Line2D`` per trace (labelled by its key), then the reference line if any.
    """
    curves = _named_arrays(traces, "traces", ndim=1)
    if log:
        for name, arr in curves.items():
            if arr.min() <= 0:
                raise ValueError(f"traces[{name!r}] has a value {arr.min():g} <= 0, which a log axis cannot show")
    if steps_per_epoch is not None:
        steps_per_epoch = check_int(steps_per_epoch, "steps_per_epoch")
    if reference is not None and not (np.isfinite(reference) and (reference > 0 or not log)):
        raise ValueError(f"reference must be a finite number (> 0 on a log axis), got {reference!r}")
    ax = _new_axes(ax, (5.5, 3.5))
    for name, arr in curves.items():
        k = np.arange(1, arr.size + 1, dtype=np.float64)
        ax.plot(k / steps_per_epoch if steps_per_epoch else k, arr, label=name, lw=0.9)
    if reference is not None:
        ax.axhline(reference, color="0.4", ls="--", lw=0.9, label=reference_label)
    if log:
        ax.set_yscale("log")
    ax.set_xlabel("epoch" if steps_per_epoch else "training step")
    ax.set_ylabel(ylabel)
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(fontsize="small")
    return ax


def plot_activation_histograms(
    activations: Mapping[str, np.ndarray],
    ax: Any = None,
    bins: int = 40,
    value_range: tuple[float, float] | None = None,
    log: bool = False,
) -> Any:
    """Overlaid histograms of activations (or pre-activations), one outline per named array.

    Each legend entry states the array's standard deviation and its share of exact zeros (for ReLU outputs:
    the inactive units).

    Parameters
    ----------
    activations : dict of str -> array of any shape
        E.g. ``{"layer 1, He init": A1, "layer 1, trained": A1_trained}``; flattened, all values finite.
    ax : Axes, optional
    bins : int
        Number of bins, shared by all arrays (over ``value_range``, default the joint min..max).
    value_range : (low, high), optional
    log : bool
        Logarithmic count axis.

    Returns
    -------
    Axes
        With one step-outline ``Patch`` per array, in order; the counts are those of ``numpy.histogram`` with
        the same bins.
    """
    arrays = {k: v.ravel() for k, v in _named_arrays(activations, "activations", ndim=None).items()}
    bins = check_int(bins, "bins")
    if value_range is None:
        low = min(float(a.min()) for a in arrays.values())
        high = max(float(a.max()) for a in arrays.values())
        value_range = (low, high if high > low else low + 1.0)
    elif len(value_range) != 2 or not value_range[0] < value_range[1]:
        raise ValueError(f"value_range must be (low, high) with low < high, got {value_range!r}")
    edges = np.linspace(value_range[0], value_range[1], bins + 1)
    ax = _new_axes(ax, (5.5, 3.5))
    for name, a in arrays.items():
        label = f"{name}: std {a.std():.3g}, zeros {np.mean(a == 0):.0%}"
        ax.hist(a, bins=edges, histtype="step", lw=1.2, label=label)
    if log:
        ax.set_yscale("log")
    ax.set_ylabel("count")
    ax.legend(fontsize="small")
    return ax
