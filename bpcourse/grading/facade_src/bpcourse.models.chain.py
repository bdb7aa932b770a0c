"""``bpcourse.models.chain`` inside the grading sandbox: ``numeric_gradients`` only.

The chain y3 = w3·(w2·(w1·x)), L = ½(y3 − t)²; central differences of L, as the real module computes them.
"""

import math
from typing import NamedTuple, Sequence

_ARTICLE_EPS = 1e-4


class _Gradients(NamedTuple):
    dw1: float
    dw2: float
    dw3: float


def _real(value: object, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) and not hasattr(value, "__float__"):
        raise TypeError(f"{name} must be a real number (float), got {type(value).__name__}")
    v = float(value)  # type: ignore[arg-type]
    if not math.isfinite(v):
        raise ValueError(f"{name} must be a finite number, got {v}")
    return v


def _loss(w1: float, w2: float, w3: float, x: float, t: float) -> float:
    d = w3 * (w2 * (w1 * x)) - t
    return 0.5 * d * d


def numeric_gradients(weights: Sequence[float], x: float, t: float, eps: float = _ARTICLE_EPS) -> _Gradients:
    """Central differences (L(w + ε) − L(w − ε)) / (2ε) for w1, w2, w3; ε = 1e-4 as in the article."""
    if len(weights) != 3:
        raise ValueError(f"weights must be three numbers (w1, w2, w3), got {len(weights)}")
    w1, w2, w3 = (_real(w, f"w{i + 1}") for i, w in enumerate(weights))
    x, t, eps = _real(x, "x"), _real(t, "t"), _real(eps, "eps")
    if eps <= 0:
        raise ValueError(f"eps must be a positive number, got {eps!r}")
    d1 = (_loss(w1 + eps, w2, w3, x, t) - _loss(w1 - eps, w2, w3, x, t)) / (2.0 * eps)
    d2 = (_loss(w1, w2 + eps, w3, x, t) - _loss(w1, w2 - eps, w3, x, t)) / (2.0 * eps)
    d3 = (_loss(w1, w2, w3 + eps, x, t) - _loss(w1, w2, w3 - eps, x, t)) / (2.0 * eps)
    return _Gradients(d1, d2, d3)
