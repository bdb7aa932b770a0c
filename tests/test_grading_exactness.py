"""Exact grading: every exact formula keeps full points, no numerical derivative passes a backprop task.

Both sides run through :func:`bpcourse.grading.judge.inexact`, on the real task table's cases and bounds
(:func:`bpcourse.grading.judge.prepare_tasks`): correct answers written many ways (loops, einsum,
broadcasting, σ through tanh, the textbook σ(1 − σ), a log-sum-exp softmax, long double), and numerical
derivatives with steps 1e-3 … 1e-8, central and forward.
"""

from __future__ import annotations

import copy
from typing import Any, Callable

import numpy as np
import pytest

from bpcourse.grading.diagnose import diagnose_case
from bpcourse.grading.returned import normalize
from bpcourse.grading.judge import inexact, prepare_tasks
from bpcourse.grading.tasks import TASKS

STEPS = (1e-3, 1e-4, 1e-5, 1e-6, 1e-7, 1e-8)


def outcome(task_id: str, fn: Callable[..., Any], n_cases: int = 12, seed: int = 0) -> tuple[int, int, list[str]]:
    """(cases that pass rtol, cases that are also exact, the messages of the inexact ones)."""
    (pt,) = prepare_tasks([TASKS[task_id]], seed, n_cases)
    within, exact, msgs = 0, 0, []
    for j, (case, ref) in enumerate(zip(pt.cases, pt.refs)):
        got = normalize(fn(**copy.deepcopy(case)), pt.task.outputs)
        if diagnose_case(got, ref, pt.task.outputs, case, rtol=pt.task.rtol):
            continue
        within += 1
        problems = inexact(pt, j, got)
        exact += not problems
        msgs += problems.values()
    return within, exact, msgs


def sig(z):
    return 1.0 / (1.0 + np.exp(-z))


def sig_tanh(z):
    return 0.5 * (1.0 + np.tanh(0.5 * z))


# ------------------------------------------------------------------------------------ correct variants
def chain_loop(w1, w2, w3, x, t):
    y = w1 * x
    z = w2 * y
    d = w3 * z - t
    return d * w3 * w2 * x, d * w3 * y, d * z


def chain_regrouped(w1, w2, w3, x, t):
    d = (w1 * w2) * (w3 * x) - t
    return d * (w3 * w2 * x), d * (w3 * w1 * x), d * (w1 * w2 * x)


def chain_step_loop(w1, w2, w3, x, t, eta):
    g = chain_loop(w1, w2, w3, x, t)
    return tuple(w - eta * gw for w, gw in zip((w1, w2, w3), g))


def neuron_tanh_loop(w, b, x, t):
    net = b
    for wi, xi in zip(w, x):
        net += wi * xi
    o = sig_tanh(net)
    d = (o - t) * 0.25 * (1.0 - np.tanh(0.5 * net) ** 2)
    return np.array([d * xi for xi in x]), float(d)


def neuron_textbook(w, b, x, t):
    o = sig(w @ x + b)
    d = (o - t) * o * (1 - o)
    return d * x, d


def mlp_einsum_tanh(X, T, W1, b1, W2, b2):
    A1 = sig_tanh(np.einsum("si,ji->sj", X, W1) + b1)
    A2 = sig_tanh(A1 @ W2.T + b2)
    d2 = (A2 - T) * A2 * (1 - A2) / X.shape[0]
    d1 = (d2 @ W2) * A1 * (1 - A1)
    return np.einsum("sj,si->ji", d1, X), d1.sum(0), d2.T @ A1, np.einsum("sj->j", d2)


def dense_loops(dout, x, W):
    dx, dW, db = np.zeros_like(x), np.zeros_like(W), np.zeros(W.shape[0])
    for s in range(x.shape[0]):
        for j in range(W.shape[0]):
            db[j] += dout[s, j]
            for k in range(x.shape[1]):
                dx[s, k] += dout[s, j] * W[j, k]
                dW[j, k] += dout[s, j] * x[s, k]
    return dx, dW, db


def softmax_lse(net):
    m = net.max(axis=1, keepdims=True)
    return np.exp(net - (m + np.log(np.exp(net - m).sum(axis=1, keepdims=True))))


CORRECT = {
    "ex01_sigmoid_prime": {
        "textbook σ(1 − σ)": lambda net: sig(net) * (1 - sig(net)),
        "tanh": lambda net: 0.25 * (1 - np.tanh(net / 2) ** 2),
        "σ via tanh, then σ(1 − σ)": lambda net: sig_tanh(net) * (1 - sig_tanh(net)),
        "e^-x / (1 + e^-x)^2": lambda net: np.exp(-net) / (1 + np.exp(-net)) ** 2,
        "long double": lambda net: (lambda s: s * (1 - s))(sig(np.asarray(net, dtype=np.longdouble))),
    },
    "ex01_neuron_gradient": {"textbook": neuron_textbook, "loops, tanh": neuron_tanh_loop},
    "ex03_chain_gradients": {"loop": chain_loop, "regrouped": chain_regrouped},
    "ex03_chain_sgd_step": {"loop": chain_step_loop},
    "ex06_dense_backward": {"loops": dense_loops,
                            "einsum": lambda dout, x, W: (np.einsum("sj,ji->si", dout, W),
                                                          np.einsum("sj,si->ji", dout, x), dout.sum(0))},
    "ex07_mlp_backward": {"einsum, σ via tanh": mlp_einsum_tanh},
    "ex08_softmax": {"log-sum-exp": softmax_lse},
    "ex08_softmax_ce_backward": {"log-sum-exp": lambda net, T: (softmax_lse(net) - T) / net.shape[0]},
    "ex04_quadratic_gradient": {"two products": lambda A, b, x: 0.5 * (A @ x + A.T @ x) + b},
    "ex04_rel_error": {"sqrt of sums": lambda a, b: (lambda d: 0.0 if d == 0 else float(
        np.sqrt(np.sum((a - b) ** 2)) / d))(np.sqrt(np.sum(np.square(a))) + np.sqrt(np.sum(np.square(b))))},
}


@pytest.mark.parametrize("task_id, name", [(t, n) for t, fns in CORRECT.items() for n in fns])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_every_exact_formula_keeps_full_points(task_id, name, seed):
    n_cases = len(TASKS[task_id].edge_cases) + 12
    within, exact, msgs = outcome(task_id, CORRECT[task_id][name], seed=seed)
    assert within == exact == n_cases, msgs[:2]


# ------------------------------------------------------------------------------- numerical derivatives
def chain_numeric(h: float, central: bool) -> Callable[..., Any]:
    def loss(w, x, t):
        return 0.5 * (w[0] * w[1] * w[2] * x - t) ** 2

    def fn(w1, w2, w3, x, t):
        w, g = np.array([w1, w2, w3]), []
        for i in range(3):
            wp, wm = w.copy(), w.copy()
            wp[i] += h
            wm[i] -= h
            g.append((loss(wp, x, t) - loss(wm, x, t)) / (2 * h) if central else (loss(wp, x, t) - loss(w, x, t)) / h)
        return tuple(g)

    return fn


def sigmoid_prime_numeric(h: float, central: bool) -> Callable[..., Any]:
    return (lambda net: (sig(net + h) - sig(net - h)) / (2 * h)) if central else \
        (lambda net: (sig(net + h) - sig(net)) / h)


def neuron_numeric(h: float, central: bool) -> Callable[..., Any]:
    def fn(w, b, x, t):
        def loss(w, b):
            return 0.5 * (sig(w @ x + b) - t) ** 2

        def diff(f, a):
            return (f(a + h) - f(a - h)) / (2 * h) if central else (f(a + h) - f(a)) / h

        dw = np.array([diff(lambda v: loss(np.where(np.arange(w.size) == i, v, w), b), w[i]) for i in range(w.size)])
        return dw, diff(lambda v: loss(w, v), b)

    return fn


def course_numeric_gradient(w1, w2, w3, x, t):
    from bpcourse.gradcheck import numeric_gradient

    def loss(w):
        return float(0.5 * (w[0] * w[1] * w[2] * x - t) ** 2)

    return tuple(numeric_gradient(loss, np.array([w1, w2, w3])))


NUMERIC = {"ex03_chain_gradients": chain_numeric, "ex01_sigmoid_prime": sigmoid_prime_numeric,
           "ex01_neuron_gradient": neuron_numeric}


@pytest.mark.parametrize("task_id", sorted(NUMERIC))
@pytest.mark.parametrize("central", [True, False], ids=["central", "forward"])
@pytest.mark.parametrize("h", STEPS)
def test_no_numerical_derivative_passes_a_backprop_task(task_id, central, h):
    within, exact, msgs = outcome(task_id, NUMERIC[task_id](h, central))
    assert exact == 0, f"{exact} of {within} cases within rtol looked exact"
    assert all("this matches a numerical derivative, not backprop" in m for m in msgs)


def test_the_course_numeric_gradient_does_not_pass_either():
    within, exact, _ = outcome("ex03_chain_gradients", course_numeric_gradient)
    assert within > 0 and exact == 0  # rtol alone would have given it full points


@pytest.mark.parametrize("h", STEPS)
def test_an_sgd_step_on_numerical_derivatives_earns_nothing(h):
    """w − η·g dilutes g's error by η·|g|/|w|: at h = 1e-3 about one case in seven still looks exact, so the
    task (which needs every case) fails on any seed; smaller steps fail on every case."""
    def step(w1, w2, w3, x, t, eta):
        g = chain_numeric(h, True)(w1, w2, w3, x, t)
        return tuple(w - eta * gw for w, gw in zip((w1, w2, w3), g))

    for seed in range(3):
        within, exact, _ = outcome("ex03_chain_sgd_step", step, seed=seed)
        assert within >= 10 and exact <= within // 4, (seed, within, exact)


def test_ex04s_central_difference_is_graded_against_its_own_kind():
    """The one task whose answer *is* a difference quotient: a central difference in another order passes."""
    def central_difference(c3, A, b, x, eps):
        def f(v):
            u = np.ravel(v)
            return float(np.sum(c3 * u**3) + 0.5 * (u @ A @ u) + b @ u)

        x = np.asarray(x, dtype=float)
        g = np.zeros_like(x)
        for i in range(x.size):
            xp, xm = x.copy(), x.copy()
            xp.flat[i] += eps
            xm.flat[i] -= eps
            g.flat[i] = 0.5 * (f(xp) - f(xm)) / eps
        return g

    n = len(TASKS["ex04_central_difference"].edge_cases) + 12
    assert outcome("ex04_central_difference", central_difference)[:2] == (n, n)


def test_the_self_check_applies_the_same_exactness_as_the_grader(capsys):
    # a numerical derivative passes rtol 1e-6; check() must fail it as bpcourse grade does, naming why
    from bpcourse.grading import check

    def chain_gradients(w1, w2, w3, x, t):
        def loss(a, b, c):
            return 0.5 * (a * b * c * x - t) ** 2
        h = 1e-5
        return ((loss(w1 + h, w2, w3) - loss(w1 - h, w2, w3)) / (2 * h),
                (loss(w1, w2 + h, w3) - loss(w1, w2 - h, w3)) / (2 * h),
                (loss(w1, w2, w3 + h) - loss(w1, w2, w3 - h)) / (2 * h))

    assert check(chain_gradients, "ex03_chain_gradients", seed=1) is False
    assert "numerical derivative, not backprop" in capsys.readouterr().out

    def exact(w1, w2, w3, x, t):  # the chain rule in another order than the reference's
        r = w3 * w2 * w1 * x - t
        return r * w3 * w2 * x, r * w3 * w1 * x, r * w2 * w1 * x

    exact.__name__ = "chain_gradients"
    for seed in range(20):
        assert check(exact, "ex03_chain_gradients", seed=seed) is True, capsys.readouterr().out
