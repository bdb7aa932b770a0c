"""How close a right answer must be: a per-entry bound from float64 error analysis, not a fixed rtol.

A task's relative tolerance (``Task.rtol``, 1e-6) is far looser than float64 arithmetic: a derivative
taken by numerical differentiation (central differences at any step from 1e-3 to 1e-8, forward
differences, the course's own ``numeric_gradient``) lands within it although no chain rule was applied.
Any exact formula, in any operation order (loops, einsum, broadcasting, σ through tanh), lands much closer:
each of its roundings moves a value by at most u = 2⁻⁵³ of the magnitude it is computed at, so its error is
a modest multiple of u times *the magnitude of the terms it sums*, which can be far larger than the result
(1 − σ(8) is 3·10⁻⁴ but is computed from 1 and σ; e − t from e and t).

:func:`exact_bounds` measures that magnitude for each entry of each output by evaluating the trusted
reference again, in the parent, under perturbations of the size a different exact formula would see:

* the three directed rounding modes of the FPU (every addition, product and quotient of the reference
  rounded down, up, toward zero instead of to nearest): this is the reference's own rounding error,
  including its cancellations (e − t);
* the inputs moved by ±u of their magnitude: the sensitivity to the case itself (x − log Σ exp x, where an
  alternative form cancels terms as large as x);
* the results of ``np.exp``, ``np.log``, ``np.tanh``, ``np.log1p``, ``np.expm1`` moved by ±u of
  max(|result|, 1): alternative formulas add these values to 1 (1 + e⁻ˣ, 1 − tanh², 1 − σ), so they carry an
  error of u at magnitude 1 wherever the reference avoids that cancellation.

An entry passes when ``|got − ref| ≤ (K_SPREAD · spread + K_ULP · u · |ref|) · (1 + m)``, where m is the
largest magnitude among the case's inputs: a formula may subtract terms as large as its inputs (softmax as
exp(x − logsumexp(x)) carries an error of u·|x| in every exponent, where the reference's x − max(x) is exact
for the largest entry, so no perturbation of the reference shows it, and p − t then turns it into an
absolute error at the magnitude of t). A numerical derivative misses
this by orders of magnitude: its truncation error is about h²·f'''/6 and its rounding error about
u·|f|/h, which at the best step h ≈ u^(1/3) is still ~10⁻¹¹ relative, and for a loss that is quadratic in
the parameter (where the truncation error vanishes) the rounding error u·|f|/h is hundreds of ulps at
h = 10⁻³ and grows as h shrinks.
"""

from __future__ import annotations

import contextlib
import copy
import ctypes
import ctypes.util
import threading
from typing import Any, Callable, Iterator, Sequence

import numpy as np

from bpcourse.grading.returned import Returned, normalize

__all__ = ["U", "K_SPREAD", "K_ULP", "exact_bounds", "exact_misses", "inexact_outputs", "NUMERIC_HINT"]

U = float(np.finfo(np.float64).eps) / 2  # unit roundoff of float64: 2**-53
K_SPREAD = 8.0   # how much worse than the reference's own rounding an exact formula may round
K_ULP = 16.0     # plus a few ulps of the entry itself: a different order of the same operations
_N_DRAWS = 6     # perturbed evaluations (inputs and elementary functions) per case
_ELEMENTARY = ("exp", "log", "tanh", "log1p", "expm1")
_MODES = (0x400, 0x800, 0xC00)  # FE_DOWNWARD, FE_UPWARD, FE_TOWARDZERO on x86-64 (glibc)
_LOCK = threading.Lock()  # the patched numpy functions are process-wide: one evaluation at a time

NUMERIC_HINT = ("this matches a numerical derivative, not backprop: a difference quotient such as "
                "(f(x + h) − f(x − h)) / 2h is only close to the derivative; the chain rule gives it to the "
                "last digits of float64")


def _fesetround() -> Callable[[int], int] | None:
    name = ctypes.util.find_library("m")
    try:
        lib = ctypes.CDLL(name or "libm.so.6")
        fn = lib.fesetround
    except (OSError, AttributeError):
        return None
    fn.argtypes, fn.restype = [ctypes.c_int], ctypes.c_int
    return fn


_SETROUND = _fesetround()


@contextlib.contextmanager
def _rounding(mode: int) -> Iterator[bool]:
    """Run the block in a directed rounding mode (yields False where the mode cannot be set)."""
    ok = _SETROUND is not None and _SETROUND(mode) == 0
    try:
        yield ok
    finally:
        if _SETROUND is not None:
            _SETROUND(0)  # FE_TONEAREST, whatever happened


@contextlib.contextmanager
def _noisy_elementary(rng: np.random.Generator) -> Iterator[None]:
    """numpy's exp, log, tanh … return their value moved by up to u·max(|value|, 1) (see the module)."""
    saved = {name: getattr(np, name) for name in _ELEMENTARY}

    def noisy(f: Any) -> Any:
        def g(*args: Any, **kwargs: Any) -> Any:
            r = f(*args, **kwargs)
            a = np.asarray(r)
            if a.dtype.kind != "f":
                return r
            with np.errstate(all="ignore"):
                moved = a + U * np.maximum(np.abs(a), 1.0) * rng.uniform(-1.0, 1.0, a.shape)
            return moved if isinstance(r, np.ndarray) else a.dtype.type(moved)
        return g

    try:
        for name, f in saved.items():
            setattr(np, name, noisy(f))
        yield
    finally:
        for name, f in saved.items():
            setattr(np, name, f)


def _perturbed(case: dict[str, Any], rng: np.random.Generator) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in case.items():
        if isinstance(v, np.ndarray) and v.dtype.kind == "f":
            out[k] = v * (1.0 + U * rng.uniform(-1.0, 1.0, v.shape))
        elif isinstance(v, float):
            out[k] = v * (1.0 + U * float(rng.uniform(-1.0, 1.0)))
        else:
            out[k] = copy.deepcopy(v)
    return out


def _values(ref: Returned) -> list[np.ndarray]:
    return [np.asarray(i.array, dtype=np.float64) for i in ref.items]


def _input_magnitude(case: dict[str, Any]) -> float:
    m = 0.0
    for v in case.values():
        a = np.asarray(v)
        if a.dtype.kind == "f" and a.size:
            m = max(m, float(np.max(np.abs(a[np.isfinite(a)]), initial=0.0)))
    return m


def exact_bounds(reference: Callable[..., Any], case: dict[str, Any], outputs: Sequence[str], base: Returned,
                 seed: int = 0) -> list[np.ndarray] | None:
    """Per output, per entry: how far an exact formula may land from the reference ``base`` on ``case``.

    Returns None when a perturbed evaluation changes an output's shape or fails (then only ``Task.rtol``
    applies to that case).
    """
    want = _values(base)
    spread = [np.zeros_like(w) for w in want]
    rng = np.random.default_rng([seed, 0x5EED])

    def add(ref: Returned) -> bool:
        got = _values(ref) if not ref.structure_error and all(i.array is not None for i in ref.items) else None
        if got is None or len(got) != len(want) or any(g.shape != w.shape for g, w in zip(got, want)):
            return False
        for s, g, w in zip(spread, got, want):
            with np.errstate(all="ignore"):
                np.maximum(s, np.abs(g - w), out=s)
        return True

    with _LOCK, np.errstate(all="ignore"):
        try:
            for mode in _MODES:
                with _rounding(mode) as ok:
                    r = normalize(reference(**copy.deepcopy(case)), outputs) if ok else None
                if r is not None and not add(r):
                    return None
            for _ in range(_N_DRAWS):
                with _noisy_elementary(rng):
                    r = normalize(reference(**_perturbed(case, rng)), outputs)
                if not add(r):
                    return None
        except Exception:  # noqa: BLE001  (a reference that cannot take a perturbed case: rtol only)
            return None
    if not all(np.all(np.isfinite(s)) for s in spread):
        return None
    m = 1.0 + _input_magnitude(case)
    return [(K_SPREAD * s + K_ULP * U * np.abs(w)) * m for s, w in zip(spread, want)]


def exact_misses(got: np.ndarray, ref: np.ndarray, bound: np.ndarray) -> tuple[int, float]:
    """(number of entries outside the bound, the largest |got − ref| / (bound + tiny) ratio)."""
    with np.errstate(all="ignore"):
        diff = np.abs(np.asarray(got, dtype=np.float64) - ref)
        bad = ~(diff <= bound)
        ratio = diff / np.maximum(bound, np.finfo(np.float64).tiny)
    return int(bad.sum()), float(np.max(ratio, initial=0.0))


def inexact_outputs(outputs: Sequence[str], got: Returned, ref: Returned,
                    bounds: Sequence[np.ndarray]) -> dict[int, str]:
    """Why outputs that passed ``Task.rtol`` are still not what an exact formula gives, by output index.

    ``bounds`` is :func:`exact_bounds` of the same case; an output of the wrong shape or type is skipped (the
    diagnosis already says so). The one rule the batch grader and the self-check both apply.
    """
    from bpcourse.gradcheck import rel_error

    problems = {}
    for i, (name, g, r, b) in enumerate(zip(outputs, got.items, ref.items, bounds)):
        if g.array is None or np.size(g.array) != r.array.size:
            continue
        arr = np.asarray(g.array)
        with np.errstate(all="ignore"):
            arr = (arr.real if arr.dtype.kind == "c" else arr).astype(np.float64).reshape(r.array.shape)
        n_bad, ratio = exact_misses(arr, r.array.astype(np.float64), b)
        if n_bad:
            label = "the result" if len(outputs) == 1 and name == "out" else name
            with np.errstate(all="ignore"):
                err = rel_error(arr, r.array.astype(np.float64))
            problems[i] = (f"{label} agrees with the expected value only to a relative error of {err:.1e}, "
                           f"{ratio:.0f}× what float64 rounding of an exact formula can explain"
                           f" ({n_bad} of {arr.size} entr{'y' if arr.size == 1 else 'ies'}): {NUMERIC_HINT}")
    return problems
