"""``bpcourse.models.two_hidden`` inside the grading sandbox: ``numeric_gradients`` only.

Central differences of a forward-only loss L = ½(t − out_o)²: no δ is computed here.
"""

import math
from typing import NamedTuple, Sequence

import numpy as np

_BIAS_READINGS = ("literal", "shared")


class _Gradients(NamedTuple):
    dw1: float
    dw2: float
    dw3: float
    dw4: float
    db1: float
    db2: float


def _real(value: object, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) and not hasattr(value, "__float__"):
        raise TypeError(f"{name} must be a real number (float), got {type(value).__name__}")
    v = float(value)  # type: ignore[arg-type]
    if not math.isfinite(v):
        raise ValueError(f"{name} must be a finite number, got {v}")
    return v


def _sigmoid(net: float) -> float:
    if net >= 0.0:
        return 1.0 / (1.0 + math.exp(-net))
    e = math.exp(net)
    return e / (1.0 + e)


def _loss(p: Sequence[float], x: float, t: float, shared: bool) -> float:
    w1, w2, w3, w4, b1, b2 = p
    out_h1 = _sigmoid(w1 * x + b1)
    out_h2 = _sigmoid(w2 * x + (b1 if shared else b2))
    out_o = _sigmoid(w3 * out_h1 + w4 * out_h2 + b2)
    return 0.5 * (t - out_o) ** 2


def numeric_gradients(params: Sequence[float], x: float, t: float, bias: str = "literal",
                      eps: float = 1e-6) -> _Gradients:
    """Central differences of L with respect to the six parameters (w1, w2, w3, w4, b1, b2)."""
    if len(params) != 6:
        raise ValueError(f"params must be 6 numbers (w1, w2, w3, w4, b1, b2), got {len(params)}")
    if bias not in _BIAS_READINGS:
        raise ValueError(f"unknown bias reading {bias!r}; expected one of 'literal', 'shared'")
    p = np.array([_real(v, n) for v, n in zip(params, ("w1", "w2", "w3", "w4", "b1", "b2"))], dtype=np.float64)
    x, t = _real(x, "x"), _real(t, "t (the target)")
    grad = np.empty(6)
    for i in range(6):
        old = p[i]
        p[i] = old + eps
        f_plus = _loss([float(v) for v in p], x, t, bias == "shared")
        p[i] = old - eps
        f_minus = _loss([float(v) for v in p], x, t, bias == "shared")
        p[i] = old
        grad[i] = (f_plus - f_minus) / (2.0 * eps)
    return _Gradients(*(float(v) for v in grad))
