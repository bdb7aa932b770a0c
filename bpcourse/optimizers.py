"""Optimisers: each updates parameters in place from their gradients and keeps its own state per parameter.

``step(params, grads)`` takes two dicts with the same keys (parameter name → array), checks them, and calls
``update(name, p, g)`` for each: the parameter array is updated in place, the gradient only read. A training
loop that knows its shapes are right (a network's own ``fit``) calls ``update`` directly; a new optimiser
overrides ``update``.
"""
from __future__ import annotations

import numpy as np

from ._validate import check_positive


class Optimizer:
    """Base class: holds the learning rate η and per-parameter state."""

    def __init__(self, lr: float) -> None:
        self.lr = check_positive(lr, "lr (the learning rate η)")
        self.state: dict[str, dict[str, np.ndarray]] = {}

    def step(self, params: dict[str, np.ndarray], grads: dict[str, np.ndarray]) -> None:
        """Update every parameter in place from its gradient."""
        if params.keys() != grads.keys():
            missing = sorted(set(params) ^ set(grads))
            raise ValueError(f"params and grads must have the same names; these are in only one: {missing}")
        for name, p in params.items():
            g = grads[name]
            if g.shape != p.shape:
                raise ValueError(f"gradient of {name} has shape {g.shape}, expected {p.shape}")
            self.update(name, p, g)

    def update(self, name: str, p: np.ndarray, g: np.ndarray) -> None:  # pragma: no cover - interface
        """Update one parameter ``p`` in place from its gradient ``g`` (same shape, not checked).

        ``name`` keys the optimiser's state for that parameter (velocities, moments, step count).
        """
        raise NotImplementedError

    def reset(self) -> None:
        """Forget all state (velocities, moment estimates, step counts)."""
        self.state = {}


class SGD(Optimizer):
    """Plain gradient descent: w ← w − η·∂E/∂w."""

    def update(self, name: str, p: np.ndarray, g: np.ndarray) -> None:
        p -= self.lr * g

    def __repr__(self) -> str:
        return f"SGD(lr={self.lr:g})"


class Momentum(Optimizer):
    """Heavy-ball momentum: v ← β·v − η·g, w ← w + v. β = 0 is plain SGD."""

    def __init__(self, lr: float = 0.01, beta: float = 0.9) -> None:
        super().__init__(lr)
        if not 0.0 <= beta < 1.0:
            raise ValueError(f"beta must be in [0, 1), got {beta!r}")
        self.beta = float(beta)

    def update(self, name: str, p: np.ndarray, g: np.ndarray) -> None:
        st = self.state.get(name)
        if st is None:
            st = self.state[name] = {"v": np.zeros_like(p)}
        v = st["v"]
        v *= self.beta
        v -= self.lr * g
        p += v

    def __repr__(self) -> str:
        return f"Momentum(lr={self.lr:g}, beta={self.beta:g})"


class Adam(Optimizer):
    """Adam (Kingma & Ba, 2015): bias-corrected running means of g and g².

    m ← β1·m + (1 − β1)·g;  v ← β2·v + (1 − β2)·g²;  w ← w − η·m̂ / (√v̂ + ε),
    with m̂ = m / (1 − β1^t), v̂ = v / (1 − β2^t) and t the step count of that parameter.
    """

    def __init__(self, lr: float = 0.001, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8) -> None:
        super().__init__(lr)
        for name, b in (("beta1", beta1), ("beta2", beta2)):
            if not 0.0 <= b < 1.0:
                raise ValueError(f"{name} must be in [0, 1), got {b!r}")
        check_positive(eps, "eps")
        self.beta1, self.beta2, self.eps = float(beta1), float(beta2), float(eps)

    def update(self, name: str, p: np.ndarray, g: np.ndarray) -> None:
        st = self.state.get(name)
        if st is None:
            st = self.state[name] = {"m": np.zeros_like(p), "v": np.zeros_like(p), "t": 0}
        st["t"] += 1
        m, v, t = st["m"], st["v"], st["t"]
        m *= self.beta1
        m += (1.0 - self.beta1) * g
        v *= self.beta2
        v += (1.0 - self.beta2) * (g * g)
        m_hat = m / (1.0 - self.beta1**t)
        v_hat = v / (1.0 - self.beta2**t)
        p -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)

    def __repr__(self) -> str:
        return f"Adam(lr={self.lr:g}, beta1={self.beta1:g}, beta2={self.beta2:g})"


OPTIMIZERS = {"sgd": SGD, "momentum": Momentum, "adam": Adam}


def make_optimizer(name: str, lr: float, **kwargs: float) -> Optimizer:
    """Build an optimiser by name ("sgd", "momentum", "adam")."""
    if name not in OPTIMIZERS:
        raise ValueError(f"unknown optimizer {name!r}; expected one of {', '.join(map(repr, OPTIMIZERS))}")
    return OPTIMIZERS[name](lr, **kwargs)
