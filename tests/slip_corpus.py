"""The one slip corpus of the tests, keyed by task id: a right answer per task, the slips learners make, and
randomised correct variants that must keep full points.

``RIGHT[task_id] = (name, source)``: the function the learner writes in the solution cell (``central_difference``
for the probe task, whose graded wrapper :data:`PROBE` is a locked cell of the exercise) and a right answer,
self-contained on purpose (none calls another task's function, so a submission can mix right, wrong and
unanswered tasks and each task's verdict depends on that task alone).

``SLIPS``: one :class:`SlipEntry` per slip, as a learner writes it, with the words its diagnosis must contain.
They are the slips the review of issue 16 lists, the ones learners of micrograd, CS231n and d2l report (``=``
for ``+=`` in a fan-out, a gradient never zeroed, the sign of a subtraction's backward, a transposed w_ji, a
gradient counted twice, a missing batch mean, a bias gradient not summed over the batch, a mutated ``dout``)
and more that learners really make. Some (``SPEC_BACKED``) are named by a case or message only the task's spec
can give; ``PENDING`` holds slips still waiting for one (each says which in ``needs``).

``correct_variants(seed, per_task)``: right answers generated from templates with a seeded RNG (loops, einsum,
broadcasting, a tanh-based σ, a ``for`` over samples, another exact operation order, other variable names).

``CORPUS`` keeps the shape the nbgrader agreement test reads: ``(name, right, slip, named)``, the first slip of
each task.
"""
from __future__ import annotations

import random
import re
import textwrap
from dataclasses import dataclass

__all__ = ["RIGHT", "SLIPS", "PENDING", "SlipEntry", "PROBE", "CORPUS", "correct_variants", "noisy", "slips_for"]

PROBE = '''
def probe_central_difference(c3, A, b, x, eps):
    def f(v):
        u = np.ravel(v)
        return float(np.sum(c3 * u**3) + 0.5 * (u @ A @ u) + b @ u)
    return central_difference(f, x, eps)
'''


@dataclass(frozen=True)
class SlipEntry:
    """A slip: the task, a short name, the learner's function source, the words its diagnosis must contain
    (alternatives separated by " | ", where the drawn case decides which diagnosis applies), and for a pending
    slip the spec change it waits for."""

    task: str
    name: str
    source: str
    words: str
    needs: str = ""


def _src(text: str) -> str:
    return textwrap.dedent(text).strip("\n") + "\n"


SIG = "1.0 / (1.0 + np.exp(-{}))"

RIGHT: dict[str, tuple[str, str]] = {
    "ex01_sigmoid": ("sigmoid", """
def sigmoid(net):
    return 1.0 / (1.0 + np.exp(-net))
"""),
    "ex01_sigmoid_prime": ("sigmoid_prime", """
def sigmoid_prime(net):
    s = 1.0 / (1.0 + np.exp(-net))
    return s * (1.0 - s)
"""),
    "ex01_neuron_gradient": ("neuron_gradient", """
def neuron_gradient(w, b, x, t):
    o = 1.0 / (1.0 + np.exp(-(w @ x + b)))
    delta = (o - t) * o * (1.0 - o)
    return delta * x, float(delta)
"""),
    "ex01_neuron_sgd_step": ("neuron_sgd_step", """
def neuron_sgd_step(w, b, x, t, eta):
    o = 1.0 / (1.0 + np.exp(-(w @ x + b)))
    delta = (o - t) * o * (1.0 - o)
    return w - eta * delta * x, float(b - eta * delta)
"""),
    "ex02_mul_backward": ("mul_backward", """
def mul_backward(x, y, dout):
    return dout * y, dout * x
"""),
    "ex02_max_backward": ("max_backward", """
def max_backward(x, y, dout):
    return (dout, 0.0) if x > y else (0.0, dout)
"""),
    "ex02_add_mul_gradients": ("add_mul_gradients", """
def add_mul_gradients(x, y, z):
    return z, z, x + y
"""),
    "ex02_branch_gradients": ("branch_gradients", """
def branch_gradients(x, y, z, w):
    y_wins = 1.0 if y > z else 0.0
    return w * y, w * x + w * y_wins, w * (1.0 - y_wins), x * y + max(y, z)
"""),
    "ex03_chain_forward": ("chain_forward", """
def chain_forward(w1, w2, w3, x):
    return w1 * x, w2 * w1 * x, w3 * w2 * w1 * x
"""),
    "ex03_chain_gradients": ("chain_gradients", """
def chain_gradients(w1, w2, w3, x, t):
    y = w1 * x; z = w2 * y; r = w3 * z - t
    return r * w3 * w2 * x, r * w3 * y, r * z
"""),
    "ex03_chain_sgd_step": ("chain_sgd_step", """
def chain_sgd_step(w1, w2, w3, x, t, eta):
    y = w1 * x; z = w2 * y; r = w3 * z - t
    return w1 - eta * r * w3 * w2 * x, w2 - eta * r * w3 * y, w3 - eta * r * z
"""),
    "ex04_rel_error": ("rel_error", """
def rel_error(a, b):
    a = np.asarray(a, dtype=float); b = np.asarray(b, dtype=float)
    den = np.linalg.norm(a) + np.linalg.norm(b)
    return 0.0 if den == 0.0 else float(np.linalg.norm(a - b) / den)
"""),
    "ex04_central_difference": ("central_difference", """
def central_difference(f, x, eps=1e-5):
    x = np.array(x, dtype=float)
    g = np.zeros_like(x)
    for i in range(x.size):
        xp = x.copy(); xp.flat[i] += eps
        xm = x.copy(); xm.flat[i] -= eps
        g.flat[i] = (f(xp) - f(xm)) / (2.0 * eps)
    return g
"""),
    "ex04_quadratic_gradient": ("quadratic_gradient", """
def quadratic_gradient(A, b, x):
    return 0.5 * (A @ x + A.T @ x) + b
"""),
    "ex05_two_hidden_forward": ("two_hidden_forward", """
def two_hidden_forward(w1, w2, w3, w4, b1, b2, x):
    s = lambda v: 1.0 / (1.0 + np.exp(-v))
    h1, h2 = s(w1 * x + b1), s(w2 * x + b1)
    return h1, h2, s(w3 * h1 + w4 * h2 + b2)
"""),
    "ex05_two_hidden_deltas": ("two_hidden_deltas", """
def two_hidden_deltas(w1, w2, w3, w4, b1, b2, x, t):
    s = lambda v: 1.0 / (1.0 + np.exp(-v))
    h1, h2 = s(w1 * x + b1), s(w2 * x + b1)
    o = s(w3 * h1 + w4 * h2 + b2)
    d = (o - t) * o * (1.0 - o)
    return d, w3 * d * h1 * (1.0 - h1), w4 * d * h2 * (1.0 - h2)
"""),
    "ex05_two_hidden_gradients": ("two_hidden_gradients", """
def two_hidden_gradients(w1, w2, w3, w4, b1, b2, x, t):
    s = lambda v: 1.0 / (1.0 + np.exp(-v))
    h1, h2 = s(w1 * x + b1), s(w2 * x + b1)
    o = s(w3 * h1 + w4 * h2 + b2)
    d = (o - t) * o * (1.0 - o)
    d1, d2 = w3 * d * h1 * (1.0 - h1), w4 * d * h2 * (1.0 - h2)
    return d1 * x, d2 * x, d * h1, d * h2, d1 + d2, d
"""),
    "ex06_dense_forward": ("dense_forward", """
def dense_forward(x, W, b):
    return x @ W.T + b
"""),
    "ex06_net322_backward_loops": ("net322_backward_loops", """
def net322_backward_loops(x, t, W_hidden, W_out):
    s = lambda v: 1.0 / (1.0 + np.exp(-v))
    xa = np.append(x, 1.0)
    yh = s(W_hidden @ xa)
    ya = np.append(yh, 1.0)
    yo = s(W_out @ ya)
    d_out = (yo - t) * yo * (1.0 - yo)
    d_hid = (W_out[:, :2].T @ d_out) * yh * (1.0 - yh)
    return np.outer(d_hid, xa), np.outer(d_out, ya)
"""),
    "ex06_dense_backward": ("dense_backward", """
def dense_backward(dout, x, W):
    return dout @ W, dout.T @ x, dout.sum(axis=0)
"""),
    "ex07_output_delta": ("output_delta", """
def output_delta(net, T):
    A = 1.0 / (1.0 + np.exp(-net))
    return (A - T) * A * (1.0 - A) / net.shape[0]
"""),
    "ex07_hidden_delta": ("hidden_delta", """
def hidden_delta(delta_next, W_next, net):
    A = 1.0 / (1.0 + np.exp(-net))
    return (delta_next @ W_next) * A * (1.0 - A)
"""),
    "ex07_mlp_backward": ("mlp_backward", """
def mlp_backward(X, T, W1, b1, W2, b2):
    s = lambda v: 1.0 / (1.0 + np.exp(-v))
    A1 = s(X @ W1.T + b1); A2 = s(A1 @ W2.T + b2)
    d2 = (A2 - T) * A2 * (1.0 - A2) / X.shape[0]
    d1 = (d2 @ W2) * A1 * (1.0 - A1)
    return d1.T @ X, d1.sum(axis=0), d2.T @ A1, d2.sum(axis=0)
"""),
    "ex08_softmax": ("softmax", """
def softmax(net):
    E = np.exp(net - net.max(axis=1, keepdims=True))
    return E / E.sum(axis=1, keepdims=True)
"""),
    "ex08_cross_entropy": ("cross_entropy", """
def cross_entropy(P, T):
    return float(-np.sum(T * np.log(P)) / P.shape[0])
"""),
    "ex08_softmax_ce_backward": ("softmax_ce_backward", """
def softmax_ce_backward(net, T):
    E = np.exp(net - net.max(axis=1, keepdims=True))
    return (E / E.sum(axis=1, keepdims=True) - T) / net.shape[0]
"""),
    "ex09_sgd_step": ("sgd_step", """
def sgd_step(w, g, eta):
    return w - eta * g
"""),
    "ex09_momentum_step": ("momentum_step", """
def momentum_step(w, v, g, eta, beta):
    v_new = beta * v - eta * g
    return w + v_new, v_new
"""),
    "ex09_adam_step": ("adam_step", """
def adam_step(w, m, v, g, t, eta, beta1, beta2, eps):
    m = beta1 * m + (1.0 - beta1) * g
    v = beta2 * v + (1.0 - beta2) * g * g
    m_hat, v_hat = m / (1.0 - beta1**t), v / (1.0 - beta2**t)
    return w - eta * m_hat / (np.sqrt(v_hat) + eps), m, v
"""),
}

_TWO_HIDDEN = """    s = lambda v: 1.0 / (1.0 + np.exp(-v))
    h1, h2 = s(w1 * x + b1), s(w2 * x + b1)
    o = s(w3 * h1 + w4 * h2 + b2)
"""
_MLP_FWD = """    s = lambda v: 1.0 / (1.0 + np.exp(-v))
    A1 = s(X @ W1.T + b1); A2 = s(A1 @ W2.T + b2)
"""
_NET322_FWD = """    s = lambda v: 1.0 / (1.0 + np.exp(-v))
    xa = np.append(x, 1.0)
    yh = s(W_hidden @ xa)
    ya = np.append(yh, 1.0)
    yo = s(W_out @ ya)
"""
_ADAM_MV = """    m = beta1 * m + (1.0 - beta1) * g
    v = beta2 * v + (1.0 - beta2) * g * g
"""
_CD_HEAD = """    x = np.array(x, dtype=float)
    g = np.zeros_like(x)
"""


_BLOCKS = {"_TWO_HIDDEN": _TWO_HIDDEN, "_MLP_FWD": _MLP_FWD, "_NET322_FWD": _NET322_FWD, "_ADAM_MV": _ADAM_MV,
           "_CD_HEAD": _CD_HEAD}


def _s(task: str, name: str, source: str, words: str, needs: str = "") -> SlipEntry:
    """A slip; a line ``# <_BLOCK>`` in ``source`` stands for that shared block of lines (a forward pass...)."""
    text = _src(source)
    for key, block in _BLOCKS.items():
        text = text.replace(f"    # <{key}>\n", block)
    return SlipEntry(task, name, text, words, needs)


SLIPS: list[SlipEntry] = [
    # 01 ------------------------------------------------------------------------------------------------------
    _s("ex01_sigmoid", "the sign of the exponent", """
        def sigmoid(net):
            return 1.0 / (1.0 + np.exp(net))
        """, "is σ(−net) = 1 − σ(net)"),
    _s("ex01_sigmoid", "computed in float32", """
        def sigmoid(net):
            return (1.0 / (1.0 + np.exp(-net))).astype(np.float32)
        """, "compute in float64: got float32"),
    _s("ex01_sigmoid_prime", "net·(1 − net) for σ(net)·(1 − σ(net))", """
        def sigmoid_prime(net):
            return net * (1.0 - net)
        """, "net·(1 − net)"),
    _s("ex01_sigmoid_prime", "only (1 − σ)", """
        def sigmoid_prime(net):
            return 1.0 - 1.0 / (1.0 + np.exp(-net))
        """, "missing the σ(net) factor"),
    _s("ex01_sigmoid_prime", "only σ", """
        def sigmoid_prime(net):
            return 1.0 / (1.0 + np.exp(-net))
        """, "missing the (1 − σ(net)) factor"),
    _s("ex01_neuron_gradient", "forgot σ'(net)", """
        def neuron_gradient(w, b, x, t):
            o = 1.0 / (1.0 + np.exp(-(w @ x + b)))
            return (o - t) * x, float(o - t)
        """, "dw is missing the σ'(net) factor"),
    _s("ex01_neuron_gradient", "(t − o): the error's sign", """
        def neuron_gradient(w, b, x, t):
            o = 1.0 / (1.0 + np.exp(-(w @ x + b)))
            d = (t - o) * o * (1 - o)
            return d * x, float(d)
        """, "has the wrong sign"),
    _s("ex01_neuron_gradient", "σ'(o) for σ'(net)", """
        def neuron_gradient(w, b, x, t):
            o = 1.0 / (1.0 + np.exp(-(w @ x + b)))
            s = 1.0 / (1.0 + np.exp(-o))
            delta = (o - t) * s * (1.0 - s)
            return delta * x, float(delta)
        """, "σ'(o)"),
    _s("ex01_neuron_gradient", "the bias left out of net", """
        def neuron_gradient(w, b, x, t):
            o = 1.0 / (1.0 + np.exp(-(w @ x)))
            delta = (o - t) * o * (1.0 - o)
            return delta * x, float(delta)
        """, "the bias b was left out"),
    _s("ex01_neuron_sgd_step", "a step uphill", """
        def neuron_sgd_step(w, b, x, t, eta):
            o = 1.0 / (1.0 + np.exp(-(w @ x + b)))
            delta = (o - t) * o * (1.0 - o)
            return w + eta * delta * x, float(b + eta * delta)
        """, "wrong direction"),
    _s("ex01_neuron_sgd_step", "forgot η", """
        def neuron_sgd_step(w, b, x, t, eta):
            o = 1.0 / (1.0 + np.exp(-(w @ x + b)))
            d = (o - t) * o * (1.0 - o)
            return w - d * x, float(b - d)
        """, "leaves out the learning rate η"),
    # 02 ------------------------------------------------------------------------------------------------------
    _s("ex02_mul_backward", "the local derivatives only (no dout)", """
        def mul_backward(x, y, dout):
            return y, x
        """, "missing the upstream gradient dout factor"),
    _s("ex02_max_backward", "the gradient to the loser", """
        def max_backward(x, y, dout):
            return (dout, 0.0) if x < y else (0.0, dout)
        """, "sends dout to the smaller input"),
    _s("ex02_max_backward", "the router without dout", """
        def max_backward(x, y, dout):
            return (1.0, 0.0) if x > y else (0.0, 1.0)
        """, "missing the upstream gradient dout factor"),
    _s("ex02_branch_gradients", "`=` for `+=` in a fan-out: y's max path lost", """
        def branch_gradients(x, y, z, w):
            y_wins = 1.0 if y > z else 0.0
            dy = w * y_wins
            dy = w * x
            return w * y, dy, w * (1.0 - y_wins), x * y + max(y, z)
        """, "keeps only the product path's gradient"),
    _s("ex02_branch_gradients", "y's product path lost", """
        def branch_gradients(x, y, z, w):
            y_wins = 1.0 if y > z else 0.0
            return w * y, w * y_wins, w * (1.0 - y_wins), x * y + max(y, z)
        """, "keeps only the max path's gradient | the gradient along this path never arrives"),
    _s("ex02_branch_gradients", "the upstream w forgotten", """
        def branch_gradients(x, y, z, w):
            big = 1.0 if y > z else 0.0
            return y, x + big, 1.0 - big, x * y + max(y, z)
        """, "missing the upstream gradient w factor"),
    _s("ex02_add_mul_gradients", "the add gate passes to x only", """
        def add_mul_gradients(x, y, z):
            return z, 0.0, x + y
        """, "dy is 0, where the expected value is not: the gradient along this path never arrives"),
    # 03 ------------------------------------------------------------------------------------------------------
    _s("ex03_chain_forward", "the values returned last layer first", """
        def chain_forward(w1, w2, w3, x):
            y = w1 * x; z = w2 * y
            return w3 * z, z, y
        """, "in the wrong order"),
    _s("ex03_chain_gradients", "w3 forgotten on the way back", """
        def chain_gradients(w1, w2, w3, x, t):
            y = w1 * x; z = w2 * y; r = w3 * z - t
            return r * w2 * x, r * y, r * z
        """, "dw2 is missing the w3 factor"),
    _s("ex03_chain_gradients", "(t − e): the sign of the subtraction", """
        def chain_gradients(w1, w2, w3, x, t):
            y = w1 * x; z = w2 * y; r = t - w3 * z
            return r * w3 * w2 * x, r * w3 * y, r * z
        """, "has the wrong sign"),
    _s("ex03_chain_gradients", "2(e − t): the ½ forgotten", """
        def chain_gradients(w1, w2, w3, x, t):
            y = w1 * x; z = w2 * y; r = 2 * (w3 * z - t)
            return r * w3 * w2 * x, r * w3 * y, r * z
        """, "2 × the expected value"),
    _s("ex03_chain_sgd_step", "the article's update order", """
        def chain_sgd_step(w1, w2, w3, x, t, eta):
            y = w1 * x; z = w2 * y; r = w3 * z - t
            w3 = w3 - eta * r * z
            w2 = w2 - eta * r * w3 * y
            return w1 - eta * r * w3 * w2 * x, w2, w3
        """, "article's order"),
    _s("ex03_chain_sgd_step", "a step uphill", """
        def chain_sgd_step(w1, w2, w3, x, t, eta):
            y = w1 * x; z = w2 * y; r = w3 * z - t
            return w1 + eta * r * w3 * w2 * x, w2 + eta * r * w3 * y, w3 + eta * r * z
        """, "steps in the wrong direction"),
    # 04 ------------------------------------------------------------------------------------------------------
    _s("ex04_rel_error", "no 0/0 guard", """
        def rel_error(a, b):
            a = np.asarray(a, dtype=float); b = np.asarray(b, dtype=float)
            return float(np.linalg.norm(a - b) / (np.linalg.norm(a) + np.linalg.norm(b)))
        """, "NaN value"),
    _s("ex04_central_difference", "the 2 of 2ε forgotten", """
        def central_difference(f, x, eps=1e-5):
            # <_CD_HEAD>
            for i in range(x.size):
                xp = x.copy(); xp.flat[i] += eps
                xm = x.copy(); xm.flat[i] -= eps
                g.flat[i] = (f(xp) - f(xm)) / eps
            return g
        """, "is the 2 missing"),
    _s("ex04_central_difference", "x nudged in place, never restored", """
        def central_difference(f, x, eps=1e-5):
            g = np.zeros_like(x)
            for i in range(x.size):
                x.flat[i] += eps; fp = f(x); x.flat[i] -= 2 * eps; fm = f(x)
                g.flat[i] = (fp - fm) / (2 * eps)
            return g
        """, "modified its input `x` in place"),
    _s("ex04_central_difference", "one-sided difference", """
        def central_difference(f, x, eps=1e-5):
            # <_CD_HEAD>
            for i in range(x.size):
                xp = x.copy(); xp.flat[i] += eps
                g.flat[i] = (f(xp) - f(x)) / eps
            return g
        """, "one-sided difference"),
    _s("ex04_central_difference", "a loop off by one", """
        def central_difference(f, x, eps=1e-5):
            # <_CD_HEAD>
            for i in range(x.size - 1):
                xp = x.copy(); xp.flat[i] += eps
                xm = x.copy(); xm.flat[i] -= eps
                g.flat[i] = (f(xp) - f(xm)) / (2.0 * eps)
            return g
        """, "the loop over the entries stops short"),
    _s("ex04_quadratic_gradient", "Ax + b (right only for a symmetric A)", """
        def quadratic_gradient(A, b, x):
            return A @ x + b
        """, "symmetric"),
    _s("ex04_quadratic_gradient", "the ½ forgotten: (A + Aᵀ)x + b", """
        def quadratic_gradient(A, b, x):
            return (A + A.T) @ x + b
        """, "counts the term with A twice"),
    _s("ex04_quadratic_gradient", "b forgotten", """
        def quadratic_gradient(A, b, x):
            return 0.5 * (A + A.T) @ x
        """, "b = 0"),
    # 05 ------------------------------------------------------------------------------------------------------
    _s("ex05_two_hidden_forward", "the article's literal b2 in net_h2", """
        def two_hidden_forward(w1, w2, w3, w4, b1, b2, x):
            s = lambda v: 1.0 / (1.0 + np.exp(-v))
            h1, h2 = s(w1 * x + b1), s(w2 * x + b2)
            return h1, h2, s(w3 * h1 + w4 * h2 + b2)
        """, "puts b2 into net_h2"),
    _s("ex05_two_hidden_forward", "b2 left out of the output", """
        def two_hidden_forward(w1, w2, w3, w4, b1, b2, x):
            s = lambda v: 1.0 / (1.0 + np.exp(-v))
            h1, h2 = s(w1 * x + b1), s(w2 * x + b1)
            return h1, h2, s(w3 * h1 + w4 * h2)
        """, "the bias b2 was left out"),
    _s("ex05_two_hidden_deltas", "forgot σ'(net_o)", """
        def two_hidden_deltas(w1, w2, w3, w4, b1, b2, x, t):
            # <_TWO_HIDDEN>
            d_o = o - t
            return d_o, w3 * d_o * h1 * (1 - h1), w4 * d_o * h2 * (1 - h2)
        """, "delta_o is missing the σ'(net_o) factor"),
    _s("ex05_two_hidden_deltas", "forgot σ'(net_h1)", """
        def two_hidden_deltas(w1, w2, w3, w4, b1, b2, x, t):
            # <_TWO_HIDDEN>
            d = (o - t) * o * (1.0 - o)
            return d, w3 * d, w4 * d * h2 * (1.0 - h2)
        """, "delta_h1 is missing the σ'(net_h1) factor"),
    _s("ex05_two_hidden_deltas", "σ'(out) for σ'(net)", """
        def two_hidden_deltas(w1, w2, w3, w4, b1, b2, x, t):
            # <_TWO_HIDDEN>
            sp = lambda a: s(a) * (1.0 - s(a))
            d = (o - t) * sp(o)
            return d, w3 * d * sp(h1), w4 * d * sp(h2)
        """, "uses σ'(out)"),
    _s("ex05_two_hidden_gradients", "Article D's δ = o − t", """
        def two_hidden_gradients(w1, w2, w3, w4, b1, b2, x, t):
            # <_TWO_HIDDEN>
            d_o = o - t
            d1, d2 = w3 * d_o * h1 * (1 - h1), w4 * d_o * h2 * (1 - h2)
            return d1 * x, d2 * x, d_o * h1, d_o * h2, d1 + d2, d_o
        """, "dw3 is missing the σ'(net_o) factor"),
    _s("ex05_two_hidden_gradients", "db1 from one path (`=` for `+=`)", """
        def two_hidden_gradients(w1, w2, w3, w4, b1, b2, x, t):
            # <_TWO_HIDDEN>
            d = (o - t) * o * (1.0 - o)
            d1, d2 = w3 * d * h1 * (1.0 - h1), w4 * d * h2 * (1.0 - h2)
            return d1 * x, d2 * x, d * h1, d * h2, d1, d
        """, "is δ_h1 alone"),
    # 06 ------------------------------------------------------------------------------------------------------
    _s("ex06_dense_forward", "the bias forgotten", """
        def dense_forward(x, W, b):
            return x @ W.T
        """, "missing the term `+ b`"),
    _s("ex06_dense_forward", "b[:, None]: the bias on the wrong axis", """
        def dense_forward(x, W, b):
            return x @ W.T + b[:, None]
        """, "wrong axis"),
    _s("ex06_dense_forward", "W not transposed", """
        def dense_forward(x, W, b):
            return x @ W + b
        """, "W[j, i] = w_ji"),
    _s("ex06_net322_backward_loops", "`=` where `+=` belongs in the sum over outputs", """
        def net322_backward_loops(x, t, W_hidden, W_out):
            s = lambda v: 1.0 / (1.0 + np.exp(-v))
            y = {1: x[0], 2: x[1], 3: x[2], "b": 1.0}
            net, delta = {}, {}
            for j in (4, 5):
                net[j] = sum(W_hidden[j - 4, c] * y[i] for c, i in enumerate((1, 2, 3, "b")))
                y[j] = s(net[j])
            for k in (6, 7):
                net[k] = sum(W_out[k - 6, c] * y[j] for c, j in enumerate((4, 5, "b")))
                y[k] = s(net[k])
                delta[k] = (y[k] - t[k - 6]) * y[k] * (1.0 - y[k])
            for j in (4, 5):
                total = 0.0
                for k in (6, 7):
                    total = delta[k] * W_out[k - 6, j - 4]
                delta[j] = total * y[j] * (1.0 - y[j])
            dW_hidden = np.array([[delta[j] * y[i] for i in (1, 2, 3, "b")] for j in (4, 5)])
            dW_out = np.array([[delta[k] * y[j] for j in (4, 5, "b")] for k in (6, 7)])
            return dW_hidden, dW_out
        """, "`=` where `+=`"),
    _s("ex06_net322_backward_loops", "f'(y) for f'(net)", """
        def net322_backward_loops(x, t, W_hidden, W_out):
            # <_NET322_FWD>
            d_out = (yo - t) * s(yo) * (1.0 - s(yo))
            d_hid = (W_out[:, :2].T @ d_out) * s(yh) * (1.0 - s(yh))
            return np.outer(d_hid, xa), np.outer(d_out, ya)
        """, "uses f'(y)"),
    _s("ex06_dense_backward", "dW transposed", """
        def dense_backward(dout, x, W):
            return dout @ W, x.T @ dout, dout.sum(axis=0)
        """, "it is the transpose of the right answer"),
    _s("ex06_dense_backward", "db not summed over the batch", """
        def dense_backward(dout, x, W):
            return dout @ W, dout.T @ x, dout
        """, "sum over the batch axis"),
    _s("ex06_dense_backward", "db summed over axis=1", """
        def dense_backward(dout, x, W):
            return dout @ W, dout.T @ x, dout.sum(axis=1)
        """, "summed over the wrong axis | a sum over the wrong axis"),
    _s("ex06_dense_backward", "`=` for `+=` over the samples", """
        def dense_backward(dout, x, W):
            dW = np.zeros(W.shape); db = np.zeros(W.shape[0])
            for s in range(x.shape[0]):
                dW = np.outer(dout[s], x[s])
                db = dout[s]
            return dout @ W, dW, db
        """, "keeps only the last sample's term"),
    _s("ex06_dense_backward", "a mutated dout", """
        def dense_backward(dout, x, W):
            dx, dW, db = dout @ W, dout.T @ x, dout.sum(axis=0)
            dout *= 0.0   # "clear the gradient once it is used"
            return dx, dW, db
        """, "modified its input `dout` in place"),
    _s("ex06_dense_backward", "a gradient never zeroed (the sum starts from W)", """
        def dense_backward(dout, x, W):
            dW = W.copy()
            for s in range(x.shape[0]):
                dW += np.outer(dout[s], x[s])
            return dout @ W, dW, dout.sum(axis=0)
        """, "was not zeroed first"),
    # 07 ------------------------------------------------------------------------------------------------------
    _s("ex07_output_delta", "Article D's δ = o − t", """
        def output_delta(net, T):
            return 1.0 / (1.0 + np.exp(-net)) - T
        """, "is missing the σ'("),
    _s("ex07_output_delta", "a missing batch mean (1/n)", """
        def output_delta(net, T):
            A = 1.0 / (1.0 + np.exp(-net))
            return (A - T) * A * (1 - A)
        """, "missing the 1/n factor"),
    _s("ex07_output_delta", "net·(1 − net) for A·(1 − A)", """
        def output_delta(net, T):
            A = 1.0 / (1.0 + np.exp(-net))
            return (A - T) * net * (1.0 - net) / net.shape[0]
        """, "the shortcut a·(1 − a) holds"),
    _s("ex07_hidden_delta", "forgot σ'(net)", """
        def hidden_delta(delta_next, W_next, net):
            return delta_next @ W_next
        """, "is missing the σ'("),
    _s("ex07_hidden_delta", "σ'(A) for σ'(net)", """
        def hidden_delta(delta_next, W_next, net):
            A = 1.0 / (1.0 + np.exp(-net))
            s = 1.0 / (1.0 + np.exp(-A))
            return (delta_next @ W_next) * s * (1.0 - s)
        """, "uses σ'(A)"),
    _s("ex07_hidden_delta", "σ' of row 0 broadcast to every sample", """
        def hidden_delta(delta_next, W_next, net):
            A = 1.0 / (1.0 + np.exp(-net[0]))
            return (delta_next @ W_next) * A * (1.0 - A)
        """, "was broadcast to every sample"),
    _s("ex07_hidden_delta", "W_next transposed", """
        def hidden_delta(delta_next, W_next, net):
            A = 1.0 / (1.0 + np.exp(-net))
            return (delta_next @ W_next.T) * A * (1.0 - A)
        """, "W[j, i] = w_ji"),
    _s("ex07_mlp_backward", "a missing batch mean (1/n)", """
        def mlp_backward(X, T, W1, b1, W2, b2):
            # <_MLP_FWD>
            d2 = (A2 - T) * A2 * (1 - A2)
            d1 = (d2 @ W2) * A1 * (1 - A1)
            return d1.T @ X, d1.sum(axis=0), d2.T @ A1, d2.sum(axis=0)
        """, "missing the 1/n factor"),
    _s("ex07_mlp_backward", "Article D's δ = o − t", """
        def mlp_backward(X, T, W1, b1, W2, b2):
            # <_MLP_FWD>
            d2 = (A2 - T) / X.shape[0]
            d1 = (d2 @ W2) * A1 * (1 - A1)
            return d1.T @ X, d1.sum(axis=0), d2.T @ A1, d2.sum(axis=0)
        """, "uses Article D's δ_out = A − T"),
    _s("ex07_mlp_backward", "keepdims on the bias gradients", """
        def mlp_backward(X, T, W1, b1, W2, b2):
            # <_MLP_FWD>
            d2 = (A2 - T) * A2 * (1.0 - A2) / X.shape[0]
            d1 = (d2 @ W2) * A1 * (1.0 - A1)
            return d1.T @ X, d1.sum(axis=0, keepdims=True), d2.T @ A1, d2.sum(axis=0, keepdims=True)
        """, "keepdims"),
    _s("ex07_mlp_backward", "dW2 transposed", """
        def mlp_backward(X, T, W1, b1, W2, b2):
            # <_MLP_FWD>
            d2 = (A2 - T) * A2 * (1.0 - A2) / X.shape[0]
            d1 = (d2 @ W2) * A1 * (1.0 - A1)
            return d1.T @ X, d1.sum(axis=0), A1.T @ d2, d2.sum(axis=0)
        """, "dW2 has shape"),
    _s("ex07_mlp_backward", "b1 left out of the forward pass", """
        def mlp_backward(X, T, W1, b1, W2, b2):
            s = lambda v: 1.0 / (1.0 + np.exp(-v))
            A1 = s(X @ W1.T); A2 = s(A1 @ W2.T + b2)
            d2 = (A2 - T) * A2 * (1.0 - A2) / X.shape[0]
            d1 = (d2 @ W2) * A1 * (1.0 - A1)
            return d1.T @ X, d1.sum(axis=0), d2.T @ A1, d2.sum(axis=0)
        """, "the bias b1 was left out"),
    # 08 ------------------------------------------------------------------------------------------------------
    _s("ex08_softmax", "no shift: e^2000 overflows", """
        def softmax(net):
            E = np.exp(net)
            return E / E.sum(axis=1, keepdims=True)
        """, "NaN"),
    _s("ex08_softmax", "shifted by the row mean", """
        def softmax(net):
            E = np.exp(net - net.mean(axis=1, keepdims=True))
            return E / E.sum(axis=1, keepdims=True)
        """, "NaN"),
    _s("ex08_softmax", "shifted by the global max", """
        def softmax(net):
            E = np.exp(net - net.max())
            return E / E.sum(axis=1, keepdims=True)
        """, "NaN"),
    _s("ex08_softmax", "normalised over axis=0", """
        def softmax(net):
            E = np.exp(net - net.max(axis=1, keepdims=True))
            return E / E.sum(axis=0, keepdims=True)
        """, "normalized over axis=0"),
    _s("ex08_softmax", "the row max without keepdims", """
        def softmax(net):
            E = np.exp(net - net.max(axis=1))
            return E / E.sum(axis=1, keepdims=True)
        """, "without keepdims=True drops the axis"),
    _s("ex08_softmax", "computed in float32", """
        def softmax(net):
            z = (net - net.max(axis=1, keepdims=True)).astype(np.float32)
            E = np.exp(z)
            return E / E.sum(axis=1, keepdims=True)
        """, "compute in float64: got float32"),
    _s("ex08_cross_entropy", "the sum, not the batch mean", """
        def cross_entropy(P, T):
            return float(-np.sum(T * np.log(P)))
        """, "missing the 1/n factor"),
    _s("ex08_cross_entropy", "the mean over n·C entries", """
        def cross_entropy(P, T):
            return float(-np.mean(T * np.log(P)))
        """, "1/C"),
    _s("ex08_cross_entropy", "the minus sign forgotten", """
        def cross_entropy(P, T):
            return float(np.sum(T * np.log(P)) / P.shape[0])
        """, "has the wrong sign"),
    _s("ex08_softmax_ce_backward", "a missing batch mean (1/n)", """
        def softmax_ce_backward(net, T):
            E = np.exp(net - net.max(axis=1, keepdims=True))
            return E / E.sum(axis=1, keepdims=True) - T
        """, "missing the 1/n factor"),
    _s("ex08_softmax_ce_backward", "divided by n·C", """
        def softmax_ce_backward(net, T):
            E = np.exp(net - net.max(axis=1, keepdims=True))
            return (E / E.sum(axis=1, keepdims=True) - T) / net.size
        """, "is 1/C"),
    _s("ex08_softmax_ce_backward", "T − P: the sign of the subtraction", """
        def softmax_ce_backward(net, T):
            E = np.exp(net - net.max(axis=1, keepdims=True))
            return (T - E / E.sum(axis=1, keepdims=True)) / net.shape[0]
        """, "has the wrong sign"),
    _s("ex08_softmax_ce_backward", "an unstable softmax inside", """
        def softmax_ce_backward(net, T):
            E = np.exp(net)
            return (E / E.sum(axis=1, keepdims=True) - T) / net.shape[0]
        """, "NaN"),
    # 09 ------------------------------------------------------------------------------------------------------
    _s("ex09_sgd_step", "a step uphill", """
        def sgd_step(w, g, eta):
            return w + eta * g
        """, "wrong direction | steps uphill"),
    _s("ex09_sgd_step", "w updated in place", """
        def sgd_step(w, g, eta):
            w -= eta * g
            return w
        """, "modified its input `w` in place"),
    _s("ex09_momentum_step", "v updated in place", """
        def momentum_step(w, v, g, eta, beta):
            v *= beta
            v -= eta * g
            return w + v, v
        """, "modified its input `v` in place"),
    _s("ex09_momentum_step", "the other books' sign convention", """
        def momentum_step(w, v, g, eta, beta):
            v_new = beta * v + eta * g
            return w - v_new, v_new
        """, "stores the velocity with the other sign"),
    _s("ex09_momentum_step", "a step uphill", """
        def momentum_step(w, v, g, eta, beta):
            v_new = beta * v + eta * g
            return w + v_new, v_new
        """, "steps in the wrong direction"),
    _s("ex09_momentum_step", "the old velocity returned", """
        def momentum_step(w, v, g, eta, beta):
            v_new = beta * v - eta * g
            return w + v_new, v
        """, "is the input v unchanged"),
    _s("ex09_momentum_step", "w moved by the old velocity", """
        def momentum_step(w, v, g, eta, beta):
            v_new = beta * v - eta * g
            return w + v, v_new
        """, "uses the input v where the updated v belongs"),
    _s("ex09_adam_step", "no bias correction", """
        def adam_step(w, m, v, g, t, eta, beta1, beta2, eps):
            # <_ADAM_MV>
            return w - eta * m / (np.sqrt(v) + eps), m, v
        """, "skips the bias correction"),
    _s("ex09_adam_step", "t off by one", """
        def adam_step(w, m, v, g, t, eta, beta1, beta2, eps):
            # <_ADAM_MV>
            m_hat, v_hat = m / (1 - beta1 ** (t + 1)), v / (1 - beta2 ** (t + 1))
            return w - eta * m_hat / (np.sqrt(v_hat) + eps), m, v
        """, "is t off by one?"),
    _s("ex09_adam_step", "m̂ returned as the state", """
        def adam_step(w, m, v, g, t, eta, beta1, beta2, eps):
            # <_ADAM_MV>
            m_hat, v_hat = m / (1 - beta1 ** t), v / (1 - beta2 ** t)
            return w - eta * m_hat / (np.sqrt(v_hat) + eps), m_hat, v
        """, "returns the bias-corrected m̂ as the new m"),
    _s("ex09_adam_step", "a step uphill", """
        def adam_step(w, m, v, g, t, eta, beta1, beta2, eps):
            # <_ADAM_MV>
            m_hat, v_hat = m / (1 - beta1 ** t), v / (1 - beta2 ** t)
            return w + eta * m_hat / (np.sqrt(v_hat) + eps), m, v
        """, "w: your answer steps in the wrong direction"),
    _s("ex09_adam_step", "the state kept in float32", """
        def adam_step(w, m, v, g, t, eta, beta1, beta2, eps):
            # <_ADAM_MV>
            m_hat, v_hat = m / (1 - beta1 ** t), v / (1 - beta2 ** t)
            w = w - eta * m_hat / (np.sqrt(v_hat) + eps)
            return w, m.astype(np.float32), v.astype(np.float32)
        """, "compute in float64: got float32 for m and v"),
]

# Slips whose diagnosis needed a task-specific case or message from the task's spec (bpcourse/grading/specs):
# |net| = 800 for σ, ε = 1e-2 with tiny gradients for Adam, and the Slips that name them.
SPEC_BACKED: list[SlipEntry] = [
    _s("ex01_sigmoid", "eˣ/(1 + eˣ): NaN past 709", """
        def sigmoid(net):
            return np.exp(net) / (1.0 + np.exp(net))
        """, "NaN"),
    _s("ex01_sigmoid_prime", "σ'(σ(net))", """
        def sigmoid_prime(net):
            s = 1.0 / (1.0 + np.exp(-net))
            s2 = 1.0 / (1.0 + np.exp(-s))
            return s2 * (1.0 - s2)
        """, "is σ'(σ(net))"),
    _s("ex04_quadratic_gradient", "Aᵀx + b", """
        def quadratic_gradient(A, b, x):
            return A.T @ x + b
        """, "is Aᵀx + b"),
    _s("ex06_net322_backward_loops", "one path only (4→6, 5→7)", """
        def net322_backward_loops(x, t, W_hidden, W_out):
            # <_NET322_FWD>
            d_out = (yo - t) * yo * (1.0 - yo)
            d_hid = d_out * np.diag(W_out[:, :2]) * yh * (1.0 - yh)
            return np.outer(d_hid, xa), np.outer(d_out, ya)
        """, "uses one path per hidden node"),
    _s("ex07_hidden_delta", "σ(net) for σ'(net)", """
        def hidden_delta(delta_next, W_next, net):
            A = 1.0 / (1.0 + np.exp(-net))
            return (delta_next @ W_next) * A
        """, "missing the (1 − σ("),
    _s("ex07_mlp_backward", "σ'(A1) for σ'(net1)", """
        def mlp_backward(X, T, W1, b1, W2, b2):
            # <_MLP_FWD>
            d2 = (A2 - T) * A2 * (1.0 - A2) / X.shape[0]
            S = s(A1)
            d1 = (d2 @ W2) * S * (1.0 - S)
            return d1.T @ X, d1.sum(axis=0), d2.T @ A1, d2.sum(axis=0)
        """, "uses σ'(A1)"),
    _s("ex08_softmax_ce_backward", "counted twice: the softmax Jacobian on top of P − T", """
        def softmax_ce_backward(net, T):
            E = np.exp(net - net.max(axis=1, keepdims=True))
            P = E / E.sum(axis=1, keepdims=True)
            G = (P - T) / net.shape[0]
            return P * (G - (P * G).sum(axis=1, keepdims=True))
        """, "counts the softmax's backward twice"),
    _s("ex09_adam_step", "v̂ uncorrected", """
        def adam_step(w, m, v, g, t, eta, beta1, beta2, eps):
            # <_ADAM_MV>
            m_hat = m / (1 - beta1 ** t)
            return w - eta * m_hat / (np.sqrt(v) + eps), m, v
        """, "leaves v uncorrected"),
    _s("ex09_adam_step", "ε inside the square root", """
        def adam_step(w, m, v, g, t, eta, beta1, beta2, eps):
            # <_ADAM_MV>
            m_hat, v_hat = m / (1 - beta1 ** t), v / (1 - beta2 ** t)
            return w - eta * m_hat / np.sqrt(v_hat + eps), m, v
        """, "puts ε inside the square root"),
]


SLIPS += SPEC_BACKED
#: Slips whose diagnosis still waits for a spec entry (each says which in ``needs``): none at present.
PENDING: list[SlipEntry] = []


def slips_for(task_id: str) -> list[SlipEntry]:
    """The (asserted) slips of one task."""
    return [s for s in SLIPS if s.task == task_id]


CORPUS: dict[str, tuple[str, str, str, str]] = {
    task: (name, right, slips_for(task)[0].source if slips_for(task) else right,
           slips_for(task)[0].words if slips_for(task) else "")
    for task, (name, right) in RIGHT.items()
}

# A correct answer that also makes NumPy warn (0/0 in a value it then ignores): nbgrader zeroes a test cell
# with anything on stderr, so the test cells must keep such warnings out of it.
NOISE = "    np.float64(0.0) / np.float64(0.0)      # RuntimeWarning: invalid value, harmless here\n"


def noisy(source: str) -> str:
    """``source`` (one ``def``) with a line that raises a harmless RuntimeWarning first in its body."""
    head, _, body = source.strip("\n").partition("\n")
    return f"{head}\n{NOISE}{body}\n"


# ------------------------------------------------------------------------------------ correct variants
# Each template is a right answer; {s}, {t}, {u} are local names, {SIG:v} a σ of the expression v written in
# one of several exact forms. Loops, einsum, broadcasting and other operation orders are separate templates.
_SIGMAS = ("1.0 / (1.0 + np.exp(-({v})))", "0.5 * (1.0 + np.tanh(0.5 * ({v})))", "np.exp(-np.logaddexp(0.0, -({v})))",
           "1 / (1 + np.exp(-1.0 * ({v})))")

TEMPLATES: dict[str, list[str]] = {
    "ex01_sigmoid": [
        "def sigmoid(net):\n    return {SIG:net}\n",
        "def sigmoid(net):\n    {s} = np.empty_like(net, dtype=float)\n    for i in np.ndindex(net.shape):\n"
        "        {s}[i] = {SIG:net[i]}\n    return {s}\n",
        "def sigmoid(net):\n    {s} = np.asarray(net, dtype=np.float64)\n    return {SIG:{s}}\n",
    ],
    "ex01_sigmoid_prime": [
        "def sigmoid_prime(net):\n    {s} = {SIG:net}\n    return {s} * (1.0 - {s})\n",
        "def sigmoid_prime(net):\n    {s} = {SIG:net}\n    return {s} - {s} ** 2\n",
        "def sigmoid_prime(net):\n    {s} = np.exp(-np.abs(net))\n    return {s} / (1.0 + {s}) ** 2\n",
        "def sigmoid_prime(net):\n    return 0.25 * (1.0 - np.tanh(0.5 * net) ** 2)\n",
    ],
    "ex01_neuron_gradient": [
        "def neuron_gradient(w, b, x, t):\n    {s} = {SIG:w @ x + b}\n    {t} = ({s} - t) * {s} * (1.0 - {s})\n"
        "    return {t} * x, float({t})\n",
        "def neuron_gradient(w, b, x, t):\n    {u} = float(np.dot(w, x)) + b\n    {s} = {SIG:{u}}\n"
        "    {t} = ({s} - t) * ({s} - {s} ** 2)\n    return np.array([{t} * xi for xi in x]), {t}\n",
    ],
    "ex01_neuron_sgd_step": [
        "def neuron_sgd_step(w, b, x, t, eta):\n    {s} = {SIG:w @ x + b}\n    {t} = ({s} - t) * {s} * (1.0 - {s})\n"
        "    return w - eta * {t} * x, float(b - eta * {t})\n",
        "def neuron_sgd_step(w, b, x, t, eta):\n    {s} = {SIG:np.sum(w * x) + b}\n    {t} = eta * ({s} - t) * {s} * (1.0 - {s})\n"
        "    {u} = w.copy()\n    {u} -= {t} * x\n    return {u}, b - {t}\n",
    ],
    "ex02_mul_backward": [
        "def mul_backward(x, y, dout):\n    return dout * y, dout * x\n",
        "def mul_backward(x, y, dout):\n    {s}, {t} = y, x\n    return {s} * dout, {t} * dout\n",
    ],
    "ex02_max_backward": [
        "def max_backward(x, y, dout):\n    return (dout, 0.0) if x > y else (0.0, dout)\n",
        "def max_backward(x, y, dout):\n    {s} = float(x > y)\n    return {s} * dout, (1.0 - {s}) * dout\n",
        "def max_backward(x, y, dout):\n    if y > x:\n        return 0.0, dout\n    return dout, 0.0\n",
    ],
    "ex02_add_mul_gradients": [
        "def add_mul_gradients(x, y, z):\n    {s} = x + y\n    {t} = z\n    return {t} * 1.0, {t} * 1.0, {s}\n",
        "def add_mul_gradients(x, y, z):\n    return z, z, y + x\n",
    ],
    "ex02_branch_gradients": [
        "def branch_gradients(x, y, z, w):\n    {s} = 1.0 if y > z else 0.0\n    {t} = x * y + max(y, z)\n"
        "    {u} = w * x\n    {u} += w * {s}\n    return w * y, {u}, w * (1.0 - {s}), {t}\n",
        "def branch_gradients(x, y, z, w):\n    {s} = x * y + (y if y > z else z)\n    {t} = w\n"
        "    return {t} * y, {t} * x + ({t} if y > z else 0.0), (0.0 if y > z else {t}), {s}\n",
    ],
    "ex03_chain_forward": [
        "def chain_forward(w1, w2, w3, x):\n    {s} = w1 * x\n    {t} = w2 * {s}\n    return {s}, {t}, w3 * {t}\n",
        "def chain_forward(w1, w2, w3, x):\n    {s} = [x]\n    for {t} in (w1, w2, w3):\n        {s}.append({t} * {s}[-1])\n"
        "    return tuple({s}[1:])\n",
    ],
    "ex03_chain_gradients": [
        "def chain_gradients(w1, w2, w3, x, t):\n    {s} = w1 * x; {t} = w2 * {s}\n    {u} = w3 * {t} - t\n"
        "    return {u} * w3 * w2 * x, {u} * w3 * {s}, {u} * {t}\n",
        "def chain_gradients(w1, w2, w3, x, t):\n    {s} = w2 * w1 * x\n    {u} = w3 * {s} - t\n    {t} = {u} * w3\n"
        "    return {t} * w2 * x, {t} * w1 * x, {u} * {s}\n",
    ],
    "ex03_chain_sgd_step": [
        "def chain_sgd_step(w1, w2, w3, x, t, eta):\n    {s} = w1 * x; {t} = w2 * {s}; {u} = w3 * {t} - t\n"
        "    g = ({u} * w3 * w2 * x, {u} * w3 * {s}, {u} * {t})\n    return tuple(w - eta * d for w, d in zip((w1, w2, w3), g))\n",
    ],
    "ex04_rel_error": [
        "def rel_error(a, b):\n    {s} = np.linalg.norm(np.asarray(a, float) - np.asarray(b, float))\n"
        "    {t} = np.linalg.norm(np.asarray(a, float)) + np.linalg.norm(np.asarray(b, float))\n"
        "    if {t} == 0:\n        return 0.0\n    return float({s} / {t})\n",
        "def rel_error(a, b):\n    {s} = np.ravel(np.asarray(a, dtype=float)); {t} = np.ravel(np.asarray(b, dtype=float))\n"
        "    {u} = np.sqrt(np.sum({s} ** 2)) + np.sqrt(np.sum({t} ** 2))\n"
        "    return 0.0 if {u} == 0 else float(np.sqrt(np.sum(({s} - {t}) ** 2)) / {u})\n",
    ],
    "ex04_central_difference": [
        "def central_difference(f, x, eps=1e-5):\n    x = np.array(x, dtype=float)\n    {s} = np.zeros_like(x)\n"
        "    for i in range(x.size):\n        {t} = x.copy(); {t}.flat[i] += eps\n        {u} = x.copy(); {u}.flat[i] -= eps\n"
        "        {s}.flat[i] = (f({t}) - f({u})) / (2.0 * eps)\n    return {s}\n",
        "def central_difference(f, x, eps=1e-5):\n    x = np.asarray(x, dtype=float)\n    {s} = np.zeros(x.shape)\n"
        "    for i in np.ndindex(x.shape):\n        {t} = x.copy(); {t}[i] = x[i] + eps\n        {u} = x.copy(); {u}[i] = x[i] - eps\n"
        "        {s}[i] = (f({t}) - f({u})) / (2 * eps)\n    return {s}\n",
    ],
    "ex04_quadratic_gradient": [
        "def quadratic_gradient(A, b, x):\n    return 0.5 * (A + A.T) @ x + b\n",
        "def quadratic_gradient(A, b, x):\n    {s} = A @ x\n    {t} = A.T @ x\n    return ({s} + {t}) / 2.0 + b\n",
        "def quadratic_gradient(A, b, x):\n    return np.einsum('ij,j->i', 0.5 * (A + A.T), x) + b\n",
    ],
    "ex05_two_hidden_forward": [
        "def two_hidden_forward(w1, w2, w3, w4, b1, b2, x):\n    {s} = {SIG:w1 * x + b1}\n    {t} = {SIG:w2 * x + b1}\n"
        "    return {s}, {t}, {SIG:w3 * {s} + w4 * {t} + b2}\n",
    ],
    "ex05_two_hidden_deltas": [
        "def two_hidden_deltas(w1, w2, w3, w4, b1, b2, x, t):\n    {s} = {SIG:w1 * x + b1}\n    {t} = {SIG:w2 * x + b1}\n"
        "    {u} = {SIG:w3 * {s} + w4 * {t} + b2}\n    d = ({u} - t) * {u} * (1.0 - {u})\n"
        "    return d, d * w3 * {s} * (1.0 - {s}), d * w4 * {t} * (1.0 - {t})\n",
    ],
    "ex05_two_hidden_gradients": [
        "def two_hidden_gradients(w1, w2, w3, w4, b1, b2, x, t):\n    {s} = {SIG:w1 * x + b1}\n    {t} = {SIG:w2 * x + b1}\n"
        "    {u} = {SIG:w3 * {s} + w4 * {t} + b2}\n    d = ({u} - t) * {u} * (1.0 - {u})\n"
        "    d1 = w3 * d * {s} * (1.0 - {s}); d2 = w4 * d * {t} * (1.0 - {t})\n"
        "    return x * d1, x * d2, {s} * d, {t} * d, d2 + d1, d\n",
    ],
    "ex06_dense_forward": [
        "def dense_forward(x, W, b):\n    return x @ W.T + b\n",
        "def dense_forward(x, W, b):\n    return np.einsum('si,ji->sj', x, W) + b[None, :]\n",
        "def dense_forward(x, W, b):\n    {s} = np.zeros((x.shape[0], W.shape[0]))\n    for n in range(x.shape[0]):\n"
        "        {s}[n] = W @ x[n] + b\n    return {s}\n",
        "def dense_forward(x, W, b):\n    return (W @ x.T).T + b\n",
    ],
    "ex06_net322_backward_loops": [
        RIGHT["ex06_net322_backward_loops"][1].strip("\n") + "\n",
        "def net322_backward_loops(x, t, W_hidden, W_out):\n    {s} = np.concatenate([x, [1.0]])\n    {t} = {SIG:W_hidden @ {s}}\n"
        "    {u} = np.concatenate([{t}, [1.0]])\n    yo = {SIG:W_out @ {u}}\n    d_out = (yo - t) * yo * (1.0 - yo)\n"
        "    d_hid = np.zeros(2)\n    for j in range(2):\n        for k in range(2):\n            d_hid[j] += d_out[k] * W_out[k, j]\n"
        "        d_hid[j] *= {t}[j] * (1.0 - {t}[j])\n    return d_hid[:, None] * {s}[None, :], d_out[:, None] * {u}[None, :]\n",
    ],
    "ex06_dense_backward": [
        "def dense_backward(dout, x, W):\n    return dout @ W, dout.T @ x, dout.sum(axis=0)\n",
        "def dense_backward(dout, x, W):\n    return np.einsum('sj,ji->si', dout, W), np.einsum('sj,si->ji', dout, x), np.einsum('sj->j', dout)\n",
        "def dense_backward(dout, x, W):\n    {s} = np.zeros_like(W, dtype=float)\n    {t} = np.zeros(W.shape[0])\n"
        "    for n in range(x.shape[0]):\n        {s} += np.outer(dout[n], x[n])\n        {t} += dout[n]\n    return dout @ W, {s}, {t}\n",
        "def dense_backward(dout, x, W):\n    return (W.T @ dout.T).T, (x.T @ dout).T, np.ones(dout.shape[0]) @ dout\n",
    ],
    "ex07_output_delta": [
        "def output_delta(net, T):\n    {s} = {SIG:net}\n    return ({s} - T) * {s} * (1.0 - {s}) / net.shape[0]\n",
        "def output_delta(net, T):\n    {s} = {SIG:net}\n    {t} = len(net)\n    return ({s} - T) / {t} * ({s} * (1 - {s}))\n",
    ],
    "ex07_hidden_delta": [
        "def hidden_delta(delta_next, W_next, net):\n    {s} = {SIG:net}\n    return (delta_next @ W_next) * {s} * (1.0 - {s})\n",
        "def hidden_delta(delta_next, W_next, net):\n    {s} = {SIG:net}\n    return np.einsum('sk,kj->sj', delta_next, W_next) * ({s} - {s} ** 2)\n",
    ],
    "ex07_mlp_backward": [
        "def mlp_backward(X, T, W1, b1, W2, b2):\n    {s} = {SIG:X @ W1.T + b1}\n    {t} = {SIG:{s} @ W2.T + b2}\n"
        "    d2 = ({t} - T) * {t} * (1.0 - {t}) / X.shape[0]\n    d1 = (d2 @ W2) * {s} * (1.0 - {s})\n"
        "    return d1.T @ X, d1.sum(axis=0), d2.T @ {s}, d2.sum(axis=0)\n",
        "def mlp_backward(X, T, W1, b1, W2, b2):\n    {s} = {SIG:X @ W1.T + b1}\n    {t} = {SIG:{s} @ W2.T + b2}\n"
        "    d2 = ({t} - T) * {t} * (1.0 - {t}) / len(X)\n    d1 = np.einsum('sk,kj->sj', d2, W2) * {s} * (1.0 - {s})\n"
        "    return np.einsum('sj,si->ji', d1, X), np.einsum('sj->j', d1), np.einsum('sk,sj->kj', d2, {s}), d2.sum(0)\n",
    ],
    "ex08_softmax": [
        "def softmax(net):\n    {s} = np.exp(net - net.max(axis=1, keepdims=True))\n    return {s} / {s}.sum(axis=1, keepdims=True)\n",
        "def softmax(net):\n    {s} = np.empty_like(net)\n    for i in range(net.shape[0]):\n        {t} = np.exp(net[i] - np.max(net[i]))\n"
        "        {s}[i] = {t} / np.sum({t})\n    return {s}\n",
        "def softmax(net):\n    {s} = net - np.max(net, axis=-1)[:, None]\n    return np.exp({s} - np.log(np.sum(np.exp({s}), axis=-1))[:, None])\n",
    ],
    "ex08_cross_entropy": [
        "def cross_entropy(P, T):\n    return float(-np.sum(T * np.log(P)) / P.shape[0])\n",
        "def cross_entropy(P, T):\n    return float(np.mean(-np.sum(T * np.log(P), axis=1)))\n",
        "def cross_entropy(P, T):\n    {s} = 0.0\n    for i in range(len(P)):\n        {s} -= np.log(P[i][np.argmax(T[i])])\n    return float({s} / len(P))\n",
    ],
    "ex08_softmax_ce_backward": [
        "def softmax_ce_backward(net, T):\n    {s} = np.exp(net - net.max(axis=1, keepdims=True))\n"
        "    return ({s} / {s}.sum(axis=1, keepdims=True) - T) / net.shape[0]\n",
        "def softmax_ce_backward(net, T):\n    {s} = net - net.max(axis=1, keepdims=True)\n    {t} = np.exp({s})\n"
        "    {t} /= {t}.sum(axis=1, keepdims=True)\n    return ({t} - T) / len(net)\n",
    ],
    "ex09_sgd_step": [
        "def sgd_step(w, g, eta):\n    return w - eta * g\n",
        "def sgd_step(w, g, eta):\n    {s} = w.copy()\n    {s} -= eta * g\n    return {s}\n",
        "def sgd_step(w, g, eta):\n    return np.subtract(w, np.multiply(eta, g))\n",
    ],
    "ex09_momentum_step": [
        "def momentum_step(w, v, g, eta, beta):\n    {s} = beta * v - eta * g\n    return w + {s}, {s}\n",
        "def momentum_step(w, v, g, eta, beta):\n    {s} = v.copy()\n    {s} *= beta\n    {s} -= eta * g\n    return w + {s}, {s}\n",
    ],
    "ex09_adam_step": [
        "def adam_step(w, m, v, g, t, eta, beta1, beta2, eps):\n    {s} = beta1 * m + (1.0 - beta1) * g\n"
        "    {t} = beta2 * v + (1.0 - beta2) * g ** 2\n    {u} = {s} / (1.0 - beta1 ** t)\n"
        "    return w - eta * {u} / (np.sqrt({t} / (1.0 - beta2 ** t)) + eps), {s}, {t}\n",
        "def adam_step(w, m, v, g, t, eta, beta1, beta2, eps):\n    {s} = m * beta1 + g * (1 - beta1)\n"
        "    {t} = v * beta2 + np.square(g) * (1 - beta2)\n"
        "    return w - eta * ({s} / (1 - beta1 ** t)) / (np.sqrt({t} / (1 - beta2 ** t)) + eps), {s}, {t}\n",
    ],
}

_NAMES = ("a", "s", "tmp", "val", "out", "res", "acc", "r", "q", "k", "h", "y_", "z_", "o_", "p_", "buf")


def _fill(template: str, rng: random.Random) -> str:
    names = rng.sample(_NAMES, 3)
    text = template.replace("{s}", names[0]).replace("{t}", names[1]).replace("{u}", names[2])
    while "{SIG:" in text:
        start = text.index("{SIG:")
        depth, i = 0, start + 1
        while True:  # the matching brace: the argument may itself hold braces of a name already filled
            if text[i] == "{":
                depth += 1
            elif text[i] == "}":
                if depth == 0:
                    break
                depth -= 1
            i += 1
        arg = text[start + 5:i]
        text = text[:start] + rng.choice(_SIGMAS).format(v=arg) + text[i + 1:]
    return text


def correct_variants(seed: int = 2026, per_task: int = 8) -> list[tuple[str, str]]:
    """``(task_id, source)`` right answers: ``per_task`` per task, drawn from the templates with ``seed``.

    Every template is used (round-robin), each with fresh local names and a σ form drawn at random.
    """
    rng = random.Random(seed)
    out = []
    for task in RIGHT:
        templates = TEMPLATES[task]
        for i in range(per_task):
            out.append((task, _fill(templates[i % len(templates)], rng)))
    return out


def function_name(source: str) -> str:
    """The name of the one function ``source`` defines."""
    m = re.search(r"^def (\w+)\(", source, re.M)
    if not m:
        raise ValueError(f"expected a source defining one function, got {source[:60]!r}")
    return m.group(1)
