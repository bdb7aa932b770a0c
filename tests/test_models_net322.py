"""Tests of bpcourse.models.net322: one of the articles' own networks, their printed numbers, their defects, and agreement
with central differences and with the general layers of bpcourse.layers / bpcourse.losses.

Expected numbers come from the articles (as digested in seeds.md), never from the code under test.
"""
from __future__ import annotations


import numpy as np
import pytest
from hypothesis import strategies as st

from bpcourse.gradcheck import rel_error
from bpcourse.models import net322

finite = st.floats(min_value=-2.0, max_value=2.0, allow_nan=False, allow_infinity=False)


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
    num = net322.numeric_gradients(Wh, Wo, X, T)
    assert rel_error(g.dW_hidden, num.dW_hidden) <= 1e-7 and rel_error(g.dW_out, num.dW_out) <= 1e-7
    # one shape for gradients across the models: d<param> fields shaped like the parameters
    assert num._fields == g._fields[:2] == ("dW_hidden", "dW_out")
    assert num.dW_hidden.shape == Wh.shape and g.dW_out.shape == Wo.shape
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


def test_loop_gradients_are_backward_loops_weight_gradients_and_match_central_differences():
    from bpcourse.gradcheck import numeric_gradient

    rng = np.random.default_rng(6)
    for _ in range(5):
        x, t = rng.uniform(-1, 1, 3), rng.uniform(0.05, 0.95, 2)
        W_hidden, W_out = rng.uniform(-1.5, 1.5, (2, 4)), rng.uniform(-1.5, 1.5, (2, 3))
        dW_hidden, dW_out = net322.loop_gradients(x, t, W_hidden, W_out)
        g = net322.backward_loops(W_hidden, W_out, x, t)
        assert np.array_equal(dW_hidden, g.dW_hidden) and np.array_equal(dW_out, g.dW_out)
        for got, W in ((dW_hidden, W_hidden), (dW_out, W_out)):
            num = numeric_gradient(lambda _: net322.loss(W_hidden, W_out, x, t), W)
            assert rel_error(got, num) <= 1e-7
    with pytest.raises(ValueError, match="W_out"):
        net322.loop_gradients(x, t, W_hidden, np.zeros((3, 3)))
