"""Article C's three-layer chain, in plain Python floats.

The model is a chain of three one-weight linear layers with no activation::

    y = w1·x,   z = w2·y,   e = w3·z,   L = ½(e − ê)²

Notation
--------
The article's letters, the course's, and the names used here:

==========  ====================  ======================================================================
article     course                here
==========  ====================  ======================================================================
x           input x               ``x``; a training set is ``data`` (the article's word)
y, z        hidden activations    ``y``, ``z``
e           output o              ``e``
ê           target t              ``t``; a training set's targets are ``labels`` (the article's word)
L           loss E                :func:`loss`
α           learning rate η       ``eta``; the article's value (its code's ``LEARNING_RATE``) is ``ARTICLE_LR``
result3     δ_e                   ``r3``, inside :func:`train` (the article's code: ``self.result3``)
result2     δ_z                   ``r2``, inside :func:`train` (the article's code: ``self.result2``)
==========  ====================  ======================================================================

The general-purpose functions take the course's names (:func:`loss`, :func:`gradients`,
:func:`numeric_gradients`, :func:`article_closed_forms`: ``t``; :func:`train`: ``eta``). The article's words
stay where the article is reproduced: its training set (``data``, ``labels``, the ``ARTICLE_*`` constants), its
printed table (:class:`CheckRow`, whose ``label`` is the sample's ê) and its update order inside :func:`train`.
Every gradient comes back as :class:`Gradients` ``(dw1, dw2, dw3)``, the models' one shape
(:mod:`bpcourse.models`).

Each "layer" is a single unit with net = activation, so δ = ∂L/∂net is the factor that flows backwards:
δ_e = r3 = e − ê, δ_z = r3·w3 (the article's r2), δ_y = r3·w3·w2. The exact gradients, all taken at one point
(w1, w2, w3)::

    dL/dw3 = (e − ê)·z,    dL/dw2 = (e − ê)·w3·y,    dL/dw1 = (e − ê)·w3·w2·x

Training task: learn e = −x from the samples x = [1, −1] with labels ê = [−1, 1], one sample at a time in
that order, η = 0.05 (the article's α), 160 epochs, initial weights w1 = 0.2333, w2 = −0.233, w3 = −0.52133. Both samples
have the same loss ½(w1·w2·w3 + 1)² as a function of the weights, so they have the same gradient too.

Two update orders (``order=``):

``"article"``
    Exactly the article's per-sample procedure: compute y, z, e; r3 = e − ê; w3 ← w3 − η·r3·z;
    r2 = r3·w3 with the **already updated** w3; w2 ← w2 − η·r2·y; w1 ← w1 − η·r2·w2·x with the
    **already updated** w2. Only dL/dw3 is a true gradient; the other two mix in updated weights.
``"correct"``
    All three gradients at one point, then all three updates.

The article's gradient-check table, reproduced (found by experiment, see :func:`train`)
----------------------------------------------------------------------------------------
The article checks *after* the updates of each sample, printing, for w3, w2, w1 in that order, the backprop
value it used for the update and the central difference (L(w + ε) − L(w − ε)) / (2ε), ε = 1e-4, of the same
sample's loss evaluated at the weights **after all three updates of that sample** (all three updated). With
the epoch counted **from 0** (``for epoch in range(160)``), epoch 77's rows are exactly the printed ones::

    epoch 77, x =  1:  dl/dw1 backprop -0.026729, numeric -0.026727
    epoch 77, x = -1:  dl/dw3 backprop  0.003970, numeric  0.004164
                       dl/dw2 backprop -0.032617, numeric -0.033257
                       dl/dw1 backprop -0.027502, numeric -0.027499
    epoch 78, x =  1:  dl/dw3 backprop  0.004164, numeric  0.004367

(0-based epoch 76, i.e. the 77th epoch counted from 1, gives different digits: dl/dw1 −0.025231/−0.025229.)
The columns differ for two reasons: (a) the backprop column of w2 and w1 uses updated weights, and (b) the
numeric column is taken at the updated weights, i.e. at the *next* point. Reason (b) alone explains the
w3 rows: each numeric dL/dw3 is the next step's backprop dL/dw3 (0.004164 twice above), because both
samples share one loss. Checking at the point where the gradients were computed (``check_at="before"``)
with the correct order gives agreement to better than 1e-9 (relative error of each sample's gradient
vector; a single near-zero component can show ~1e-7, round-off in an ε = 1e-4 difference, not a bug).
Final weights of the article's procedure: w1 ≈ 0.97527, w2 ≈ 0.96418, w3 ≈ −1.06342 (product ≈ −0.99997).

The article's hand check (:func:`article_closed_forms`)
-------------------------------------------------------
Before the table, the article checks "by hand": it expands the code's products, e.g.
dw3 = (e − ê)·z = (e − ê)·w2·y = (e − ê)·w2·w1·x = (w3·w2·w1·x − ê)·w2·w1·x, and compares them with its
derivatives of L(w1, w2, w3) = ½(w3·w2·w1·x − ê)². Three defects: its closed forms drop the factor x (wrong
sign at x = −1); its third expansion is labelled dw3 a second time, so dw1 is never written out; and it
concludes that the code is correct, although the code's w2 and w1 values use updated weights (they differ
from the expansions by terms of order η: d2 = r3·w3_new·y = dL/dw2 − η·r3²·z·y).

Everything here is plain ``float`` arithmetic: one training step costs well under a microsecond in CPython
(about 0.3 µs measured), where a single NumPy scalar operation costs about as much.

A finding worth showing: in 160 epochs the *correct* order only just leaves the saddle at w1·w2·w3 = 0 (mean
loss ≈ 0.46, signs already right), while the article's order, whose updated weights act like a look-ahead,
has converged (loss ≈ 3e-10); the correct order gets below 1e-6 some 40 epochs later (epoch 201).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import NamedTuple, Sequence

from ..validate import as_real as _finite, as_scalar_samples, check_choice, check_int, check_positive

ORDERS = ("article", "correct")
CHECK_POINTS = ("after", "before")

ARTICLE_LR = 0.05
ARTICLE_EPOCHS = 160
ARTICLE_EPS = 1e-4
ARTICLE_DATA = (1.0, -1.0)
ARTICLE_LABELS = (-1.0, 1.0)


class Weights(NamedTuple):
    """The chain's three weights, in the order of the layers (w1 first)."""

    w1: float
    w2: float
    w3: float


#: The article's initial weights (the author notes that starting all three at 0.2333 fails).
ARTICLE_WEIGHTS = Weights(0.2333, -0.233, -0.52133)


class Gradients(NamedTuple):
    """(∂L/∂w1, ∂L/∂w2, ∂L/∂w3), floats, in the order of :class:`Weights`."""

    dw1: float
    dw2: float
    dw3: float


class CheckRow(NamedTuple):
    """One line of a gradient-check table.

    ``epoch`` counts from 0; ``sample`` is the index into the data; ``label`` is the sample's target (the
    article's ê, the course's t); ``weight`` is ``"w1"``, ``"w2"`` or ``"w3"``; ``backprop`` is the value used
    for the update, ``numeric`` the central difference.
    ``str(row)`` prints the article's line, e.g. ``dl/dw3 backprop  0.003970, numeric  0.004164``.
    """

    epoch: int
    sample: int
    x: float
    label: float
    weight: str
    backprop: float
    numeric: float

    def __str__(self) -> str:
        return f"dl/d{self.weight} backprop {self.backprop:9.6f}, numeric {self.numeric:9.6f}"


@dataclass
class ChainResult:
    """What :func:`train` returns.

    Attributes
    ----------
    weights : Weights
        The final weights.
    losses : list of float
        After each epoch, the mean loss over the training samples (length ``epochs``).
    rows : list of CheckRow
        The gradient-check table (empty unless ``record=True``): for each epoch, each sample, the rows for
        w3, w2, w1 in the article's print order.
    """

    weights: Weights
    losses: list[float] = field(default_factory=list)
    rows: list[CheckRow] = field(default_factory=list)


def as_weights(weights: Sequence[float]) -> Weights:
    """Validate three finite weights (w1, w2, w3) and return them as :class:`Weights` of floats."""
    try:
        n = len(weights)
    except TypeError:
        raise TypeError(f"weights must be a sequence (w1, w2, w3), got {type(weights).__name__}") from None
    if n != 3:
        raise ValueError(f"weights must be three numbers (w1, w2, w3), got {n}")
    return Weights(*(_finite(w, f"w{i + 1}") for i, w in enumerate(weights)))


def layer_outputs(w1: float, w2: float, w3: float, x: float) -> tuple[float, float, float]:
    """Forward pass with the weights as three arguments (exercise 03's signature): (y, z, e) = (w1·x, w2·y, w3·z).

    Parameters
    ----------
    w1, w2, w3 : float
        The three weights.
    x : float
        The sample.

    Returns
    -------
    y, z, e : float
    """
    w1, w2, w3 = as_weights((w1, w2, w3))
    x = _finite(x, "x")
    y = w1 * x
    z = w2 * y
    return y, z, w3 * z


def forward(weights: Sequence[float], x: float) -> tuple[float, float, float]:
    """Forward pass: return (y, z, e) = (w1·x, w2·y, w3·z) (:func:`layer_outputs`)."""
    return layer_outputs(*as_weights(weights), x)


def loss(weights: Sequence[float], x: float, t: float) -> float:
    """L = ½(e − t)² (the article's ½(e − ê)²) for one sample."""
    e = forward(weights, x)[2]
    d = e - _finite(t, "t")
    return 0.5 * d * d


def predict(weights: Sequence[float], x: float) -> int:
    """The article's prediction: 1 if e > 0 else −1."""
    return 1 if forward(weights, x)[2] > 0 else -1


def gradients(weights: Sequence[float], x: float, t: float) -> Gradients:
    """Exact :class:`Gradients` (dL/dw1, dL/dw2, dL/dw3), all at the point ``weights``, by backpropagation.

    The factor r3 = δ_e = e − t is computed once and reused: r2 = r3·w3 for w2 and w1, r2·w2 for w1.
    """
    return weight_gradients(*as_weights(weights), x, t)


def weight_gradients(w1: float, w2: float, w3: float, x: float, t: float) -> Gradients:
    """:func:`gradients` with the weights as three arguments (exercise 03's signature): (dL/dw1, dL/dw2, dL/dw3).

    Parameters
    ----------
    w1, w2, w3 : float
        The point where all three gradients are taken.
    x, t : float
        The sample and its target.

    Returns
    -------
    Gradients
        ``(dw1, dw2, dw3)``, floats.
    """
    w1, w2, w3 = as_weights((w1, w2, w3))
    x = _finite(x, "x")
    y = w1 * x
    z = w2 * y
    r3 = w3 * z - _finite(t, "t")
    r2 = r3 * w3
    return Gradients(r2 * w2 * x, r2 * y, r3 * z)


def article_closed_forms(weights: Sequence[float], x: float, t: float) -> Gradients:
    """The closed forms of the article's hand check, as printed, as :class:`Gradients` (dw1, dw2, dw3).

    The article differentiates L = ½(w3·w2·w1·x − ê)² and writes::

        dL/dw3 = (w3·w2·w1·x − ê)·w2·w1,   dL/dw2 = (w3·w2·w1·x − ê)·w3·w1,   dL/dw1 = (w3·w2·w1·x − ê)·w3·w2

    Each drops the inner derivative's factor x (the true forms end in ·x, see :func:`gradients`). They agree
    with the gradient for x = 1 and have the opposite sign for the sample x = −1. (ê is the argument ``t``.)
    """
    w1, w2, w3 = as_weights(weights)
    r = w3 * w2 * w1 * _finite(x, "x") - _finite(t, "t")
    return Gradients(r * w3 * w2, r * w3 * w1, r * w2 * w1)


def _loss(w1: float, w2: float, w3: float, x: float, t: float) -> float:
    d = w3 * (w2 * (w1 * x)) - t
    return 0.5 * d * d


def _numeric(w1: float, w2: float, w3: float, x: float, t: float, eps: float) -> Gradients:
    # The article's central difference, one weight at a time, in plain floats.
    d1 = (_loss(w1 + eps, w2, w3, x, t) - _loss(w1 - eps, w2, w3, x, t)) / (2.0 * eps)
    d2 = (_loss(w1, w2 + eps, w3, x, t) - _loss(w1, w2 - eps, w3, x, t)) / (2.0 * eps)
    d3 = (_loss(w1, w2, w3 + eps, x, t) - _loss(w1, w2, w3 - eps, x, t)) / (2.0 * eps)
    return Gradients(d1, d2, d3)


def numeric_gradients(weights: Sequence[float], x: float, t: float, eps: float = ARTICLE_EPS) -> Gradients:
    """Central differences (L(w + ε) − L(w − ε)) / (2ε) for w1, w2, w3, as :class:`Gradients`; ε = 1e-4 as in
    the article.

    This is the article's check, which (like its code) subtracts. Only the article's statement of the
    derivative's definition, f'(θ) = lim (f(θ + ε) + f(θ − ε)) / (2ε), has a + where the − belongs.
    """
    w1, w2, w3 = as_weights(weights)
    eps = check_positive(eps, "eps")
    return _numeric(w1, w2, w3, _finite(x, "x"), _finite(t, "t"), eps)


def _step(w1: float, w2: float, w3: float, x: float, t: float, eta: float,
          article: bool) -> tuple[Weights, Gradients]:
    """One SGD step on one sample, unchecked: the one place either update order is written."""
    y = w1 * x
    z = w2 * y
    r3 = w3 * z - t
    d3 = r3 * z
    if article:
        w3 -= eta * d3
        r2 = r3 * w3  # the article: w3 already updated
        d2 = r2 * y
        w2 -= eta * d2
        d1 = r2 * w2 * x  # the article: w2 already updated
        w1 -= eta * d1
    else:
        r2 = r3 * w3
        d2 = r2 * y
        d1 = r2 * w2 * x
        w3 -= eta * d3
        w2 -= eta * d2
        w1 -= eta * d1
    return Weights(w1, w2, w3), Gradients(d1, d2, d3)


def updated_weights(w1: float, w2: float, w3: float, x: float, t: float, eta: float) -> Weights:
    """One correct-order SGD step with the weights as three arguments (exercise 03's signature).

    All three gradients at (w1, w2, w3), then the three updates w_k − η·dw_k (:func:`sgd_step`).

    Parameters
    ----------
    w1, w2, w3 : float
    x, t : float
        The sample and its target.
    eta : float
        Learning rate η > 0.

    Returns
    -------
    Weights
        The new (w1, w2, w3).
    """
    return sgd_step((w1, w2, w3), x, t, eta)[0]


def sgd_step(weights: Sequence[float], x: float, t: float, eta: float,
             order: str = "correct") -> tuple[Weights, Gradients]:
    """One SGD step on one sample (x, t), in the given update order.

    Parameters
    ----------
    weights : (w1, w2, w3)
    x, t : float
        The sample and its target.
    eta : float
        Learning rate η.
    order : {"correct", "article"}
        ``"correct"``: all three gradients at the given weights, then the three updates. ``"article"``:
        Article C's order, w3 updated first and the new w3 (then the new w2) used for the other two.

    Returns
    -------
    (Weights, Gradients)
        The new weights, and the three values the step used as gradients (true gradients only for
        ``order="correct"``; for ``"article"`` only dw3 is one).
    """
    check_choice(order, "order", ORDERS)
    w1, w2, w3 = as_weights(weights)
    return _step(w1, w2, w3, _finite(x, "x"), _finite(t, "t"), check_positive(eta, "eta"), order == "article")


def train(
    order: str = "article",
    weights: Sequence[float] = ARTICLE_WEIGHTS,
    data: Sequence[float] = ARTICLE_DATA,
    labels: Sequence[float] = ARTICLE_LABELS,
    eta: float = ARTICLE_LR,
    epochs: int = ARTICLE_EPOCHS,
    record: bool = False,
    check_at: str | None = None,
    eps: float = ARTICLE_EPS,
) -> ChainResult:
    """Train the chain by SGD, one sample at a time in the given order.

    Parameters
    ----------
    order : {"article", "correct"}
        The article's update order (updated w3 and w2 used while backpropagating) or the correct one (all
        gradients at one point, then update). See the module docstring.
    weights : (w1, w2, w3)
        Initial weights; default the article's (0.2333, −0.233, −0.52133).
    data, labels : sequences of float, same length
        Samples x and targets t (the article's ê); default x = [1, −1], t = [−1, 1].
    eta : float
        Learning rate η (the article's α); default 0.05.
    epochs : int
        Passes over the data; default 160. Epochs are numbered from 0 in the recorded rows.
    record : bool
        Record the gradient-check table (:class:`CheckRow` rows, w3, w2, w1 for every sample of every epoch).
    check_at : {"after", "before"} or None
        Where the numeric derivative is taken: ``"after"`` at the weights after the sample's three updates
        (what the article did), ``"before"`` at the point where the sample's forward pass was made. ``None``
        means ``"after"`` for ``order="article"`` and ``"before"`` for ``order="correct"``. The two other
        combinations separate the article's two mistakes.
    eps : float
        Step of the central difference; default 1e-4 as in the article.

    Returns
    -------
    ChainResult
        Final weights, the per-epoch mean loss and (if ``record``) the check rows.

    Examples
    --------
    >>> res = train("article", record=True)
    >>> [str(r) for r in res.rows if r.epoch == 77 and r.sample == 0 and r.weight == "w1"]
    ['dl/dw1 backprop -0.026729, numeric -0.026727']
    """
    check_choice(order, "order", ORDERS)
    if check_at is None:
        check_at = "after" if order == "article" else "before"
    check_choice(check_at, "check_at", CHECK_POINTS)
    w1, w2, w3 = as_weights(weights)
    xs, ts = as_scalar_samples(data, labels)
    eta = check_positive(eta, "eta")
    epochs = check_int(epochs, "epochs")
    eps = check_positive(eps, "eps")
    samples = list(zip(xs, ts))
    n = float(len(samples))
    article = order == "article"
    after = check_at == "after"
    losses: list[float] = []
    rows: list[CheckRow] = []

    for epoch in range(epochs):
        for s, (x, t) in enumerate(samples):
            if record and not after:
                num = _numeric(w1, w2, w3, x, t, eps)
            (w1, w2, w3), (d1, d2, d3) = _step(w1, w2, w3, x, t, eta, article)
            if record:
                if after:
                    num = _numeric(w1, w2, w3, x, t, eps)
                rows.append(CheckRow(epoch, s, x, t, "w3", d3, num.dw3))
                rows.append(CheckRow(epoch, s, x, t, "w2", d2, num.dw2))
                rows.append(CheckRow(epoch, s, x, t, "w1", d1, num.dw1))
        total = 0.0
        for x, t in samples:
            total += _loss(w1, w2, w3, x, t)
        losses.append(total / n)
        if not math.isfinite(total):
            raise FloatingPointError(
                f"training diverged at epoch {epoch} (loss {total}); try a smaller eta than {eta}"
            )

    return ChainResult(Weights(w1, w2, w3), losses, rows)


def article_rows(epoch: int, result: ChainResult | None = None) -> list[CheckRow]:
    """The check rows of one epoch (0-based) of the article's procedure, in print order."""
    if result is None:
        result = train("article", record=True)
    return [r for r in result.rows if r.epoch == epoch]


__all__ = [
    "ORDERS",
    "CHECK_POINTS",
    "ARTICLE_WEIGHTS",
    "ARTICLE_DATA",
    "ARTICLE_LABELS",
    "ARTICLE_LR",
    "ARTICLE_EPOCHS",
    "ARTICLE_EPS",
    "Weights",
    "Gradients",
    "CheckRow",
    "ChainResult",
    "as_weights",
    "forward",
    "layer_outputs",
    "weight_gradients",
    "updated_weights",
    "loss",
    "predict",
    "gradients",
    "article_closed_forms",
    "numeric_gradients",
    "train",
    "article_rows",
]
