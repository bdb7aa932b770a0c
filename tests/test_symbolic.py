"""Closed-form derivatives used by the package and the chapters, checked symbolically with sympy."""
import numpy as np
import pytest

sp = pytest.importorskip("sympy")

from bpcourse.activations import sigmoid, sigmoid_prime, tanh_prime
from bpcourse.losses import softmax_cross_entropy

z = sp.symbols("z", real=True)


def test_sigmoid_prime_is_sigma_times_one_minus_sigma():
    s = 1 / (1 + sp.exp(-z))
    assert sp.simplify(sp.diff(s, z) - s * (1 - s)) == 0
    f = sp.lambdify(z, sp.diff(s, z), "numpy")
    pts = np.linspace(-8, 8, 33)
    assert np.allclose(sigmoid_prime(pts), f(pts), rtol=1e-12, atol=0)


def test_tanh_prime_is_one_minus_tanh_squared():
    assert sp.simplify(sp.diff(sp.tanh(z), z) - (1 - sp.tanh(z) ** 2)) == 0
    f = sp.lambdify(z, sp.diff(sp.tanh(z), z), "numpy")
    pts = np.linspace(-4, 4, 33)
    assert np.allclose(tanh_prime(pts), f(pts), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("C", [2, 3, 4])
def test_softmax_cross_entropy_delta_is_p_minus_y(C):
    nets = sp.symbols(f"n0:{C}", real=True)
    for k in range(C):  # the true class
        den = sum(sp.exp(n) for n in nets)
        E = -sp.log(sp.exp(nets[k]) / den)
        for j in range(C):
            p_j = sp.exp(nets[j]) / den
            assert sp.simplify(sp.diff(E, nets[j]) - (p_j - (1 if j == k else 0))) == 0
    # and the package's gradient equals the symbolic one at a point
    vals = np.array([[0.3, -1.2, 2.0, 0.5][:C]])
    E = -sp.log(sp.exp(nets[0]) / sum(sp.exp(n) for n in nets))
    sym = np.array([[float(sp.diff(E, n).subs(dict(zip(nets, vals[0])))) for n in nets]])
    assert np.allclose(softmax_cross_entropy(vals, np.array([0]))[1], sym, rtol=1e-12)


def test_single_neuron_gradient():
    """∂L/∂w_j = (o − t)·o·(1 − o)·x_j for o = σ(w·x + b), L = ½(o − t)²."""
    w1, w2, b, x1, x2, t = sp.symbols("w1 w2 b x1 x2 t", real=True)
    o = 1 / (1 + sp.exp(-(w1 * x1 + w2 * x2 + b)))
    L = (o - t) ** 2 / 2
    for w, x in ((w1, x1), (w2, x2)):
        assert sp.simplify(sp.diff(L, w) - (o - t) * o * (1 - o) * x) == 0
    assert sp.simplify(sp.diff(L, b) - (o - t) * o * (1 - o)) == 0
    assert abs(float(sigmoid(np.array(0.0))) - 0.5) < 1e-15
