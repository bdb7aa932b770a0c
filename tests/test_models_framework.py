"""Tests of bpcourse.models.framework: one of the articles' own networks, their printed numbers, their defects, and agreement
with central differences and with the general layers of bpcourse.layers / bpcourse.losses.

Expected numbers come from the articles (as digested in seeds.md), never from the code under test.
"""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import strategies as st

from bpcourse.models import chain, framework

finite = st.floats(min_value=-2.0, max_value=2.0, allow_nan=False, allow_infinity=False)


def test_framework_success_counts_over_2000_starts():
    bad = framework.count_successes(2000, seed=0, defects=True)
    good = framework.count_successes(2000, seed=0, defects=False)
    msg = f"defective: {bad}/2000, corrected: {good}/2000"
    assert 800 <= bad <= 1200, msg
    assert good >= 1980, msg


@pytest.mark.parametrize("defects", [True, False, "extra_weight", "front_to_back"])
def test_framework_batched_runs_equal_scalar_runs(defects):
    W = framework.starting_weights(40, seed=7)
    batched = framework.run_starts(40, defects=defects, weights=W)
    scalar = []
    for w in W:
        net = framework.Network(3, defects=defects, weights=list(w))
        net.train([-1.0, 1.0], [1.0, -1.0], 0.05, 160)
        scalar.append(net.predict(1.0) == -1 and net.predict(-1.0) == 1)
    assert list(batched) == scalar
    assert 0 < sum(scalar) or defects is True


def test_framework_seeded_network_uses_starting_weights():
    assert framework.Network(3, seed=11).weights == list(framework.starting_weights(1, 11)[0])
    w = framework.Network(3, seed=11).weights
    assert all(-0.5 <= v <= 0.5 for v in w)


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("defects", [True, "extra_weight", "front_to_back"])
def test_framework_gradient_check_flags_defects(seed, defects):
    net = framework.Network(3, defects=defects, seed=seed)
    before = net.weights
    report = framework.gradient_check(net, 1.0, -1.0)
    assert not report.ok, str(report)
    assert report.worst[1] > 1e-2
    assert net.weights == before  # the check restores the weights


@pytest.mark.parametrize("seed", range(5))
def test_framework_gradient_check_passes_corrected(seed):
    for x, t in ((1.0, -1.0), (-1.0, 1.0), (0.7, 0.3)):
        report = framework.gradient_check(framework.CorrectedNetwork(3, seed=seed), x, t)
        assert report.ok, str(report)


def test_framework_corrected_equals_chain_gradients():
    w = (0.31, -0.22, 0.45)
    net = framework.CorrectedNetwork(weights=w)
    assert np.allclose(net.gradients(0.8, -1.0), chain.gradients(w, 0.8, -1.0), rtol=1e-14, atol=0)


def test_framework_defective_backward_has_extra_weight_factor():
    good = framework.Layer(0.5)
    bad = framework.Layer(0.5, extra_weight=True)
    for layer in (good, bad):
        layer.forward(2.0)
    assert good.backward(3.0) == 1.5 and good.w_grad == 6.0
    assert bad.backward(3.0) == 1.5 and bad.w_grad == 3.0  # 6.0 · 0.5: multiplied by w once too often


def test_bad_input_framework():
    with pytest.raises(ValueError, match="unknown defect 'typo'"):
        framework.Network(3, defects=["typo"], seed=0)
    with pytest.raises(ValueError, match="seed"):
        framework.Network(3)
    with pytest.raises(ValueError, match="expected n_layers = 3"):
        framework.Network(3, weights=[0.1, 0.2])
    with pytest.raises(ValueError, match="finite"):
        framework.Network(3, weights=[0.1, math.inf, 0.2])
    net = framework.Network(3, seed=0)
    with pytest.raises(ValueError, match="one label per sample"):
        net.train([1.0], [1.0, -1.0], 0.05, 10)
    with pytest.raises(ValueError, match="shape"):
        framework.run_starts(3, weights=np.zeros((3, 2)))
