import numpy as np
import pytest

from bpcourse.gradcheck import GradCheckReport, numeric_gradient, rel_error


def test_numeric_gradient_of_a_known_function_and_restores_x():
    x = np.array([[1.0, -2.0], [0.5, 3.0]])
    x0 = x.copy()
    g = numeric_gradient(lambda z: float(np.sum(z**3)), x)
    assert np.allclose(g, 3 * x0**2, rtol=1e-9)
    assert np.array_equal(x, x0)


def test_numeric_gradient_restores_x_even_if_f_raises():
    x = np.array([1.0, 2.0])

    def f(z):
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        numeric_gradient(f, x)
    assert np.array_equal(x, [1.0, 2.0])


def test_central_beats_forward_differences():
    x = np.array([0.7])
    exact = np.cos(0.7)
    central = numeric_gradient(lambda z: float(np.sin(z[0])), x.copy(), eps=1e-4)[0]
    forward = (np.sin(0.7 + 1e-4) - np.sin(0.7)) / 1e-4
    assert abs(central - exact) < 1e-8 < abs(forward - exact)


def test_rel_error():
    assert rel_error(np.zeros(3), np.zeros(3)) == 0.0
    assert rel_error([1.0, 2.0], [1.0, 2.0]) == 0.0
    assert rel_error(np.array([1.0]), np.array([-1.0])) == 1.0  # a flipped sign is the worst case
    assert rel_error(np.array([1.0]), np.array([1.0 + 1e-9])) == pytest.approx(5e-10, rel=1e-3)
    with pytest.raises(ValueError, match=r"\(2, 3\) and \(3, 2\): did you transpose\?"):
        rel_error(np.zeros((2, 3)), np.zeros((3, 2)))


def test_numeric_gradient_refuses_bad_x():
    with pytest.raises(TypeError, match="float"):
        numeric_gradient(lambda z: 0.0, np.array([1, 2]))
    with pytest.raises(ValueError, match="contiguous"):
        numeric_gradient(lambda z: 0.0, np.zeros((3, 3))[:, 0])


def test_report_worst_and_ok():
    r = GradCheckReport({"0.W": 1e-9, "2.b": 3e-3}, tol=1e-7)
    assert r.worst == ("2.b", 3e-3) and not r.ok
    assert GradCheckReport({"a": 1e-9}).ok


def test_format_rel_error_prints_round_off_as_a_bound():
    from bpcourse.gradcheck import format_rel_error

    assert format_rel_error(3.6e-3) == "3.6e-03"
    assert format_rel_error(2.3e-12) == "< 1e-8" and format_rel_error(0.0) == "< 1e-8"
    assert format_rel_error(1e-8) == "1.0e-08"                      # the floor itself is printed
    assert format_rel_error(4e-11, floor=1e-10) == "< 1e-10"
    assert format_rel_error(float("nan")) == "nan"


def test_report_text_is_the_same_for_any_round_off():
    from bpcourse.gradcheck import GradCheckReport

    a = GradCheckReport({"0.W": 3e-12, "0.b": 2e-3}, tol=1e-7)
    b = GradCheckReport({"0.W": 7e-11, "0.b": 2e-3}, tol=1e-7)
    assert str(a) == str(b)
    assert str(a).splitlines() == ["         0.W  rel. error < 1e-8", "         0.b  rel. error 2.0e-03",
                                   "worst: 0.b (2.0e-03) -> FAILED at tol 1e-07"]


# ------------------------------------------------------------------ check_network(sample=...)
def _small_net_and_batch():
    from bpcourse.networks import mlp
    net = mlp([6, 9, 4], activation="tanh", seed=3)
    rng = np.random.default_rng(4)
    return net, rng.standard_normal((5, 6)), rng.integers(0, 4, size=5)


def test_sampled_check_compares_the_same_numbers_as_the_full_check_on_its_entries():
    from bpcourse.gradcheck import check_network
    net, X, t = _small_net_and_batch()
    before = {k: p.copy() for k, p in net.parameters().items()}
    sampled = check_network(net, X, t, sample=7, seed=1)
    assert all(np.array_equal(before[k], p) for k, p in net.parameters().items())   # every entry restored
    # the same 7 entries per array, by hand: the analytic gradient against a central difference of net.loss
    net.loss_and_grad(X, t)
    analytic = {k: g.copy() for k, g in net.gradients().items()}
    rng = np.random.default_rng(1)
    for name, p in net.parameters().items():
        if p.size <= 7:
            entries = np.arange(p.size)
        else:
            entries = np.sort(rng.choice(p.size, size=7, replace=False))
        numeric = []
        for i in entries:
            old = p.flat[i]
            p.flat[i] = old + 1e-5
            up = net.loss(X, t)
            p.flat[i] = old - 1e-5
            down = net.loss(X, t)
            p.flat[i] = old
            numeric.append((up - down) / 2e-5)
        assert sampled.errors[name] == pytest.approx(rel_error(analytic[name].reshape(-1)[entries],
                                                               np.array(numeric)), rel=1e-6, abs=1e-12)
    assert sampled.ok and set(sampled.errors) == set(net.parameters())
    assert check_network(net, X, t, sample=10_000).errors == check_network(net, X, t).errors


def test_sampled_check_catches_a_wrong_weight_gradient():
    from bpcourse.gradcheck import check_network
    from bpcourse.layers import Dense
    from bpcourse.networks import Sequential

    class Off(Dense):                       # dE/dW 1 % too large in every entry
        def backward(self, dout, *, need_dx=True):
            dx = super().backward(dout, need_dx=need_dx)
            self.grads["W"] = self.grads["W"] * 1.01
            return dx

    net, X, t = _small_net_and_batch()
    bad = Sequential([Off(6, 9, W=net.layers[0].W), *net.layers[1:]], loss=net.loss_name)
    report = check_network(bad, X, t, sample=5, seed=0)
    assert not report.ok and report.worst[0] == "0.W" and report.worst[1] > 1e-3


@pytest.mark.parametrize("sample", [0, -3, 2.5, True, "10"])
def test_sampled_check_refuses_a_bad_sample_size(sample):
    from bpcourse.gradcheck import check_network
    net, X, t = _small_net_and_batch()
    with pytest.raises(ValueError, match=r"sample .* must be a positive integer, got"):
        check_network(net, X, t, sample=sample)


def test_report_names_no_worst_parameter_among_round_off():
    from bpcourse.gradcheck import GradCheckReport

    a = GradCheckReport({"0.W": 3e-12, "0.b": 7e-11}, tol=1e-7)
    b = GradCheckReport({"0.W": 9e-11, "0.b": 2e-12}, tol=1e-7)
    assert str(a) == str(b)
    assert str(a).splitlines()[-1] == "every error < 1e-8 -> OK at tol 1e-07"
