import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from bpcourse.gradcheck import check_layer
from bpcourse.layers import ActivationLayer, Dense, ReLU, Sigmoid, SoftmaxCrossEntropy, Tanh, Identity
from bpcourse.gradcheck import numeric_gradient, rel_error


@settings(deadline=None, max_examples=30)
@given(n=st.integers(1, 6), n_in=st.integers(1, 7), n_out=st.integers(1, 7), seed=st.integers(0, 10_000))
def test_dense_backward_matches_central_differences(n, n_in, n_out, seed):
    rng = np.random.default_rng(seed)
    layer = Dense(n_in, n_out, rng=rng)
    layer.params["b"][:] = rng.standard_normal(n_out)
    report = check_layer(layer, rng.standard_normal((n, n_in)), seed=seed)
    assert report.ok, str(report)


@pytest.mark.parametrize("cls", [Sigmoid, Tanh, ReLU, Identity])
@settings(deadline=None, max_examples=20)
@given(n=st.integers(1, 5), m=st.integers(1, 6), seed=st.integers(0, 10_000))
def test_activation_layers_match_central_differences(cls, n, m, seed):
    # |net| ≤ 4: beyond, σ' and tanh' are too small next to σ and tanh for central differences to resolve
    # them to 1e-7 (test_activations checks saturation against mpmath)
    x = np.random.default_rng(seed).uniform(-4, 4, (n, m))
    x[np.abs(x) < 1e-3] = 0.5  # ReLU's kink has no derivative
    report = check_layer(cls(), x, seed=seed)
    assert report.ok, str(report)


def test_dense_shapes_and_convention():
    W = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])  # 3 inputs → 2 outputs: W[j, i] = w_ji
    layer = Dense(3, 2, W=W, b=np.array([0.5, -0.5]))
    x = np.array([[1.0, 0.0, -1.0]])
    assert np.allclose(layer.forward(x), [[1 - 3 + 0.5, 4 - 6 - 0.5]])
    dout = np.array([[1.0, 2.0]])
    dout_before = dout.copy()
    dx = layer.backward(dout)
    assert dx.shape == (1, 3) and layer.grads["W"].shape == (2, 3) and layer.grads["b"].shape == (2,)
    assert np.allclose(layer.grads["W"], [[1, 0, -1], [2, 0, -2]])  # δ_j · x_i
    assert np.array_equal(dout, dout_before), "backward must not modify its incoming gradient"
    assert not np.shares_memory(layer.W, W), "given weights are copied"


def test_backward_never_mutates_dout_for_any_layer():
    x = np.random.default_rng(1).standard_normal((3, 4))
    for layer in (Dense(4, 4, rng=0), Sigmoid(), Tanh(), ReLU(), Identity()):
        layer.forward(x)
        dout = np.ones((3, 4))
        layer.backward(dout)
        assert np.array_equal(dout, np.ones((3, 4))), repr(layer)


def test_softmax_cross_entropy_layer():
    head = SoftmaxCrossEntropy()
    net = np.random.default_rng(0).standard_normal((4, 3))
    labels = np.array([0, 2, 1, 2])
    loss = head.forward(net, labels)
    d = head.backward()
    assert np.allclose(head.probs.sum(axis=1), 1)
    assert rel_error(d, numeric_gradient(lambda z: head.forward(z, labels), net.copy())) <= 1e-7
    assert loss == pytest.approx(head.forward(net, labels))


def test_errors_name_expected_and_received():
    layer = Dense(3, 2, rng=0)
    with pytest.raises(ValueError, match=r"x has shape \(4, 2\), expected \(n_samples, 3\)"):
        layer.forward(np.zeros((4, 2)))
    with pytest.raises(ValueError, match=r"reshape\(1, -1\)"):
        layer.forward(np.zeros(3))
    with pytest.raises(TypeError, match="dtype int64"):
        layer.forward(np.zeros((1, 3), dtype=np.int64))
    with pytest.raises(TypeError, match="dtype object"):
        layer.forward(np.array([[1.0, None, 2.0]], dtype=object))
    with pytest.raises(ValueError, match=r"W has shape \(3, 2\), expected \(2, 3\): did you transpose\?"):
        Dense(3, 2, W=np.zeros((3, 2)))
    with pytest.raises(ValueError, match="n_out must be a positive integer"):
        Dense(3, 0)
    with pytest.raises(ValueError, match="unknown init 'glorot'"):
        Dense(3, 2, init="glorot")
    with pytest.raises(ValueError, match="unknown activation 'relu6'"):
        ActivationLayer("relu6")
    with pytest.raises(RuntimeError, match="before forward"):
        Dense(3, 2, rng=0).backward(np.zeros((1, 2)))
    with pytest.raises(TypeError, match="Dense needs rng"):
        Dense(3, 2)
    layer.forward(np.zeros((4, 3)))
    with pytest.raises(ValueError, match=r"dout has shape \(2, 4\), expected \(4, 2\)"):
        layer.backward(np.zeros((2, 4)))


def test_initialisation_scales():
    big = 400
    for init, std in (("xavier", np.sqrt(2 / (2 * big))), ("he", np.sqrt(2 / big))):
        W = Dense(big, big, init=init, rng=0).W
        assert abs(W.std() / std - 1) < 0.02, init
    assert np.array_equal(Dense(3, 2, rng=5).W, Dense(3, 2, rng=5).W)


@pytest.mark.parametrize("cls, name", [(Sigmoid, "sigmoid"), (Tanh, "tanh")])
def test_activation_layer_backward_in_saturation_matches_high_precision(cls, name):
    # σ(1 − σ) and 1 − tanh² from the output lose every digit here (σ(40) and tanh(20) round to 1.0, so
    # they give exactly 0); the layer must pass back the tiny, correct gradient
    mpmath = pytest.importorskip("mpmath")
    mpmath.mp.dps = 50
    exact_f = {"sigmoid": lambda z: 1 / (1 + mpmath.exp(-z)), "tanh": mpmath.tanh}[name]
    net = np.array([[-40.0, -30.0, -20.0, -12.0], [12.0, 20.0, 30.0, 40.0]])
    dout = np.array([[1.5, -0.5, 2.0, 1.0], [-1.0, 3.0, 0.25, 1.0]])
    layer = cls()
    layer.forward(net)
    got = layer.backward(dout)
    for (i, j), z in np.ndenumerate(net):
        exact = float(mpmath.diff(exact_f, mpmath.mpf(z)) * mpmath.mpf(dout[i, j]))
        assert exact != 0.0
        assert abs(got[i, j] - exact) <= 1e-12 * abs(exact), (name, z, got[i, j], exact)
    if name == "sigmoid":  # the case the issue names: net = 40 gives 4.2e-18·dout, not 0
        assert got[1, 3] == pytest.approx(4.248354255291589e-18, rel=1e-12)


def test_chapter4_broken_layer_overrides_backward_and_reads_out():
    # chapter 4's BrokenTanh, written against the public API (issue 10: backward, out; no _backward, _cache)
    class BrokenTanh(ActivationLayer):
        def __init__(self):
            super().__init__("tanh")

        def backward(self, dout, *, need_dx=True):
            return dout * (1.0 - self.out)  # wrong: tanh' is 1 - out**2

    x = np.random.default_rng(2).uniform(-2, 2, (3, 4))
    layer = BrokenTanh()
    out = layer.forward(x)
    assert np.array_equal(layer.backward(np.ones((3, 4))), 1.0 - np.tanh(x))
    assert np.array_equal(out, layer.out) and np.array_equal(x, layer.net)
    assert not check_layer(BrokenTanh(), x).ok  # the gradient check sees the broken derivative
    assert check_layer(Tanh(), x).ok
    assert not hasattr(layer, "_cache") and not hasattr(Dense(2, 3, rng=0), "_cache")


def test_a_subclass_overriding_the_old_private_backward_is_refused():
    from bpcourse.layers import Tanh

    with pytest.raises(TypeError, match=r"_backward, which nothing calls: override backward\(self, dout"):
        class OldStyle(Tanh):  # noqa: F841  (the class statement itself must fail)
            def _backward(self, dout, need_dx):
                return dout


# ------------------------------------------------------------- the functions Dense calls: dense_forward/backward
@settings(deadline=None, max_examples=30)
@given(n=st.integers(1, 5), n_in=st.integers(1, 5), n_out=st.integers(1, 5), seed=st.integers(0, 10_000))
def test_dense_functions_match_central_differences_and_the_layer(n, n_in, n_out, seed):
    from bpcourse.layers import dense_backward, dense_forward

    rng = np.random.default_rng(seed)
    x, W, b = rng.standard_normal((n, n_in)), rng.standard_normal((n_out, n_in)), rng.standard_normal(n_out)
    dout = rng.standard_normal((n, n_out))
    dout_before = dout.copy()
    dx, dW, db = dense_backward(dout, x, W)
    assert np.array_equal(dout, dout_before), "dense_backward must not modify dout"
    # E = Σ dout ⊙ net, so ∂E/∂(x, W, b) are the backward's three outputs
    for got, p in ((dx, x), (dW, W), (db, b)):
        num = numeric_gradient(lambda _: float(np.sum(dout * dense_forward(x, W, b))), p)
        assert rel_error(got, num) <= 1e-7
    layer = Dense(n_in, n_out, W=W, b=b)
    assert np.array_equal(layer.forward(x), dense_forward(x, W, b))
    assert np.array_equal(layer.backward(dout), dx)
    assert np.array_equal(layer.grads["W"], dW) and np.array_equal(layer.grads["b"], db)
    assert dense_backward(dout, x, W, need_dx=False)[0] is None


@pytest.mark.parametrize("call, words", [
    (lambda f, b: f(np.zeros((2, 3)), np.zeros((4, 2)), np.zeros(4)), ["x", "(2, 3)", "(n_samples, 2)"]),
    (lambda f, b: f(np.zeros((2, 3)), np.zeros((4, 3)), np.zeros(3)), ["b", "(4,)", "(3,)"]),
    (lambda f, b: b(np.zeros((2, 3)), np.zeros((2, 5)), np.zeros((4, 5))), ["dout", "(2, 3)", "(2, 4)"]),
])
def test_dense_functions_name_what_was_expected_and_received(call, words):
    from bpcourse.layers import dense_backward, dense_forward

    with pytest.raises((ValueError, TypeError)) as info:
        call(dense_forward, dense_backward)
    assert all(w in str(info.value) for w in words), str(info.value)


def test_dense_layer_checks_parameters_a_learner_replaced():
    # Dense.forward skips dense_forward's second check of x, not the check of W and b: a parameter replaced
    # after construction is converted (a list, float32) or refused with its name and shapes
    from bpcourse.layers import dense_backward, dense_forward

    rng = np.random.default_rng(3)
    x, W, b = rng.standard_normal((4, 3)), rng.standard_normal((2, 3)), rng.standard_normal(2)
    layer = Dense(3, 2, W=np.zeros((2, 3)))
    layer.params["W"], layer.params["b"] = W.tolist(), b.astype(np.float32)
    assert np.array_equal(layer.forward(x), dense_forward(x, W, b.astype(np.float32).astype(np.float64)))
    dout = rng.standard_normal((4, 2))
    assert np.array_equal(layer.backward(dout), dense_backward(dout, x, W)[0])
    layer.params["b"] = np.zeros(3)
    with pytest.raises(ValueError, match=r"b.*\(3,\).*\(2,\)|b.*\(2,\).*\(3,\)"):
        layer.forward(x)
    layer.params["W"], layer.params["b"] = np.zeros((2, 4)), np.zeros(2)     # a W of another width
    with pytest.raises(ValueError, match=r"W has shape \(2, 4\), expected \(n_out, n_in\) = \(2, 3\)"):
        layer.forward(np.zeros((4, 4)))
    layer.params["W"] = np.zeros((3, 2))                                    # transposed: W is named, not b
    with pytest.raises(ValueError, match=r"W has shape \(3, 2\).*did you transpose it\?"):
        layer.forward(x)
    layer.params["W"] = np.zeros((3, 3))
    with pytest.raises(ValueError, match=r"^W has shape \(3, 3\)"):
        layer.forward(x)
