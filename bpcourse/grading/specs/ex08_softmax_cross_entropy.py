"""Exercise 08, softmax and cross-entropy: a stable softmax, the mean cross-entropy and their joint gradient
(``exercises/08_softmax_cross_entropy``).

The cases are decisive on their own: every batch of logits has one row spread by ~2000 (its largest logit,
never in column 0, 1500 to 2500 above the rest), so subtracting the row's mean, minimum or first entry still
overflows, and one row sitting 750 to 1000 below every other, so subtracting the batch's (or a column's) maximum
underflows to 0/0: only a softmax shifted by each row's own maximum survives both. n ≠ C everywhere, so a 1/C
(a mean over the whole (n, C) array) cannot pass for the batch mean 1/n.
"""
from __future__ import annotations

import numpy as np

from bpcourse.activations import softmax
from bpcourse.grading.diagnose import Slip
from bpcourse.grading.spec import Task
from bpcourse.grading.specs._cases import ALONE, GRADCHECK, SETUP, Case, one_over_n
from bpcourse.losses import cross_entropy, softmax_cross_entropy_backward

EXERCISE = "ex08_softmax_cross_entropy"


# ------------------------------------------------------------------------------------------------------ cases
def _logits(rng: np.random.Generator) -> np.ndarray:
    """A batch of logits (n, C), n ≠ C, that only a softmax shifted by each row's own maximum survives.

    One row is spread wide: its largest logit, never in column 0, is 1500 to 2500 above the rest, so
    subtracting the row's mean, minimum or first entry still leaves an exponent past e^709 (overflow: inf/inf).
    Another row sits 750 to 1000 below every other row, so subtracting the batch's (or a column's) maximum
    leaves only exponents below e^(−745), which underflow to 0 (0/0). Every other entry is in [−4, 4].
    """
    n = int(rng.integers(3, 7))
    c = int(rng.integers(2, 6))
    while c == n:  # a mean over the n·C entries must not look like a mean over the n samples
        c = int(rng.integers(2, 6))
    Z = rng.uniform(-4.0, 4.0, size=(n, c))
    wide, low = rng.choice(n, size=2, replace=False)
    Z[wide, int(rng.integers(1, c))] += float(rng.uniform(1500.0, 2500.0))
    Z[low] -= float(rng.uniform(750.0, 1000.0))
    return Z


def _one_hot(rng: np.random.Generator, n: int, c: int) -> np.ndarray:
    T = np.zeros((n, c))
    T[np.arange(n), rng.integers(0, c, size=n)] = 1.0
    return T


def _softmax_case(rng: np.random.Generator) -> Case:
    return {"net": _logits(rng)}


def _cross_entropy_case(rng: np.random.Generator) -> Case:
    n = int(rng.integers(2, 7))
    c = int(rng.integers(2, 6))
    while c == n:
        c = int(rng.integers(2, 6))
    P = rng.uniform(0.05, 1.0, size=(n, c))
    return {"P": P / P.sum(axis=1, keepdims=True), "T": _one_hot(rng, n, c)}


def _softmax_ce_case(rng: np.random.Generator) -> Case:
    net = _logits(rng)
    return {"net": net, "T": _one_hot(rng, *net.shape)}


# ------------------------------------------------------------------------------------------- factors and slips
def _cross_entropy_over_classes(case: Case) -> Slip:
    c = case["P"].shape[1]
    return Slip(cross_entropy(case["P"], case["T"]) / c,
                f"is 1/C = 1/{c} of the expected value: np.mean over the whole (n, C) array divides by n·C; "
                f"the loss averages over the n samples only, after summing over the C classes")


def _softmax_ce_twice(case: Case) -> Slip:
    """The softmax's backward applied to (P − T)/n, which already is ∂E/∂net through softmax and CE together."""
    P = softmax(case["net"])
    G = softmax_cross_entropy_backward(case["net"], case["T"])
    return Slip(P * (G - (P * G).sum(axis=1, keepdims=True)),
                "counts the softmax's backward twice: (P − T)/n is already ∂E/∂net through the softmax and the "
                "cross-entropy together; multiplying it by the softmax's Jacobian once more applies it again")


def _softmax_ce_over_classes(case: Case) -> Slip:
    n, c = case["net"].shape
    return Slip(softmax_cross_entropy_backward(case["net"], case["T"]) / c,
                f"is 1/C = 1/{c} of the expected value: divide by the n = {n} samples only (np.mean over "
                f"the whole array would divide by n·C)")


# ------------------------------------------------------------------------------------------------------ table
_SOFTMAX = ("bpcourse.activations.softmax", "bpcourse.activations.softmax_jacobian")
_SOFTMAX_CE = ("bpcourse.losses.softmax_cross_entropy", "bpcourse.losses.softmax_cross_entropy_backward",
               "bpcourse.layers.SoftmaxCrossEntropy.forward",
               "bpcourse.layers.SoftmaxCrossEntropy.backward")

TASKS: tuple[Task, ...] = (
    Task("ex08_softmax", EXERCISE, "softmax", 3, softmax, _softmax_case,
         guards=_SOFTMAX + _SOFTMAX_CE,
         solution="E = np.exp(net − net.max(axis=1, keepdims=True)); P = E / E.sum(axis=1, keepdims=True)",
         description="softmax of each row, stable for any finite logits: shift each row by its own largest "
                     "entry first (the cases include rows spread by ~2000)"),
    Task("ex08_cross_entropy", EXERCISE, "cross_entropy", 3, cross_entropy, _cross_entropy_case,
         factors={"1/n": one_over_n("P"), "1/C": _cross_entropy_over_classes},
         guards=("bpcourse.losses.cross_entropy",) + _SOFTMAX_CE + ("bpcourse.losses.binary_cross_entropy",),
         solution="E = −np.sum(T·log P) / n",
         description="the mean over the n samples of −log(probability given to the true class)"),
    Task("ex08_softmax_ce_backward", EXERCISE, "softmax_ce_backward", 4, softmax_cross_entropy_backward, _softmax_ce_case,
         factors={"1/n": one_over_n("net"), "1/C": _softmax_ce_over_classes, "counted twice": _softmax_ce_twice},
         guards=_SOFTMAX + _SOFTMAX_CE, uses={"softmax": lambda c: [{"net": c["net"]}]},
         solution="(softmax(net) − T) / n, with a stable softmax",
         description="∂E/∂net for softmax followed by the mean cross-entropy: the chain rule collapses to a "
                     "difference, divided by the batch size"),
)

#: What the grading sandbox hands out: the setup cell's names and the gradient checks.
ALLOWLIST: tuple[str, ...] = SETUP + ALONE + GRADCHECK
