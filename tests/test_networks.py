import io
from contextlib import redirect_stdout

import numpy as np
import pytest
from hypothesis import assume, example, given, settings, strategies as st

from bpcourse.gradcheck import check_network, numeric_gradient, rel_error
from bpcourse.layers import ActivationLayer, Dense, Sigmoid
from bpcourse.networks import Sequential, mlp
from bpcourse.optimizers import SGD, Adam


def kink_distance(net, X: np.ndarray) -> float:
    """Smallest |net| entering a ReLU: a central difference is only valid where no step crosses a kink."""
    distance, a = np.inf, X
    for layer in net.layers:
        if isinstance(layer, ActivationLayer) and layer.name == "relu":
            distance = min(distance, float(np.abs(a).min()))
        a = layer.forward(a)
    return distance


def richardson(f, p: np.ndarray, h: float) -> np.ndarray:
    """Central differences at h and h/2 combined, (4·D(h/2) − D(h)) / 3: the h² error terms cancel, so a step
    10-100× larger than the default keeps round-off (≈ ε_mach·|E| / h) that much smaller."""
    return (4 * numeric_gradient(f, p, h / 2) - numeric_gradient(f, p, h)) / 3


@settings(deadline=None, max_examples=40)
@example(widths=[3, 6, 6, 1, 6], activation="sigmoid", loss="half_sse", n=1, seed=1)  # ‖∂E/∂W⁰‖ = 1.1e-4·|E|
@given(
    widths=st.lists(st.integers(1, 6), min_size=2, max_size=5),
    activation=st.sampled_from(["sigmoid", "tanh", "relu", "identity"]),
    loss=st.sampled_from(["half_sse", "mse", "binary_cross_entropy", "softmax_cross_entropy"]),
    n=st.integers(1, 5),
    seed=st.integers(0, 100_000),
)
def test_whole_networks_match_central_differences(widths, activation, loss, n, seed):
    rng = np.random.default_rng(seed)
    if loss == "softmax_cross_entropy":
        widths[-1] = max(widths[-1], 2)
    output = "sigmoid" if loss == "binary_cross_entropy" else None
    net = mlp(widths, activation=activation, loss=loss, output=output, seed=rng)
    for p in net.parameters().values():  # non-zero biases too
        p += 0.1 * rng.standard_normal(p.shape)
    X = rng.standard_normal((n, widths[0]))
    if loss == "softmax_cross_entropy":
        t = rng.integers(0, widths[-1], n)
    elif loss == "binary_cross_entropy":
        t = rng.integers(0, 2, (n, widths[-1])).astype(float)
    else:
        t = rng.standard_normal((n, widths[-1]))
    # Skip the draws where float64 central differences cannot resolve 1e-7 (about 1 in 100; the reference,
    # not the code, is what fails there):
    h = 1e-4 if activation == "relu" else 1e-3
    if activation == "relu":  # steps of h move every net by < 1e-3 here: keep them off the kink
        assume(kink_distance(net, X) > 1e-3)
    if loss == "binary_cross_entropy":  # 1 − p cancels as p → 1, so the loss itself is noisy there
        o = net.forward(X)
        assume(np.all((o > 1e-3) & (o < 1 - 1e-3)))
    E = net.loss_and_grad(X, t)
    analytic = {k: v.copy() for k, v in net.gradients().items()}
    round_off = max(1.0, abs(E)) * 1e-16 / h  # per entry, in the numeric gradient
    for g in analytic.values():  # gradients that vanish next to E (dead or saturated units)
        assume(np.sqrt(g.size) * round_off <= 1e-8 * np.linalg.norm(g) or not g.any())
    for name, p in net.parameters().items():
        err = rel_error(analytic[name], richardson(lambda _: net.loss(X, t), p, h))
        assert err <= 1e-7, f"{name}: relative error {err:.2e} against central differences"


def test_report_names_the_broken_parameter():
    net = mlp([3, 4, 2], activation="tanh", seed=0)
    X, t = np.random.default_rng(0).standard_normal((5, 3)), np.array([0, 1, 1, 0, 1])

    class BuggyDense(Dense):  # a learner's layer: overrides the public backward, with a wrong bias gradient
        def backward(self, dout, *, need_dx=True):
            dx = super().backward(dout, need_dx=need_dx)
            self.grads["b"] = 2 * self.grads["b"]
            return dx

    good = net.layers[2]
    net.layers[2] = BuggyDense(good.n_in, good.n_out, W=good.W, b=good.b)
    report = check_network(net, X, t)
    assert not report.ok and report.worst[0] == "2.b"
    assert "2.b" in str(report) and "FAILED" in str(report)


def test_xor_is_solved():
    from bpcourse.datasets import logic_gate

    X, t = logic_gate("xor")
    net = mlp([2, 4, 1], activation="tanh", loss="binary_cross_entropy", output="sigmoid", seed=0)
    hist = net.fit(X, t, epochs=500, batch_size=4, optimizer=SGD(0.5), seed=0)
    assert np.array_equal(net.predict(X), t.astype(int))
    assert hist["loss"][-1] < 0.1 < hist["loss"][0]
    assert hist["accuracy"][-1] == 1.0


def test_digits_reach_97_percent():
    """Seeded split: train_test_split(X / 16, y, test_size=0.25, seed=0); 64-128-64-10 ReLU, Adam, 30 epochs."""
    from bpcourse.datasets import load_digits, train_test_split

    X, y = load_digits()
    X_train, X_test, y_train, y_test = train_test_split(X / 16.0, y, test_size=0.25, seed=0)
    net = mlp([64, 128, 64, 10], activation="relu", seed=0)
    net.fit(X_train, y_train, epochs=30, batch_size=32, optimizer=Adam(1e-3), seed=0)
    acc = net.evaluate(X_test, y_test)["accuracy"]
    assert acc >= 0.97, f"test accuracy {acc:.4f} < 0.97"


def test_fit_is_deterministic_for_a_seed_and_history_per_epoch():
    rng = np.random.default_rng(3)
    X, y = rng.standard_normal((40, 3)), rng.integers(0, 3, 40)

    def run(seed):
        net = mlp([3, 5, 3], seed=1)
        h = net.fit(X, y, epochs=4, batch_size=8, optimizer=SGD(0.1), seed=seed, validation_data=(X, y))
        return h, net.parameters()["0.W"].copy()

    (h1, w1), (h2, w2), (_, w3) = run(0), run(0), run(1)
    assert h1 == h2 and np.array_equal(w1, w2)
    assert not np.array_equal(w1, w3)
    assert set(h1) == {"loss", "accuracy", "val_loss", "val_accuracy"} and all(len(v) == 4 for v in h1.values())


def test_progress_bar_silent_unless_asked():
    X, y = np.random.default_rng(0).standard_normal((10, 2)), np.array([0, 1] * 5)
    buf = io.StringIO()
    with redirect_stdout(buf):
        mlp([2, 3, 2]).fit(X, y, epochs=3)
    assert buf.getvalue() == ""
    with redirect_stdout(buf):
        mlp([2, 3, 2]).fit(X, y, epochs=3, progress=True)
    out = buf.getvalue()
    assert "epoch 3/3" in out and "[####" in out and out.endswith("\n")


def test_predict_and_evaluate():
    net = Sequential([Dense(2, 1, W=np.array([[1.0, 1.0]]), b=np.array([-1.5])), Sigmoid()], loss="binary_cross_entropy")
    from bpcourse.datasets import logic_gate

    X, t = logic_gate("and")
    assert np.array_equal(net.predict(X), [0, 0, 0, 1])
    assert net.evaluate(X, t)["accuracy"] == 1.0
    reg = Sequential([Dense(2, 1, W=np.array([[1.0, 2.0]]))], loss="half_sse")
    assert np.allclose(reg.predict(X), [[0], [2], [1], [3]])


def test_bad_input_is_named():
    net = mlp([3, 4, 2], seed=0)
    with pytest.raises(ValueError, match="X has 2 features per sample"):
        net.predict(np.zeros((5, 2)))
    with pytest.raises(ValueError, match="4 labels, expected 5"):
        net.fit(np.zeros((5, 3)), np.array([0, 1, 0, 1]))
    with pytest.raises(ValueError, match="infinity"):
        net.predict(np.array([[1.0, np.inf, 0.0]]))
    with pytest.raises(TypeError, match="dtype int64"):
        net.fit(np.zeros((2, 3), dtype=np.int64), np.array([0, 1]))
    with pytest.raises(ValueError, match="batch_size must be a positive integer"):
        net.fit(np.zeros((2, 3)), np.array([0, 1]), batch_size=0)
    with pytest.raises(ValueError, match="do not chain"):
        Sequential([Dense(3, 4, rng=0), ActivationLayer("relu"), Dense(5, 2, rng=0)])
    with pytest.raises(ValueError, match="unknown loss 'crossentropy'"):
        Sequential([Dense(3, 4, rng=0)], loss="crossentropy")
    with pytest.raises(TypeError, match="Optimizer"):
        net.fit(np.zeros((2, 3)), np.array([0, 1]), optimizer="sgd")
    with pytest.raises(ValueError, match=r"t has shape \(2, 3\), expected \(2, 2\)"):
        mlp([3, 2], loss="half_sse").fit(np.zeros((2, 3)), np.zeros((2, 3)))


def _multilabel_net(k: int) -> Sequential:
    W = np.array([[2.0, -1.0], [-1.5, 1.0], [0.5, 0.5], [1.0, 1.0]])[:k]
    return Sequential([Dense(2, k, W=W, b=np.linspace(-0.5, 0.5, k)), Sigmoid()], loss="binary_cross_entropy")


@pytest.mark.parametrize("n, k", [(5, 3), (3, 3), (4, 2)])  # n == k once: it used to broadcast silently
def test_multi_output_bce_accuracy_is_per_output(n, k):
    rng = np.random.default_rng(n * 10 + k)
    X = rng.standard_normal((n, 2))
    t = rng.integers(0, 2, (n, k)).astype(float)
    net = _multilabel_net(k)
    p = net.forward(X)
    right = (p > 0.5) == (t > 0.5)  # (n, k): one verdict per (sample, output)
    assert net.predict(X).shape == (n, k) and np.array_equal(net.predict(X), (p > 0.5).astype(int))
    result = net.evaluate(X, t)
    assert result["accuracy"] == right.mean()
    assert result["loss"] == pytest.approx(-np.mean(np.sum(t * np.log(p) + (1 - t) * np.log(1 - p), axis=1)))
    # fit counts the same way; with a vanishing step the weights do not move, so it must agree with evaluate
    hist = net.fit(X, t, epochs=1, batch_size=2, optimizer=SGD(1e-300), seed=0)
    assert hist["accuracy"] == [right.mean()]


def test_multi_output_bce_accuracy_counts_entries_not_samples():
    # 2 samples, 3 outputs, 5 of 6 outputs right: 5/6 (a sample-wise score would give 1/2)
    net = _multilabel_net(3)
    X = np.array([[1.0, 0.0], [0.0, 1.0]])
    right_labels = (net.forward(X) > 0.5).astype(float)
    t = right_labels.copy()
    t[1, 2] = 1.0 - t[1, 2]
    assert net.evaluate(X, t)["accuracy"] == pytest.approx(5 / 6)
    with pytest.raises(ValueError, match=r"t \(the targets\) must be targets in \[0, 1\], got values from 0 to 2"):
        net.evaluate(X, 2 * right_labels)


def test_a_hand_written_layer_without_need_dx_is_refused_with_the_fix():
    class MyTanh(ActivationLayer):
        def __init__(self):
            super().__init__("tanh")

        def backward(self, dout):  # forgot the keyword the network passes
            return dout * (1.0 - self.out ** 2)

    with pytest.raises(TypeError, match=r"MyTanh.backward\(dout\) must accept the keyword need_dx: "
                                        r"write it as def backward\(self, dout, \*, need_dx=True\)"):
        Sequential([Dense(2, 3, rng=0), MyTanh(), Dense(3, 1, rng=0)])
