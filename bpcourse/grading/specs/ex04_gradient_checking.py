"""Exercise 04, gradient checking: a relative error, a central difference and a quadratic's gradient
(``exercises/04_gradient_checking``).

The cases are decisive on their own: ``rel_error`` sees both-zero arrays 40 % of the time and differences from
1e-3 to 1 otherwise; the central difference is probed on cubics with a large ε (1e-4 to 1e-3), where the
central difference is still within ~1e-6 of the exact gradient but a one-sided one is off by ~ε; half the
probe's x are matrices (``x.flat[i]``, not ``x[i]``); the quadratic's A is never symmetric, so Ax + b fails.
The fixed edge cases hold 0/0 as a vector and a matrix (the exercise's rule returns 0.0), one side zero from
either side (exactly 1), and a 2 × 3 matrix x for the central difference, which fails on every seed an answer
that nudges whole rows.
"""
from __future__ import annotations

import numpy as np

from bpcourse.gradcheck import rel_error
from bpcourse.grading.diagnose import Slip
from bpcourse.grading.spec import Task
from bpcourse.grading.specs._cases import SETUP, Case, arr
from bpcourse.testfunctions import cubic, probe_central_difference, quadratic_gradient

EXERCISE = "ex04_gradient_checking"


# ------------------------------------------------------------------------------------------------------ cases
def _rel_error_case(rng: np.random.Generator) -> Case:
    shape = (int(rng.integers(2, 6)),) if rng.random() < 0.5 else (int(rng.integers(2, 4)), int(rng.integers(2, 4)))
    if rng.random() < 0.4:  # both zero: the 0/0 the exercise says to return as 0.0 (also in REL_ERROR_EDGES,
        return {"a": np.zeros(shape), "b": np.zeros(shape)}  # so that no seed misses it)
    a = rng.standard_normal(shape)
    return {"a": a, "b": a + 10.0 ** rng.uniform(-3, 0) * rng.standard_normal(shape)}


def _cubic_case(rng: np.random.Generator) -> Case:
    # half the cases a vector, half a matrix (as the hidden test's 2-D x): x.flat[i], not x[i]
    shape = (int(rng.integers(2, 6)),) if rng.random() < 0.5 else (int(rng.integers(2, 4)), int(rng.integers(2, 4)))
    n = int(np.prod(shape))
    return {
        "c3": rng.uniform(-1.0, 1.0, size=n),
        "A": rng.standard_normal((n, n)),
        "b": rng.standard_normal(n),
        "x": rng.uniform(-1.5, 1.5, size=shape),
        # a large ε: the central difference is then still within ~1e-6 of the exact gradient, but a
        # one-sided difference (f(x + ε) − f(x))/ε is off by ~ε, which the comparison sees
        "eps": float(10.0 ** rng.uniform(-4, -3)),
    }


def _quadratic_case(rng: np.random.Generator) -> Case:
    n = int(rng.integers(2, 6))
    return {"A": rng.standard_normal((n, n)), "b": rng.standard_normal(n), "x": rng.standard_normal(n)}


# 0/0 (both zero, as a vector and as a matrix): the exercise's rule returns 0.0; one side zero: exactly 1,
# from either side (an answer returning 0.0 as soon as *one* of them is zero fails)
REL_ERROR_EDGES = (
    {"a": np.zeros(3), "b": np.zeros(3)},
    {"a": np.zeros((2, 2)), "b": np.zeros((2, 2))},
    {"a": np.zeros(3), "b": arr(1.0, -2.0, 2.0)},
    {"a": arr([3.0, 0.0], [0.0, 4.0]), "b": np.zeros((2, 2))},
)

# x a 2 × 3 matrix (and a vector): a central_difference that indexes x[i] for i < len(x) nudges whole rows and
# returns len(x) entries, so it fails here on every seed, as in the hidden test's 2-D x
CUBIC_EDGES = (
    {"c3": arr(0.5, -0.25, 1.0), "A": arr([1.0, 2.0, 0.0], [-1.0, 0.5, 1.5], [0.0, -2.0, 1.0]),
     "b": arr(0.3, -0.6, 0.9), "x": arr(0.8, -1.1, 0.4), "eps": 5e-4},
    {"c3": arr(0.5, -0.25, 1.0, -0.75, 0.25, 0.6),
     "A": np.array([[(-1.0) ** (i + j) * (1 + (2 * i + 3 * j) % 5) / 4 for j in range(6)] for i in range(6)]),
     "b": arr(0.3, -0.6, 0.9, -1.2, 0.45, 0.15), "x": arr([0.8, -1.1, 0.4], [1.3, -0.2, -0.9]), "eps": 5e-4},
)


# ------------------------------------------------------------------------------------------------- references
# ------------------------------------------------------------------------------------------- factors and slips
def _one_sided(case: Case) -> Slip:
    f = cubic(case["c3"], case["A"], case["b"])
    x, eps = np.array(case["x"], dtype=np.float64), case["eps"]
    g = np.array([(f(x + eps * e.reshape(x.shape)) - f(x)) / eps for e in np.eye(x.size)]).reshape(x.shape)
    return Slip(g, "is the one-sided difference (f(x + ε) − f(x))/ε, whose error is O(ε); the central "
                   "difference steps both ways, so its error is O(ε²)")


def _quadratic_transposed(case: Case) -> Slip:
    return Slip(case["A"].T @ case["x"] + case["b"],
                "is Aᵀx + b, column k of A alone: x_k appears in ½xᵀAx both as x_i and as x_j, so both A's row k "
                "and its column k contribute, each with the ½")


def _quadratic_symmetric(case: Case) -> Slip:
    return Slip(case["A"] @ case["x"] + case["b"],
                "is Ax + b, the gradient only for a symmetric A: x_k appears in ½xᵀAx both as x_i and as x_j, "
                "so both A's row k and its column k contribute")


# ------------------------------------------------------------------------------------------------------ table
TASKS: tuple[Task, ...] = (
    Task("ex04_rel_error", EXERCISE, "rel_error", 3, rel_error, _rel_error_case,
         guards=("bpcourse.gradcheck.rel_error",),
         solution="‖a − b‖ / (‖a‖ + ‖b‖) with np.linalg.norm, and 0.0 when both are zero",
         edge_cases=REL_ERROR_EDGES,
         description="a relative error that is symmetric in a and b and scale-free: a norm of the difference "
                     "over the size of both"),
    Task("ex04_central_difference", EXERCISE, "probe_central_difference", 4, probe_central_difference,
         _cubic_case, rtol=1e-8,
         factors={"one-sided": _one_sided},
         edge_cases=CUBIC_EDGES,
         guards=("bpcourse.gradcheck.numeric_gradient", "bpcourse.testfunctions.probe_central_difference"),
         solution="g_i = (f(x + ε e_i) − f(x − ε e_i)) / (2ε) for every entry i, on copies of x",
         description="your central_difference on a cubic: nudge one entry at a time, both ways, and leave the "
                     "caller's x unchanged"),
    Task("ex04_quadratic_gradient", EXERCISE, "quadratic_gradient", 3, quadratic_gradient, _quadratic_case,
         factors={"Ax + b": _quadratic_symmetric, "Aᵀx + b": _quadratic_transposed},
         guards=("bpcourse.testfunctions.quadratic_gradient",),
         solution="½(A + Aᵀ)x + b",
         description="the gradient of ½xᵀAx + bᵀx for a square A that need not be symmetric: x_k appears in the "
                     "double sum as x_i and as x_j"),
)

#: What the grading sandbox hands out: the setup cell's names only; the gradient checks are the exercise.
ALLOWLIST: tuple[str, ...] = SETUP
#: Names the exercise's cells import but its sandbox withholds, and why. Each may appear only in cells the
#: grader never runs (hidden tests), so the source still earns full marks.
WITHHELD: dict[str, str] = {
    "bpcourse.gradcheck.numeric_gradient": "the answer of ex04_central_difference",
    "bpcourse.gradcheck.rel_error": "the answer of ex04_rel_error",
}
