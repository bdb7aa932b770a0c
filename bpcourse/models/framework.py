"""Article C's small "framework": a ``Layer`` with one weight and a ``Network`` of such layers.

The network is the same chain as :mod:`bpcourse.models.chain` with any number of layers: each layer computes
output = weight·input (no activation, net = activation), and the loss is L = ½(e − ê)² with e the last
layer's output and ê the label (course notation: target t, loss E, δ = ∂L/∂net). The backward pass passes a
"public value" from layer to layer: the value a layer receives is δ of its own output, ∂L/∂output.

A correct layer's ``backward(public_value)`` does::

    w_grad = public_value · input          # ∂L/∂w
    return public_value · weight           # ∂L/∂input, passed on to the layer before

and a correct ``calc_gradient`` starts with public_value = e − ê at the **last** layer and walks back to the
first. The article's code has two defects, both reproduced here (``defects=True``, the default, as the
article trained it):

``"extra_weight"``
    ``backward`` first multiplies the public value by the layer's own weight and then uses that product for the
    weight's gradient, so ∂L/∂w comes out multiplied by w once too often.
``"front_to_back"``
    ``calc_gradient`` walks the layers from the first to the last instead of from the last to the first.

Trained on the sign task (x = [1, −1], labels [−1, 1], lr 0.05, 160 epochs) from random initial weights in
[−0.5, 0.5], the article's version succeeds (predict(1) = −1 and predict(−1) = 1) from about half of the
starts, i.e. chance; the corrected version from almost every start (:func:`count_successes`). The gradient
check (:func:`gradient_check`) flags either defect on its own and both together, and passes the corrected
network.

Shapes: everything is a Python float. Internally :func:`run_starts` runs the very same ``Layer``/``Network``
code on weight arrays of shape (n_starts,), one entry per independent start, which is element-wise the same
arithmetic as n_starts separate scalar runs, only faster.
"""
from __future__ import annotations

from typing import Iterable, Sequence

import numpy as np

from .._validate import as_scalar_samples, check_choice, check_positive, as_real as _finite
from ..gradcheck import GradCheckReport, numeric_gradient, rel_error

DEFECTS = ("extra_weight", "front_to_back")
ARTICLE_LR = 0.05
ARTICLE_EPOCHS = 160
ARTICLE_DATA = (1.0, -1.0)
ARTICLE_LABELS = (-1.0, 1.0)
INIT_LOW, INIT_HIGH = -0.5, 0.5


def _defect_set(defects: bool | Iterable[str]) -> frozenset[str]:
    if isinstance(defects, (bool, np.bool_)):
        return frozenset(DEFECTS) if defects else frozenset()
    if isinstance(defects, str):
        defects = (defects,)
    try:
        names = tuple(defects)
    except TypeError:
        raise TypeError(
            f"defects must be True, False or a collection of names from {DEFECTS}, got {type(defects).__name__}"
        ) from None
    for name in names:
        check_choice(name, "defect", DEFECTS)
    return frozenset(names)


class Layer:
    """One weight: output = weight · input.

    Parameters
    ----------
    weight : float
        The initial weight.
    extra_weight : bool
        Reproduce the article's ``backward`` (the weight's gradient multiplied by the weight once too often).

    Attributes
    ----------
    weight : float
    input, output : float
        Saved by :meth:`forward` for :meth:`backward`.
    w_grad : float
        ∂L/∂weight, set by :meth:`backward` (wrong when ``extra_weight``).
    """

    def __init__(self, weight: float, extra_weight: bool = False) -> None:
        self.weight = _finite(weight, "weight")
        self.extra_weight = bool(extra_weight)
        self.input = 0.0
        self.output = 0.0
        self.w_grad = 0.0

    def forward(self, x: float) -> float:
        """Save the input, return and save output = weight·x."""
        self.input = x
        self.output = self.weight * x
        return self.output

    def backward(self, public_value: float) -> float:
        """Receive ∂L/∂output, set ``w_grad`` = ∂L/∂weight, return ∂L/∂input for the layer before."""
        if self.extra_weight:
            # The article's code: the value passed on is computed first and then reused for the gradient.
            public_value = public_value * self.weight
            self.w_grad = public_value * self.input
            return public_value
        self.w_grad = public_value * self.input
        return public_value * self.weight

    def update(self, lr: float) -> None:
        """Gradient descent: weight ← weight − lr·w_grad."""
        self.weight = self.weight - lr * self.w_grad


class Network:
    """A chain of :class:`Layer` objects trained on ½(e − ê)², as in Article C.

    Parameters
    ----------
    n_layers : int
        Number of one-weight layers (the article uses 3).
    defects : bool or collection of {"extra_weight", "front_to_back"}
        ``True`` (default): the article's code with both defects; ``False``: the corrected code; or a
        collection naming which defects to keep, to study them one at a time.
    seed : int or numpy.random.Generator, optional
        Source of the random initial weights, uniform in [−0.5, 0.5], drawn for layer 1 first.
    weights : sequence of float, optional
        Explicit initial weights instead (w1 first); ``seed`` is then ignored.
    """

    def __init__(
        self,
        n_layers: int = 3,
        defects: bool | Iterable[str] = True,
        seed: int | np.random.Generator | None = None,
        weights: Sequence[float] | None = None,
    ) -> None:
        check_positive(n_layers, "n_layers", integer=True)
        self.defects = _defect_set(defects)
        if weights is None:
            if seed is None:
                raise ValueError("give a seed (int or numpy.random.Generator) or explicit weights; "
                                 "every random start in bpcourse is seeded")
            rng = np.random.default_rng(seed)
            weights = [float(w) for w in rng.uniform(INIT_LOW, INIT_HIGH, size=int(n_layers))]
        else:
            weights = [_finite(w, f"weights[{i}]") for i, w in enumerate(weights)]
            if len(weights) != n_layers:
                raise ValueError(f"weights has {len(weights)} entries, expected n_layers = {n_layers}")
        extra = "extra_weight" in self.defects
        self.layers = [Layer(w, extra_weight=extra) for w in weights]

    @property
    def weights(self) -> list[float]:
        """The current weights, first layer first."""
        return [layer.weight for layer in self.layers]

    def set_weights(self, weights: Sequence[float]) -> None:
        """Overwrite the weights (first layer first)."""
        if len(weights) != len(self.layers):
            raise ValueError(f"got {len(weights)} weights, expected {len(self.layers)} (one per layer)")
        for i, (layer, w) in enumerate(zip(self.layers, weights)):
            layer.weight = _finite(w, f"weights[{i}]")

    def forward(self, x: float) -> float:
        """Run every layer, first to last; return the output e."""
        for layer in self.layers:
            x = layer.forward(x)
        return x

    def predict(self, x: float) -> int:
        """1 if e > 0 else −1."""
        return 1 if self.forward(_finite(x, "x")) > 0 else -1

    def loss(self, x: float, label: float) -> float:
        """L = ½(e − ê)² for one sample."""
        d = self.forward(_finite(x, "x")) - _finite(label, "label")
        return 0.5 * d * d

    def calc_gradient(self, label: float) -> None:
        """Backward pass after :meth:`forward`: set every layer's ``w_grad``."""
        public_value = self.layers[-1].output - label  # ∂L/∂e
        layers = self.layers if "front_to_back" in self.defects else reversed(self.layers)
        for layer in layers:
            public_value = layer.backward(public_value)

    def gradients(self, x: float, label: float) -> np.ndarray:
        """Forward, backward, and return every layer's ``w_grad`` (shape (n_layers,)) without updating."""
        self.forward(_finite(x, "x"))
        self.calc_gradient(_finite(label, "label"))
        return np.array([layer.w_grad for layer in self.layers], dtype=np.float64)

    def update_weights(self, lr: float) -> None:
        """weight ← weight − lr·w_grad in every layer."""
        for layer in self.layers:
            layer.update(lr)

    def train_one_sample(self, label: float, x: float, lr: float) -> None:
        """One SGD step on one sample (the article's argument order: label first)."""
        self.forward(x)
        self.calc_gradient(label)
        self.update_weights(lr)

    def train(
        self,
        labels: Sequence[float] = ARTICLE_LABELS,
        data: Sequence[float] = ARTICLE_DATA,
        lr: float = ARTICLE_LR,
        epoch: int = ARTICLE_EPOCHS,
    ) -> None:
        """``epoch`` passes of SGD over the samples in order (the article's signature: labels first)."""
        labels_f, data_f = _check_training(labels, data, lr, epoch)
        self._train(labels_f, data_f, float(lr), int(epoch))

    def _train(self, labels: list[float], data: list[float], lr: float, epoch: int) -> None:
        for _ in range(epoch):
            for t, x in zip(labels, data):
                self.train_one_sample(t, x, lr)


class CorrectedNetwork(Network):
    """:class:`Network` with both defects fixed (``defects=False``)."""

    def __init__(
        self,
        n_layers: int = 3,
        seed: int | np.random.Generator | None = None,
        weights: Sequence[float] | None = None,
    ) -> None:
        super().__init__(n_layers, defects=False, seed=seed, weights=weights)


def _check_training(labels: Sequence[float], data: Sequence[float], lr: float, epoch: int):
    data_f, labels_f = as_scalar_samples(data, labels)
    check_positive(lr, "lr")
    check_positive(epoch, "epoch", integer=True)
    return labels_f, data_f


def starting_weights(n_starts: int, seed: int | np.random.Generator, n_layers: int = 3) -> np.ndarray:
    """Random initial weights, shape (n_starts, n_layers), uniform in [−0.5, 0.5]; row i is start i.

    ``Network(n_layers, seed=s)`` draws the same weights as ``starting_weights(1, s, n_layers)[0]``.
    """
    check_positive(n_starts, "n_starts", integer=True)
    check_positive(n_layers, "n_layers", integer=True)
    return np.random.default_rng(seed).uniform(INIT_LOW, INIT_HIGH, size=(int(n_starts), int(n_layers)))


def run_starts(
    n_starts: int = 2000,
    seed: int | np.random.Generator = 0,
    defects: bool | Iterable[str] = True,
    n_layers: int = 3,
    lr: float = ARTICLE_LR,
    epochs: int = ARTICLE_EPOCHS,
    weights: np.ndarray | None = None,
) -> np.ndarray:
    """Train one network per random start on the sign task; return which starts succeed.

    Success means predict(1) = −1 and predict(−1) = 1 after training on x = [1, −1], labels [−1, 1].

    Parameters
    ----------
    n_starts : int
        Number of independent random starts.
    seed : int or numpy.random.Generator
        Source of :func:`starting_weights`.
    defects : bool or collection of str
        As for :class:`Network`.
    n_layers, lr, epochs
        The network and its training (the article: 3 layers, lr 0.05, 160 epochs).
    weights : ndarray of shape (n_starts, n_layers), optional
        Explicit initial weights instead of drawing them.

    Returns
    -------
    ndarray of bool, shape (n_starts,)
    """
    if weights is None:
        weights = starting_weights(n_starts, seed, n_layers)
    else:
        weights = np.array(weights, dtype=np.float64)
        if weights.ndim != 2 or weights.shape[1] != n_layers or not np.isfinite(weights).all():
            raise ValueError(f"weights must be a finite array of shape (n_starts, {n_layers}), got {weights.shape}")
    labels, data = _check_training(ARTICLE_LABELS, ARTICLE_DATA, lr, epochs)
    # The same Layer/Network code with one weight array per layer: entry i of every array is start i.
    net = Network(n_layers, defects=defects, weights=[0.0] * n_layers)
    for layer, column in zip(net.layers, weights.T):
        layer.weight = column.copy()
    net._train(labels, data, float(lr), int(epochs))
    e_pos = net.forward(1.0)
    e_neg = net.forward(-1.0)
    # predict(x) = 1 if e > 0 else -1, element-wise
    return (~(e_pos > 0)) & (e_neg > 0)


def count_successes(
    n_starts: int = 2000,
    seed: int | np.random.Generator = 0,
    defects: bool | Iterable[str] = True,
    n_layers: int = 3,
    lr: float = ARTICLE_LR,
    epochs: int = ARTICLE_EPOCHS,
) -> int:
    """How many of ``n_starts`` seeded random starts learn the sign task (see :func:`run_starts`)."""
    return int(run_starts(n_starts, seed, defects, n_layers, lr, epochs).sum())


def gradient_check(net: Network, x: float, label: float, eps: float = 1e-6, tol: float = 1e-7) -> GradCheckReport:
    """Compare the network's backprop gradients with central differences of its loss.

    The numeric derivative of L = ½(e − ê)² with respect to each layer's weight is taken at the current
    weights, with :func:`bpcourse.gradcheck.numeric_gradient`; the weights are restored afterwards.

    Returns
    -------
    GradCheckReport
        Relative errors named ``"w1"``, ``"w2"``, ... (first layer first); ``report.ok`` is False when a
        gradient is wrong.
    """
    x = _finite(x, "x")
    label = _finite(label, "label")
    check_positive(eps, "eps")
    saved = net.weights
    analytic = net.gradients(x, label)
    w = np.array(saved, dtype=np.float64)

    def f(w_: np.ndarray) -> float:
        for layer, v in zip(net.layers, w_):
            layer.weight = float(v)
        return net.loss(x, label)

    try:
        numeric = numeric_gradient(f, w, eps)
    finally:
        net.set_weights(saved)
    report = GradCheckReport(tol=tol)
    for i in range(len(saved)):
        report.errors[f"w{i + 1}"] = rel_error(analytic[i], numeric[i])
    return report


__all__ = [
    "DEFECTS",
    "Layer",
    "Network",
    "CorrectedNetwork",
    "starting_weights",
    "run_starts",
    "count_successes",
    "gradient_check",
]
