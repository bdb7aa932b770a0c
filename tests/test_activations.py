import warnings

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from hypothesis.extra.numpy import arrays

from bpcourse.activations import ACTIVATIONS, get_activation, sigmoid, softmax, softmax_jacobian
from bpcourse.gradcheck import numeric_gradient, rel_error

# Central differences resolve a derivative only down to ~1e-16·|f|/ε: where tanh or σ saturate (|net| > 4 or so)
# the derivative is too small next to f for a 1e-7 check, so saturation is tested against mpmath below.
finite = st.floats(-4, 4, allow_nan=False)


@pytest.mark.parametrize("name", list(ACTIVATIONS))
@settings(deadline=None, max_examples=30)
@given(net=arrays(np.float64, st.tuples(st.integers(1, 4), st.integers(1, 5)), elements=finite))
def test_derivative_matches_central_differences(name, net):
    act = get_activation(name)
    if name == "relu":  # keep clear of the kink, where no derivative exists
        net = np.where(np.abs(net) < 1e-3, 0.5, net)
    g = np.random.default_rng(0).standard_normal(net.shape)
    numeric = numeric_gradient(lambda z: float(np.sum(act.f(z) * g)), net.copy())
    assert rel_error(act.f_prime(net) * g, numeric) <= 1e-7


def test_sigmoid_no_overflow_at_extremes():
    z = np.array([-1e4, -800.0, -50.0, 0.0, 50.0, 800.0, 1e4])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s = sigmoid(z)
    assert s[0] == 0.0 and s[-1] == 1.0 and s[3] == 0.5
    assert np.all(np.diff(s) >= 0)
    assert s[2] == pytest.approx(np.exp(-50.0) / (1 + np.exp(-50.0)), rel=1e-14)  # tiny, yet not flushed to 0
    assert s[4] == 1 / (1 + np.exp(-50.0))


def test_softmax_rows_sum_to_one_and_stable():
    z = np.array([[1000.0, 1001.0, 1002.0], [-1e4, 0.0, 1e4], [0.0, 0.0, 0.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        p = softmax(z)
    assert np.allclose(p.sum(axis=1), 1.0)
    assert np.all(np.isfinite(p))
    assert np.allclose(p[0], softmax(np.array([0.0, 1.0, 2.0])))
    assert np.allclose(p[2], 1 / 3)


@settings(deadline=None, max_examples=30)
@given(net=arrays(np.float64, st.integers(2, 6), elements=finite))
def test_softmax_jacobian_matches_central_differences(net):
    J = softmax_jacobian(net)
    for i in range(net.size):
        numeric = numeric_gradient(lambda z: float(softmax(z)[i]), net.copy())
        assert rel_error(J[i], numeric) <= 1e-7


def test_unknown_activation_names_the_known_ones():
    with pytest.raises(ValueError, match="unknown activation 'sigmod'.*'sigmoid'"):
        get_activation("sigmod")
    with pytest.raises(ValueError, match="SoftmaxCrossEntropy"):
        get_activation("softmax")


@pytest.mark.parametrize("name", ["sigmoid", "tanh"])
def test_derivative_in_saturation_matches_high_precision(name):
    mpmath = pytest.importorskip("mpmath")
    mpmath.mp.dps = 50
    exact_f = {"sigmoid": lambda z: 1 / (1 + mpmath.exp(-z)), "tanh": mpmath.tanh}[name]
    act = get_activation(name)
    for z in (-30.0, -12.0, -6.0, 4.5, 6.0, 12.0, 30.0):
        exact = float(mpmath.diff(exact_f, mpmath.mpf(z)))
        assert abs(float(act.f_prime(np.array(z))) - exact) <= 1e-12 * exact, (name, z)


def test_scalar_forms_are_the_array_forms():
    # one formula each: the scalar versions (for the scalar models and autodiff) agree to rounding (math.exp
    # and np.exp may differ in the last bit)
    from bpcourse.activations import sigmoid_prime, sigmoid_prime_scalar, sigmoid_scalar, tanh_prime, tanh_prime_scalar

    for z in (-800.0, -40.0, -19.5, -3.2, -1e-9, 0.0, 1e-9, 0.7, 5.0, 20.0, 37.5, 800.0):
        for scalar, array in ((sigmoid_scalar, sigmoid), (sigmoid_prime_scalar, sigmoid_prime),
                              (tanh_prime_scalar, tanh_prime)):
            assert scalar(z) == pytest.approx(float(array(np.array(z))), rel=1e-15, abs=0), (scalar.__name__, z)
