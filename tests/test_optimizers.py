import numpy as np
import pytest

from bpcourse.optimizers import SGD, Adam, Momentum, make_optimizer


def _quad_grad(p):  # E = ½ Σ c_k p_k², an ill-conditioned bowl
    return np.array([1.0, 25.0]) * p


def test_sgd_step_is_w_minus_eta_g():
    p, g = np.array([1.0, 2.0]), np.array([0.5, -1.0])
    g_before = g.copy()
    SGD(0.1).step({"w": p}, {"w": g})
    assert np.allclose(p, [0.95, 2.1]) and np.array_equal(g, g_before)


def test_momentum_matches_its_recurrence():
    p = np.array([1.0])
    opt = Momentum(lr=0.1, beta=0.9)
    v, w = 0.0, 1.0
    for _ in range(5):
        g = 2 * w
        opt.step({"w": p}, {"w": np.array([2 * p[0]])})
        v = 0.9 * v - 0.1 * g
        w = w + v
        assert p[0] == pytest.approx(w, abs=1e-15)


def test_adam_first_step_moves_every_coordinate_by_lr():
    p = np.array([1.0, -3.0, 100.0])
    Adam(lr=0.01).step({"w": p}, {"w": np.array([1e-3, -50.0, 7.0])})
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
