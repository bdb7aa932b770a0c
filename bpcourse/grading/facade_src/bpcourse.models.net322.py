"""``bpcourse.models.net322`` inside the grading sandbox: ``numeric_gradients`` only.

Central differences of the forward-only loss E = ½ Σ_k (t_k − y_k)² (a batch: its mean over samples) of the
3-2-2 sigmoid network: no δ is computed here.
"""

from typing import NamedTuple

import numpy as np


class _NumericGradients(NamedTuple):
    dW_hidden: np.ndarray
    dW_out: np.ndarray


def _array(x: object, name: str, last: int) -> np.ndarray:
    a = np.array(x, dtype=np.float64)
    if a.ndim not in (1, 2) or a.shape[-1] != last:
        raise ValueError(f"{name} must have shape ({last},) or (n, {last}), got {a.shape}")
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name} must be finite")
    return a


def _sigmoid(net: np.ndarray) -> np.ndarray:
    e = np.exp(-np.abs(net))
    return np.where(net >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def _loss(Wh: np.ndarray, Wo: np.ndarray, x: np.ndarray, t: np.ndarray) -> float:
    ones = np.ones(x.shape[:-1] + (1,))
    y_hidden = _sigmoid(np.concatenate([x, ones], axis=-1) @ Wh.T)
    y = _sigmoid(np.concatenate([y_hidden, ones], axis=-1) @ Wo.T)
    return float(np.mean(0.5 * np.sum((t - y) ** 2, axis=-1)))


def _central(f, w: np.ndarray, eps: float) -> np.ndarray:
    flat = w.reshape(-1)
    grad = np.empty(flat.shape, dtype=np.float64)
    for i in range(flat.size):
        old = flat[i]
        flat[i] = old + eps
        f_plus = f()
        flat[i] = old - eps
        f_minus = f()
        flat[i] = old
        grad[i] = (f_plus - f_minus) / (2.0 * eps)
    return grad.reshape(w.shape)


def numeric_gradients(W_hidden: np.ndarray, W_out: np.ndarray, x: np.ndarray, t: np.ndarray,
                      activation: str = "sigmoid", eps: float = 1e-6) -> _NumericGradients:
    """Central differences of the loss with respect to W_hidden (2, 4) and W_out (2, 3) (copies are perturbed)."""
    if activation != "sigmoid":
        raise ValueError(f"while grading, numeric_gradients knows only activation='sigmoid', got {activation!r}")
    Wh, Wo = np.array(W_hidden, dtype=np.float64), np.array(W_out, dtype=np.float64)
    if Wh.shape != (2, 4) or Wo.shape != (2, 3):
        raise ValueError(f"W_hidden must have shape (2, 4) and W_out (2, 3), got {Wh.shape} and {Wo.shape}")
    x = _array(x, "x", 3)
    t = _array(t, "t (the target)", 2)
    if t.shape[:-1] != x.shape[:-1]:
        raise ValueError(f"t must have shape {x.shape[:-1] + (2,)}, got {t.shape}")
    return _NumericGradients(_central(lambda: _loss(Wh, Wo, x, t), Wh, eps),
                             _central(lambda: _loss(Wh, Wo, x, t), Wo, eps))
