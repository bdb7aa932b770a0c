"""bpcourse.testfunctions: the closed forms against central differences, and clear errors for bad input."""
from __future__ import annotations

import numpy as np
import pytest

from bpcourse.gradcheck import numeric_gradient, rel_error
from bpcourse.testfunctions import cubic, probe_central_difference, quadratic, quadratic_gradient


@pytest.mark.parametrize("seed", range(5))
def test_quadratic_gradient_matches_central_differences_for_a_non_symmetric_A(seed):
    rng = np.random.default_rng(seed)
    A, b, x = rng.standard_normal((4, 4)), rng.standard_normal(4), rng.standard_normal(4)
    assert not np.allclose(A, A.T)
    numeric = numeric_gradient(lambda v: quadratic(A, b, v), x.copy())
    assert rel_error(quadratic_gradient(A, b, x), numeric) <= 1e-7
    assert rel_error(quadratic_gradient(A, b, x), A @ x + b) > 1e-3  # Ax + b holds only for a symmetric A


def test_the_probe_is_the_central_difference_of_the_cubic_on_vectors_and_matrices():
    rng = np.random.default_rng(1)
    c3, A, b = rng.standard_normal(6), rng.standard_normal((6, 6)), rng.standard_normal(6)
    f = cubic(c3, A, b)
    for x in (rng.standard_normal(6), rng.standard_normal((2, 3))):
        eps = 1e-4
        by_hand = np.zeros(x.size)
        for k in range(x.size):
            e = np.zeros(x.size)
            e[k] = eps
            by_hand[k] = (f(x.ravel() + e) - f(x.ravel() - e)) / (2 * eps)
        got = probe_central_difference(c3, A, b, x, eps)
        assert got.shape == x.shape and np.allclose(got.ravel(), by_hand, rtol=1e-12, atol=1e-12)
        u = x.ravel()  # the exact gradient: 3·c3·u² + ½(A + Aᵀ)u + b, within the O(ε²) truncation
        exact = 3 * c3 * u**2 + 0.5 * (A + A.T) @ u + b
        assert np.allclose(got.ravel(), exact, atol=1e-6)


def test_bad_input_is_named():
    with pytest.raises(ValueError, match="A"):
        quadratic_gradient(np.ones((3, 2)), np.ones(3), np.ones(3))
    with pytest.raises(ValueError, match="eps"):
        probe_central_difference(np.ones(2), np.eye(2), np.ones(2), np.ones(2), 0.0)
