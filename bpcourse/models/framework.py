"""Article C's small "framework": a ``Layer`` with one weight and a ``Network`` of such layers, as the article
wrote it, and the two fixes its gradient check calls for.

The network is the chain of :mod:`bpcourse.models.chain` with any number of layers: each layer computes
output = w·input (no activation, so net = activation), and the loss is L = ½(e − ê)², e the last layer's
output, ê the label.

Notation: the article's code is quoted verbatim, so its classes keep its names: ``label`` (the article's ê)
is the course's target t, ``sample`` the input x, ``learning_rate`` the learning rate η, L the loss E, and the "public
value" a layer hands on is a δ = ∂L/∂(a layer's output). The course's helpers around the classes
(:func:`loss`, :func:`gradients`, :func:`gradient_check`, :func:`train_starts`, :func:`run_starts`) take the
course's names ``x``, ``t`` and ``eta``.

The article's code
------------------
:class:`Layer` and :class:`Network` are the article's classes. ``Layer.backward``, ``Layer.upate`` (the
article's spelling) and ``Network.calc_gradient`` are its code line for line::

    # Layer.backward(self, public_value)
    self.public_value = public_value * self.w
    self.w_grad = self.public_value * self.input

    # Layer.upate(self, learning_rate)
    self.w = self.w - learning_rate * self.w_grad

    # Network.calc_gradient(self, label)
    last_layer = self.layers[-1]
    last_layer.backward(last_layer.output - label)
    public_value = last_layer.public_value
    for layer in self.layers:
        layer.backward(public_value)
        public_value = layer.public_value

The other methods follow the article's description: ``forward`` saves the input and the output,
``predict`` returns 1 if e > 0 else −1, ``train_one_sample(label, sample, learning_rate)`` runs forward, calc_gradient
and update_weights, ``train(labels, data_set, learning_rate, epoch)`` loops over the epochs and the samples in order.
Two departures, both needed to reproduce a run and neither changing a number: the article draws each
layer's weight uniformly in [−0.5, 0.5] inside ``Layer()``; here the weight is passed in (see
:func:`starting_weights`, seeded); and ``predict`` is split into ``forward`` (the pass) and the sign, so that
training can run on arrays (below).

Its two defects
---------------
``backward``
    It multiplies the public value by the layer's own weight *before* using it for the weight's gradient,
    so w_grad = δ_out·w·input instead of δ_out·input.
``calc_gradient``
    After a first call on the last layer it walks the layers **front to back**: the first layer receives
    (e − ê)·w3 (the value meant for the second-to-last layer), and the last layer's ``backward`` runs twice,
    the second time with a value that has passed through every layer.

At seed 4 (weights 0.4431, 0.0113, 0.4762, sample x = 1, label −1) the article's code gives the gradients
(0.2115, 0.00106, 5.7e-6); the true ones are (0.00541, 0.2115, 0.00503).

:class:`FixedLayer` fixes ``backward``, :class:`FixedNetwork` fixes ``calc_gradient`` (start at the last
layer with e − ê and walk back to the first, each layer once); :func:`make_network` combines them by name
(``fixes=()``, ``("backward",)``, ``("calc_gradient",)`` or both). With both fixed the gradients are exact
(:func:`gradient_check`).

Many starts at once
-------------------
:func:`run_starts` trains the very same classes with each weight a NumPy array of shape (n_starts,), one
entry per independent start: every operation in them is element-wise, so entry i is bit for bit the scalar
run from start i (tested).
"""
from __future__ import annotations

from typing import Iterable, Sequence

import numpy as np

from ..validate import as_real as _finite, as_rng, check_choice, check_int, check_positive
from ..gradcheck import GradCheckReport, numeric_gradient, rel_error

FIXES = ("backward", "calc_gradient")
ARTICLE_LR = 0.05
ARTICLE_EPOCHS = 160
ARTICLE_DATA = (1.0, -1.0)
ARTICLE_LABELS = (-1.0, 1.0)
INIT_LOW, INIT_HIGH = -0.5, 0.5


class Layer:
    """The article's layer: one weight, output = w·input.

    Attributes
    ----------
    w : float
    input, output : float
        Saved by :meth:`forward`.
    public_value : float
        Set by :meth:`backward`: the value handed to the next layer visited.
    w_grad : float
        Set by :meth:`backward`; used by :meth:`upate`.
    """

    def __init__(self, w: float) -> None:
        self.w = w

    def forward(self, input: float) -> float:
        self.input = input
        self.output = self.w * input
        return self.output

    def backward(self, public_value: float) -> None:
        self.public_value = public_value * self.w
        self.w_grad = self.public_value * self.input

    def upate(self, learning_rate: float) -> None:
        self.w = self.w - learning_rate * self.w_grad


class FixedLayer(Layer):
    """The layer with ``backward`` fixed: the gradient uses the value received, then the value is passed on."""

    def backward(self, public_value: float) -> None:
        self.w_grad = public_value * self.input  # dL/dw = dL/d(output) · input
        self.public_value = public_value * self.w  # dL/d(input), for the layer before


class Network:
    """The article's network: a list of :class:`Layer`, trained on ½(e − ê)².

    Parameters
    ----------
    layers_num : int
        Number of one-weight layers (the article uses 3).
    weights : sequence of float
        The initial weights, first layer first (the article draws them in [−0.5, 0.5]; use
        :func:`starting_weights`). One per layer.
    layer_class : type
        :class:`Layer` (the article's) or :class:`FixedLayer`.
    """

    def __init__(self, layers_num: int, weights: Sequence[float], layer_class: type = Layer) -> None:
        check_int(layers_num, "layers_num")
        if len(weights) != layers_num:
            raise ValueError(f"weights has {len(weights)} entries, expected layers_num = {layers_num}")
        self.layers = [layer_class(w) for w in weights]

    def forward(self, sample: float) -> float:
        output = sample
        for layer in self.layers:
            output = layer.forward(output)
        return output

    def predict(self, sample: float) -> int:
        return 1 if self.forward(sample) > 0 else -1

    def calc_gradient(self, label: float) -> None:
        last_layer = self.layers[-1]
        last_layer.backward(last_layer.output - label)
        public_value = last_layer.public_value
        for layer in self.layers:
            layer.backward(public_value)
            public_value = layer.public_value

    def update_weights(self, learning_rate: float) -> None:
        for layer in self.layers:
            layer.upate(learning_rate)

    def train_one_sample(self, label: float, sample: float, learning_rate: float) -> None:
        self.forward(sample)
        self.calc_gradient(label)
        self.update_weights(learning_rate)

    def train(self, labels: Sequence[float], data_set: Sequence[float], learning_rate: float, epoch: int) -> None:
        for _ in range(epoch):
            for i in range(len(labels)):
                self.train_one_sample(labels[i], data_set[i], learning_rate)


class FixedNetwork(Network):
    """The network with ``calc_gradient`` fixed: start at the last layer with e − ê, walk back to the first."""

    def calc_gradient(self, label: float) -> None:
        public_value = self.layers[-1].output - label  # dL/de
        for layer in reversed(self.layers):
            layer.backward(public_value)
            public_value = layer.public_value


def _fix_set(fixes: str | Iterable[str]) -> frozenset[str]:
    if isinstance(fixes, str):
        fixes = (fixes,)
    try:
        names = tuple(fixes)
    except TypeError:
        raise TypeError(f"fixes must be a collection of names from {FIXES}, got {type(fixes).__name__}") from None
    for name in names:
        check_choice(name, "fix", FIXES)
    return frozenset(names)


#: The four variants the chapter compares: name -> the fixes applied.
VARIANTS = {
    "the article's code": (),
    "backward fixed": ("backward",),
    "calc_gradient fixed": ("calc_gradient",),
    "both fixed": ("backward", "calc_gradient"),
}


def make_network(weights: Sequence[float], fixes: str | Iterable[str] = ()) -> Network:
    """The article's network with the named methods fixed.

    Parameters
    ----------
    weights : sequence of float
        Initial weights, first layer first (finite).
    fixes : collection of {"backward", "calc_gradient"}
        ``()`` is the article's code; both names give the correct network.
    """
    chosen = _fix_set(fixes)
    weights = [_finite(w, f"weights[{i}]") for i, w in enumerate(weights)]
    cls = FixedNetwork if "calc_gradient" in chosen else Network
    return cls(len(weights), weights, FixedLayer if "backward" in chosen else Layer)


def weights_of(net: Network) -> list[float]:
    """The current weights, first layer first."""
    return [layer.w for layer in net.layers]


def loss(net: Network, x: float, t: float) -> float:
    """L = ½(e − t)² (the article's ½(e − ê)²) for one sample at the network's current weights."""
    d = net.forward(_finite(x, "x")) - _finite(t, "t")
    return 0.5 * d * d


def gradients(net: Network, x: float, t: float) -> np.ndarray:
    """Run forward and ``calc_gradient`` and return every layer's ``w_grad``, shape (n_layers,); no update.

    The network's parameters are its layers' weights, one per layer and as many as it has layers, so the
    gradient is one array shaped like :func:`weights_of` rather than a NamedTuple with a field per weight
    (the fixed-size models' shape, e.g. :class:`bpcourse.models.chain.Gradients`). For the article's code
    these are not the gradients: they are what its ``calc_gradient`` leaves in ``w_grad``.
    """
    net.forward(_finite(x, "x"))
    net.calc_gradient(_finite(t, "t"))
    return np.array([layer.w_grad for layer in net.layers], dtype=np.float64)


def gradient_check(net: Network, x: float, t: float, eps: float = 1e-6, tol: float = 1e-7) -> GradCheckReport:
    """Compare the network's ``w_grad`` with central differences of its loss, at its current weights.

    Returns
    -------
    GradCheckReport
        Relative errors named ``"w1"``, ``"w2"``, ... (first layer first); the weights are restored.
    """
    eps = check_positive(eps, "eps")
    saved = weights_of(net)
    analytic = gradients(net, x, t)

    def f(w: np.ndarray) -> float:
        for layer, v in zip(net.layers, w):
            layer.w = float(v)
        return loss(net, x, t)

    try:
        numeric = numeric_gradient(f, np.array(saved, dtype=np.float64), eps)
    finally:
        for layer, v in zip(net.layers, saved):
            layer.w = v
    report = GradCheckReport(tol=tol)
    for i in range(len(saved)):
        report.errors[f"w{i + 1}"] = rel_error(analytic[i], numeric[i])
    return report


def starting_weights(n_starts: int, seed: int | np.random.Generator, n_layers: int = 3) -> np.ndarray:
    """Random initial weights, shape (n_starts, n_layers), uniform in [−0.5, 0.5]; row i is start i.

    ``starting_weights(1, 4)[0]`` is (0.4431, 0.0113, 0.4762), the chapter's seed-4 network. ``seed`` is an
    int >= 0 or a ``numpy.random.Generator`` (used and advanced), never ``None``
    (:func:`bpcourse.validate.as_rng`).
    """
    n_starts = check_int(n_starts, "n_starts")
    n_layers = check_int(n_layers, "n_layers")
    return as_rng(seed).uniform(INIT_LOW, INIT_HIGH, size=(n_starts, n_layers))


def train_starts(
    weights: np.ndarray,
    fixes: str | Iterable[str] = (),
    eta: float = ARTICLE_LR,
    epochs: int = ARTICLE_EPOCHS,
) -> np.ndarray:
    """Train one network per row of ``weights`` on the sign task; return the final weights.

    The article's ``train(labels, data_set, learning_rate, epoch)`` with x = [1, −1], labels [−1, 1], run once on arrays
    of shape (n_starts,): entry i is exactly the scalar run from row i.

    Parameters
    ----------
    weights : ndarray, shape (n_starts, n_layers)
        Initial weights, one start per row.
    fixes : collection of {"backward", "calc_gradient"}
        As for :func:`make_network`.
    eta, epochs : float, int
        Learning rate η (passed to the article's ``train`` as its ``learning_rate``) and epochs; the article's 0.05 and
        160 by default.

    Returns
    -------
    ndarray, shape (n_starts, n_layers)
        Entries are ±inf (or NaN) where a run overflowed, as they would be in the scalar run.
    """
    weights = np.array(weights, dtype=np.float64)
    if weights.ndim != 2 or weights.shape[0] == 0 or not np.isfinite(weights).all():
        raise ValueError(f"weights must be a finite array of shape (n_starts, n_layers), got shape {weights.shape}")
    eta = check_positive(eta, "eta")
    epochs = check_int(epochs, "epochs")
    chosen = _fix_set(fixes)
    cls = FixedNetwork if "calc_gradient" in chosen else Network
    net = cls(weights.shape[1], list(weights.T.copy()), FixedLayer if "backward" in chosen else Layer)
    # The article's code lets some starts grow without bound (to inf, as Python floats would): not an error
    # here, a result; such runs fail the task.
    with np.errstate(over="ignore", invalid="ignore"):
        net.train(list(ARTICLE_LABELS), list(ARTICLE_DATA), eta, epochs)
    return np.stack([layer.w for layer in net.layers], axis=1)


def successes(final_weights: np.ndarray) -> np.ndarray:
    """Which rows of final weights pass the article's test: predict(1) = −1 and predict(−1) = 1.

    Only the signs count, as in the article; a run whose weights overflowed to ±inf with the right signs
    passes too. Shape (n_starts,).
    """
    final_weights = np.asarray(final_weights, dtype=np.float64)
    e_pos, e_neg = 1.0, -1.0
    for w in final_weights.T:  # the forward pass, layer by layer, as Network.forward does it
        e_pos, e_neg = w * e_pos, w * e_neg
    return ~(e_pos > 0) & (e_neg > 0)  # predict(x) = 1 if e > 0 else −1


def run_starts(
    n_starts: int = 2000,
    seed: int | np.random.Generator = 4,
    fixes: str | Iterable[str] = (),
    weights: np.ndarray | None = None,
    eta: float = ARTICLE_LR,
    epochs: int = ARTICLE_EPOCHS,
) -> np.ndarray:
    """Train from ``n_starts`` random starts drawn from ``seed`` (or from the given ``weights``, when ``n_starts``
    and ``seed`` are not used); return which succeed.

    Returns
    -------
    ndarray of bool, shape (n_starts,)
    """
    if weights is None:
        weights = starting_weights(n_starts, seed)
    return successes(train_starts(weights, fixes, eta, epochs))


def count_successes(
    n_starts: int = 2000, seed: int | np.random.Generator = 4, fixes: str | Iterable[str] = ()
) -> int:
    """How many of ``n_starts`` seeded random starts learn the sign task (see :func:`run_starts`)."""
    return int(run_starts(n_starts, seed, fixes).sum())


__all__ = [
    "FIXES",
    "VARIANTS",
    "Layer",
    "FixedLayer",
    "Network",
    "FixedNetwork",
    "make_network",
    "weights_of",
    "loss",
    "gradients",
    "gradient_check",
    "starting_weights",
    "train_starts",
    "successes",
    "run_starts",
    "count_successes",
]
