"""Helpers shared by several exercises' specs: case building blocks, named factors and guard groups.

One home each; a helper used by a single exercise lives in that exercise's module.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

Case = dict[str, Any]

#: The bpcourse names every exercise's setup cell imports (the self-check and the quiet-output helper).
SETUP: tuple[str, ...] = ("bpcourse.grading.check", "bpcourse.grading.cells.quiet")
#: The gradient-checking tools the exercises from chapter 1 on use to test the learner's own work.
GRADCHECK: tuple[str, ...] = ("bpcourse.gradcheck.numeric_gradient", "bpcourse.gradcheck.rel_error")

#: Where an element-wise sigmoid layer's forward and backward live (guards of ex01 and ex07).
SIGMOID_LAYER: tuple[str, ...] = ("bpcourse.layers.ActivationLayer.forward", "bpcourse.layers.ActivationLayer.backward")
#: Where a dense layer's forward and backward live (guards of ex06 and ex07).
DENSE: tuple[str, ...] = ("bpcourse.layers.dense_forward", "bpcourse.layers.dense_backward", "bpcourse.layers.Dense.forward",
                          "bpcourse.layers.Dense.backward")


def sign(rng: np.random.Generator) -> float:
    """−1.0 or 1.0, equally likely."""
    return float(rng.choice([-1.0, 1.0]))


def arr(*rows: Any) -> np.ndarray:
    """A float64 array from literal rows, for the fixed edge cases."""
    return np.array(rows, dtype=np.float64)


def sizes(rng: np.random.Generator) -> tuple[int, int, int]:
    """(n samples, n_in, n_out) with n_out ≠ n_in, so a transposed W or dW has the wrong shape and is named so."""
    n = int(rng.integers(2, 7))
    n_in = int(rng.integers(2, 6))
    n_out = int(rng.integers(2, 6))
    while n_out == n_in:
        n_out = int(rng.integers(2, 6))
    return n, n_in, n_out


def one_over_n(key: str) -> Callable[[Case], float]:
    """The named factor 1/n, n the number of rows (samples) of ``case[key]``: a missing or extra batch mean."""

    def factor(case: Case) -> float:
        return 1.0 / case[key].shape[0]

    return factor


__all__ = ["Case", "SETUP", "GRADCHECK", "SIGMOID_LAYER", "DENSE", "sign", "arr", "sizes", "one_over_n"]

#: What an exercise whose tasks call its earlier graded functions hands out besides: alone(), for its asserts.
ALONE = ("bpcourse.grading.alone",)
