"""Image grids and confusion matrices (the digits capstone)."""
from __future__ import annotations

from typing import Any, Sequence

import matplotlib.pyplot as plt
import numpy as np

from ..validate import as_float_array, check_int
from ._common import _new_axes


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
    h, w = (check_int(s, "shape entry") for s in shape)
    if arr.ndim == 2:
        if arr.shape[1] != h * w:
            raise ValueError(f"images has rows of {arr.shape[1]} values, expected {h}×{w} = {h * w} for shape {shape}")
        arr = arr.reshape(-1, h, w)
    n = arr.shape[0]
    if n == 0:
        raise ValueError("images is empty; expected at least one image")
    if titles is not None and len(titles) != n:
        raise ValueError(f"titles has {len(titles)} entries, expected {n} (one per image)")
    ncols = min(check_int(ncols, "ncols"), n)
    nrows = -(-n // ncols)
    title_lines = max(str(t).count("\n") + 1 for t in titles) if titles is not None else 0
    fig, axes = plt.subplots(nrows, ncols, figsize=(size * ncols, size * nrows + 0.25 * title_lines * nrows),
                             squeeze=False)  # a quarter inch per title line: the images' aspect is fixed
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


# confusion matrix


def plot_confusion_matrix(
    cm: np.ndarray,
    ax: Any = None,
    class_names: Sequence[str] | None = None,
    cmap: str = "Blues",
    mask_diagonal: bool = False,
) -> Any:
    """A confusion matrix as a heat map with each count written in its cell.

    With a good classifier the diagonal (the correct answers) dwarfs every error, and a colour scale that
    includes it shows the errors as blank. ``mask_diagonal=True`` greys the diagonal out and scales the colours
    to the off-diagonal counts only, so the confusions stand out (the diagonal counts are still written).

    Parameters
    ----------
    cm : array (C, C) of non-negative integers
        ``cm[i, j]`` = number of samples of true class i predicted as class j.
    ax : Axes, optional
    class_names : sequence of str, optional
        Tick labels (default 0..C−1).
    cmap : str
    mask_diagonal : bool
        Grey out the diagonal and scale the colours to the largest off-diagonal count.

    Returns
    -------
    Axes
        With one ``AxesImage`` and C² count annotations in ``ax.texts`` (row by row). With ``mask_diagonal``
        the image's array is a masked array whose mask is the diagonal.
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
    diagonal = np.eye(c, dtype=bool)
    if mask_diagonal:
        shown = np.ma.masked_array(counts, mask=diagonal)
        top = int(counts[~diagonal].max()) if c > 1 else 0
        colours = plt.get_cmap(cmap).with_extremes(bad="0.85")
    else:
        shown, top, colours = counts, int(counts.max()), cmap
    ax.imshow(shown, cmap=colours, vmin=0, vmax=max(top, 1), interpolation="nearest")
    threshold = top / 2.0
    for i in range(c):
        for j in range(c):
            dark = counts[i, j] > threshold and not (mask_diagonal and i == j)
            ax.text(j, i, str(counts[i, j]), ha="center", va="center", fontsize=8 if c > 6 else 10,
                    color="white" if dark else "black")
    ax.set_xticks(range(c), labels=names)
    ax.set_yticks(range(c), labels=names)
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    return ax
