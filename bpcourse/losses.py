"""Loss functions E(y, t): each returns ``(value, dE/dy)``.

Conventions: ``y`` (the network's output) and ``t`` (the target) have shape (n_samples, n_outputs), or
(n_outputs,) for a single sample, which counts as a batch of one. Every loss is **averaged over samples**, so
for one sample ``half_sse`` is exactly the articles' E = ½ Σ_k (t_k − y_k)².
"""
from __future__ import annotations

import numpy as np

from .validate import as_float_array, as_labels

# Probabilities are kept this far from 0 and 1 inside logs and divisions, so a saturated output gives a
# large but finite loss and gradient instead of inf/NaN.
PROB_EPS = 1e-12


def _pair(y: object, t: object) -> tuple[np.ndarray, np.ndarray]:
    y = as_float_array(y, "y (the prediction)", ndim=(1, 2))
    t = as_float_array(t, "t (the target)", ndim=(1, 2))
    if y.shape != t.shape:
        raise ValueError(f"prediction y has shape {y.shape} but target t has shape {t.shape}; they must match")
    return y, t


def _n_samples(y: np.ndarray) -> int:
    return y.shape[0] if y.ndim == 2 else 1


def half_sse(y: np.ndarray, t: np.ndarray, *, check_input: bool = True) -> tuple[float, np.ndarray]:
    """E = ½ Σ_k (y_k − t_k)², summed over outputs, averaged over samples; dE/dy = (y − t) / n.

    ``check_input=False`` (every loss here has it) skips the checks, for callers that validated already:
    ``y`` and ``t`` float64 arrays of one shape, finite. A network validates its data once, where it enters,
    and then calls its loss this way on every batch.
    """
    if check_input:
        y, t = _pair(y, t)
    n = _n_samples(y)
    d = y - t
    return 0.5 * float(np.sum(d * d)) / n, d / n


def mse(y: np.ndarray, t: np.ndarray, *, check_input: bool = True) -> tuple[float, np.ndarray]:
    """E = mean over all entries of (y − t)²; dE/dy = 2 (y − t) / y.size."""
    if check_input:
        y, t = _pair(y, t)
    d = y - t
    return float(np.mean(d * d)), 2.0 * d / d.size


def check_probability_targets(t: np.ndarray, name: str = "t") -> np.ndarray:
    """Refuse binary cross-entropy targets outside [0, 1] (``t`` already a float array)."""
    if t.size and (t.min() < 0.0 or t.max() > 1.0):
        raise ValueError(f"{name} must be targets in [0, 1], got values from {t.min():g} to {t.max():g}")
    return t


def binary_cross_entropy(p: np.ndarray, t: np.ndarray, *, check_input: bool = True) -> tuple[float, np.ndarray]:
    """E = −Σ [t log p + (1 − t) log(1 − p)], summed over outputs, averaged over samples.

    ``p`` are probabilities in [0, 1] (e.g. a sigmoid output); ``t`` in [0, 1]. Finite at p = 0 and p = 1:
    p is clipped to [1e-12, 1 − 1e-12] first. dE/dp = (p − t) / (p (1 − p)) / n.

    ``check_input=False`` skips the checks of ``t`` and of the shapes, but not the range of ``p``: p comes
    from the model (a network without a sigmoid output gives values outside [0, 1]), so it is checked on
    every call.
    """
    if check_input:
        p, t = _pair(p, t)
        check_probability_targets(t)
    if p.min() < 0.0 or p.max() > 1.0:
        raise ValueError(f"p must be probabilities in [0, 1], got values from {p.min():g} to {p.max():g}"
                         " (binary cross-entropy needs a sigmoid output)")
    n = _n_samples(p)
    q = np.clip(p, PROB_EPS, 1.0 - PROB_EPS)
    value = -float(np.sum(t * np.log(q) + (1.0 - t) * np.log1p(-q))) / n
    return value, (q - t) / (q * (1.0 - q)) / n


def one_hot(labels: np.ndarray, n_classes: int) -> np.ndarray:
    """Integer labels of shape (n,) → float64 one-hot matrix of shape (n, n_classes)."""
    labels = as_labels(labels, "labels", n_classes=n_classes)
    out = np.zeros((labels.shape[0], n_classes))
    out[np.arange(labels.shape[0]), labels] = 1.0
    return out


def softmax_cross_entropy(net: np.ndarray, t: np.ndarray, *, check_input: bool = True) -> tuple[float, np.ndarray]:
    """Cross-entropy of softmax(net) against class labels, from the logits ``net`` (shape (n, C)).

    ``t`` is either integer labels of shape (n,) or a one-hot/probability matrix of shape (n, C).
    E = −(1/n) Σ_i log p_{i, t_i}, computed as log-sum-exp so it is finite for any finite logits;
    dE/dnet = (p − T) / n with T the one-hot targets: the famous δ = p − y.
    ``check_input=False`` skips the checks (``net`` float64 (n, C); labels int in [0, C), or T (n, C)).
    """
    if not check_input:
        t_arr = t if isinstance(t, np.ndarray) else np.asarray(t)
        if t_arr.ndim == 1:
            return _softmax_ce_labels(net, t_arr)
        return _softmax_ce_matrix(net, t_arr)
    net = as_float_array(net, "net (the logits)", ndim=2)
    n, c = net.shape
    t_arr = np.asarray(t)
    if t_arr.ndim == 1:
        return _softmax_ce_labels(net, as_labels(t_arr, "t (the labels)", n=n, n_classes=c))
    return _softmax_ce_matrix(net, _targets_matrix(t_arr, n, c))


def softmax_cross_entropy_backward(net: np.ndarray, T: np.ndarray) -> np.ndarray:
    """dE/dnet = (softmax(net) − T) / n for the mean cross-entropy of softmax(net): :func:`softmax_cross_entropy`'s
    gradient alone, with the batch's targets as a matrix.

    Parameters
    ----------
    net : ndarray, shape (n, C)
        The logits, one sample per row.
    T : ndarray, shape (n, C)
        One-hot (or probability) targets, rows summing to 1.

    Returns
    -------
    ndarray, shape (n, C)
    """
    return softmax_cross_entropy(net, T)[1]


def cross_entropy(P: np.ndarray, T: np.ndarray) -> float:
    """E = −(1/n) Σ_s Σ_c T_sc log P_sc: the mean over the n samples of −log(probability of the true class).

    Parameters
    ----------
    P : ndarray, shape (n, C)
        Predicted probabilities, all > 0 (a softmax's output).
    T : ndarray, shape (n, C)
        One-hot (or probability) targets, rows summing to 1.

    Returns
    -------
    float
    """
    P = as_float_array(P, "P (the probabilities)", ndim=2)
    T = _targets_matrix(T, *P.shape)
    if P.size and P.min() <= 0.0:
        raise ValueError(f"P must hold probabilities > 0 (log P is taken), got a smallest entry {P.min():g}")
    return -float(np.sum(T * np.log(P))) / P.shape[0]


def _softmax_ce_matrix(net: np.ndarray, T: np.ndarray) -> tuple[float, np.ndarray]:
    n = net.shape[0]
    z = net - net.max(axis=1, keepdims=True)
    log_p = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    value = -float(np.sum(T * log_p)) / n
    return value, (np.exp(log_p) - T) / n


def _softmax_ce_labels(net: np.ndarray, labels: np.ndarray) -> tuple[float, np.ndarray]:
    n, c = net.shape
    true = np.arange(0, n * c, c) + labels  # flat index of each row's true class: one index array, not two
    z = np.subtract(net, net.max(axis=1, keepdims=True), order="C")  # C order, so grad.ravel() is a view
    lse = np.log(np.exp(z).sum(axis=1))
    value = float((lse - z.ravel()[true]).sum()) / n
    grad = np.exp(z - lse[:, None])
    grad.ravel()[true] -= 1.0
    grad /= n
    return value, grad


def _targets_matrix(t: object, n: int, c: int) -> np.ndarray:
    t_arr = np.asarray(t)
    if t_arr.ndim == 1:
        return one_hot(as_labels(t_arr, "t (the labels)", n=n, n_classes=c), c)
    T = as_float_array(t_arr, "t (the targets)", shape=(n, c))
    if T.min() < 0.0 or not np.allclose(T.sum(axis=1), 1.0):
        raise ValueError("t as a matrix must have non-negative rows that sum to 1 (one-hot or probabilities)")
    return T


LOSSES = {
    "half_sse": half_sse,
    "mse": mse,
    "binary_cross_entropy": binary_cross_entropy,
    "softmax_cross_entropy": softmax_cross_entropy,
}


__all__ = ["half_sse", "mse", "binary_cross_entropy", "softmax_cross_entropy", "softmax_cross_entropy_backward",
           "cross_entropy", "one_hot", "LOSSES", "PROB_EPS"]
