"""Article B's fully connected 3-2-2 network, with its node numbers and w_ji naming.

Nodes: inputs 1, 2, 3; hidden 4, 5; outputs 6, 7. w_ji is the weight from node i **into** node j (the later
layer's index first, w_41 not w_14), which is also the course's convention, so ``W[j, i]`` is w_ji. The
bias is folded in as an extra input fixed at 1, so each weight matrix has one more column than its layer has
inputs::

    x_aug        = [x1, x2, x3, 1]                         shape (4,)
    W_hidden     = [[w41, w42, w43, w_b4],
                    [w51, w52, w53, w_b5]]                 shape (2, 4)
    net_hidden   = W_hidden · x_aug,  y_hidden = f(net_hidden) = [y4, y5]
    y_hidden_aug = [y4, y5, 1]                             shape (3,)
    W_out        = [[w64, w65, w_b6],
                    [w74, w75, w_b7]]                      shape (2, 3)
    net_out      = W_out · y_hidden_aug,  y_out = f(net_out) = [y6, y7]
    E            = ½ Σ_k (t_k − y_k)²

Error terms (δ = ∂E/∂net, the article's 误差项) and gradients::

    output k ∈ {6, 7}:  δ_k = (y_k − t_k)·f'(net_k)            (y_k affects E directly, and nothing else)
    hidden j ∈ {4, 5}:  δ_j = Σ_k δ_k·w_kj·f'(net_j)           (total derivative: y_j feeds every output)
    dE/dw_kj = δ_k·y_j,   dE/dw_ji = δ_j·x_i                   (y_b = x_b = 1 for the bias weights)
    update:  w ← w − η·dE/dw

In the course notation: x input, net pre-activation, y activation, t target, E loss, η learning rate; the
general layer :class:`bpcourse.layers.Dense` holds the same numbers as ``W = W_hidden[:, :3]`` and
``b = W_hidden[:, 3]``.

:func:`backward_loops` computes this node by node with explicit loops over node numbers (the lesson);
:func:`backward_matrix` does the same with matrices (δ_out = (y − t) ⊙ f'(net_out),
δ_hidden = (W_out[:, :2]ᵀ δ_out) ⊙ f'(net_hidden), dW = δ·inputᵀ), and also takes a batch, averaging over
samples. The article's remark that "E can be softmax and f ReLU" means a softmax output with cross-entropy
and ReLU hidden units (chapter 8); here f is any element-wise activation of :mod:`bpcourse.activations`.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ..validate import as_float_array, as_rng, check_int, check_positive
from ..activations import get_activation
from ..gradcheck import numeric_gradient

INPUT_NODES = (1, 2, 3)
HIDDEN_NODES = (4, 5)
OUTPUT_NODES = (6, 7)
BIAS = "b"


class Gradients(NamedTuple):
    """dE/dW for both layers (each shaped as its W), then the error terms δ."""

    dW_hidden: np.ndarray  # (2, 4)
    dW_out: np.ndarray  # (2, 3)
    delta_hidden: np.ndarray  # (2,) for one sample, (n, 2) for a batch: [δ4, δ5]
    delta_out: np.ndarray  # (2,) or (n, 2): [δ6, δ7]


class NumericGradients(NamedTuple):
    """Central-difference dE/dW for both layers (no error terms: differences see only the loss)."""

    dW_hidden: np.ndarray  # (2, 4)
    dW_out: np.ndarray  # (2, 3)


def weight_names() -> tuple[list[list[str]], list[list[str]]]:
    """The names of the entries of W_hidden and W_out: ``[["w_41", "w_42", "w_43", "w_b4"], ...]``."""
    hidden = [[f"w_{j}{i}" for i in INPUT_NODES] + [f"w_{BIAS}{j}"] for j in HIDDEN_NODES]
    out = [[f"w_{k}{j}" for j in HIDDEN_NODES] + [f"w_{BIAS}{k}"] for k in OUTPUT_NODES]
    return hidden, out


def weights_by_name(W_hidden: np.ndarray, W_out: np.ndarray) -> dict[str, float]:
    """``{"w_41": W_hidden[0, 0], ..., "w_b7": W_out[1, 2]}``."""
    W_hidden, W_out = _check_weights(W_hidden, W_out)
    names_h, names_o = weight_names()
    d: dict[str, float] = {}
    for names, W in ((names_h, W_hidden), (names_o, W_out)):
        for r, row in enumerate(names):
            for c, name in enumerate(row):
                d[name] = float(W[r, c])
    return d


def weights_from_names(weights: dict[str, float]) -> tuple[np.ndarray, np.ndarray]:
    """Inverse of :func:`weights_by_name`; every one of the 14 names must be present."""
    names_h, names_o = weight_names()
    missing = [n for row in names_h + names_o for n in row if n not in weights]
    if missing:
        raise ValueError(f"missing weights {missing}; expected all of {[n for r in names_h + names_o for n in r]}")
    extra = set(weights) - {n for row in names_h + names_o for n in row}
    if extra:
        raise ValueError(f"unknown weight names {sorted(extra)}")
    W_hidden = np.array([[weights[n] for n in row] for row in names_h], dtype=np.float64)
    W_out = np.array([[weights[n] for n in row] for row in names_o], dtype=np.float64)
    return _check_weights(W_hidden, W_out)


def random_weights(seed: int | np.random.Generator, scale: float = 0.5) -> tuple[np.ndarray, np.ndarray]:
    """W_hidden (2, 4) and W_out (2, 3), uniform in [−scale, scale]."""
    check_positive(scale, "scale")
    rng = as_rng(seed)
    return rng.uniform(-scale, scale, size=(2, 4)), rng.uniform(-scale, scale, size=(2, 3))


def _check_weights(W_hidden: object, W_out: object) -> tuple[np.ndarray, np.ndarray]:
    return (
        as_float_array(W_hidden, "W_hidden", shape=(2, 4)),
        as_float_array(W_out, "W_out", shape=(2, 3)),
    )


def _check_xt(x: object, t: object | None, batch: bool) -> tuple[np.ndarray, np.ndarray | None]:
    if batch:
        x = as_float_array(x, "x", ndim=(1, 2))
        if x.ndim == 1:
            x = as_float_array(x, "x", shape=(3,))
        else:
            x = as_float_array(x, "x", shape=(None, 3))
    else:
        x = as_float_array(x, "x", shape=(3,))
    if t is None:
        return x, None
    t = as_float_array(t, "t (the target)", shape=x.shape[:-1] + (2,))
    return x, t


def forward(
    W_hidden: np.ndarray, W_out: np.ndarray, x: np.ndarray, activation: str = "sigmoid"
) -> dict[str, np.ndarray]:
    """Forward pass for one sample x (3,) or a batch (n, 3).

    Returns
    -------
    dict
        ``x_aug`` (…, 4), ``net_hidden`` (…, 2), ``y_hidden`` (…, 2), ``y_hidden_aug`` (…, 3),
        ``net_out`` (…, 2), ``y_out`` (…, 2); "…" is () for one sample and (n,) for a batch.
    """
    W_hidden, W_out = _check_weights(W_hidden, W_out)
    x, _ = _check_xt(x, None, batch=True)
    f = get_activation(activation).f
    ones = np.ones(x.shape[:-1] + (1,))
    x_aug = np.concatenate([x, ones], axis=-1)
    net_hidden = x_aug @ W_hidden.T
    y_hidden = f(net_hidden)
    y_hidden_aug = np.concatenate([y_hidden, ones], axis=-1)
    net_out = y_hidden_aug @ W_out.T
    return {
        "x_aug": x_aug,
        "net_hidden": net_hidden,
        "y_hidden": y_hidden,
        "y_hidden_aug": y_hidden_aug,
        "net_out": net_out,
        "y_out": f(net_out),
    }


def loss(W_hidden: np.ndarray, W_out: np.ndarray, x: np.ndarray, t: np.ndarray, activation: str = "sigmoid") -> float:
    """E = ½ Σ_k (t_k − y_k)² for one sample; for a batch, its mean over samples."""
    x, t = _check_xt(x, t, batch=True)
    y = forward(W_hidden, W_out, x, activation)["y_out"]
    e = 0.5 * np.sum((t - y) ** 2, axis=-1)
    return float(np.mean(e))


def backward_loops(
    W_hidden: np.ndarray, W_out: np.ndarray, x: np.ndarray, t: np.ndarray, activation: str = "sigmoid"
) -> Gradients:
    """δ and dE/dw node by node, for one sample, exactly as derived in the article.

    Weights are looked up by node number: w[(j, i)] is w_ji, w[(j, "b")] the bias weight of node j.
    """
    W_hidden, W_out = _check_weights(W_hidden, W_out)
    x, t = _check_xt(x, t, batch=False)
    act = get_activation(activation)

    def f(v: float) -> float:
        return float(act.f(np.array(v)))

    def f_prime(v: float) -> float:
        return float(act.f_prime(np.array(v)))

    w: dict[tuple[int, int | str], float] = {}
    for r, j in enumerate(HIDDEN_NODES):
        for c, i in enumerate(INPUT_NODES + (BIAS,)):
            w[(j, i)] = float(W_hidden[r, c])
    for r, k in enumerate(OUTPUT_NODES):
        for c, j in enumerate(HIDDEN_NODES + (BIAS,)):
            w[(k, j)] = float(W_out[r, c])
    target = {k: float(t[r]) for r, k in enumerate(OUTPUT_NODES)}

    # Forward, node by node. The bias "node" b always outputs 1.
    y: dict[int | str, float] = {i: float(x[c]) for c, i in enumerate(INPUT_NODES)}
    y[BIAS] = 1.0
    net: dict[int, float] = {}
    for j in HIDDEN_NODES:
        net[j] = sum(w[(j, i)] * y[i] for i in INPUT_NODES + (BIAS,))
        y[j] = f(net[j])
    for k in OUTPUT_NODES:
        net[k] = sum(w[(k, j)] * y[j] for j in HIDDEN_NODES + (BIAS,))
        y[k] = f(net[k])

    # Output layer first: y_k affects E only through itself.
    delta: dict[int, float] = {}
    for k in OUTPUT_NODES:
        delta[k] = (y[k] - target[k]) * f_prime(net[k])
    # Hidden layer: y_j feeds every output k, so sum over k (the total derivative).
    for j in HIDDEN_NODES:
        delta[j] = sum(delta[k] * w[(k, j)] for k in OUTPUT_NODES) * f_prime(net[j])

    dW_out = np.empty((2, 3))
    for r, k in enumerate(OUTPUT_NODES):
        for c, j in enumerate(HIDDEN_NODES + (BIAS,)):
            dW_out[r, c] = delta[k] * y[j]  # dE/dw_kj = δ_k·y_j
    dW_hidden = np.empty((2, 4))
    for r, j in enumerate(HIDDEN_NODES):
        for c, i in enumerate(INPUT_NODES + (BIAS,)):
            dW_hidden[r, c] = delta[j] * y[i]  # dE/dw_ji = δ_j·x_i
    return Gradients(
        dW_hidden,
        dW_out,
        np.array([delta[j] for j in HIDDEN_NODES]),
        np.array([delta[k] for k in OUTPUT_NODES]),
    )


def loop_gradients(x: np.ndarray, t: np.ndarray, W_hidden: np.ndarray,
                   W_out: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The weight gradients of :func:`backward_loops` alone (exercise 06's signature), for one sample.

    Parameters
    ----------
    x : ndarray, shape (3,)
    t : ndarray, shape (2,)
    W_hidden : ndarray, shape (2, 4)
        Row j: node 4 or 5's weights from inputs 1, 2, 3 and the bias.
    W_out : ndarray, shape (2, 3)
        Row k: node 6 or 7's weights from hidden nodes 4, 5 and the bias.

    Returns
    -------
    dW_hidden : ndarray, shape (2, 4)
    dW_out : ndarray, shape (2, 3)
    """
    g = backward_loops(W_hidden, W_out, x, t)
    return g.dW_hidden, g.dW_out


def backward_matrix(
    W_hidden: np.ndarray, W_out: np.ndarray, x: np.ndarray, t: np.ndarray, activation: str = "sigmoid"
) -> Gradients:
    """The same with matrices, for one sample x (3,), t (2,) or a batch x (n, 3), t (n, 2).

    For a batch, dW is the mean over samples (E is averaged over samples); δ has one row per sample.
    """
    W_hidden, W_out = _check_weights(W_hidden, W_out)
    x, t = _check_xt(x, t, batch=True)
    single = x.ndim == 1
    X = np.atleast_2d(x)
    T = np.atleast_2d(t)
    n = X.shape[0]
    f_prime = get_activation(activation).f_prime
    v = forward(W_hidden, W_out, X, activation)
    delta_out = (v["y_out"] - T) * f_prime(v["net_out"])  # (n, 2)
    # The bias column of W_out feeds no hidden node, so it takes no part in δ_hidden.
    delta_hidden = (delta_out @ W_out[:, :2]) * f_prime(v["net_hidden"])  # (n, 2)
    dW_out = delta_out.T @ v["y_hidden_aug"] / n  # (2, 3)
    dW_hidden = delta_hidden.T @ v["x_aug"] / n  # (2, 4)
    if single:
        return Gradients(dW_hidden, dW_out, delta_hidden[0], delta_out[0])
    return Gradients(dW_hidden, dW_out, delta_hidden, delta_out)


def numeric_gradients(
    W_hidden: np.ndarray, W_out: np.ndarray, x: np.ndarray, t: np.ndarray, activation: str = "sigmoid",
    eps: float = 1e-6,
) -> NumericGradients:
    """Central differences of :func:`loss` with respect to W_hidden and W_out (copies are perturbed)."""
    Wh, Wo = (np.array(W, dtype=np.float64) for W in _check_weights(W_hidden, W_out))
    x, t = _check_xt(x, t, batch=True)
    return NumericGradients(
        numeric_gradient(lambda _: loss(Wh, Wo, x, t, activation), Wh, eps),
        numeric_gradient(lambda _: loss(Wh, Wo, x, t, activation), Wo, eps),
    )


def update(
    W_hidden: np.ndarray, W_out: np.ndarray, grads: Gradients, eta: float
) -> tuple[np.ndarray, np.ndarray]:
    """w_kj ← w_kj − η·δ_k·y_j and w_ji ← w_ji − η·δ_j·x_i; returns new arrays (the inputs are not changed)."""
    W_hidden, W_out = _check_weights(W_hidden, W_out)
    dWh = as_float_array(grads.dW_hidden, "dW_hidden", shape=(2, 4))
    dWo = as_float_array(grads.dW_out, "dW_out", shape=(2, 3))
    check_positive(eta, "eta")
    return W_hidden - eta * dWh, W_out - eta * dWo


def train(
    W_hidden: np.ndarray,
    W_out: np.ndarray,
    X: np.ndarray,
    T: np.ndarray,
    eta: float = 0.5,
    epochs: int = 100,
    activation: str = "sigmoid",
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """SGD, one sample at a time in order; returns (W_hidden, W_out, loss after each epoch (epochs,))."""
    W_hidden, W_out = _check_weights(W_hidden, W_out)
    X = as_float_array(X, "X", shape=(None, 3))
    T = as_float_array(T, "T", shape=(X.shape[0], 2))
    check_positive(eta, "eta")
    epochs = check_int(epochs, "epochs")
    history = np.empty(epochs)
    for epoch in range(epochs):
        for x, t in zip(X, T):
            W_hidden, W_out = update(W_hidden, W_out, backward_matrix(W_hidden, W_out, x, t, activation), eta)
        history[epoch] = loss(W_hidden, W_out, X, T, activation)
    return W_hidden, W_out, history


__all__ = [
    "INPUT_NODES",
    "HIDDEN_NODES",
    "OUTPUT_NODES",
    "Gradients",
    "NumericGradients",
    "loop_gradients",
    "weight_names",
    "weights_by_name",
    "weights_from_names",
    "random_weights",
    "forward",
    "loss",
    "backward_loops",
    "backward_matrix",
    "numeric_gradients",
    "update",
    "train",
]
