"""Decision regions of a classifier over a 2-D input plane."""
from __future__ import annotations

from typing import Any, Callable, NamedTuple

import numpy as np
from matplotlib.colors import ListedColormap

from ..validate import as_float_array, as_labels, check_int
from ._common import CLASS_COLORS, _new_axes


class DecisionRegions(NamedTuple):
    """What :func:`plot_decision_regions` drew: the axes and the grid of predicted labels.

    ``xx``, ``yy`` and ``labels`` have shape (resolution, resolution); ``labels[r, c]`` is the class predicted
    at the point (``xx[r, c]``, ``yy[r, c]``).
    """

    ax: Any
    xx: np.ndarray
    yy: np.ndarray
    labels: np.ndarray


def _as_predicted_labels(out: object, m: int) -> np.ndarray:
    """Turn what ``predict`` returned for m grid points into integer labels (m,)."""
    arr = np.asarray(out)
    if arr.ndim == 2 and arr.shape[0] == m and arr.shape[1] > 1:
        return arr.argmax(axis=1)  # class scores or probabilities
    if arr.ndim == 2 and arr.shape == (m, 1):
        arr = arr[:, 0]
    if arr.ndim != 1 or arr.shape[0] != m:
        raise ValueError(
            f"predict returned shape {arr.shape} for {m} points; expected labels ({m},), one score ({m}, 1) "
            f"or class scores ({m}, n_classes)"
        )
    if arr.dtype.kind == "b":
        return arr.astype(np.int64)
    if arr.dtype.kind in "iu":
        return arr.astype(np.int64)
    if arr.dtype.kind == "f":
        if not np.all(np.isfinite(arr)):
            raise ValueError("predict returned NaN or infinity on the grid")
        if np.all(arr == np.round(arr)) and arr.min() >= 0:
            return arr.astype(np.int64)  # labels stored as floats
        return (arr > 0.5).astype(np.int64)  # one output unit: a probability, threshold 0.5
    raise TypeError(f"predict must return numbers, got dtype {arr.dtype}")


def plot_decision_regions(
    predict: Callable[[np.ndarray], np.ndarray],
    X: np.ndarray,
    y: np.ndarray,
    ax: Any = None,
    resolution: int = 200,
    padding: float = 0.1,
) -> DecisionRegions:
    """Colour the plane by the class ``predict`` gives each point, and scatter the data on top.

    Parameters
    ----------
    predict : callable
        ``predict(P)`` for points P of shape (m, 2) returns class labels (m,), or one score (m, 1) read as a
        probability of class 1 (threshold 0.5), or class scores (m, n_classes) (argmax). A Sequential
        network's ``predict`` works as it is.
    X : array (n, 2)
        The data points.
    y : array (n,)
        Their integer class labels.
    ax : Axes, optional
    resolution : int
        Grid points per axis (>= 2); the grid spans the data plus ``padding`` times its range on each side.
    padding : float
        Margin around the data, as a fraction of its range (>= 0).

    Returns
    -------
    DecisionRegions
        ``(ax, xx, yy, labels)``: the grid and the label predicted at each grid point, for a printed check.
    """
    if not callable(predict):
        raise TypeError(f"predict must be callable (points (m, 2) -> labels (m,)), got {type(predict).__name__}")
    X = as_float_array(X, "X", shape=(None, 2))
    if X.shape[0] == 0:
        raise ValueError("X is empty; expected at least one point of shape (2,)")
    y = as_labels(y, "y", n=X.shape[0])
    if y.size and y.min() < 0:
        raise ValueError(f"y must be class indices >= 0, got {y.min()}")
    resolution = check_int(resolution, "resolution", minimum=2)
    if not isinstance(padding, (int, float, np.floating)) or not np.isfinite(padding) or padding < 0:
        raise ValueError(f"padding must be a finite number >= 0, got {padding!r}")
    lo, hi = X.min(axis=0), X.max(axis=0)
    span = np.where(hi > lo, hi - lo, 1.0)
    lo, hi = lo - padding * span, hi + padding * span
    xx, yy = np.meshgrid(np.linspace(lo[0], hi[0], resolution), np.linspace(lo[1], hi[1], resolution))
    grid = np.column_stack([xx.ravel(), yy.ravel()])
    labels = _as_predicted_labels(predict(grid), grid.shape[0]).reshape(xx.shape)
    if labels.min() < 0:
        raise ValueError(f"predict returned negative labels (min {labels.min()}); expected class indices >= 0")
    n_classes = int(max(labels.max(), y.max())) + 1
    colors = [CLASS_COLORS[c % len(CLASS_COLORS)] for c in range(n_classes)]

    ax = _new_axes(ax, (5.0, 4.5))
    ax.pcolormesh(xx, yy, labels, cmap=ListedColormap(colors), vmin=-0.5, vmax=n_classes - 0.5,
                  shading="nearest", alpha=0.25, rasterized=True)
    for c in range(n_classes):
        rows = y == c
        if rows.any():
            ax.scatter(X[rows, 0], X[rows, 1], s=18 if X.shape[0] > 50 else 45, color=colors[c], edgecolors="black", linewidths=0.4,
                       label=f"class {c}", zorder=3)
    ax.set_xlim(lo[0], hi[0])
    ax.set_ylim(lo[1], hi[1])
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.legend(loc="upper right", fontsize="small", framealpha=0.8)
    return DecisionRegions(ax, xx, yy, labels)
