"""Activation functions f(net) and their derivatives f'(net), element-wise on arrays of any shape.

Every function here takes and returns float64 arrays; none of them validate (the layers and public entry
points do), so they stay fast inside training loops. ``softmax`` works along the last axis. The ``*_scalar``
functions (``sigmoid_scalar``, ``sigmoid_prime_scalar``, ``tanh_prime_scalar``) are the same formulas for one
Python float, for the scalar code (models, autodiff).
"""
from __future__ import annotations

from typing import Callable, NamedTuple

import numpy as np

# The scalar forms live in a standard-library-only module so that bpcourse.autodiff stays free of NumPy;
# they are re-exported here, the one public home of every activation.
from ._scalar import sigmoid_prime_scalar, sigmoid_scalar, tanh_prime_scalar


def identity(net: np.ndarray) -> np.ndarray:
    """f(net) = net."""
    return net


def identity_prime(net: np.ndarray) -> np.ndarray:
    """f'(net) = 1."""
    return np.ones_like(net)


def sigmoid(net: np.ndarray) -> np.ndarray:
    """σ(net) = 1 / (1 + e^(−net)), computed without overflow for any finite net.

    For net < 0 we use e^net / (1 + e^net), so the exponent is never positive: no overflow warning even at
    |net| = 1e4.
    """
    net = np.asarray(net, dtype=np.float64)
    e = np.exp(-np.abs(net))  # in (0, 1]: never overflows
    return np.where(net >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def sigmoid_prime(net: np.ndarray) -> np.ndarray:
    """σ'(net) = σ(net)·(1 − σ(net)).

    Evaluated as e^(−|net|) / (1 + e^(−|net|))², the same function without the cancellation in 1 − σ: the
    textbook form loses every digit once σ rounds to 1 (σ'(30) would come out 0.1% wrong, σ'(40) as 0).
    """
    e = np.exp(-np.abs(np.asarray(net, dtype=np.float64)))
    return e / ((1.0 + e) * (1.0 + e))


def tanh(net: np.ndarray) -> np.ndarray:
    """tanh(net)."""
    return np.tanh(net)


def tanh_prime(net: np.ndarray) -> np.ndarray:
    """tanh'(net) = 1 − tanh(net)².

    Evaluated as 4 e^(−2|net|) / (1 + e^(−2|net|))² (= 1/cosh²), free of the cancellation in 1 − tanh², which
    returns exactly 0 from |net| ≈ 19 on.
    """
    e = np.exp(-2.0 * np.abs(np.asarray(net, dtype=np.float64)))
    return 4.0 * e / ((1.0 + e) * (1.0 + e))


def relu(net: np.ndarray) -> np.ndarray:
    """ReLU(net) = max(0, net)."""
    return np.maximum(net, 0.0)


def relu_prime(net: np.ndarray) -> np.ndarray:
    """ReLU'(net) = 1 where net > 0, else 0 (the kink at 0 gets 0, the usual convention)."""
    return (np.asarray(net) > 0).astype(np.float64)


def softmax(net: np.ndarray) -> np.ndarray:
    """Softmax along the last axis, stable: subtracting the row maximum keeps every exponent ≤ 0.

    Returns an array of the same shape whose rows are positive and sum to 1.
    """
    net = np.asarray(net, dtype=np.float64)
    z = net - net.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def softmax_jacobian(net: np.ndarray) -> np.ndarray:
    """Jacobian ∂p_i/∂net_j = p_i(δ_ij − p_j) of the softmax of one vector ``net`` (shape (C,)), shape (C, C)."""
    p = softmax(np.asarray(net, dtype=np.float64).reshape(-1))
    return np.diag(p) - np.outer(p, p)


class Activation(NamedTuple):
    """An element-wise activation: its name, f and f'."""

    name: str
    f: Callable[[np.ndarray], np.ndarray]
    f_prime: Callable[[np.ndarray], np.ndarray]


__all__ = [
    "identity", "identity_prime", "sigmoid", "sigmoid_prime", "sigmoid_scalar", "sigmoid_prime_scalar", "tanh",
    "tanh_prime", "tanh_prime_scalar", "relu", "relu_prime", "softmax", "softmax_jacobian", "Activation",
    "ACTIVATIONS", "get_activation",
]

ACTIVATIONS: dict[str, Activation] = {
    "identity": Activation("identity", identity, identity_prime),
    "sigmoid": Activation("sigmoid", sigmoid, sigmoid_prime),
    "tanh": Activation("tanh", tanh, tanh_prime),
    "relu": Activation("relu", relu, relu_prime),
}


def get_activation(name: str) -> Activation:
    """Look up an element-wise activation by name ("identity", "sigmoid", "tanh", "relu")."""
    if name not in ACTIVATIONS:
        known = ", ".join(repr(k) for k in ACTIVATIONS)
        hint = " (softmax is not element-wise: use the SoftmaxCrossEntropy output)" if name == "softmax" else ""
        raise ValueError(f"unknown activation {name!r}; expected one of {known}{hint}")
    return ACTIVATIONS[name]
