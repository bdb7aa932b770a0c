"""Tests of bpcourse.models.chain: one of the articles' own networks, their printed numbers, their defects, and agreement
with central differences and with the general layers of bpcourse.layers / bpcourse.losses.

Expected numbers come from the articles (as digested in seeds.md), never from the code under test.
"""
from __future__ import annotations


import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bpcourse.gradcheck import numeric_gradient, rel_error
from bpcourse.models import chain

finite = st.floats(min_value=-2.0, max_value=2.0, allow_nan=False, allow_infinity=False)


@pytest.fixture(scope="module")
def article_run() -> chain.ChainResult:
    return chain.train("article", record=True)


def test_chain_article_table_epoch77_exact(article_run):
    # The lines the article printed (seeds.md), in the article's alignment.
    printed_x_pos = "dl/dw1 backprop -0.026729, numeric -0.026727"
    printed_x_neg = [
        "dl/dw3 backprop  0.003970, numeric  0.004164",
        "dl/dw2 backprop -0.032617, numeric -0.033257",
        "dl/dw1 backprop -0.027502, numeric -0.027499",
    ]
    printed_next = "dl/dw3 backprop  0.004164, numeric  0.004367"
    rows77 = chain.article_rows(77, article_run)
    assert [r.x for r in rows77] == [1.0] * 3 + [-1.0] * 3
    assert [r.weight for r in rows77] == ["w3", "w2", "w1"] * 2
    assert str(rows77[2]) == printed_x_pos
    assert [str(r) for r in rows77[3:]] == printed_x_neg
    assert str(chain.article_rows(78, article_run)[0]) == printed_next
    # The same numbers, compared as numbers to the printed 6 decimals.
    expected = [(-0.026729, -0.026727), (0.003970, 0.004164), (-0.032617, -0.033257), (-0.027502, -0.027499)]
    got = [(r.backprop, r.numeric) for r in rows77[2:]]
    for (b, n), (rb, rn) in zip(expected, got):
        assert round(rb, 6) == b and round(rn, 6) == n, (rb, rn, b, n)


# The article's printed table, all ten lines, exactly as seeds.md gives them (then it prints "... ...").
ARTICLE_TEN_LINES = """\
dl/dw1 backprop -0.026729, numeric -0.026727
dl/dw3 backprop  0.003970, numeric  0.004164
dl/dw2 backprop -0.032617, numeric -0.033257
dl/dw1 backprop -0.027502, numeric -0.027499
dl/dw3 backprop  0.004164, numeric  0.004367
dl/dw2 backprop -0.033272, numeric -0.033932
dl/dw1 backprop -0.028291, numeric -0.028288
dl/dw3 backprop  0.004367, numeric  0.004579
dl/dw2 backprop -0.033947, numeric -0.034625
dl/dw1 backprop -0.029097, numeric -0.029094"""


def test_chain_article_ten_printed_lines_exact(article_run):
    # Ten consecutive rows of the run: the last row of epoch 77's sample x = 1, then three per sample.
    rows = article_run.rows
    start = [str(r) for r in rows].index(ARTICLE_TEN_LINES.splitlines()[0])
    ten = rows[start:start + 10]
    assert "\n".join(str(r) for r in ten) == ARTICLE_TEN_LINES
    assert [(r.epoch, r.x) for r in ten] == [(77, 1.0)] + [(77, -1.0)] * 3 + [(78, 1.0)] * 3 + [(78, -1.0)] * 3
    # no other place in the run prints the first line
    assert [str(r) for r in rows].count(ARTICLE_TEN_LINES.splitlines()[0]) == 1


def test_chain_article_closed_forms_drop_x():
    # The article's hand check: dL/dw3 = (w3 w2 w1 x - t) w2 w1 etc., without the factor x.
    sp = pytest.importorskip("sympy")
    w1, w2, w3, x, t = sp.symbols("w1 w2 w3 x t")
    L = (w3 * w2 * w1 * x - t) ** 2 / 2
    r = w3 * w2 * w1 * x - t
    article = {w3: r * w2 * w1, w2: r * w3 * w1, w1: r * w3 * w2}
    for wi, form in article.items():
        assert sp.factor(sp.diff(L, wi) - form) == sp.factor(form * (x - 1))  # right only where x = 1
    # The package's model of those forms: equal to the gradient at x = 1, its negative at x = -1.
    w = chain.ARTICLE_WEIGHTS
    for xv, tv in zip(chain.ARTICLE_DATA, chain.ARTICLE_LABELS):
        got = np.array(chain.article_closed_forms(w, xv, tv))
        assert np.allclose(got, xv * np.array(chain.gradients(w, xv, tv)), rtol=1e-14, atol=0)
    assert np.all(np.sign(chain.article_closed_forms(w, -1.0, 1.0)) == -np.sign(chain.gradients(w, -1.0, 1.0)))


def test_chain_article_code_is_not_its_hand_check():
    # The article's code computes r2 = r3 * w3_new: d2 differs from its expansion (e - t) w3 y by lr r3^2 z y.
    w1, w2, w3 = chain.ARTICLE_WEIGHTS
    x, t, lr = 1.0, -1.0, chain.ARTICLE_LR
    y, z = w1 * x, w2 * w1 * x
    r3 = w3 * z - t
    rows = chain.train("article", epochs=1, data=[x], labels=[t], record=True, check_at="before").rows
    d2_code = next(r.backprop for r in rows if r.weight == "w2")
    assert d2_code == pytest.approx(r3 * w3 * y - lr * r3 ** 2 * z * y, rel=1e-13)
    assert abs(d2_code - chain.gradients((w1, w2, w3), x, t).dw2) > 1e-4


def test_chain_epoch_index_is_zero_based(article_run):
    # 1-based epoch 77 (= 0-based 76) does not give the printed line: the article counted from 0.
    row = chain.article_rows(76, article_run)[2]
    assert str(row) != "dl/dw1 backprop -0.026729, numeric -0.026727"


def test_chain_article_final_weights(article_run):
    w = article_run.weights
    assert (round(w.w1, 5), round(w.w2, 5), round(w.w3, 5)) == (0.97527, 0.96418, -1.06342)
    assert abs(w.w1 * w.w2 * w.w3 - (-0.99997)) < 5e-6
    assert len(article_run.losses) == 160 and article_run.losses[-1] < 1e-6


def test_chain_article_numeric_column_is_next_steps_w3_gradient(article_run):
    # Defect (b) alone explains the w3 rows: each numeric dL/dw3 is the next step's backprop dL/dw3.
    w3 = [r for r in article_run.rows if r.weight == "w3"]
    for a, b in zip(w3[:-1], w3[1:]):
        assert a.numeric == pytest.approx(b.backprop, rel=1e-6, abs=1e-12)


def test_chain_correct_order_agrees_with_central_differences():
    res = chain.train("correct", record=True)
    rows = res.rows
    assert len(rows) == 3 * 2 * 160
    worst = 0.0
    for i in range(0, len(rows), 3):
        bp = np.array([r.backprop for r in rows[i:i + 3]])
        nu = np.array([r.numeric for r in rows[i:i + 3]])
        worst = max(worst, rel_error(bp, nu))
    assert worst <= 1e-8, f"worst relative error per sample {worst:.2e}"


def test_chain_each_mistake_alone_breaks_the_check():
    # (a) updated weights used while backpropagating, numeric at the right point
    a = chain.train("article", record=True, check_at="before").rows
    # (b) correct gradients, numeric at the updated weights
    b = chain.train("correct", record=True, check_at="after").rows
    for rows in (a, b):
        errs = [rel_error(np.array([r.backprop for r in rows[i:i + 3]]), np.array([r.numeric for r in rows[i:i + 3]]))
                for i in range(0, len(rows), 3)]
        assert np.median(errs) > 1e-3


@pytest.mark.parametrize("order", chain.ORDERS)
def test_chain_both_orders_learn_sign_task(order):
    w = chain.train(order).weights
    assert chain.predict(w, 1.0) == -1
    assert chain.predict(w, -1.0) == 1


@settings(deadline=None, max_examples=50)
@given(w=st.tuples(finite, finite, finite), x=finite, t=finite)
def test_chain_gradients_vs_central_differences(w, x, t):
    g = np.array(chain.gradients(w, x, t))
    wa = np.array(w, dtype=np.float64)
    num = numeric_gradient(lambda v: chain.loss(tuple(v), x, t), wa)
    assert rel_error(g, num) <= 1e-7 or np.max(np.abs(g - num)) < 1e-9
    # the article's ε = 1e-4 helper agrees with the general one
    assert np.allclose(chain.numeric_gradients(w, x, t), num, rtol=1e-6, atol=1e-8)


def test_chain_gradients_symbolic():
    sp = pytest.importorskip("sympy")
    w1, w2, w3, x, t = sp.symbols("w1 w2 w3 x t")
    y = w1 * x
    z = w2 * y
    e = w3 * z
    L = (e - t) ** 2 / 2
    article = [(e - t) * w3 * w2 * x, (e - t) * w3 * y, (e - t) * z]
    for wi, formula in zip((w1, w2, w3), article):
        assert sp.simplify(sp.diff(L, wi) - formula) == 0


def test_chain_one_article_step_by_hand():
    # The first sample of the first epoch, written out independently of chain.train.
    w1, w2, w3 = 0.2333, -0.233, -0.52133
    lr, x, t = 0.05, 1.0, -1.0
    e = w3 * w2 * w1 * x
    r3 = e - t
    w3n = w3 - lr * r3 * (w2 * w1 * x)
    r2 = r3 * w3n
    w2n = w2 - lr * r2 * (w1 * x)
    w1n = w1 - lr * r2 * w2n * x
    res = chain.train("article", epochs=1, data=[1.0], labels=[-1.0])
    assert res.weights == pytest.approx((w1n, w2n, w3n), rel=1e-15)


def test_bad_input_chain():
    with pytest.raises(ValueError, match="unknown order 'backwards'.*'article'"):
        chain.train("backwards")
    with pytest.raises(ValueError, match="check_at"):
        chain.train("article", check_at="during")
    with pytest.raises(ValueError, match="w2 must be a finite number"):
        chain.forward((1.0, float("nan"), 1.0), 1.0)
    with pytest.raises(ValueError, match="three numbers"):
        chain.gradients((1.0, 2.0), 1.0, 1.0)
    with pytest.raises(TypeError, match="x must be a real number"):
        chain.predict(chain.ARTICLE_WEIGHTS, "1")
    with pytest.raises(ValueError, match="one label per sample"):
        chain.train(data=[1.0, -1.0], labels=[-1.0])
    with pytest.raises(ValueError, match="eta must be a positive number, got -0.05"):
        chain.train(eta=-0.05)
    with pytest.raises(ValueError, match="eta must be a positive number, got inf"):
        chain.train(eta=float("inf"))
    for bad in (1.5, 2.0, True, 0):
        with pytest.raises(ValueError, match=f"epochs must be a positive integer, got {bad!r}"):
            chain.train(epochs=bad)
    with pytest.raises(TypeError, match="t must be a real number"):
        chain.gradients(chain.ARTICLE_WEIGHTS, 1.0, "-1")
    with pytest.raises(ValueError, match="t must be a finite number"):
        chain.loss(chain.ARTICLE_WEIGHTS, 1.0, float("nan"))
    with pytest.raises(ValueError, match="eps must be a positive number"):
        chain.numeric_gradients(chain.ARTICLE_WEIGHTS, 1.0, -1.0, eps=0.0)
    with pytest.raises(FloatingPointError, match="diverged.*smaller eta than 50.0"):
        chain.train("correct", eta=50.0, weights=(3.0, 3.0, 3.0))


def test_chain_gradients_are_named_d_fields_shaped_like_the_weights():
    # The models' one gradient shape (bpcourse.models): a NamedTuple of d<param> floats, in the weights' order.
    w, x, t = (0.3, -0.7, 1.1), 0.9, 0.25
    e = 0.3 * -0.7 * 1.1 * 0.9
    by_hand = ((e - t) * 1.1 * -0.7 * 0.9, (e - t) * 1.1 * (0.3 * 0.9), (e - t) * (-0.7 * 0.3 * 0.9))
    for g in (chain.gradients(w, x, t), chain.numeric_gradients(w, x, t), chain.article_closed_forms(w, x, t)):
        assert type(g) is chain.Gradients and g._fields == ("dw1", "dw2", "dw3")
        assert all(type(v) is float for v in g)
    g = chain.gradients(w, x, t)
    assert (g.dw1, g.dw2, g.dw3) == pytest.approx(by_hand, rel=1e-14)
    dw1, dw2, dw3 = g  # unpacks like a tuple, first layer first
    assert (dw1, dw2, dw3) == (g.dw1, g.dw2, g.dw3) and np.array(g).shape == (3,)


def test_chain_general_api_speaks_t_and_eta():
    import inspect

    for fn in (chain.loss, chain.gradients, chain.numeric_gradients, chain.article_closed_forms):
        assert list(inspect.signature(fn).parameters)[:3] == ["weights", "x", "t"], fn.__name__
    params = inspect.signature(chain.train).parameters
    assert "eta" in params and "lr" not in params
    assert params["eta"].default == chain.ARTICLE_LR == 0.05


def test_chain_refuses_the_old_names():
    # issue 10: one notation; label=, lr= and g.w1 (for dw1) are gone
    w, x, t = chain.ARTICLE_WEIGHTS, -1.0, 1.0
    for fn in (chain.loss, chain.gradients, chain.numeric_gradients, chain.article_closed_forms):
        with pytest.raises(TypeError, match="unexpected keyword argument 'label'"):
            fn(w, x, label=t)
    with pytest.raises(TypeError, match="unexpected keyword argument 'lr'"):
        chain.train("correct", epochs=3, lr=0.1)
    g = chain.gradients(w, x, t)
    assert g._fields == ("dw1", "dw2", "dw3")
    assert not any(hasattr(g, old) for old in ("w1", "w2", "w3"))


def test_sgd_step_orders_by_hand():
    # w = (0.5, -1, 2), x = 1, t = 0.5, η = 0.1: y = 0.5, z = -0.5, e = -1, r3 = e − t = -1.5
    new, g = chain.sgd_step((0.5, -1.0, 2.0), 1.0, 0.5, 0.1)
    assert g == pytest.approx((-1.5 * 2.0 * -1.0 * 1.0, -1.5 * 2.0 * 0.5, -1.5 * -0.5), abs=1e-15)  # (3, -1.5, 0.75)
    assert new == pytest.approx((0.5 - 0.3, -1.0 + 0.15, 2.0 - 0.075), abs=1e-15)
    # the article's order: w3 ← 2 − 0.1·0.75 = 1.925 first, then r2 = r3·1.925 = -2.8875 with the new w3,
    # w2 ← -1 − 0.1·(-2.8875·0.5) = -0.855625, and dw1 = r2·(new w2)·x = 2.4706171875
    new, g = chain.sgd_step((0.5, -1.0, 2.0), 1.0, 0.5, 0.1, order="article")
    assert g == pytest.approx((2.4706171875, -1.44375, 0.75), abs=1e-15)
    assert new == pytest.approx((0.5 - 0.24706171875, -0.855625, 1.925), abs=1e-15)


def test_train_is_sgd_step_repeated():
    for order in chain.ORDERS:
        w = chain.ARTICLE_WEIGHTS
        for _ in range(3):
            for x, t in zip(chain.ARTICLE_DATA, chain.ARTICLE_LABELS):
                w = chain.sgd_step(w, x, t, chain.ARTICLE_LR, order=order)[0]
        assert chain.train(order, epochs=3).weights == w


def test_sgd_step_refuses_bad_input():
    with pytest.raises(ValueError, match="order"):
        chain.sgd_step((1.0, 1.0, 1.0), 1.0, 0.0, 0.1, order="articel")
    with pytest.raises(ValueError, match="eta must be a positive number"):
        chain.sgd_step((1.0, 1.0, 1.0), 1.0, 0.0, -0.1)
    with pytest.raises(ValueError, match="x must be a finite number"):
        chain.sgd_step((1.0, 1.0, 1.0), float("nan"), 0.0, 0.1)


# ------------------------------------------------- exercise 03's signatures: layer_outputs, weight_gradients, ...
@settings(deadline=None, max_examples=40)
@given(w=st.tuples(*[st.floats(-1.5, 1.5, allow_nan=False)] * 3), x=st.floats(-2, 2, allow_nan=False),
       t=st.floats(-2, 2, allow_nan=False), eta=st.floats(0.01, 0.5))
def test_three_argument_functions_match_central_differences_and_the_tuple_api(w, x, t, eta):
    from bpcourse.models.chain import layer_outputs, updated_weights, weight_gradients

    w1, w2, w3 = w
    assert layer_outputs(w1, w2, w3, x) == (w1 * x, w2 * (w1 * x), w3 * (w2 * (w1 * x)))
    g = weight_gradients(w1, w2, w3, x, t)
    assert tuple(g) == tuple(chain.gradients(w, x, t))
    num = numeric_gradient(lambda p: 0.5 * (p[2] * p[1] * p[0] * x - t) ** 2, np.array(w, dtype=np.float64))
    # near a zero gradient (e ≈ t, or a zero weight/input) central differences are round-off, so relative
    # error cannot reach 1e-7 there: the comparison is bounded to draws where the gradient is clearly non-zero
    if np.linalg.norm(num) > 1e-3:
        assert rel_error(np.array(g), num) <= 1e-7
    new = updated_weights(w1, w2, w3, x, t, eta)
    assert np.allclose(new, np.array(w) - eta * np.array(g), rtol=0, atol=1e-15)


def test_three_argument_functions_name_bad_input():
    from bpcourse.models.chain import layer_outputs, updated_weights

    with pytest.raises(TypeError, match="w2 must be a real number"):
        layer_outputs(1.0, "2", 3.0, 1.0)
    with pytest.raises(ValueError, match="eta"):
        updated_weights(1.0, 1.0, 1.0, 1.0, 0.0, -0.1)
