"""Tests of bpcourse.deltas (chapter 7's δ recursion in matrix form) against central differences (relative
error ≤ 1e-7) and against the general network, bpcourse.networks.Sequential."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bpcourse.deltas import hidden_delta, mlp_backward, output_delta
from bpcourse.gradcheck import numeric_gradient, rel_error
from bpcourse.layers import Dense, Sigmoid
from bpcourse.networks import Sequential


def _sig(z):
    return 1.0 / (1.0 + np.exp(-z))


def _loss(X, T, W1, b1, W2, b2):
    A2 = _sig(_sig(X @ W1.T + b1) @ W2.T + b2)
    return 0.5 * float(np.sum((A2 - T) ** 2)) / X.shape[0]


@settings(deadline=None, max_examples=30)
@given(n=st.integers(1, 5), n_in=st.integers(1, 4), n_hidden=st.integers(1, 4), n_out=st.integers(1, 4),
       seed=st.integers(0, 10_000))
def test_mlp_backward_matches_central_differences_and_sequential(n, n_in, n_hidden, n_out, seed):
    rng = np.random.default_rng(seed)
    X, T = rng.standard_normal((n, n_in)), rng.uniform(size=(n, n_out))
    params = {"W1": rng.standard_normal((n_hidden, n_in)), "b1": rng.standard_normal(n_hidden),
              "W2": rng.standard_normal((n_out, n_hidden)), "b2": rng.standard_normal(n_out)}
    grads = dict(zip(params, mlp_backward(X, T, **params)))
    for name, p in params.items():
        num = numeric_gradient(lambda _: _loss(X, T, **params), p)
        # standard-normal weights keep |net| small enough that σ' is resolved by central differences
        assert rel_error(grads[name], num) <= 1e-7, name
    net = Sequential([Dense(n_in, n_hidden, W=params["W1"], b=params["b1"]), Sigmoid(),
                      Dense(n_hidden, n_out, W=params["W2"], b=params["b2"]), Sigmoid()], loss="half_sse")
    net.loss_and_grad(X, T)
    g = net.gradients()
    for name, key in (("W1", "0.W"), ("b1", "0.b"), ("W2", "2.W"), ("b2", "2.b")):
        assert np.allclose(grads[name], g[key], rtol=1e-12, atol=1e-15), name


def test_the_deltas_by_hand():
    # σ(0) = ½, σ'(0) = ¼: δ2 = ((½ − 1)·¼, (½ − 0)·¼)/2
    assert np.allclose(output_delta(np.zeros((2, 1)), np.array([[1.0], [0.0]])), [[-0.0625], [0.0625]])
    d = hidden_delta(np.array([[1.0, 2.0]]), np.array([[1.0, 0.0, 1.0], [0.0, 1.0, 1.0]]), np.zeros((1, 3)))
    assert np.allclose(d, [[0.25, 0.5, 0.75]])


@pytest.mark.parametrize("call, words", [
    (lambda: output_delta(np.zeros((2, 3)), np.zeros((3, 2))), ["T", "(3, 2)", "(2, 3)"]),
    (lambda: hidden_delta(np.zeros((2, 2)), np.zeros((3, 4)), np.zeros((2, 4))), ["W_next", "(3, 4)", "(2, 4)"]),
    (lambda: mlp_backward(np.zeros((2, 3)), np.zeros((2, 1)), np.zeros((4, 2)), np.zeros(4), np.zeros((1, 4)),
                          np.zeros(1)), ["x", "(2, 3)", "2)"]),
])
def test_bad_shapes_name_what_was_expected_and_received(call, words):
    with pytest.raises((ValueError, TypeError)) as info:
        call()
    assert all(w in str(info.value) for w in words), str(info.value)
