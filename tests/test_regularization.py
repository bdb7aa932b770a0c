"""L2 weight decay, inverted dropout and early stopping (bpcourse/regularization.py)."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from bpcourse.gradcheck import numeric_gradient, rel_error
from bpcourse.regularization import (EarlyStop, dropout_backward, dropout_forward, early_stopping, l2_backward,
                                     l2_forward)


# ------------------------------------------------------------------------------------------------ L2
@settings(deadline=None, max_examples=30)
@given(rows=st.integers(1, 5), cols=st.integers(1, 5), lam=st.floats(0.01, 10.0), dout=st.floats(0.1, 3.0),
       seed=st.integers(0, 10_000))
def test_l2_backward_matches_central_differences(rows, cols, lam, dout, seed):
    W = np.random.default_rng(seed).standard_normal((rows, cols))
    _, cache = l2_forward(W, lam)
    numeric = numeric_gradient(lambda w: dout * l2_forward(w, lam)[0], W)
    assert rel_error(l2_backward(dout, cache), numeric) <= 1e-7


def test_l2_by_hand_and_inputs_untouched():
    W = np.array([[1.0, -2.0], [0.5, 3.0]])
    before = W.copy()
    penalty, cache = l2_forward(W, 0.1)
    assert penalty == pytest.approx(0.05 * (1 + 4 + 0.25 + 9), abs=1e-15)
    assert np.array_equal(l2_backward(1.0, cache), 0.1 * W)
    assert np.array_equal(l2_backward(2.0, cache), 0.2 * W)
    assert np.array_equal(W, before)
    assert l2_forward(W, 0.0)[0] == 0.0


@pytest.mark.parametrize("call, exc, msg", [
    (lambda: l2_forward(np.ones(2), -0.1), ValueError, r"lam \(the L2 strength λ\) must be a finite number >= 0, "
                                                        r"got -0.1"),
    (lambda: l2_forward(np.ones(2), float("nan")), ValueError, "got nan"),
    (lambda: l2_forward(np.ones(2), True), ValueError, "got True"),
    (lambda: l2_forward(np.array([1, 2]), 0.1), TypeError, "W must hold floating-point numbers"),
    (lambda: l2_forward(np.array([1.0, np.nan]), 0.1), ValueError, "W contains NaN"),
    (lambda: l2_backward(np.ones(2), l2_forward(np.ones(2), 0.1)[1]), ValueError, "must have 0 dimension"),
])
def test_l2_refuses_bad_input(call, exc, msg):
    with pytest.raises(exc, match=msg):
        call()


# ------------------------------------------------------------------------------------------- dropout
@settings(deadline=None, max_examples=30)
@given(n=st.integers(1, 6), m=st.integers(1, 6), keep=st.floats(0.2, 1.0), seed=st.integers(0, 10_000))
def test_dropout_backward_matches_central_differences_with_a_fixed_mask(n, m, keep, seed):
    rng = np.random.default_rng(seed)
    x, dout = rng.standard_normal((n, m)), rng.standard_normal((n, m))
    _, cache = dropout_forward(x, keep, seed=seed)
    # the same int seed draws the same mask at every call, so the loss is a fixed function of x
    numeric = numeric_gradient(lambda v: float(np.sum(dropout_forward(v, keep, seed=seed)[0] * dout)), x)
    analytic = dropout_backward(dout, cache)
    if not np.any(analytic) and not np.any(numeric):
        return                                    # every unit dropped: both gradients are exactly zero
    assert rel_error(analytic, numeric) <= 1e-7


def test_dropout_mask_scale_and_expectation():
    x = np.full((200, 500), 2.0)
    out, mask = dropout_forward(x, 0.8, seed=3)
    assert set(np.unique(mask)) == {0.0, 1.0 / 0.8}
    assert set(np.unique(out)) == {0.0, 2.0 / 0.8}
    kept = float(np.mean(mask > 0))
    assert abs(kept - 0.8) < 4 * np.sqrt(0.8 * 0.2 / x.size)          # four binomial standard deviations
    assert abs(out.mean() - 2.0) < 4 * 2.0 / 0.8 * np.sqrt(0.8 * 0.2 / x.size)   # inverted: E[out] = x


def test_dropout_same_seed_same_mask_and_test_mode_is_identity():
    x = np.random.default_rng(0).standard_normal((4, 5))
    before = x.copy()
    a, ca = dropout_forward(x, 0.5, seed=11)
    b, cb = dropout_forward(x, 0.5, seed=11)
    assert np.array_equal(a, b) and np.array_equal(ca, cb)
    assert not np.array_equal(ca, dropout_forward(x, 0.5, seed=12)[1])
    out, cache = dropout_forward(x, 0.5, train=False)
    assert cache is None and np.array_equal(out, x) and out is not x
    dout = np.ones((4, 5))
    assert np.array_equal(dropout_backward(dout, None), dout)
    assert np.array_equal(dropout_backward(dout, ca), ca)
    assert np.array_equal(x, before)
    assert np.array_equal(dropout_forward(x, 1.0, seed=0)[0], x)      # keep = 1 drops nothing


@pytest.mark.parametrize("call, exc, msg", [
    (lambda: dropout_forward(np.ones((2, 2)), 0.0, seed=0), ValueError, r"keep .* must be in \(0, 1\], got 0.0"),
    (lambda: dropout_forward(np.ones((2, 2)), 1.5, seed=0), ValueError, "got 1.5"),
    (lambda: dropout_forward(np.ones((2, 2)), 0.5), TypeError, "seed .* got None"),
    (lambda: dropout_forward(np.ones((2, 2)), 0.5, seed=0, train=1), TypeError, "train must be True or False"),
    (lambda: dropout_backward(np.ones((3, 2)), np.ones((2, 2))), ValueError,
     r"dout has shape \(3, 2\), expected \(2, 2\)"),
])
def test_dropout_refuses_bad_input(call, exc, msg):
    with pytest.raises(exc, match=msg):
        call()


# ------------------------------------------------------------------------------------ early stopping
def test_early_stopping_rule_by_hand():
    losses = [1.0, 0.8, 0.7, 0.75, 0.72, 0.71, 0.9]
    # best 0.7 in epoch 3; epochs 4, 5, 6 do not improve on it: patience 3 stops after epoch 6
    assert early_stopping(losses, patience=3) == EarlyStop(best_epoch=3, stop_epoch=6)
    assert early_stopping(losses, patience=2) == EarlyStop(3, 5)
    assert early_stopping(losses, patience=5) == EarlyStop(3, None)      # never 5 epochs in a row
    assert early_stopping([1.0, 0.9, 0.8], patience=1) == EarlyStop(3, None)


def test_early_stopping_min_delta_and_ties():
    # 0.69 improves on 0.7 by 0.01: an improvement with min_delta 0, not with min_delta 0.05
    assert early_stopping([1.0, 0.7, 0.69, 0.68], patience=2) == EarlyStop(4, None)
    assert early_stopping([1.0, 0.7, 0.69, 0.68], patience=2, min_delta=0.05) == EarlyStop(2, 4)
    assert early_stopping([0.5, 0.5, 0.5], patience=2) == EarlyStop(1, 3)   # a tie is no improvement


@pytest.mark.parametrize("call, exc, msg", [
    (lambda: early_stopping([], 2), ValueError, "val_losses is empty"),
    (lambda: early_stopping([1.0, 0.5], 0), ValueError, r"patience .* must be a positive integer, got 0"),
    (lambda: early_stopping([1.0, 0.5], 2.0), ValueError, "got 2.0"),
    (lambda: early_stopping([1.0, float("nan")], 2), ValueError, "val_losses contains NaN"),
    (lambda: early_stopping([1.0], 2, min_delta=-1.0), ValueError, "min_delta must be a finite number >= 0"),
])
def test_early_stopping_refuses_bad_input(call, exc, msg):
    with pytest.raises(exc, match=msg):
        call()
