"""Tests of bpcourse.models: the articles' own networks, their printed numbers, their defects, and agreement
with central differences and with the general layers of bpcourse.layers / bpcourse.losses.

Expected numbers come from the articles (as digested in seeds.md), never from the code under test.
"""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bpcourse.gradcheck import numeric_gradient, rel_error
from bpcourse.models import chain, framework, net322, neuron, two_hidden

finite = st.floats(min_value=-2.0, max_value=2.0, allow_nan=False, allow_infinity=False)


# --------------------------------------------------------------------------------------------------------------
# Article C: the three-layer chain
# --------------------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def article_run() -> chain.ChainResult:
    return chain.train("article", record=True)


def test_chain_article_table_epoch77_exact(article_run):
    # The lines the article printed (seeds.md), in the article's alignment.
    printed_x_pos = "dl/dw1 backprop -0.026729, numeric -0.026727"
    printed_x_neg = [
        "dl/dw3 backprop  0.003970, numeric  0.004164",
        "dl/dw2 backprop -0.032617, numeric -0.033257",
        "dl/dw1 backprop -0.027502, numeric -0.027499",
    ]
    printed_next = "dl/dw3 backprop  0.004164, numeric  0.004367"
    rows77 = chain.article_rows(77, article_run)
    assert [r.x for r in rows77] == [1.0] * 3 + [-1.0] * 3
    assert [r.weight for r in rows77] == ["w3", "w2", "w1"] * 2
    assert str(rows77[2]) == printed_x_pos
    assert [str(r) for r in rows77[3:]] == printed_x_neg
    assert str(chain.article_rows(78, article_run)[0]) == printed_next
    # The same numbers, compared as numbers to the printed 6 decimals.
    expected = [(-0.026729, -0.026727), (0.003970, 0.004164), (-0.032617, -0.033257), (-0.027502, -0.027499)]
    got = [(r.backprop, r.numeric) for r in rows77[2:]]
    for (b, n), (rb, rn) in zip(expected, got):
        assert round(rb, 6) == b and round(rn, 6) == n, (rb, rn, b, n)


def test_chain_epoch_index_is_zero_based(article_run):
    # 1-based epoch 77 (= 0-based 76) does not give the printed line: the article counted from 0.
    row = chain.article_rows(76, article_run)[2]
    assert str(row) != "dl/dw1 backprop -0.026729, numeric -0.026727"


def test_chain_article_final_weights(article_run):
    w = article_run.weights
    assert (round(w.w1, 5), round(w.w2, 5), round(w.w3, 5)) == (0.97527, 0.96418, -1.06342)
    assert abs(w.w1 * w.w2 * w.w3 - (-0.99997)) < 5e-6
    assert len(article_run.losses) == 160 and article_run.losses[-1] < 1e-6


def test_chain_article_numeric_column_is_next_steps_w3_gradient(article_run):
    # Defect (b) alone explains the w3 rows: each numeric dL/dw3 is the next step's backprop dL/dw3.
    w3 = [r for r in article_run.rows if r.weight == "w3"]
    for a, b in zip(w3[:-1], w3[1:]):
        assert a.numeric == pytest.approx(b.backprop, rel=1e-6, abs=1e-12)


def test_chain_correct_order_agrees_with_central_differences():
    res = chain.train("correct", record=True)
    rows = res.rows
    assert len(rows) == 3 * 2 * 160
    worst = 0.0
    for i in range(0, len(rows), 3):
        bp = np.array([r.backprop for r in rows[i:i + 3]])
        nu = np.array([r.numeric for r in rows[i:i + 3]])
        worst = max(worst, rel_error(bp, nu))
    assert worst <= 1e-8, f"worst relative error per sample {worst:.2e}"


def test_chain_each_mistake_alone_breaks_the_check():
    # (a) updated weights used while backpropagating, numeric at the right point
    a = chain.train("article", record=True, check_at="before").rows
    # (b) correct gradients, numeric at the updated weights
    b = chain.train("correct", record=True, check_at="after").rows
    for rows in (a, b):
        errs = [rel_error(np.array([r.backprop for r in rows[i:i + 3]]), np.array([r.numeric for r in rows[i:i + 3]]))
                for i in range(0, len(rows), 3)]
        assert np.median(errs) > 1e-3


@pytest.mark.parametrize("order", chain.ORDERS)
def test_chain_both_orders_learn_sign_task(order):
    w = chain.train(order).weights
    assert chain.predict(w, 1.0) == -1
    assert chain.predict(w, -1.0) == 1


@settings(deadline=None, max_examples=50)
@given(w=st.tuples(finite, finite, finite), x=finite, t=finite)
def test_chain_gradients_vs_central_differences(w, x, t):
    g = np.array(chain.gradients(w, x, t))
    wa = np.array(w, dtype=np.float64)
    num = numeric_gradient(lambda v: chain.loss(tuple(v), x, t), wa)
    assert rel_error(g, num) <= 1e-7 or np.max(np.abs(g - num)) < 1e-9
    # the article's ε = 1e-4 helper agrees with the general one
    assert np.allclose(chain.numeric_gradients(w, x, t), num, rtol=1e-6, atol=1e-8)


def test_chain_gradients_symbolic():
    sp = pytest.importorskip("sympy")
    w1, w2, w3, x, t = sp.symbols("w1 w2 w3 x t")
    y = w1 * x
    z = w2 * y
    e = w3 * z
    L = (e - t) ** 2 / 2
    article = [(e - t) * w3 * w2 * x, (e - t) * w3 * y, (e - t) * z]
    for wi, formula in zip((w1, w2, w3), article):
        assert sp.simplify(sp.diff(L, wi) - formula) == 0


def test_chain_one_article_step_by_hand():
    # The first sample of the first epoch, written out independently of chain.train.
    w1, w2, w3 = 0.2333, -0.233, -0.52133
    lr, x, t = 0.05, 1.0, -1.0
    e = w3 * w2 * w1 * x
    r3 = e - t
    w3n = w3 - lr * r3 * (w2 * w1 * x)
    r2 = r3 * w3n
    w2n = w2 - lr * r2 * (w1 * x)
    w1n = w1 - lr * r2 * w2n * x
    res = chain.train("article", epochs=1, data=[1.0], labels=[-1.0])
    assert res.weights == pytest.approx((w1n, w2n, w3n), rel=1e-15)


# --------------------------------------------------------------------------------------------------------------
# Article C: the "framework"
# --------------------------------------------------------------------------------------------------------------

def test_framework_success_counts_over_2000_starts():
    bad = framework.count_successes(2000, seed=0, defects=True)
    good = framework.count_successes(2000, seed=0, defects=False)
    msg = f"defective: {bad}/2000, corrected: {good}/2000"
    assert 800 <= bad <= 1200, msg
    assert good >= 1980, msg


@pytest.mark.parametrize("defects", [True, False, "extra_weight", "front_to_back"])
def test_framework_batched_runs_equal_scalar_runs(defects):
    W = framework.starting_weights(40, seed=7)
    batched = framework.run_starts(40, defects=defects, weights=W)
    scalar = []
    for w in W:
        net = framework.Network(3, defects=defects, weights=list(w))
        net.train([-1.0, 1.0], [1.0, -1.0], 0.05, 160)
        scalar.append(net.predict(1.0) == -1 and net.predict(-1.0) == 1)
    assert list(batched) == scalar
    assert 0 < sum(scalar) or defects is True


def test_framework_seeded_network_uses_starting_weights():
    assert framework.Network(3, seed=11).weights == list(framework.starting_weights(1, 11)[0])
    w = framework.Network(3, seed=11).weights
    assert all(-0.5 <= v <= 0.5 for v in w)


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("defects", [True, "extra_weight", "front_to_back"])
def test_framework_gradient_check_flags_defects(seed, defects):
    net = framework.Network(3, defects=defects, seed=seed)
    before = net.weights
    report = framework.gradient_check(net, 1.0, -1.0)
    assert not report.ok, str(report)
    assert report.worst[1] > 1e-2
    assert net.weights == before  # the check restores the weights


@pytest.mark.parametrize("seed", range(5))
def test_framework_gradient_check_passes_corrected(seed):
    for x, t in ((1.0, -1.0), (-1.0, 1.0), (0.7, 0.3)):
        report = framework.gradient_check(framework.CorrectedNetwork(3, seed=seed), x, t)
        assert report.ok, str(report)


def test_framework_corrected_equals_chain_gradients():
    w = (0.31, -0.22, 0.45)
    net = framework.CorrectedNetwork(weights=w)
    assert np.allclose(net.gradients(0.8, -1.0), chain.gradients(w, 0.8, -1.0), rtol=1e-14, atol=0)


def test_framework_defective_backward_has_extra_weight_factor():
    good = framework.Layer(0.5)
    bad = framework.Layer(0.5, extra_weight=True)
    for layer in (good, bad):
        layer.forward(2.0)
    assert good.backward(3.0) == 1.5 and good.w_grad == 6.0
    assert bad.backward(3.0) == 1.5 and bad.w_grad == 3.0  # 6.0 · 0.5: multiplied by w once too often


# --------------------------------------------------------------------------------------------------------------
# Article A: the 1-2-1 network
# --------------------------------------------------------------------------------------------------------------

P0, X0, Y0 = two_hidden.ARTICLE_PARAMS, two_hidden.ARTICLE_X, two_hidden.ARTICLE_Y


def test_two_hidden_article_numbers():
    assert tuple(P0) == (0.15, 0.25, 0.40, 0.45, 0.35, 0.60) and (X0, Y0) == (0.5, 1.0)
    num = two_hidden.numeric_gradients(P0, X0, Y0, "literal")
    # seeds.md prints −0.0485784; the value is −0.04857835 (it rounds either way at the 8th digit)
    assert abs(num.b1 - (-0.0042268)) <= 1e-7
    assert abs(num.b2 - (-0.0485784)) <= 1e-7
    art = two_hidden.article_gradients(P0, X0, Y0, "literal")
    assert round(art.b1, 7) == -0.0085997
    assert round(art.b2, 7) == -0.0442055
    exact = two_hidden.gradients(P0, X0, Y0, "literal")
    assert rel_error(np.array(exact), np.array(num)) <= 1e-7
    assert abs(art.b1 - num.b1) > 1e-3 and abs(art.b2 - num.b2) > 1e-3


def test_two_hidden_forward_names():
    v = two_hidden.forward(P0, X0, Y0, "literal")
    assert set(v) == {"net_h1", "out_h1", "net_h2", "out_h2", "net_o", "out_o", "L",
                      "delta_o", "delta_h1", "delta_h2"}
    assert v["net_h1"] == pytest.approx(0.15 * 0.5 + 0.35)
    assert v["net_h2"] == pytest.approx(0.25 * 0.5 + 0.60)  # literal: b2 in the hidden layer
    assert two_hidden.forward(P0, X0, Y0, "shared")["net_h2"] == pytest.approx(0.25 * 0.5 + 0.35)
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
    ours = two_hidden.gradients(P0, X0, Y0, "literal")
    for name, e in zip(two_hidden.PARAM_NAMES, exact):
        assert at(e, point) == pytest.approx(getattr(ours, name), rel=1e-12), name


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
    L, dL = half_sse(o, np.array([[Y0]]))
    hidden.backward(s1.backward(out.backward(s2.backward(dL))))
    v = two_hidden.forward(P0, X0, Y0, "shared")
    assert L == pytest.approx(v["L"], rel=1e-14)
    g = two_hidden.gradients(P0, X0, Y0, "shared")
    general = np.array([hidden.grads["W"][0, 0], hidden.grads["W"][1, 0], out.grads["W"][0, 0],
                        out.grads["W"][0, 1], hidden.grads["b"].sum(), out.grads["b"][0]])
    assert np.allclose(np.array(g), general, rtol=1e-13, atol=0)


def test_two_hidden_sgd_step_and_training():
    g = two_hidden.gradients(P0, X0, Y0)
    new = two_hidden.sgd_step(P0, g, 0.5)
    assert np.allclose(np.array(new), np.array(P0) - 0.5 * np.array(g))
    for bias in two_hidden.BIAS_READINGS:
        for formulas in two_hidden.FORMULAS:
            p, hist = two_hidden.train(bias=bias, formulas=formulas, epochs=200, alpha=0.5)
            assert hist[-1] < 0.5 * two_hidden.loss(P0, X0, Y0, bias)


# --------------------------------------------------------------------------------------------------------------
# Article B: the 3-2-2 network
# --------------------------------------------------------------------------------------------------------------

def _case322(seed: int):
    Wh, Wo = net322.random_weights(seed, scale=1.0)
    rng = np.random.default_rng(seed + 1000)
    return Wh, Wo, rng.normal(size=3), rng.uniform(0, 1, size=2)


def test_net322_naming():
    hidden, out = net322.weight_names()
    assert hidden == [["w_41", "w_42", "w_43", "w_b4"], ["w_51", "w_52", "w_53", "w_b5"]]
    assert out == [["w_64", "w_65", "w_b6"], ["w_74", "w_75", "w_b7"]]
    Wh, Wo, _, _ = _case322(0)
    d = net322.weights_by_name(Wh, Wo)
    assert d["w_41"] == Wh[0, 0] and d["w_53"] == Wh[1, 2] and d["w_b7"] == Wo[1, 2]
    Wh2, Wo2 = net322.weights_from_names(d)
    assert np.array_equal(Wh, Wh2) and np.array_equal(Wo, Wo2)


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "identity"])
@pytest.mark.parametrize("seed", range(6))
def test_net322_loops_equal_matrices_equal_numeric(seed, activation):
    Wh, Wo, x, t = _case322(seed)
    loops = net322.backward_loops(Wh, Wo, x, t, activation)
    mats = net322.backward_matrix(Wh, Wo, x, t, activation)
    for a, b in zip(loops, mats):
        assert a.shape == b.shape
        assert np.max(np.abs(a - b)) <= 1e-12
    nh, no = net322.numeric_gradients(Wh, Wo, x, t, activation)
    assert rel_error(loops.dW_hidden, nh) <= 1e-7
    assert rel_error(loops.dW_out, no) <= 1e-7


def test_net322_batch_gradient_vs_numeric():
    Wh, Wo = net322.random_weights(3)
    rng = np.random.default_rng(4)
    X, T = rng.normal(size=(5, 3)), rng.uniform(size=(5, 2))
    g = net322.backward_matrix(Wh, Wo, X, T)
    nh, no = net322.numeric_gradients(Wh, Wo, X, T)
    assert rel_error(g.dW_hidden, nh) <= 1e-7 and rel_error(g.dW_out, no) <= 1e-7
    assert g.delta_out.shape == (5, 2) and g.delta_hidden.shape == (5, 2)


@pytest.mark.parametrize("batch", [False, True])
def test_net322_equals_general_layers(batch):
    from bpcourse.layers import Dense, Sigmoid
    from bpcourse.losses import half_sse

    Wh, Wo, x, t = _case322(5)
    if batch:
        rng = np.random.default_rng(9)
        X, T = rng.normal(size=(4, 3)), rng.uniform(size=(4, 2))
    else:
        X, T = x[None, :], t[None, :]
    d1 = Dense(3, 2, W=Wh[:, :3], b=Wh[:, 3])
    d2 = Dense(2, 2, W=Wo[:, :2], b=Wo[:, 2])
    s1, s2 = Sigmoid(), Sigmoid()
    y = s2.forward(d2.forward(s1.forward(d1.forward(X))))
    E, dE = half_sse(y, T)
    dnet_out = s2.backward(dE)
    dnet_hidden = s1.backward(d2.backward(dnet_out))
    d1.backward(dnet_hidden)
    xin, tin = (X, T) if batch else (x, t)
    v = net322.forward(Wh, Wo, xin)
    assert np.allclose(v["y_out"], y if batch else y[0], rtol=1e-14, atol=0)
    assert net322.loss(Wh, Wo, xin, tin) == pytest.approx(E, rel=1e-14)
    g = net322.backward_matrix(Wh, Wo, xin, tin)
    assert np.allclose(g.dW_hidden, np.column_stack([d1.grads["W"], d1.grads["b"]]), rtol=1e-12, atol=1e-16)
    assert np.allclose(g.dW_out, np.column_stack([d2.grads["W"], d2.grads["b"]]), rtol=1e-12, atol=1e-16)
    # δ = ∂E/∂net per sample: the general layers average over samples, so multiply back by n
    n = X.shape[0]
    assert np.allclose(np.atleast_2d(g.delta_out), dnet_out * n, rtol=1e-12)
    assert np.allclose(np.atleast_2d(g.delta_hidden), dnet_hidden * n, rtol=1e-12)


def test_net322_update_and_training():
    Wh, Wo, x, t = _case322(1)
    Wh0, Wo0 = Wh.copy(), Wo.copy()
    g = net322.backward_loops(Wh, Wo, x, t)
    Wh1, Wo1 = net322.update(Wh, Wo, g, 0.1)
    assert np.array_equal(Wh, Wh0) and np.array_equal(Wo, Wo0)  # inputs not mutated
    assert np.allclose(Wh1, Wh0 - 0.1 * np.outer(g.delta_hidden, np.append(x, 1.0)))
    y_aug = np.append(net322.forward(Wh, Wo, x)["y_hidden"], 1.0)
    assert np.allclose(Wo1, Wo0 - 0.1 * np.outer(g.delta_out, y_aug))
    assert net322.loss(Wh1, Wo1, x, t) < net322.loss(Wh, Wo, x, t)
    _, _, hist = net322.train(Wh, Wo, x[None, :], t[None, :], eta=0.5, epochs=200)
    assert hist[-1] < 1e-3


# --------------------------------------------------------------------------------------------------------------
# The single neuron
# --------------------------------------------------------------------------------------------------------------

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
    dw, db = n.gradient(x, t)
    assert np.allclose(dw, d.grads["W"][0], rtol=1e-13) and db == pytest.approx(d.grads["b"][0], rel=1e-13)


# --------------------------------------------------------------------------------------------------------------
# Bad input
# --------------------------------------------------------------------------------------------------------------

def test_bad_input_chain():
    with pytest.raises(ValueError, match="unknown order 'backwards'.*'article'"):
        chain.train("backwards")
    with pytest.raises(ValueError, match="check_at"):
        chain.train("article", check_at="during")
    with pytest.raises(ValueError, match="w2 must be a finite number"):
        chain.forward((1.0, float("nan"), 1.0), 1.0)
    with pytest.raises(ValueError, match="three numbers"):
        chain.gradients((1.0, 2.0), 1.0, 1.0)
    with pytest.raises(TypeError, match="x must be a real number"):
        chain.predict(chain.ARTICLE_WEIGHTS, "1")
    with pytest.raises(ValueError, match="one label per sample"):
        chain.train(data=[1.0, -1.0], labels=[-1.0])
    with pytest.raises(ValueError, match="lr must be a positive number"):
        chain.train(lr=-0.05)
    with pytest.raises(ValueError, match="epochs must be a positive integer"):
        chain.train(epochs=1.5)
    with pytest.raises(FloatingPointError, match="diverged"):
        chain.train("correct", lr=50.0, weights=(3.0, 3.0, 3.0))


def test_bad_input_framework():
    with pytest.raises(ValueError, match="unknown defect 'typo'"):
        framework.Network(3, defects=["typo"], seed=0)
    with pytest.raises(ValueError, match="seed"):
        framework.Network(3)
    with pytest.raises(ValueError, match="expected n_layers = 3"):
        framework.Network(3, weights=[0.1, 0.2])
    with pytest.raises(ValueError, match="finite"):
        framework.Network(3, weights=[0.1, math.inf, 0.2])
    net = framework.Network(3, seed=0)
    with pytest.raises(ValueError, match="one label per sample"):
        net.train([1.0], [1.0, -1.0], 0.05, 10)
    with pytest.raises(ValueError, match="shape"):
        framework.run_starts(3, weights=np.zeros((3, 2)))


def test_bad_input_two_hidden():
    with pytest.raises(ValueError, match="unknown bias reading 'both'.*'literal'.*'shared'"):
        two_hidden.forward(P0, X0, Y0, bias="both")
    with pytest.raises(ValueError, match="unknown formulas"):
        two_hidden.train(formulas="mine")
    with pytest.raises(ValueError, match="6 numbers"):
        two_hidden.gradients(P0[:5], X0, Y0)
    with pytest.raises(ValueError, match="b2 must be a finite number"):
        two_hidden.loss((*P0[:5], float("nan")), X0, Y0)
    with pytest.raises(ValueError, match="alpha must be a positive number"):
        two_hidden.sgd_step(P0, P0, 0.0)


def test_bad_input_net322():
    Wh, Wo, x, t = _case322(0)
    with pytest.raises(ValueError, match=r"W_hidden has shape \(4, 2\), expected \(2, 4\): did you transpose\?"):
        net322.backward_loops(Wh.T, Wo, x, t)
    with pytest.raises(ValueError, match="x has shape"):
        net322.backward_matrix(Wh, Wo, np.ones(4), t)
    with pytest.raises(ValueError, match="NaN"):
        net322.backward_loops(Wh, Wo, x, np.array([0.5, np.nan]))
    with pytest.raises(ValueError, match="unknown activation"):
        net322.forward(Wh, Wo, x, activation="softmax")
    with pytest.raises(ValueError, match="missing weights"):
        net322.weights_from_names({"w_41": 1.0})
    with pytest.raises(TypeError, match="float64"):
        net322.forward(Wh, Wo, np.array([1, 2, 3]))


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
    with pytest.raises(ValueError, match="needs a seed"):
        n.fit(neuron.AND_X, neuron.AND_T, seed=None)
