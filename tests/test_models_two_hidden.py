"""Tests of bpcourse.models.two_hidden: one of the articles' own networks, their printed numbers, their defects, and agreement
with central differences and with the general layers of bpcourse.layers / bpcourse.losses.

Expected numbers come from the articles (as digested in seeds.md), never from the code under test.
"""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bpcourse.gradcheck import rel_error
from bpcourse.models import two_hidden

finite = st.floats(min_value=-2.0, max_value=2.0, allow_nan=False, allow_infinity=False)
P0, X0, T0 = two_hidden.EXAMPLE_PARAMS, two_hidden.EXAMPLE_X, two_hidden.EXAMPLE_T


def test_two_hidden_article_numbers():
    assert tuple(P0) == (0.15, 0.25, 0.40, 0.45, 0.35, 0.60) and (X0, T0) == (0.5, 1.0)
    num = two_hidden.numeric_gradients(P0, X0, T0, "literal")
    # seeds.md prints −0.0485784; the value is −0.04857835 (it rounds either way at the 8th digit)
    assert abs(num.db1 - (-0.0042268)) <= 1e-7
    assert abs(num.db2 - (-0.0485784)) <= 1e-7
    art = two_hidden.article_gradients(P0, X0, T0, "literal")
    assert round(art.db1, 7) == -0.0085997
    assert round(art.db2, 7) == -0.0442055
    exact = two_hidden.gradients(P0, X0, T0, "literal")
    assert exact._fields == num._fields == art._fields == tuple("d" + name for name in two_hidden.PARAM_NAMES)
    assert rel_error(np.array(exact), np.array(num)) <= 1e-7
    assert abs(art.db1 - num.db1) > 1e-3 and abs(art.db2 - num.db2) > 1e-3


def test_two_hidden_forward_names():
    v = two_hidden.forward(P0, X0, T0, "literal")
    assert set(v) == {"net_h1", "out_h1", "net_h2", "out_h2", "net_o", "out_o", "L",
                      "delta_o", "delta_h1", "delta_h2"}
    assert v["net_h1"] == pytest.approx(0.15 * 0.5 + 0.35)
    assert v["net_h2"] == pytest.approx(0.25 * 0.5 + 0.60)  # literal: b2 in the hidden layer
    assert two_hidden.forward(P0, X0, T0, "shared")["net_h2"] == pytest.approx(0.25 * 0.5 + 0.35)
    s = 1 / (1 + math.exp(-v["net_o"]))
    assert v["out_o"] == pytest.approx(s) and v["L"] == pytest.approx(0.5 * (1 - s) ** 2)


def _sympy_sigmoid(sp):
    """σ as an undefined sympy function whose derivative is σ(1 − σ) (checked against 1/(1 + e^−z) below).

    Keeping σ opaque keeps every gradient a polynomial in σ(·) terms, so ``expand`` decides equality at once
    where ``simplify`` on the exponential form takes minutes.
    """

    class sigma(sp.Function):
        def fdiff(self, argindex=1):
            return sigma(self.args[0]) * (1 - sigma(self.args[0]))

    z = sp.Symbol("z")
    assert sp.simplify(sp.diff(1 / (1 + sp.exp(-z)), z) - (1 / (1 + sp.exp(-z))) * (1 - 1 / (1 + sp.exp(-z)))) == 0
    return sigma


def _sympy_two_hidden(sp, sig, bias: str):
    w1, w2, w3, w4, b1, b2, x, y = sp.symbols("w1 w2 w3 w4 b1 b2 x y")
    dsig = lambda z: sig(z) * (1 - sig(z))  # noqa: E731
    net_h1 = w1 * x + b1
    net_h2 = w2 * x + (b2 if bias == "literal" else b1)
    out_h1, out_h2 = sig(net_h1), sig(net_h2)
    net_o = w3 * out_h1 + w4 * out_h2 + b2
    out_o = sig(net_o)
    L = (y - out_o) ** 2 / 2
    params = (w1, w2, w3, w4, b1, b2)
    exact = [sp.diff(L, p) for p in params]
    d_o = -(y - out_o) * dsig(net_o)
    d_h1 = w3 * d_o * dsig(net_h1)
    d_h2 = w4 * d_o * dsig(net_h2)
    article = [d_h1 * x, d_h2 * x, d_o * out_h1, d_o * out_h2, d_h1 + d_h2, d_o]
    return params + (x, y), exact, article


def test_two_hidden_symbolic_article_formulas_fit_shared_reading_only():
    sp = pytest.importorskip("sympy")
    sig = _sympy_sigmoid(sp)

    def at(expr, point):
        return float(expr.replace(sig, lambda z: 1 / (1 + sp.exp(-z))).subs(point).evalf())

    symbols, exact, article = _sympy_two_hidden(sp, sig, "shared")
    for name, e, a in zip(two_hidden.PARAM_NAMES, exact, article):
        assert sp.expand(e - a) == 0, name
    symbols, exact, article = _sympy_two_hidden(sp, sig, "literal")
    point = dict(zip(symbols, (0.15, 0.25, 0.40, 0.45, 0.35, 0.60, 0.5, 1.0)))
    for name, e, a in zip(two_hidden.PARAM_NAMES, exact, article):
        diff = sp.expand(e - a)
        if name in ("b1", "b2"):
            assert diff != 0 and abs(at(diff, point)) > 1e-3, name
        else:
            assert diff == 0, name
    # the exact literal-reading gradients: db1 = δ_h1, db2 = δ_o + δ_h2 (the package's formulas)
    assert sp.expand(exact[4] - (article[4] - article[1] / symbols[6])) == 0  # δ_h1 + δ_h2 − δ_h2
    assert sp.expand(exact[5] - (article[5] + article[1] / symbols[6])) == 0  # δ_o + δ_h2
    # and the package's literal gradients match sympy's at the example point
    ours = two_hidden.gradients(P0, X0, T0, "literal")
    for name, e in zip(two_hidden.PARAM_NAMES, exact):
        assert at(e, point) == pytest.approx(getattr(ours, "d" + name), rel=1e-12), name


@settings(deadline=None, max_examples=40)
@given(p=st.tuples(*[finite] * 6), x=finite, y=st.floats(0.0, 1.0), bias=st.sampled_from(two_hidden.BIAS_READINGS))
def test_two_hidden_gradients_vs_central_differences(p, x, y, bias):
    g = np.array(two_hidden.gradients(p, x, y, bias))
    num = np.array(two_hidden.numeric_gradients(p, x, y, bias))
    assert rel_error(g, num) <= 1e-7 or np.max(np.abs(g - num)) < 1e-10
    if bias == "shared":
        assert np.allclose(two_hidden.article_gradients(p, x, y, bias), g, rtol=1e-14, atol=0)


def test_two_hidden_shared_reading_equals_general_layers():
    from bpcourse.layers import Dense, Sigmoid
    from bpcourse.losses import half_sse

    w1, w2, w3, w4, b1, b2 = P0
    hidden = Dense(1, 2, W=np.array([[w1], [w2]]), b=np.array([b1, b1]))
    out = Dense(2, 1, W=np.array([[w3, w4]]), b=np.array([b2]))
    s1, s2 = Sigmoid(), Sigmoid()
    o = s2.forward(out.forward(s1.forward(hidden.forward(np.array([[X0]])))))
    L, dL = half_sse(o, np.array([[T0]]))
    hidden.backward(s1.backward(out.backward(s2.backward(dL))))
    v = two_hidden.forward(P0, X0, T0, "shared")
    assert L == pytest.approx(v["L"], rel=1e-14)
    g = two_hidden.gradients(P0, X0, T0, "shared")
    general = np.array([hidden.grads["W"][0, 0], hidden.grads["W"][1, 0], out.grads["W"][0, 0],
                        out.grads["W"][0, 1], hidden.grads["b"].sum(), out.grads["b"][0]])
    assert np.allclose(np.array(g), general, rtol=1e-13, atol=0)


def test_two_hidden_sgd_step_and_training():
    g = two_hidden.gradients(P0, X0, T0)
    new = two_hidden.sgd_step(P0, g, 0.5)
    assert np.allclose(np.array(new), np.array(P0) - 0.5 * np.array(g))
    for bias in two_hidden.BIAS_READINGS:
        for formulas in two_hidden.FORMULAS:
            p, hist = two_hidden.train(bias=bias, formulas=formulas, epochs=200, eta=0.5)
            assert hist[-1] < 0.5 * two_hidden.loss(P0, X0, T0, bias)


def test_bad_input_two_hidden():
    with pytest.raises(ValueError, match="unknown bias reading 'both'.*'literal'.*'shared'"):
        two_hidden.forward(P0, X0, T0, bias="both")
    with pytest.raises(ValueError, match="unknown formulas"):
        two_hidden.train(formulas="mine")
    with pytest.raises(ValueError, match="6 numbers"):
        two_hidden.gradients(P0[:5], X0, T0)
    with pytest.raises(ValueError, match="b2 must be a finite number"):
        two_hidden.loss((*P0[:5], float("nan")), X0, T0)
    with pytest.raises(ValueError, match="eta must be a positive number"):
        two_hidden.sgd_step(P0, P0, 0.0)


def test_two_hidden_refuses_the_old_names():
    # issue 10: one notation; y=, alpha=, Y=, g.b1 (for db1) and ARTICLE_* are gone
    with pytest.raises(TypeError, match="unexpected keyword argument 'y'"):
        two_hidden.gradients(P0, X0, y=T0)
    g = two_hidden.gradients(P0, X0, t=T0)
    assert not any(hasattr(g, name) for name in two_hidden.PARAM_NAMES)
    with pytest.raises(TypeError, match="unexpected keyword argument 'alpha'"):
        two_hidden.sgd_step(P0, g, alpha=0.5)
    with pytest.raises(TypeError, match="unexpected keyword argument 'Y'"):
        two_hidden.train(P0, (X0,), Y=(T0,), epochs=3)
    assert not any(hasattr(two_hidden, name) for name in ("ARTICLE_PARAMS", "ARTICLE_X", "ARTICLE_Y"))


# ------------------------------------------- exercise 05's signatures: shared_outputs, shared_deltas, shared_gradients
@settings(deadline=None, max_examples=40)
@given(p=st.tuples(*[st.floats(-1.5, 1.5, allow_nan=False)] * 6), x=st.floats(-2, 2, allow_nan=False),
       t=st.sampled_from([0.0, 1.0]))
def test_shared_functions_match_central_differences_and_forward(p, x, t):
    from bpcourse.gradcheck import numeric_gradient

    w1, w2, w3, w4, b1, b2 = p
    sig = lambda v: 1.0 / (1.0 + math.exp(-v))  # noqa: E731
    h1, h2 = sig(w1 * x + b1), sig(w2 * x + b1)  # shared reading: b1 feeds both hidden neurons
    o = sig(w3 * h1 + w4 * h2 + b2)
    assert np.allclose(two_hidden.shared_outputs(*p, x), (h1, h2, o), rtol=1e-14, atol=0)
    v = two_hidden.forward(p, x, t, "shared")
    assert two_hidden.shared_deltas(*p, x, t) == (v["delta_o"], v["delta_h1"], v["delta_h2"])

    def loss(q):
        a1, a2 = sig(q[0] * x + q[4]), sig(q[1] * x + q[4])
        return 0.5 * (t - sig(q[2] * a1 + q[3] * a2 + q[5])) ** 2

    g = np.array(two_hidden.shared_gradients(*p, x, t))
    num = numeric_gradient(loss, np.array(p, dtype=np.float64))
    # |params| ≤ 1.5 and |x| ≤ 2 keep every σ' ≥ 0.03; below a gradient norm of 1e-3 (o ≈ t) central
    # differences are round-off, so the comparison is bounded to draws with a clear gradient
    if np.linalg.norm(num) > 1e-3:
        assert rel_error(g, num) <= 1e-7


def test_shared_functions_name_bad_input():
    with pytest.raises(TypeError, match="b1"):
        two_hidden.shared_outputs(0.1, 0.2, 0.3, 0.4, "b", 0.6, 1.0)
