"""Tests of bpcourse.gates: each gate's backward and each circuit's gradients against central differences
(relative error ≤ 1e-7) and against the package's reverse-mode autodiff, and the gates' input checks."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bpcourse import gates
from bpcourse.autodiff import Value
from bpcourse.gradcheck import numeric_gradient, rel_error

value = st.floats(min_value=-5.0, max_value=5.0, allow_nan=False, allow_infinity=False)


def _numeric(f, *values):
    return numeric_gradient(lambda v: f(*v), np.array(values, dtype=np.float64))


def _far_apart(a, b):
    # a max gate has no derivative at a tie; central differences straddle it within ε of one
    return abs(a - b) > 1e-3


@settings(deadline=None, max_examples=50)
@given(x=value, y=value, dout=value)
def test_mul_and_max_backward_match_central_differences(x, y, dout):
    assert rel_error(np.array(gates.mul_backward(x, y, dout)), _numeric(lambda a, b: a * b * dout, x, y)) <= 1e-7
    if _far_apart(x, y):
        assert rel_error(np.array(gates.max_backward(x, y, dout)),
                         _numeric(lambda a, b: max(a, b) * dout, x, y)) <= 1e-7


@settings(deadline=None, max_examples=50)
@given(x=value, y=value, z=value, w=value)
def test_circuits_match_central_differences_and_autodiff(x, y, z, w):
    got = np.array(gates.add_mul_gradients(x, y, z))
    assert rel_error(got, _numeric(lambda a, b, c: (a + b) * c, x, y, z)) <= 1e-7
    if _far_apart(y, z):
        got = np.array(gates.branch_gradients(x, y, z, w))
        assert rel_error(got, _numeric(lambda a, b, c, d: (a * b + max(b, c)) * d, x, y, z, w)) <= 1e-7
        leaves = [Value(v) for v in (x, y, z, w)]
        a, b, c, d = leaves
        ((a * b + (b + (c - b).relu())) * d).backward()
        assert np.allclose(got, [leaf.grad for leaf in leaves], rtol=1e-12, atol=1e-12)


def test_the_patterns_by_hand():
    assert gates.mul_backward(2.0, -3.0, 0.5) == (-1.5, 1.0)         # mul swaps
    assert gates.max_backward(1.0, -2.5, 1.5) == (1.5, 0.0)          # max routes to the winner, not |·|
    assert gates.max_backward(-2.5, 1.0, -0.75) == (0.0, -0.75)
    assert gates.add_mul_gradients(1.0, 2.0, 4.0) == (4.0, 4.0, 3.0)  # add distributes
    # y wins the max: both paths reach y, w·x + w
    assert gates.branch_gradients(1.5, 2.0, -3.0, -1.2) == pytest.approx((-2.4, -1.8 - 1.2, 0.0, 5.0))


@pytest.mark.parametrize("call, words", [
    (lambda: gates.mul_backward(np.array([1.0]), 2.0, 1.0), ["x", "real number", "ndarray"]),
    (lambda: gates.max_backward(1.0, float("nan"), 1.0), ["y", "finite", "nan"]),
    (lambda: gates.branch_gradients(1.0, 2.0, 3.0, "w"), ["w", "real number", "str"]),
])
def test_bad_input_names_what_was_expected_and_received(call, words):
    with pytest.raises((TypeError, ValueError)) as info:
        call()
    assert all(w in str(info.value) for w in words), str(info.value)
