"""Tests of bpcourse.models.framework: Article C's framework as the article wrote it (seeds.md gives its
backward, upate and calc_gradient exactly), its two defects, the fixes, and the success counts.

Expected numbers come from the article's text and the issue that found the misquote (seeds.md, issue 10), or
are worked out here by hand from the article's code, never taken from the code under test.
"""
from __future__ import annotations

import inspect
import math

import numpy as np
import pytest

from bpcourse.models import chain, framework

SEED4 = (0.4431, 0.0113, 0.4762)  # the seed-4 weights, to the 4 digits chapter 4 prints


def test_framework_article_method_names_and_spelling():
    # The article's update method is spelt "upate"; its Network has these methods.
    assert hasattr(framework.Layer, "upate") and not hasattr(framework.Layer, "update")
    for name in ("predict", "calc_gradient", "update_weights", "train_one_sample", "train"):
        assert callable(getattr(framework.Network, name)), name
    assert list(inspect.signature(framework.Network.train).parameters) == ["self", "labels", "data_set", "learning_rate",
                                                                       "epoch"]  # Article C: train(self, labels, data_set, learning_rate, epoch)
    assert list(inspect.signature(framework.Network.train_one_sample).parameters) == ["self", "label", "sample", "learning_rate"]


def test_framework_article_backward_line_for_line():
    # self.public_value = public_value * self.w; self.w_grad = self.public_value * self.input
    layer = framework.Layer(0.5)
    layer.forward(2.0)
    assert layer.backward(3.0) is None
    assert layer.public_value == 1.5 and layer.w_grad == 3.0  # 3·0.5, then 1.5·2 (true gradient 3·2 = 6)
    layer.upate(0.1)
    assert layer.w == 0.5 - 0.1 * 3.0
    fixed = framework.FixedLayer(0.5)
    fixed.forward(2.0)
    fixed.backward(3.0)
    assert fixed.public_value == 1.5 and fixed.w_grad == 6.0


def test_framework_article_calc_gradient_order_of_calls():
    # last_layer.backward(output - label) first, then every layer front to back with the running value.
    calls = []

    class Spy(framework.Layer):
        def backward(self, public_value):
            calls.append((self.name, public_value))
            super().backward(public_value)

    net = framework.Network(3, [0.4, 0.5, 0.8], layer_class=Spy)
    for name, layer in zip(("l1", "l2", "l3"), net.layers):
        layer.name = name
    e = net.forward(1.0)
    assert e == pytest.approx(0.16)
    net.calc_gradient(-1.0)
    d = 0.16 + 1.0
    assert [c[0] for c in calls] == ["l3", "l1", "l2", "l3"]  # the last layer runs twice
    expected = [d, d * 0.8, d * 0.8 * 0.4, d * 0.8 * 0.4 * 0.5]  # layer 1 receives (e - label)·w3
    assert [c[1] for c in calls] == pytest.approx(expected, rel=1e-15)


def test_framework_article_gradients_at_seed_4():
    # The numbers for the article's code at seed 4 (x = 1, label -1): (0.2115, 0.00106, 5.7e-6).
    w = framework.starting_weights(1, 4)[0]
    assert tuple(round(v, 4) for v in w) == SEED4
    g = framework.gradients(framework.make_network(w), 1.0, -1.0)
    assert (round(g[0], 4), round(g[1], 5), round(g[2], 7)) == (0.2115, 0.00106, 0.0000057)
    # By hand from the article's code: d = e - label; layer 3 first gives pv = d·w3; then front to back.
    w1, w2, w3 = w
    d = w1 * w2 * w3 + 1.0
    pv1 = d * w3 * w1
    pv2 = pv1 * w2
    assert np.allclose(g, [pv1 * 1.0, pv2 * w1, pv2 * w3 * (w1 * w2)], rtol=1e-14, atol=0)
    # What the package modelled before the fix gave instead (0.444, 0.00223, 1.2e-5): not the article's code.
    assert round(g[0], 3) != 0.444


def test_framework_both_fixed_equals_true_gradients():
    w = (0.31, -0.22, 0.45)
    net = framework.make_network(w, framework.FIXES)
    assert np.allclose(framework.gradients(net, 0.8, -1.0), chain.gradients(w, 0.8, -1.0), rtol=1e-14, atol=0)


@pytest.mark.parametrize("fixes", [(), ("backward",), ("calc_gradient",)])
@pytest.mark.parametrize("seed", range(5))
def test_framework_gradient_check_flags_each_remaining_defect(seed, fixes):
    net = framework.make_network(framework.starting_weights(1, seed)[0], fixes)
    before = framework.weights_of(net)
    report = framework.gradient_check(net, 1.0, -1.0)
    assert not report.ok, str(report)
    assert report.worst[1] > 1e-2
    assert framework.weights_of(net) == before  # the check restores the weights


@pytest.mark.parametrize("seed", range(5))
def test_framework_gradient_check_passes_both_fixed(seed):
    for x, t in ((1.0, -1.0), (-1.0, 1.0), (0.7, 0.3)):
        net = framework.make_network(framework.starting_weights(1, seed)[0], framework.FIXES)
        report = framework.gradient_check(net, x, t)
        assert report.ok, str(report)


@pytest.mark.parametrize("fixes", list(framework.VARIANTS.values()), ids=list(framework.VARIANTS))
def test_framework_batched_runs_equal_scalar_runs(fixes):
    # The vectorised run is the article's scalar code, start by start, bit for bit (overflows included).
    W = framework.starting_weights(60, seed=4)
    batched = framework.train_starts(W, fixes)
    for i, w in enumerate(W):
        net = framework.make_network([float(v) for v in w], fixes)
        net.train([-1.0, 1.0], [1.0, -1.0], 0.05, 160)
        scalar = framework.weights_of(net)
        assert all(type(v) is float for v in scalar)
        assert np.array_equal(batched[i], scalar, equal_nan=True), (i, batched[i], scalar)
        assert framework.successes(batched[i:i + 1])[0] == (net.predict(1.0) == -1 and net.predict(-1.0) == 1)


def test_framework_success_counts_over_2000_starts():
    # Issue 10: fixing backward alone, with the article's real loop order, succeeds from 994 of 2,000.
    starts = framework.starting_weights(2000, seed=4)
    counts = {name: int(framework.run_starts(weights=starts, fixes=f).sum()) for name, f in framework.VARIANTS.items()}
    assert counts["backward fixed"] == 994, counts
    negative = int((starts.prod(axis=1) < 0).sum())
    # The article's backward scales each weight by (1 - lr·c): signs never change, so exactly the starts that
    # already have a negative product pass, with or without the walk fixed.
    assert counts["the article's code"] == negative == counts["calc_gradient fixed"], counts
    assert 900 <= negative <= 1100  # about half: chance
    assert counts["both fixed"] >= 1980, counts
    assert framework.count_successes(2000, seed=4, fixes=("backward",)) == 994


def test_framework_article_code_sign_preserving_and_divergent():
    starts = framework.starting_weights(2000, seed=4)
    final = framework.train_starts(starts)
    finite = np.isfinite(final).all(axis=1)
    assert np.array_equal(np.sign(final[finite]), np.sign(starts[finite]))
    assert (~finite).sum() > 0  # some runs grow without bound ...
    assert (starts[~finite].prod(axis=1) > 0).all()  # ... all of them from a positive product
    # with both fixes nothing diverges and most runs reach a small loss
    fixed = framework.train_starts(starts, framework.FIXES)
    assert np.isfinite(fixed).all()
    assert (0.5 * (fixed.prod(axis=1) + 1.0) ** 2 < 1e-3).sum() > 1800


def test_bad_input_framework():
    with pytest.raises(ValueError, match="unknown fix 'typo'"):
        framework.make_network([0.1, 0.2, 0.3], ["typo"])
    with pytest.raises(TypeError, match="fixes must be a collection"):
        framework.make_network([0.1, 0.2, 0.3], 3)
    with pytest.raises(ValueError, match="expected layers_num = 3"):
        framework.Network(3, [0.1, 0.2])
    with pytest.raises(ValueError, match="finite"):
        framework.make_network([0.1, math.inf, 0.2])
    with pytest.raises(ValueError, match="shape"):
        framework.train_starts(np.zeros(3))
    for bad in (0, 2.0, True):
        with pytest.raises(ValueError, match=f"epochs must be a positive integer, got {bad!r}"):
            framework.train_starts(np.zeros((2, 3)), epochs=bad)
    with pytest.raises(ValueError, match="eta must be a positive number, got 0"):
        framework.train_starts(np.zeros((2, 3)), eta=0)
    with pytest.raises(ValueError, match="layers_num must be a positive integer, got 3.0"):
        framework.Network(3.0, [0.1, 0.2, 0.3])
    with pytest.raises(ValueError, match="n_starts must be a positive integer, got 0"):
        framework.starting_weights(0, 4)
    with pytest.raises(TypeError, match="t must be a real number"):
        framework.loss(framework.make_network([0.1, 0.2, 0.3]), 1.0, "-1")


def test_framework_seed_rule_is_the_packages():
    # as_rng: an int gives a fresh stream, a Generator is used and advanced, None and floats are refused.
    assert np.array_equal(framework.starting_weights(3, 4), np.random.default_rng(4).uniform(-0.5, 0.5, (3, 3)))
    rng = np.random.default_rng(4)
    first, second = framework.starting_weights(1, rng), framework.starting_weights(1, rng)
    assert np.array_equal(first[0], framework.starting_weights(1, 4)[0]) and not np.array_equal(first, second)
    for bad, err in ((None, TypeError), (4.0, TypeError), (True, TypeError), (-1, ValueError)):
        with pytest.raises(err, match="seed must be a non-negative int or a numpy.random.Generator"):
            framework.starting_weights(2, bad)
    with pytest.raises(TypeError, match="got None"):
        framework.run_starts(10, seed=None)


def test_framework_course_helpers_speak_x_t_eta_and_the_article_classes_keep_its_names():
    for fn in (framework.loss, framework.gradients, framework.gradient_check):
        assert list(inspect.signature(fn).parameters)[:3] == ["net", "x", "t"], fn.__name__
    for fn in (framework.train_starts, framework.run_starts):
        params = inspect.signature(fn).parameters
        assert "eta" in params and "lr" not in params and params["eta"].default == 0.05, fn.__name__
    assert list(inspect.signature(framework.Network.calc_gradient).parameters) == ["self", "label"]
    assert list(inspect.signature(framework.Layer.upate).parameters) == ["self", "learning_rate"]  # as Article C writes it


def test_framework_helpers_refuse_the_old_keyword_names():
    # issue 10: one notation; sample=, label=, lr= are no longer accepted by the course's helpers
    net = framework.make_network([0.3, -0.2, 0.4])
    for fn in (framework.loss, framework.gradients):
        with pytest.raises(TypeError, match="unexpected keyword argument 'sample'"):
            fn(net, sample=1.0, t=-1.0)
        with pytest.raises(TypeError, match="unexpected keyword argument 'label'"):
            fn(net, x=1.0, label=-1.0)
    with pytest.raises(TypeError, match="unexpected keyword argument 'lr'"):
        framework.train_starts(framework.starting_weights(20, 4), lr=0.1, epochs=5)
