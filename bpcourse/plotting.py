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

from typing import Any, Callable, Hashable, Mapping, NamedTuple, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import ListedColormap
from matplotlib.patches import Circle

from ._validate import as_float_array, as_labels

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


def _positive_int(value: object, name: str, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


# ---------------------------------------------------------------------------------------------------------
# decision regions


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
    resolution = _positive_int(resolution, "resolution", minimum=2)
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


# ---------------------------------------------------------------------------------------------------------
# loss curves


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


# ---------------------------------------------------------------------------------------------------------
# network diagrams


class NetworkDrawing(NamedTuple):
    """What :func:`draw_network` drew.

    ``nodes`` maps each node's key (its label, or its number 1..N without labels; ``"b0"``, ``"b1"``, ... for
    the bias nodes of layers 0, 1, ...) to its ``Circle``; ``edges`` maps (from key, to key) to its
    ``Line2D``; ``edge_texts`` maps the labelled edges to their ``Text``; ``positions`` gives each node's
    (x, y).
    """

    ax: Any
    nodes: dict
    edges: dict
    edge_texts: dict
    positions: dict


def _node_keys(layer_sizes: list[int], labels: object) -> list[list[Hashable]]:
    n_total = sum(layer_sizes)
    if labels is None:
        flat: list[Hashable] = list(range(1, n_total + 1))
    else:
        if isinstance(labels, (str, bytes)) or not isinstance(labels, Sequence):
            raise TypeError(f"labels must be a list of node labels, got {type(labels).__name__}")
        if len(labels) == len(layer_sizes) and all(
            isinstance(l, Sequence) and not isinstance(l, str) for l in labels
        ):
            got = [len(l) for l in labels]
            if got != layer_sizes:
                raise ValueError(f"labels per layer have sizes {got}, expected {layer_sizes}")
            flat = [lab for layer in labels for lab in layer]
        else:
            flat = list(labels)
        if len(flat) != n_total:
            raise ValueError(f"labels has {len(flat)} entries, expected {n_total} (one per node of {layer_sizes})")
        if len(set(flat)) != len(flat):
            raise ValueError(f"labels must be distinct, got {flat}")
    out, start = [], 0
    for size in layer_sizes:
        out.append(flat[start : start + size])
        start += size
    return out


def draw_network(
    layer_sizes: Sequence[int],
    labels: Sequence[Any] | None = None,
    ax: Any = None,
    edge_labels: str | Mapping[tuple, str] | None = None,
    bias: bool = False,
    highlight: Sequence[Sequence[Any]] | None = None,
    layer_names: Sequence[str] | None = None,
    show_labels: bool = True,
) -> NetworkDrawing:
    """Draw a small fully connected network: nodes in columns, every node joined to every node of the next.

    Parameters
    ----------
    layer_sizes : sequence of int
        Nodes per layer, input first, e.g. ``[3, 2, 2]``.
    labels : sequence, optional
        Node labels, input layer first: a flat list (``[1, 2, 3, 4, 5, 6, 7]`` for Article B) or one list per
        layer. Without labels nodes are keyed 1..N and drawn unlabelled (``show_labels=False``) or numbered.
    ax : Axes, optional
    edge_labels : "w_ji", dict or None
        ``"w_ji"`` writes w_ji on the edge from node i into node j (later node first, the course's naming);
        a dict ``{(from_key, to_key): text}`` labels chosen edges.
    bias : bool
        Add a bias node "+1" under every layer but the last, joined (dashed) to every node of the next
        layer: the bias folded in as an input fixed at 1. Its key is ``"b0"``, ``"b1"``, ... and its edge
        label reads w_bj.
    highlight : sequence of paths, optional
        Each path is a sequence of node keys, e.g. ``[(4, 6), (4, 7)]``; its edges are drawn thick, one
        colour per path.
    layer_names : sequence of str, optional
        A caption under each column, e.g. ``["input", "hidden", "output"]``.
    show_labels : bool
        Write the labels (or the numbers 1..N) inside the nodes.

    Returns
    -------
    NetworkDrawing
        ``(ax, nodes, edges, edge_texts, positions)``.
    """
    if isinstance(layer_sizes, (str, bytes)) or not isinstance(layer_sizes, Sequence) or len(layer_sizes) < 2:
        raise ValueError(f"layer_sizes must list at least two layer sizes, e.g. [3, 2, 2], got {layer_sizes!r}")
    sizes = [_positive_int(s, f"layer_sizes[{i}]") for i, s in enumerate(layer_sizes)]
    if max(sizes) > 40:
        raise ValueError(f"draw_network is for small networks (at most 40 nodes per layer), got {sizes}")
    keys = _node_keys(sizes, labels)
    if layer_names is not None and len(layer_names) != len(sizes):
        raise ValueError(f"layer_names has {len(layer_names)} entries, expected {len(sizes)} (one per layer)")

    n_layers = len(sizes)
    tallest = max(s + (1 if bias and l < n_layers - 1 else 0) for l, s in enumerate(sizes))
    radius = 0.22
    positions: dict[Hashable, tuple[float, float]] = {}
    columns: list[list[Hashable]] = []
    for l, layer in enumerate(keys):
        column = list(layer) + ([f"b{l}"] if bias and l < n_layers - 1 else [])
        top = (tallest - 1) / 2.0
        offset = (tallest - len(column)) / 2.0
        for r, key in enumerate(column):
            positions[key] = (2.2 * l, top - offset - r)
        columns.append(column)

    ax = _new_axes(ax, (1.9 * n_layers + 1.0, 0.9 * tallest + 1.0))
    ax.set_aspect("equal")
    ax.axis("off")

    edges: dict[tuple, Any] = {}
    for l in range(n_layers - 1):
        for src in columns[l]:
            for dst in keys[l + 1]:
                (x0, y0), (x1, y1) = positions[src], positions[dst]
                is_bias = isinstance(src, str) and src == f"b{l}" and bias
                (line,) = ax.plot([x0, x1], [y0, y1], color="0.55", lw=1.0, zorder=1,
                                  linestyle="--" if is_bias else "-")
                edges[(src, dst)] = line

    if highlight is not None:
        if isinstance(highlight, (str, bytes)) or not isinstance(highlight, Sequence):
            raise TypeError(f"highlight must be a list of paths (sequences of node keys), got {highlight!r}")
        for p, path in enumerate(highlight):
            if isinstance(path, (str, bytes)) or not isinstance(path, Sequence) or len(path) < 2:
                raise ValueError(f"highlight[{p}] must be a path of at least two node keys, got {path!r}")
            color = HIGHLIGHT_COLORS[p % len(HIGHLIGHT_COLORS)]
            for a, b in zip(path, path[1:]):
                if (a, b) not in edges:
                    raise ValueError(f"highlight[{p}]: there is no edge from node {a!r} into node {b!r}")
                (x0, y0), (x1, y1) = positions[a], positions[b]
                # offset parallel copies a little so two paths sharing an edge both stay visible
                shift = 0.05 * (p - (len(highlight) - 1) / 2.0) if _shared(highlight, (a, b)) else 0.0
                ax.plot([x0, x1], [y0 + shift, y1 + shift], color=color, lw=3.0, zorder=2, alpha=0.9,
                        solid_capstyle="round")

    nodes: dict[Hashable, Any] = {}
    shown = show_labels
    for l, column in enumerate(columns):
        for key in column:
            is_bias = isinstance(key, str) and bias and key == f"b{l}" and key not in keys[l]
            circle = Circle(positions[key], radius, facecolor="#fff2cc" if is_bias else "white",
                            edgecolor="black", lw=1.2, zorder=4)
            ax.add_patch(circle)
            nodes[key] = circle
            text = "+1" if is_bias else (str(key) if shown else None)
            if text is not None:
                ax.text(*positions[key], text, ha="center", va="center", fontsize=10, zorder=5)

    edge_texts: dict[tuple, Any] = {}
    if edge_labels is not None:
        if isinstance(edge_labels, str):
            if edge_labels != "w_ji":
                raise ValueError(f"edge_labels must be 'w_ji', a dict {{(from, to): text}} or None, got {edge_labels!r}")
            wanted = {e: _w_name(e) for e in edges}
        elif isinstance(edge_labels, Mapping):
            unknown = [e for e in edge_labels if e not in edges]
            if unknown:
                raise ValueError(f"edge_labels names edges that are not drawn: {unknown}; edges are (from, to) keys")
            wanted = dict(edge_labels)
        else:
            raise TypeError(f"edge_labels must be 'w_ji', a dict or None, got {type(edge_labels).__name__}")
        for (a, b), text in wanted.items():
            (x0, y0), (x1, y1) = positions[a], positions[b]
            # Edges into the top node of a layer are labelled near that node, edges into the bottom node near
            # their senders, the ones between in between: labels of one group then sit on diverging lines.
            targets = next(layer for layer in keys if b in layer)
            r = list(targets).index(b)
            frac = 0.6 if len(targets) == 1 else 0.75 - 0.45 * r / (len(targets) - 1)
            xt, yt = x0 + frac * (x1 - x0), y0 + frac * (y1 - y0)
            edge_texts[(a, b)] = ax.text(xt, yt, str(text), ha="center", va="center", fontsize=9, zorder=3,
                                         bbox=dict(boxstyle="round,pad=0.15", fc="white", ec="none"))

    if layer_names is not None:
        bottom = min(y for _, y in positions.values()) - 0.75
        for l, name in enumerate(layer_names):
            ax.text(2.2 * l, bottom, str(name), ha="center", va="center", fontsize=10, style="italic")
    xs = [x for x, _ in positions.values()]
    ys = [y for _, y in positions.values()]
    ax.set_xlim(min(xs) - 0.6, max(xs) + 0.6)
    ax.set_ylim(min(ys) - (1.1 if layer_names is not None else 0.6), max(ys) + 0.6)
    return NetworkDrawing(ax, nodes, edges, edge_texts, positions)


def _shared(paths: Sequence[Sequence[Any]], edge: tuple) -> bool:
    count = sum(1 for path in paths if edge in set(zip(path, path[1:])))
    return count > 1


def _w_name(edge: tuple) -> str:
    src, dst = edge
    if isinstance(src, str) and src.startswith("b") and src[1:].isdigit():
        return f"$w_{{b{dst}}}$"
    return f"$w_{{{dst}{src}}}$"


# ---------------------------------------------------------------------------------------------------------
# images


def show_images(
    images: np.ndarray,
    titles: Sequence[str] | None = None,
    shape: tuple[int, int] = (8, 8),
    ncols: int = 8,
    cmap: str | None = None,
    symmetric: bool = False,
    size: float = 1.1,
) -> tuple[Any, np.ndarray]:
    """A grid of small images, e.g. 8×8 digits or a layer's weight rows seen as images.

    Parameters
    ----------
    images : array (n, h·w) or (n, h, w)
        One image per row (flattened rows are reshaped to ``shape``).
    titles : sequence of str, optional
        One title per image.
    shape : (h, w)
        Image shape for flattened rows.
    ncols : int
        Images per row of the grid (fewer if there are fewer images).
    cmap : str, optional
        Colour map; default "gray_r" (ink dark on white), or "RdBu_r" with ``symmetric``.
    symmetric : bool
        Centre each image's colour scale on 0 (for weights: red positive, blue negative).
    size : float
        Inches per image.

    Returns
    -------
    (Figure, ndarray of Axes)
        The axes grid has shape (nrows, ncols); cells without an image are switched off.
    """
    arr = np.asarray(images)
    if arr.dtype.kind not in "fiu":
        raise TypeError(f"images must be numbers, got dtype {arr.dtype}")
    arr = as_float_array(arr.astype(np.float64), "images", ndim=(2, 3))
    if len(shape) != 2:
        raise ValueError(f"shape must be (height, width), got {shape!r}")
    h, w = (_positive_int(s, "shape entry") for s in shape)
    if arr.ndim == 2:
        if arr.shape[1] != h * w:
            raise ValueError(f"images has rows of {arr.shape[1]} values, expected {h}×{w} = {h * w} for shape {shape}")
        arr = arr.reshape(-1, h, w)
    n = arr.shape[0]
    if n == 0:
        raise ValueError("images is empty; expected at least one image")
    if titles is not None and len(titles) != n:
        raise ValueError(f"titles has {len(titles)} entries, expected {n} (one per image)")
    ncols = min(_positive_int(ncols, "ncols"), n)
    nrows = -(-n // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(size * ncols, size * nrows + (0.25 * nrows if titles else 0)),
                             squeeze=False)
    cmap = cmap or ("RdBu_r" if symmetric else "gray_r")
    for k, ax in enumerate(axes.ravel()):
        ax.set_xticks([])
        ax.set_yticks([])
        if k >= n:
            ax.axis("off")
            continue
        if symmetric:
            m = float(np.abs(arr[k]).max()) or 1.0
            ax.imshow(arr[k], cmap=cmap, vmin=-m, vmax=m, interpolation="nearest")
        else:
            ax.imshow(arr[k], cmap=cmap, interpolation="nearest")
        if titles is not None:
            ax.set_title(str(titles[k]), fontsize=8)
    fig.tight_layout()
    return fig, axes


# ---------------------------------------------------------------------------------------------------------
# confusion matrix


def plot_confusion_matrix(
    cm: np.ndarray,
    ax: Any = None,
    class_names: Sequence[str] | None = None,
    cmap: str = "Blues",
) -> Any:
    """A confusion matrix as a heat map with each count written in its cell.

    Parameters
    ----------
    cm : array (C, C) of non-negative integers
        ``cm[i, j]`` = number of samples of true class i predicted as class j.
    ax : Axes, optional
    class_names : sequence of str, optional
        Tick labels (default 0..C−1).
    cmap : str

    Returns
    -------
    Axes
        With one ``AxesImage`` and C² count annotations in ``ax.texts`` (row by row).
    """
    arr = np.asarray(cm)
    if arr.dtype.kind not in "iuf":
        raise TypeError(f"cm must hold counts (integers), got dtype {arr.dtype}")
    if arr.ndim != 2 or arr.shape[0] != arr.shape[1] or arr.shape[0] == 0:
        raise ValueError(f"cm must be a square (n_classes, n_classes) matrix, got shape {arr.shape}")
    if arr.dtype.kind == "f":
        if not np.all(np.isfinite(arr)) or not np.all(arr == np.round(arr)):
            raise ValueError("cm must hold whole counts; got non-integer or non-finite values")
    if arr.min() < 0:
        raise ValueError(f"cm must hold counts >= 0, got {arr.min()}")
    counts = arr.astype(np.int64)
    c = counts.shape[0]
    names = [str(k) for k in range(c)] if class_names is None else [str(n) for n in class_names]
    if len(names) != c:
        raise ValueError(f"class_names has {len(names)} entries, expected {c}")
    ax = _new_axes(ax, (0.45 * c + 2.0, 0.45 * c + 1.6))
    ax.imshow(counts, cmap=cmap, vmin=0, vmax=max(int(counts.max()), 1), interpolation="nearest")
    threshold = counts.max() / 2.0
    for i in range(c):
        for j in range(c):
            ax.text(j, i, str(counts[i, j]), ha="center", va="center", fontsize=8 if c > 6 else 10,
                    color="white" if counts[i, j] > threshold else "black")
    ax.set_xticks(range(c), labels=names)
    ax.set_yticks(range(c), labels=names)
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    return ax


__all__ = [
    "DecisionRegions",
    "NetworkDrawing",
    "plot_decision_regions",
    "plot_loss_curves",
    "draw_network",
    "show_images",
    "plot_confusion_matrix",
]
