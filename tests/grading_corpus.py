"""A corpus of submissions for every exercise task: one right answer and one typical slip per task.

Used by ``tests/test_grading_nbgrader.py`` (nbgrader's ``autograde`` and ``bpcourse grade`` must agree on
every task of every submission built from it) and by ``tests/test_exercises.py`` (each slip gets the
diagnosis that names it). The right answers are self-contained on purpose: none calls another task's
function, so a submission can mix right, wrong and unanswered tasks and each task's verdict depends on that
task alone.

``CORPUS[task_id] = (name, right, slip, named)``: ``name`` is the function the learner writes in the solution
cell (``central_difference`` for the probe task), ``right`` and ``slip`` its source, ``named`` a phrase the
self-check's diagnosis of the slip must contain (alternatives separated by " | ", when the case decides which).
"""
from __future__ import annotations

CORPUS: dict[str, tuple[str, str, str, str]] = {
    # 01 --------------------------------------------------------------------------------------------------
    "ex01_sigmoid": ("sigmoid", """
def sigmoid(net):
    return 1.0 / (1.0 + np.exp(-net))
""", """
def sigmoid(net):
    return 1.0 / (1.0 + np.exp(net))            # the sign of the exponent
""", "is σ(−net) = 1 − σ(net)"),
    "ex01_sigmoid_prime": ("sigmoid_prime", """
def sigmoid_prime(net):
    s = 1.0 / (1.0 + np.exp(-net))
    return s * (1.0 - s)
""", """
def sigmoid_prime(net):
    return net * (1.0 - net)                     # z(1 − z) instead of σ(z)(1 − σ(z))
""", "net·(1 − net)"),
    "ex01_neuron_gradient": ("neuron_gradient", """
def neuron_gradient(w, b, x, t):
    o = 1.0 / (1.0 + np.exp(-(w @ x + b)))
    delta = (o - t) * o * (1.0 - o)
    return delta * x, float(delta)
""", """
def neuron_gradient(w, b, x, t):
    o = 1.0 / (1.0 + np.exp(-(w @ x + b)))
    s = 1.0 / (1.0 + np.exp(-o))                 # σ'(o) instead of σ'(net)
    delta = (o - t) * s * (1.0 - s)
    return delta * x, float(delta)
""", "σ'(o)"),
    "ex01_neuron_sgd_step": ("neuron_sgd_step", """
def neuron_sgd_step(w, b, x, t, eta):
    o = 1.0 / (1.0 + np.exp(-(w @ x + b)))
    delta = (o - t) * o * (1.0 - o)
    return w - eta * delta * x, float(b - eta * delta)
""", """
def neuron_sgd_step(w, b, x, t, eta):
    o = 1.0 / (1.0 + np.exp(-(w @ x + b)))
    delta = (o - t) * o * (1.0 - o)
    return w + eta * delta * x, float(b + eta * delta)   # a step uphill
""", "wrong direction"),
    # 02 --------------------------------------------------------------------------------------------------
    "ex02_mul_backward": ("mul_backward", """
def mul_backward(x, y, dout):
    return dout * y, dout * x
""", """
def mul_backward(x, y, dout):
    return y, x                                  # the local derivatives only
""", "missing the upstream gradient dout factor"),
    "ex02_max_backward": ("max_backward", """
def max_backward(x, y, dout):
    return (dout, 0.0) if x > y else (0.0, dout)
""", """
def max_backward(x, y, dout):
    return (dout, 0.0) if x < y else (0.0, dout)   # the gradient goes to the loser
""", "sends dout to the smaller input"),
    "ex02_add_mul_gradients": ("add_mul_gradients", """
def add_mul_gradients(x, y, z):
    return z, z, x + y
""", """
def add_mul_gradients(x, y, z):
    return z, 0.0, x + y                         # the add gate passes the gradient to x only
""", "dy has wrong values"),
    "ex02_branch_gradients": ("branch_gradients", """
def branch_gradients(x, y, z, w):
    y_wins = 1.0 if y > z else 0.0
    return w * y, w * x + w * y_wins, w * (1.0 - y_wins), x * y + max(y, z)
""", """
def branch_gradients(x, y, z, w):
    y_wins = 1.0 if y > z else 0.0
    return w * y, w * x, w * (1.0 - y_wins), x * y + max(y, z)   # y's path through the max is lost
""", "keeps only the product path's gradient"),
    # 03 --------------------------------------------------------------------------------------------------
    "ex03_chain_forward": ("chain_forward", """
def chain_forward(w1, w2, w3, x):
    return w1 * x, w2 * w1 * x, w3 * w2 * w1 * x
""", """
def chain_forward(w1, w2, w3, x):
    return w1 * x, w2 * w1 * x, w3 * w1 * x      # e skips w2
""", "e has wrong values"),
    "ex03_chain_gradients": ("chain_gradients", """
def chain_gradients(w1, w2, w3, x, t):
    y = w1 * x; z = w2 * y; r = w3 * z - t
    return r * w3 * w2 * x, r * w3 * y, r * z
""", """
def chain_gradients(w1, w2, w3, x, t):
    y = w1 * x; z = w2 * y; r = w3 * z - t
    return r * w2 * x, r * y, r * z              # forgot w3 on the way back
""", "dw2 is missing the w3 factor"),
    "ex03_chain_sgd_step": ("chain_sgd_step", """
def chain_sgd_step(w1, w2, w3, x, t, eta):
    y = w1 * x; z = w2 * y; r = w3 * z - t
    return w1 - eta * r * w3 * w2 * x, w2 - eta * r * w3 * y, w3 - eta * r * z
""", """
def chain_sgd_step(w1, w2, w3, x, t, eta):
    y = w1 * x; z = w2 * y; r = w3 * z - t
    w3 = w3 - eta * r * z                        # the article's order: the new w3 is used below
    w2 = w2 - eta * r * w3 * y
    return w1 - eta * r * w3 * w2 * x, w2, w3
""", "article's order"),
    # 04 --------------------------------------------------------------------------------------------------
    "ex04_rel_error": ("rel_error", """
def rel_error(a, b):
    a = np.asarray(a, dtype=float); b = np.asarray(b, dtype=float)
    den = np.linalg.norm(a) + np.linalg.norm(b)
    return 0.0 if den == 0.0 else float(np.linalg.norm(a - b) / den)
""", """
def rel_error(a, b):
    a = np.asarray(a, dtype=float); b = np.asarray(b, dtype=float)
    return float(np.linalg.norm(a - b) / np.linalg.norm(a))   # only ‖a‖ below (and 0/0 when both are zero)
""", "wrong values | NaN"),
    "ex04_central_difference": ("central_difference", """
def central_difference(f, x, eps=1e-5):
    x = np.array(x, dtype=float)
    g = np.zeros_like(x)
    for i in range(x.size):
        xp = x.copy(); xp.flat[i] += eps
        xm = x.copy(); xm.flat[i] -= eps
        g.flat[i] = (f(xp) - f(xm)) / (2.0 * eps)
    return g
""", """
def central_difference(f, x, eps=1e-5):
    x = np.array(x, dtype=float)
    g = np.zeros_like(x)
    for i in range(x.size):
        xp = x.copy(); xp.flat[i] += eps
        xm = x.copy(); xm.flat[i] -= eps
        g.flat[i] = (f(xp) - f(xm)) / eps        # forgot the 2 of 2ε
    return g
""", "2 × the expected value"),
    "ex04_quadratic_gradient": ("quadratic_gradient", """
def quadratic_gradient(A, b, x):
    return 0.5 * (A @ x + A.T @ x) + b
""", """
def quadratic_gradient(A, b, x):
    return A @ x + b                             # right only for a symmetric A
""", "symmetric"),
    # 05 --------------------------------------------------------------------------------------------------
    "ex05_two_hidden_forward": ("two_hidden_forward", """
def two_hidden_forward(w1, w2, w3, w4, b1, b2, x):
    s = lambda v: 1.0 / (1.0 + np.exp(-v))
    h1, h2 = s(w1 * x + b1), s(w2 * x + b1)
    return h1, h2, s(w3 * h1 + w4 * h2 + b2)
""", """
def two_hidden_forward(w1, w2, w3, w4, b1, b2, x):
    s = lambda v: 1.0 / (1.0 + np.exp(-v))
    h1, h2 = s(w1 * x + b1), s(w2 * x + b2)      # the article's literal b2 in net_h2
    return h1, h2, s(w3 * h1 + w4 * h2 + b2)
""", "puts b2 into net_h2"),
    "ex05_two_hidden_deltas": ("two_hidden_deltas", """
def two_hidden_deltas(w1, w2, w3, w4, b1, b2, x, t):
    s = lambda v: 1.0 / (1.0 + np.exp(-v))
    h1, h2 = s(w1 * x + b1), s(w2 * x + b1)
    o = s(w3 * h1 + w4 * h2 + b2)
    d = (o - t) * o * (1.0 - o)
    return d, w3 * d * h1 * (1.0 - h1), w4 * d * h2 * (1.0 - h2)
""", """
def two_hidden_deltas(w1, w2, w3, w4, b1, b2, x, t):
    s = lambda v: 1.0 / (1.0 + np.exp(-v))
    h1, h2 = s(w1 * x + b1), s(w2 * x + b1)
    o = s(w3 * h1 + w4 * h2 + b2)
    d = (o - t) * o * (1.0 - o)
    return d, w3 * d, w4 * d * h2 * (1.0 - h2)   # forgot σ'(net_h1)
""", "delta_h1 is missing the σ'(net_h1) factor"),
    "ex05_two_hidden_gradients": ("two_hidden_gradients", """
def two_hidden_gradients(w1, w2, w3, w4, b1, b2, x, t):
    s = lambda v: 1.0 / (1.0 + np.exp(-v))
    h1, h2 = s(w1 * x + b1), s(w2 * x + b1)
    o = s(w3 * h1 + w4 * h2 + b2)
    d = (o - t) * o * (1.0 - o)
    d1, d2 = w3 * d * h1 * (1.0 - h1), w4 * d * h2 * (1.0 - h2)
    return d1 * x, d2 * x, d * h1, d * h2, d1 + d2, d
""", """
def two_hidden_gradients(w1, w2, w3, w4, b1, b2, x, t):
    s = lambda v: 1.0 / (1.0 + np.exp(-v))
    h1, h2 = s(w1 * x + b1), s(w2 * x + b1)
    o = s(w3 * h1 + w4 * h2 + b2)
    d = (o - t) * o * (1.0 - o)
    d1, d2 = w3 * d * h1 * (1.0 - h1), w4 * d * h2 * (1.0 - h2)
    return d1 * x, d2 * x, d * h1, d * h2, d1, d   # b1 feeds both hidden neurons: db1 = δ_h1 + δ_h2
""", "is δ_h1 alone"),
    # 06 --------------------------------------------------------------------------------------------------
    "ex06_dense_forward": ("dense_forward", """
def dense_forward(x, W, b):
    return x @ W.T + b
""", """
def dense_forward(x, W, b):
    return x @ W.T                               # forgot the bias
""", "missing the term `+ b`"),
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
""", """
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
            total = delta[k] * W_out[k - 6, j - 4]   # `=` where `+=` belongs
        delta[j] = total * y[j] * (1.0 - y[j])
    dW_hidden = np.array([[delta[j] * y[i] for i in (1, 2, 3, "b")] for j in (4, 5)])
    dW_out = np.array([[delta[k] * y[j] for j in (4, 5, "b")] for k in (6, 7)])
    return dW_hidden, dW_out
""", "`=` where `+=`"),
    "ex06_dense_backward": ("dense_backward", """
def dense_backward(dout, x, W):
    return dout @ W, dout.T @ x, dout.sum(axis=0)
""", """
def dense_backward(dout, x, W):
    return dout @ W, x.T @ dout, dout.sum(axis=0)   # dW transposed
""", "dW has shape"),
    # 07 --------------------------------------------------------------------------------------------------
    "ex07_output_delta": ("output_delta", """
def output_delta(net, T):
    A = 1.0 / (1.0 + np.exp(-net))
    return (A - T) * A * (1.0 - A) / net.shape[0]
""", """
def output_delta(net, T):
    A = 1.0 / (1.0 + np.exp(-net))
    return (A - T) * A * (1.0 - A)               # the loss is a mean: forgot 1/n
""", "missing the 1/n factor"),
    "ex07_hidden_delta": ("hidden_delta", """
def hidden_delta(delta_next, W_next, net):
    A = 1.0 / (1.0 + np.exp(-net))
    return (delta_next @ W_next) * A * (1.0 - A)
""", """
def hidden_delta(delta_next, W_next, net):
    return (delta_next @ W_next) * net * (1.0 - net)   # net(1 − net) instead of σ(net)(1 − σ(net))
""", "net·(1 − net)"),
    "ex07_mlp_backward": ("mlp_backward", """
def mlp_backward(X, T, W1, b1, W2, b2):
    s = lambda v: 1.0 / (1.0 + np.exp(-v))
    A1 = s(X @ W1.T + b1); A2 = s(A1 @ W2.T + b2)
    d2 = (A2 - T) * A2 * (1.0 - A2) / X.shape[0]
    d1 = (d2 @ W2) * A1 * (1.0 - A1)
    return d1.T @ X, d1.sum(axis=0), d2.T @ A1, d2.sum(axis=0)
""", """
def mlp_backward(X, T, W1, b1, W2, b2):
    s = lambda v: 1.0 / (1.0 + np.exp(-v))
    A1 = s(X @ W1.T + b1); A2 = s(A1 @ W2.T + b2)
    d2 = (A2 - T) * A2 * (1.0 - A2)              # summed over the batch instead of averaged
    d1 = (d2 @ W2) * A1 * (1.0 - A1)
    return d1.T @ X, d1.sum(axis=0), d2.T @ A1, d2.sum(axis=0)
""", "missing the 1/n factor"),
    # 08 --------------------------------------------------------------------------------------------------
    "ex08_softmax": ("softmax", """
def softmax(net):
    E = np.exp(net - net.max(axis=1, keepdims=True))
    return E / E.sum(axis=1, keepdims=True)
""", """
def softmax(net):
    E = np.exp(net - net.mean(axis=1, keepdims=True))   # the row mean, not the row maximum
    return E / E.sum(axis=1, keepdims=True)
""", "NaN"),
    "ex08_cross_entropy": ("cross_entropy", """
def cross_entropy(P, T):
    return float(-np.sum(T * np.log(P)) / P.shape[0])
""", """
def cross_entropy(P, T):
    return float(-np.mean(T * np.log(P)))         # the mean over n·C entries, not over n samples
""", "1/C"),
    "ex08_softmax_ce_backward": ("softmax_ce_backward", """
def softmax_ce_backward(net, T):
    E = np.exp(net - net.max(axis=1, keepdims=True))
    return (E / E.sum(axis=1, keepdims=True) - T) / net.shape[0]
""", """
def softmax_ce_backward(net, T):
    E = np.exp(net - net.max(axis=1, keepdims=True))
    return E / E.sum(axis=1, keepdims=True) - T   # forgot 1/n
""", "missing the 1/n factor"),
    # 09 --------------------------------------------------------------------------------------------------
    "ex09_sgd_step": ("sgd_step", """
def sgd_step(w, g, eta):
    return w - eta * g
""", """
def sgd_step(w, g, eta):
    return w + eta * g                           # uphill
""", "wrong direction"),
    "ex09_momentum_step": ("momentum_step", """
def momentum_step(w, v, g, eta, beta):
    v_new = beta * v - eta * g
    return w + v_new, v_new
""", """
def momentum_step(w, v, g, eta, beta):
    v *= beta                                    # changes the caller's v
    v -= eta * g
    return w + v, v
""", "modified its input `v` in place"),
    "ex09_adam_step": ("adam_step", """
def adam_step(w, m, v, g, t, eta, beta1, beta2, eps):
    m = beta1 * m + (1.0 - beta1) * g
    v = beta2 * v + (1.0 - beta2) * g * g
    m_hat, v_hat = m / (1.0 - beta1**t), v / (1.0 - beta2**t)
    return w - eta * m_hat / (np.sqrt(v_hat) + eps), m, v
""", """
def adam_step(w, m, v, g, t, eta, beta1, beta2, eps):
    m = beta1 * m + (1.0 - beta1) * g
    v = beta2 * v + (1.0 - beta2) * g * g
    m_hat, v_hat = m / (1.0 - beta1**t), v / (1.0 - beta2**t)
    return w - eta * m_hat / (np.sqrt(v_hat) + eps), m_hat, v_hat   # the corrected moments as the state
""", "m̂"),
}

# A correct answer that also makes NumPy warn (0/0 in a value it then ignores): nbgrader zeroes a test cell
# with anything on stderr, so the test cells must keep such warnings out of it.
NOISE = "    np.float64(0.0) / np.float64(0.0)      # RuntimeWarning: invalid value, harmless here\n"


def noisy(source: str) -> str:
    """``source`` (one ``def``) with a line that raises a harmless RuntimeWarning first in its body."""
    head, _, body = source.strip("\n").partition("\n")
    return f"{head}\n{NOISE}{body}\n"
