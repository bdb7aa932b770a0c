import warnings

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from bpcourse.gradcheck import numeric_gradient, rel_error
from bpcourse.losses import LOSSES, binary_cross_entropy, half_sse, mse, one_hot, softmax_cross_entropy


def _case(name, n, k, seed):
    rng = np.random.default_rng(seed)
    if name == "softmax_cross_entropy":
        # logit gaps ≤ 4 keep every |p − y| ≥ 0.018: a confident row's gradient (≈ e^-gap) would drown in the
        # round-off of its loss (≈ 1e-16·|net| / ε); large logits are tested for finiteness below
        return rng.uniform(-2, 2, (n, k)), rng.integers(0, k, n)
    if name == "binary_cross_entropy":
        return rng.uniform(0.05, 0.95, (n, k)), rng.integers(0, 2, (n, k)).astype(float)
    return rng.standard_normal((n, k)), rng.standard_normal((n, k))


@pytest.mark.parametrize("name", list(LOSSES))
@settings(deadline=None, max_examples=25)
@given(n=st.integers(1, 5), k=st.integers(2, 4), seed=st.integers(0, 10_000))
def test_gradient_matches_central_differences(name, n, k, seed):
    y, t = _case(name, n, k, seed)
    loss = LOSSES[name]
    value, grad = loss(y, t)
    assert np.isfinite(value)
    assert rel_error(grad, numeric_gradient(lambda z: loss(z, t)[0], y.copy())) <= 1e-7


def test_half_sse_is_the_articles_half_sum_for_one_sample():
    value, grad = half_sse(np.array([0.75, 0.77]), np.array([0.01, 0.99]))
    assert value == pytest.approx(0.5 * (0.74**2 + 0.22**2))
    assert np.allclose(grad, [0.74, -0.22])


def test_mse_is_mean_over_entries():
    assert mse(np.array([[1.0, 2.0]]), np.array([[0.0, 0.0]]))[0] == pytest.approx(2.5)


def test_softmax_cross_entropy_delta_is_p_minus_y():
    net = np.array([[2.0, 1.0, 0.1]])
    value, grad = softmax_cross_entropy(net, np.array([0]))
    p = np.exp(net) / np.exp(net).sum()
    assert value == pytest.approx(-np.log(p[0, 0]))
    assert np.allclose(grad, p - [[1, 0, 0]])
    # one-hot targets give the same
    v2, g2 = softmax_cross_entropy(net, one_hot(np.array([0]), 3))
    assert v2 == pytest.approx(value) and np.allclose(g2, grad)


def test_softmax_cross_entropy_labels_match_one_hot_in_any_memory_order():
    # the labels path indexes the flattened logits; a column-major or strided input must give the same numbers
    rng = np.random.default_rng(3)
    net, labels = rng.standard_normal((7, 4)), rng.integers(0, 4, 7)
    value, grad = softmax_cross_entropy(net, labels)
    v_hot, g_hot = softmax_cross_entropy(net, one_hot(labels, 4))
    assert abs(value - v_hot) <= 1e-15 and np.abs(grad - g_hot).max() <= 1e-16
    for other in (np.asfortranarray(net), np.repeat(net, 2, axis=1)[:, ::2]):
        for check in (True, False):
            v, g = softmax_cross_entropy(other, labels, check_input=check)
            assert v == value and np.array_equal(g, grad) and g.flags.c_contiguous


def test_losses_are_finite_at_probabilities_zero_and_one():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        value, grad = binary_cross_entropy(np.array([[0.0, 1.0, 0.0, 1.0]]), np.array([[0.0, 1.0, 1.0, 0.0]]))
        assert np.isfinite(value) and np.all(np.isfinite(grad))
        assert value > 20  # confident and wrong costs a lot, but finitely
        v, g = softmax_cross_entropy(np.array([[1e4, -1e4]]), np.array([1]))
        assert np.isfinite(v) and v == pytest.approx(2e4) and np.all(np.isfinite(g))


def test_bad_inputs_are_named():
    with pytest.raises(ValueError, match=r"shape \(2, 3\) but target t has shape \(3, 2\)"):
        half_sse(np.zeros((2, 3)), np.zeros((3, 2)))
    with pytest.raises(TypeError, match="dtype int64"):
        mse(np.array([[1, 2]]), np.array([[1.0, 2.0]]))
    with pytest.raises(ValueError, match="NaN"):
        half_sse(np.array([np.nan]), np.array([1.0]))
    with pytest.raises(ValueError, match="probabilities in \\[0, 1\\]"):
        binary_cross_entropy(np.array([1.5]), np.array([1.0]))
    with pytest.raises(ValueError, match="3 labels, expected 2"):
        softmax_cross_entropy(np.zeros((2, 4)), np.array([0, 1, 2]))
    with pytest.raises(ValueError, match=r"class indices in \[0, 3\]"):
        softmax_cross_entropy(np.zeros((2, 4)), np.array([0, 4]))
    with pytest.raises(TypeError, match="integer class labels"):
        softmax_cross_entropy(np.zeros((2, 4)), np.array(["a", "b"]))
    with pytest.raises(TypeError, match="object"):
        half_sse(np.array([1.0, None], dtype=object), np.array([1.0, 2.0]))


@pytest.mark.parametrize("name", list(LOSSES))
def test_unchecked_fast_path_gives_the_same_numbers(name):
    # check_input=False (what a network calls per batch, after checking its data once) skips only checks
    y, t = _case(name, 4, 3, seed=7)
    if name == "softmax_cross_entropy":
        targets = (t, one_hot(t, 3))  # labels and a target matrix take different kernels
    else:
        targets = (t,)
    for tt in targets:
        v1, g1 = LOSSES[name](y, tt)
        v2, g2 = LOSSES[name](y, tt, check_input=False)
        assert v1 == v2 and np.array_equal(g1, g2)


def test_bce_checks_p_even_unchecked():
    # p comes from the model, not from the data: a network without a sigmoid output must still be told
    with pytest.raises(ValueError, match=r"p must be probabilities in \[0, 1\], got values from -0.5 to 2.*sigmoid"):
        binary_cross_entropy(np.array([[-0.5, 2.0]]), np.array([[0.0, 1.0]]), check_input=False)


# ---------------------------------------------------- cross_entropy and softmax_cross_entropy_backward (exercise 08)
@settings(deadline=None, max_examples=30)
@given(n=st.integers(1, 5), c=st.integers(2, 5), seed=st.integers(0, 10_000))
def test_cross_entropy_and_its_softmax_gradient_match_central_differences(n, c, seed):
    from bpcourse.activations import softmax
    from bpcourse.losses import cross_entropy, softmax_cross_entropy_backward

    rng = np.random.default_rng(seed)
    net, T = rng.uniform(-3, 3, (n, c)), one_hot(rng.integers(0, c, size=n), c)
    # by hand: the mean over samples of −log(probability of the true class)
    P = np.exp(net) / np.exp(net).sum(axis=1, keepdims=True)
    by_hand = -np.mean(np.log(P[np.arange(n), T.argmax(axis=1)]))
    assert abs(cross_entropy(P, T) - by_hand) <= 1e-12 * max(1.0, by_hand)
    grad = softmax_cross_entropy_backward(net, T)
    num = numeric_gradient(lambda z: cross_entropy(softmax(z), T), net.copy())
    assert rel_error(grad, num) <= 1e-7
    assert np.array_equal(grad, softmax_cross_entropy(net, T)[1])


@pytest.mark.parametrize("P, T, words", [
    (np.full((2, 3), 1 / 3), np.eye(2), ["t (the targets)", "(2, 2)", "(2, 3)"]),
    (np.array([[0.0, 1.0]]), np.array([[1.0, 0.0]]), ["P", "> 0", "0"]),
    (np.full(3, 1 / 3), np.eye(3)[0], ["P (the probabilities)", "2 dimension", "(3,)"]),
])
def test_cross_entropy_names_what_was_expected_and_received(P, T, words):
    from bpcourse.losses import cross_entropy

    with pytest.raises((ValueError, TypeError)) as info:
        cross_entropy(P, T)
    assert all(w in str(info.value) for w in words), str(info.value)
