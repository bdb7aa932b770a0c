"""Article A's worked example: one input, two sigmoid hidden neurons, one sigmoid output (a 1-2-1 network).

The API speaks the course's notation (target ``t``, learning rate ``eta``, targets ``T``); the node names
(``net_h1``, ``out_o``, ``delta_o``, …) and the parameter names w1 … b2 are the article's. The mapping:

=====================  ==========================  =========================================
article                course                      meaning
=====================  ==========================  =========================================
x                      x                           the input (a scalar)
net_h1, net_h2, net_o  net                         pre-activations
out_h1, out_h2, out_o  y / a                       activations, σ(net)
y                      t                           the target (Article A calls it y!)
L = 0.5·(y − out_o)²   E = ½(t − out_o)²           the loss
δ_o, δ_h1, δ_h2        δ = ∂L/∂net                 error terms
w1, w2                 w_h1,x and w_h2,x           input → hidden weights
w3, w4                 w_o,h1 and w_o,h2           hidden → output weights
α                      η (``eta``)                 learning rate
=====================  ==========================  =========================================

Forward pass, with the two readings of the bias (``bias=``)::

    "literal" (the text as printed):  net_h1 = w1·x + b1,  net_h2 = w2·x + b2,  net_o = w3·out_h1 + w4·out_h2 + b2
    "shared"  (what its formulas fit): net_h1 = w1·x + b1,  net_h2 = w2·x + b1,  net_o = w3·out_h1 + w4·out_h2 + b2

then out = σ(net) everywhere. Backward (the same in both readings), in the course's letters::

    δ_o  = −(t − out_o)·σ'(net_o)
    δ_h1 = w3·δ_o·σ'(net_h1),    δ_h2 = w4·δ_o·σ'(net_h2)

The article's gradient formulas (:func:`article_gradients`)::

    dw3 = δ_o·out_h1,  dw4 = δ_o·out_h2,  db2 = δ_o,  dw1 = δ_h1·x,  dw2 = δ_h2·x,  db1 = δ_h1 + δ_h2

are exact for the *shared* reading (b1 feeds both hidden neurons, b2 only the output). Under the *literal*
reading b1 feeds h1 only and b2 feeds both h2 and the output, so the exact gradients (:func:`gradients`) are
db1 = δ_h1 and db2 = δ_o + δ_h2, and the article's db1, db2 are wrong.

Article A prints no numbers for this network. The example values (:data:`EXAMPLE_PARAMS`, :data:`EXAMPLE_X`,
:data:`EXAMPLE_T`) are the course's own choice: w1..w4 = 0.15, 0.25, 0.40, 0.45, b1 = 0.35, b2 = 0.60,
x = 0.5, t = 1. There (literal reading) the exact db1 = −0.0042268, db2 = −0.0485783, and the article's
formulas give −0.0085997, −0.0442055.

Update: every parameter p ← p − η·dp (:func:`sgd_step`; the article's α).

Gradients come back as :class:`Gradients` (dw1 … db2, floats), like every model in :mod:`bpcourse.models`.
"""
from __future__ import annotations

from typing import NamedTuple, Sequence

import numpy as np

from ..activations import sigmoid_scalar as _sigmoid
from ..validate import as_real as _finite, check_choice, check_int, check_positive
from ..gradcheck import numeric_gradient

BIAS_READINGS = ("literal", "shared")
FORMULAS = ("correct", "article")
PARAM_NAMES = ("w1", "w2", "w3", "w4", "b1", "b2")


class Params(NamedTuple):
    """The six parameters."""

    w1: float
    w2: float
    w3: float
    w4: float
    b1: float
    b2: float


class Gradients(NamedTuple):
    """∂L/∂w1 … ∂L/∂b2, floats, in the order of :class:`Params`."""

    dw1: float
    dw2: float
    dw3: float
    dw4: float
    db1: float
    db2: float


#: The worked example's parameters, input and target: the course's own numbers (Article A prints none).
EXAMPLE_PARAMS = Params(0.15, 0.25, 0.40, 0.45, 0.35, 0.60)
EXAMPLE_X = 0.5
EXAMPLE_T = 1.0


def as_params(params: Sequence[float]) -> Params:
    """Validate six finite parameters (w1, w2, w3, w4, b1, b2)."""
    try:
        n = len(params)
    except TypeError:
        raise TypeError(f"params must be a sequence of 6 numbers {PARAM_NAMES}, got {type(params).__name__}") from None
    if n != 6:
        raise ValueError(f"params must be 6 numbers {PARAM_NAMES}, got {n}")
    return Params(*(_finite(v, name) for v, name in zip(params, PARAM_NAMES)))


def forward(params: Sequence[float], x: float, t: float, bias: str = "literal") -> dict[str, float]:
    """Forward and backward pass; every intermediate value by its article name.

    Returns
    -------
    dict
        ``net_h1, out_h1, net_h2, out_h2, net_o, out_o, L, delta_o, delta_h1, delta_h2``.
    """
    check_choice(bias, "bias reading", BIAS_READINGS)
    p = as_params(params)
    values = _pass(*p, _finite(x, "x"), _finite(t, "t (the target)"), bias == "shared")
    return dict(zip(PASS_NAMES, values))


PASS_NAMES = ("net_h1", "out_h1", "net_h2", "out_h2", "net_o", "out_o", "L", "delta_o", "delta_h1", "delta_h2")


def _pass(w1: float, w2: float, w3: float, w4: float, b1: float, b2: float, x: float, t: float, shared: bool):
    # Unchecked forward and backward pass in plain floats: the training loop's hot path (no dicts, no NumPy).
    net_h1 = w1 * x + b1
    net_h2 = w2 * x + (b1 if shared else b2)
    out_h1 = _sigmoid(net_h1)
    out_h2 = _sigmoid(net_h2)
    net_o = w3 * out_h1 + w4 * out_h2 + b2
    out_o = _sigmoid(net_o)
    delta_o = -(t - out_o) * out_o * (1.0 - out_o)  # the article's σ'(net) = out·(1 − out)
    delta_h1 = w3 * delta_o * out_h1 * (1.0 - out_h1)
    delta_h2 = w4 * delta_o * out_h2 * (1.0 - out_h2)
    return net_h1, out_h1, net_h2, out_h2, net_o, out_o, 0.5 * (t - out_o) ** 2, delta_o, delta_h1, delta_h2


def _grads(p: Params, x: float, t: float, shared: bool, article: bool) -> tuple[float, ...]:
    _, out_h1, _, out_h2, _, _, _, d_o, d_h1, d_h2 = _pass(*p, x, t, shared)
    if article or shared:
        db1, db2 = d_h1 + d_h2, d_o
    else:
        db1, db2 = d_h1, d_o + d_h2
    return d_h1 * x, d_h2 * x, d_o * out_h1, d_o * out_h2, db1, db2


def loss(params: Sequence[float], x: float, t: float, bias: str = "literal") -> float:
    """L = 0.5·(t − out_o)²."""
    return forward(params, x, t, bias)["L"]


def article_gradients(params: Sequence[float], x: float, t: float, bias: str = "literal") -> Gradients:
    """The article's formulas, applied to the forward pass of the chosen reading.

    dw1 = δ_h1·x, dw2 = δ_h2·x, dw3 = δ_o·out_h1, dw4 = δ_o·out_h2, db1 = δ_h1 + δ_h2, db2 = δ_o.
    Exact for ``bias="shared"``; db1 and db2 are wrong for ``bias="literal"``.
    """
    check_choice(bias, "bias reading", BIAS_READINGS)
    return Gradients(*_grads(as_params(params), _finite(x, "x"), _finite(t, "t"), bias == "shared", article=True))


def gradients(params: Sequence[float], x: float, t: float, bias: str = "literal") -> Gradients:
    """The exact gradients (dw1, dw2, dw3, dw4, db1, db2) of L for the chosen reading.

    A bias's gradient is the sum of δ over the neurons it feeds: shared, b1 → h1, h2 and b2 → o; literal,
    b1 → h1 and b2 → h2, o.
    """
    check_choice(bias, "bias reading", BIAS_READINGS)
    return Gradients(*_grads(as_params(params), _finite(x, "x"), _finite(t, "t"), bias == "shared", article=False))


def shared_outputs(w1: float, w2: float, w3: float, w4: float, b1: float, b2: float,
                   x: float) -> tuple[float, float, float]:
    """Forward pass of the shared-bias reading, parameters as arguments (exercise 05's signature).

    Parameters
    ----------
    w1, w2, w3, w4, b1, b2 : float
        The six parameters (b1 feeds both hidden neurons, b2 the output).
    x : float
        The input.

    Returns
    -------
    out_h1, out_h2, out_o : float
    """
    v = forward((w1, w2, w3, w4, b1, b2), x, 0.0, "shared")  # the target plays no part in the outputs
    return v["out_h1"], v["out_h2"], v["out_o"]


def shared_deltas(w1: float, w2: float, w3: float, w4: float, b1: float, b2: float, x: float,
                  t: float) -> tuple[float, float, float]:
    """δ = ∂L/∂net of the output and the two hidden neurons, shared-bias reading (exercise 05's signature).

    Parameters
    ----------
    w1, w2, w3, w4, b1, b2 : float
    x, t : float
        The input and its target.

    Returns
    -------
    delta_o, delta_h1, delta_h2 : float
    """
    v = forward((w1, w2, w3, w4, b1, b2), x, t, "shared")
    return v["delta_o"], v["delta_h1"], v["delta_h2"]


def shared_gradients(w1: float, w2: float, w3: float, w4: float, b1: float, b2: float, x: float,
                     t: float) -> Gradients:
    """:func:`gradients` of the shared-bias reading, parameters as arguments (exercise 05's signature).

    Parameters
    ----------
    w1, w2, w3, w4, b1, b2 : float
    x, t : float

    Returns
    -------
    Gradients
        ``(dw1, dw2, dw3, dw4, db1, db2)``, floats.
    """
    return gradients((w1, w2, w3, w4, b1, b2), x, t, "shared")


def numeric_gradients(
    params: Sequence[float], x: float, t: float, bias: str = "literal", eps: float = 1e-6
) -> Gradients:
    """Central differences of L with respect to the six parameters (:func:`bpcourse.gradcheck.numeric_gradient`)."""
    p = np.array(as_params(params), dtype=np.float64)
    check_choice(bias, "bias reading", BIAS_READINGS)
    x = _finite(x, "x")
    t = _finite(t, "t (the target)")
    g = numeric_gradient(lambda q: loss(tuple(float(v) for v in q), x, t, bias), p, eps)
    return Gradients(*(float(v) for v in g))


def sgd_step(params: Sequence[float], grads: Sequence[float], eta: float) -> Params:
    """p ← p − η·dp for every parameter (the article's α); returns the new parameters."""
    p = as_params(params)
    g = [_finite(v, "d" + name) for v, name in zip(as_params(grads), PARAM_NAMES)]
    check_positive(eta, "eta")
    return Params(*(pi - eta * gi for pi, gi in zip(p, g)))


def train(
    params: Sequence[float] = EXAMPLE_PARAMS,
    X: Sequence[float] = (EXAMPLE_X,),
    T: Sequence[float] = (EXAMPLE_T,),
    eta: float = 0.5,
    epochs: int = 100,
    bias: str = "literal",
    formulas: str = "correct",
) -> tuple[Params, np.ndarray]:
    """SGD, one sample at a time in order.

    Parameters
    ----------
    params : six floats
        Initial (w1, w2, w3, w4, b1, b2).
    X, T : sequences of float, same length
        Inputs and targets (the article's y).
    eta : float
        Learning rate η (the article's α).
    epochs : int
    bias : {"literal", "shared"}
        The reading of the bias.
    formulas : {"correct", "article"}
        Exact gradients for that reading, or the article's formulas.

    Returns
    -------
    (Params, ndarray of shape (epochs,))
        Final parameters and the mean loss over the samples after each epoch.
    """
    check_choice(bias, "bias reading", BIAS_READINGS)
    check_choice(formulas, "formulas", FORMULAS)
    eta = check_positive(eta, "eta")
    epochs = check_int(epochs, "epochs")
    p = as_params(params)
    xs = [_finite(v, f"X[{i}]") for i, v in enumerate(X)]
    ts = [_finite(v, f"T[{i}]") for i, v in enumerate(T)]
    if len(xs) != len(ts) or not xs:
        raise ValueError(f"X and T must be non-empty and of equal length, got {len(xs)} and {len(ts)}")
    shared, article = bias == "shared", formulas == "article"
    samples = list(zip(xs, ts))
    w1, w2, w3, w4, b1, b2 = p
    history = np.empty(epochs)
    for epoch in range(epochs):
        for x, t in samples:
            g1, g2, g3, g4, gb1, gb2 = _grads((w1, w2, w3, w4, b1, b2), x, t, shared, article)
            w1, w2, w3, w4 = w1 - eta * g1, w2 - eta * g2, w3 - eta * g3, w4 - eta * g4
            b1, b2 = b1 - eta * gb1, b2 - eta * gb2
        total = 0.0
        for x, t in samples:
            total += _pass(w1, w2, w3, w4, b1, b2, x, t, shared)[6]
        history[epoch] = total / len(samples)
    return Params(w1, w2, w3, w4, b1, b2), history


__all__ = [
    "BIAS_READINGS",
    "FORMULAS",
    "PARAM_NAMES",
    "Params",
    "Gradients",
    "EXAMPLE_PARAMS",
    "EXAMPLE_X",
    "EXAMPLE_T",
    "as_params",
    "forward",
    "shared_outputs",
    "shared_deltas",
    "shared_gradients",
    "loss",
    "article_gradients",
    "gradients",
    "numeric_gradients",
    "sgd_step",
    "train",
]
