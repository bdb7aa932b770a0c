"""Tests of bpcourse.models.neuron: one of the articles' own networks, their printed numbers, their defects, and agreement
with central differences and with the general layers of bpcourse.layers / bpcourse.losses.

Expected numbers come from the articles (as digested in seeds.md), never from the code under test.
"""
from __future__ import annotations


import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bpcourse.gradcheck import numeric_gradient, rel_error
from bpcourse.models import neuron

finite = st.floats(min_value=-2.0, max_value=2.0, allow_nan=False, allow_infinity=False)


def test_neuron_learns_and():
    n, hist = neuron.train_and(eta=2.0, epochs=500, seed=0)
    assert list(n.predict(neuron.AND_X)) == [0, 0, 0, 1]
    assert hist.shape == (500,) and hist[-1] < 0.01 and hist[-1] < hist[0]
    # without shuffling, too
    n2, _ = neuron.train_and(eta=2.0, epochs=500, shuffle=False, seed=None)
    assert list(n2.predict(neuron.AND_X)) == [0, 0, 0, 1]


def test_neuron_shuffling_is_seeded():
    _, h1 = neuron.train_and(epochs=20, seed=3)
    _, h2 = neuron.train_and(epochs=20, seed=3)
    assert np.array_equal(h1, h2)


@settings(deadline=None, max_examples=50)
@given(w=st.tuples(finite, finite), b=finite, x=st.tuples(finite, finite), t=st.floats(0.0, 1.0))
def test_neuron_gradient_vs_central_differences(w, b, x, t):
    n = neuron.SigmoidNeuron(np.array(w), b)
    xv = np.array(x)
    dw, db = n.gradient(xv, t)
    params = np.array([*w, b])

    def f(p: np.ndarray) -> float:
        return neuron.SigmoidNeuron(p[:2].copy(), float(p[2])).loss(xv, t)

    num = numeric_gradient(f, params)
    g = np.append(dw, db)
    assert rel_error(g, num) <= 1e-7 or np.max(np.abs(g - num)) < 1e-10


def test_neuron_formula_symbolic():
    sp = pytest.importorskip("sympy")
    w1, w2, b, x1, x2, t = sp.symbols("w1 w2 b x1 x2 t")
    o = 1 / (1 + sp.exp(-(w1 * x1 + w2 * x2 + b)))
    L = (o - t) ** 2 / 2
    for wj, xj in ((w1, x1), (w2, x2), (b, 1)):
        assert sp.simplify(sp.diff(L, wj) - (o - t) * o * (1 - o) * xj) == 0


def test_neuron_equals_general_layers():
    from bpcourse.layers import Dense, Sigmoid
    from bpcourse.losses import half_sse

    n = neuron.SigmoidNeuron.random(2, seed=5)
    x, t = np.array([0.3, -1.1]), 1.0
    d, s = Dense(2, 1, W=n.w[None, :], b=np.array([n.b])), Sigmoid()
    o = s.forward(d.forward(x[None, :]))
    L, dL = half_sse(o, np.array([[t]]))
    d.backward(s.backward(dL))
    assert o[0, 0] == pytest.approx(n.forward(x), rel=1e-14)
    assert L == pytest.approx(n.loss(x, t), rel=1e-14)
    g = n.gradient(x, t)
    assert g._fields == ("dw", "db") and g.dw.shape == n.w.shape and isinstance(g.db, float)
    dw, db = g
    assert np.allclose(dw, d.grads["W"][0], rtol=1e-13) and db == pytest.approx(d.grads["b"][0], rel=1e-13)


def test_bad_input_neuron():
    n = neuron.SigmoidNeuron(np.zeros(2))
    with pytest.raises(ValueError, match=r"X has shape \(4, 3\)"):
        n.fit(np.zeros((4, 3)), np.zeros(4))
    with pytest.raises(TypeError, match="float64"):
        n.fit(np.array([[0, 1], [1, 1]]), np.zeros(2))
    with pytest.raises(ValueError, match="infinity"):
        n.gradient(np.array([np.inf, 0.0]), 1.0)
    with pytest.raises(ValueError, match="eta must be a positive number"):
        n.fit(neuron.AND_X, neuron.AND_T, eta=0)
    with pytest.raises(TypeError, match="seed must be a non-negative int or a numpy.random.Generator, got None"):
        n.fit(neuron.AND_X, neuron.AND_T, seed=None)
    with pytest.raises(ValueError, match="epochs must be a positive integer, got 2.0"):
        n.fit(neuron.AND_X, neuron.AND_T, epochs=2.0)


def test_delta_by_hand_and_against_central_differences():
    from bpcourse.models.neuron import delta

    assert delta(0.75, 1.0) == (0.75 - 1.0) * 0.75 * 0.25 == -0.046875
    # δ = dL/dnet for L = ½(σ(net) − t)²
    sig = lambda v: 1.0 / (1.0 + np.exp(-v))  # noqa: E731
    for net, t in ((0.3, 1.0), (-2.0, 0.0), (4.0, 0.5)):
        h = 1e-6
        numeric = (0.5 * (sig(net + h) - t) ** 2 - 0.5 * (sig(net - h) - t) ** 2) / (2 * h)
        assert abs(delta(float(sig(net)), t) - numeric) <= 1e-7 * max(1.0, abs(numeric))


# ------------------------------------------------------------------ the pure functions gradient and sgd_step
@settings(deadline=None, max_examples=40)
@given(n_in=st.integers(1, 4), seed=st.integers(0, 10_000), t=st.sampled_from([0.0, 1.0]))
def test_pure_gradient_matches_central_differences_and_the_method(n_in, seed, t):
    rng = np.random.default_rng(seed)
    w, b, x = rng.uniform(-2, 2, n_in), float(rng.uniform(-1, 1)), rng.uniform(-1, 1, n_in)
    dw, db = neuron.gradient(w, b, x, t)

    def loss(p):
        o = 1.0 / (1.0 + np.exp(-(p[:n_in] @ x + p[n_in])))
        return 0.5 * (o - t) ** 2

    num = numeric_gradient(loss, np.append(w, b))
    # |w|, |b|, |x| ≤ 2 keep |net| ≤ 9, where σ' (≥ 1e-4) is large enough for central differences to resolve
    assert rel_error(np.append(dw, db), num) <= 1e-7
    m_dw, m_db = neuron.SigmoidNeuron(w, b).gradient(x, t)
    assert np.array_equal(dw, m_dw) and db == m_db and isinstance(db, float)


def test_pure_sgd_step_returns_new_values_and_agrees_with_the_method():
    w, x = np.array([0.8, -1.2, 0.5]), np.array([0.6, -0.9, 0.4])
    w_before = w.copy()
    w_new, b_new = neuron.sgd_step(w, 0.3, x, 1.0, 2.0)
    assert np.array_equal(w, w_before), "sgd_step must not modify w"
    dw, db = neuron.gradient(w, 0.3, x, 1.0)
    assert np.allclose(w_new, w - 2.0 * dw, rtol=0, atol=1e-15) and abs(b_new - (0.3 - 2.0 * db)) < 1e-15
    n = neuron.SigmoidNeuron(w, 0.3)
    loss_before = n.sgd_step(x, 1.0, 2.0)
    assert np.array_equal(n.w, w_new) and n.b == b_new
    o = 1.0 / (1.0 + np.exp(-(w @ x + 0.3)))
    assert abs(loss_before - 0.5 * (o - 1.0) ** 2) < 1e-15


@pytest.mark.parametrize("call, words", [
    (lambda: neuron.gradient(np.zeros(2), 0.0, np.zeros(3), 1.0), ["x", "(2,)", "(3,)"]),
    (lambda: neuron.gradient(np.zeros(2), np.zeros(2), np.zeros(2), 1.0), ["b", "(2,)"]),
    (lambda: neuron.sgd_step(np.zeros(2), 0.0, np.zeros(2), 1.0, -1.0), ["eta", "-1"]),
])
def test_pure_functions_name_what_was_expected_and_received(call, words):
    with pytest.raises((ValueError, TypeError)) as info:
        call()
    assert all(w in str(info.value) for w in words), str(info.value)
