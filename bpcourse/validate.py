"""Input checks shared by the package: fail early, name what was expected and what was received.

Public, so a learner's own layer or model can check its inputs the way the package does
(``from bpcourse.validate import as_float_array``).
"""
from __future__ import annotations

import math
from typing import Sequence

import numpy as np


def as_float_array(
    x: object,
    name: str,
    ndim: int | Sequence[int] | None = None,
    shape: Sequence[int | None] | None = None,
    finite: bool = True,
) -> np.ndarray:
    """Return ``x`` as a float64 array, or raise an error that says what was wrong.

    Parameters
    ----------
    x : array_like
        Python floats, lists of floats or a floating-point array. Integer, boolean, complex, string and
        object arrays are refused: silently turning labels or flags into inputs hides bugs.
    name : str
        How the value is called in the message, e.g. ``"X"`` or ``"dout"``.
    ndim : int or sequence of int, optional
        Allowed numbers of dimensions.
    shape : sequence of (int or None), optional
        Expected shape; ``None`` entries match any size.
    finite : bool
        Refuse NaN and infinity (default).
    """
    if isinstance(x, np.ndarray):
        arr = x
    elif isinstance(x, (float, list, tuple)) or np.isscalar(x):
        arr = np.asarray(x)
    else:
        try:
            arr = np.asarray(x)
        except Exception as exc:  # pragma: no cover - exotic array-likes
            raise TypeError(f"{name} must be an array of floats, got {type(x).__name__}") from exc
    if arr.dtype.kind != "f":
        if arr.dtype.kind in "iu" and not isinstance(x, np.ndarray) and arr.ndim == 0:
            arr = arr.astype(np.float64)  # a plain Python int scalar is harmless
        else:
            raise TypeError(
                f"{name} must hold floating-point numbers (float64), got dtype {arr.dtype}"
                + (": convert with .astype(float)" if arr.dtype.kind in "iub" else "")
            )
    if arr.dtype != np.float64:
        arr = arr.astype(np.float64)
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if arr.ndim not in allowed:
            want = " or ".join(str(n) for n in allowed)
            raise ValueError(f"{name} must have {want} dimension(s), got shape {arr.shape} ({arr.ndim}-D)")
    if shape is not None:
        shape = tuple(shape)
        if arr.ndim != len(shape) or any(s is not None and s != a for s, a in zip(shape, arr.shape)):
            want = "(" + ", ".join("any" if s is None else str(s) for s in shape) + ("," if len(shape) == 1 else "") + ")"
            hint = ""
            if arr.ndim == 2 and len(shape) == 2 and arr.shape[::-1] == tuple(
                a if s is None else s for s, a in zip(shape, arr.shape[::-1])
            ):
                hint = ": did you transpose?"
            raise ValueError(f"{name} has shape {arr.shape}, expected {want}{hint}")
    if finite and not np.isfinite(arr).all():
        bad = "NaN" if np.isnan(arr).any() else "infinity"
        raise ValueError(f"{name} contains {bad}; expected only finite numbers")
    return arr


def as_labels(y: object, name: str, n: int | None = None, n_classes: int | None = None) -> np.ndarray:
    """Return integer class labels of shape ``(n,)``, or raise a clear error."""
    arr = np.asarray(y)
    if arr.dtype.kind not in "iu":
        if arr.dtype.kind == "f" and arr.size and np.all(np.isfinite(arr)) and np.all(arr == np.round(arr)):
            arr = arr.astype(np.int64)
        else:
            raise TypeError(f"{name} must hold integer class labels, got dtype {arr.dtype}")
    if arr.ndim != 1:
        raise ValueError(f"{name} must be 1-D (one label per sample), got shape {arr.shape}")
    if n is not None and arr.shape[0] != n:
        raise ValueError(f"{name} has {arr.shape[0]} labels, expected {n} (one per sample)")
    if n_classes is not None and arr.size and (arr.min() < 0 or arr.max() >= n_classes):
        raise ValueError(
            f"{name} must be class indices in [0, {n_classes - 1}], got values from {arr.min()} to {arr.max()}"
        )
    return arr


def check_choice(value: str, name: str, choices: Sequence[str]) -> str:
    """Refuse an unknown name, listing the known ones."""
    if value not in choices:
        raise ValueError(f"unknown {name} {value!r}; expected one of {', '.join(repr(c) for c in choices)}")
    return value


def check_int(value: object, name: str, minimum: int = 1) -> int:
    """An integer count (sizes, epochs, batch sizes, resolutions) as a Python int, at least ``minimum``.

    ``bool`` is refused although it is an ``int`` subclass (``epochs=True`` is a bug), and so is an integral
    float such as ``2.0``: a count is an int. Every integer check in the package (and in the grader, the
    widgets and the plotting functions) is this one.
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) or value < minimum:
        want = "a positive integer" if minimum == 1 else f"an integer >= {minimum}"
        raise ValueError(f"{name} must be {want}, got {value!r}")
    return int(value)


def check_positive(value: float, name: str) -> float:
    """A positive finite real hyper-parameter (learning rate, scale, step ε) as a Python float.

    Zero, negative numbers, NaN, infinity, ``bool`` and non-numbers are refused. Counts are checked by
    :func:`check_int`.
    """
    ok = isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_))
    if not ok or not 0 < value < math.inf:
        raise ValueError(f"{name} must be a positive number, got {value!r}")
    return float(value)


def as_rng(seed: object, name: str = "seed") -> np.random.Generator:
    """The one way the package turns a seed into a random generator.

    Parameters
    ----------
    seed : int >= 0 or numpy.random.Generator
        An int gives a fresh ``numpy.random.default_rng(seed)``: the same seed, the same numbers, every run.
        A Generator is used as given (and advanced), so one generator can feed several calls.

    ``None`` is refused, on purpose: it would draw from the operating system's entropy, and every random
    number in the course must be reproducible from a stated seed. ``bool``, floats, negative ints and the
    legacy ``numpy.random.RandomState`` are refused too.
    """
    if isinstance(seed, np.random.Generator):
        return seed
    want = "a non-negative int or a numpy.random.Generator"
    if seed is None:
        raise TypeError(f"{name} must be {want}, got None: every random draw in the course comes from a stated "
                        "seed, so results are reproducible")
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"{name} must be {want}, got {type(seed).__name__}")
    if seed < 0:
        raise ValueError(f"{name} must be {want}, got {seed}")
    return np.random.default_rng(int(seed))


def as_real(value: object, name: str) -> float:
    """A finite real number as a Python float (the scalar models' inputs and weights)."""
    if type(value) is float and math.isfinite(value):
        return value
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a real number (float), got {type(value).__name__}")
    v = float(value)
    if not math.isfinite(v):
        raise ValueError(f"{name} must be a finite number, got {v}")
    return v


def as_scalar_samples(data: Sequence[float], labels: Sequence[float]) -> tuple[list[float], list[float]]:
    """One-number samples and their labels (the article models' training sets) as two equal, non-empty lists."""
    xs = [as_real(v, f"data[{i}]") for i, v in enumerate(data)]
    ts = [as_real(v, f"labels[{i}]") for i, v in enumerate(labels)]
    if len(xs) != len(ts):
        raise ValueError(f"data has {len(xs)} samples but labels has {len(ts)}; expected one label per sample")
    if not xs:
        raise ValueError("data is empty; expected at least one sample")
    return xs, ts
