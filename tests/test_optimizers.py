import numpy as np
import pytest

from bpcourse.optimizers import SGD, Adam, Momentum, RMSProp, make_optimizer


def _quad_grad(p):  # E = ½ Σ c_k p_k², an ill-conditioned bowl
    return np.array([1.0, 25.0]) * p


def test_sgd_step_is_w_minus_eta_g():
    p, g = np.array([1.0, 2.0]), np.array([0.5, -1.0])
    g_before = g.copy()
    SGD(0.1).step({"w": p}, {"w": g})
    assert np.allclose(p, [0.95, 2.1]) and np.array_equal(g, g_before)


def test_momentum_matches_its_recurrence():
    p = np.array([1.0])
    opt = Momentum(eta=0.1, beta=0.9)
    v, w = 0.0, 1.0
    for _ in range(5):
        g = 2 * w
        opt.step({"w": p}, {"w": np.array([2 * p[0]])})
        v = 0.9 * v - 0.1 * g
        w = w + v
        assert p[0] == pytest.approx(w, abs=1e-15)


def test_adam_first_step_moves_every_coordinate_by_lr():
    p = np.array([1.0, -3.0, 100.0])
    Adam(eta=0.01).step({"w": p}, {"w": np.array([1e-3, -50.0, 7.0])})
    assert np.allclose(p, [1.0 - 0.01, -3.0 + 0.01, 100.0 - 0.01], atol=1e-7)


@pytest.mark.parametrize("opt", [SGD(0.03), Momentum(0.03, 0.9), Adam(0.1)])
def test_each_optimiser_minimises_a_bowl(opt):
    p = np.array([1.0, 1.0])
    for _ in range(300):
        opt.step({"p": p}, {"p": _quad_grad(p)})
    assert np.linalg.norm(p) < 1e-3, repr(opt)


def test_state_is_per_parameter_and_resettable():
    opt = Adam(0.1)
    a, b = np.zeros(2), np.zeros(3)
    opt.step({"a": a, "b": b}, {"a": np.ones(2), "b": np.ones(3)})
    assert set(opt.state) == {"a", "b"} and opt.state["a"]["t"] == 1
    opt.reset()
    assert opt.state == {}


def test_bad_arguments():
    with pytest.raises(ValueError, match="learning rate"):
        SGD(-0.1)
    with pytest.raises(ValueError, match=r"beta must be in \[0, 1\)"):
        Momentum(0.1, beta=1.0)
    with pytest.raises(ValueError, match="unknown optimizer 'adamw'"):
        make_optimizer("adamw", 0.1)
    with pytest.raises(ValueError, match=r"gradient of w has shape \(3,\), expected \(2,\)"):
        SGD(0.1).step({"w": np.zeros(2)}, {"w": np.zeros(3)})
    with pytest.raises(ValueError, match="same names"):
        SGD(0.1).step({"w": np.zeros(2)}, {"v": np.zeros(2)})
    # updated in place: an integer array would silently drop the step's fractions, a list or a scalar could not
    # be updated; and a refused pair leaves every parameter and the optimiser's state as they were
    for opt in (SGD(0.1), Momentum(0.1), RMSProp(0.1), Adam(0.1)):
        for bad, got in ((np.zeros(2, dtype=np.int64), "an array of dtype int64"), ([0.0, 0.0], "a list"),
                         (np.float64(1.0), "a float64")):
            a = np.zeros(2)
            with pytest.raises(TypeError, match=rf"parameter w must be a float NumPy array .*, got {got}$"):
                opt.step({"a": a, "w": bad}, {"a": np.ones(2), "w": np.ones(2)})
            assert np.array_equal(a, np.zeros(2)) and opt.state == {}
        with pytest.raises(ValueError, match=r"gradient of w has shape"):
            opt.step({"a": a, "w": np.zeros(2)}, {"a": np.ones(2), "w": np.ones(3)})
        assert np.array_equal(a, np.zeros(2)) and opt.state == {}


# ----- the pure steps: one home per update rule, which the classes and the exercises' references call -----
from bpcourse.optimizers import adam_step, momentum_step, sgd_step  # noqa: E402


def test_pure_steps_by_hand_and_inputs_untouched():
    w, g = np.array([1.0, -2.0]), np.array([0.5, 4.0])
    v, m = np.array([0.2, -0.1]), np.array([0.05, 0.3])
    before = [a.copy() for a in (w, g, v, m)]
    assert np.array_equal(sgd_step(w, g, 0.1), [0.95, -2.4])
    w1, v1 = momentum_step(w, v, g, 0.1, 0.5)
    assert np.allclose(v1, [0.1 - 0.05, -0.05 - 0.4], rtol=0, atol=1e-15)
    assert np.allclose(w1, [1.05, -2.45], rtol=0, atol=1e-15)
    # Adam at t = 2 with β1 = 0.5, β2 = 0.75, ε = 0.25: every number below is worked out by hand
    w2, m2, v2 = adam_step(w, m, np.array([0.16, 4.0]), g, 2, 0.1, 0.5, 0.75, 0.25)
    assert np.allclose(m2, [0.275, 2.15], rtol=0, atol=1e-15)           # 0.5·m + 0.5·g
    assert np.allclose(v2, [0.1825, 7.0], rtol=0, atol=1e-15)           # 0.75·v + 0.25·g²
    m_hat, v_hat = m2 / 0.75, v2 / (1 - 0.75**2)                        # 1 − 0.5², 1 − 0.75²
    assert np.allclose(w2, w - 0.1 * m_hat / (np.sqrt(v_hat) + 0.25), rtol=0, atol=1e-15)
    assert np.allclose(w2, [1.0 - 0.1 * (0.275 / 0.75) / (np.sqrt(0.1825 / 0.4375) + 0.25),
                            -2.0 - 0.1 * (2.15 / 0.75) / (4.0 + 0.25)], rtol=0, atol=1e-15)
    for a, b in zip((w, g, v, m), before):
        assert np.array_equal(a, b)


def test_classes_are_the_pure_steps_bit_for_bit():
    rng = np.random.default_rng(5)
    p = {k: rng.standard_normal((3, 4)) for k in ("sgd", "momentum", "adam")}
    opts = {"sgd": SGD(0.07), "momentum": Momentum(0.07, 0.8), "adam": Adam(0.07, 0.85, 0.99, 1e-6)}
    w = {k: a.copy() for k, a in p.items()}
    v_mom, m_adam, v_adam = np.zeros((3, 4)), np.zeros((3, 4)), np.zeros((3, 4))
    for t in range(1, 6):
        g = rng.standard_normal((3, 4))
        for k, opt in opts.items():
            opt.step({"p": p[k]}, {"p": g})
        w["sgd"] = sgd_step(w["sgd"], g, 0.07)
        w["momentum"], v_mom = momentum_step(w["momentum"], v_mom, g, 0.07, 0.8)
        w["adam"], m_adam, v_adam = adam_step(w["adam"], m_adam, v_adam, g, t, 0.07, 0.85, 0.99, 1e-6)
        for k in opts:
            assert np.array_equal(p[k], w[k]), (k, t)


def test_adam_eps_stays_outside_the_square_root():
    # tiny gradients and a large ε: ε inside the root (√(v̂ + ε)) moves w a different amount
    w, g = np.array([0.0]), np.array([1e-6])
    w1, _, _ = adam_step(w, np.zeros(1), np.zeros(1), g, 1, 1.0, 0.9, 0.999, 1e-2)
    assert w1[0] == -(1e-6 / (1e-6 + 1e-2))            # m̂ = g, √v̂ = |g| at step 1
    assert not np.isclose(w1[0], -(1e-6 / np.sqrt(1e-12 + 1e-2)))


@pytest.mark.parametrize("call, msg", [
    (lambda: sgd_step(np.zeros(2), np.zeros(3), 0.1), r"g has shape \(3,\), expected the shape of w, \(2,\)"),
    (lambda: sgd_step(np.zeros(2), np.zeros((1, 2)), 0.1), r"g has shape \(1, 2\)"),
    (lambda: sgd_step(np.zeros(2), np.zeros(2), 0.0), "eta .* must be a positive number, got 0.0"),
    (lambda: momentum_step(np.zeros(2), np.zeros(1), np.zeros(2), 0.1, 0.9), r"v has shape \(1,\)"),
    (lambda: momentum_step(np.zeros(2), np.zeros(2), np.zeros(2), 0.1, 1.0), r"beta must be in \[0, 1\)"),
    (lambda: adam_step(np.zeros(2), np.zeros(2), np.zeros(2), np.zeros(2), 0, 0.1),
     r"t \(Adam's step number, 1 for the first step\) must be a positive integer, got 0"),
    (lambda: adam_step(np.zeros(2), np.zeros(2), np.zeros(2), np.zeros(2), 1.0, 0.1), "must be a positive integer"),
    (lambda: adam_step(np.zeros(2), np.zeros(2), np.zeros(2), np.zeros(2), 1, 0.1, eps=-1.0), "eps must be"),
])
def test_pure_steps_refuse_bad_input(call, msg):
    with pytest.raises(ValueError, match=msg):
        call()


# ----- RMSProp: the pure step, the class, and its registration -----
from bpcourse.optimizers import OPTIMIZERS, rmsprop_step  # noqa: E402


def test_rmsprop_step_by_hand_and_inputs_untouched():
    # ρ = 0.5, ε = 0.5: s = 0.5·[0.5, 2] + 0.5·[1, 16] = [0.75, 9]; steps η·g/(√s + ε), worked out by hand
    w, s, g = np.array([1.0, -2.0]), np.array([0.5, 2.0]), np.array([1.0, -4.0])
    before = [a.copy() for a in (w, s, g)]
    w1, s1 = rmsprop_step(w, s, g, 0.1, rho=0.5, eps=0.5)
    assert np.array_equal(s1, [0.75, 9.0])
    assert np.allclose(w1, [1.0 - 0.1 / (np.sqrt(0.75) + 0.5), -2.0 + 0.4 / 3.5], rtol=0, atol=1e-15)
    for a, b in zip((w, s, g), before):
        assert np.array_equal(a, b)


def test_rmsprop_steady_gradient_steps_approach_eta_whatever_its_scale():
    # with a constant g, s → g², so the step → η·|g|/(|g| + ε) ≈ η for gradients 1e-3 and 1e3 alike
    for g0 in (1e-3, 1e3):
        w, s = np.zeros(1), np.zeros(1)
        for _ in range(200):
            w_new, s = rmsprop_step(w, s, np.array([g0]), 0.01)
            step, w = w[0] - w_new[0], w_new
        assert step == pytest.approx(0.01, rel=1e-4), g0


def test_rmsprop_class_is_the_pure_step_bit_for_bit_and_registered():
    rng = np.random.default_rng(7)
    p = rng.standard_normal((3, 4))
    w, s = p.copy(), np.zeros((3, 4))
    opt = make_optimizer("rmsprop", 0.05, rho=0.8, eps=1e-6)
    assert isinstance(opt, RMSProp) and OPTIMIZERS["rmsprop"] is RMSProp
    for _ in range(5):
        g = rng.standard_normal((3, 4))
        opt.step({"p": p}, {"p": g})
        w, s = rmsprop_step(w, s, g, 0.05, 0.8, 1e-6)
        assert np.array_equal(p, w) and np.array_equal(opt.state["p"]["s"], s)
    assert repr(opt) == "RMSProp(eta=0.05, rho=0.8)"


def test_rmsprop_minimises_the_bowl():
    p, opt = np.array([1.0, 1.0]), RMSProp(0.01)
    for _ in range(300):
        opt.step({"p": p}, {"p": _quad_grad(p)})
    assert np.linalg.norm(p) < 2e-2          # RMSProp at a fixed η ends by hopping about the minimum at ~η


@pytest.mark.parametrize("call, msg", [
    (lambda: rmsprop_step(np.zeros(2), np.zeros(3), np.zeros(2), 0.1), r"s has shape \(3,\), expected the shape"),
    (lambda: rmsprop_step(np.zeros(2), np.zeros(2), np.zeros(2), 0.1, rho=1.0), r"rho must be in \[0, 1\)"),
    (lambda: rmsprop_step(np.zeros(2), np.zeros(2), np.zeros(2), -0.1), "eta .* must be a positive number"),
    (lambda: RMSProp(0.1, eps=0.0), "eps must be a positive number"),
])
def test_rmsprop_refuses_bad_input(call, msg):
    with pytest.raises(ValueError, match=msg):
        call()


@pytest.mark.parametrize("make", [lambda: SGD(0.1), lambda: Momentum(0.1), lambda: RMSProp(0.1), lambda: Adam(0.1)])
@pytest.mark.parametrize("bad", [0.0, -0.1, float("nan")])
def test_eta_set_after_construction_is_checked_as_in_the_constructor(make, bad):
    # a schedule sets opt.eta before each step, and the steps no longer check it: the assignment must
    opt = make()
    with pytest.raises(ValueError, match="eta"):
        opt.eta = bad
    assert opt.eta == 0.1
    params = {"w": np.array([1.0])}
    opt.step(params, {"w": np.array([1.0])})
    assert params["w"][0] < 1.0


def test_betas_rho_and_eps_set_after_construction_are_checked():
    for opt, name, bad in [(Momentum(0.1), "beta", 1.0), (RMSProp(0.1), "rho", -0.5), (RMSProp(0.1), "eps", 0.0),
                           (Adam(0.1), "beta1", float("nan")), (Adam(0.1), "beta2", 1.5), (Adam(0.1), "eps", -1e-8)]:
        with pytest.raises(ValueError, match=name):
            setattr(opt, name, bad)


@pytest.mark.parametrize("bad", ["0.5", None, True, False, np.array([0.5])])
def test_a_beta_that_is_not_a_number_is_named(bad):
    with pytest.raises(TypeError, match=r"beta must be a number in \[0, 1\), got"):
        Momentum(0.1, beta=bad)
