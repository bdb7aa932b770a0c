"""The single sigmoid neuron, trained by stochastic gradient descent on the logical AND rule.

Model (Article D's single-neuron formula; the lecture Article C refers to)::

    net = w·x + b,    o = σ(net),    L = ½(o − t)²
    ∂L/∂w_j = (o − t)·o·(1 − o)·x_j,    ∂L/∂b = (o − t)·o·(1 − o)

Notation: x input (shape (n_in,), n_in = 2 for AND), net pre-activation, o the output (the course's y/a),
t target, L loss (E), δ = ∂L/∂net = (o − t)·σ'(net) with σ'(net) = o·(1 − o), η learning rate. The weight
vector w has shape (n_in,): the neuron is a layer with W = w[None, :] of shape (1, n_in).

SGD: one sample at a time, w ← w − η·∂L/∂w, b ← b − η·∂L/∂b; optionally the sample order is reshuffled each
epoch by a seeded generator. :meth:`SigmoidNeuron.fit` returns the per-epoch loss history: after each
epoch, the mean of L over the training set at the weights reached.

The default recipe (:func:`train_and`): w = (0, 0), b = 0, η = 2, 500 epochs, shuffled with seed 0,
reaches loss below 0.01 and predicts the AND truth table (predict: 1 if o ≥ 0.5 else 0).
"""
from __future__ import annotations

from typing import NamedTuple, Sequence

import numpy as np

from ..activations import sigmoid, sigmoid_scalar as _sigmoid
from ..validate import as_float_array, as_rng, check_int, check_positive

#: The AND truth table: inputs (4, 2) and targets (4,).
AND_X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
AND_T = np.array([0.0, 0.0, 0.0, 1.0])


class Gradients(NamedTuple):
    """∂L/∂w (shape (n_in,), like w) and ∂L/∂b (a float, like b); unpacks as ``dw, db = ...``."""

    dw: np.ndarray
    db: float


def delta(o: float, t: float) -> float:
    """δ = ∂L/∂net = (o − t)·o·(1 − o): the squared loss's error times σ'(net) = o·(1 − o), for one output o.

    The one home of the neuron's δ: its gradient, its SGD step and its fast training loop all call it.
    """
    return (o - t) * o * (1.0 - o)


def _neuron_inputs(w: object, b: object, x: object, t: object) -> tuple[np.ndarray, float, np.ndarray, float]:
    w = as_float_array(w, "w", ndim=1)
    b = float(as_float_array(b, "b", ndim=0))
    x = as_float_array(x, "x", shape=w.shape)
    t = float(as_float_array(t, "t", ndim=0))
    return w, b, x, t


def gradient(w: np.ndarray, b: float, x: np.ndarray, t: float) -> Gradients:
    """``Gradients(dw, db)`` of L = ½(o − t)², o = σ(w·x + b), for one sample: the neuron's one home of it.

    δ = (o − t)·o·(1 − o) (:func:`delta`), ∂L/∂w_j = δ·x_j, ∂L/∂b = δ.

    Parameters
    ----------
    w : ndarray, shape (n_in,)
        Weights.
    b : float
        Bias.
    x : ndarray, shape (n_in,)
        One sample.
    t : float
        Its target.

    Returns
    -------
    Gradients
        ``dw`` of shape (n_in,) and ``db`` a float; unpacks as ``dw, db = gradient(w, b, x, t)``.
    """
    w, b, x, t = _neuron_inputs(w, b, x, t)
    d = delta(_sigmoid(float(x @ w) + b), t)
    return Gradients(d * x, d)


def sgd_step(w: np.ndarray, b: float, x: np.ndarray, t: float, eta: float) -> tuple[np.ndarray, float]:
    """One SGD step on one sample, as new values: ``(w − η·dw, b − η·db)`` with the gradient at (w, b).

    Parameters
    ----------
    w : ndarray, shape (n_in,)
    b : float
    x : ndarray, shape (n_in,)
    t : float
    eta : float
        The learning rate η > 0.

    Returns
    -------
    w_new : ndarray, shape (n_in,)
        A new array; ``w`` is left untouched.
    b_new : float
    """
    eta = check_positive(eta, "eta")
    w, b, x, t = _neuron_inputs(w, b, x, t)
    step = eta * delta(_sigmoid(float(x @ w) + b), t)  # η·δ first, as the training loop in fit() rounds it
    return w - step * x, b - step


class SigmoidNeuron:
    """o = σ(w·x + b).

    Parameters
    ----------
    w : array_like, shape (n_in,)
        Weights (finite floats).
    b : float
        Bias.
    """

    def __init__(self, w: Sequence[float] | np.ndarray, b: float = 0.0) -> None:
        self.w = as_float_array(w, "w", ndim=1).copy()
        self.b = float(as_float_array(b, "b", ndim=0))

    @classmethod
    def random(cls, n_in: int = 2, seed: int | np.random.Generator = 0, scale: float = 0.5) -> "SigmoidNeuron":
        """A neuron with w and b drawn uniformly from [−scale, scale] by a seeded generator."""
        n_in = check_int(n_in, "n_in")
        check_positive(scale, "scale")
        rng = as_rng(seed)
        w = rng.uniform(-scale, scale, size=n_in)
        return cls(w, float(rng.uniform(-scale, scale)))

    @property
    def n_in(self) -> int:
        return self.w.shape[0]

    def _x(self, x: object) -> np.ndarray:
        if np.ndim(x) == 2:
            return as_float_array(x, "x", shape=(None, self.n_in))
        return as_float_array(x, "x", shape=(self.n_in,))

    def forward(self, x: np.ndarray) -> np.ndarray | float:
        """o = σ(w·x + b) for one sample x of shape (n_in,) (returns a float) or a batch (n, n_in) → (n,)."""
        x = self._x(x)
        if x.ndim == 1:
            return _sigmoid(float(x @ self.w) + self.b)
        return sigmoid(x @ self.w + self.b)

    def predict(self, x: np.ndarray) -> np.ndarray | int:
        """1 if o ≥ 0.5 else 0 (one sample → int, batch → int array of shape (n,))."""
        o = self.forward(x)
        if isinstance(o, float):
            return int(o >= 0.5)
        return (o >= 0.5).astype(np.int64)

    def loss(self, x: np.ndarray, t: np.ndarray | float) -> float:
        """L = ½(o − t)² for one sample, or its mean over a batch."""
        o = np.asarray(self.forward(x), dtype=np.float64)
        t = as_float_array(t, "t", shape=o.shape)
        return float(np.mean(0.5 * (o - t) ** 2))

    def gradient(self, x: np.ndarray, t: float) -> Gradients:
        """``Gradients(dw, db)``: ∂L/∂w (n_in,) and ∂L/∂b for one sample.

        δ = (o − t)·o·(1 − o), ∂L/∂w_j = δ·x_j, ∂L/∂b = δ.
        """
        return gradient(self.w, self.b, x, t)

    def sgd_step(self, x: np.ndarray, t: float, eta: float) -> float:
        """One SGD update on one sample (:func:`sgd_step`); returns the sample's loss before the update."""
        before = self.loss(x, t)
        self.w, self.b = sgd_step(self.w, self.b, x, t, eta)  # new arrays: never mutate what a caller may hold
        return before

    def fit(
        self,
        X: np.ndarray,
        t: np.ndarray,
        eta: float = 2.0,
        epochs: int = 500,
        shuffle: bool = True,
        seed: int | np.random.Generator | None = 0,
    ) -> np.ndarray:
        """Train by SGD; return the loss history (mean L over the set after each epoch), shape (epochs,).

        Parameters
        ----------
        X : ndarray, shape (n_samples, n_in)
        t : ndarray, shape (n_samples,)
            Targets in [0, 1].
        eta : float
            Learning rate η.
        epochs : int
        shuffle : bool
            Visit the samples in a new random order each epoch (else in the given order).
        seed : int or numpy.random.Generator
            Source of the shuffling (required when ``shuffle``, unused otherwise).
        """
        X = as_float_array(X, "X", shape=(None, self.n_in))
        t = as_float_array(t, "t", shape=(X.shape[0],))
        check_positive(eta, "eta")
        epochs = check_int(epochs, "epochs")
        rng = as_rng(seed) if shuffle else None
        # Plain Python floats in the loop: for a handful of inputs NumPy's per-call overhead would cost more
        # than the arithmetic (≈ 10 µs against < 3 µs per sample step).
        rows = [[float(v) for v in X[i]] for i in range(X.shape[0])]
        targets = [float(v) for v in t]
        w, b, eta = [float(v) for v in self.w], float(self.b), float(eta)
        n_in, n = len(w), X.shape[0]
        order = range(n)
        history = np.empty(epochs)
        for epoch in range(epochs):
            if rng is not None:
                order = rng.permutation(n).tolist()
            for i in order:
                x = rows[i]
                net = b
                for j in range(n_in):
                    net += w[j] * x[j]
                o = _sigmoid(net)
                step = eta * delta(o, targets[i])
                for j in range(n_in):
                    w[j] -= step * x[j]
                b -= step
            total = 0.0
            for x, tt in zip(rows, targets):
                net = b
                for j in range(n_in):
                    net += w[j] * x[j]
                total += 0.5 * (_sigmoid(net) - tt) ** 2
            history[epoch] = total / n
        self.w, self.b = np.array(w), b
        return history


def train_and(
    eta: float = 2.0,
    epochs: int = 500,
    seed: int | np.random.Generator | None = 0,
    shuffle: bool = True,
    neuron: SigmoidNeuron | None = None,
) -> tuple[SigmoidNeuron, np.ndarray]:
    """Train a neuron (default w = (0, 0), b = 0) on the AND truth table; return it and its loss history."""
    if neuron is None:
        neuron = SigmoidNeuron(np.zeros(2), 0.0)
    history = neuron.fit(AND_X, AND_T, eta=eta, epochs=epochs, shuffle=shuffle, seed=seed)
    return neuron, history


__all__ = ["AND_X", "AND_T", "Gradients", "SigmoidNeuron", "delta", "gradient", "sgd_step", "train_and"]
