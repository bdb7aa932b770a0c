"""Small data sets for the course: logic gates, spirals, moons and the bundled 8×8 handwritten digits.

Everything here is numpy and the standard library only, so ``import bpcourse.datasets`` stays cheap. Every
random generator takes ``seed``: an ``int`` (a fresh ``numpy.random.default_rng(seed)``) or a
``numpy.random.Generator`` (used, and advanced, as given); ``None`` is refused, so every data set comes from a
stated seed (:func:`bpcourse.validate.as_rng`, the package's one seed rule).

Generated sets (:func:`spirals`, :func:`moons`) come ordered by class; shuffle (or use
:func:`train_test_split`) before mini-batching.
"""
from __future__ import annotations

import functools
import gzip
import hashlib
import io
import math
from importlib import resources

import numpy as np

from bpcourse.validate import as_labels, as_rng, check_choice, check_int

__all__ = ["logic_gate", "spirals", "moons", "load_digits", "train_test_split", "DIGITS_SHA256"]

_GATES: dict[str, tuple[int, int, int, int]] = {
    # targets for the inputs [0,0], [0,1], [1,0], [1,1]
    "and": (0, 0, 0, 1),
    "or": (0, 1, 1, 1),
    "xor": (0, 1, 1, 0),
    "nand": (1, 1, 1, 0),
}

DIGITS_FILE = "digits.csv.gz"
#: sha256 of ``bpcourse/data/digits.csv.gz``; also stated in ``bpcourse/data/README.md``.
DIGITS_SHA256 = "09f66e6debdee2cd2b5ae59e0d6abbb73fc2b0e0185d2e1957e9ebb51e23aa22"
_DIGITS_N, _DIGITS_D = 1797, 64


def _check_noise(noise: float) -> float:
    ok = isinstance(noise, (int, float, np.integer, np.floating)) and not isinstance(noise, bool)
    if not ok or not math.isfinite(noise) or noise < 0:
        raise ValueError(f"noise must be a finite number >= 0 (a standard deviation), got {noise!r}")
    return float(noise)


def logic_gate(name: str) -> tuple[np.ndarray, np.ndarray]:
    """Truth table of a two-input logic gate.

    Parameters
    ----------
    name : {"and", "or", "xor", "nand"}
        The gate (case-insensitive).

    Returns
    -------
    X : ndarray of float64, shape (4, 2)
        The inputs, rows ``[0, 0], [0, 1], [1, 0], [1, 1]``.
    t : ndarray of float64, shape (4,)
        The targets, 0.0 or 1.0.

    Examples
    --------
    >>> X, t = logic_gate("xor")
    >>> t.tolist()
    [0.0, 1.0, 1.0, 0.0]
    """
    if not isinstance(name, str):
        raise TypeError(f"gate name must be a string such as 'xor', got {type(name).__name__}")
    key = check_choice(name.lower(), "logic gate", tuple(_GATES))
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    t = np.array(_GATES[key], dtype=np.float64)
    return X, t


def spirals(
    n_per_class: int = 100,
    n_classes: int = 3,
    noise: float = 0.2,
    seed: int | np.random.Generator = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """Interleaved spiral arms, one per class (the CS231n "spiral" data set).

    Arm ``j`` has radius ``r`` going linearly from 0 to 1 and angle going linearly from ``4j`` to ``4(j+1)``
    radians plus Gaussian noise of standard deviation ``noise`` (noise is on the angle, in radians); the
    point is ``(r sin θ, r cos θ)``. Not linearly separable for ``n_classes >= 2``.

    Parameters
    ----------
    n_per_class : int
        Points per arm, >= 1.
    n_classes : int
        Number of arms (classes), >= 1.
    noise : float
        Standard deviation of the angular noise, >= 0.
    seed : int or numpy.random.Generator
        Randomness for the noise.

    Returns
    -------
    X : ndarray of float64, shape (n_per_class * n_classes, 2)
        Points, ordered by class; the noise only turns them, so all lie in the closed unit disc.
    t : ndarray of int64, shape (n_per_class * n_classes,)
        The target: class of each point, in ``0 .. n_classes - 1``.
    """
    n_per_class = check_int(n_per_class, "n_per_class")
    n_classes = check_int(n_classes, "n_classes")
    noise = _check_noise(noise)
    rng = as_rng(seed)
    n = n_per_class * n_classes
    X = np.empty((n, 2), dtype=np.float64)
    t = np.empty(n, dtype=np.int64)
    r = np.linspace(0.0, 1.0, n_per_class)
    for j in range(n_classes):
        rows = slice(j * n_per_class, (j + 1) * n_per_class)
        theta = np.linspace(4.0 * j, 4.0 * (j + 1), n_per_class) + noise * rng.standard_normal(n_per_class)
        X[rows, 0] = r * np.sin(theta)
        X[rows, 1] = r * np.cos(theta)
        t[rows] = j
    return X, t


def moons(
    n: int = 200,
    noise: float = 0.1,
    seed: int | np.random.Generator = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles.

    Class 0 is the upper half of the unit circle centred at (0, 0); class 1 is the lower half of the unit
    circle centred at (1, 0.5). Gaussian noise of standard deviation ``noise`` is added to both coordinates.

    Parameters
    ----------
    n : int
        Total number of points, >= 2. Class 0 gets ``n // 2``, class 1 the remaining ``n - n // 2``.
    noise : float
        Standard deviation of the noise, >= 0.
    seed : int or numpy.random.Generator
        Randomness for the noise.

    Returns
    -------
    X : ndarray of float64, shape (n, 2)
        Points, ordered by class.
    t : ndarray of int64, shape (n,)
        Class of each point, 0 or 1.
    """
    n = check_int(n, "n", minimum=2)
    noise = _check_noise(noise)
    rng = as_rng(seed)
    n0 = n // 2
    n1 = n - n0
    a0 = np.linspace(0.0, np.pi, n0)
    a1 = np.linspace(0.0, np.pi, n1)
    X = np.concatenate(
        [
            np.column_stack([np.cos(a0), np.sin(a0)]),
            np.column_stack([1.0 - np.cos(a1), 0.5 - np.sin(a1)]),
        ]
    )
    X += noise * rng.standard_normal(X.shape)
    t = np.concatenate([np.zeros(n0, dtype=np.int64), np.ones(n1, dtype=np.int64)])
    return X, t


def _digits_bytes() -> bytes:
    return resources.files("bpcourse").joinpath("data").joinpath(DIGITS_FILE).read_bytes()


@functools.lru_cache(maxsize=1)
def _digits_cached() -> tuple[np.ndarray, np.ndarray]:
    raw = _digits_bytes()
    digest = hashlib.sha256(raw).hexdigest()
    if digest != DIGITS_SHA256:
        raise RuntimeError(
            f"bundled bpcourse/data/{DIGITS_FILE} is corrupt: sha256 {digest}, expected {DIGITS_SHA256}; "
            "reinstall bpcourse"
        )
    with gzip.open(io.BytesIO(raw), "rt", encoding="ascii") as fh:
        table = np.loadtxt(fh, delimiter=",", dtype=np.int64)
    if table.shape != (_DIGITS_N, _DIGITS_D + 1):  # pragma: no cover - guarded by the checksum
        raise RuntimeError(f"bundled digits table has shape {table.shape}, expected ({_DIGITS_N}, {_DIGITS_D + 1})")
    X = table[:, :_DIGITS_D].astype(np.float64)
    t = np.ascontiguousarray(table[:, _DIGITS_D])
    # read-only, so a bug that leaks the cached arrays fails loudly instead of corrupting later loads
    X.flags.writeable = False
    t.flags.writeable = False
    return X, t


def load_digits() -> tuple[np.ndarray, np.ndarray]:
    """The 8×8 handwritten digits bundled with the package (UCI "Optical Recognition of Handwritten Digits").

    The file is parsed once and cached; every call returns fresh copies, so changing them is safe.
    Source, licence (CC BY 4.0) and checksum: ``bpcourse/data/README.md``.

    Returns
    -------
    X : ndarray of float64, shape (1797, 64)
        Pixel counts, integers 0..16; row ``i`` reshaped to (8, 8) is the image, row-major.
    t : ndarray of int64, shape (1797,)
        The target: the digit, 0..9.
    """
    X, t = _digits_cached()
    return X.copy(), t.copy()


def _n_test(test_size: float | int, n: int) -> int:
    if isinstance(test_size, bool):
        raise TypeError("test_size must be a fraction in (0, 1) or a number of samples, got a bool")
    if isinstance(test_size, (int, np.integer)):
        if not 1 <= test_size <= n - 1:
            raise ValueError(f"test_size as a count must be between 1 and {n - 1} (n_samples - 1), got {test_size}")
        return int(test_size)
    if isinstance(test_size, (float, np.floating)):
        if not 0.0 < test_size < 1.0:
            raise ValueError(f"test_size as a fraction must be strictly between 0 and 1, got {test_size!r}")
        k = math.ceil(test_size * n)
        if not 1 <= k <= n - 1:
            raise ValueError(f"test_size={test_size!r} of {n} samples leaves {k} test and {n - k} training samples")
        return k
    raise TypeError(f"test_size must be a float in (0, 1) or an int count, got {type(test_size).__name__}")


def _stratified_counts(class_sizes: np.ndarray, n_test: int, rng: np.random.Generator) -> np.ndarray:
    """Test samples per class: largest remainder of ``class_sizes * n_test / n``, ties broken at random.

    Each class gets the floor or the ceiling of its exact share, so it is within one sample of it.
    """
    n = int(class_sizes.sum())
    exact = class_sizes * n_test / n
    counts = np.floor(exact).astype(np.int64)
    left = n_test - int(counts.sum())
    order = rng.permutation(class_sizes.size)
    # stable sort of a random permutation: biggest remainders first, random among equal ones
    order = order[np.argsort(-(exact - counts)[order], kind="stable")]
    counts[order[:left]] += 1
    return counts


def train_test_split(
    X: np.ndarray,
    t: np.ndarray,
    test_size: float | int = 0.25,
    seed: int | np.random.Generator = 0,
    stratify: bool = True,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Split samples at random into a training and a test set, by default keeping class proportions.

    Parameters
    ----------
    X : array_like, shape (n_samples, ...)
        Samples, one per row.
    t : array_like, shape (n_samples,) or (n_samples, ...)
        Targets. With ``stratify=True`` they must be 1-D integer class labels.
    test_size : float or int
        Fraction of samples in the test set, in (0, 1), rounded up to a whole sample; or the number of test
        samples, in ``1 .. n_samples - 1``.
    seed : int or numpy.random.Generator
        Randomness of the split; the same seed gives the same split.
    stratify : bool
        If True, each class contributes the floor or ceiling of its share ``n_class * n_test / n_samples``
        to the test set, so class proportions agree to within one sample. Needs at least two samples per
        class and at least ``n_classes`` samples on each side.

    Returns
    -------
    X_train : ndarray, shape (n_samples - n_test, ...)
    X_test : ndarray, shape (n_test, ...)
    t_train : ndarray, shape (n_samples - n_test, ...)
    t_test : ndarray, shape (n_test, ...)
        New arrays (not views), rows in random order, dtypes as given.
    """
    X = np.asarray(X)
    t = np.asarray(t)
    if X.ndim < 1 or t.ndim < 1:
        raise ValueError(f"X and t must have one row per sample, got shapes {X.shape} and {t.shape}")
    n = X.shape[0]
    if t.shape[0] != n:
        raise ValueError(f"X has {n} samples but t has {t.shape[0]}: they must have the same length")
    if n < 2:
        raise ValueError(f"need at least 2 samples to split, got {n}")
    if not isinstance(stratify, (bool, np.bool_)):
        raise TypeError(f"stratify must be True or False, got {type(stratify).__name__}")
    n_test = _n_test(test_size, n)
    rng = as_rng(seed)

    if stratify:
        labels = as_labels(t, "t", n=n)
        classes, inverse, sizes = np.unique(labels, return_inverse=True, return_counts=True)
        if sizes.min() < 2:
            rare = classes[sizes < 2].tolist()
            raise ValueError(
                f"stratified split needs at least 2 samples per class; class(es) {rare} have only 1 "
                "(pass stratify=False to split anyway)"
            )
        if n_test < classes.size or n - n_test < classes.size:
            raise ValueError(
                f"stratified split of {n} samples into {n - n_test} train / {n_test} test cannot hold "
                f"all {classes.size} classes on both sides; change test_size or pass stratify=False"
            )
        per_class = _stratified_counts(sizes, n_test, rng)
        test_parts = []
        for c, k in enumerate(per_class):
            members = np.flatnonzero(inverse == c)
            test_parts.append(rng.permutation(members)[:k])
        is_test = np.zeros(n, dtype=bool)
        is_test[np.concatenate(test_parts)] = True
        test_idx = rng.permutation(np.flatnonzero(is_test))
        train_idx = rng.permutation(np.flatnonzero(~is_test))
    else:
        perm = rng.permutation(n)
        test_idx, train_idx = perm[:n_test], perm[n_test:]

    return X[train_idx], X[test_idx], t[train_idx], t[test_idx]
