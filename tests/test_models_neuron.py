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
